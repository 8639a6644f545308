//! The dynamic values templates work on, modelled on what Go's `interface{}` holds in Helm:
//! numbers from YAML/JSON are float64, numbers from template literals and most functions are int64.
//! Maps are shared and mutable, as Go maps are (`set` on a dict is seen by every holder of it).

use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::files::Files;

pub type Map = BTreeMap<String, Value>;

#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's untyped nil inside an `interface{}`.
    #[default]
    Nil,
    Bool(bool),
    /// Go's `int` (template literals, len, most results).
    Int(i64),
    /// Go's `int64` (Sprig arithmetic, --set numbers).
    Int64(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(Rc<RefCell<Map>>),
    Object(Rc<Object>),
}

/// Values that are Go structs with methods rather than plain data.
#[derive(Debug)]
pub enum Object {
    Files(Files),
    /// `.Capabilities.APIVersions`: a list of "group/version" and "group/version/Kind" strings.
    ApiVersions(Vec<String>),
    /// A struct with named fields; `display` is what its String() method prints, if it has one.
    Struct {
        type_name: &'static str,
        fields: Map,
        display: Option<String>,
    },
    Time(crate::funcs::dates::GoTime),
    Semver(crate::funcs::semver::Version),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => Rc::ptr_eq(a, b) || *a.borrow() == *b.borrow(),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(Rc::from(s))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(Rc::from(s))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(Rc::new(v))
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(Rc::new(RefCell::new(m)))
    }
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn empty_map() -> Value {
        Value::Map(Rc::new(RefCell::new(Map::new())))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<Ref<'_, Map>> {
        match self {
            Value::Map(m) => Some(m.borrow()),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Go's type name as `%T` and error messages print it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
            Value::Object(o) => match &**o {
                Object::Files(_) => "engine.files",
                Object::ApiVersions(_) => "common.VersionSet",
                Object::Struct { type_name, .. } => type_name,
                Object::Time(_) => "time.Time",
                Object::Semver(_) => "*semver.Version",
            },
        }
    }

    /// Go template truth: false, 0, nil, empty string/list/map are false; structs are true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(o) => match &**o {
                Object::ApiVersions(v) => !v.is_empty(),
                _ => true,
            },
        }
    }

    /// Go's `fmt.Sprint(v)` (the `%v` verb).
    pub fn to_go_string(&self) -> String {
        let mut out = String::new();
        write_go(&mut out, self);
        out
    }
}

/// Nesting depth past which printing stops (maps can be made to contain themselves).
const MAX_PRINT_DEPTH: usize = 200;

/// Writes `v` as Go's `%v` does.
pub fn write_go(out: &mut String, v: &Value) {
    write_go_depth(out, v, 0)
}

fn write_go_depth(out: &mut String, v: &Value, depth: usize) {
    if depth > MAX_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::Str(s) => out.push_str(s),
        Value::List(l) => {
            out.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go_depth(out, e, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, e)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go_depth(out, e, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) => match &**o {
            Object::Files(f) => {
                out.push_str("map[");
                for (i, (k, data)) in f.entries().iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push_str(":[");
                    for (j, b) in data.iter().enumerate() {
                        if j > 0 {
                            out.push(' ');
                        }
                        let _ = write!(out, "{b}");
                    }
                    out.push(']');
                }
                out.push(']');
            }
            Object::ApiVersions(v) => {
                out.push('[');
                out.push_str(&v.join(" "));
                out.push(']');
            }
            Object::Struct {
                fields, display, ..
            } => {
                if let Some(d) = display {
                    out.push_str(d);
                } else {
                    out.push('{');
                    for (i, e) in fields.values().enumerate() {
                        if i > 0 {
                            out.push(' ');
                        }
                        write_go_depth(out, e, depth + 1);
                    }
                    out.push('}');
                }
            }
            Object::Time(t) => out.push_str(&t.go_string()),
            Object::Semver(v) => out.push_str(&v.to_canonical()),
        },
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent form when the
/// decimal exponent is < -4 or >= 6 (Go decides with precision 6 when printing shortest).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, exp) = shortest_digits(f);
    // exp is the decimal exponent of the first digit (d.ddd x 10^exp)
    if !(-4..6).contains(&exp) {
        let mut s = String::new();
        if neg {
            s.push('-');
        }
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            s.push('0');
        }
        let _ = write!(s, "{e}");
        return s;
    }
    fixed_from_digits(neg, &digits, exp, None)
}

/// Shortest round-trip decimal digits of |f| and the exponent of the first digit.
pub fn shortest_digits(f: f64) -> (bool, String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (f.is_sign_negative(), digits, exp)
}

/// Renders digits d1d2d3... x 10^exp in plain decimal, optionally with a fixed number of fraction digits.
pub fn fixed_from_digits(neg: bool, digits: &str, exp: i32, frac: Option<usize>) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    let point = exp + 1; // digits before the decimal point
    let mut int_part = String::new();
    let mut frac_part = String::new();
    if point <= 0 {
        int_part.push('0');
        for _ in 0..(-point) {
            frac_part.push('0');
        }
        frac_part.push_str(digits);
    } else {
        let p = point as usize;
        if digits.len() <= p {
            int_part.push_str(digits);
            for _ in digits.len()..p {
                int_part.push('0');
            }
        } else {
            int_part.push_str(&digits[..p]);
            frac_part.push_str(&digits[p..]);
        }
    }
    s.push_str(&int_part);
    match frac {
        None => {
            if !frac_part.is_empty() {
                s.push('.');
                s.push_str(&frac_part);
            }
        }
        Some(n) => {
            if n > 0 {
                s.push('.');
                let mut fp = frac_part;
                fp.truncate(n);
                while fp.len() < n {
                    fp.push('0');
                }
                s.push_str(&fp);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(format_float_g(1_000_000.0), "1e+06");
        assert_eq!(format_float_g(100_000.0), "100000");
        assert_eq!(format_float_g(1.5), "1.5");
        assert_eq!(format_float_g(123_456_789.0), "1.23456789e+08");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(1e21), "1e+21");
        assert_eq!(format_float_g(-2.0), "-2");
        assert_eq!(format_float_g(0.1), "0.1");
    }
}
