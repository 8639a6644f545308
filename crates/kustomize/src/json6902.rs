//! RFC 6902 JSON patches applied to a resource.

use crate::error::Error;
use crate::value::Value;

fn perr(msg: impl Into<String>) -> Error {
    Error::Patch(msg.into())
}

fn parse_pointer(p: &str) -> Result<Vec<String>, Error> {
    // Like evanphx/json-patch, the first segment is dropped whether or not it is empty.
    Ok(p.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn get<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = doc;
    for seg in path {
        cur = match cur {
            Value::Map(m) => m.get(seg)?,
            Value::Seq(s) => s.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn parent_mut<'a>(doc: &'a mut Value, path: &[String]) -> Result<&'a mut Value, Error> {
    let mut cur = doc;
    for seg in &path[..path.len() - 1] {
        cur = match cur {
            Value::Map(m) => m
                .get_mut(seg)
                .ok_or_else(|| perr(format!("doc is missing path: {seg}")))?,
            Value::Seq(s) => {
                let i: usize = seg
                    .parse()
                    .map_err(|_| perr(format!("invalid index {seg}")))?;
                s.get_mut(i)
                    .ok_or_else(|| perr(format!("index {i} out of range")))?
            }
            _ => return Err(perr(format!("doc is missing path: {seg}"))),
        };
    }
    Ok(cur)
}

fn add(doc: &mut Value, path: &[String], v: Value) -> Result<(), Error> {
    if path.is_empty() {
        *doc = v;
        return Ok(());
    }
    let last = &path[path.len() - 1];
    match parent_mut(doc, path)? {
        Value::Map(m) => {
            m.insert(last.clone(), v);
            Ok(())
        }
        Value::Seq(s) => {
            if last == "-" {
                s.push(v);
                return Ok(());
            }
            let i: i64 = last
                .parse()
                .map_err(|_| perr(format!("invalid index {last}")))?;
            // Negative indices count from the end (json-patch's SupportNegativeIndices).
            let i = if i < 0 { s.len() as i64 + 1 + i } else { i };
            if i < 0 || i as usize > s.len() {
                return Err(perr(format!(
                    "add operation does not apply: index {i} out of range"
                )));
            }
            s.insert(i as usize, v);
            Ok(())
        }
        _ => Err(perr(
            "add operation does not apply: parent is not a container",
        )),
    }
}

fn remove(doc: &mut Value, path: &[String]) -> Result<Value, Error> {
    if path.is_empty() {
        return Err(perr("remove operation does not apply to the document root"));
    }
    let last = &path[path.len() - 1];
    match parent_mut(doc, path)? {
        Value::Map(m) => m.remove(last).ok_or_else(|| {
            perr(format!(
                "remove operation does not apply: doc is missing key: {last}"
            ))
        }),
        Value::Seq(s) => {
            let i: usize = last
                .parse()
                .map_err(|_| perr(format!("invalid index {last}")))?;
            if i >= s.len() {
                return Err(perr(format!(
                    "remove operation does not apply: index {i} out of range"
                )));
            }
            Ok(s.remove(i))
        }
        _ => Err(perr(
            "remove operation does not apply: parent is not a container",
        )),
    }
}

pub fn parse_ops(patch: &Value) -> Result<Vec<Value>, Error> {
    match patch {
        Value::Seq(ops) => Ok(ops.clone()),
        Value::Null => Ok(Vec::new()),
        _ => Err(perr("json patch must be a list of operations")),
    }
}

pub fn apply(doc: &mut Value, ops: &[Value]) -> Result<(), Error> {
    for op in ops {
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| perr("json patch operation is missing 'op'"))?;
        let path = parse_pointer(
            op.get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| perr("json patch operation is missing 'path'"))?,
        )?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| perr(format!("{name} operation is missing 'value'")))
        };
        match name {
            "add" => add(doc, &path, value()?)?,
            "remove" => {
                remove(doc, &path)?;
            }
            "replace" => {
                let parent_exists = path.len() <= 1 || get(doc, &path[..path.len() - 1]).is_some();
                if get(doc, &path).is_none() && !parent_exists {
                    return Err(perr(format!(
                        "replace operation does not apply: doc is missing key: {}",
                        op.get("path").and_then(Value::as_str).unwrap_or("")
                    )));
                }
                if path.is_empty() {
                    *doc = value()?;
                } else {
                    if get(doc, &path).is_some() {
                        remove(doc, &path)?;
                    }
                    add(doc, &path, value()?)?;
                }
            }
            "move" | "copy" => {
                let from = parse_pointer(
                    op.get("from")
                        .and_then(Value::as_str)
                        .ok_or_else(|| perr("missing 'from'"))?,
                )?;
                let v = if name == "move" {
                    remove(doc, &from)?
                } else {
                    get(doc, &from).cloned().unwrap_or(Value::Null)
                };
                add(doc, &path, v)?;
            }
            "test" => {
                let want = value()?;
                if get(doc, &path) != Some(&want) {
                    return Err(perr("testing value failed"));
                }
            }
            other => return Err(perr(format!("unexpected json patch operation {other:?}"))),
        }
    }
    Ok(())
}
