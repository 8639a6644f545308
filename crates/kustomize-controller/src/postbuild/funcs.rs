//! The string functions of Flux's envsubst (`${v,,}`, `${v:1:2}`, `${v//a/b}`, `${v%.*}`, ...),
//! working on bytes as Go strings do.

/// Apply the operator `name` to the value `s` with its evaluated arguments.
pub fn apply(name: &[u8], s: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    match name {
        b"," => map_first(s, |c| c.to_lowercase().collect()),
        b",," => lossy(s).to_lowercase().into_bytes(),
        b"^" => map_first(s, |c| c.to_uppercase().collect()),
        b"^^" => lossy(s).to_uppercase().into_bytes(),
        b"#" if args.is_empty() => s.len().to_string().into_bytes(),
        b"#" => trim_prefix(s, args, false),
        b"##" => trim_prefix(s, args, true),
        b"%" => trim_suffix(s, args, false),
        b"%%" => trim_suffix(s, args, true),
        b":" => substr(s, args),
        b"/#" => replace_prefix(s, args),
        b"/%" => replace_suffix(s, args),
        b"/" => replace(s, args, Some(1)),
        b"//" => replace(s, args, None),
        _ => to_default(s, args),
    }
}

fn lossy(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

fn map_first(s: &[u8], f: impl Fn(char) -> String) -> Vec<u8> {
    let text = lossy(s);
    let mut chars = text.chars();
    match chars.next() {
        None => Vec::new(),
        Some(c) => {
            let mut out = f(c);
            out.push_str(chars.as_str());
            out.into_bytes()
        }
    }
}

/// The value, or the concatenated arguments when the value is empty.
fn to_default(s: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    if s.is_empty() && !args.is_empty() {
        return args.concat();
    }
    s.to_vec()
}

/// Go's `strconv.Atoi`: optional sign, decimal digits, nothing else.
fn atoi(arg: &[u8]) -> Option<i64> {
    std::str::from_utf8(arg).ok()?.parse::<i64>().ok()
}

fn substr(s: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    let Some(first) = args.first() else {
        return s.to_vec();
    };
    let Some(mut pos) = atoi(first) else {
        return s.to_vec();
    };
    let len = s.len() as i64;
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let Some(second) = args.get(1) else {
        return if pos < len {
            s[pos as usize..].to_vec()
        } else {
            Vec::new()
        };
    };
    let Some(length) = atoi(second) else {
        return s.to_vec();
    };
    let end = pos.saturating_add(length);
    if end >= len {
        return if pos < len {
            s[pos as usize..].to_vec()
        } else {
            Vec::new()
        };
    }
    // Go panics on a negative length; an empty result is the safe reading.
    if end < pos {
        return Vec::new();
    }
    s[pos as usize..end as usize].to_vec()
}

fn replace(s: &[u8], args: &[Vec<u8>], count: Option<usize>) -> Vec<u8> {
    let (from, to) = match args {
        [] => return s.to_vec(),
        [from] => (lossy(from), String::new()),
        [from, to, ..] => (lossy(from), lossy(to)),
    };
    let text = lossy(s);
    match count {
        Some(n) => text.replacen(&from, &to, n).into_bytes(),
        None => text.replace(&from, &to).into_bytes(),
    }
}

fn replace_prefix(s: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    let [from, to] = args else {
        return s.to_vec();
    };
    if s.starts_with(from) {
        let mut out = to.clone();
        out.extend_from_slice(&s[from.len()..]);
        return out;
    }
    s.to_vec()
}

fn replace_suffix(s: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    let [from, to] = args else {
        return s.to_vec();
    };
    if s.ends_with(from) {
        let mut out = s[..s.len() - from.len()].to_vec();
        out.extend_from_slice(to);
        return out;
    }
    s.to_vec()
}

fn reverse(s: &[u8]) -> Vec<u8> {
    lossy(s).chars().rev().collect::<String>().into_bytes()
}

fn trim_prefix(s: &[u8], args: &[Vec<u8>], longest: bool) -> Vec<u8> {
    match args.first() {
        Some(pattern) if longest => trim_longest(s, pattern),
        Some(pattern) => trim_shortest(s, pattern),
        None => s.to_vec(),
    }
}

fn trim_suffix(s: &[u8], args: &[Vec<u8>], longest: bool) -> Vec<u8> {
    let Some(pattern) = args.first() else {
        return s.to_vec();
    };
    let (r, rp) = (reverse(s), reverse(pattern));
    let trimmed = if longest {
        trim_longest(&r, &rp)
    } else {
        trim_shortest(&r, &rp)
    };
    reverse(&trimmed)
}

fn trim_shortest(s: &[u8], pattern: &[u8]) -> Vec<u8> {
    let mut shortest: Option<usize> = None;
    for i in 0..s.len() {
        let prefix = &s[..s.len() - i];
        match glob_match(pattern, prefix) {
            Err(()) => return s.to_vec(),
            Ok(true) => shortest = Some(prefix.len()),
            Ok(false) => {}
        }
    }
    match shortest {
        Some(n) if n > 0 => s[n..].to_vec(),
        _ => s.to_vec(),
    }
}

fn trim_longest(s: &[u8], pattern: &[u8]) -> Vec<u8> {
    for i in 0..s.len() {
        let prefix = &s[..s.len() - i];
        match glob_match(pattern, prefix) {
            Err(()) => return s.to_vec(),
            Ok(true) => return s[prefix.len()..].to_vec(),
            Ok(false) => {}
        }
    }
    s.to_vec()
}

/// Flux's copy of Go's `path.Match`, where a trailing `*` matches the rest including `/`.
/// `Err` is a malformed pattern.
pub fn glob_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, ()> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(true);
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if err {
            return Err(());
        }
        if star {
            for i in 0..name.len() {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                if err {
                    return Err(());
                }
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Whether `chunk` matches the start of `s`: (rest of s, matched, malformed pattern).
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, bool) {
    while !chunk.is_empty() {
        if s.is_empty() {
            return (s, false, false);
        }
        match chunk[0] {
            b'[' => {
                let (r, n) = decode(s);
                s = &s[n..];
                chunk = &chunk[1..];
                let mut not_negated = true;
                if chunk.first() == Some(&b'^') {
                    not_negated = false;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let Some((lo, rest)) = get_esc(chunk) else {
                        return (s, false, true);
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let Some((h, rest)) = get_esc(&chunk[1..]) else {
                            return (s, false, true);
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched != not_negated {
                    return (s, false, false);
                }
            }
            b'?' => {
                let (_, n) = decode(s);
                s = &s[n..];
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == b'\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(&escaped) => escaped,
                        None => return (s, false, true),
                    }
                } else {
                    c
                };
                if c != s[0] {
                    return (s, false, false);
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
        }
    }
    (s, true, false)
}

fn decode(s: &[u8]) -> (char, usize) {
    let len = match s[0] {
        0x00..=0x7F => return (s[0] as char, 1),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    match s
        .get(..len)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| t.chars().next())
    {
        Some(c) => (c, len),
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// A possibly escaped character of a class; None when the pattern is malformed.
fn get_esc(mut chunk: &[u8]) -> Option<(char, &[u8])> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return None;
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return None;
        }
    }
    let (r, n) = decode(chunk);
    if r == char::REPLACEMENT_CHARACTER && n == 1 {
        return None;
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_flux() {
        assert_eq!(glob_match(b"*.txt", b"a.txt"), Ok(true));
        assert_eq!(glob_match(b"*", b"a/b"), Ok(true));
        assert_eq!(glob_match(b"a?c", b"abc"), Ok(true));
        assert_eq!(glob_match(b"[a-c]x", b"bx"), Ok(true));
        assert_eq!(glob_match(b"[^a-c]x", b"bx"), Ok(false));
        assert_eq!(glob_match(b"\\*", b"*"), Ok(true));
        assert_eq!(glob_match(b"[", b"a"), Err(()));
        assert_eq!(glob_match(b"abc", b"ab"), Ok(false));
    }

    #[test]
    fn substrings_follow_gos_arithmetic() {
        let a = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(substr(b"value", &a(&["-2"])), b"ue");
        assert_eq!(substr(b"value", &a(&["-10"])), b"value");
        assert_eq!(substr(b"value", &a(&["9"])), b"");
        assert_eq!(substr(b"value", &a(&["1", "100"])), b"alue");
        assert_eq!(substr(b"value", &a(&["x"])), b"value");
        assert_eq!(substr(b"value", &a(&["2", "-1"])), b"");
    }

    #[test]
    fn malformed_patterns_leave_the_value_alone() {
        assert_eq!(trim_shortest(b"abc", b"["), b"abc");
        assert_eq!(trim_longest(b"abc", b"a\\"), b"abc");
    }
}
