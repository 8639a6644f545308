//! YAML text to [`Value`] documents, decoding scalars the way yaml.v3 does into `interface{}`.

use super::YamlError;
use super::resolve::resolve_plain_v3;
use crate::value::{Map, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

const MAX_DEPTH: usize = 500;
const MAX_NODES: usize = 5_000_000;

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map, Option<Value>, usize, Vec<Map>),
}

/// All documents of a stream; empty documents come back as `Value::Null`.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    parse_with(text, false)
}

/// Like [`parse_documents`] but with YAML 1.1 booleans (`yes`, `on`, `y`, ...), as go-yaml v2 reads.
pub fn parse_documents_yaml11(text: &str) -> Result<Vec<Value>, YamlError> {
    parse_with(text, true)
}

fn parse_with(text: &str, yaml11: bool) -> Result<Vec<Value>, YamlError> {
    // go-yaml's reader refuses characters outside YAML's printable set.
    if text.chars().any(|c| {
        let u = c as u32;
        !(u == 0x09
            || u == 0x0A
            || u == 0x0D
            || (0x20..=0x7E).contains(&u)
            || u == 0x85
            || (0xA0..=0xD7FF).contains(&u)
            || (0xE000..=0xFFFD).contains(&u)
            || u >= 0x10000)
    }) {
        return Err(YamlError::Syntax(
            "control characters are not allowed".into(),
        ));
    }
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut nodes = 0usize;
    let mut doc: Option<Value> = None;
    let mut flow: Vec<bool> = Vec::new();
    let mut cursor = CharCursor {
        text,
        chars: 0,
        bytes: 0,
    };
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.map_err(|e| YamlError::Syntax(e.to_string()))?;
        let finished: Option<(Value, usize)> = match ev {
            Event::StreamStart | Event::Nothing | Event::StreamEnd => None,
            Event::DocumentStart(_) => {
                doc = None;
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                docs.push(doc.take().unwrap_or(Value::Null));
                None
            }
            Event::Alias(id) => {
                let v = anchors.get(&id).cloned().ok_or(YamlError::UnknownAnchor)?;
                nodes += count_nodes(&v);
                if nodes > MAX_NODES {
                    return Err(YamlError::TooLarge);
                }
                Some((v, 0))
            }
            Event::Scalar(text, style, anchor, tag) => {
                nodes += 1;
                let in_flow = flow.last().copied().unwrap_or(false);
                Some((
                    decode_scalar(&text, style, tag.as_deref(), yaml11, in_flow)?,
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError::TooDeep(MAX_DEPTH));
                }
                flow.push(cursor.char_at(span.start.index()) == Some('['));
                stack.push(Frame::Seq(Vec::new(), anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError::TooDeep(MAX_DEPTH));
                }
                flow.push(cursor.char_at(span.start.index()) == Some('{'));
                stack.push(Frame::Map(Map::new(), None, anchor, Vec::new()));
                None
            }
            Event::SequenceEnd => {
                flow.pop();
                match stack.pop() {
                    Some(Frame::Seq(items, anchor)) => Some((Value::Seq(items), anchor)),
                    _ => return Err(YamlError::Syntax("unbalanced sequence".into())),
                }
            }
            Event::MappingEnd => match flow.pop().and(stack.pop()) {
                Some(Frame::Map(mut m, _, anchor, merges)) => {
                    // Explicit keys win over merged ones; earlier merges win over later.
                    for merged in merges {
                        for (k, v) in merged {
                            m.entry(k).or_insert(v);
                        }
                    }
                    Some((Value::Map(m), anchor))
                }
                _ => return Err(YamlError::Syntax("unbalanced mapping".into())),
            },
        };
        let Some((value, anchor)) = finished else {
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError::TooLarge);
        }
        if anchor != 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => doc = Some(value),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(m, pending, _, merges)) => match pending.take() {
                None => *pending = Some(value),
                Some(key) => {
                    if key == Value::Str("<<".into()) && is_merge_source(&value) {
                        match value {
                            Value::Map(mm) => merges.push(mm),
                            Value::Seq(items) => {
                                for it in items {
                                    if let Value::Map(mm) = it {
                                        merges.push(mm);
                                    }
                                }
                            }
                            _ => {}
                        }
                        continue;
                    }
                    let k = key_string(&key, yaml11)?;
                    if m.contains_key(&k) {
                        return Err(YamlError::DuplicateKey(k));
                    }
                    m.insert(k, value);
                }
            },
        }
    }
    Ok(docs)
}

/// Parses text that must hold exactly one document (an empty text is `Null`).
pub fn parse_single(text: &str) -> Result<Value, YamlError> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.remove(0)),
        _ => Err(YamlError::Invalid("expected a single document".into())),
    }
}

fn is_merge_source(v: &Value) -> bool {
    match v {
        Value::Map(_) => true,
        Value::Seq(items) => items.iter().all(|i| matches!(i, Value::Map(_))),
        _ => false,
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Seq(s) => 1 + s.iter().map(count_nodes).sum::<usize>(),
        Value::Map(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Map keys. Resources are decoded into Go maps with string keys, so other scalar keys
/// fail there (kustomize's JSON step rejects them); YAML 1.1 files stringify them.
fn key_string(k: &Value, yaml11: bool) -> Result<String, YamlError> {
    match k {
        Value::Str(s) => Ok(s.clone()),
        other if !yaml11 && !matches!(other, Value::Seq(_) | Value::Map(_)) => {
            Err(YamlError::UnsupportedValue(format!(
                "map key {:?} is not a string",
                other.scalar_string().unwrap_or_default()
            )))
        }
        Value::Seq(_) | Value::Map(_) => {
            Err(YamlError::Invalid("invalid map key: a collection".into()))
        }
        Value::Null => Ok("null".into()),
        other => Ok(other.scalar_string().unwrap_or_default()),
    }
}

fn decode_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    yaml11: bool,
    in_flow: bool,
) -> Result<Value, YamlError> {
    // In flow collections kustomize keeps plain scalars with a colon (timestamps with a
    // time part) as written.
    if in_flow
        && !yaml11
        && matches!(style, ScalarStyle::Plain)
        && tag.is_none()
        && text.contains(':')
    {
        return Ok(Value::Str(text.to_string()));
    }
    if yaml11 && matches!(style, ScalarStyle::Plain) && tag.is_none() {
        match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Ok(Value::Bool(true)),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
                return Ok(Value::Bool(false));
            }
            _ => {}
        }
    }
    if let Some(t) = tag
        && t.is_yaml_core_schema()
    {
        return match t.suffix.as_str() {
            "binary" => {
                use base64::Engine;
                let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map_err(|e| {
                        YamlError::Invalid(format!("!!binary value is not base64: {e}"))
                    })?;
                Ok(Value::Str(String::from_utf8_lossy(&bytes).into_owned()))
            }
            "str" | "timestamp" => Ok(Value::Str(text.to_string())),
            "null" => Ok(Value::Null),
            "bool" | "int" | "float" => {
                let v = resolve_plain_v3(text);
                let ok = matches!(
                    (t.suffix.as_str(), &v),
                    ("bool", Value::Bool(_))
                        | ("int", Value::Int(_) | Value::UInt(_))
                        | ("float", Value::Float(_) | Value::Int(_) | Value::UInt(_))
                );
                if !ok {
                    return Err(YamlError::Invalid(format!(
                        "cannot decode `{text}` as a !!{}",
                        t.suffix
                    )));
                }
                Ok(match (t.suffix.as_str(), v) {
                    ("float", Value::Int(i)) => Value::Float(i as f64),
                    ("float", Value::UInt(u)) => Value::Float(u as f64),
                    (_, v) => v,
                })
            }
            _ => Ok(Value::Str(text.to_string())),
        };
    }
    if tag.is_some() {
        // Application tags (e.g. `!Ref`) decode to their plain value, as in yaml.v3.
        return Ok(Value::Str(text.to_string()));
    }
    match style {
        ScalarStyle::Plain => Ok(resolve_plain_v3(text)),
        _ => Ok(Value::Str(text.to_string())),
    }
}

/// Maps the parser's character offsets to characters, moving forward incrementally.
struct CharCursor<'a> {
    text: &'a str,
    chars: usize,
    bytes: usize,
}

impl CharCursor<'_> {
    fn char_at(&mut self, index: usize) -> Option<char> {
        if index < self.chars {
            self.chars = 0;
            self.bytes = 0;
        }
        while self.chars < index {
            let c = self.text[self.bytes..].chars().next()?;
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        self.text[self.bytes..].chars().next()
    }
}
