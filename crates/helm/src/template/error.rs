//! Template errors, kept as Go's chain of wrapped errors so Helm's reformatting can be reproduced.

use std::fmt;

#[derive(Debug, Clone)]
pub struct TplError {
    text: String,
    /// True for Go's template.ExecError (what ExecuteTemplate returns).
    is_exec: bool,
    /// The error this one wraps with `%w`, if any.
    inner: Option<Box<TplError>>,
}

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

impl TplError {
    /// An error returned by a function (Go's errors.New).
    pub fn plain(msg: impl Into<String>) -> Self {
        TplError {
            text: msg.into(),
            is_exec: false,
            inner: None,
        }
    }

    /// Helm's `fail`/`required` errors, marked so the engine reports them as "execution error at".
    pub fn warn(msg: &str) -> Self {
        TplError::plain(format!("{WARN_START}{msg}{WARN_END}"))
    }

    pub fn exec(prefix: String, msg: String, inner: Option<Box<TplError>>) -> Self {
        TplError {
            text: prefix + &msg,
            is_exec: true,
            inner,
        }
    }

    /// A `fmt.Errorf("...: %w", inner)` that is not an ExecError.
    pub fn wrap(text: String, inner: TplError) -> Self {
        TplError {
            text,
            is_exec: false,
            inner: Some(Box::new(inner)),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Helm's reformatExecErrorMsg for an error from executing template `filename`.
    pub fn helm_message(&self, filename: &str) -> String {
        if !self.is_exec {
            return self.text.clone();
        }
        let tokens: Vec<&str> = self.text.splitn(3, ": ").collect();
        if tokens.len() != 3 {
            return format!("execution error in ({filename}): {}", self.text);
        }
        let location = tokens[1];
        if let Some(s) = tokens[2].find(WARN_START)
            && let Some(e) = tokens[2].rfind(WARN_END)
            && e >= s + WARN_START.len()
        {
            return format!(
                "execution error at ({location}): {}",
                &tokens[2][s + WARN_START.len()..e]
            );
        }
        let mut parts: Vec<Traceable> = Vec::new();
        let mut cur = Some(self);
        while let Some(e) = cur {
            match parse_traceable(&e.text) {
                Some(t) => {
                    if parts.last() != Some(&t) {
                        parts.push(t);
                    }
                }
                None => return self.text.clone(),
            }
            cur = e.inner.as_deref();
        }
        let mut out = String::new();
        for p in parts {
            if !p.location.is_empty() {
                out.push_str(&p.location);
                out.push_str("\n  ");
            }
            if !p.function.is_empty() {
                out.push_str(&p.function);
                out.push_str("\n    ");
            }
            if !p.message.is_empty() {
                out.push_str(&p.message);
                out.push('\n');
            }
        }
        out.trim().to_string()
    }
}

#[derive(PartialEq)]
struct Traceable {
    location: String,
    message: String,
    function: String,
}

fn parse_traceable(s: &str) -> Option<Traceable> {
    let rem = s.strip_prefix("template: ")?;
    if rem.starts_with("no template ") {
        return Some(Traceable {
            location: String::new(),
            message: s.to_string(),
            function: String::new(),
        });
    }
    if let Some((name, after)) = rem.split_once(": executing ") {
        let after = after.strip_prefix('"')?;
        let end = after.find('"')?;
        let func = &after[..end];
        let after_at = after[end + 1..].strip_prefix(" at <")?;
        let (loc, mut msg) = after_at.split_once(">: ")?;
        if let Some(cut) = msg.find(" template:") {
            msg = &msg[..cut];
        }
        return Some(Traceable {
            location: name.to_string(),
            message: msg.to_string(),
            function: format!("executing \"{func}\" at <{loc}>:"),
        });
    }
    let sep = rem.rfind(": ")?;
    let mut msg = &rem[sep + 2..];
    if let Some(cut) = msg.find(" template:") {
        msg = &msg[..cut];
    }
    Some(Traceable {
        location: rem[..sep].to_string(),
        message: msg.to_string(),
        function: String::new(),
    })
}

impl fmt::Display for TplError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for TplError {}
