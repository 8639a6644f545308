//! Sprig's encodings, hashes, URLs and the crypto functions (deterministic ones only).

use base64::Engine as _;
use sha1::Digest as _;

use super::Kind::*;
use super::{FuncResult, Registry, err, to_string};
use crate::value::{Map, Value};

fn ok(s: impl Into<String>) -> FuncResult {
    Ok(Value::from(s.into()))
}

pub fn register(r: &mut Registry) {
    r.add("b64enc", &[Str], |_, a| {
        ok(base64::engine::general_purpose::STANDARD.encode(a[0].as_str().unwrap_or("")))
    });
    r.add(
        "b64dec",
        &[Str],
        |_, a| match base64::engine::general_purpose::STANDARD.decode(a[0].as_str().unwrap_or("")) {
            Ok(b) => ok(String::from_utf8_lossy(&b).into_owned()),
            Err(e) => ok(go_b64_error(&e)),
        },
    );
    r.add("b32enc", &[Str], |_, a| {
        ok(base32_encode(a[0].as_str().unwrap_or("").as_bytes()))
    });
    r.add("b32dec", &[Str], |_, a| {
        match base32_decode(a[0].as_str().unwrap_or("")) {
            Some(b) => ok(String::from_utf8_lossy(&b).into_owned()),
            None => ok("illegal base32 data at input byte 0"),
        }
    });
    r.add("sha1sum", &[Str], |_, a| {
        ok(hex::encode(sha1::Sha1::digest(a[0].as_str().unwrap_or(""))))
    });
    r.add("sha256sum", &[Str], |_, a| {
        ok(hex::encode(sha2::Sha256::digest(
            a[0].as_str().unwrap_or(""),
        )))
    });
    r.add("sha512sum", &[Str], |_, a| {
        ok(hex::encode(sha2::Sha512::digest(
            a[0].as_str().unwrap_or(""),
        )))
    });
    r.add("adler32sum", &[Str], |_, a| {
        ok(adler32(a[0].as_str().unwrap_or("").as_bytes()).to_string())
    });
    r.add("urlParse", &[Str], |_, a| {
        Ok(url_parse(a[0].as_str().unwrap_or("")))
    });
    r.add("urlJoin", &[Map], |_, a| ok(url_join(&a[0])));
    for name in [
        "genPrivateKey",
        "derivePassword",
        "buildCustomCert",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "encryptAES",
        "decryptAES",
        "bcrypt",
        "htpasswd",
    ] {
        r.var(name, &[], Any, |_, _| {
            Err(err("this crypto function is random or key-generating and is not supported by this engine"))
        });
    }
    r.add("getHostByName", &[Str], |_, _| ok(""));
}

fn go_b64_error(e: &base64::DecodeError) -> String {
    let off = match e {
        base64::DecodeError::InvalidByte(o, _) => *o,
        base64::DecodeError::InvalidLength(l) => *l,
        base64::DecodeError::InvalidLastSymbol(o, _) => *o,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {off}")
}

fn adler32(b: &[u8]) -> u32 {
    let (mut a, mut s) = (1u32, 0u32);
    for &c in b {
        a = (a + c as u32) % 65521;
        s = (s + a) % 65521;
    }
    (s << 16) | a
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut bits = 0u64;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = B32.iter().position(|x| *x == c)? as u64;
        bits = (bits << 5) | v;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Some(out)
}

/// url.QueryEscape.
pub fn query_escape(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                o.push(b as char)
            }
            b' ' => o.push('+'),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

fn url_parse(s: &str) -> Value {
    let mut m = Map::new();
    let (scheme, rest) = match s.split_once("://") {
        Some((sc, r)) => (sc.to_string(), format!("//{r}")),
        None => (String::new(), s.to_string()),
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r.to_string(), f.to_string()),
        None => (rest, String::new()),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r.to_string(), q.to_string()),
        None => (rest, String::new()),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => (r[..i].to_string(), r[i..].to_string()),
            None => (r.to_string(), String::new()),
        },
        None => (String::new(), rest),
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (u.to_string(), h.to_string()),
        None => (String::new(), authority),
    };
    m.insert("scheme".into(), Value::from(scheme));
    m.insert("host".into(), Value::from(host));
    m.insert("hostname".into(), Value::from(String::new()));
    m.insert("path".into(), Value::from(path));
    m.insert("query".into(), Value::from(query));
    m.insert("opaque".into(), Value::from(String::new()));
    m.insert("fragment".into(), Value::from(fragment));
    m.insert("userinfo".into(), Value::from(userinfo));
    if let Some(Value::Str(h)) = m.get("host").cloned() {
        let hostname = match h.rsplit_once(':') {
            Some((n, p)) if p.bytes().all(|c| c.is_ascii_digit()) => n.to_string(),
            _ => h.to_string(),
        };
        m.insert("hostname".into(), Value::from(hostname));
    }
    Value::from(m)
}

fn url_join(d: &Value) -> String {
    let Some(m) = d.as_map() else {
        return String::new();
    };
    let get = |k: &str| m.get(k).map(to_string).unwrap_or_default();
    let mut out = String::new();
    let scheme = get("scheme");
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    let host = get("host");
    let userinfo = get("userinfo");
    if !host.is_empty() || !userinfo.is_empty() {
        out.push_str("//");
        if !userinfo.is_empty() {
            out.push_str(&userinfo);
            out.push('@');
        }
        out.push_str(&host);
    }
    out.push_str(&get("path"));
    let q = get("query");
    if !q.is_empty() {
        out.push('?');
        out.push_str(&q);
    }
    let f = get("fragment");
    if !f.is_empty() {
        out.push('#');
        out.push_str(&f);
    }
    out
}
