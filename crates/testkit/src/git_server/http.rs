//! Smart HTTP: a small HTTP/1.1 server (one request per connection) that hands every request
//! to `git http-backend` as a CGI program. Optional basic/bearer auth and TLS.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use base64::Engine;

use super::{GitServerError, HttpAuth, Result};

/// Requests bigger than this are refused (tests push through the file system).
const MAX_BODY: usize = 256 * 1024 * 1024;
const MAX_HEADER_LINE: usize = 16 * 1024;
const MAX_HEADERS: usize = 200;

pub(super) struct HttpConfig {
    pub project_root: PathBuf,
    pub auth: HttpAuth,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub log: PathBuf,
}

pub(super) struct HttpServer {
    port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub fn start(config: HttpConfig) -> Result<HttpServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&config.log)?,
        ));
        let config = Arc::new(config);
        let stop_flag = stop.clone();
        let accept = std::thread::Builder::new()
            .name(format!("git-http-{port}"))
            .spawn(move || {
                for stream in listener.incoming() {
                    if stop_flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let config = config.clone();
                    let log = log.clone();
                    let _ = std::thread::Builder::new()
                        .name("git-http-conn".into())
                        .spawn(move || serve_connection(stream, &config, &log));
                }
            })?;
        Ok(HttpServer {
            port,
            stop,
            accept: Some(accept),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

fn serve_connection(tcp: TcpStream, config: &HttpConfig, log: &Mutex<File>) {
    let _ = tcp.set_nodelay(true);
    let result = match &config.tls {
        Some(tls) => match rustls::ServerConnection::new(tls.clone()) {
            Ok(conn) => {
                let mut stream = rustls::StreamOwned::new(conn, tcp);
                let r = serve_request(&mut stream, config, log);
                stream.conn.send_close_notify();
                let _ = stream.flush();
                let _ = stream.sock.shutdown(Shutdown::Both);
                r
            }
            Err(e) => Err(io::Error::other(e)),
        },
        None => {
            let mut stream = tcp;
            let r = serve_request(&mut stream, config, log);
            let _ = stream.shutdown(Shutdown::Both);
            r
        }
    };
    if let Err(e) = result
        && let Ok(mut f) = log.lock()
    {
        let _ = writeln!(f, "connection error: {e}");
    }
}

struct Request {
    /// Sent in absolute form, i.e. through this server acting as a proxy.
    proxied: bool,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve_request<S: Read + Write>(
    stream: &mut S,
    config: &HttpConfig,
    log: &Mutex<File>,
) -> io::Result<()> {
    let request = {
        let mut reader = BufReader::new(&mut *stream);
        match read_request(&mut reader)? {
            Some(r) => r,
            None => return Ok(()),
        }
    };
    let status = if !authorized(&request, &config.auth) {
        stream.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        401
    } else {
        let (status, headers, body) = run_backend(&request, config, log)?;
        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        stream.write_all(head.as_bytes())?;
        stream.write_all(&body)?;
        status
    };
    stream.flush()?;
    if let Ok(mut f) = log.lock() {
        let via_proxy = if request.proxied {
            let auth = if request.header("Proxy-Authorization").is_some() {
                "present"
            } else {
                "absent"
            };
            format!(" (via proxy, proxy-authorization {auth})")
        } else {
            String::new()
        };
        let _ = writeln!(
            f,
            "{} {}{} -> {status}{via_proxy}",
            request.method,
            request.path,
            if request.query.is_empty() {
                String::new()
            } else {
                format!("?{}", request.query)
            }
        );
    }
    Ok(())
}

fn authorized(request: &Request, auth: &HttpAuth) -> bool {
    let expected = match auth {
        HttpAuth::None => return true,
        HttpAuth::Basic { username, password } => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
        ),
        HttpAuth::Bearer { token } => format!("Bearer {token}"),
    };
    request.header("Authorization") == Some(expected.as_str())
}

fn read_line<R: BufRead>(reader: &mut R) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") {
        return Err(io::Error::other("header line too long"));
    }
    let line = String::from_utf8_lossy(&buf);
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

fn read_request<R: BufRead>(reader: &mut R) -> io::Result<Option<Request>> {
    let Some(request_line) = read_line(reader)? else {
        return Ok(None);
    };
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(io::Error::other("malformed request line"));
    };
    // A client using this server as its HTTP proxy sends the absolute form
    // (`GET http://host/repo.git/info/refs`): serve it as if addressed directly.
    let (proxied, target) = match target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        Some(rest) => (true, rest.find('/').map_or("/", |i| &rest[i..])),
        None => (false, target),
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| io::Error::other("truncated headers"))?;
        if line.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(io::Error::other("too many headers"));
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut request = Request {
        proxied,
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
    };
    let chunked = request
        .header("Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        request.body = read_chunked(reader)?;
    } else if let Some(len) = request.header("Content-Length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::other("bad Content-Length"))?;
        if len > MAX_BODY {
            return Err(io::Error::other("request body too large"));
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok(Some(request))
}

fn read_chunked<R: BufRead>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| io::Error::other("truncated chunk"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| io::Error::other("bad chunk size"))?;
        if size == 0 {
            // Trailers end with an empty line.
            while let Some(l) = read_line(reader)? {
                if l.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(io::Error::other("request body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        read_line(reader)?;
    }
}

type BackendResponse = (u16, Vec<(String, String)>, Vec<u8>);

fn run_backend(
    request: &Request,
    config: &HttpConfig,
    log: &Mutex<File>,
) -> io::Result<BackendResponse> {
    let mut cmd = Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", &config.project_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", &request.path)
        .env("QUERY_STRING", &request.query)
        .env("CONTENT_TYPE", request.header("Content-Type").unwrap_or(""))
        .env("CONTENT_LENGTH", request.body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("GIT_PROTOCOL", request.header("Git-Protocol").unwrap_or(""))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(enc) = request.header("Content-Encoding") {
        // git gzips large upload-pack requests.
        cmd.env("HTTP_CONTENT_ENCODING", enc);
    }
    if !matches!(config.auth, HttpAuth::None) {
        // An authenticated user may push (receive-pack).
        cmd.env("REMOTE_USER", "git");
    }
    let mut child = cmd.spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let body = request.body.clone();
    // Write the body while the backend streams its answer, so neither side blocks on a pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output()?;
    let _ = writer.join();
    if !output.stderr.is_empty()
        && let Ok(mut f) = log.lock()
    {
        let _ = f.write_all(&output.stderr);
    }
    Ok(parse_cgi(&output.stdout))
}

fn parse_cgi(stdout: &[u8]) -> BackendResponse {
    let (head, body) = match find(stdout, b"\r\n\r\n") {
        Some(i) => (&stdout[..i], &stdout[i + 4..]),
        None => match find(stdout, b"\n\n") {
            Some(i) => (&stdout[..i], &stdout[i + 2..]),
            None => (&stdout[..0], stdout),
        },
    };
    let mut status = 200;
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        if k.eq_ignore_ascii_case("Status") {
            status = v
                .split(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(500);
        } else {
            headers.push((k.trim().to_string(), v.to_string()));
        }
    }
    (status, headers, body.to_vec())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Status",
    }
}

pub(super) struct GeneratedTls {
    pub ca_pem: String,
    pub config: Arc<rustls::ServerConfig>,
    /// A client certificate and key signed by the CA, when client certificates are required.
    pub client: Option<(String, String)>,
}

/// A CA and a server certificate it signed for 127.0.0.1 and localhost; with
/// `require_client_cert`, clients must present a certificate signed by the same CA.
pub(super) fn generate_tls(require_client_cert: bool) -> Result<GeneratedTls> {
    let pki = crate::tls::Pki::generate("testkit-git").map_err(GitServerError::Tls)?;
    let config = pki
        .server_config(require_client_cert)
        .map_err(GitServerError::Tls)?;
    Ok(GeneratedTls {
        client: require_client_cert
            .then(|| (pki.client_cert_pem.clone(), pki.client_key_pem.clone())),
        ca_pem: pki.ca_pem,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_read() {
        let raw = b"POST /a.git/git-upload-pack?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
                    3\r\nabc\r\n2;ext\r\nde\r\n0\r\n\r\n";
        let mut reader = BufReader::new(&raw[..]);
        let req = read_request(&mut reader).unwrap().unwrap();
        assert_eq!(req.path, "/a.git/git-upload-pack");
        assert_eq!(req.query, "x=1");
        assert_eq!(req.body, b"abcde");
    }

    #[test]
    fn cgi_status_is_kept() {
        let (status, headers, body) =
            parse_cgi(b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope");
        assert_eq!(status, 404);
        assert_eq!(headers, vec![("Content-Type".into(), "text/plain".into())]);
        assert_eq!(body, b"nope");
    }
}
