//! `flux local serve-git`: the real git client clones from it and pushes to it over smart HTTP.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs (scripts/setup/base.sh installs it)");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn clone_push_and_fetch_over_smart_http() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repos");
    std::fs::create_dir_all(&root).unwrap();
    git(
        dir.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            root.join("r.git").to_str().unwrap(),
        ],
    );
    let address_file = dir.path().join("address");
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_flux"))
            .args(["local", "serve-git", "--root"])
            .arg(&root)
            .arg("--address-file")
            .arg(&address_file)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !address_file.exists() {
        assert!(server.0.try_wait().unwrap().is_none(), "serve-git exited");
        assert!(Instant::now() < deadline, "serve-git did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!(
        "http://{}/r.git",
        std::fs::read_to_string(&address_file).unwrap()
    );

    let a = dir.path().join("a");
    std::fs::create_dir_all(&a).unwrap();
    git(&a, &["init", "-q", "-b", "main"]);
    std::fs::write(a.join("file.txt"), "one\n").unwrap();
    git(&a, &["add", "."]);
    git(
        &a,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "one",
        ],
    );
    git(&a, &["push", "-q", &url, "main"]);

    git(dir.path(), &["clone", "-q", &url, "b"]);
    let b = dir.path().join("b");
    assert_eq!(
        std::fs::read_to_string(b.join("file.txt")).unwrap(),
        "one\n"
    );

    // A second push (with the first already on the server) and a fetch of it.
    std::fs::write(a.join("file.txt"), "two\n").unwrap();
    git(
        &a,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qam",
            "two",
        ],
    );
    git(&a, &["push", "-q", &url, "main"]);
    git(&b, &["pull", "-q"]);
    assert_eq!(
        std::fs::read_to_string(b.join("file.txt")).unwrap(),
        "two\n"
    );
    assert_eq!(
        git(&a, &["rev-parse", "HEAD"]),
        git(&b, &["rev-parse", "HEAD"])
    );

    // An unknown repository is a 404, which git reports as not found.
    let output = Command::new("git")
        .current_dir(dir.path())
        .args(["ls-remote", &url.replace("r.git", "absent.git")])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        server.0.try_wait().unwrap().is_none(),
        "serve-git still serves"
    );
}
