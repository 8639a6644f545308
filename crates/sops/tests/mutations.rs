//! Random single-byte mutations of real sops files: decryption must never panic, and whatever it
//! accepts must contain no ciphertext. (Deterministic: a fixed-seed xorshift generator.)

mod common;

use common::{fixtures, keys_from, read};
use flux_sops::{Format, decrypt, decrypt_resource};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut XorShift, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    let position = rng.below(bytes.len());
    match rng.below(4) {
        0 => {
            bytes.remove(position);
        }
        1 => bytes.insert(position, b" \n:-[{\"'#&*!|>%@,=ABC\t\\"[rng.below(22)]),
        2 => bytes[position] = rng.next() as u8,
        _ => bytes[position] ^= 1 << rng.below(8),
    }
    bytes
}

#[test]
fn mutated_files_never_panic_nor_leak_ciphertext() {
    let Some(dir) = fixtures() else { return };
    // age only: RSA decryption is slow in debug builds, and the fixtures test PGP elsewhere.
    let keys = keys_from(&dir, &[("age.agekey", "keys/age.txt")]);
    let mut rng = XorShift(0x5eed_f00d);
    let mut accepted = 0;
    for (file, format) in [
        ("algorithms/age.yaml", Format::Yaml),
        ("envs/env.env", Format::Dotenv),
        ("files/file.txt", Format::Json),
        ("files/file.txt", Format::Binary),
    ] {
        let original = read(&dir, file);
        for _ in 0..250 {
            let mutated = mutate(&mut rng, &original);
            if let Ok(out) = decrypt(&mutated, format, &keys) {
                accepted += 1;
                let text = String::from_utf8_lossy(&out);
                assert!(
                    !text.contains("ENC[AES256_GCM"),
                    "{file}: ciphertext accepted:\n{text}"
                );
            }
        }
    }
    // Some mutations hit what the MAC does not cover (metadata fields, spacing): accepted.
    assert!(accepted > 0);
}

#[test]
fn mutated_objects_never_panic_nor_leak_ciphertext() {
    let Some(dir) = fixtures() else { return };
    let keys = keys_from(&dir, &[("age.agekey", "keys/age.txt")]);
    let mut rng = XorShift(0xdec0_de00_1234);
    let original = read(&dir, "algorithms/age.yaml");
    for _ in 0..400 {
        let mutated = mutate(&mut rng, &original);
        let Ok(text) = std::str::from_utf8(&mutated) else {
            continue;
        };
        let Ok(object) = serde_saphyr::from_str::<serde_json::Value>(text) else {
            continue;
        };
        // Objects without sops metadata are passed through, as Flux does (and then refused by
        // the controller when they are Secrets with a `sops` field).
        if !flux_sops::is_encrypted_resource(&object) {
            continue;
        }
        if let Ok(out) = decrypt_resource(&object, &keys) {
            let text = out.to_string();
            assert!(
                !text.contains("ENC[AES256_GCM"),
                "ciphertext accepted: {text}"
            );
        }
    }
}
