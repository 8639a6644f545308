//! `flux local serve-git`: the local git server. Smart HTTP for every bare repository under a
//! folder, by handing each request to `git http-backend` as a CGI program. One request per
//! connection, no authentication, 127.0.0.1 only: it serves the local run and nothing else.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};

/// Bounds on what a client may send: a push of the example fleet is a few KiB.
const MAX_BODY: usize = 64 * 1024 * 1024;
const MAX_LINE: u64 = 16 * 1024;
const MAX_HEADERS: usize = 100;

/// Serve `root` on `listen` forever; once listening, write the bound address to `address_file`
/// (atomically: written beside it, then renamed) so the parent can wait for it.
pub fn serve(root: &Path, listen: &str, address_file: Option<&Path>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen)?;
    let address = listener.local_addr()?;
    if let Some(file) = address_file {
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, address.to_string())?;
        std::fs::rename(&tmp, file)?;
    }
    eprintln!(
        "git server: serving {} on http://{address}/",
        root.display()
    );
    let root = root.to_path_buf();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        std::thread::spawn(move || {
            if let Err(e) = serve_connection(stream, &root) {
                eprintln!("git server: connection error: {e}");
            }
        });
    }
    Ok(())
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

fn serve_connection(mut stream: TcpStream, root: &Path) -> io::Result<()> {
    let request = read_request(&mut BufReader::new(&mut stream))?;
    let (status, headers, body) = run_backend(&request, root)?;
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in &headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Both);
    eprintln!(
        "git server: {} {}?{} -> {status}",
        request.method, request.path, request.query
    );
    Ok(())
}

fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut buf = Vec::new();
    reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf)?;
    if !buf.ends_with(b"\n") {
        return Err(io::Error::other("truncated or over-long line"));
    }
    Ok(String::from_utf8_lossy(&buf)
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

fn read_request(reader: &mut impl BufRead) -> io::Result<Request> {
    let line = read_line(reader)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(io::Error::other(format!("malformed request line {line:?}")));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(io::Error::other("too many headers"));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let mut request = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
    };
    if request
        .header("Transfer-Encoding")
        .eq_ignore_ascii_case("chunked")
    {
        request.body = read_chunked(reader)?;
    } else if !request.header("Content-Length").is_empty() {
        let len: usize = request
            .header("Content-Length")
            .parse()
            .map_err(|_| io::Error::other("bad Content-Length"))?;
        if len > MAX_BODY {
            return Err(io::Error::other("request body too large"));
        }
        request.body = vec![0; len];
        reader.read_exact(&mut request.body)?;
    }
    Ok(request)
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size, 16).map_err(|_| io::Error::other("bad chunk size"))?;
        if size == 0 {
            // Skip trailers up to the empty line.
            while !read_line(reader)?.is_empty() {}
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

type Response = (u16, Vec<(String, String)>, Vec<u8>);

fn run_backend(request: &Request, root: &Path) -> io::Result<Response> {
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", &request.path)
        .env("QUERY_STRING", &request.query)
        .env("CONTENT_TYPE", request.header("Content-Type"))
        .env("CONTENT_LENGTH", request.body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", request.header("Content-Encoding"))
        .env("GIT_PROTOCOL", request.header("Git-Protocol"))
        .env("REMOTE_ADDR", "127.0.0.1")
        // Pushes are allowed: the local run's user pushes changes to watch them roll out.
        .env("REMOTE_USER", "local")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = command.spawn()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let body = request.body.clone();
    // Feed the body while the backend answers, so neither side blocks on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let output = child.wait_with_output()?;
    let _ = writer.join();
    Ok(parse_cgi(&output.stdout))
}

/// Split CGI output into status, headers and body.
fn parse_cgi(out: &[u8]) -> Response {
    let split = find(out, b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| find(out, b"\n\n").map(|i| (i, 2)));
    let (head, body) = match split {
        Some((i, n)) => (&out[..i], &out[i + n..]),
        None => {
            return (
                502,
                Vec::new(),
                b"git http-backend gave no response\n".to_vec(),
            );
        }
    };
    let mut status = 200;
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("Status") {
            status = value
                .split(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(500);
        } else {
            headers.push((name.trim().to_string(), value.to_string()));
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
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        let raw = b"POST /r.git/git-upload-pack HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let request = read_request(&mut &raw[..]).unwrap();
        assert_eq!(request.body, b"abcde");
        assert_eq!(request.path, "/r.git/git-upload-pack");
    }

    #[test]
    fn malformed_requests_are_errors() {
        assert!(read_request(&mut &b"GARBAGE\r\n\r\n"[..]).is_err());
        assert!(read_request(&mut &b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"[..]).is_err());
        assert!(read_request(&mut &b"GET / HTTP/1.1\r\nHost: a"[..]).is_err());
    }

    #[test]
    fn cgi_status_and_headers() {
        let (status, headers, body) =
            parse_cgi(b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope");
        assert_eq!(status, 404);
        assert_eq!(
            headers,
            vec![("Content-Type".to_string(), "text/plain".to_string())]
        );
        assert_eq!(body, b"nope");
        assert_eq!(parse_cgi(b"").0, 502);
    }
}
