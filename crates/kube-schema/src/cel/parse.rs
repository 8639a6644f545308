//! Lexer and recursive-descent parser for the CEL subset (see `cel/mod.rs`).

use super::CompileError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    List(Vec<Expr>),
    Ident(String),
    Select(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    /// `has(a.b)`.
    Has(Box<Expr>, String),
    /// `target.name(args)` or `name(args)` (target None).
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    /// `target.all(x, p)` / `exists` / `exists_one`.
    Comprehension(Box<Expr>, String, String, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(Box<Expr>, BinOp, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Double(f64),
    Str(String),
    Sym(&'static str),
}

const SYMBOLS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ".", ",", "?", ":", "+",
    "-", "*", "/", "%", "{", "}",
];

/// Expressions longer than this are not compiled.
const MAX_RULE_LEN: usize = 10_000;
/// Nesting bound for the recursive-descent parser.
const MAX_NESTING: usize = 64;

fn lex(src: &str) -> Result<Vec<Tok>, CompileError> {
    if src.len() > MAX_RULE_LEN {
        return Err(CompileError::Syntax("rule is too long".into()));
    }
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let is_double = i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit();
            if is_double {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                let d = s
                    .parse()
                    .map_err(|_| CompileError::Syntax(format!("bad number {s}")))?;
                out.push(Tok::Double(d));
            } else {
                let s: String = chars[start..i].iter().collect();
                let n = s
                    .parse()
                    .map_err(|_| CompileError::Syntax(format!("bad integer {s}")))?;
                out.push(Tok::Int(n));
            }
            continue;
        }
        if c == '\'' || c == '"' {
            let (s, next) = lex_string(&chars, i)?;
            out.push(Tok::Str(s));
            i = next;
            continue;
        }
        let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        match SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            Some(s) => {
                out.push(Tok::Sym(s));
                i += s.chars().count();
            }
            None => return Err(CompileError::Syntax(format!("unexpected character {c:?}"))),
        }
    }
    Ok(out)
}

fn lex_string(chars: &[char], start: usize) -> Result<(String, usize), CompileError> {
    let quote = chars[start];
    if chars[start..].starts_with(&[quote, quote, quote]) {
        return Err(CompileError::Unsupported("triple-quoted strings".into()));
    }
    let mut s = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == quote {
            return Ok((s, i + 1));
        }
        if c == '\\' {
            let Some(&e) = chars.get(i + 1) else { break };
            match e {
                '\\' => s.push('\\'),
                '\'' => s.push('\''),
                '"' => s.push('"'),
                'n' => s.push('\n'),
                't' => s.push('\t'),
                'r' => s.push('\r'),
                '`' => s.push('`'),
                '?' => s.push('?'),
                other => {
                    return Err(CompileError::Unsupported(format!(
                        "string escape \\{other}"
                    )));
                }
            }
            i += 2;
            continue;
        }
        s.push(c);
        i += 1;
    }
    Err(CompileError::Syntax("unterminated string".into()))
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

pub(crate) fn parse(src: &str) -> Result<Expr, CompileError> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos != p.toks.len() {
        return Err(CompileError::Syntax(format!(
            "unexpected {:?}",
            p.toks[p.pos]
        )));
    }
    Ok(e)
}

impl Parser {
    fn peek_sym(&self, s: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Sym(x)) if *x == s)
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        if self.peek_sym(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect_sym(&mut self, s: &str) -> Result<(), CompileError> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(CompileError::Syntax(format!("expected {s:?}")))
        }
    }
    fn peek_ident(&self, s: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(x)) if x == s)
    }

    fn expr(&mut self) -> Result<Expr, CompileError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(CompileError::Syntax("expression nested too deeply".into()));
        }
        let cond = self.or()?;
        let out = if self.eat_sym("?") {
            let a = self.expr()?;
            self.expect_sym(":")?;
            let b = self.expr()?;
            Expr::Ternary(Box::new(cond), Box::new(a), Box::new(b))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(out)
    }

    fn or(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.and()?;
        while self.eat_sym("||") {
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.rel()?;
        while self.eat_sym("&&") {
            let r = self.rel()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn rel(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.add()?;
        loop {
            let op = if self.eat_sym("==") {
                BinOp::Eq
            } else if self.eat_sym("!=") {
                BinOp::Ne
            } else if self.eat_sym("<=") {
                BinOp::Le
            } else if self.eat_sym(">=") {
                BinOp::Ge
            } else if self.eat_sym("<") {
                BinOp::Lt
            } else if self.eat_sym(">") {
                BinOp::Gt
            } else if self.peek_ident("in") {
                self.pos += 1;
                BinOp::In
            } else {
                return Ok(l);
            };
            let r = self.add()?;
            l = Expr::Binary(Box::new(l), op, Box::new(r));
        }
    }

    fn add(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.mul()?;
        loop {
            let op = if self.eat_sym("+") {
                BinOp::Add
            } else if self.eat_sym("-") {
                BinOp::Sub
            } else {
                return Ok(l);
            };
            let r = self.mul()?;
            l = Expr::Binary(Box::new(l), op, Box::new(r));
        }
    }

    fn mul(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.unary()?;
        loop {
            let op = if self.eat_sym("*") {
                BinOp::Mul
            } else if self.eat_sym("/") {
                BinOp::Div
            } else if self.eat_sym("%") {
                BinOp::Mod
            } else {
                return Ok(l);
            };
            let r = self.unary()?;
            l = Expr::Binary(Box::new(l), op, Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, CompileError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(CompileError::Syntax("expression nested too deeply".into()));
        }
        let e = if self.eat_sym("!") {
            Expr::Not(Box::new(self.unary()?))
        } else if self.eat_sym("-") {
            Expr::Neg(Box::new(self.unary()?))
        } else {
            self.member()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn args(&mut self) -> Result<Vec<Expr>, CompileError> {
        let mut args = Vec::new();
        if self.eat_sym(")") {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat_sym(")") {
                return Ok(args);
            }
            self.expect_sym(",")?;
        }
    }

    fn member(&mut self) -> Result<Expr, CompileError> {
        let mut e = self.primary()?;
        loop {
            if self.eat_sym(".") {
                let name = match self.toks.get(self.pos) {
                    Some(Tok::Ident(n)) => n.clone(),
                    _ => {
                        return Err(CompileError::Syntax(
                            "expected a field name after '.'".into(),
                        ));
                    }
                };
                self.pos += 1;
                if self.eat_sym("(") {
                    let args = self.args()?;
                    e = method_call(e, &name, args)?;
                } else {
                    e = Expr::Select(Box::new(e), name);
                }
            } else if self.eat_sym("[") {
                let idx = self.expr()?;
                self.expect_sym("]")?;
                e = Expr::Index(Box::new(e), Box::new(idx));
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, CompileError> {
        let Some(t) = self.toks.get(self.pos).cloned() else {
            return Err(CompileError::Syntax("unexpected end of expression".into()));
        };
        self.pos += 1;
        match t {
            Tok::Int(i) => Ok(Expr::Int(i)),
            Tok::Double(d) => Ok(Expr::Double(d)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Sym("(") => {
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Tok::Sym("[") => {
                let mut items = Vec::new();
                if !self.eat_sym("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.eat_sym("]") {
                            break;
                        }
                        self.expect_sym(",")?;
                    }
                }
                Ok(Expr::List(items))
            }
            Tok::Sym("{") => Err(CompileError::Unsupported("map literals".into())),
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "null" => Ok(Expr::Null),
                _ if self.eat_sym("(") => {
                    let args = self.args()?;
                    global_call(&name, args)
                }
                _ => Ok(Expr::Ident(name)),
            },
            other => Err(CompileError::Syntax(format!("unexpected {other:?}"))),
        }
    }
}

fn global_call(name: &str, mut args: Vec<Expr>) -> Result<Expr, CompileError> {
    match (name, args.len()) {
        ("has", 1) => match args.pop() {
            Some(Expr::Select(target, field)) => Ok(Expr::Has(target, field)),
            _ => Err(CompileError::Syntax(
                "invalid argument to has() macro".into(),
            )),
        },
        ("size", 1) | ("int", 1) | ("string", 1) | ("double", 1) => {
            Ok(Expr::Call(None, name.to_string(), args))
        }
        _ => Err(CompileError::Unsupported(format!(
            "function {name}/{}",
            args.len()
        ))),
    }
}

fn method_call(target: Expr, name: &str, mut args: Vec<Expr>) -> Result<Expr, CompileError> {
    match (name, args.len()) {
        ("all" | "exists" | "exists_one", 2) => {
            let pred = args.pop().unwrap_or(Expr::Null);
            let var = match args.pop() {
                Some(Expr::Ident(v)) => v,
                _ => {
                    return Err(CompileError::Syntax(format!(
                        "{name}() needs a variable name"
                    )));
                }
            };
            Ok(Expr::Comprehension(
                Box::new(target),
                name.to_string(),
                var,
                Box::new(pred),
            ))
        }
        ("size", 0)
        | ("startsWith", 1)
        | ("endsWith", 1)
        | ("contains", 1)
        | ("matches", 1)
        | ("lowerAscii", 0)
        | ("upperAscii", 0)
        | ("trim", 0) => Ok(Expr::Call(Some(Box::new(target)), name.to_string(), args)),
        _ => Err(CompileError::Unsupported(format!(
            "function {name}/{}",
            args.len()
        ))),
    }
}
