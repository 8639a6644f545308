//! values.schema.json validation (a JSON Schema subset) with santhosh-tekuri/jsonschema v6's
//! wording, which Helm 4 reports.

use crate::chart::Chart;
use crate::error::Error;
use crate::value::Value;
use crate::yaml::{J, to_j};

const MAX_DEPTH: usize = 64;

/// Validates the coalesced values of `chart` and its subcharts against their schemas.
pub fn validate_chart(chart: &Chart, values: &Value) -> Result<(), Error> {
    let mut report = String::new();
    validate_rec(chart, values, &mut report, 0)?;
    if report.is_empty() {
        return Ok(());
    }
    Err(Error::Schema(format!(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    )))
}

fn validate_rec(
    chart: &Chart,
    values: &Value,
    report: &mut String,
    depth: usize,
) -> Result<(), Error> {
    if depth > 20 {
        return Ok(());
    }
    if let Some(schema) = &chart.schema {
        let s: serde_json::Value = serde_json::from_slice(schema).map_err(|e| {
            Error::Schema(format!("{}: invalid values.schema.json: {e}", chart.name()))
        })?;
        let v = to_j(values, 0).map_err(Error::Schema)?;
        let mut errs = Vec::new();
        check(&s, &s, &v, "", &mut errs, 0);
        if !errs.is_empty() {
            report.push_str(&format!("{}:\n", chart.name()));
            for (path, msg) in errs {
                report.push_str(&format!("- at '{path}': {msg}\n"));
            }
        }
    }
    for sub in &chart.dependencies {
        let raw = values.as_map().and_then(|m| m.get(sub.name()).cloned());
        match raw {
            None | Some(Value::Nil) => continue,
            Some(v @ Value::Map(_)) => validate_rec(sub, &v, report, depth + 1)?,
            Some(other) => report.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.type_name()
            )),
        }
    }
    Ok(())
}

fn type_of(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Num(n) => {
            if n.parse::<f64>().map(|f| f.fract() == 0.0).unwrap_or(false) {
                "integer"
            } else {
                "number"
            }
        }
        J::Str(_) => "string",
        J::Arr(_) => "array",
        J::Obj(_) => "object",
    }
}

fn type_matches(want: &str, v: &J) -> bool {
    let t = type_of(v);
    want == t || (want == "number" && t == "integer")
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn num(v: &J) -> Option<f64> {
    match v {
        J::Num(n) => n.parse().ok(),
        _ => None,
    }
}

/// Numbers as the validator's English locale prints them: thousands separated by commas.
fn fmt_num(f: f64) -> String {
    let plain = if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i128)
    } else {
        crate::value::format_float_g(f)
    };
    if plain.contains('e') {
        return plain;
    }
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn check(
    root: &serde_json::Value,
    s: &serde_json::Value,
    v: &J,
    path: &str,
    errs: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    // a local $ref ("#/definitions/x", "#/$defs/x") is followed; remote ones are not loaded
    if let Some(r) = s.get("$ref").and_then(|r| r.as_str())
        && let Some(ptr) = r.strip_prefix('#')
        && let Some(target) = root.pointer(ptr)
    {
        check(root, target, v, path, errs, depth + 1);
    }
    let serde_json::Value::Object(s) = s else {
        if s == &serde_json::Value::Bool(false) {
            errs.push((path.to_string(), "false schema".into()));
        }
        return;
    };
    if let Some(t) = s.get("type") {
        let wants: Vec<String> = match t {
            serde_json::Value::String(t) => vec![t.clone()],
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        if !wants.is_empty() && !wants.iter().any(|w| type_matches(w, v)) {
            errs.push((
                path.to_string(),
                format!("got {}, want {}", type_of(v), wants.join(" or ")),
            ));
            return;
        }
    }
    if let Some(serde_json::Value::Array(e)) = s.get("enum") {
        let vj = j_to_serde(v);
        if !e.iter().any(|x| json_eq(x, &vj)) {
            let opts: Vec<String> = e.iter().map(json_text).collect();
            errs.push((
                path.to_string(),
                format!("value must be one of {}", opts.join(", ")),
            ));
        }
    }
    if let Some(c) = s.get("const")
        && !json_eq(c, &j_to_serde(v))
    {
        errs.push((path.to_string(), format!("value must be {}", json_text(c))));
    }
    if let Some(n) = num(v) {
        if let Some(min) = s.get("minimum").and_then(|x| x.as_f64())
            && n < min
        {
            errs.push((
                path.to_string(),
                format!("minimum: got {}, want {}", fmt_num(n), fmt_num(min)),
            ));
        }
        if let Some(max) = s.get("maximum").and_then(|x| x.as_f64())
            && n > max
        {
            errs.push((
                path.to_string(),
                format!("maximum: got {}, want {}", fmt_num(n), fmt_num(max)),
            ));
        }
    }
    if let J::Str(st) = v {
        let len = st.chars().count() as u64;
        if let Some(min) = s.get("minLength").and_then(|x| x.as_u64())
            && len < min
        {
            errs.push((
                path.to_string(),
                format!(
                    "minLength: got {}, want {}",
                    fmt_num(len as f64),
                    fmt_num(min as f64)
                ),
            ));
        }
        if let Some(max) = s.get("maxLength").and_then(|x| x.as_u64())
            && len > max
        {
            errs.push((
                path.to_string(),
                format!(
                    "maxLength: got {}, want {}",
                    fmt_num(len as f64),
                    fmt_num(max as f64)
                ),
            ));
        }
        if let Some(p) = s.get("pattern").and_then(|x| x.as_str())
            && let Ok(re) = regex::Regex::new(p)
            && !re.is_match(st)
        {
            errs.push((
                path.to_string(),
                format!("'{st}' does not match pattern '{p}'"),
            ));
        }
    }
    if let J::Obj(o) = v {
        if let Some(serde_json::Value::Array(req)) = s.get("required") {
            let missing: Vec<String> = req
                .iter()
                .filter_map(|r| r.as_str())
                .filter(|r| !o.iter().any(|(k, _)| k == r))
                .map(|r| format!("'{r}'"))
                .collect();
            if missing.len() == 1 {
                errs.push((path.to_string(), format!("missing property {}", missing[0])));
            } else if !missing.is_empty() {
                errs.push((
                    path.to_string(),
                    format!("missing properties {}", missing.join(", ")),
                ));
            }
        }
        let props = s.get("properties").and_then(|p| p.as_object());
        // in the schema's property order, as the reference validator reports them
        for (k, ps) in props.into_iter().flatten() {
            if let Some((_, e)) = o.iter().find(|(vk, _)| vk == k) {
                check(root, ps, e, &format!("{path}/{k}"), errs, depth + 1);
            }
        }
        if let Some(serde_json::Value::Bool(false)) = s.get("additionalProperties") {
            let extra: Vec<String> = o
                .iter()
                .filter(|(k, _)| !props.is_some_and(|p| p.contains_key(k.as_str())))
                .map(|(k, _)| format!("'{k}'"))
                .collect();
            if extra.len() == 1 {
                errs.push((
                    path.to_string(),
                    format!("additional property {} not allowed", extra[0]),
                ));
            } else if !extra.is_empty() {
                errs.push((
                    path.to_string(),
                    format!("additional properties {} not allowed", extra.join(", ")),
                ));
            }
        }
    }
    if let J::Arr(a) = v {
        if let Some(items) = s.get("items") {
            for (i, e) in a.iter().enumerate() {
                check(root, items, e, &format!("{path}/{i}"), errs, depth + 1);
            }
        }
        if let Some(min) = s.get("minItems").and_then(|x| x.as_u64())
            && (a.len() as u64) < min
        {
            errs.push((
                path.to_string(),
                format!("minItems: got {}, want {min}", a.len()),
            ));
        }
    }
}

fn j_to_serde(v: &J) -> serde_json::Value {
    match v {
        J::Null => serde_json::Value::Null,
        J::Bool(b) => serde_json::Value::Bool(*b),
        J::Num(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
        J::Str(s) => serde_json::Value::String(s.clone()),
        J::Arr(a) => serde_json::Value::Array(a.iter().map(j_to_serde).collect()),
        J::Obj(o) => {
            serde_json::Value::Object(o.iter().map(|(k, e)| (k.clone(), j_to_serde(e))).collect())
        }
    }
}

fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
