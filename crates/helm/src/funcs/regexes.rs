//! Sprig's regex functions (Go's RE2 syntax, which the regex crate shares).

use regex::Regex;

use super::Kind::*;
use super::{FuncResult, Registry, err};
use crate::value::Value;

/// Compiled-size limit for user regexes, to bound memory and time.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Go's RE2 Perl classes (`\d \w \s \b` and negations) are ASCII-only; the regex crate's are
/// Unicode, so they are rewritten to explicit ASCII classes.
fn go_syntax(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let (outside, inside) = match n {
                    'd' => ("[0-9]", Some("0-9")),
                    'D' => ("[^0-9]", None),
                    'w' => ("[0-9A-Za-z_]", Some("0-9A-Za-z_")),
                    'W' => ("[^0-9A-Za-z_]", None),
                    's' => ("[\\t\\n\\f\\r ]", Some("\\t\\n\\f\\r ")),
                    'S' => ("[^\\t\\n\\f\\r ]", None),
                    'b' if !in_class => ("(?-u:\\b)", None),
                    'B' if !in_class => ("(?-u:\\B)", None),
                    _ => {
                        out.push('\\');
                        out.push(n);
                        continue;
                    }
                };
                match (in_class, inside) {
                    (true, Some(i)) => out.push_str(i),
                    (true, None) => {
                        out.push('\\');
                        out.push(n);
                    }
                    (false, _) => out.push_str(outside),
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // a leading ']' or '^]' is literal
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class && chars.peek() == Some(&':') => {
                // POSIX class like [:alpha:] stays as is
                out.push('[');
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

fn compile(re: &Value) -> Result<Regex, crate::template::TplError> {
    regex::RegexBuilder::new(&go_syntax(re.as_str().unwrap_or("")))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| err(format!("error parsing regexp: {e}")))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn strs(v: Vec<&str>) -> FuncResult {
    Ok(Value::from(
        v.into_iter().map(Value::str).collect::<Vec<_>>(),
    ))
}

pub fn register(r: &mut Registry) {
    // Sprig's regexMatch treats a bad pattern as no match; the must variant reports it
    r.add("regexMatch", &[Str, Str], |_, a| {
        Ok(Value::Bool(
            compile(&a[0])
                .map(|re| re.is_match(s(&a[1])))
                .unwrap_or(false),
        ))
    });
    r.add("mustRegexMatch", &[Str, Str], |_, a| {
        Ok(Value::Bool(compile(&a[0])?.is_match(s(&a[1]))))
    });
    for name in ["regexFindAll", "mustRegexFindAll"] {
        r.add(name, &[Str, Str, Int], |_, a| {
            let re = compile(&a[0])?;
            let n = match a[2] {
                Value::Int(n) => n,
                _ => -1,
            };
            let found: Vec<&str> = if n < 0 {
                re.find_iter(s(&a[1])).map(|m| m.as_str()).collect()
            } else {
                re.find_iter(s(&a[1]))
                    .take(n as usize)
                    .map(|m| m.as_str())
                    .collect()
            };
            // Go returns a nil slice when nothing matched
            if found.is_empty() {
                return Ok(Value::Nil);
            }
            strs(found)
        });
    }
    for name in ["regexFind", "mustRegexFind"] {
        r.add(name, &[Str, Str], |_, a| {
            Ok(Value::str(
                compile(&a[0])?.find(s(&a[1])).map_or("", |m| m.as_str()),
            ))
        });
    }
    for name in ["regexReplaceAll", "mustRegexReplaceAll"] {
        r.add(name, &[Str, Str, Str], |_, a| {
            Ok(Value::from(
                compile(&a[0])?.replace_all(s(&a[1]), s(&a[2])).into_owned(),
            ))
        });
    }
    for name in ["regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"] {
        r.add(name, &[Str, Str, Str], |_, a| {
            Ok(Value::from(
                compile(&a[0])?
                    .replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
                    .into_owned(),
            ))
        });
    }
    for name in ["regexSplit", "mustRegexSplit"] {
        r.add(name, &[Str, Str, Int], |_, a| {
            let re = compile(&a[0])?;
            let n = match a[2] {
                Value::Int(n) => n,
                _ => -1,
            };
            match go_split(&re, s(&a[1]), n) {
                Some(parts) => strs(parts),
                None => Ok(Value::Nil),
            }
        });
    }
    r.add("regexQuoteMeta", &[Str], |_, a| {
        let mut o = String::new();
        for c in s(&a[0]).chars() {
            if "\\.+*?()|[]{}^$".contains(c) {
                o.push('\\');
            }
            o.push(c);
        }
        Ok(Value::from(o))
    });
}

/// Go's Regexp.Split: n == 0 gives nil; empty matches at the start do not split.
fn go_split<'a>(re: &Regex, text: &'a str, n: i64) -> Option<Vec<&'a str>> {
    if n == 0 {
        return None;
    }
    if !re.as_str().is_empty() && text.is_empty() {
        return Some(vec![""]);
    }
    let matches: Vec<(usize, usize)> = if n < 0 {
        re.find_iter(text).map(|m| (m.start(), m.end())).collect()
    } else {
        re.find_iter(text)
            .take(n as usize)
            .map(|m| (m.start(), m.end()))
            .collect()
    };
    let mut out = Vec::with_capacity(matches.len() + 1);
    let (mut beg, mut end) = (0usize, 0usize);
    for (ms, me) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(&text[beg..end]);
        }
        beg = me;
    }
    if end != text.len() {
        out.push(&text[beg..]);
    }
    Some(out)
}
