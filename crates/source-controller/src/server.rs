//! The artifact file server on `--storage-addr`: a read-only view of `--storage-path`, like the Go
//! `http.FileServer` Flux uses (files, and directory listings so `GET /` answers the readiness
//! probe). Paths with `..` and links leading outside the storage are refused.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The router serving `root`.
pub fn router(root: PathBuf) -> Router {
    Router::new()
        .fallback(axum::routing::get(serve_path))
        .with_state(Arc::new(root))
}

/// Serve `root` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    root: PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(root))
        .with_graceful_shutdown(shutdown)
        .await
}

fn status(code: StatusCode, text: &str) -> Response {
    (code, format!("{text}\n")).into_response()
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn serve_path(State(root): State<Arc<PathBuf>>, uri: Uri) -> Response {
    let Some(decoded) = percent_decode(uri.path()) else {
        return status(StatusCode::BAD_REQUEST, "invalid URL path");
    };
    let relative = decoded.trim_start_matches('/');
    let rel_path = Path::new(relative);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return status(StatusCode::BAD_REQUEST, "invalid URL path");
    }
    let Ok(canonical_root) = tokio::fs::canonicalize(root.as_ref()).await else {
        return status(StatusCode::INTERNAL_SERVER_ERROR, "storage unavailable");
    };
    let Ok(target) = tokio::fs::canonicalize(canonical_root.join(rel_path)).await else {
        return status(StatusCode::NOT_FOUND, "404 page not found");
    };
    // Links are followed (Helm index symlinks) but never out of the storage.
    if !target.starts_with(&canonical_root) {
        return status(StatusCode::NOT_FOUND, "404 page not found");
    }
    let Ok(meta) = tokio::fs::metadata(&target).await else {
        return status(StatusCode::NOT_FOUND, "404 page not found");
    };
    if meta.is_dir() {
        if !decoded.ends_with('/') {
            let location = format!("{}/", uri.path());
            return Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, location)
                .body(Body::empty())
                .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR, "redirect"));
        }
        return listing(&target).await;
    }
    let file = match tokio::fs::File::open(&target).await {
        Ok(f) => f,
        Err(_) => return status(StatusCode::NOT_FOUND, "404 page not found"),
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        file,
        256 * 1024,
    ));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.len()));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&target)),
    );
    response
}

fn content_type(path: &Path) -> &'static str {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.ends_with(".gz") || name.ends_with(".tgz") {
        "application/gzip"
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        "text/yaml; charset=utf-8"
    } else if name.ends_with(".json") {
        "application/json"
    } else {
        "application/octet-stream"
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn listing(dir: &Path) -> Response {
    let mut names = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return status(StatusCode::INTERNAL_SERVER_ERROR, "Error reading directory");
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let mut name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().await.is_ok_and(|t| t.is_dir()) {
            name.push('/');
        }
        names.push(name);
    }
    names.sort();
    let mut body = String::from(
        "<!doctype html>\n<meta name=\"viewport\" content=\"width=device-width\">\n<pre>\n",
    );
    for name in names {
        let escaped = html_escape(&name);
        body.push_str(&format!("<a href=\"{escaped}\">{escaped}</a>\n"));
    }
    body.push_str("</pre>\n");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%2e%2e/x").as_deref(), Some("/../x"));
        assert_eq!(percent_decode("/%zz"), None);
    }
}
