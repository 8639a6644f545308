//! Credentials and TLS material from Secret data, read as fluxcd/pkg `runtime/secrets` reads
//! them (`BasicAuthFromSecret`, `TLSConfigFromSecret`), with its error messages. Secret values
//! never appear in an error or a `Debug` print.

use std::collections::BTreeMap;
use std::fmt;

use crate::errors::error_chain;

/// A Secret's data, key to bytes.
pub type SecretData = BTreeMap<String, Vec<u8>>;

const TLS_CERT: &str = "tls.crt";
const TLS_KEY: &str = "tls.key";
const CA_CERT: &str = "ca.crt";

/// Why a Secret cannot be used. `secret` is `<namespace>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("secret '{secret}': malformed basic auth - has '{present}' but missing '{missing}'")]
    BasicAuthMalformed {
        secret: String,
        present: &'static str,
        missing: &'static str,
    },
    #[error("secret '{secret}' contains 'tls.crt' but missing 'tls.key'")]
    MissingPrivateKey { secret: String },
    #[error("secret '{secret}' contains 'tls.key' but missing 'tls.crt'")]
    MissingCertificate { secret: String },
    #[error("secret '{secret}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'")]
    NoCertificatePairOrCa { secret: String },
    #[error("failed to parse TLS certificate and key: {0}")]
    InvalidKeyPair(String),
    #[error("failed to parse CA certificate")]
    InvalidCa,
    #[error("secret '{secret}': key '{key}' not found")]
    KeyNotFound { secret: String, key: &'static str },
    #[error("secret '{secret}': proxy address is empty")]
    EmptyProxyAddress { secret: String },
    #[error("secret '{secret}': {message}")]
    InvalidProxyAddress { secret: String, message: String },
}

/// HTTP basic credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `username` and `password`, both or neither (`None`).
pub fn basic_auth(secret: &str, data: &SecretData) -> Result<Option<BasicAuth>, SecretError> {
    let text = |k: &str| data.get(k).map(|v| String::from_utf8_lossy(v).into_owned());
    match (text("username"), text("password")) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(SecretError::BasicAuthMalformed {
            secret: secret.into(),
            present: "username",
            missing: "password",
        }),
        (None, Some(_)) => Err(SecretError::BasicAuthMalformed {
            secret: secret.into(),
            present: "password",
            missing: "username",
        }),
        (Some(username), Some(password)) => Ok(Some(BasicAuth { username, password })),
    }
}

/// A client certificate and key, and a CA bundle, PEM encoded.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsMaterial {
    pub cert_pair: Option<(Vec<u8>, Vec<u8>)>,
    pub ca: Option<Vec<u8>>,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("client_certificate", &self.cert_pair.is_some())
            .field("ca", &self.ca.is_some())
            .finish()
    }
}

impl TlsMaterial {
    /// Adds the CA (beside the built-in roots, as Flux's `WithSystemCertPool`) and the client
    /// identity to an HTTP client.
    pub fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, SecretError> {
        if let Some((cert, key)) = &self.cert_pair {
            let mut pem = cert.clone();
            pem.push(b'\n');
            pem.extend_from_slice(key);
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| SecretError::InvalidKeyPair(error_chain(&e)))?;
            builder = builder.identity(identity);
        }
        if let Some(ca) = &self.ca {
            let certs =
                reqwest::Certificate::from_pem_bundle(ca).map_err(|_| SecretError::InvalidCa)?;
            if certs.is_empty() {
                return Err(SecretError::InvalidCa);
            }
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        Ok(builder)
    }
}

/// `tls.crt` with `tls.key`, and/or `ca.crt` (legacy `certFile`, `keyFile`, `caFile` when the
/// new key is absent), as `TLSConfigFromSecret`: an error when neither is there.
pub fn tls_from_secret(secret: &str, data: &SecretData) -> Result<TlsMaterial, SecretError> {
    let get = |key: &str, legacy: &str| {
        data.get(key)
            .or_else(|| data.get(legacy))
            .filter(|v| !v.is_empty())
            .cloned()
    };
    let cert = get(TLS_CERT, "certFile");
    let key = get(TLS_KEY, "keyFile");
    let ca = get(CA_CERT, "caFile");
    let secret = secret.to_string();
    let cert_pair = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (Some(_), None) => return Err(SecretError::MissingPrivateKey { secret }),
        (None, Some(_)) => return Err(SecretError::MissingCertificate { secret }),
        (None, None) => None,
    };
    if cert_pair.is_none() && ca.is_none() {
        return Err(SecretError::NoCertificatePairOrCa { secret });
    }
    Ok(TlsMaterial { cert_pair, ca })
}

/// The longest proxy address accepted.
const MAX_PROXY_URL_LENGTH: usize = 2048;

/// `address` with `username` and `password` as the URL's user info, as `ProxyURLFromSecret`.
/// The result holds the credentials: never log it.
pub fn proxy_url(secret: &str, data: &SecretData) -> Result<url::Url, SecretError> {
    let address = data
        .get("address")
        .ok_or_else(|| SecretError::KeyNotFound {
            secret: secret.into(),
            key: "address",
        })?;
    let address = String::from_utf8_lossy(address);
    if address.is_empty() {
        return Err(SecretError::EmptyProxyAddress {
            secret: secret.into(),
        });
    }
    let invalid = |message: String| SecretError::InvalidProxyAddress {
        secret: secret.into(),
        message,
    };
    if address.len() > MAX_PROXY_URL_LENGTH {
        return Err(invalid(format!(
            "proxy URL exceeds maximum length of {MAX_PROXY_URL_LENGTH} characters"
        )));
    }
    let mut url = url::Url::parse(&address)
        .map_err(|e| invalid(format!("failed to parse proxy address '{address}': {e}")))?;
    if !["http", "https", "socks5"].contains(&url.scheme()) {
        return Err(invalid(format!(
            "proxy URL must use one of the supported schemes (http, https, socks5), got '{}'",
            url.scheme()
        )));
    }
    let text = |k: &str| data.get(k).map(|v| String::from_utf8_lossy(v).into_owned());
    if let Some(username) = text("username") {
        // A URL with a host always takes user info.
        let _ = url.set_username(&username);
        if let Some(password) = text("password") {
            let _ = url.set_password(Some(&password));
        }
    }
    Ok(url)
}

/// The TLS part of `AuthMethodsFromSecret`: `None` when the Secret holds no usable TLS data.
pub fn tls_if_present(data: &SecretData) -> Option<TlsMaterial> {
    tls_from_secret("", data).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> SecretData {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn proxy_urls_carry_the_credentials() {
        let url = proxy_url(
            "ns/p",
            &data(&[
                ("address", "http://proxy:3128"),
                ("username", "u"),
                ("password", "p@ss"),
            ]),
        )
        .unwrap();
        assert_eq!(url.as_str(), "http://u:p%40ss@proxy:3128/");
        assert_eq!(
            proxy_url("ns/p", &data(&[])).unwrap_err().to_string(),
            "secret 'ns/p': key 'address' not found"
        );
        assert_eq!(
            proxy_url("ns/p", &data(&[("address", "ftp://x")]))
                .unwrap_err()
                .to_string(),
            "secret 'ns/p': proxy URL must use one of the supported schemes (http, https, socks5), got 'ftp'"
        );
        assert!(proxy_url("ns/p", &data(&[("address", "")])).is_err());
    }

    #[test]
    fn basic_auth_needs_both_keys() {
        assert_eq!(basic_auth("ns/s", &data(&[])).unwrap(), None);
        let auth = basic_auth("ns/s", &data(&[("username", "u"), ("password", "s3cret")]))
            .unwrap()
            .unwrap();
        assert_eq!(auth.username, "u");
        assert!(!format!("{auth:?}").contains("s3cret"));
        assert_eq!(
            basic_auth("ns/s", &data(&[("username", "u")]))
                .unwrap_err()
                .to_string(),
            "secret 'ns/s': malformed basic auth - has 'username' but missing 'password'"
        );
    }

    #[test]
    fn tls_messages_as_flux() {
        let err = |pairs: &[(&str, &str)]| {
            tls_from_secret("ns/s", &data(pairs))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&[("tls.crt", "c")]),
            "secret 'ns/s' contains 'tls.crt' but missing 'tls.key'"
        );
        assert_eq!(
            err(&[("tls.key", "k")]),
            "secret 'ns/s' contains 'tls.key' but missing 'tls.crt'"
        );
        assert_eq!(
            err(&[("username", "u")]),
            "secret 'ns/s' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'"
        );
        let legacy = tls_from_secret("ns/s", &data(&[("caFile", "pem")])).unwrap();
        assert_eq!(legacy.ca.as_deref(), Some(&b"pem"[..]));
        assert_eq!(
            legacy
                .apply(reqwest::Client::builder())
                .unwrap_err()
                .to_string(),
            "failed to parse CA certificate"
        );
        assert!(tls_if_present(&data(&[("username", "u")])).is_none());
    }
}
