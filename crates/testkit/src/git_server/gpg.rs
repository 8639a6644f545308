//! Throwaway OpenPGP keys (real `gpg`, private GNUPGHOME) for signed commits and tags.

use std::path::Path;
use std::process::Command;

use super::{GitServerError, Result, run};

/// A gpg key pair living in its own temporary GNUPGHOME; the agent is stopped on drop.
pub struct GpgKey {
    home: tempfile::TempDir,
    fingerprint: String,
    public_armored: String,
    private_armored: String,
}

impl GpgKey {
    /// An ed25519 signing key for `name <email>`, without a passphrase.
    pub fn generate(name: &str, email: &str) -> Result<GpgKey> {
        Self::generate_with(name, email, "ed25519")
    }

    /// A signing key with gpg's algorithm name (`ed25519`, `rsa2048`, `rsa3072`, ...).
    pub fn generate_with(name: &str, email: &str, algorithm: &str) -> Result<GpgKey> {
        // gpg-agent's socket path must stay short: keep the home directly under /tmp.
        let home = tempfile::Builder::new().prefix("gpg-").tempdir_in("/tmp")?;
        let uid = format!("{name} <{email}>");
        let mut gen_key = gpg(home.path());
        gen_key.args([
            "--passphrase",
            "",
            "--quick-generate-key",
            &uid,
            algorithm,
            "sign",
            "never",
        ]);
        run(gen_key, "gpg --quick-generate-key").map_err(missing_gpg)?;
        let mut list = gpg(home.path());
        list.args(["--with-colons", "--list-secret-keys"]);
        let listing = run(list, "gpg --list-secret-keys")?;
        let fingerprint = listing
            .lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .map(str::to_string)
            .ok_or_else(|| GitServerError::Command {
                command: "gpg --list-secret-keys".into(),
                status: "ok".into(),
                stderr: "no fingerprint in the listing".into(),
            })?;
        let mut export = gpg(home.path());
        export.args(["--armor", "--export", &fingerprint]);
        let public_armored = run(export, "gpg --export")?;
        let mut export_secret = gpg(home.path());
        export_secret.args(["--armor", "--export-secret-keys", &fingerprint]);
        let private_armored = run(export_secret, "gpg --export-secret-keys")?;
        Ok(GpgKey {
            home,
            fingerprint,
            public_armored,
            private_armored,
        })
    }

    /// The primary key's fingerprint (upper-case hex).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The 16-hex-digit key id (the fingerprint's tail).
    pub fn key_id(&self) -> &str {
        &self.fingerprint[self.fingerprint.len().saturating_sub(16)..]
    }

    /// The ASCII-armored public key (what a verify Secret holds).
    pub fn public_armored(&self) -> &str {
        &self.public_armored
    }

    /// The ASCII-armored secret key.
    pub fn private_armored(&self) -> &str {
        &self.private_armored
    }

    /// The GNUPGHOME holding the key (for `git -c user.signingkey=... commit -S`).
    pub fn home(&self) -> &Path {
        self.home.path()
    }
}

impl Drop for GpgKey {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

fn gpg(home: &Path) -> Command {
    let mut cmd = Command::new("gpg");
    cmd.env("GNUPGHOME", home)
        .args(["--batch", "--quiet", "--pinentry-mode", "loopback"]);
    cmd
}

fn missing_gpg(e: GitServerError) -> GitServerError {
    match e {
        GitServerError::Io(_) => GitServerError::MissingTool {
            tool: "gpg".to_string(),
        },
        other => other,
    }
}
