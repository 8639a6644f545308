//! Decryption throughput: `cargo bench -p flux-sops` (needs ../shared and scripts/setup/sops.sh).
//! Prints the mean wall time and the mean CPU time of this process per operation (the CPU figure
//! is the one to compare on a shared machine); figures go in the README.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use flux_sops::{Format, Keys, decrypt, decrypt_resource};

/// User + system CPU time of this process, from /proc (Linux), in clock ticks of 10 ms.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn time<T>(label: &str, iterations: u32, mut f: impl FnMut() -> T) {
    let cpu_start = cpu_ticks();
    let start = Instant::now();
    for _ in 0..iterations {
        std::hint::black_box(f());
    }
    let wall = start.elapsed() / iterations;
    let cpu = match (cpu_start, cpu_ticks()) {
        (Some(a), Some(b)) => format!(
            "{:.3?}",
            std::time::Duration::from_millis((b - a) * 10) / iterations
        ),
        _ => "n/a".into(),
    };
    println!("{label:<56} wall {wall:>10.2?}  cpu {cpu:>10} per op ({iterations} runs)");
}

fn main() {
    let fixtures = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/sops"
    ));
    if !fixtures.is_dir() {
        eprintln!("SKIPPED: {} is absent", fixtures.display());
        return;
    }
    let read = |p: &str| std::fs::read(fixtures.join(p)).unwrap();
    let secret = |k: &str, p: &str| -> Keys {
        Keys::from_secret_data(&BTreeMap::from([(k.to_string(), read(p))])).unwrap()
    };
    let age = secret("age.agekey", "keys/age.txt");
    let pgp = secret("pgp.asc", "keys/pgp.asc");

    let age_yaml = read("algorithms/age.yaml");
    time("age, small YAML Secret (fixture)", 4000, || {
        decrypt(&age_yaml, Format::Yaml, &age).unwrap()
    });
    let pgp_yaml = read("algorithms/pgp.yaml");
    time("OpenPGP RSA-4096, small YAML Secret (fixture)", 100, || {
        decrypt(&pgp_yaml, Format::Yaml, &pgp).unwrap()
    });
    let object: serde_json::Value =
        serde_saphyr::from_str(std::str::from_utf8(&age_yaml).unwrap()).unwrap();
    time("age, decrypt_resource of the same Secret", 4000, || {
        decrypt_resource(&object, &age).unwrap()
    });
    time("import keys: age identity", 20000, || {
        secret("age.agekey", "keys/age.txt")
    });
    time("import keys: OpenPGP RSA-4096 private key", 500, || {
        secret("pgp.asc", "keys/pgp.asc")
    });

    // A large document, encrypted by the real sops when it is installed.
    let sops = std::env::var("SOPS_BIN").unwrap_or_else(|_| {
        format!(
            "{}/.cache/flux-rs/sops-3.11.0/sops",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("big.yaml");
    let mut text =
        String::from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\nstringData:\n");
    for i in 0..1000 {
        text.push_str(&format!("  key{i}: value-{i}-{}\n", "x".repeat(40)));
    }
    std::fs::write(&plain, &text).unwrap();
    let Ok(output) = Command::new(&sops)
        .args([
            "encrypt",
            "--age",
            "age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29",
        ])
        .arg(&plain)
        .output()
    else {
        eprintln!(
            "sops binary not found ({sops}): run scripts/setup/sops.sh for the large-document figure"
        );
        return;
    };
    assert!(output.status.success());
    let big = output.stdout;
    time(
        "age, YAML Secret with 1,000 encrypted values (55 KiB)",
        100,
        || decrypt(&big, Format::Yaml, &age).unwrap(),
    );
}
