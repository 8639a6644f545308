//! Between the kustomize engine's document model and JSON (what the API server, SOPS and SSA see).

use flux_kustomize::value::{Map, Value};
use serde_json::Value as Json;

#[derive(Debug, thiserror::Error)]
#[error("json: unsupported value: {0}")]
pub struct UnsupportedValue(String);

/// A document as JSON; non-finite floats have no JSON form (Go's encoder refuses them too).
pub fn to_json(value: &Value) -> Result<Json, UnsupportedValue> {
    Ok(match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::UInt(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .ok_or_else(|| UnsupportedValue(f.to_string()))?,
        Value::Str(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v)?)))
                .collect::<Result<_, UnsupportedValue>>()?,
        ),
    })
}

/// JSON back to a document (integers stay integers, as Go's decoder into `interface{}` keeps
/// them through sigs.k8s.io/yaml).
pub fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else {
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::Seq(items.iter().map(from_json).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect::<Map>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_documents() {
        let doc = flux_kustomize::yaml::parse_single(
            "a: 1\nb: -2\nc: 1.5\nd: [x, true, null]\ne: {f: g}\nh: 18446744073709551615\n",
        )
        .unwrap();
        let json = to_json(&doc).unwrap();
        assert_eq!(json["a"], 1);
        assert_eq!(json["c"], 1.5);
        assert_eq!(from_json(&json), doc);
        assert!(to_json(&Value::Float(f64::NAN)).is_err());
    }
}
