//! Lexer for Go's text/template syntax with `{{`/`}}` delimiters, trim markers and comments.

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Text(String),
    Left,
    Right,
    Space,
    Field(String),
    Variable(String),
    Dot,
    Str(String),
    RawStr(String),
    Char(String),
    Number(String),
    Bool(bool),
    Nil,
    Ident(String),
    Keyword(&'static str),
    Pipe,
    LParen,
    RParen,
    Comma,
    Declare,
    Assign,
    /// Any other printable ASCII character (Go's itemChar): the parser reports it in context.
    Other(char),
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
}

pub type LexError = (usize, String);

const KEYWORDS: &[&str] = &[
    "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
];

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits the whole template into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0usize;
    let mut trim_next_text = false;
    while i < b.len() {
        // text up to the next "{{"
        let start = i;
        let next = src[i..].find("{{").map(|p| p + i);
        let end = next.unwrap_or(b.len());
        let mut text_end = end;
        let mut left_trim = false;
        if let Some(n) = next
            && b.get(n + 2) == Some(&b'-')
            && b.get(n + 3).is_some_and(|c| is_space(*c))
        {
            left_trim = true;
            while text_end > start && is_space(b[text_end - 1]) {
                text_end -= 1;
            }
        }
        let mut text_start = start;
        if trim_next_text {
            while text_start < text_end && is_space(b[text_start]) {
                text_start += 1;
            }
            trim_next_text = false;
        }
        if text_end > text_start {
            out.push(Token {
                tok: Tok::Text(src[text_start..text_end].to_string()),
                pos: text_start,
            });
        }
        let Some(n) = next else { break };
        // action
        let mut j = n + 2;
        if left_trim {
            j += 2;
        }
        // comment?
        if src[j..].starts_with("/*") {
            let Some(close) = src[j + 2..].find("*/") else {
                return Err((n, "unclosed comment".into()));
            };
            let mut k = j + 2 + close + 2;
            let mut right_trim = false;
            if k < b.len() && is_space(b[k]) && src[k + 1..].starts_with("-}}") {
                right_trim = true;
                k += 4;
            } else if src[k..].starts_with("}}") {
                k += 2;
            } else {
                return Err((n, "comment ends before closing delimiter".into()));
            }
            trim_next_text = right_trim;
            i = k;
            continue;
        }
        out.push(Token {
            tok: Tok::Left,
            pos: n,
        });
        i = lex_inside(src, j, &mut out, &mut trim_next_text)?;
    }
    out.push(Token {
        tok: Tok::Eof,
        pos: b.len(),
    });
    Ok(out)
}

/// Lexes tokens inside an action starting at `i`; returns the index after the closing `}}`.
fn lex_inside(
    src: &str,
    mut i: usize,
    out: &mut Vec<Token>,
    trim_next: &mut bool,
) -> Result<usize, LexError> {
    let b = src.as_bytes();
    let mut paren_depth = 0i32;
    loop {
        if i >= b.len() {
            return Err((i, "unclosed action".into()));
        }
        // right delimiter, possibly with trim marker
        if is_space(b[i]) && src[i + 1..].starts_with("-}}") {
            out.push(Token {
                tok: Tok::Space,
                pos: i,
            });
            out.push(Token {
                tok: Tok::Right,
                pos: i + 1,
            });
            *trim_next = true;
            return Ok(i + 4);
        }
        if src[i..].starts_with("}}") {
            if paren_depth > 0 {
                return Err((i, "unclosed left paren".into()));
            }
            out.push(Token {
                tok: Tok::Right,
                pos: i,
            });
            return Ok(i + 2);
        }
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                let s = i;
                // stop before a space that starts a " -}}" trim marker: the loop head handles it
                while i < b.len() && is_space(b[i]) && !src[i + 1..].starts_with("-}}") {
                    i += 1;
                }
                if i > s {
                    out.push(Token {
                        tok: Tok::Space,
                        pos: s,
                    });
                }
            }
            b'=' => {
                out.push(Token {
                    tok: Tok::Assign,
                    pos: i,
                });
                i += 1;
            }
            b':' => {
                if b.get(i + 1) != Some(&b'=') {
                    return Err((i, "expected :=".into()));
                }
                out.push(Token {
                    tok: Tok::Declare,
                    pos: i,
                });
                i += 2;
            }
            b'|' => {
                out.push(Token {
                    tok: Tok::Pipe,
                    pos: i,
                });
                i += 1;
            }
            b',' => {
                out.push(Token {
                    tok: Tok::Comma,
                    pos: i,
                });
                i += 1;
            }
            b'(' => {
                paren_depth += 1;
                out.push(Token {
                    tok: Tok::LParen,
                    pos: i,
                });
                i += 1;
            }
            b')' => {
                paren_depth -= 1;
                if paren_depth < 0 {
                    return Err((i, "unexpected right paren".into()));
                }
                out.push(Token {
                    tok: Tok::RParen,
                    pos: i,
                });
                i += 1;
            }
            b'"' => {
                let s = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None | Some(b'\n') => return Err((s, "unterminated quoted string".into())),
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                out.push(Token {
                    tok: Tok::Str(src[s..i].to_string()),
                    pos: s,
                });
            }
            b'`' => {
                let s = i;
                let Some(e) = src[i + 1..].find('`') else {
                    return Err((s, "unterminated raw quoted string".into()));
                };
                i = i + 1 + e + 1;
                out.push(Token {
                    tok: Tok::RawStr(src[s + 1..i - 1].to_string()),
                    pos: s,
                });
            }
            b'\'' => {
                let s = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None | Some(b'\n') => {
                            return Err((s, "unterminated character constant".into()));
                        }
                        Some(b'\\') => i += 2,
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                out.push(Token {
                    tok: Tok::Char(src[s..i].to_string()),
                    pos: s,
                });
            }
            b'$' => {
                let s = i;
                i += 1;
                while i < b.len() {
                    let ch = src[i..].chars().next().unwrap_or(' ');
                    if is_alnum(ch) {
                        i += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                out.push(Token {
                    tok: Tok::Variable(src[s..i].to_string()),
                    pos: s,
                });
            }
            b'.' => {
                if b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                    i = lex_number(src, i, out)?;
                    continue;
                }
                let s = i;
                i += 1;
                while i < b.len() {
                    let ch = src[i..].chars().next().unwrap_or(' ');
                    if is_alnum(ch) {
                        i += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                if i == s + 1 {
                    out.push(Token {
                        tok: Tok::Dot,
                        pos: s,
                    });
                } else {
                    out.push(Token {
                        tok: Tok::Field(src[s + 1..i].to_string()),
                        pos: s,
                    });
                }
            }
            b'0'..=b'9' => i = lex_number(src, i, out)?,
            b'+' | b'-'
                if b.get(i + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'.') =>
            {
                i = lex_number(src, i, out)?;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                if is_alnum(ch) {
                    let s = i;
                    while i < b.len() {
                        let ch = src[i..].chars().next().unwrap_or(' ');
                        if is_alnum(ch) {
                            i += ch.len_utf8();
                        } else {
                            break;
                        }
                    }
                    let word = &src[s..i];
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        w => match KEYWORDS.iter().find(|k| **k == w) {
                            Some(k) => Tok::Keyword(k),
                            None => Tok::Ident(w.to_string()),
                        },
                    };
                    // Go lexes a keyword followed by '.' as an identifier chain only for fields
                    out.push(Token { tok, pos: s });
                } else if ch.is_ascii_graphic() {
                    out.push(Token {
                        tok: Tok::Other(ch),
                        pos: i,
                    });
                    i += 1;
                } else {
                    return Err((
                        i,
                        format!(
                            "unrecognized character in action: U+{:04X} {ch:?}",
                            ch as u32
                        ),
                    ));
                }
            }
        }
    }
}

fn lex_number(src: &str, start: usize, out: &mut Vec<Token>) -> Result<usize, LexError> {
    let b = src.as_bytes();
    let mut i = start;
    if matches!(b[i], b'+' | b'-') {
        i += 1;
    }
    let mut digits: &[u8] = b"0123456789_";
    if b[i] == b'0' && i + 1 < b.len() {
        match b[i + 1] {
            b'x' | b'X' => {
                i += 2;
                digits = b"0123456789abcdefABCDEF_";
            }
            b'o' | b'O' => {
                i += 2;
                digits = b"01234567_";
            }
            b'b' | b'B' => {
                i += 2;
                digits = b"01_";
            }
            _ => {}
        }
    }
    while i < b.len() && digits.contains(&b[i]) {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && digits.contains(&b[i]) {
            i += 1;
        }
    }
    if digits.len() == 11 && i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && b[i] == b'i' {
        i += 1;
    }
    if i < b.len() {
        let ch = src[i..].chars().next().unwrap_or(' ');
        if is_alnum(ch) {
            let mut e = i;
            while e < b.len() && src[e..].chars().next().is_some_and(is_alnum) {
                e += src[e..].chars().next().map_or(1, |c| c.len_utf8());
            }
            return Err((start, format!("bad number syntax: {:?}", &src[start..e])));
        }
    }
    out.push(Token {
        tok: Tok::Number(src[start..i].to_string()),
        pos: start,
    });
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_comments() {
        let t = lex("a  {{- .X -}}  b{{/* c */}}d").unwrap();
        let texts: Vec<_> = t
            .iter()
            .filter_map(|t| match &t.tok {
                Tok::Text(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, vec!["a", "b", "d"]);
    }
}
