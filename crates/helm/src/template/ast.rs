//! Parse tree of a Go template, with byte positions into the source for error locations.

use std::fmt;
use std::rc::Rc;

use crate::value::Value;

#[derive(Debug)]
pub enum Node {
    Text(Rc<str>),
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break(usize),
    Continue(usize),
}

#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

#[derive(Debug)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub enum Arg {
    Field(usize, Vec<String>),
    /// `$x.a.b`: idents[0] is the variable name with its `$`.
    Variable(usize, Vec<String>),
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Number),
    Str(usize, String, Rc<str>),
    Ident(usize, String),
    Pipe(usize, Box<Pipe>),
    Chain(usize, Box<Arg>, Vec<String>),
}

/// A numeric literal as Go's parser classifies it.
#[derive(Debug, Clone)]
pub struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub float: Option<f64>,
    pub is_char: bool,
}

impl Number {
    /// Go's idealConstant: a float when the text looks like one, else an int.
    pub fn ideal(&self) -> Option<Value> {
        let looks_float = !self.is_char
            && !is_hex_int(&self.text)
            && self.text.contains(['.', 'e', 'E', 'p', 'P']);
        if self.float.is_some() && looks_float {
            return self.float.map(Value::Float);
        }
        if let Some(i) = self.int {
            return Some(Value::Int(i));
        }
        self.float.map(Value::Float)
    }
}

fn is_hex_int(s: &str) -> bool {
    let s = s.trim_start_matches(['+', '-']);
    (s.starts_with("0x") || s.starts_with("0X")) && !s.contains(['p', 'P', '.'])
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::Str(p, _, _)
            | Arg::Ident(p, _)
            | Arg::Pipe(p, _)
            | Arg::Chain(p, _, _) => *p,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field(_, idents) => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable(_, idents) => write!(f, "{}", idents.join(".")),
            Arg::Dot(_) => write!(f, "."),
            Arg::Nil(_) => write!(f, "nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => write!(f, "{}", n.text),
            Arg::Str(_, quoted, _) => write!(f, "{quoted}"),
            Arg::Ident(_, name) => write!(f, "{name}"),
            Arg::Pipe(_, p) => write!(f, "({p})"),
            Arg::Chain(_, node, fields) => {
                write!(f, "{node}")?;
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{}", self.decl.join(", "))?;
            write!(f, "{}", if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// One parsed template: its name, the source it came from (for line:col) and its body.
#[derive(Debug)]
pub struct Tree {
    pub name: String,
    pub parse_name: String,
    pub src: Rc<str>,
    pub root: Vec<Node>,
}

/// Go's `line:col` of a byte position: 1-based line, 0-based byte column.
pub fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(src.len());
    let before = &src.as_bytes()[..pos];
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let col = match before.iter().rposition(|b| *b == b'\n') {
        Some(nl) => pos - nl - 1,
        None => pos,
    };
    (line, col)
}

/// Rebuilds the text of the node of `kind` at `pos` (Go's node.String()), for error messages.
pub fn find_display(root: &[Node], pos: usize, kind: &super::exec::Ctx) -> Option<String> {
    root.iter().find_map(|n| find_in_node(n, pos, kind, 0))
}

const MAX_FIND_DEPTH: usize = 400;

fn find_in_node(n: &Node, pos: usize, kind: &super::exec::Ctx, depth: usize) -> Option<String> {
    if depth > MAX_FIND_DEPTH {
        return None;
    }
    match n {
        Node::Action(p) => find_in_pipe(p, pos, kind, depth + 1),
        Node::If(b) | Node::Range(b) | Node::With(b) => find_in_pipe(&b.pipe, pos, kind, depth + 1)
            .or_else(|| {
                b.list
                    .iter()
                    .find_map(|n| find_in_node(n, pos, kind, depth + 1))
            })
            .or_else(|| {
                b.else_list
                    .iter()
                    .flatten()
                    .find_map(|n| find_in_node(n, pos, kind, depth + 1))
            }),
        Node::Template { pipe: Some(p), .. } => find_in_pipe(p, pos, kind, depth + 1),
        _ => None,
    }
}

fn find_in_pipe(p: &Pipe, pos: usize, kind: &super::exec::Ctx, depth: usize) -> Option<String> {
    if depth > MAX_FIND_DEPTH {
        return None;
    }
    if matches!(kind, super::exec::Ctx::Pipe) && p.pos == pos {
        return Some(p.to_string());
    }
    for c in &p.cmds {
        if matches!(kind, super::exec::Ctx::Cmd) && c.pos == pos {
            return Some(c.to_string());
        }
        for a in &c.args {
            if let Some(s) = find_in_arg(a, pos, kind, depth + 1) {
                return Some(s);
            }
        }
    }
    None
}

fn find_in_arg(a: &Arg, pos: usize, kind: &super::exec::Ctx, depth: usize) -> Option<String> {
    if depth > MAX_FIND_DEPTH {
        return None;
    }
    if matches!(kind, super::exec::Ctx::Arg) && a.pos() == pos {
        return Some(a.to_string());
    }
    match a {
        Arg::Pipe(_, p) => find_in_pipe(p, pos, kind, depth + 1),
        Arg::Chain(_, inner, _) => find_in_arg(inner, pos, kind, depth + 1),
        _ => None,
    }
}
