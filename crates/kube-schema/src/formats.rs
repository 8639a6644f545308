//! The string formats kube-apiserver validates (kube-openapi `strfmt.Default`
//! restricted to apiextensions' supported list). Each check follows the Go
//! function named in its comment; where Go delegates to a parser (net/mail,
//! net/url) the check here is a close approximation, noted in the README.

use std::sync::OnceLock;

use base64::Engine;
use regex::Regex;

fn rx(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("built-in format regex compiles"))
}

/// Whether `value` is valid for the (already supported) `format`.
pub(crate) fn check(format: &str, value: &str) -> bool {
    match format.replace('-', "").to_ascii_lowercase().as_str() {
        "datetime" => is_date_time(value),
        "date" => is_date(value),
        "uri" => is_request_uri(value),
        "email" => is_email(value),
        "hostname" => is_hostname(value),
        "ipv4" => parse_ip(value).is_some() && value.contains('.'),
        "ipv6" => parse_ip(value).is_some() && value.contains(':'),
        "cidr" => is_cidr(value),
        "mac" => is_mac(value),
        "uuid" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(
                &R,
                r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$",
            )
            .is_match(value)
        }
        "uuid3" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(
                &R,
                r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$",
            )
            .is_match(value)
        }
        "uuid4" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(
                &R,
                r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$",
            )
            .is_match(value)
        }
        "uuid5" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(
                &R,
                r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$",
            )
            .is_match(value)
        }
        "isbn" => is_isbn10(value) || is_isbn13(value),
        "isbn10" => is_isbn10(value),
        "isbn13" => is_isbn13(value),
        "creditcard" => is_credit_card(value),
        "ssn" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(&R, r"^\d{3}[- ]?\d{2}[- ]?\d{4}$").is_match(value)
        }
        "hexcolor" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(&R, r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$").is_match(value)
        }
        "rgbcolor" => {
            static R: OnceLock<Regex> = OnceLock::new();
            let c = r"\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*";
            rx(&R, &format!(r"^rgb\({c},{c},{c}\)$")).is_match(value)
        }
        // govalidator.IsBase64: padded standard alphabet.
        "byte" => {
            static R: OnceLock<Regex> = OnceLock::new();
            rx(
                &R,
                r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$",
            )
            .is_match(value)
                && base64::engine::general_purpose::STANDARD
                    .decode(value)
                    .is_ok()
        }
        "password" => true,
        "duration" => is_duration(value),
        "bsonobjectid" => value.len() == 24 && value.bytes().all(|b| b.is_ascii_hexdigit()),
        _ => true,
    }
}

/// strfmt.IsDateTime: a full-date, "t", then hh:mm:ss[.frac](z|±hh:mm), case-insensitive.
fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let parts: Vec<&str> = lower.split('t').collect();
    if parts.len() < 2 || !is_date(parts[0]) {
        return false;
    }
    static R: OnceLock<Regex> = OnceLock::new();
    let re = rx(
        &R,
        r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$",
    );
    let Some(m) = re.captures(parts[1]) else {
        return false;
    };
    &m[1] <= "23" && &m[2] <= "59" && &m[3] <= "59"
}

/// time.Parse("2006-01-02", s).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

/// url.ParseRequestURI: an absolute URI (scheme:...) or an absolute path, no
/// spaces or control characters.
fn is_request_uri(s: &str) -> bool {
    if s.is_empty() || s.chars().any(|c| c.is_control() || c == ' ') {
        return false;
    }
    if s.starts_with('/') {
        return true;
    }
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// net/mail.ParseAddress, approximated: `local@domain` or `Name <local@domain>`.
fn is_email(s: &str) -> bool {
    let addr = match (s.find('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        _ => s.trim(),
    };
    static R: OnceLock<Regex> = OnceLock::new();
    rx(
        &R,
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$",
    )
    .is_match(addr)
        && !addr.starts_with('.')
        && !addr.contains("..")
        && !addr.contains(".@")
}

/// strfmt.IsHostname.
fn is_hostname(s: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = rx(
        &R,
        r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$",
    );
    re.is_match(s) && s.len() <= 255 && s.split('.').all(|p| p.len() <= 63)
}

/// netutils.ParseIPSloppy: like net.ParseIP but IPv4 parts may have leading zeros.
fn parse_ip(s: &str) -> Option<std::net::IpAddr> {
    if let Some(v4) = parse_ipv4_sloppy(s) {
        return Some(std::net::IpAddr::V4(v4));
    }
    if s.contains(':') {
        if let Ok(ip) = s.parse::<std::net::Ipv6Addr>() {
            return Some(std::net::IpAddr::V6(ip));
        }
        // An embedded dotted quad with leading zeros.
        if let Some(i) = s.rfind(':') {
            let v4 = parse_ipv4_sloppy(&s[i + 1..])?;
            let canon = format!("{}{}", &s[..=i], v4);
            return canon
                .parse::<std::net::Ipv6Addr>()
                .ok()
                .map(std::net::IpAddr::V6);
        }
    }
    None
}

fn parse_ipv4_sloppy(s: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        octets[i] = p.parse::<u16>().ok().filter(|v| *v <= 255)? as u8;
    }
    Some(std::net::Ipv4Addr::from(octets))
}

fn is_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Some(addr) = parse_ip(ip) else {
        return false;
    };
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) || bits.len() > 3 {
        return false;
    }
    let Ok(bits) = bits.parse::<u32>() else {
        return false;
    };
    // net.ParseCIDR reads a dotted address as IPv4 even inside IPv6 syntax? No: by its form.
    let max = if ip.contains(':') { 128 } else { 32 };
    let _ = addr;
    bits <= max
}

/// net.ParseMAC: 6, 8 or 20 octets as xx:xx.., xx-xx.. or xxxx.xxxx...
fn is_mac(s: &str) -> bool {
    let valid_len = |n: usize| n == 6 || n == 8 || n == 20;
    if s.len() < 14 {
        return false;
    }
    let b = s.as_bytes();
    if b[2] == b':' || b[2] == b'-' {
        let sep = b[2] as char;
        let groups: Vec<&str> = s.split(sep).collect();
        valid_len(groups.len())
            && groups
                .iter()
                .all(|g| g.len() == 2 && g.bytes().all(|c| c.is_ascii_hexdigit()))
    } else if b[4] == b'.' {
        let groups: Vec<&str> = s.split('.').collect();
        valid_len(groups.len() * 2)
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|c| c.is_ascii_hexdigit()))
    } else {
        false
    }
}

fn digits_only(s: &str) -> String {
    s.chars().filter(|c| *c != '-' && *c != ' ').collect()
}

fn is_isbn10(s: &str) -> bool {
    let d = digits_only(s);
    let b = d.as_bytes();
    if b.len() != 10
        || !b[..9].iter().all(u8::is_ascii_digit)
        || !(b[9].is_ascii_digit() || b[9] == b'X')
    {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in b.iter().enumerate() {
        let v = if *c == b'X' { 10 } else { u32::from(c - b'0') };
        sum += (i as u32 + 1) * v;
    }
    sum.is_multiple_of(11)
}

fn is_isbn13(s: &str) -> bool {
    let d = digits_only(s);
    let b = d.as_bytes();
    if b.len() != 13 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in b[..12].iter().enumerate() {
        let w = if i % 2 == 0 { 1 } else { 3 };
        sum += w * u32::from(c - b'0');
    }
    (10 - sum % 10) % 10 == u32::from(b[12] - b'0')
}

/// govalidator.IsCreditCard: known issuer prefixes and a Luhn checksum.
fn is_credit_card(s: &str) -> bool {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    static R: OnceLock<Regex> = OnceLock::new();
    let re = rx(
        &R,
        r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$",
    );
    if !re.is_match(&d) {
        return false;
    }
    let mut sum = 0u32;
    let mut double = false;
    for c in d.bytes().rev() {
        let mut v = u32::from(c - b'0');
        if double {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
        double = !double;
    }
    sum.is_multiple_of(10)
}

/// strfmt.ParseDuration: Go's time.ParseDuration, or "<n> <unit>" pairs with
/// long unit names.
fn is_duration(s: &str) -> bool {
    if is_go_duration(s) {
        return true;
    }
    static R: OnceLock<Regex> = OnceLock::new();
    let re = rx(&R, r"((\d+)\s*([A-Za-zµ]+))");
    const UNITS: &[&[&str]] = &[
        &["ns", "nano"],
        &["us", "µs", "micro"],
        &["ms", "milli"],
        &["s", "sec"],
        &["m", "min"],
        &["h", "hr", "hour"],
        &["d", "day"],
        &["w", "wk", "week"],
    ];
    for m in re.captures_iter(s) {
        let unit = m[3].trim().to_lowercase();
        for variants in UNITS {
            let last = variants.len() - 1;
            for (i, v) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(v)) || unit.eq_ignore_ascii_case(v) {
                    return true;
                }
            }
        }
    }
    false
}

/// time.ParseDuration's grammar: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ with known units, or "0".
pub(crate) fn is_go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        if !matches!(unit, "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
            return false;
        }
        rest = &rest[unit_len..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn date_time() {
        assert!(check("date-time", "2024-01-02T03:04:05Z"));
        assert!(check("date-time", "2024-01-02T03:04:05.123+01:00"));
        assert!(!check("date-time", "2024-01-02"));
        assert!(!check("date-time", "2024-13-02T03:04:05Z"));
        assert!(!check("date-time", "2024-01-02T24:04:05Z"));
        assert!(!check("date-time", "abc"));
        assert!(!check("date", "2024-0é-1"));
        assert!(!check("date-time", "2024-0é-1T00:00:00Z"));
    }

    #[test]
    fn simple_formats() {
        assert!(check("byte", "aGVsbG8="));
        assert!(!check("byte", "hello!"));
        assert!(check("ipv4", "10.0.0.1"));
        assert!(!check("ipv4", "::1"));
        assert!(check("ipv6", "::1"));
        assert!(check("cidr", "10.0.0.0/8"));
        assert!(!check("cidr", "10.0.0.0/33"));
        assert!(check("uri", "https://example.com/x"));
        assert!(!check("uri", "example.com"));
        assert!(check("hostname", "example.com"));
        assert!(!check("hostname", "-bad-.com"));
        assert!(check("uuid", "123e4567-e89b-12d3-a456-426614174000"));
        assert!(check("duration", "1h30m"));
        assert!(check("duration", "3 days"));
        assert!(!check("duration", "soon"));
        assert!(check("mac", "00:1a:2b:3c:4d:5e"));
        assert!(check("email", "a@example.com"));
        assert!(!check("email", "not-an-email"));
    }
}
