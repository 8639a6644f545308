//! Plain-scalar resolution as done by go-yaml: v3 on input, v2 when deciding quoting on output.

use crate::value::Value;

/// yaml.v3's resolution of a plain scalar decoded into `interface{}`.
/// Timestamps stay strings, as v3 does for `interface{}` targets.
pub fn resolve_plain_v3(s: &str) -> Value {
    match s {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => {
            if let Some(f) = go_parse_float(s) {
                return Value::Float(f);
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            if let Some(t) = timestamp_rfc3339(s) {
                return Value::Str(t);
            }
            if let Some(v) = resolve_number(s) {
                return v;
            }
        }
        _ => {}
    }
    Value::Str(s.to_string())
}

/// True when go-yaml v2 would read the plain scalar as something other than a string;
/// such strings are double-quoted on output.
pub fn v2_resolves_non_string(s: &str) -> bool {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" | "n"
        | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" | ""
        | "~" | "null" | "Null" | "NULL" | ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
        | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" => return true,
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => go_parse_float(s).is_some(),
        b'0'..=b'9' | b'+' | b'-' => {
            is_timestamp(s) || resolve_number(s).is_some() || is_base60_float(s)
        }
        _ => false,
    }
}

/// A plain timestamp decodes to Go's time.Time, which JSON prints as RFC 3339 with
/// nanoseconds (trailing zeros dropped) and `Z` for UTC.
fn timestamp_rfc3339(s: &str) -> Option<String> {
    if !is_timestamp(s) {
        return None;
    }
    let (date, rest) = match s[5..].find(['T', 't', ' ']) {
        Some(p) => (&s[..5 + p], Some(&s[5 + p + 1..])),
        None => (s, None),
    };
    let d: Vec<u32> = date.split('-').filter_map(|x| x.parse().ok()).collect();
    let mut out = format!("{:04}-{:02}-{:02}T", d.first()?, d.get(1)?, d.get(2)?);
    let Some(rest) = rest else {
        out.push_str("00:00:00Z");
        return Some(out);
    };
    let with_zone = s[5..].contains(['T', 't']);
    let (clock, zone) = if let Some(c) = rest.strip_suffix('Z') {
        (c, "Z".to_string())
    } else if let Some(p) = rest.rfind(['+', '-']).filter(|_| with_zone) {
        let z = &rest[p..];
        (
            &rest[..p],
            if z == "+00:00" {
                "Z".to_string()
            } else {
                z.to_string()
            },
        )
    } else {
        (rest, "Z".to_string())
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) => (a, f.trim_end_matches('0')),
        None => (clock, ""),
    };
    let t: Vec<u32> = hms.split(':').filter_map(|x| x.parse().ok()).collect();
    out.push_str(&format!(
        "{:02}:{:02}:{:02}",
        t.first()?,
        t.get(1)?,
        t.get(2)?
    ));
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac[..frac.len().min(9)]);
    }
    out.push_str(&zone);
    Some(out)
}

fn resolve_number(s: &str) -> Option<Value> {
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(i);
    }
    if is_yaml_style_float(&plain)
        && let Some(f) = go_parse_float(&plain)
    {
        return Some(Value::Float(f));
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(rest, 2) {
            return Some(Value::Int(i));
        }
        if let Ok(u) = u64::from_str_radix(rest, 2) {
            return Some(Value::UInt(u));
        }
    } else if let Some(rest) = plain.strip_prefix("-0b")
        && let Ok(i) = i64::from_str_radix(&format!("-{rest}"), 2)
    {
        return Some(Value::Int(i));
    }
    None
}

/// Go's strconv.ParseInt(s, 0, 64) then ParseUint(s, 0, 64).
fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= (i64::MAX as u128) + 1 {
            return Some(Value::Int((-(mag as i128)) as i64));
        }
        return None;
    }
    if mag <= i64::MAX as u128 {
        Some(Value::Int(mag as i64))
    } else if mag <= u64::MAX as u128 && !s.starts_with('+') {
        Some(Value::UInt(mag as u64))
    } else if mag <= u64::MAX as u128 {
        // ParseUint does not accept a sign.
        None
    } else {
        None
    }
}

fn is_yaml_style_float(s: &str) -> bool {
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's strconv.ParseFloat for the decimal forms YAML can reach here.
fn go_parse_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let t = lower.trim_start_matches(['+', '-']);
    if matches!(t, "inf" | "infinity" | "nan") {
        return None; // never reached via the hint table
    }
    if s.contains('_') || s.contains("0x") {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    if !s.contains(':') {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i = 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        let n = i - st;
        if n == 0 {
            return false;
        }
        if n == 2 && b[st] > b'5' {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's timestamp formats: YYYY-M-D with optional time part.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let (date, time) = match rest.find(['T', 't', ' ']) {
        Some(p) => (&rest[..p], Some((&rest[p..p + 1], &rest[p + 1..]))),
        None => (rest, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    if parts.len() != 2 || !parts.iter().all(|p| valid_num(p, 1, 2)) {
        return false;
    }
    let m: u32 = parts[0].parse().unwrap_or(0);
    let d: u32 = parts[1].parse().unwrap_or(0);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return false;
    }
    match time {
        None => true,
        Some((sep, t)) => {
            let (clock, zone_ok) = if sep == " " {
                (t, true)
            } else if let Some(c) = t.strip_suffix('Z') {
                (c, true)
            } else if let Some(p) = t.rfind(['+', '-']) {
                let z = &t[p + 1..];
                let zp: Vec<&str> = z.split(':').collect();
                (
                    &t[..p],
                    zp.len() == 2 && zp.iter().all(|x| valid_num(x, 2, 2)),
                )
            } else {
                (t, false)
            };
            if !zone_ok {
                return false;
            }
            let (hms, frac) = match clock.split_once('.') {
                Some((a, f)) => (a, Some(f)),
                None => (clock, None),
            };
            if let Some(f) = frac
                && (f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()))
            {
                return false;
            }
            let p: Vec<&str> = hms.split(':').collect();
            p.len() == 3
                && p.iter().all(|x| valid_num(x, 1, 2))
                && p[0].parse::<u32>().unwrap_or(99) < 24
                && p[1].parse::<u32>().unwrap_or(99) < 60
                && p[2].parse::<u32>().unwrap_or(99) < 60
        }
    }
}

fn valid_num(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_resolution() {
        assert_eq!(resolve_plain_v3("012"), Value::Int(10));
        assert_eq!(resolve_plain_v3("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain_v3("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain_v3("yes"), Value::Str("yes".into()));
        assert_eq!(
            resolve_plain_v3("2001-12-14"),
            Value::Str("2001-12-14T00:00:00Z".into())
        );
        assert_eq!(resolve_plain_v3("1_000"), Value::Int(1000));
    }

    #[test]
    fn v2_quoting() {
        for s in [
            "yes",
            "Y",
            "on",
            "1.5",
            "0x1F",
            "12:30",
            "2001-12-14",
            "",
            "~",
            ".5",
            "1e3",
        ] {
            assert!(v2_resolves_non_string(s), "{s}");
        }
        for s in ["abc", "1.2.3", "v1", ".foo", "+", "-"] {
            assert!(!v2_resolves_non_string(s), "{s}");
        }
    }
}
