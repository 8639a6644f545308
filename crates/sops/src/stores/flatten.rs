//! Un-flattening sops metadata written as flat keys (`age__list_0__map_enc`), as dotenv stores it.

use std::collections::BTreeMap;

use crate::SopsError;
use crate::tree::{MapKey, Value};

const MAP_SEPARATOR: &str = "__map_";
const LIST_SEPARATOR: &str = "__list_";
/// Bound on list indices in flattened keys (metadata lists are short).
const MAX_INDEX: usize = 10_000;

enum Token {
    Key(String),
    Index(usize),
}

fn tokenize(path: &str) -> Result<Vec<Token>, SopsError> {
    let mut tokens = Vec::new();
    let mut rest = path;
    let mut kind_is_list = false;
    loop {
        let next_map = rest.find(MAP_SEPARATOR);
        let next_list = rest.find(LIST_SEPARATOR);
        let (end, separator_len, next_is_list) = match (next_map, next_list) {
            (Some(m), Some(l)) if l < m => (l, LIST_SEPARATOR.len(), true),
            (Some(m), _) => (m, MAP_SEPARATOR.len(), false),
            (None, Some(l)) => (l, LIST_SEPARATOR.len(), true),
            (None, None) => (rest.len(), 0, false),
        };
        let part = &rest[..end];
        tokens.push(if kind_is_list {
            // sops ignores a malformed index (it becomes 0).
            let index = part.parse::<usize>().unwrap_or(0);
            if index > MAX_INDEX {
                return Err(SopsError::InvalidMetadata(format!(
                    "list index in '{path}' is too large"
                )));
            }
            Token::Index(index)
        } else {
            Token::Key(part.to_string())
        });
        if separator_len == 0 {
            return Ok(tokens);
        }
        rest = &rest[end + separator_len..];
        kind_is_list = next_is_list;
    }
}

#[derive(Default)]
struct Node {
    value: Option<Value>,
    keys: BTreeMap<String, Node>,
    indices: BTreeMap<usize, Node>,
}

pub(crate) fn unflatten(entries: Vec<(String, Value)>) -> Result<Value, SopsError> {
    let mut root = Node::default();
    for (key, value) in entries {
        let mut node = &mut root;
        for token in tokenize(&key)? {
            node = match token {
                Token::Key(k) => node.keys.entry(k).or_default(),
                Token::Index(i) => node.indices.entry(i).or_default(),
            };
        }
        if node.value.is_some() {
            return Err(SopsError::InvalidMetadata(format!(
                "error while unflattening '{key}': duplicate value"
            )));
        }
        node.value = Some(value);
    }
    convert(root)
}

fn convert(node: Node) -> Result<Value, SopsError> {
    let kinds = usize::from(node.value.is_some())
        + usize::from(!node.keys.is_empty())
        + usize::from(!node.indices.is_empty());
    if kinds > 1 {
        return Err(SopsError::InvalidMetadata(
            "error while unflattening: type mismatch".into(),
        ));
    }
    if let Some(value) = node.value {
        return Ok(value);
    }
    if !node.indices.is_empty() {
        let count = node.indices.len();
        if node.indices.keys().copied().ne(0..count) {
            return Err(SopsError::InvalidMetadata(
                "error while unflattening: incomplete list".into(),
            ));
        }
        return Ok(Value::List(
            node.indices
                .into_values()
                .map(convert)
                .collect::<Result<_, _>>()?,
        ));
    }
    Ok(Value::Map(
        node.keys
            .into_iter()
            .map(|(k, v)| Ok((MapKey::Name(k), convert(v)?)))
            .collect::<Result<_, SopsError>>()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unflattens_lists_of_maps() {
        let tree = unflatten(vec![
            ("age__list_0__map_recipient".into(), Value::Str("r".into())),
            ("age__list_0__map_enc".into(), Value::Str("e".into())),
            ("mac".into(), Value::Str("m".into())),
        ])
        .unwrap();
        assert_eq!(
            tree,
            Value::Map(vec![
                (
                    MapKey::Name("age".into()),
                    Value::List(vec![Value::Map(vec![
                        (MapKey::Name("enc".into()), Value::Str("e".into())),
                        (MapKey::Name("recipient".into()), Value::Str("r".into())),
                    ])])
                ),
                (MapKey::Name("mac".into()), Value::Str("m".into())),
            ])
        );
        assert!(unflatten(vec![("a__list_1".into(), Value::Null)]).is_err());
    }
}
