//! Sprig's regex functions (Go's RE2 syntax, which the regex crate shares).

use regex::Regex;

use super::Kind::*;
use super::{FuncResult, Registry, err};
use crate::value::Value;

/// Compiled-size limit for user regexes, to bound memory and time.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

fn compile(re: &Value) -> Result<Regex, crate::template::TplError> {
    regex::RegexBuilder::new(re.as_str().unwrap_or(""))
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
    for name in ["regexMatch", "mustRegexMatch"] {
        r.add(name, &[Str, Str], |_, a| {
            Ok(Value::Bool(compile(&a[0])?.is_match(s(&a[1]))))
        });
    }
    for name in ["regexFindAll", "mustRegexFindAll"] {
        r.add(name, &[Str, Str, Int], |_, a| {
            let re = compile(&a[0])?;
            let n = match a[2] {
                Value::Int(n) => n,
                _ => -1,
            };
            let it = re.find_iter(s(&a[1])).map(|m| m.as_str());
            if n < 0 {
                strs(it.collect())
            } else {
                strs(it.take(n as usize).collect())
            }
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
            if n == 0 {
                return strs(Vec::new());
            }
            if n < 0 {
                strs(re.split(s(&a[1])).collect())
            } else {
                strs(re.splitn(s(&a[1]), n as usize).collect())
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
