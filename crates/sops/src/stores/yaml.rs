//! sops' YAML store. Reading resolves scalars as go-yaml v3 does when decoding into `interface{}`
//! (YAML 1.2 core schema, timestamps kept as strings, aliases expanded); comments are not read.
//! Writing is block style with 4-space indentation, quoting strings that would read back as
//! another type.

use std::collections::HashMap;
use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::tree::{MAX_DEPTH, MapKey, Value};
use crate::{Format, SopsError};

/// Bound on nodes built, aliases included (alias bombs).
const MAX_NODES: usize = 1_000_000;

static YAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex")
});

fn error(reason: impl Into<String>) -> SopsError {
    SopsError::parse(Format::Yaml, reason)
}

/// Every document of the stream; each must be a mapping (or empty).
pub(crate) fn load(data: &[u8]) -> Result<Vec<Value>, SopsError> {
    let text = std::str::from_utf8(data).map_err(|_| error("input is not UTF-8"))?;
    let mut loader = Loader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut documents = Vec::new();
    loop {
        match loader.next()? {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => return Ok(documents),
            Event::DocumentStart(_) => {
                let event = loader.next()?;
                let (root, _) = loader.node(event, 0)?;
                match root {
                    Value::Map(_) => documents.push(root),
                    Value::Null => documents.push(Value::Map(Vec::new())),
                    Value::List(_) => {
                        return Err(error("YAML documents that are sequences are not supported"));
                    }
                    _ => return Err(error("YAML documents that are values are not supported")),
                }
            }
            _ => return Err(error("unexpected YAML event")),
        }
    }
}

struct Loader<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
}

impl<'a> Loader<'a> {
    fn next(&mut self) -> Result<Event<'a>, SopsError> {
        match self.parser.next_event() {
            None => Ok(Event::StreamEnd),
            Some(Ok((event, _))) => Ok(event),
            Some(Err(e)) => Err(error(format!(
                "{} at line {} column {}",
                e.info(),
                e.marker().line(),
                e.marker().col() + 1
            ))),
        }
    }

    fn count(&mut self, nodes: usize) -> Result<(), SopsError> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(error(format!("document has more than {MAX_NODES} nodes")));
        }
        Ok(())
    }

    /// Builds the node starting with `event`; returns it with its node count.
    fn node(&mut self, event: Event<'a>, depth: usize) -> Result<(Value, usize), SopsError> {
        if depth > MAX_DEPTH {
            return Err(error(format!(
                "document nested deeper than {MAX_DEPTH} levels"
            )));
        }
        let (value, size, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                (resolve_scalar(&text, style, tag.as_deref())?, 1, anchor)
            }
            Event::Alias(id) => {
                let (value, size) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| error("unknown anchor"))?;
                self.count(size)?;
                return Ok((value, size));
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                let mut size = 1;
                loop {
                    let event = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let (item, item_size) = self.node(event, depth + 1)?;
                    size += item_size;
                    items.push(item);
                }
                (Value::List(items), size, anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut entries: Vec<(MapKey, Value)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                let mut size = 1;
                loop {
                    let event = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let (key, _) = self.node(event, depth + 1)?;
                    let Value::Str(key) = key else {
                        return Err(error(
                            "tree contains a non-string key; only string keys are supported",
                        ));
                    };
                    if !seen.insert(key.clone()) {
                        return Err(error(format!("mapping key \"{key}\" already defined")));
                    }
                    let event = self.next()?;
                    let (value, value_size) = self.node(event, depth + 1)?;
                    size += 1 + value_size;
                    entries.push((MapKey::Name(key), value));
                }
                (Value::Map(entries), size, anchor)
            }
            _ => return Err(error("unexpected YAML event")),
        };
        if size == 1 {
            self.count(1)?;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), size));
        }
        Ok((value, size))
    }
}

fn is_core(tag: &Tag, suffix: &str) -> bool {
    (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!") && tag.suffix == suffix
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, SopsError> {
    if let Some(tag) = tag {
        if is_core(tag, "str") {
            return Ok(Value::Str(text.to_string()));
        }
        if is_core(tag, "binary") {
            let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(cleaned)
                .map_err(|_| error("!!binary value is not base64"))?;
            return Ok(match String::from_utf8(bytes) {
                Ok(s) => Value::Str(s),
                Err(e) => Value::Bytes(e.into_bytes()),
            });
        }
        if is_core(tag, "timestamp") {
            return Err(SopsError::Unsupported("an explicit !!timestamp tag".into()));
        }
        for (suffix, accepts) in [
            (
                "int",
                &(|v: &Value| matches!(v, Value::Int(_))) as &dyn Fn(&Value) -> bool,
            ),
            ("bool", &|v| matches!(v, Value::Bool(_))),
            ("null", &|v| matches!(v, Value::Null)),
        ] {
            if is_core(tag, suffix) {
                let value = resolve_plain(text)?;
                return if accepts(&value) {
                    Ok(value)
                } else {
                    Err(error(format!("cannot decode a scalar as !!{suffix}")))
                };
            }
        }
        if is_core(tag, "float") {
            return match resolve_plain(text)? {
                Value::Int(i) => Ok(Value::Float(i as f64)),
                value @ Value::Float(_) => Ok(value),
                _ => Err(error("cannot decode a scalar as !!float")),
            };
        }
        // Any other tag (custom or `!`) leaves the scalar a string, as go-yaml does.
        return Ok(Value::Str(text.to_string()));
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::Str(text.to_string()));
    }
    resolve_plain(text)
}

/// go-yaml v3's implicit resolution of a plain scalar.
fn resolve_plain(text: &str) -> Result<Value, SopsError> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        ".nan" | ".NaN" | ".NAN" => return Ok(Value::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Ok(Value::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Ok(Value::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    match text.as_bytes()[0] {
        b'0'..=b'9' | b'+' | b'-' => {
            let plain = text.replace('_', "");
            match go_parse_int(&plain) {
                Some(IntResult::Int(i)) => return Ok(Value::Int(i)),
                // go-yaml yields a uint64, which sops cannot walk.
                Some(IntResult::Unsigned) => {
                    return Err(error("integer out of the int64 range"));
                }
                None => {}
            }
            if YAML_FLOAT.is_match(&plain)
                && let Some(f) = crate::cipher::parse_go_float(&plain)
            {
                return Ok(Value::Float(f));
            }
        }
        b'.' => {
            if YAML_FLOAT.is_match(text)
                && let Some(f) = crate::cipher::parse_go_float(text)
            {
                return Ok(Value::Float(f));
            }
        }
        _ => {}
    }
    Ok(Value::Str(text.to_string()))
}

enum IntResult {
    Int(i64),
    Unsigned,
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint` for the out-of-range case.
fn go_parse_int(s: &str) -> Option<IntResult> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u128 + 1 {
            return Some(IntResult::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if magnitude <= i64::MAX as u128 {
        Some(IntResult::Int(magnitude as i64))
    } else if magnitude <= u64::MAX as u128 {
        Some(IntResult::Unsigned)
    } else {
        None
    }
}

/// sops' YAML output of decrypted documents, laid out as go-yaml v3 with indent 4 lays it out
/// (its indentation of mappings inside sequences, its choice of plain, single-quoted,
/// double-quoted or literal style, Go's float formatting). Comments are not written.
pub(crate) fn emit(branches: &[Value]) -> Result<Vec<u8>, SopsError> {
    let mut out = String::new();
    for (index, branch) in branches.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        match branch {
            Value::Map(entries) if has_names(entries) => write_map(&mut out, entries, 0, 4, false),
            _ => out.push_str("{}\n"),
        }
    }
    Ok(out.into_bytes())
}

const INDENT: usize = 4;

fn has_names(entries: &[(MapKey, Value)]) -> bool {
    entries.iter().any(|(k, _)| matches!(k, MapKey::Name(_)))
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A mapping whose keys sit at `key_col` and whose values are laid out at `child_level`;
/// `inline_first` when the first key follows a sequence's "- ".
fn write_map(
    out: &mut String,
    entries: &[(MapKey, Value)],
    key_col: usize,
    child_level: usize,
    inline_first: bool,
) {
    let mut first = true;
    for (key, value) in entries {
        let MapKey::Name(name) = key else { continue };
        if !(first && inline_first) {
            pad(out, key_col);
        }
        first = false;
        write_str(out, name, 0, true);
        out.push(':');
        match value {
            Value::Map(children) if has_names(children) => {
                out.push('\n');
                write_map(out, children, child_level, child_level + INDENT, false);
            }
            Value::List(items) if !items.is_empty() => {
                out.push('\n');
                write_list(out, items, child_level, false);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar, child_level);
                out.push('\n');
            }
        }
    }
}

/// A sequence whose dashes sit at `dash_col`; `inline_first` when nested in a sequence item.
fn write_list(out: &mut String, items: &[Value], dash_col: usize, inline_first: bool) {
    for (index, item) in items.iter().enumerate() {
        if !(index == 0 && inline_first) {
            pad(out, dash_col);
        }
        out.push_str("- ");
        match item {
            Value::Map(entries) if has_names(entries) => {
                write_map(out, entries, dash_col + 2, dash_col + INDENT, true);
            }
            Value::List(inner) if !inner.is_empty() => write_list(out, inner, dash_col + 2, true),
            scalar => {
                write_scalar(out, scalar, dash_col + 2);
                out.push('\n');
            }
        }
    }
}

fn write_scalar(out: &mut String, value: &Value, block_indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&yaml_float(*f)),
        Value::Time(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push_str("!!binary ");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
        }
        Value::Str(s) => write_str(out, s, block_indent, false),
        Value::Map(_) => out.push_str("{}"),
        Value::List(_) => out.push_str("[]"),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` with YAML's names for infinities and NaN:
/// shortest digits, exponent form below 1e-4 and from 1e6 on (`1e+06`, `1.5e-05`).
fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if f != 0.0 && !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    } else {
        format!("{f}")
    }
}

enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn write_str(out: &mut String, s: &str, block_indent: usize, is_key: bool) {
    match style(s, is_key) {
        Style::Plain => out.push_str(s),
        Style::Single => {
            out.push('\'');
            out.push_str(&s.replace('\'', "''"));
            out.push('\'');
        }
        Style::Double => out.push_str(&double_quoted(s)),
        Style::Literal => write_literal(out, s, block_indent),
    }
}

static BASE60_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("valid regex")
});

static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$")
        .expect("valid regex")
});

/// go-yaml v3's choice: literal for multi-line strings, double quotes for strings that would
/// read back as another type, otherwise plain, single-quoted or double-quoted as libyaml's
/// scalar analysis allows.
fn style(s: &str, is_key: bool) -> Style {
    let special =
        s.chars().any(|c| !is_printable(c)) || s.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']);
    let space_break = s.contains(" \n");
    if s.contains('\n') {
        if is_key || special || space_break || s.ends_with(' ') {
            return Style::Double;
        }
        return Style::Literal;
    }
    let resolves_to_string = matches!(resolve_plain(s), Ok(Value::Str(_)));
    if !resolves_to_string
        || BASE60_FLOAT.is_match(s)
        || TIMESTAMP.is_match(s)
        || matches!(
            s,
            "y" | "Y"
                | "yes"
                | "Yes"
                | "YES"
                | "on"
                | "On"
                | "ON"
                | "n"
                | "N"
                | "no"
                | "No"
                | "NO"
                | "off"
                | "Off"
                | "OFF"
        )
    {
        return Style::Double;
    }
    if special {
        return Style::Double;
    }
    if plain_allowed(s) {
        Style::Plain
    } else {
        Style::Single
    }
}

/// libyaml's `is_printable` (tab excluded).
fn is_printable(c: char) -> bool {
    c == '\n'
        || (' '..='~').contains(&c)
        || c == '\u{85}'
        || (c >= '\u{a0}' && !matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
}

/// libyaml's block-context plain-scalar analysis for a single-line, printable string.
fn plain_allowed(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let (Some(first), Some(last)) = (chars.first(), chars.last()) else {
        return false;
    };
    if *first == ' ' || *last == ' ' {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let blank_after = |i: usize| chars.get(i + 1).is_none_or(|c| *c == ' ');
    for (i, c) in chars.iter().enumerate() {
        let indicator = if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => true,
                '?' | ':' | '-' => blank_after(i),
                _ => false,
            }
        } else {
            match c {
                ':' => blank_after(i),
                '#' => chars[i - 1] == ' ',
                _ => false,
            }
        };
        if indicator || *c == '\t' {
            return false;
        }
    }
    true
}

fn write_literal(out: &mut String, s: &str, block_indent: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push_str(&INDENT.to_string());
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push_str(match trailing {
        0 => "-",
        1 if !body.is_empty() => "",
        _ => "+",
    });
    let content = if trailing > 0 { &s[..s.len() - 1] } else { s };
    for line in content.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, block_indent);
            out.push_str(line);
        }
    }
}

/// libyaml's double-quoted style.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20
                || c == '\u{7f}'
                || ((c as u32) >= 0x80 && (c as u32) < 0xa0) =>
            {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Value {
        load(text.as_bytes()).unwrap().remove(0)
    }

    fn entry(tree: &Value, name: &str) -> Value {
        let Value::Map(entries) = tree else { panic!() };
        entries
            .iter()
            .find(|(k, _)| matches!(k, MapKey::Name(n) if n == name))
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    #[test]
    fn resolves_scalars_like_go_yaml_v3() {
        let tree = one(
            "a: 1\nb: 0x1F\nc: 017\nd: 1.5\ne: true\nf: yes\ng: ~\nh: '1'\ni: 2024-01-01\nj: !!str 5\nk: 1_000\nl: .5\nm: !custom 7\nn: 09\n",
        );
        assert_eq!(entry(&tree, "a"), Value::Int(1));
        assert_eq!(entry(&tree, "b"), Value::Int(31));
        assert_eq!(entry(&tree, "c"), Value::Int(15));
        assert_eq!(entry(&tree, "d"), Value::Float(1.5));
        assert_eq!(entry(&tree, "e"), Value::Bool(true));
        assert_eq!(entry(&tree, "f"), Value::Str("yes".into()));
        assert_eq!(entry(&tree, "g"), Value::Null);
        assert_eq!(entry(&tree, "h"), Value::Str("1".into()));
        assert_eq!(entry(&tree, "i"), Value::Str("2024-01-01".into()));
        assert_eq!(entry(&tree, "j"), Value::Str("5".into()));
        assert_eq!(entry(&tree, "k"), Value::Int(1000));
        assert_eq!(entry(&tree, "l"), Value::Float(0.5));
        assert_eq!(entry(&tree, "m"), Value::Str("7".into()));
        assert_eq!(entry(&tree, "n"), Value::Float(9.0));
    }

    #[test]
    fn aliases_expand_and_bombs_are_bounded() {
        let tree = one("a: &x {k: v}\nb: *x\n");
        assert_eq!(entry(&tree, "b"), entry(&tree, "a"));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(load(bomb.as_bytes()).is_err());
    }

    #[test]
    fn rejects_what_sops_rejects() {
        assert!(load(b"- a\n- b\n").is_err());
        assert!(load(b"just a string\n").is_err());
        assert!(load(b"1: a\n").is_err());
        assert!(load(b"a: 1\na: 2\n").is_err());
        assert!(load(b"a: [\n").is_err());
        let deep = "[".repeat(500);
        assert!(load(format!("a: {deep}").as_bytes()).is_err());
    }

    #[test]
    fn multi_documents() {
        let docs = load(b"a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn layout_and_styles_follow_go_yaml_v3() {
        let docs = load(
            b"top:\n  - a: 1\n    c:\n      d: [x, y]\n  - - inner\n    - - deeper\n  - \"it's\"\n  - \" lead\"\n  - \"x: y\"\n  - \"true\"\n  - \"\"\n  - \"tab\\there\"\n  - \"multi\\nline\"\n  - \" x\\ny\"\n  - 1.0\n  - 1e21\n  - 0.00001\n  - 123456.0\n  - 123456789.5\n  - \"2024-01-01\"\n  - \"1:20\"\n'key: colon': v\n",
        )
        .unwrap();
        let out = String::from_utf8(emit(&docs).unwrap()).unwrap();
        assert_eq!(
            out,
            "top:\n    - a: 1\n      c:\n        d:\n            - x\n            - \"y\"\n    - - inner\n      - - deeper\n    - it's\n    - ' lead'\n    - 'x: y'\n    - \"true\"\n    - \"\"\n    - \"tab\\there\"\n    - |-\n      multi\n      line\n    - |4-\n       x\n      y\n    - 1\n    - 1e+21\n    - 1e-05\n    - 123456\n    - 1.234567895e+08\n    - \"2024-01-01\"\n    - \"1:20\"\n'key: colon': v\n"
        );
    }

    #[test]
    fn emitted_yaml_reads_back_the_same() {
        let source = "str: hello\nquoted: 'true'\nnum: '12'\nint: 12\nfloat: 1.5\nbool: false\nnothing: ~\nempty: ''\nmulti: |\n    line one\n    line two\nnested:\n    list:\n        - a\n        - k: v\n          k2: [1, 2]\n        - - x\n    map: {}\n    seq: []\nspecial: \"a: b # c\"\ncolon: 'x:'\ntab: \"a\\tb\"\ndash: '- x'\nyes: 'yes'\nunicode: \"caf\u{e9}\"\n";
        let docs = load(source.as_bytes()).unwrap();
        let out = emit(&docs).unwrap();
        let again = load(&out).unwrap();
        assert_eq!(docs, again, "{}", String::from_utf8_lossy(&out));
    }
}
