//! sops' dotenv store: `KEY=value` lines (split at the first `=`, `\n` escapes), `#` comments,
//! metadata flattened into `sops_*` keys.

use crate::tree::{MapKey, Value};
use crate::{Format, SopsError};

pub(crate) fn load(data: &[u8]) -> Result<Value, SopsError> {
    let mut entries = Vec::new();
    for (number, line) in data.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let line = std::str::from_utf8(line).map_err(|_| {
            SopsError::parse(Format::Dotenv, format!("line {} is not UTF-8", number + 1))
        })?;
        if let Some(comment) = line.strip_prefix('#') {
            entries.push((MapKey::Comment(comment.to_string()), Value::Null));
            continue;
        }
        // The message names the line, not its content: it may be a secret.
        let (key, value) = line.split_once('=').ok_or_else(|| {
            SopsError::parse(
                Format::Dotenv,
                format!("invalid dotenv input line {} (no '=')", number + 1),
            )
        })?;
        entries.push((
            MapKey::Name(key.to_string()),
            Value::Str(value.replace("\\n", "\n")),
        ));
    }
    Ok(Value::Map(entries))
}

pub(crate) fn emit(branch: &Value) -> Result<Vec<u8>, SopsError> {
    let Value::Map(entries) = branch else {
        return Err(SopsError::emit(Format::Dotenv, "document is not a mapping"));
    };
    let mut out = String::new();
    for (key, value) in entries {
        if matches!(value, Value::Map(_) | Value::List(_)) {
            let name = match key {
                MapKey::Name(n) => n.as_str(),
                MapKey::Comment(_) => "",
            };
            return Err(SopsError::emit(
                Format::Dotenv,
                format!("cannot use complex value in dotenv file; offending key {name}"),
            ));
        }
        match key {
            MapKey::Comment(text) => {
                out.push('#');
                out.push_str(text);
            }
            MapKey::Name(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(&value_to_string(value));
            }
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// sops' `ValToString` (strings get their newlines escaped).
fn value_to_string(value: &Value) -> String {
    match value {
        Value::Str(s) => s.replace('\n', "\\n"),
        Value::Time(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => go_float_g(*f),
        Value::Bytes(b) => format!("{b:?}"),
        Value::Null => "<nil>".into(),
        Value::Map(_) | Value::List(_) => String::new(),
    }
}

/// Go's `FormatFloat(f, 'G', -1, 64)`, with `.0` added to integral values as sops does.
fn go_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Shortest digits and decimal exponent, from Rust's shortest scientific form.
    let scientific = format!("{f:E}");
    let (mantissa, exponent) = scientific.split_once('E').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let text = if f != 0.0 && !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}E{sign}{:02}", exponent.unsigned_abs())
    } else {
        format!("{f}")
    };
    if !text.contains('.') && !text.contains('E') {
        format!("{f:.1}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_lines_comments_and_escapes() {
        let tree = load(b"# note\nA=1\n\nB=x=y\\nz\n").unwrap();
        assert_eq!(
            tree,
            Value::Map(vec![
                (MapKey::Comment(" note".into()), Value::Null),
                (MapKey::Name("A".into()), Value::Str("1".into())),
                (MapKey::Name("B".into()), Value::Str("x=y\nz".into())),
            ])
        );
        assert_eq!(emit(&tree).unwrap(), b"# note\nA=1\nB=x=y\\nz\n");
        let err = load(b"SECRETVALUE\n").unwrap_err().to_string();
        assert!(!err.contains("SECRETVALUE"), "{err}");
    }

    #[test]
    fn floats_as_sops_writes_them() {
        assert_eq!(go_float_g(1.0), "1.0");
        assert_eq!(go_float_g(1.5), "1.5");
        assert_eq!(go_float_g(0.00001), "1E-05");
        assert_eq!(go_float_g(1234567.0), "1.234567E+06");
        assert_eq!(go_float_g(123456.0), "123456.0");
    }
}
