//! YAML and JSON as Helm sees them: parsing goes YAML -> JSON -> interface{} (so numbers are
//! float64 and keys strings), and `toYaml` is sigs.k8s.io/yaml: JSON, then go-yaml v2's emitter
//! (80-column folding, indentless sequences, quoting of strings that would read back as other types).

use std::fmt::Write as _;
use std::rc::Rc;

use base64::Engine as _;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::value::{Map, Object, Value, format_float_g};

/// Deepest nesting emitted or parsed, to bound recursion on self-referencing maps.
const MAX_NEST: usize = 400;

/// A parsed YAML node before conversion to template values.
enum Node {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v as i128))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v as i128))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut v = Vec::new();
        while let Some(e) = seq.next_element::<Node>()? {
            v.push(e);
        }
        Ok(Node::Seq(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut v = Vec::new();
        while let Some((k, e)) = map.next_entry::<Node, Node>()? {
            v.push((k, e));
        }
        Ok(Node::Map(v))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

fn key_string(k: Node) -> String {
    match k {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => format_float_g(f),
        Node::Str(s) => s,
        Node::Seq(_) | Node::Map(_) => String::from("?"),
    }
}

fn node_value(n: Node, depth: usize) -> Result<Value, String> {
    if depth > MAX_NEST {
        return Err("YAML nested too deeply".into());
    }
    Ok(match n {
        Node::Null => Value::Nil,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::Float(i as f64),
        Node::Float(f) => {
            if !f.is_finite() {
                return Err("json: unsupported value: non-finite float".into());
            }
            Value::Float(f)
        }
        Node::Str(s) => Value::from(s),
        Node::Seq(v) => Value::from(
            v.into_iter()
                .map(|e| node_value(e, depth + 1))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Node::Map(entries) => {
            let mut m = Map::new();
            for (k, e) in entries {
                m.insert(key_string(k), node_value(e, depth + 1)?);
            }
            Value::from(m)
        }
    })
}

/// The YAML parser's limits for a document of `len` bytes. Its defaults (250,000 nodes) are
/// below what large values files and chart indexes hold, while their size is bounded by the
/// callers; the alias limits that stop expansion bombs stay as they are.
pub(crate) fn scaled_budget(len: usize) -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    budget
}

fn saphyr_options(len: usize) -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(scaled_budget(len));
    o.legacy_octal_numbers = true;
    // go-yaml v2 (what Helm reads values with) lets a repeated key's last value win
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    o
}

/// Parses one YAML document into template values (numbers become float64, as in Helm).
pub fn parse_yaml(src: &str) -> Result<Value, String> {
    if src.trim().is_empty() {
        return Ok(Value::Nil);
    }
    let docs: Vec<Node> = serde_saphyr::from_multiple_with_options(src, saphyr_options(src.len()))
        .map_err(|e| format!("yaml: {e}"))?;
    match docs.into_iter().next() {
        Some(n) => node_value(n, 0),
        None => Ok(Value::Nil),
    }
}

/// Parses JSON into template values (numbers become float64, as Go's json.Unmarshal does).
pub fn parse_json(src: &str) -> Result<Value, String> {
    let v: serde_json::Value = serde_json::from_str(src).map_err(|e| e.to_string())?;
    Ok(from_json(v))
}

pub fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::from(s),
        serde_json::Value::Array(a) => {
            Value::from(a.into_iter().map(from_json).collect::<Vec<_>>())
        }
        serde_json::Value::Object(o) => {
            let mut m = Map::new();
            for (k, e) in o {
                m.insert(k, from_json(e));
            }
            Value::from(m)
        }
    }
}

/// A value as JSON sees it: what json.Marshal would produce, as a tree.
#[derive(Debug, Clone)]
pub enum J {
    Null,
    Bool(bool),
    /// A JSON number literal as Go prints it.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

pub fn to_j(v: &Value, depth: usize) -> Result<J, String> {
    if depth > MAX_NEST {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    Ok(match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) | Value::Int64(i) => J::Num(i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!("json: unsupported value: {}", format_float_g(*f)));
            }
            J::Num(json_float(*f))
        }
        Value::Str(s) => J::Str(s.to_string()),
        Value::List(l) => J::Arr(
            l.iter()
                .map(|e| to_j(e, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => J::Obj(
            m.borrow()
                .iter()
                .map(|(k, e)| Ok((k.clone(), to_j(e, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Object(o) => match &**o {
            Object::ApiVersions(a) => J::Arr(a.iter().map(|s| J::Str(s.clone())).collect()),
            Object::Files(f) => J::Obj(
                f.entries()
                    .iter()
                    .map(|(k, d)| {
                        (
                            k.clone(),
                            J::Str(base64::engine::general_purpose::STANDARD.encode(d)),
                        )
                    })
                    .collect(),
            ),
            Object::Struct { fields, .. } => J::Obj(
                fields
                    .iter()
                    .map(|(k, e)| Ok((k.clone(), to_j(e, depth + 1)?)))
                    .collect::<Result<_, String>>()?,
            ),
            Object::Time(t) => J::Str(t.rfc3339nano()),
            Object::Semver(s) => J::Str(s.to_canonical()),
        },
    })
}

/// Go's encoding/json float format.
pub fn json_float(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format_float_g(f);
        // Go cleans e-07 to e-7
        if let Some(i) = s.find("e-0") {
            return format!("{}e-{}", &s[..i], &s[i + 3..]);
        }
        if let Some(i) = s.find("e+0") {
            return format!("{}e+{}", &s[..i], &s[i + 3..]);
        }
        return s;
    }
    let (neg, digits, exp) = crate::value::shortest_digits(f);
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    crate::value::fixed_from_digits(neg, &digits, exp, None)
}

fn json_escape(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// json.Marshal / MarshalIndent(v, "", indent).
pub fn write_json(out: &mut String, j: &J, html: bool, indent: Option<&str>, level: usize) {
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => json_escape(out, s, html),
        J::Arr(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(ind) = indent {
                    out.push('\n');
                    out.push_str(&ind.repeat(level + 1));
                }
                write_json(out, e, html, indent, level + 1);
            }
            if let Some(ind) = indent {
                out.push('\n');
                out.push_str(&ind.repeat(level));
            }
            out.push(']');
        }
        J::Obj(o) => {
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, e)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(ind) = indent {
                    out.push('\n');
                    out.push_str(&ind.repeat(level + 1));
                }
                json_escape(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, e, html, indent, level + 1);
            }
            if let Some(ind) = indent {
                out.push('\n');
                out.push_str(&ind.repeat(level));
            }
            out.push('}');
        }
    }
}

pub fn to_json_string(v: &Value, html: bool, indent: Option<&str>) -> Result<String, String> {
    let j = to_j(v, 0)?;
    let mut out = String::new();
    write_json(&mut out, &j, html, indent, 0);
    Ok(out)
}

/// sigs.k8s.io/yaml.Marshal(v) (with the trailing newline).
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let j = to_j(v, 0)?;
    let mut e = Emitter::default();
    e.node(&j, 0, Ctx::Top);
    if e.pending_newline || !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    Ok(e.out)
}

/// Helm's toYamlPretty: go-yaml v3 with two-space indents (sequences indented under keys).
pub fn to_yaml_pretty(v: &Value) -> Result<String, String> {
    let j = to_j(v, 0)?;
    let mut e = Emitter {
        pretty: true,
        ..Default::default()
    };
    e.node(&j, 0, Ctx::Top);
    if e.pending_newline || !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    Ok(e.out)
}

/// A YAML scalar as go-yaml v2 reads a JSON number back: int, uint or float.
fn yaml_number(n: &str) -> String {
    if let Ok(i) = n.parse::<i64>() {
        return i.to_string();
    }
    if let Ok(u) = n.parse::<u64>() {
        return u.to_string();
    }
    match n.parse::<f64>() {
        Ok(f) => format_float_g(f),
        Err(_) => n.to_string(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    MapValue,
    SeqItem,
}

#[derive(Default)]
struct Emitter {
    out: String,
    column: usize,
    /// A block scalar's final line break was held back; the stream end writes it.
    pending_newline: bool,
    /// go-yaml v3 layout: sequences indented under their key, no line folding.
    pretty: bool,
}

const BEST_WIDTH: usize = 80;

impl Emitter {
    fn width(&self) -> usize {
        if self.pretty { usize::MAX } else { BEST_WIDTH }
    }
}

impl Emitter {
    fn put(&mut self, s: &str) {
        self.pending_newline = false;
        for c in s.chars() {
            if c == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.out.push_str(s);
    }

    fn newline_indent(&mut self, indent: usize) {
        self.pending_newline = false;
        self.out.push('\n');
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.column = indent;
    }

    /// Emits node `j` whose block content is indented at `indent`.
    fn node(&mut self, j: &J, indent: usize, ctx: Ctx) {
        match j {
            J::Obj(o) if !o.is_empty() => {
                let mut o: Vec<&(String, J)> = o.iter().collect();
                o.sort_by(|a, b| yaml_key_order(&a.0, &b.0));
                for (i, (k, v)) in o.into_iter().enumerate() {
                    if i > 0 || ctx == Ctx::MapValue {
                        self.newline_indent(indent);
                    }
                    self.scalar_str(k, indent + 2, true);
                    self.put(":");
                    match v {
                        J::Obj(inner) if !inner.is_empty() => {
                            self.node(v, indent + 2, Ctx::MapValue)
                        }
                        J::Arr(inner) if !inner.is_empty() => {
                            let seq_indent = if self.pretty { indent + 2 } else { indent };
                            self.node(v, seq_indent, Ctx::MapValue)
                        }
                        _ => {
                            self.put(" ");
                            self.scalar(v, indent + 2);
                        }
                    }
                }
            }
            J::Arr(a) if !a.is_empty() => {
                for (i, v) in a.iter().enumerate() {
                    if i > 0 || ctx == Ctx::MapValue {
                        self.newline_indent(indent);
                    }
                    self.put("- ");
                    match v {
                        J::Obj(inner) if !inner.is_empty() => {
                            self.node(v, indent + 2, Ctx::SeqItem)
                        }
                        J::Arr(inner) if !inner.is_empty() => {
                            self.node(v, indent + 2, Ctx::SeqItem)
                        }
                        _ => self.scalar(v, indent + 2),
                    }
                }
            }
            _ => self.scalar(j, indent + 2),
        }
    }

    fn scalar(&mut self, j: &J, indent: usize) {
        match j {
            J::Null => self.put("null"),
            J::Bool(b) => self.put(if *b { "true" } else { "false" }),
            J::Num(n) => {
                let s = yaml_number(n);
                self.put(&s)
            }
            J::Str(s) => self.scalar_str(s, indent, false),
            J::Arr(_) => self.put("[]"),
            J::Obj(_) => self.put("{}"),
        }
    }

    fn scalar_str(&mut self, s: &str, indent: usize, simple_key: bool) {
        let a = analyze(s);
        let can_plain = resolves_to_str(s) && !is_base60_float(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if can_plain {
            Style::Plain
        } else {
            Style::Double
        };
        if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        let breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(s, indent, breaks),
            Style::Single => self.write_single(s, indent, breaks),
            Style::Double => self.write_double(s, indent, breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.newline_indent(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
    }

    fn put_char(&mut self, c: char) {
        self.out.push(c);
        if c == '\n' {
            self.column = 0;
        } else {
            self.column += 1;
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put("'");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width()
                    && i != 0
                    && i != chars.len() - 1
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.newline_indent(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else if is_break_char(c) {
                if !breaks && c == '\n' {
                    self.out.push('\n');
                }
                self.out.push('\n');
                self.column = 0;
                breaks = true;
            } else {
                if breaks {
                    for _ in 0..indent {
                        self.out.push(' ');
                    }
                    self.column = indent;
                }
                if c == '\'' {
                    self.put_char('\'');
                }
                self.put_char(c);
                spaces = false;
                breaks = false;
            }
        }
        self.put("'");
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break_char(c) || c == '"' || c == '\\' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\x07' => "\\a".into(),
                    '\x08' => "\\b".into(),
                    '\t' => "\\t".into(),
                    '\n' => "\\n".into(),
                    '\x0b' => "\\v".into(),
                    '\x0c' => "\\f".into(),
                    '\r' => "\\r".into(),
                    '\x1b' => "\\e".into(),
                    '"' => "\\\"".into(),
                    '\\' => "\\\\".into(),
                    '\u{85}' => "\\N".into(),
                    '\u{a0}' => "\\_".into(),
                    '\u{2028}' => "\\L".into(),
                    '\u{2029}' => "\\P".into(),
                    c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.put(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width()
                    && i != 0
                    && i != chars.len() - 1
                {
                    self.newline_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
        self.put("\"");
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put("|");
        let first = s.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break_char(c)) {
            self.put("2");
        }
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let chomp = if n == 0 || !is_break_char(chars[n - 1]) {
            "-"
        } else if n == 1 || is_break_char(chars[n - 2]) {
            "+"
        } else {
            ""
        };
        self.put(chomp);
        self.out.push('\n');
        self.column = 0;
        let mut breaks = true;
        for &c in &chars {
            if is_break_char(c) {
                self.out.push('\n');
                self.column = 0;
                breaks = true;
            } else {
                if breaks {
                    for _ in 0..indent {
                        self.out.push(' ');
                    }
                    self.column = indent;
                    breaks = false;
                }
                self.put_char(c);
            }
        }
        // the block ends with its last line break: the emitter continues on a fresh line
        if self.out.ends_with('\n') {
            self.out.pop();
            self.pending_newline = true;
        }
    }
}

/// go-yaml v2's map key order: a natural sort where runs of digits compare as numbers and
/// non-letters come before letters (so "a9" < "a10" and "_x" < "010").
pub fn yaml_key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if a == b {
        return Ordering::Equal;
    }
    if key_less(a, b) {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

fn key_less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            for j in (0..i).rev() {
                if !ar[j].is_ascii_digit() {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[derive(PartialEq, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn is_break_char(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// go-yaml's yaml_emitter_analyze_scalar, for block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_ind = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut preceded_ws = true;
    let is_blank = |c: Option<&char>| matches!(c, Some(' ') | Some('\t'));
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let followed_ws = i + 1 >= n
            || is_blank(chars.get(i + 1))
            || chars.get(i + 1).is_some_and(|c| is_break_char(*c));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_ind = true,
                '?' | ':' | '-' if followed_ws => block_ind = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_ws => block_ind = true,
                '#' if preceded_ws => block_ind = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break_char(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = c == ' ' || c == '\t' || is_break_char(c);
    }
    let mut a = Analysis {
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_ind {
        a.block_plain_allowed = false;
    }
    a
}

/// go-yaml v2's resolve(): would this plain scalar read back as a string?
fn resolves_to_str(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let Some(first) = s.bytes().next() else {
        return false;
    };
    match first {
        b'.' => s.parse::<f64>().is_err(),
        b'+' | b'-' | b'0'..=b'9' => {
            if is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            if crate::funcs::parse_go_int(&plain).is_some() || parse_go_uint(&plain) {
                return false;
            }
            if is_yaml_float(&plain) {
                return false;
            }
            if let Some(b) = plain
                .strip_prefix("0b")
                .or_else(|| plain.strip_prefix("-0b"))
                && !b.is_empty()
                && b.bytes().all(|c| c == b'0' || c == b'1')
            {
                return false;
            }
            true
        }
        _ => true,
    }
}

fn parse_go_uint(s: &str) -> bool {
    !s.starts_with('-')
        && s.bytes().all(|c| c.is_ascii_digit())
        && !s.is_empty()
        && s.parse::<u64>().is_ok()
}

fn is_yaml_float(s: &str) -> bool {
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let i = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    crate::funcs::dates::parse_layout("2006-1-2T15:4:5.999999999Z07:00", s).is_some()
        || crate::funcs::dates::parse_layout("2006-1-2t15:4:5.999999999Z07:00", s).is_some()
        || crate::funcs::dates::parse_layout("2006-1-2 15:4:5.999999999", s).is_some()
        || crate::funcs::dates::parse_layout("2006-1-2", s).is_some()
}

fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, _frac) = match s.split_once('.') {
        Some((m, f)) => {
            if !f.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                return false;
            }
            (m, f)
        }
        None => (s, ""),
    };
    let mut parts = main.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    if head.is_empty()
        || !head.as_bytes()[0].is_ascii_digit()
        || !head.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = match p.len() {
            1 => p.as_bytes()[0].is_ascii_digit(),
            2 => (b'0'..=b'5').contains(&p.as_bytes()[0]) && p.as_bytes()[1].is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    n > 0
}

/// Converts a value to its JSON form and back, as Helm's values pass through JSON.
pub fn normalize(v: &Value) -> Value {
    match to_j(v, 0) {
        Ok(j) => j_value(j),
        Err(_) => v.clone(),
    }
}

fn j_value(j: J) -> Value {
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(b),
        J::Num(n) => Value::Float(n.parse().unwrap_or(0.0)),
        J::Str(s) => Value::from(s),
        J::Arr(a) => Value::List(Rc::new(a.into_iter().map(j_value).collect())),
        J::Obj(o) => {
            let mut m = Map::new();
            for (k, e) in o {
                m.insert(k, j_value(e));
            }
            Value::from(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_values_files_parse() {
        // 100,000 keys with list values: about 400,000 nodes, past the parser's default budget.
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!("key{i}: [a, b]\n"));
        }
        let Value::Map(m) = parse_yaml(&text).unwrap() else {
            panic!("a map");
        };
        assert_eq!(m.borrow().len(), 100_000);
        // Alias expansion is still bounded.
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse_yaml(&bomb).is_err());
    }
}
