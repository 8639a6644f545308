//! Go's fmt.Sprint, Sprintln and Sprintf for template values.

use crate::value::{Value, format_float_g, shortest_digits};

/// fmt.Sprint: operands separated by a space when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::Str(_)) && !matches!(args[i - 1], Value::Str(_)) {
            out.push(' ');
        }
        out.push_str(&a.to_go_string());
    }
    out
}

/// fmt.Sprintln: always spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let parts: Vec<String> = args.iter().map(|a| a.to_go_string()).collect();
    let mut s = parts.join(" ");
    s.push('\n');
    s
}

pub fn go_quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            '\x07' => o.push_str("\\a"),
            '\x08' => o.push_str("\\b"),
            '\x0c' => o.push_str("\\f"),
            '\x0b' => o.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(s: String, spec: &Spec, numeric: bool) -> String {
    let Some(w) = spec.width else { return s };
    let len = s.chars().count();
    if len >= w {
        return s;
    }
    let n = w - len;
    if spec.minus {
        format!("{s}{}", " ".repeat(n))
    } else if spec.zero && numeric {
        let (sign, rest) = if s.starts_with(['-', '+']) {
            s.split_at(1)
        } else {
            ("", s.as_str())
        };
        format!("{sign}{}{rest}", "0".repeat(n))
    } else {
        format!("{}{s}", " ".repeat(n))
    }
}

fn bad_verb(verb: char, v: &Value) -> String {
    match v {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", v.type_name(), v.to_go_string()),
    }
}

fn fmt_float(f: f64, verb: char, prec: Option<usize>) -> String {
    match verb {
        'f' | 'F' => format!("{:.*}", prec.unwrap_or(6), f),
        'e' | 'E' => {
            let s = format!("{:.*e}", prec.unwrap_or(6), f);
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            let ev: i32 = e.parse().unwrap_or(0);
            let r = format!(
                "{m}e{}{:02}",
                if ev < 0 { '-' } else { '+' },
                ev.unsigned_abs()
            );
            if verb == 'E' { r.to_uppercase() } else { r }
        }
        'G' => fmt_float(f, 'g', prec).to_uppercase(),
        _ => match prec {
            None => format_float_g(f),
            Some(p) => {
                let p = p.max(1);
                let s = format!("{:.*e}", p - 1, f);
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let ev: i32 = e.parse().unwrap_or(0);
                if ev < -4 || ev >= p as i32 {
                    let m = if m.contains('.') {
                        m.trim_end_matches('0').trim_end_matches('.')
                    } else {
                        m
                    };
                    format!(
                        "{m}e{}{:02}",
                        if ev < 0 { '-' } else { '+' },
                        ev.unsigned_abs()
                    )
                } else {
                    let s = format!("{:.*}", (p as i32 - 1 - ev).max(0) as usize, f);
                    if s.contains('.') {
                        s.trim_end_matches('0').trim_end_matches('.').to_string()
                    } else {
                        s
                    }
                }
            }
        },
    }
}

fn fmt_one(verb: char, spec: &Spec, v: &Value) -> String {
    if let Value::Int64(i) = v
        && "dxXoObcqU".contains(verb)
    {
        return fmt_one(verb, spec, &Value::Int(*i));
    }
    // Go applies the verb to each element of a slice or map
    if verb != 'v' && verb != 'T' {
        match v {
            Value::List(l) => {
                let parts: Vec<String> = l.iter().map(|e| fmt_one(verb, spec, e)).collect();
                return format!("[{}]", parts.join(" "));
            }
            Value::Map(m) => {
                let parts: Vec<String> = m
                    .borrow()
                    .iter()
                    .map(|(k, e)| {
                        format!(
                            "{}:{}",
                            fmt_one(verb, spec, &Value::str(k.as_str())),
                            fmt_one(verb, spec, e)
                        )
                    })
                    .collect();
                return format!("map[{}]", parts.join(" "));
            }
            _ => {}
        }
    }
    let numeric = matches!(v, Value::Int(_) | Value::Int64(_) | Value::Float(_));
    let s = match (verb, v) {
        ('v', _) => {
            if let (Value::Float(f), true) = (v, spec.plus) {
                format!("+{}", format_float_g(*f)).replace("+-", "-")
            } else {
                v.to_go_string()
            }
        }
        ('s', Value::Str(s)) => match spec.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        },
        ('q', Value::Str(s)) => go_quote(s),
        ('q', Value::Int(i)) => match char::from_u32(*i as u32) {
            Some(c) => format!("'{c}'"),
            None => bad_verb(verb, v),
        },
        ('d', Value::Int(i)) => {
            if spec.plus && *i >= 0 {
                format!("+{i}")
            } else if spec.space && *i >= 0 {
                format!(" {i}")
            } else {
                i.to_string()
            }
        }
        ('d', Value::List(l)) => {
            let parts: Vec<String> = l
                .iter()
                .map(|e| {
                    fmt_one(
                        'd',
                        &Spec {
                            width: None,
                            ..*spec
                        },
                        e,
                    )
                })
                .collect();
            format!("[{}]", parts.join(" "))
        }
        ('x', Value::Int(i)) => {
            let s = if *i < 0 {
                format!("-{:x}", i.unsigned_abs())
            } else {
                format!("{i:x}")
            };
            if spec.sharp { format!("0x{s}") } else { s }
        }
        ('X', Value::Int(i)) => {
            let s = if *i < 0 {
                format!("-{:X}", i.unsigned_abs())
            } else {
                format!("{i:X}")
            };
            if spec.sharp { format!("0X{s}") } else { s }
        }
        ('x', Value::Str(s)) => hex::encode(s.as_bytes()),
        ('X', Value::Str(s)) => hex::encode_upper(s.as_bytes()),
        ('o', Value::Int(i)) => signed(*i, |u| format!("{u:o}")),
        ('O', Value::Int(i)) => signed(*i, |u| format!("0o{u:o}")),
        ('b', Value::Int(i)) => signed(*i, |u| format!("{u:b}")),
        ('c', Value::Int(i)) => char::from_u32(*i as u32)
            .map(String::from)
            .unwrap_or_default(),
        ('U', Value::Int(i)) => format!("U+{:04X}", i),
        ('t', Value::Bool(b)) => b.to_string(),
        ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Value::Float(f)) => {
            let s = fmt_float(*f, verb, spec.prec);
            if spec.plus && *f >= 0.0 {
                format!("+{s}")
            } else {
                s
            }
        }
        ('T', _) => v.type_name().to_string(),
        _ => bad_verb(verb, v),
    };
    pad(s, spec, numeric)
}

/// Go prints negative numbers in any base as a sign and a magnitude.
fn signed(i: i64, f: impl Fn(u64) -> String) -> String {
    if i < 0 {
        format!("-{}", f(i.unsigned_abs()))
    } else {
        f(i as u64)
    }
}

/// fmt.Sprintf with the verbs templates use.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut argi = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec {
            minus: false,
            plus: false,
            zero: false,
            space: false,
            sharp: false,
            width: None,
            prec: None,
        };
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        let num =
            |chars: &mut std::iter::Peekable<std::str::Chars>, argi: &mut usize| -> Option<usize> {
                if chars.peek() == Some(&'*') {
                    chars.next();
                    let v = args.get(*argi).map(super::to_i64);
                    *argi += 1;
                    return v.map(|v| v.max(0) as usize);
                }
                let mut n = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() {
                        n.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                n.parse().ok()
            };
        spec.width = num(&mut chars, &mut argi);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.prec = Some(num(&mut chars, &mut argi).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(argi) {
            Some(v) => out.push_str(&fmt_one(verb, &spec, v)),
            None => out.push_str(&format!("%!{verb}(MISSING)")),
        }
        argi += 1;
    }
    if argi < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|a| match a {
                Value::Nil => "<nil>".to_string(),
                _ => format!("{}={}", a.type_name(), a.to_go_string()),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

/// Digits helper re-exported for %e users elsewhere.
pub fn digits(f: f64) -> (bool, String, i32) {
    shortest_digits(f)
}
