//! Sprig's string functions.

use super::Kind::*;
use super::{FuncResult, Registry, err, gofmt::go_quote, to_string};
use crate::value::{Map, Value};

/// Largest string a function may build (repeat, indent ...), to bound memory.
const MAX_STRING: usize = 64 << 20;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn i(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        _ => 0,
    }
}

fn ok(s: impl Into<String>) -> FuncResult {
    Ok(Value::from(s.into()))
}

pub fn register(r: &mut Registry) {
    r.add("abbrev", &[Int, Str], |_, a| ok(abbrev(s(&a[1]), i(&a[0]))));
    r.add("abbrevboth", &[Int, Int, Str], |_, a| {
        ok(abbrev_both(s(&a[2]), i(&a[0]), i(&a[1])))
    });
    r.add("trunc", &[Int, Str], |_, a| ok(trunc(s(&a[1]), i(&a[0]))));
    r.add("trim", &[Str], |_, a| ok(s(&a[0]).trim()));
    r.add("upper", &[Str], |_, a| ok(s(&a[0]).to_uppercase()));
    r.add("lower", &[Str], |_, a| ok(s(&a[0]).to_lowercase()));
    r.add("title", &[Str], |_, a| ok(title(s(&a[0]))));
    r.add("untitle", &[Str], |_, a| ok(untitle(s(&a[0]))));
    r.add("substr", &[Int, Int, Str], |_, a| {
        ok(substr(s(&a[2]), i(&a[0]), i(&a[1])))
    });
    r.add("repeat", &[Int, Str], |_, a| {
        let n = i(&a[0]);
        if n < 0 {
            return Err(err("strings: negative Repeat count"));
        }
        if (n as usize).saturating_mul(s(&a[1]).len()) > MAX_STRING {
            return Err(err("repeat: result too large"));
        }
        ok(s(&a[1]).repeat(n as usize))
    });
    r.add("trimall", &[Str, Str], |_, a| {
        ok(trim_set(s(&a[1]), s(&a[0])))
    });
    r.add("trimAll", &[Str, Str], |_, a| {
        ok(trim_set(s(&a[1]), s(&a[0])))
    });
    r.add("trimSuffix", &[Str, Str], |_, a| {
        ok(s(&a[1]).strip_suffix(s(&a[0])).unwrap_or(s(&a[1])))
    });
    r.add("trimPrefix", &[Str, Str], |_, a| {
        ok(s(&a[1]).strip_prefix(s(&a[0])).unwrap_or(s(&a[1])))
    });
    r.add("nospace", &[Str], |_, a| {
        ok(s(&a[0])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>())
    });
    r.add("initials", &[Str], |_, a| {
        ok(s(&a[0])
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect::<String>())
    });
    r.add("swapcase", &[Str], |_, a| ok(swapcase(s(&a[0]))));
    r.add("snakecase", &[Str], |_, a| {
        ok(delimited_case(s(&a[0]), '_'))
    });
    r.add("kebabcase", &[Str], |_, a| {
        ok(delimited_case(s(&a[0]), '-'))
    });
    r.add("camelcase", &[Str], |_, a| ok(camelcase(s(&a[0]))));
    r.add("wrap", &[Int, Str], |_, a| {
        ok(wrap(s(&a[1]), i(&a[0]), "\n"))
    });
    r.add("wrapWith", &[Int, Str, Str], |_, a| {
        ok(wrap(s(&a[2]), i(&a[0]), s(&a[1])))
    });
    r.add("contains", &[Str, Str], |_, a| {
        Ok(Value::Bool(s(&a[1]).contains(s(&a[0]))))
    });
    r.add("hasPrefix", &[Str, Str], |_, a| {
        Ok(Value::Bool(s(&a[1]).starts_with(s(&a[0]))))
    });
    r.add("hasSuffix", &[Str, Str], |_, a| {
        Ok(Value::Bool(s(&a[1]).ends_with(s(&a[0]))))
    });
    r.var("quote", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| go_quote(&to_string(v)))
            .collect();
        ok(parts.join(" "))
    });
    r.var("squote", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", to_string(v)))
            .collect();
        ok(parts.join(" "))
    });
    r.var("cat", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| v.to_go_string())
            .collect();
        ok(parts.join(" "))
    });
    r.add("indent", &[Int, Str], |_, a| {
        indent(s(&a[1]), i(&a[0]), false)
    });
    r.add("nindent", &[Int, Str], |_, a| {
        indent(s(&a[1]), i(&a[0]), true)
    });
    r.add("replace", &[Str, Str, Str], |_, a| {
        let (old, new, src) = (s(&a[0]), s(&a[1]), s(&a[2]));
        if old.is_empty() {
            // Go inserts `new` around every rune when `old` is empty
            let mut o = String::from(new);
            for c in src.chars() {
                o.push(c);
                o.push_str(new);
            }
            if o.len() > MAX_STRING {
                return Err(err("replace: result too large"));
            }
            return ok(o);
        }
        ok(src.replace(old, new))
    });
    r.add("plural", &[Str, Str, Int], |_, a| {
        ok(if i(&a[2]) == 1 { s(&a[0]) } else { s(&a[1]) })
    });
    r.add("toString", &[Any], |_, a| ok(to_string(&a[0])));
    r.add("split", &[Str, Str], |_, a| {
        Ok(indexed_map(split(s(&a[1]), s(&a[0]), -1)))
    });
    r.add("splitn", &[Str, Int, Str], |_, a| {
        Ok(indexed_map(split(s(&a[2]), s(&a[0]), i(&a[1]))))
    });
    r.add("splitList", &[Str, Str], |_, a| {
        Ok(Value::from(
            split(s(&a[1]), s(&a[0]), -1)
                .into_iter()
                .map(Value::from)
                .collect::<Vec<_>>(),
        ))
    });
    r.add("toStrings", &[Any], |_, a| {
        Ok(Value::from(
            strslice(&a[0])
                .into_iter()
                .map(Value::from)
                .collect::<Vec<_>>(),
        ))
    });
    r.add("join", &[Str, Any], |_, a| {
        ok(strslice(&a[1]).join(s(&a[0])))
    });
    r.add("sortAlpha", &[Any], |_, a| {
        let mut v = strslice(&a[0]);
        v.sort();
        Ok(Value::from(
            v.into_iter().map(Value::from).collect::<Vec<_>>(),
        ))
    });
}

fn indent(v: &str, n: i64, newline: bool) -> FuncResult {
    let n = n.max(0) as usize;
    let lines = v.matches('\n').count() + 1;
    if lines.saturating_mul(n) > MAX_STRING {
        return Err(err("indent: result too large"));
    }
    let pad = " ".repeat(n);
    let mut o = String::with_capacity(v.len() + lines * n + 1);
    if newline {
        o.push('\n');
    }
    o.push_str(&pad);
    o.push_str(&v.replace('\n', &format!("\n{pad}")));
    ok(o)
}

/// Sprig's strslice: a list's non-nil elements as strings, a string as itself.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|e| !e.is_nil()).map(to_string).collect(),
        Value::Nil => Vec::new(),
        other => vec![to_string(other)],
    }
}

fn indexed_map(parts: Vec<String>) -> Value {
    let mut m = Map::new();
    for (i, p) in parts.into_iter().enumerate() {
        m.insert(format!("_{i}"), Value::from(p));
    }
    Value::from(m)
}

/// strings.SplitN semantics (n < 0: all).
pub fn split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let mut v: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && v.len() > n as usize {
            let rest: String = v[n as usize - 1..].concat();
            v.truncate(n as usize - 1);
            v.push(rest);
        }
        return v;
    }
    if n < 0 {
        s.split(sep).map(String::from).collect()
    } else {
        s.splitn(n as usize, sep).map(String::from).collect()
    }
}

fn trunc(s: &str, c: i64) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return String::from_utf8_lossy(&s.as_bytes()[(len + c) as usize..]).into_owned();
    }
    if c >= 0 && len > c {
        return String::from_utf8_lossy(&s.as_bytes()[..c as usize]).into_owned();
    }
    s.to_string()
}

fn substr(s: &str, start: i64, end: i64) -> String {
    let b = s.as_bytes();
    let len = b.len() as i64;
    let (lo, hi) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if lo > hi || lo > len || hi < 0 || hi > len {
        return String::new();
    }
    String::from_utf8_lossy(&b[lo as usize..hi as usize]).into_owned()
}

fn abbrev(s: &str, width: i64) -> String {
    if width < 4 {
        return s.to_string();
    }
    if s.len() as i64 <= width {
        return s.to_string();
    }
    format!("{}...", bytes_str(s, 0, (width - 3) as usize))
}

fn abbrev_both(s: &str, left: i64, right: i64) -> String {
    // goutils.AbbreviateFull
    if right < 4 || (left > 0 && right < 7) {
        return s.to_string();
    }
    let len = s.len() as i64;
    if len <= right {
        return s.to_string();
    }
    let mut offset = left.min(len);
    if len - offset < right - 3 {
        offset = len - (right - 3);
    }
    if offset <= 4 {
        return format!("{}...", bytes_str(s, 0, (right - 3) as usize));
    }
    if right < 7 {
        return s.to_string();
    }
    if offset + right - 3 < len {
        let inner = abbrev(&bytes_str(s, offset as usize, s.len()), right - 3);
        return format!("...{inner}");
    }
    format!("...{}", bytes_str(s, (len - (right - 3)) as usize, s.len()))
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

fn title(s: &str) -> String {
    let mut prev = ' ';
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if is_separator(prev) {
            o.extend(c.to_uppercase());
        } else {
            o.push(c);
        }
        prev = c;
    }
    o
}

fn untitle(s: &str) -> String {
    let mut prev_space = true;
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if prev_space && !c.is_whitespace() {
            o.extend(c.to_lowercase());
        } else {
            o.push(c);
        }
        prev_space = c.is_whitespace();
    }
    o
}

fn swapcase(s: &str) -> String {
    // goutils.SwapCase: title-case after whitespace becomes lower, etc.
    let mut o = String::with_capacity(s.len());
    let mut ws = true;
    for c in s.chars() {
        if c.is_uppercase() {
            o.extend(c.to_lowercase());
            ws = false;
        } else if c.is_lowercase() {
            if ws {
                o.extend(c.to_uppercase());
                ws = false;
            } else {
                o.extend(c.to_uppercase());
            }
        } else {
            ws = c.is_whitespace();
            o.push(c);
        }
    }
    o
}

/// xstrings ToSnakeCase / ToKebabCase.
fn delimited_case(s: &str, delim: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    let mut i = 0;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c.is_uppercase() {
            let start = i;
            while i < n && chars[i].is_uppercase() {
                i += 1;
            }
            let run = &chars[start..i];
            // an upper run followed by lowercase: the last upper starts a new word
            let (head, tail): (&[char], &[char]) =
                if i < n && chars[i].is_lowercase() && run.len() > 1 {
                    (&run[..run.len() - 1], &run[run.len() - 1..])
                } else {
                    (run, &[])
                };
            for (k, part) in [head, tail].iter().enumerate() {
                if part.is_empty() {
                    continue;
                }
                if !out.is_empty() && !out.ends_with(delim) && (k == 1 || start > 0) {
                    out.push(delim);
                }
                for c in part.iter() {
                    out.extend(c.to_lowercase());
                }
            }
            continue;
        }
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(delim) {
            out.push(delim);
        }
        i += 1;
    }
    while out.ends_with(delim) {
        out.pop();
    }
    out
}

/// xstrings ToCamelCase: underscores and the letters after them become capitals.
fn camelcase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper_next = true;
    for c in s.chars() {
        if c == '_' {
            upper_next = true;
            continue;
        }
        if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// goutils.WrapCustom(s, width, sep, wrapLongWords=true).
fn wrap(s: &str, width: i64, sep: &str) -> String {
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 32);
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let window_end = (offset + width + 1).min(len);
        let window = &b[offset..window_end];
        match window.iter().rposition(|c| *c == b' ') {
            Some(sp) if sp > 0 || window.len() == 1 => {
                out.extend_from_slice(&b[offset..offset + sp]);
                out.extend_from_slice(sep.as_bytes());
                offset += sp + 1;
            }
            _ => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(sep.as_bytes());
                offset += width;
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Bytes lo..hi of `s` as text (Go slices strings by byte; split characters become U+FFFD).
fn bytes_str(s: &str, lo: usize, hi: usize) -> String {
    let b = s.as_bytes();
    let (lo, hi) = (lo.min(b.len()), hi.min(b.len()));
    String::from_utf8_lossy(&b[lo..hi.max(lo)]).into_owned()
}

fn trim_set(s: &str, cutset: &str) -> String {
    s.trim_matches(|c| cutset.contains(c)).to_string()
}
