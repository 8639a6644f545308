//! The deprecated `vars`: `$(NAME)` in var-reference fields replaced by a field of a resource.

use crate::error::Error;
use crate::fieldspec::{FieldSpec, walk};
use crate::resource::Resource;
use crate::value::Value;

struct Var {
    name: String,
    kind: String,
    res_name: String,
    field_path: String,
}

fn parse(v: &Value) -> Result<Var, Error> {
    let s = |p: &[&str]| v.str_at(p).unwrap_or("").to_string();
    let var = Var {
        name: s(&["name"]),
        kind: s(&["objref", "kind"]),
        res_name: s(&["objref", "name"]),
        field_path: v
            .str_at(&["fieldref", "fieldpath"])
            .unwrap_or("metadata.name")
            .to_string(),
    };
    if var.name.is_empty() {
        return Err(Error::Transform("var is missing a name".into()));
    }
    Ok(var)
}

fn field_value(r: &Resource, path: &str) -> Option<String> {
    let mut cur = &r.obj;
    for seg in path.split('.') {
        cur = cur.get(seg)?;
    }
    cur.scalar_string()
}

pub fn resolve(res: &mut [Resource], vars: &[Value], specs: &[FieldSpec]) -> Result<(), Error> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values = Vec::new();
    for v in vars {
        let var = parse(v)?;
        if values
            .iter()
            .any(|(n, _): &(String, String)| n == &var.name)
        {
            return Err(Error::Transform(format!(
                "var '{}' already encountered",
                var.name
            )));
        }
        let matches: Vec<&Resource> = res
            .iter()
            .filter(|r| {
                r.kind() == var.kind
                    && (r.org_id().name == var.res_name || r.name() == var.res_name)
            })
            .collect();
        if matches.len() != 1 {
            return Err(Error::Transform(format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                var.name
            )));
        }
        let value = field_value(matches[0], &var.field_path).ok_or_else(|| {
            Error::Transform(format!(
                "field specified in var '{}' not found in corresponding resource",
                var.name
            ))
        })?;
        values.push((var.name, value));
    }
    for r in res.iter_mut() {
        let gvk = r.gvk();
        for fs in specs {
            if !gvk.is_selected_by(&fs.gvk) {
                continue;
            }
            walk(&mut r.obj, &fs.segments(), false, &mut |slot| {
                substitute(slot, &values);
                Ok(())
            })?;
        }
    }
    Ok(())
}

fn substitute(slot: &mut Value, values: &[(String, String)]) {
    match slot {
        Value::Str(s) => {
            for (n, v) in values {
                let pat = format!("$({n})");
                if s.contains(&pat) {
                    *s = s.replace(&pat, v);
                }
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        Value::Map(m) => m.values_mut().for_each(|i| substitute(i, values)),
        _ => {}
    }
}
