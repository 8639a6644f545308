//! The function set Helm registers: Go's template builtins, Sprig and Helm's own.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::template::{Exec, TplError};
use crate::value::{Object, Value};

pub mod builtins;
pub mod collections;
pub mod dates;
pub mod encoding;
pub mod gofmt;
pub mod helm;
pub mod math;
pub mod misc;
pub mod objects;
pub mod random;
pub mod regexes;
pub mod semver;
pub mod strings;

/// Go parameter types that matter for argument conversion and checking.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Any,
    Str,
    Int,
    Float,
    Bool,
    List,
    Map,
}

impl Kind {
    pub fn go_name(self) -> &'static str {
        match self {
            Kind::Any => "interface {}",
            Kind::Str => "string",
            Kind::Int => "int",
            Kind::Float => "float64",
            Kind::Bool => "bool",
            Kind::List => "[]interface {}",
            Kind::Map => "map[string]interface {}",
        }
    }
}

pub type FuncResult = Result<Value, TplError>;
pub type Func = fn(&mut Exec, &[Value]) -> FuncResult;

pub struct FuncDef {
    pub params: &'static [Kind],
    pub variadic: Option<Kind>,
    pub f: Func,
}

pub type FuncMap = HashMap<&'static str, FuncDef>;

/// Registers functions into a map.
pub struct Registry<'a>(pub &'a mut FuncMap);

impl Registry<'_> {
    pub fn add(&mut self, name: &'static str, params: &'static [Kind], f: Func) {
        self.0.insert(
            name,
            FuncDef {
                params,
                variadic: None,
                f,
            },
        );
    }
    pub fn var(&mut self, name: &'static str, params: &'static [Kind], rest: Kind, f: Func) {
        self.0.insert(
            name,
            FuncDef {
                params,
                variadic: Some(rest),
                f,
            },
        );
    }
}

/// The full function map, built once.
pub fn func_map() -> &'static FuncMap {
    static MAP: OnceLock<FuncMap> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = FuncMap::new();
        let mut r = Registry(&mut m);
        builtins::register(&mut r);
        strings::register(&mut r);
        collections::register(&mut r);
        math::register(&mut r);
        misc::register(&mut r);
        encoding::register(&mut r);
        regexes::register(&mut r);
        random::register(&mut r);
        semver::register(&mut r);
        dates::register(&mut r);
        helm::register(&mut r);
        m
    })
}

pub fn err(msg: impl Into<String>) -> TplError {
    TplError::plain(msg)
}

/// Sprig's `strval`: strings as is, everything else as `%v`.
pub fn to_string(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Object(o) => match &**o {
            Object::Time(t) => t.go_string(),
            _ => v.to_go_string(),
        },
        _ => v.to_go_string(),
    }
}

/// spf13/cast ToInt64: numbers truncate, strings parse (base prefixes allowed), bad input is 0.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        // Go's conversion on amd64: out-of-range and NaN become the minimum int64
        Value::Float(f) if *f >= i64::MIN as f64 && *f < -(i64::MIN as f64) => *f as i64,
        Value::Float(_) => i64::MIN,
        Value::Bool(b) => i64::from(*b),
        // cast (as Sprig 3.3 vendors it): decimal-looking strings as truncated floats, else integers
        // in any base
        Value::Str(s) => {
            let t = s.trim();
            let hex = t.trim_start_matches(['+', '-']).starts_with("0x");
            if !hex && t.contains(['.', 'e', 'E']) {
                t.parse::<f64>()
                    .map(|f| to_i64(&Value::Float(f)))
                    .unwrap_or(0)
            } else {
                parse_go_int(t).unwrap_or(0)
            }
        }
        _ => 0,
    }
}

/// strconv.ParseInt(s, 0, 64): accepts 0x, 0o, 0b and leading-0 octal and underscores.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(h) = lower.strip_prefix("0x") {
        (16, h.to_string())
    } else if let Some(o) = lower.strip_prefix("0o") {
        (8, o.to_string())
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    let digits = if radix != 10 {
        digits.replace('_', "")
    } else {
        digits
    };
    if digits.is_empty() {
        return None;
    }
    let v = i128::from_str_radix(&digits, radix).ok()?;
    let v = if neg { -v } else { v };
    i64::try_from(v).ok()
}

/// spf13/cast ToFloat64.
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.trim().parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `empty`: the zero value of its type.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.borrow().is_empty(),
        Value::Object(_) => false,
    }
}

/// Go's reflect Kind name, as sprig's kindOf prints it.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) => match &**o {
            Object::ApiVersions(_) => "slice",
            Object::Files(_) => "map",
            _ => "struct",
        },
    }
}

/// Arguments as a list: sprig functions that take `interface{}` and accept slices.
pub fn list_of(v: &Value, fname: &str) -> Result<Vec<Value>, TplError> {
    match v {
        Value::List(l) => Ok(l.to_vec()),
        Value::Object(o) => match &**o {
            Object::ApiVersions(a) => Ok(a.iter().map(|s| Value::str(s.as_str())).collect()),
            _ => Err(err(format!(
                "Cannot find {fname} on type {}",
                v.type_name()
            ))),
        },
        _ => Err(err(format!("Cannot find {fname} on type {}", kind_of(v)))),
    }
}
