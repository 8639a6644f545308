//! Authentication by bearer token, and the tokens file.
//!
//! Tokens file format (as kube-apiserver's `--token-auth-file`): one CSV line per token,
//! `token,user,uid,"group1,group2"` (the groups column is optional; lines starting with `#` and
//! blank lines are ignored).

use std::collections::HashMap;
use std::path::Path;

/// The authenticated (or impersonated) user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == "system:masters")
    }
}

pub const ADMIN_USER: &str = "kubernetes-admin";

#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("tokens file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("tokens file {path} line {line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
}

/// Split one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    out.push(cur);
    Ok(out)
}

/// Parse a tokens file's text into token -> user.
pub fn parse_tokens(text: &str, path: &str) -> Result<HashMap<String, User>, TokensError> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let syntax = |message: String| TokensError::Syntax {
            path: path.into(),
            line: i + 1,
            message,
        };
        let cols = split_csv(line).map_err(syntax)?;
        if cols.len() < 3 {
            return Err(syntax("expected token,user,uid[,\"group1,group2\"]".into()));
        }
        if cols[0].is_empty() || cols[1].is_empty() {
            return Err(syntax("token and user must not be empty".into()));
        }
        let mut groups: Vec<String> = cols
            .get(3)
            .map(|g| {
                g.split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        groups.push("system:authenticated".into());
        out.insert(
            cols[0].clone(),
            User {
                name: cols[1].clone(),
                groups,
            },
        );
    }
    Ok(out)
}

pub fn read_tokens_file(path: &Path) -> Result<HashMap<String, User>, TokensError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| TokensError::Io {
        path: p.clone(),
        source,
    })?;
    parse_tokens(&text, &p)
}

/// The groups kube-apiserver gives a ServiceAccount user.
pub fn service_account_groups(user: &str) -> Option<Vec<String>> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    if ns.is_empty() || name.is_empty() {
        return None;
    }
    Some(vec![
        "system:serviceaccounts".into(),
        format!("system:serviceaccounts:{ns}"),
        "system:authenticated".into(),
    ])
}

pub struct Authenticator {
    admin_token: String,
    tokens: HashMap<String, User>,
}

impl Authenticator {
    pub fn new(admin_token: String, tokens: HashMap<String, User>) -> Self {
        Authenticator {
            admin_token,
            tokens,
        }
    }

    /// The user a bearer token belongs to.
    pub fn authenticate(&self, authorization: Option<&str>) -> Option<User> {
        let token = authorization?.strip_prefix("Bearer ")?.trim();
        if token.is_empty() {
            return None;
        }
        if token == self.admin_token {
            return Some(User {
                name: ADMIN_USER.into(),
                groups: vec!["system:masters".into(), "system:authenticated".into()],
            });
        }
        let mut user = self.tokens.get(token)?.clone();
        if let Some(sa_groups) = service_account_groups(&user.name) {
            for g in sa_groups {
                if !user.groups.contains(&g) {
                    user.groups.push(g);
                }
            }
        }
        Some(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_file_parses_groups_and_service_accounts() {
        let t = parse_tokens(
            "# comment\nabc,alice,1,\"dev,ops\"\nsa,system:serviceaccount:flux:kc,2\n",
            "f",
        )
        .unwrap();
        assert_eq!(t["abc"].groups, vec!["dev", "ops", "system:authenticated"]);
        let a = Authenticator::new("admin".into(), t);
        let sa = a.authenticate(Some("Bearer sa")).unwrap();
        assert!(
            sa.groups
                .contains(&"system:serviceaccounts:flux".to_string())
        );
        assert!(a.authenticate(Some("Bearer admin")).unwrap().is_admin());
        assert!(a.authenticate(Some("Bearer nope")).is_none());
        assert!(a.authenticate(None).is_none());
        assert!(parse_tokens("onlytoken", "f").is_err());
    }
}
