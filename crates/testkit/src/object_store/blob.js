// Writes to Azurite with Microsoft's @azure/storage-blob client (SharedKey auth):
//   node blob.js create CONTAINER
//   node blob.js put CONTAINER NAME FILE
//   node blob.js list CONTAINER        -> "<name> <etag>" per blob, as the service lists them
// Environment: AZURITE_URL (http://127.0.0.1:<port>/devstoreaccount1), NODE_PATH to the modules.
const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");
const fs = require("fs");
const account = "devstoreaccount1";
const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const service = new BlobServiceClient(process.env.AZURITE_URL, new StorageSharedKeyCredential(account, key));
const [command, container, name, file] = process.argv.slice(2);
(async () => {
  const c = service.getContainerClient(container);
  if (command === "create") {
    await c.create();
  } else if (command === "put") {
    const data = fs.readFileSync(file);
    await c.getBlockBlobClient(name).upload(data, data.length);
  } else if (command === "list") {
    for await (const blob of c.listBlobsFlat()) {
      console.log(`${blob.name} ${blob.properties.etag}`);
    }
  } else {
    throw new Error(`unknown command ${command}`);
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
