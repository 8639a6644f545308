#!/usr/bin/env python3
"""Pushes test content into a registry with the ORAS Python client and plain registry calls.

  push.py artifact REGISTRY REPO TAG DIR [KEY=VALUE ...]
      DIR packed as `flux push artifact` packs it (a tar.gz), pushed with Flux's media types;
      KEY=VALUE pairs become manifest annotations. Prints the manifest digest.
  push.py image REGISTRY REPO TAG DIR
      DIR as one plain image layer (application/vnd.oci.image.layer.v1.tar+gzip) with an image
      config. Prints the manifest digest.
  push.py layer REGISTRY REPO TAG FILE MEDIA_TYPE
      FILE as the only layer, as it is (for hostile archives), with Flux's config media type.
      Prints the manifest digest.
  push.py sign REGISTRY REPO DIGEST PEM_KEY
      A cosign key-pair signature (simple signing, tag sha256-<hex>.sig) made with the
      `cryptography` package, independently of any cosign library. Prints the signature tag.

Environment: REGISTRY_AUTH=user:password, REGISTRY_CA=<PEM file> (HTTPS; plain HTTP otherwise).
"""
import base64, gzip, hashlib, io, json, os, sys, tarfile
import requests

args = sys.argv[1:]
command, registry, repo = args[0], args[1], args[2]
ca = os.environ.get("REGISTRY_CA")
scheme = "https" if ca else "http"
auth = tuple(os.environ["REGISTRY_AUTH"].split(":", 1)) if os.environ.get("REGISTRY_AUTH") else None
session = requests.Session()
session.auth = auth
session.verify = ca if ca else True
# Else REQUESTS_CA_BUNDLE from the environment overrides session.verify.
session.trust_env = False
base = f"{scheme}://{registry}/v2/{repo}"


def tgz(directory):
    """A reproducible tar.gz of a folder (sorted, mtime 0), as Flux's tar builder writes it."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for root, dirs, files in os.walk(directory):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, directory)
                info = tf.gettarinfo(path, arcname=rel)
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                with open(path, "rb") as f:
                    tf.addfile(info, f)
    return raw.getvalue()


def blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    r = session.post(f"{base}/blobs/uploads/")
    r.raise_for_status()
    loc = r.headers["Location"]
    loc = loc if loc.startswith("http") else f"{scheme}://{registry}{loc}"
    sep = "&" if "?" in loc else "?"
    session.put(f"{loc}{sep}digest={digest}", data=data,
                headers={"Content-Type": "application/octet-stream"}).raise_for_status()
    return {"digest": digest, "size": len(data)}


def put_manifest(reference, manifest):
    body = json.dumps(manifest, separators=(",", ":")).encode()
    r = session.put(f"{base}/manifests/{reference}", data=body,
                    headers={"Content-Type": manifest["mediaType"]})
    r.raise_for_status()
    return r.headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest()


if command == "artifact":
    import oras.client
    tag, directory = args[3], args[4]
    annotations = dict(kv.split("=", 1) for kv in args[5:])
    work = os.path.dirname(os.path.abspath(directory.rstrip("/")))
    layer = os.path.join(work, "artifact.tgz")
    with open(layer, "wb") as f:
        f.write(gzip.compress(tgz(directory), mtime=0))
    config = os.path.join(work, "config.json")
    with open(config, "w") as f:
        f.write("{}")
    client = oras.client.OrasClient(hostname=registry, insecure=not ca,
                                    tls_verify=ca if ca else True, auth_backend="basic")
    if auth:
        client.auth.set_basic_auth(auth[0], auth[1])
    os.chdir(work)
    client.push(target=f"{registry}/{repo}:{tag}",
                files=["artifact.tgz:application/vnd.cncf.flux.content.v1.tar+gzip"],
                manifest_config="config.json:application/vnd.cncf.flux.config.v1+json",
                manifest_annotations=annotations, disable_path_validation=True)
    r = session.head(f"{base}/manifests/{tag}",
                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    r.raise_for_status()
    print(r.headers["Docker-Content-Digest"])
elif command == "image":
    tag, directory = args[3], args[4]
    raw = tgz(directory)
    layer = blob(gzip.compress(raw, mtime=0))
    config = blob(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                              "rootfs": {"type": "layers",
                                         "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}},
                             separators=(",", ":")).encode())
    print(put_manifest(tag, {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer}]}))
elif command == "layer":
    tag, path, media_type = args[3], args[4], args[5]
    with open(path, "rb") as f:
        layer = blob(f.read())
    config = blob(b"{}")
    print(put_manifest(tag, {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.cncf.flux.config.v1+json", **config},
        "layers": [{"mediaType": media_type, **layer}]}))
elif command == "sign":
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    digest, keyfile = args[3], args[4]
    payload = json.dumps({"critical": {"identity": {"docker-reference": f"{registry}/{repo}"},
                                       "image": {"docker-manifest-digest": digest},
                                       "type": "cosign container image signature"},
                          "optional": None}, separators=(",", ":")).encode()
    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    signature = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    config = blob(b"{}")
    layer = blob(payload)
    tag = digest.replace(":", "-") + ".sig"
    put_manifest(tag, {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", **layer,
                    "annotations": {"dev.cosignproject.cosign/signature": signature}}]})
    print(tag)
else:
    sys.exit(f"unknown command {command}")
