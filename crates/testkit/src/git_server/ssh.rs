//! ssh: OpenSSH's sshd run in the foreground as the test user on a free port of 127.0.0.1, with a
//! generated host key and generated client keys whose only allowed command is `git-shell`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{GitServerError, Result, run};

const SSHD: &str = "/usr/sbin/sshd";

pub(super) struct SshServer {
    child: Child,
    port: u16,
    user: String,
    host_key_pub: String,
    foreign_key_pub: String,
    client_key: String,
    client_key_rsa_pem: String,
}

impl SshServer {
    pub fn start(dir: &Path) -> Result<SshServer> {
        if !Path::new(SSHD).exists() {
            return Err(GitServerError::MissingTool {
                tool: SSHD.to_string(),
            });
        }
        std::fs::create_dir_all(dir)?;
        keygen(&dir.join("hostkey"), &["-t", "ed25519"])?;
        keygen(&dir.join("foreign_hostkey"), &["-t", "ed25519"])?;
        keygen(&dir.join("client_ed25519"), &["-t", "ed25519"])?;
        keygen(
            &dir.join("client_rsa"),
            &["-t", "rsa", "-b", "2048", "-m", "PEM"],
        )?;
        let mut authorized = String::new();
        for key in ["client_ed25519", "client_rsa"] {
            let public = std::fs::read_to_string(dir.join(format!("{key}.pub")))?;
            authorized.push_str(&format!(
                "command=\"git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\",no-port-forwarding,no-pty,no-agent-forwarding,no-X11-forwarding {}\n",
                public.trim()
            ));
        }
        std::fs::write(dir.join("authorized_keys"), authorized)?;
        if is_root() {
            // sshd started as root insists on its privilege-separation directory.
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let user = current_user()?;
        let mut last_error = String::new();
        // The port is picked by binding port 0 and releasing it: retry if another process takes
        // it in between.
        for _ in 0..5 {
            let port = free_port()?;
            write_config(dir, port)?;
            let log = std::fs::File::create(dir.join("sshd.log"))?;
            let mut child = Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(dir.join("sshd_config"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()?;
            match wait_listening(&mut child, port) {
                Ok(()) => {
                    return Ok(SshServer {
                        child,
                        port,
                        user,
                        host_key_pub: public_key_of(&dir.join("hostkey.pub"))?,
                        foreign_key_pub: public_key_of(&dir.join("foreign_hostkey.pub"))?,
                        client_key: std::fs::read_to_string(dir.join("client_ed25519"))?,
                        client_key_rsa_pem: std::fs::read_to_string(dir.join("client_rsa"))?,
                    });
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default();
                    last_error = format!("{e}; sshd log: {}", log.trim());
                }
            }
        }
        Err(GitServerError::Ssh(last_error))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}", self.port, self.host_key_pub)
    }

    pub fn foreign_known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}", self.port, self.foreign_key_pub)
    }

    pub fn client_key(&self) -> &str {
        &self.client_key
    }

    pub fn client_key_rsa_pem(&self) -> &str {
        &self.client_key_rsa_pem
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_config(dir: &Path, port: u16) -> Result<()> {
    let d = dir.display();
    let config = format!(
        "Port {port}\n\
         ListenAddress 127.0.0.1\n\
         HostKey {d}/hostkey\n\
         PidFile {d}/sshd.pid\n\
         AuthorizedKeysFile {d}/authorized_keys\n\
         StrictModes no\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\n\
         UsePAM no\n\
         AllowTcpForwarding no\n\
         X11Forwarding no\n\
         PrintMotd no\n\
         AcceptEnv GIT_PROTOCOL\n\
         LogLevel INFO\n"
    );
    let path = dir.join("sshd_config");
    std::fs::write(&path, config)?;
    let mut test = Command::new(SSHD);
    test.arg("-t").arg("-f").arg(&path);
    run(test, "sshd -t")?;
    Ok(())
}

fn wait_listening(child: &mut Child, port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            return Err(GitServerError::Ssh(format!("sshd exited: {status}")));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(GitServerError::Ssh(
        "sshd did not listen within 10 s".to_string(),
    ))
}

fn keygen(path: &PathBuf, args: &[&str]) -> Result<()> {
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-N", "", "-C", "testkit"])
        .args(args)
        .arg("-f")
        .arg(path);
    run(cmd, "ssh-keygen").map(|_| ()).map_err(|e| match e {
        GitServerError::Io(_) => GitServerError::MissingTool {
            tool: "ssh-keygen".to_string(),
        },
        other => other,
    })
}

/// `<type> <base64>` of a `.pub` file, without the comment.
fn public_key_of(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" "))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn current_user() -> Result<String> {
    let name = run(
        {
            let mut c = Command::new("id");
            c.arg("-un");
            c
        },
        "id -un",
    )?;
    Ok(name.trim().to_string())
}
