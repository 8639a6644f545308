//! Helm's own functions: include, tpl, required, fail, lookup and the YAML/JSON/TOML codecs.

use std::collections::HashMap;
use std::rc::Rc;

use super::Kind::*;
use super::{FuncResult, Registry, err};
use crate::template::parse::parse;
use crate::template::{Exec, TplError};
use crate::value::{Map, Value};
use crate::yaml;

/// Helm's limit on nested includes of the same template name.
const RECURSION_MAX: usize = 1000;

fn ok(s: impl Into<String>) -> FuncResult {
    Ok(Value::from(s.into()))
}

pub fn register(r: &mut Registry) {
    r.add("include", &[Str, Any], include);
    r.add("tpl", &[Str, Any], tpl);
    r.add("required", &[Str, Any], |_, a| match &a[1] {
        Value::Nil => Err(TplError::warn(a[0].as_str().unwrap_or(""))),
        Value::Str(s) if s.is_empty() => Err(TplError::warn(a[0].as_str().unwrap_or(""))),
        v => Ok(v.clone()),
    });
    r.add("fail", &[Str], |_, a| {
        Err(TplError::warn(a[0].as_str().unwrap_or("")))
    });
    r.add("lookup", &[Str, Str, Str, Str], |_, _| {
        Ok(Value::empty_map())
    });
    r.add("toYaml", &[Any], |_, a| {
        ok(yaml::to_yaml(&a[0]).map(trim_nl).unwrap_or_default())
    });
    r.add("mustToYaml", &[Any], |_, a| {
        yaml::to_yaml(&a[0])
            .map(trim_nl)
            .map(Value::from)
            .map_err(err)
    });
    r.add("toYamlPretty", &[Any], |_, a| {
        ok(yaml::to_yaml_pretty(&a[0]).map(trim_nl).unwrap_or_default())
    });
    r.add("fromYaml", &[Str], |_, a| {
        Ok(from_yaml(a[0].as_str().unwrap_or("")))
    });
    r.add("fromYamlArray", &[Str], |_, a| {
        Ok(from_yaml_array(a[0].as_str().unwrap_or("")))
    });
    r.add("toJson", &[Any], |_, a| {
        ok(yaml::to_json_string(&a[0], true, None).unwrap_or_default())
    });
    r.add("mustToJson", &[Any], |_, a| {
        yaml::to_json_string(&a[0], true, None)
            .map(Value::from)
            .map_err(err)
    });
    r.add("toPrettyJson", &[Any], |_, a| {
        ok(yaml::to_json_string(&a[0], true, Some("  ")).unwrap_or_default())
    });
    r.add("mustToPrettyJson", &[Any], |_, a| {
        yaml::to_json_string(&a[0], true, Some("  "))
            .map(Value::from)
            .map_err(err)
    });
    r.add("toRawJson", &[Any], |_, a| {
        ok(yaml::to_json_string(&a[0], false, None).unwrap_or_default())
    });
    r.add("mustToRawJson", &[Any], |_, a| {
        yaml::to_json_string(&a[0], false, None)
            .map(Value::from)
            .map_err(err)
    });
    r.add("fromJson", &[Str], |_, a| {
        let mut m = Map::new();
        match yaml::parse_json(a[0].as_str().unwrap_or("")) {
            Ok(Value::Map(v)) => return Ok(Value::Map(v)),
            Ok(Value::Nil) => {}
            Ok(other) => {
                m.insert(
                    "Error".into(),
                    Value::from(format!(
                        "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        json_kind(&other)
                    )),
                );
            }
            Err(e) => {
                m.insert("Error".into(), Value::from(e));
            }
        }
        Ok(Value::from(m))
    });
    r.add("mustFromJson", &[Str], |_, a| {
        yaml::parse_json(a[0].as_str().unwrap_or("")).map_err(err)
    });
    r.add("fromJsonArray", &[Str], |_, a| {
        match yaml::parse_json(a[0].as_str().unwrap_or("")) {
            Ok(Value::List(l)) => Ok(Value::List(l)),
            Ok(Value::Nil) => Ok(Value::from(Vec::new())),
            Ok(other) => Ok(Value::from(vec![Value::from(format!(
                "json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))])),
            Err(e) => Ok(Value::from(vec![Value::from(e)])),
        }
    });
    r.add("toToml", &[Any], |_, a| {
        ok(crate::toml::to_toml(&a[0]).unwrap_or_else(|e| e))
    });
    r.add("mustToToml", &[Any], |_, a| {
        crate::toml::to_toml(&a[0]).map(Value::from).map_err(err)
    });
    r.add("fromToml", &[Str], |_, _| {
        Err(err("fromToml is not supported by this engine"))
    });
}

fn trim_nl(s: String) -> String {
    match s.strip_suffix('\n') {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Str(_) => "string",
        Value::Float(_) | Value::Int(_) => "number",
        Value::Bool(_) => "bool",
        _ => "object",
    }
}

fn from_yaml(s: &str) -> Value {
    let mut m = Map::new();
    match yaml::parse_yaml(s) {
        Ok(Value::Map(v)) => return Value::Map(v),
        Ok(Value::Nil) => {}
        Ok(other) => {
            m.insert(
                "Error".into(),
                Value::from(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                )),
            );
        }
        Err(e) => {
            m.insert(
                "Error".into(),
                Value::from(format!("error converting YAML to JSON: {e}")),
            );
        }
    }
    Value::from(m)
}

fn from_yaml_array(s: &str) -> Value {
    match yaml::parse_yaml(s) {
        Ok(Value::List(l)) => Value::List(l),
        Ok(Value::Nil) => Value::from(Vec::new()),
        Ok(other) => Value::from(vec![Value::from(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
        Err(e) => Value::from(vec![Value::from(format!(
            "error converting YAML to JSON: {e}"
        ))]),
    }
}

fn include(ex: &mut Exec, a: &[Value]) -> FuncResult {
    let name = a[0].as_str().unwrap_or("").to_string();
    let count = ex.include_counts.entry(name.clone()).or_insert(0);
    if *count > RECURSION_MAX {
        return Err(TplError::wrap(
            format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            ),
            TplError::plain("unable to execute template"),
        ));
    }
    *count += 1;
    let r = ex.execute_to_string(&name, a[1].clone());
    if let Some(c) = ex.include_counts.get_mut(&name) {
        *c = c.saturating_sub(1);
    }
    r.map(Value::from)
}

fn tpl(ex: &mut Exec, a: &[Value]) -> FuncResult {
    let text = a[0].as_str().unwrap_or("");
    let src: Rc<str> = Rc::from(text);
    let funcs = ex.funcs;
    let parsed = parse("gotpl", &src, &|n| funcs.contains_key(n)).map_err(|e| {
        let inner = TplError::plain(e.to_string());
        TplError::wrap(
            format!(
                "cannot parse template {}: {}",
                super::gofmt::go_quote(text),
                e
            ),
            inner,
        )
    })?;
    let mut layer: HashMap<String, Rc<crate::template::ast::Tree>> = HashMap::new();
    for d in parsed.defines {
        layer.insert(d.name.clone(), Rc::new(d));
    }
    layer.insert("gotpl".into(), Rc::new(parsed.main));
    ex.layers.push(Rc::new(layer));
    let r = ex.execute_to_string("gotpl", a[1].clone());
    ex.layers.pop();
    match r {
        Ok(s) => ok(s.replace("<no value>", "")),
        Err(e) => Err(TplError::wrap(
            format!(
                "error during tpl function execution for {}: {}",
                super::gofmt::go_quote(text),
                e.text()
            ),
            e,
        )),
    }
}
