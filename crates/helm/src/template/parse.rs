//! Parser for Go templates: builds the main tree and the `define`d ones, checking functions and
//! variables the way Go's text/template/parse does.

use std::rc::Rc;

use super::ast::{Arg, Branch, Command, Node, Number, Pipe, Tree};
use super::lex::{Tok, Token, lex};

/// Deepest nesting of parentheses and control structures accepted, to bound recursion.
const MAX_NESTING: usize = 200;

#[derive(Debug, Clone)]
pub struct ParseError {
    pub name: String,
    pub line: usize,
    pub msg: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.msg)
    }
}

pub struct Parsed {
    pub main: Tree,
    pub defines: Vec<Tree>,
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    src: &'a Rc<str>,
    name: &'a str,
    vars: Vec<String>,
    is_func: &'a dyn Fn(&str) -> bool,
    range_depth: usize,
    nesting: usize,
    defines: Vec<Tree>,
}

/// Parses `src` as the template `name`.
pub fn parse(
    name: &str,
    src: &Rc<str>,
    is_func: &dyn Fn(&str) -> bool,
) -> Result<Parsed, ParseError> {
    let toks = lex(src).map_err(|(pos, msg)| ParseError {
        name: name.to_string(),
        line: super::ast::line_col(src, pos).0,
        msg,
    })?;
    let mut p = Parser {
        toks,
        i: 0,
        src,
        name,
        vars: vec!["$".into()],
        is_func,
        range_depth: 0,
        nesting: 0,
        defines: Vec::new(),
    };
    let root = p.parse_top()?;
    Ok(Parsed {
        main: Tree {
            name: name.to_string(),
            parse_name: name.to_string(),
            src: src.clone(),
            root,
        },
        defines: p.defines,
    })
}

enum Item {
    Node(Node),
    End(usize),
    Else(usize),
}

impl Parser<'_> {
    fn err<T>(&self, pos: usize, msg: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            name: self.name.to_string(),
            line: super::ast::line_col(self.src, pos).0,
            msg: msg.into(),
        })
    }

    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn backup(&mut self) {
        self.i -= 1;
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.tok != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn parse_top(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut root = Vec::new();
        loop {
            let t = self.peek().clone();
            if t.tok == Tok::Eof {
                break;
            }
            if t.tok == Tok::Left {
                let save = self.i;
                self.next();
                if self.next_non_space().tok == Tok::Keyword("define") {
                    self.parse_definition(t.pos)?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End(p) => return self.err(p, "unexpected {{end}}"),
                Item::Else(p) => return self.err(p, "unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self, pos: usize) -> Result<(), ParseError> {
        let t = self.next_non_space();
        let name = match &t.tok {
            Tok::Str(q) => unquote(q)
                .ok_or(())
                .or_else(|_| self.err(t.pos, "bad string"))?,
            Tok::RawStr(r) => r.clone(),
            _ => {
                return self.err(
                    t.pos,
                    format!("unexpected {} in define clause", desc(&t.tok)),
                );
            }
        };
        self.expect_right("define clause")?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Item::Else(p) = end {
            return self.err(p, "unexpected {{else}}");
        }
        let _ = pos;
        self.defines.push(Tree {
            name,
            parse_name: self.name.to_string(),
            src: self.src.clone(),
            root: list,
        });
        Ok(())
    }

    fn expect_right(&mut self, context: &str) -> Result<(), ParseError> {
        let t = self.next_non_space();
        if t.tok != Tok::Right {
            return self.err(t.pos, format!("unexpected {} in {context}", desc(&t.tok)));
        }
        Ok(())
    }

    /// Parses nodes until `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> Result<(Vec<Node>, Item), ParseError> {
        let mut list = Vec::new();
        loop {
            if self.peek().tok == Tok::Eof {
                let p = self.peek().pos;
                return self.err(p, "unexpected EOF");
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
    }

    fn text_or_action(&mut self) -> Result<Item, ParseError> {
        let t = self.next();
        match t.tok {
            Tok::Text(s) => Ok(Item::Node(Node::Text(Rc::from(s)))),
            Tok::Left => {
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return self.err(t.pos, "template nesting too deep");
                }
                let r = self.action();
                self.nesting -= 1;
                r
            }
            other => self.err(t.pos, format!("unexpected {}", desc(&other))),
        }
    }

    fn action(&mut self) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Keyword("block") => self.block_control(t.pos),
            Tok::Keyword("break") => {
                if self.range_depth == 0 {
                    return self.err(t.pos, "{{break}} outside {{range}}");
                }
                self.expect_right("{{break}}")?;
                Ok(Item::Node(Node::Break(t.pos)))
            }
            Tok::Keyword("continue") => {
                if self.range_depth == 0 {
                    return self.err(t.pos, "{{continue}} outside {{range}}");
                }
                self.expect_right("{{continue}}")?;
                Ok(Item::Node(Node::Continue(t.pos)))
            }
            Tok::Keyword("else") => {
                let pk = self.peek_non_space();
                if matches!(pk.tok, Tok::Keyword("if") | Tok::Keyword("with")) {
                    return Ok(Item::Else(pk.pos));
                }
                self.expect_right("else")?;
                Ok(Item::Else(t.pos))
            }
            Tok::Keyword("end") => {
                self.expect_right("end")?;
                Ok(Item::End(t.pos))
            }
            Tok::Keyword("if") => Ok(Item::Node(Node::If(self.control("if")?))),
            Tok::Keyword("range") => Ok(Item::Node(Node::Range(self.control("range")?))),
            Tok::Keyword("with") => Ok(Item::Node(Node::With(self.control("with")?))),
            Tok::Keyword("template") => self.template_control(t.pos),
            Tok::Keyword("define") => self.err(t.pos, "unexpected <define> in command"),
            _ => {
                self.backup();
                let pipe = self.pipeline("command", true)?;
                Ok(Item::Node(Node::Action(pipe)))
            }
        }
    }

    fn control(&mut self, context: &str) -> Result<Branch, ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            let p = self.peek().pos;
            return self.err(p, "template nesting too deep");
        }
        let r = self.control_inner(context);
        self.nesting -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> Result<Branch, ParseError> {
        let saved = self.vars.len();
        let pipe = self.pipeline(context, true)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        match next {
            Item::End(_) => {}
            Item::Else(pos) => {
                let pk = self.peek_non_space();
                let chained = (context == "if" && pk.tok == Tok::Keyword("if"))
                    || (context == "with" && pk.tok == Tok::Keyword("with"));
                if chained {
                    self.next_non_space();
                    let inner = self.control(context)?;
                    let node = if context == "if" {
                        Node::If(inner)
                    } else {
                        Node::With(inner)
                    };
                    else_list = Some(vec![node]);
                } else {
                    let (l, n) = self.item_list()?;
                    if let Item::Else(p) = n {
                        return self.err(p, "expected end; found {{else}}");
                    }
                    let _ = pos;
                    else_list = Some(l);
                }
            }
            Item::Node(_) => unreachable_node(),
        }
        self.vars.truncate(saved);
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn template_control(&mut self, _pos: usize) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        // Go positions a template node at its name
        let pos = t.pos;
        let name = self.parse_template_name(&t, "template clause")?;
        let pk = self.peek_non_space();
        let pipe = if pk.tok != Tok::Right {
            Some(self.pipeline("template clause", true)?)
        } else {
            self.next_non_space();
            None
        };
        Ok(Item::Node(Node::Template { pos, name, pipe }))
    }

    fn block_control(&mut self, pos: usize) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        let name = self.parse_template_name(&t, "block clause")?;
        let pipe = self.pipeline("block clause", true)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Item::Else(p) = end {
            return self.err(p, "unexpected {{else}}");
        }
        self.defines.push(Tree {
            name: name.clone(),
            parse_name: self.name.to_string(),
            src: self.src.clone(),
            root: list,
        });
        Ok(Item::Node(Node::Template {
            pos,
            name,
            pipe: Some(pipe),
        }))
    }

    fn parse_template_name(&self, t: &Token, context: &str) -> Result<String, ParseError> {
        match &t.tok {
            Tok::Str(q) => match unquote(q) {
                Some(s) => Ok(s),
                None => self.err(t.pos, "invalid syntax"),
            },
            Tok::RawStr(r) => Ok(r.clone()),
            other => self.err(t.pos, format!("unexpected {} in {context}", desc(other))),
        }
    }

    /// Parses a pipeline up to `}}` (when `to_right`) or `)`.
    fn pipeline(&mut self, context: &str, to_right: bool) -> Result<Pipe, ParseError> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // declarations
        if let Tok::Variable(v) = &start.tok {
            let save = self.i;
            self.next_non_space();
            let after = self.peek().clone();
            let next = self.next_non_space();
            match next.tok {
                Tok::Declare | Tok::Assign => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    if !pipe.is_assign {
                        self.vars.push(v.clone());
                    } else if !self.vars.contains(v) {
                        return self.err(start.pos, format!("undefined variable \"{v}\""));
                    }
                    pipe.decl.push(v.clone());
                }
                Tok::Comma if context == "range" => {
                    pipe.decl.push(v.clone());
                    self.vars.push(v.clone());
                    let v2 = self.next_non_space();
                    let Tok::Variable(v2name) = v2.tok else {
                        return self.err(v2.pos, "range can only initialize variables");
                    };
                    let d = self.next_non_space();
                    if !matches!(d.tok, Tok::Declare | Tok::Assign) {
                        return self.err(d.pos, "range can only initialize variables");
                    }
                    pipe.is_assign = d.tok == Tok::Assign;
                    self.vars.push(v2name.clone());
                    pipe.decl.push(v2name);
                }
                _ => {
                    let _ = after;
                    self.i = save;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            match &t.tok {
                Tok::Right if to_right => break,
                Tok::RParen if !to_right => break,
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::RawStr(_)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                other => {
                    return self.err(t.pos, format!("unexpected {} in {context}", desc(other)));
                }
            }
        }
        if pipe.cmds.is_empty() {
            return self.err(pipe.pos, format!("missing value for {context}"));
        }
        // non-executable commands may appear only first
        for c in pipe.cmds.iter().skip(1) {
            if let Some(a) = c.args.first()
                && matches!(
                    a,
                    Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::Str(..)
                )
            {
                return self.err(
                    a.pos(),
                    format!("non executable command in pipeline stage {}", 2),
                );
            }
        }
        Ok(pipe)
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::Right | Tok::RParen => self.backup(),
                Tok::Pipe => {}
                other => {
                    return self.err(t.pos, format!("unexpected {} in operand", desc(&other)));
                }
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err(pos, "empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Result<Option<Arg>, ParseError> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if let Tok::Field(_) = self.peek().tok {
            let chain_pos = self.peek().pos;
            let mut fields = Vec::new();
            while let Tok::Field(f) = &self.peek().tok {
                fields.push(f.clone());
                self.next();
            }
            return Ok(Some(match node {
                Arg::Field(_, mut idents) => {
                    idents.extend(fields);
                    Arg::Field(chain_pos, idents)
                }
                Arg::Variable(_, mut idents) => {
                    idents.extend(fields);
                    Arg::Variable(chain_pos, idents)
                }
                Arg::Bool(..) | Arg::Str(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return self.err(chain_pos, format!("unexpected . after term \"{node}\""));
                }
                other => Arg::Chain(chain_pos, Box::new(other), fields),
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> Result<Option<Arg>, ParseError> {
        let t = self.next_non_space();
        Ok(Some(match t.tok {
            Tok::Ident(name) => {
                if !(self.is_func)(&name) {
                    return self.err(t.pos, format!("function \"{name}\" not defined"));
                }
                Arg::Ident(t.pos, name)
            }
            Tok::Dot => Arg::Dot(t.pos),
            Tok::Nil => Arg::Nil(t.pos),
            Tok::Variable(v) => {
                if !self.vars.contains(&v) {
                    return self.err(t.pos, format!("undefined variable \"{v}\""));
                }
                Arg::Variable(t.pos, vec![v])
            }
            Tok::Field(f) => Arg::Field(t.pos, vec![f]),
            Tok::Bool(b) => Arg::Bool(t.pos, b),
            Tok::Char(c) => match parse_char(&c) {
                Some(ch) => Arg::Number(
                    t.pos,
                    Number {
                        text: c.clone(),
                        int: Some(ch as i64),
                        float: Some(ch as i64 as f64),
                        is_char: true,
                    },
                ),
                None => return self.err(t.pos, format!("malformed character constant: {c}")),
            },
            Tok::Number(n) => match parse_number(&n) {
                Ok(num) => Arg::Number(t.pos, num),
                Err(e) => return self.err(t.pos, e),
            },
            Tok::LParen => {
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return self.err(t.pos, "template nesting too deep");
                }
                let p = self.pipeline("parenthesized pipeline", false)?;
                self.nesting -= 1;
                Arg::Pipe(t.pos, Box::new(p))
            }
            Tok::Str(q) => match unquote(&q) {
                Some(s) => Arg::Str(t.pos, q.clone(), Rc::from(s)),
                None => return self.err(t.pos, "invalid syntax"),
            },
            Tok::RawStr(r) => Arg::Str(t.pos, format!("`{r}`"), Rc::from(r)),
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

fn unreachable_node() {}

fn desc(t: &Tok) -> String {
    match t {
        Tok::Text(_) => "text".into(),
        Tok::Left => "\"{{\"".into(),
        Tok::Right => "\"}}\"".into(),
        Tok::Space => "space".into(),
        Tok::Field(f) => format!("<.{f}>"),
        Tok::Variable(v) => format!("<{v}>"),
        Tok::Dot => "<.>".into(),
        Tok::Str(s) => format!("<{s}>"),
        Tok::RawStr(s) => format!("<`{s}`>"),
        Tok::Char(s) => format!("<{s}>"),
        Tok::Number(n) => format!("<{n}>"),
        Tok::Bool(b) => format!("<{b}>"),
        Tok::Nil => "<nil>".into(),
        Tok::Ident(i) => format!("<{i}>"),
        Tok::Keyword(k) => format!("<{k}>"),
        Tok::Pipe => "\"|\"".into(),
        Tok::LParen => "\"(\"".into(),
        Tok::RParen => "\")\"".into(),
        Tok::Comma => "\",\"".into(),
        Tok::Declare => "\":=\"".into(),
        Tok::Assign => "\"=\"".into(),
        Tok::Other(c) => format!("{:?}", c.to_string()),
        Tok::Eof => "EOF".into(),
    }
}

/// Go's strconv.Unquote for a double-quoted literal.
pub fn unquote(q: &str) -> Option<String> {
    let inner = q.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => return None,
            'x' => {
                let h: String = (0..2).filter_map(|_| chars.next()).collect();
                let b = u8::from_str_radix(&h, 16).ok()?;
                out.push(b as char);
            }
            'u' => {
                let h: String = (0..4).filter_map(|_| chars.next()).collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
            }
            'U' => {
                let h: String = (0..8).filter_map(|_| chars.next()).collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
            }
            d @ '0'..='7' => {
                let mut s = String::from(d);
                s.push(chars.next()?);
                s.push(chars.next()?);
                let b = u8::from_str_radix(&s, 8).ok()?;
                out.push(b as char);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn parse_char(c: &str) -> Option<char> {
    let inner = c.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.starts_with('\\') {
        let s = unquote(&format!("\"{}\"", inner.replace("\\'", "'")))?;
        let mut it = s.chars();
        let ch = it.next()?;
        return if it.next().is_none() { Some(ch) } else { None };
    }
    let mut it = inner.chars();
    let ch = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(ch)
}

/// Classifies a numeric literal as Go's parse.newNumber does (ints, floats; no complex numbers).
pub fn parse_number(text: &str) -> Result<Number, String> {
    if text.ends_with('i') {
        return Err(format!("complex numbers are not supported: {text}"));
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, clean.trim_start_matches('+').to_string()),
    };
    let lower = body.to_ascii_lowercase();
    let parsed_int: Option<i128> = if let Some(h) = lower.strip_prefix("0x") {
        if h.contains(['.', 'p']) {
            None
        } else {
            i128::from_str_radix(h, 16).ok()
        }
    } else if let Some(o) = lower.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|c| c.is_ascii_digit())
    {
        i128::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse::<i128>().ok()
    };
    let mut n = Number {
        text: text.to_string(),
        int: None,
        float: None,
        is_char: false,
    };
    if let Some(v) = parsed_int {
        let v = if neg { -v } else { v };
        if let Ok(i) = i64::try_from(v) {
            n.int = Some(i);
            n.float = Some(i as f64);
            return Ok(n);
        }
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {text:?}"));
        }
    }
    match clean.trim_start_matches('+').parse::<f64>() {
        Ok(f) if f.is_finite() => {
            n.float = Some(f);
            if f == (f as i64) as f64 && f.abs() < 9.2e18 {
                n.int = Some(f as i64);
            }
            Ok(n)
        }
        _ => Err(format!("illegal number syntax: {text:?}")),
    }
}
