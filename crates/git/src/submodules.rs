//! Submodules: gix does not check them out, so each gitlink is fetched (with the parent's
//! transport options when it lives on the same host) and written like the parent, recursively.

use crate::remote::ParsedUrl;
use crate::{Credentials, GitError, TransportOptions};

/// go-git's default recursion depth, which Flux uses.
pub(crate) const MAX_DEPTH: usize = 10;

/// `(path, url)` of each submodule declared in `.gitmodules`.
pub(crate) fn declared(gitmodules: &[u8]) -> Result<Vec<(String, String)>, GitError> {
    let file =
        gix::submodule::File::from_bytes(gitmodules, None, &Default::default()).map_err(|e| {
            GitError::Submodule {
                path: ".gitmodules".into(),
                message: e.to_string(),
            }
        })?;
    let mut out = Vec::new();
    for name in file.names() {
        let sub_err = |m: String| GitError::Submodule {
            path: name.to_string(),
            message: m,
        };
        let path = file.path(name).map_err(|e| sub_err(e.to_string()))?;
        let url = file.url(name).map_err(|e| sub_err(e.to_string()))?;
        out.push((path.to_string(), url.to_bstring().to_string()));
    }
    Ok(out)
}

/// A submodule URL relative to the parent's (`../other.git`, `./sub`) made absolute.
pub(crate) fn resolve_url(parent: &str, url: &str) -> String {
    if !(url.starts_with("./") || url.starts_with("../")) {
        return url.to_string();
    }
    let mut base: Vec<&str> = parent.trim_end_matches('/').split('/').collect();
    let mut rest = url;
    loop {
        if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("../") {
            // Keep at least `scheme:`, `` and the host.
            if base.len() > 3 {
                base.pop();
            }
            rest = r;
        } else {
            break;
        }
    }
    format!("{}/{}", base.join("/"), rest)
}

/// The parent's options for a submodule on the same host; anonymous access (keeping the CA
/// and proxy) elsewhere, so credentials never travel to another host.
pub(crate) fn options_for(
    parent_url: &str,
    parent: &TransportOptions,
    url: &str,
) -> TransportOptions {
    let same_host = match (ParsedUrl::parse(parent_url), ParsedUrl::parse(url)) {
        (Ok(a), Ok(b)) => a.host == b.host && a.port == b.port && a.scheme == b.scheme,
        _ => false,
    };
    if same_host {
        parent.clone()
    } else {
        TransportOptions {
            credentials: Credentials::Anonymous,
            ..parent.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls() {
        assert_eq!(
            resolve_url("http://h:1/org/app.git", "../lib.git"),
            "http://h:1/org/lib.git"
        );
        assert_eq!(
            resolve_url("http://h/app.git", "./sub.git"),
            "http://h/app.git/sub.git"
        );
        assert_eq!(
            resolve_url("http://h/app.git", "https://x/y.git"),
            "https://x/y.git"
        );
    }

    #[test]
    fn gitmodules_are_read() {
        let d =
            declared(b"[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n").unwrap();
        assert_eq!(
            d,
            vec![("vendor/lib".to_string(), "../lib.git".to_string())]
        );
    }
}
