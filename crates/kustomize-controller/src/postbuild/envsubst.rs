//! Flux's envsubst (fluxcd/pkg/envsubst): bash-style `${var}` expansion over the YAML text of an
//! object. The scanner and parser follow Flux's byte for byte, quirks included (`$${x}` is a
//! literal `${x}`, `${x-y}` is an error while `${x:-y}` and `${x=y}` are defaults, escapes inside
//! functions), so a template means here what it means to Flux.

use super::funcs;

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(Vec<u8>),
    /// `${param<name>args...}`; `name` is the operator (`""` for a bare `${param}`).
    Func {
        param: Vec<u8>,
        name: Vec<u8>,
        args: Vec<Node>,
    },
    List(Vec<Node>),
}

/// Errors with Flux's messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvsubstError {
    #[error("bad substitution")]
    BadSubstitution,
    #[error("missing closing brace")]
    MissingClosingBrace,
    #[error("unable to parse variable name")]
    ParseVariableName,
    #[error("unable to parse substitution within function")]
    ParseFuncSubstitution,
    #[error("unable to parse default function")]
    ParseDefaultFunction,
    /// Flux has no bound; nesting deeper than this is refused instead of exhausting the stack.
    #[error("substitutions nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("variable not set (strict mode): {0:?}")]
    VariableNotSet(String),
}

const MAX_NESTING: usize = 64;
/// Go's `eof` rune; a NUL in the input ends the scan exactly as in Flux.
const EOF: char = '\0';

const SCAN_IDENT: u8 = 1;
const SCAN_LBRACK: u8 = 1 << 1;
const SCAN_RBRACK: u8 = 1 << 2;
const SCAN_ESCAPE: u8 = 1 << 3;

const ESCAPE_DOLLAR: u8 = 1;
const ESCAPE_BACKSLASH: u8 = 1 << 1;
const ESCAPE_ALL: u8 = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

type Accept = fn(char, usize) -> bool;

/// Decode one UTF-8 character the way Go's `utf8.DecodeRuneInString` does: an invalid byte is
/// U+FFFD with width 1.
fn decode_rune(bytes: &[u8]) -> (char, usize) {
    let first = bytes[0];
    let len = match first {
        0x00..=0x7F => return (first as char, 1),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    match bytes
        .get(..len)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.chars().next())
    {
        Some(c) => (c, len),
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

struct Scanner {
    buf: Vec<u8>,
    pos: usize,
    start: usize,
    width: usize,
    mode: u8,
    escape_chars: u8,
    accept: Accept,
}

impl Scanner {
    fn new(buf: &[u8]) -> Self {
        Scanner {
            buf: buf.to_vec(),
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            escape_chars: 0,
            accept: accept_rune,
        }
    }

    fn read(&mut self) -> char {
        if self.pos >= self.buf.len() {
            self.width = 0;
            return EOF;
        }
        let (r, w) = decode_rune(&self.buf[self.pos..]);
        self.width = w;
        self.pos += w;
        r
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
    }

    /// Drops the byte before the cursor (an escape character) without moving the cursor, so the
    /// escaped character that followed is taken as plain text.
    fn skip(&mut self) {
        if self.pos > 0 && self.pos <= self.buf.len() {
            self.buf.remove(self.pos - 1);
        }
    }

    fn peek(&mut self) -> char {
        let r = self.read();
        self.unread();
        r
    }

    fn text(&self) -> Vec<u8> {
        let end = self.pos.min(self.buf.len());
        self.buf[self.start.min(end)..end].to_vec()
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        let r = self.read();
        if r == EOF {
            Token::Eof
        } else if self.scan_lbrack(r) {
            Token::Lbrack
        } else if self.scan_rbrack(r) {
            Token::Rbrack
        } else if self.scan_ident(r) {
            Token::Ident
        } else {
            Token::Illegal
        }
    }

    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & SCAN_IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !(self.accept)(r, self.pos - self.start) {
            return false;
        }
        // Each pass consumes at least one byte, so this ends with the buffer.
        loop {
            let r = self.read();
            if r == EOF {
                self.unread();
                break;
            }
            if self.scan_lbrack(r) {
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !(self.accept)(r, self.pos - self.start) {
                self.unread();
                break;
            }
        }
        true
    }

    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & SCAN_LBRACK == 0 {
            return false;
        }
        if r == '$' {
            if self.read() == '{' {
                return true;
            }
            self.unread();
        }
        false
    }

    fn scan_rbrack(&self, r: char) -> bool {
        self.mode & SCAN_RBRACK != 0 && r == '}'
    }

    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & SCAN_ESCAPE == 0 {
            return false;
        }
        if r == '$' && self.escape_chars & ESCAPE_DOLLAR != 0 && self.peek() == '$' {
            return true;
        }
        if r == '\\' && self.escape_chars & ESCAPE_BACKSLASH != 0 {
            return matches!(self.peek(), '/' | '\\');
        }
        false
    }
}

fn accept_rune(_: char, _: usize) -> bool {
    true
}
fn accept_ident(r: char, _: usize) -> bool {
    r.is_alphabetic() || r.is_numeric() || r == '_'
}
fn accept_colon(r: char, _: usize) -> bool {
    r == ':'
}
fn accept_one_hash(r: char, i: usize) -> bool {
    r == '#' && i == 1
}
fn accept_not_closing(r: char, _: usize) -> bool {
    r != '}'
}
fn accept_hash_func(r: char, i: usize) -> bool {
    r == '#' && i < 3
}
fn accept_percent_func(r: char, i: usize) -> bool {
    r == '%' && i < 3
}
fn accept_default_func(r: char, i: usize) -> bool {
    (i == 1 && r == ':') || (i == 2 && matches!(r, '=' | '-' | '?' | '+'))
}
fn accept_replace_func(r: char, i: usize) -> bool {
    (i == 1 && r == '/') || (i == 2 && matches!(r, '/' | '#' | '%'))
}
fn accept_one_equal(r: char, i: usize) -> bool {
    i == 1 && r == '='
}
fn accept_one_colon(r: char, i: usize) -> bool {
    i == 1 && r == ':'
}
fn reject_colon_close(r: char, _: usize) -> bool {
    r != ':' && r != '}'
}
fn accept_slash(r: char, _: usize) -> bool {
    r == '/'
}
fn accept_not_slash(r: char, _: usize) -> bool {
    r != '/'
}
fn accept_casing_func(r: char, i: usize) -> bool {
    (r == ',' || r == '^') && i < 3
}

struct Parser {
    scanner: Scanner,
    depth: usize,
}

/// Parse a template.
pub fn parse(input: &str) -> Result<Node, EnvsubstError> {
    let mut parser = Parser {
        scanner: Scanner::new(input.as_bytes()),
        depth: 0,
    };
    parser.parse_any()
}

fn func(param: Vec<u8>, name: Vec<u8>) -> Node {
    Node::Func {
        param,
        name,
        args: Vec::new(),
    }
}

fn push_arg(node: &mut Node, arg: Node) {
    if let Node::Func { args, .. } = node {
        args.push(arg);
    }
}

impl Parser {
    /// Flux recurses once per token here; a loop gives the same sequence without deep stacks.
    fn parse_any(&mut self) -> Result<Node, EnvsubstError> {
        let mut nodes = Vec::new();
        loop {
            let s = &mut self.scanner;
            s.accept = accept_rune;
            s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
            s.escape_chars = ESCAPE_DOLLAR;
            match s.scan() {
                Token::Ident => nodes.push(Node::Text(s.text())),
                Token::Eof => break,
                Token::Lbrack => nodes.push(self.parse_func()?),
                _ => return Err(EnvsubstError::BadSubstitution),
            }
        }
        Ok(match nodes.len() {
            0 => Node::Text(Vec::new()),
            1 => nodes.pop().unwrap_or(Node::Text(Vec::new())),
            _ => Node::List(nodes),
        })
    }

    fn parse_func(&mut self) -> Result<Node, EnvsubstError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(EnvsubstError::TooDeep(MAX_NESTING));
        }
        let result = self.parse_func_inner();
        self.depth -= 1;
        result
    }

    fn parse_func_inner(&mut self) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.escape_chars = ESCAPE_ALL;
        if s.peek() == '#' {
            return self.parse_len_func();
        }
        s.accept = accept_ident;
        s.mode = SCAN_IDENT;
        let name = match s.scan() {
            Token::Ident => s.text(),
            _ => return Err(EnvsubstError::ParseVariableName),
        };
        match s.peek() {
            ':' => return self.parse_default_or_substr(name),
            '=' => return self.parse_default_func(name),
            ',' | '^' => return self.parse_casing_func(name),
            '/' => return self.parse_replace_func(name),
            '#' => return self.parse_remove_func(name, accept_hash_func),
            '%' => return self.parse_remove_func(name, accept_percent_func),
            _ => {}
        }
        let s = &mut self.scanner;
        s.accept = accept_ident;
        s.mode = SCAN_RBRACK;
        match s.scan() {
            Token::Rbrack => Ok(func(name, Vec::new())),
            _ => Err(EnvsubstError::MissingClosingBrace),
        }
    }

    fn parse_param(&mut self, accept: Accept, mode: u8) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept;
        s.mode = mode | SCAN_LBRACK;
        match s.scan() {
            Token::Lbrack => self.parse_func(),
            Token::Ident | Token::Rbrack => Ok(Node::Text(self.scanner.text())),
            _ => Err(EnvsubstError::ParseFuncSubstitution),
        }
    }

    fn parse_default_or_substr(&mut self, name: Vec<u8>) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.read();
        let r = s.peek();
        s.unread();
        match r {
            '=' | '-' | '?' | '+' => self.parse_default_func(name),
            _ => self.parse_substr_func(name),
        }
    }

    fn parse_substr_func(&mut self, param: Vec<u8>) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept_one_colon;
        s.mode = SCAN_IDENT;
        let mut node = match s.scan() {
            Token::Ident => func(param, s.text()),
            _ => return Err(EnvsubstError::BadSubstitution),
        };
        let arg = self.parse_param(reject_colon_close, SCAN_IDENT)?;
        push_arg(&mut node, arg);
        let s = &mut self.scanner;
        s.accept = accept_colon;
        s.mode = SCAN_IDENT | SCAN_RBRACK;
        match s.scan() {
            Token::Rbrack => return Ok(node),
            Token::Ident => {}
            _ => return Err(EnvsubstError::BadSubstitution),
        }
        let arg = self.parse_param(accept_not_closing, SCAN_IDENT)?;
        push_arg(&mut node, arg);
        self.consume_rbrack()?;
        Ok(node)
    }

    fn parse_remove_func(&mut self, param: Vec<u8>, accept: Accept) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept;
        s.mode = SCAN_IDENT;
        let mut node = match s.scan() {
            Token::Ident => func(param, s.text()),
            _ => return Err(EnvsubstError::BadSubstitution),
        };
        let arg = self.parse_param(accept_not_closing, SCAN_IDENT)?;
        push_arg(&mut node, arg);
        self.consume_rbrack()?;
        Ok(node)
    }

    fn parse_replace_func(&mut self, param: Vec<u8>) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept_replace_func;
        s.mode = SCAN_IDENT;
        let mut node = match s.scan() {
            Token::Ident => func(param, s.text()),
            _ => return Err(EnvsubstError::BadSubstitution),
        };
        let arg = self.parse_param(accept_not_slash, SCAN_IDENT | SCAN_ESCAPE)?;
        push_arg(&mut node, arg);
        let s = &mut self.scanner;
        s.accept = accept_slash;
        s.mode = SCAN_IDENT;
        if s.scan() != Token::Ident {
            return Err(EnvsubstError::BadSubstitution);
        }
        if s.peek() == '}' {
            self.consume_rbrack()?;
            return Ok(node);
        }
        let arg = self.parse_param(accept_not_closing, SCAN_IDENT | SCAN_ESCAPE)?;
        push_arg(&mut node, arg);
        self.consume_rbrack()?;
        Ok(node)
    }

    fn parse_default_func(&mut self, param: Vec<u8>) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept_default_func;
        if s.peek() == '=' {
            s.accept = accept_one_equal;
        }
        s.mode = SCAN_IDENT;
        let mut node = match s.scan() {
            Token::Ident => func(param, s.text()),
            _ => return Err(EnvsubstError::ParseDefaultFunction),
        };
        // Every argument consumes input or fails, so this ends with the buffer.
        loop {
            if self.scanner.peek() == '}' {
                self.consume_rbrack()?;
                return Ok(node);
            }
            let arg = self.parse_param(accept_not_closing, SCAN_IDENT)?;
            push_arg(&mut node, arg);
        }
    }

    fn parse_casing_func(&mut self, param: Vec<u8>) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept_casing_func;
        s.mode = SCAN_IDENT;
        let node = match s.scan() {
            Token::Ident => func(param, s.text()),
            _ => return Err(EnvsubstError::BadSubstitution),
        };
        self.consume_rbrack()?;
        Ok(node)
    }

    fn parse_len_func(&mut self) -> Result<Node, EnvsubstError> {
        let s = &mut self.scanner;
        s.accept = accept_one_hash;
        s.mode = SCAN_IDENT;
        let name = match s.scan() {
            Token::Ident => s.text(),
            _ => return Err(EnvsubstError::BadSubstitution),
        };
        s.accept = accept_ident;
        s.mode = SCAN_IDENT;
        let param = match s.scan() {
            Token::Ident => s.text(),
            _ => return Err(EnvsubstError::BadSubstitution),
        };
        self.consume_rbrack()?;
        Ok(func(param, name))
    }

    fn consume_rbrack(&mut self) -> Result<(), EnvsubstError> {
        self.scanner.mode = SCAN_RBRACK;
        if self.scanner.scan() != Token::Rbrack {
            return Err(EnvsubstError::BadSubstitution);
        }
        Ok(())
    }
}

/// Operators that supply their own value for an unset variable, so strict mode lets them pass.
fn is_default_op(name: &[u8]) -> bool {
    matches!(
        name,
        b"-" | b"+" | b"=" | b"?" | b":-" | b":+" | b":=" | b":?"
    )
}

/// Expand a parsed template; `lookup` returns a variable's value and whether it is set.
pub fn execute(
    node: &Node,
    lookup: &dyn Fn(&str) -> (String, bool),
) -> Result<String, EnvsubstError> {
    let mut out = Vec::new();
    eval(node, lookup, &mut out, 0)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn eval(
    node: &Node,
    lookup: &dyn Fn(&str) -> (String, bool),
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<(), EnvsubstError> {
    if depth > MAX_NESTING + 2 {
        return Err(EnvsubstError::TooDeep(MAX_NESTING));
    }
    match node {
        Node::Text(text) => out.extend_from_slice(text),
        Node::List(nodes) => {
            for n in nodes {
                eval(n, lookup, out, depth + 1)?;
            }
        }
        Node::Func { param, name, args } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                let mut buf = Vec::new();
                eval(arg, lookup, &mut buf, depth + 1)?;
                values.push(buf);
            }
            let param = String::from_utf8_lossy(param);
            let (value, exists) = lookup(&param);
            if !exists && !is_default_op(name) {
                return Err(EnvsubstError::VariableNotSet(param.into_owned()));
            }
            out.extend_from_slice(&funcs::apply(name, value.as_bytes(), &values));
        }
    }
    Ok(())
}

/// Parse and expand `input` in one go (Flux's `envsubst.Eval`).
pub fn eval_str(
    input: &str,
    lookup: &dyn Fn(&str) -> (String, bool),
) -> Result<String, EnvsubstError> {
    execute(&parse(input)?, lookup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn lenient(input: &str, v: &BTreeMap<String, String>) -> Result<String, EnvsubstError> {
        eval_str(input, &|k| (v.get(k).cloned().unwrap_or_default(), true))
    }

    fn strict(input: &str, v: &BTreeMap<String, String>) -> Result<String, EnvsubstError> {
        eval_str(input, &|k| match v.get(k) {
            Some(x) => (x.clone(), true),
            None => (String::new(), false),
        })
    }

    #[test]
    fn expands_bash_forms_as_flux_does() {
        let v = vars(&[
            ("var", "value"),
            ("empty", ""),
            ("path", "/a/b/c.tar.gz"),
            ("upper", "HELLO"),
        ]);
        let cases = [
            ("plain text", "plain text"),
            ("${var}", "value"),
            ("a ${var} b", "a value b"),
            ("$var", "$var"),
            ("${unset}", ""),
            ("${unset:=default}", "default"),
            ("${unset:-default}", "default"),
            ("${unset=default}", "default"),
            ("${empty:-default}", "default"),
            ("${empty=default}", "default"),
            ("${var:-default}", "value"),
            ("${unset:-${var}}", "value"),
            ("${unset:-a ${var} b}", "a value b"),
            ("${#var}", "5"),
            ("${var^}", "Value"),
            ("${var^^}", "VALUE"),
            ("${upper,}", "hELLO"),
            ("${upper,,}", "hello"),
            ("${var:1}", "alue"),
            ("${var:1:2}", "al"),
            ("${var:-2}", "value"),
            // Go's strconv.Atoi refuses the leading space bash allows.
            ("${var: -2}", "value"),
            ("${var/a/A}", "vAlue"),
            ("${path//\\//_}", "_a_b_c.tar.gz"),
            ("${path#*/}", "a/b/c.tar.gz"),
            ("${path##*/}", "c.tar.gz"),
            ("${path%.*}", "/a/b/c.tar"),
            ("${path%%.*}", "/a/b/c"),
            ("${var/#v/V}", "Value"),
            ("${var/%e/E}", "valuE"),
            ("$${var}", "${var}"),
            ("$$", "$"),
            ("cost: $5", "cost: $5"),
            ("${unset:+x}", "x"),
        ];
        for (input, want) in cases {
            assert_eq!(lenient(input, &v).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn strict_mode_fails_on_unset_variables_without_a_default() {
        let v = vars(&[("var", "value")]);
        assert_eq!(
            strict("x: ${missing}", &v),
            Err(EnvsubstError::VariableNotSet("missing".into()))
        );
        assert_eq!(
            strict("x: ${missing}", &v).unwrap_err().to_string(),
            "variable not set (strict mode): \"missing\""
        );
        assert_eq!(strict("${missing:=d}", &v).as_deref(), Ok("d"));
        assert_eq!(strict("${missing:-d}", &v).as_deref(), Ok("d"));
        assert_eq!(strict("${missing=d}", &v).as_deref(), Ok("d"));
        assert!(strict("${#missing}", &v).is_err());
        assert!(strict("${missing^^}", &v).is_err());
        // The default itself is expanded first, and strictly.
        assert!(strict("${missing:-${other}}", &v).is_err());
        assert_eq!(strict("${var}", &v).as_deref(), Ok("value"));
    }

    #[test]
    fn malformed_templates_fail_with_fluxs_messages() {
        let v = vars(&[]);
        assert_eq!(
            lenient("${var", &v),
            Err(EnvsubstError::MissingClosingBrace)
        );
        assert_eq!(
            lenient("${var-x}", &v),
            Err(EnvsubstError::MissingClosingBrace)
        );
        assert_eq!(lenient("${}", &v), Err(EnvsubstError::ParseVariableName));
        assert_eq!(lenient("${-x}", &v), Err(EnvsubstError::ParseVariableName));
        assert_eq!(
            lenient("${var:=x", &v),
            Err(EnvsubstError::ParseFuncSubstitution)
        );
        assert_eq!(
            lenient("${var:=x", &v).unwrap_err().to_string(),
            "unable to parse substitution within function"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let mut s = String::new();
        for _ in 0..10_000 {
            s.push_str("${a:-");
        }
        s.push('x');
        for _ in 0..10_000 {
            s.push('}');
        }
        assert_eq!(
            lenient(&s, &vars(&[])),
            Err(EnvsubstError::TooDeep(MAX_NESTING))
        );
        // Many variables side by side are fine.
        let wide = "${a}".repeat(50_000);
        assert_eq!(lenient(&wide, &vars(&[("a", "1")])).unwrap().len(), 50_000);
    }

    #[test]
    fn multibyte_text_is_kept() {
        let v = vars(&[("name", "wörld")]);
        assert_eq!(
            lenient("héllo ${name} ✓", &v).as_deref(),
            Ok("héllo wörld ✓")
        );
        assert_eq!(lenient("${name^^}", &v).as_deref(), Ok("WÖRLD"));
    }
}
