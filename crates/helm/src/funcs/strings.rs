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
    r.add("upper", &[Str], |_, a| {
        ok(s(&a[0]).chars().map(go_upper).collect::<String>())
    });
    r.add("lower", &[Str], |_, a| {
        ok(s(&a[0]).chars().map(go_lower).collect::<String>())
    });
    r.add("title", &[Str], |_, a| ok(title(s(&a[0]))));
    r.add("untitle", &[Str], |_, a| ok(untitle(s(&a[0]))));
    r.add("substr", &[Int, Int, Str], |_, a| {
        substr(s(&a[2]), i(&a[0]), i(&a[1])).map(Value::from)
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
        ok(wrap(s(&a[1]), i(&a[0]), "\n", false))
    });
    r.add("wrapWith", &[Int, Str, Str], |_, a| {
        ok(wrap(s(&a[2]), i(&a[0]), s(&a[1]), true))
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
    if n < 0 {
        return Err(err("strings: negative Repeat count"));
    }
    let n = n as usize;
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

/// Sprig's substr, including the runtime panics Go turns into template errors.
fn substr(s: &str, start: i64, end: i64) -> Result<String, crate::template::TplError> {
    let len = s.len() as i64;
    let oob = |m: String| Err(err(format!("runtime error: slice bounds out of range {m}")));
    let (lo, hi) = if start < 0 {
        if end < 0 || end > len {
            return oob(format!("[:{end}] with length {len}"));
        }
        (0, end)
    } else if end < 0 || end > len {
        if start > len {
            return oob(format!("[{start}:{len}]"));
        }
        (start, len)
    } else {
        if start > end {
            return oob(format!("[{start}:{end}]"));
        }
        (start, end)
    };
    Ok(bytes_str(s, lo as usize, hi as usize))
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

/// goutils.SwapCase: each rune's case flipped (Go's simple case mappings).
fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() {
                go_lower(c)
            } else if c.is_lowercase() {
                go_upper(c)
            } else {
                c
            }
        })
        .collect()
}

/// Go's unicode.ToUpper: one rune to one rune (no "ß" -> "SS").
pub fn go_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's unicode.ToLower: one rune to one rune.
pub fn go_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// huandu/xstrings ToSnakeCase / ToKebabCase: words split at case changes, numbers and connectors.
fn delimited_case(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let (mut wt, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if wt != Word::Connector {
            to_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower(&mut out, wt, word, connector);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => to_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, rest) = next_word(rest);
                if wt != Word::Alphabet {
                    to_lower(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                to_lower(&mut out, Word::Number, last, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower(&mut out, wt, word, connector);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    to_lower(&mut out, wt, word, connector);
    out
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// Unicode punctuation (category P), as Go's unicode.IsPunct, for the characters that matter here.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    matches!(c as u32, 0xA1 | 0xA7 | 0xAB | 0xB6 | 0xB7 | 0xBB | 0xBF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301F | 0xFF01..=0xFF0F)
}

/// A letter that is not a CJK ideograph (xstrings' isAlphabet).
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && !matches!(c as u32, 0x4E00..=0x9FCC | 0x3400..=0x4D85 | 0x20000..=0x2FA1F)
}

/// Splits off the next word and classifies it (xstrings' nextWord).
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return (Word::Invalid, "", "");
    };
    let mut end = first.len_utf8();
    let take_while = |end: &mut usize, f: &dyn Fn(char) -> bool| {
        for (i, c) in s[*end..].char_indices() {
            if !f(c) {
                *end += i;
                return;
            }
        }
        *end = s.len();
    };
    let wt = if is_connector(first) {
        take_while(&mut end, &is_connector);
        Word::Connector
    } else if is_punct(first) {
        take_while(&mut end, &is_punct);
        Word::Punct
    } else if first.is_uppercase() {
        if let Some(next) = s[end..].chars().next() {
            if next.is_uppercase() {
                // a run of capitals; the last one starts the next word if letters follow
                let mut prev_start = end;
                let mut stop = None;
                for (i, c) in s[end..].char_indices() {
                    if !c.is_uppercase() {
                        stop = Some((end + i, c));
                        break;
                    }
                    prev_start = end + i;
                }
                match stop {
                    Some((at, c)) => {
                        end = if is_alphabet(c) { prev_start } else { at };
                    }
                    None => end = s.len(),
                }
            } else if is_alphabet(next) {
                end += next.len_utf8();
                take_while(&mut end, &|c| is_alphabet(c) && !c.is_uppercase());
            }
        }
        Word::Upper
    } else if is_alphabet(first) {
        take_while(&mut end, &|c| is_alphabet(c) && !c.is_uppercase());
        Word::Alphabet
    } else if first.is_numeric() {
        take_while(&mut end, &|c: char| c.is_numeric());
        Word::Number
    } else {
        take_while(&mut end, &|c| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
        });
        Word::Other
    };
    (wt, &s[..end], &s[end..])
}

fn to_lower(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings ToCamelCase (as Sprig 3.3 vendors it): connectors (space, '-', '_') are dropped and
/// the next rune capitalised; a capital right after another capital is lower-cased ("HTTPServer"
/// -> "HttpServer"); leading connectors and connector runs are kept.
fn camelcase(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() && is_connector(chars[i]) {
        out.push(chars[i]);
        i += 1;
    }
    if i >= chars.len() {
        return out;
    }
    let mut orig0 = chars[i];
    let mut r0 = go_upper(chars[i]);
    i += 1;
    while i < chars.len() {
        let (r1, orig1) = (r0, orig0);
        orig0 = chars[i];
        r0 = chars[i];
        i += 1;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = go_upper(r0);
        } else {
            if orig1.is_uppercase() && r0.is_uppercase() {
                r0 = go_lower(r0);
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// goutils.WrapCustom: break at the last space within `width`; long words are split only when
/// `long_words` is set (wrapWith), else left whole (wrap).
fn wrap(s: &str, width: i64, sep: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let sep = if sep.is_empty() { "\n" } else { sep };
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
        let end = (width + offset + 1).min(len);
        match b[offset..end].iter().rposition(|c| *c == b' ') {
            Some(sp) => {
                out.extend_from_slice(&b[offset..offset + sp]);
                out.extend_from_slice(sep.as_bytes());
                offset += sp + 1;
            }
            None if long_words => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(sep.as_bytes());
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|c| *c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(i) => {
                        out.extend_from_slice(&b[offset..end + i]);
                        out.extend_from_slice(sep.as_bytes());
                        offset = end + i + 1;
                    }
                }
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
