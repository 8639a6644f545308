//! Methods of the Go objects templates reach through fields: .Files, .Capabilities ...

use std::rc::Rc;

use super::{FuncResult, err};
use crate::value::{Object, Value};

/// Calls method (or reads field) `name` on `o`; None when it has no such member.
pub fn call_method(o: &Rc<Object>, name: &str, args: &[Value]) -> Option<FuncResult> {
    let arg_str = |i: usize| -> Result<String, crate::template::TplError> {
        match args.get(i) {
            Some(Value::Str(s)) => Ok(s.to_string()),
            Some(other) => Err(err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            ))),
            None => Err(err(format!(
                "wrong number of args for {name}: want 1 got 0"
            ))),
        }
    };
    match &**o {
        Object::Files(f) => Some(match name {
            "Get" => arg_str(0).map(|p| Value::from(f.get(&p))),
            "GetBytes" => arg_str(0).map(|p| {
                Value::from(
                    f.entries()
                        .get(&p)
                        .map(|d| d.iter().map(|b| Value::Int(*b as i64)).collect::<Vec<_>>())
                        .unwrap_or_default(),
                )
            }),
            "Glob" => arg_str(0).map(|p| Value::Object(Rc::new(Object::Files(f.glob(&p))))),
            "Lines" => arg_str(0)
                .map(|p| Value::from(f.lines(&p).into_iter().map(Value::from).collect::<Vec<_>>())),
            "AsConfig" => crate::yaml::to_yaml(&f.as_map(false))
                .map(|s| Value::from(s.strip_suffix('\n').unwrap_or(&s).to_string()))
                .map_err(err),
            "AsSecrets" => crate::yaml::to_yaml(&f.as_map(true))
                .map(|s| Value::from(s.strip_suffix('\n').unwrap_or(&s).to_string()))
                .map_err(err),
            _ => return None,
        }),
        Object::ApiVersions(v) => match name {
            "Has" => Some(arg_str(0).map(|p| Value::Bool(v.contains(&p)))),
            _ => None,
        },
        Object::Struct {
            fields, display, ..
        } => {
            if let Some(v) = fields.get(name) {
                return Some(Ok(v.clone()));
            }
            match (name, display) {
                ("String", Some(d)) => Some(Ok(Value::from(d.clone()))),
                ("GitVersion", _) => fields.get("Version").cloned().map(Ok),
                _ => None,
            }
        }
        Object::Semver(v) => super::semver::method(v, name, args),
        Object::Time(t) => Some(match name {
            "Unix" => Ok(Value::Int(t.dt.timestamp())),
            "Year" => Ok(Value::Int(chrono::Datelike::year(&t.dt) as i64)),
            "Format" => arg_str(0).map(|l| Value::from(super::dates::format_layout(t, &l))),
            "String" => Ok(Value::from(t.go_string())),
            _ => return None,
        }),
    }
}
