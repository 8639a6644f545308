//! configMapGenerator and secretGenerator.

use crate::error::Error;
use crate::kustomization::{GeneratorArgs, GeneratorOptions};
use crate::loader::Loader;
use crate::resource::{Behavior, GeneratedInfo, Resource};
use crate::value::{Map, Value};
use base64::Engine;
use std::path::Path;

pub fn generate(
    loader: &Loader,
    dir: &Path,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
    secret: bool,
) -> Result<Resource, Error> {
    let kind = if secret { "Secret" } else { "ConfigMap" };
    let behavior = match args.behavior.as_str() {
        "" | "create" => Behavior::Create,
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        // kustomize treats any other value as the default.
        _ => Behavior::Create,
    };
    if args.name.is_empty() {
        return Err(Error::Generator(format!(
            "a {kind} generator must have a name"
        )));
    }
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    for env in &args.envs {
        let text = loader.read_string(dir, env)?;
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (k, v) = match trimmed.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (
                    trimmed.to_string(),
                    std::env::var(trimmed).unwrap_or_default(),
                ),
            };
            if k.is_empty() || k.contains(char::is_whitespace) {
                return Err(Error::Generator(format!(
                    "invalid key in env file {env} line {}: {k:?} is not a valid env var name",
                    i + 1
                )));
            }
            pairs.push((k, v.into_bytes()));
        }
    }
    for lit in &args.literals {
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(Error::Generator(format!(
                "invalid literal source {lit}, expected key=value"
            )));
        };
        pairs.push((k.to_string(), remove_quotes(v).into_bytes()));
    }
    for f in &args.files {
        let (key, path) = match f.split_once('=') {
            Some((k, p)) => {
                if k.is_empty() {
                    return Err(Error::Generator(format!(
                        "key names or file paths cannot be empty: {f}"
                    )));
                }
                (k.to_string(), p.to_string())
            }
            None => {
                let base = Path::new(f)
                    .file_name()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                (base, f.clone())
            }
        };
        let content = loader.read_file(dir, &path)?;
        pairs.push((key, content));
    }
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in pairs {
        if data.contains_key(&k) || binary.contains_key(&k) {
            return Err(Error::Generator(format!(
                "configmap {} illegally repeats the key `{k}`",
                args.name
            )));
        }
        if secret {
            data.insert(k, Value::Str(encode_base64_wrapped(&v)));
        } else {
            match String::from_utf8(v) {
                Ok(s) => {
                    data.insert(k, Value::Str(s));
                }
                Err(e) => {
                    binary.insert(k, Value::Str(encode_base64_wrapped(&e.into_bytes())));
                }
            }
        }
    }
    let mut meta = Map::new();
    meta.insert("name".into(), Value::Str(args.name.clone()));
    if !args.namespace.is_empty() {
        meta.insert("namespace".into(), Value::Str(args.namespace.clone()));
    }
    // Per-generator options override the global ones, key by key.
    let mut labels = Map::new();
    let mut annotations = Map::new();
    let mut disable_hash = false;
    let mut immutable = false;
    for o in [global, args.options.as_ref()].into_iter().flatten() {
        for (k, v) in &o.labels {
            labels.insert(k.clone(), Value::Str(v.clone()));
        }
        for (k, v) in &o.annotations {
            annotations.insert(k.clone(), Value::Str(v.clone()));
        }
        if let Some(d) = o.disable_name_suffix_hash {
            disable_hash = disable_hash || d;
        }
        if let Some(i) = o.immutable {
            immutable = immutable || i;
        }
    }
    if !labels.is_empty() {
        meta.insert("labels".into(), Value::Map(labels));
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), Value::Map(annotations));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), Value::Str("v1".into()));
    obj.insert("kind".into(), Value::Str(kind.into()));
    obj.insert("metadata".into(), Value::Map(meta));
    if secret {
        obj.insert(
            "type".into(),
            Value::Str(args.secret_type.clone().unwrap_or_else(|| "Opaque".into())),
        );
    }
    // kyaml creates a Secret's data map even when empty; a ConfigMap's only when used.
    if !data.is_empty() || secret {
        obj.insert("data".into(), Value::Map(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Map(binary));
    }
    if immutable {
        obj.insert("immutable".into(), Value::Bool(true));
    }
    let mut r = Resource::new(Value::Map(obj));
    r.generated = Some(GeneratedInfo {
        needs_hash: !disable_hash,
        behavior,
    });
    Ok(r)
}

/// kyaml's base64 for Secret data and ConfigMap binaryData: 70-column lines, each ended
/// by a newline once the encoding reaches 70 characters.
fn encode_base64_wrapped(bytes: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    if enc.len() < 70 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / 70 + 1);
    for chunk in enc.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn remove_quotes(v: &str) -> String {
    let b = v.as_bytes();
    if b.len() >= 2
        && ((b[0] == b'"' && b[b.len() - 1] == b'"') || (b[0] == b'\'' && b[b.len() - 1] == b'\''))
    {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

/// Go's encoding/json output for a value, keys sorted, HTML characters escaped.
pub fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::UInt(u) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&crate::yaml::format_go_float(*f)),
        Value::Str(s) => json_string(s, out),
        Value::Seq(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(it, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                go_json(v, out);
            }
            out.push('}');
        }
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// kustomize's content hash suffix for a ConfigMap or Secret (the name is not hashed).
pub fn content_hash(r: &Resource) -> String {
    use sha2::Digest;
    let obj = &r.obj;
    let field = |k: &str| match obj.get(k) {
        None | Some(Value::Null) => Value::Str(String::new()),
        Some(Value::Map(m)) => Value::Map(m.clone()),
        Some(other) => Value::Str(other.scalar_string().unwrap_or_default()),
    };
    let mut m = Map::new();
    m.insert("name".into(), Value::Str(String::new()));
    m.insert("data".into(), field("data"));
    match r.kind() {
        "ConfigMap" => {
            m.insert("kind".into(), Value::Str("ConfigMap".into()));
            if let Some(Value::Map(b)) = obj.get("binaryData") {
                m.insert("binaryData".into(), Value::Map(b.clone()));
            }
        }
        "Secret" => {
            m.insert("kind".into(), Value::Str("Secret".into()));
            m.insert("type".into(), field("type"));
            if let Some(Value::Map(b)) = obj.get("stringData") {
                m.insert("stringData".into(), Value::Map(b.clone()));
            }
        }
        _ => {
            m = obj.as_map().cloned().unwrap_or_default();
        }
    }
    let mut json = String::new();
    go_json(&Value::Map(m), &mut json);
    let hex = hex_lower(&sha2::Sha256::digest(json.as_bytes()));
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
