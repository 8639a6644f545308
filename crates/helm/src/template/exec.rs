//! Executes parsed templates the way Go's text/template does, including its error texts.

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::{Arg, Branch, Command, Node, Pipe, Tree, line_col};
use super::error::TplError;
use crate::funcs::{FuncDef, Kind};
use crate::value::{Object, Value};

/// Deepest nesting of template calls (template/include/tpl), to bound recursion.
pub const MAX_DEPTH: usize = 1500;

/// Most range iterations one render may run, so loops that print nothing still end.
pub const MAX_RANGE_STEPS: u64 = 10_000_000;

pub type Templates = HashMap<String, Rc<Tree>>;

pub struct Exec<'a> {
    /// Layers of named templates; later layers (from `tpl`) shadow earlier ones.
    pub layers: Vec<Rc<Templates>>,
    pub funcs: &'a HashMap<&'static str, FuncDef>,
    pub out: String,
    /// Bytes written so far across all buffers, checked against `max_output`.
    pub written: usize,
    pub max_output: usize,
    pub depth: usize,
    pub include_counts: HashMap<String, usize>,
    range_steps: u64,
    vars: Vec<(String, Value)>,
    /// The tree and template name being executed, for error locations.
    tree: Option<Rc<Tree>>,
    tmpl_name: String,
    node_pos: usize,
    node_ctx: Ctx,
}

/// What kind of node the current position names; its text is rebuilt only when an error needs it.
#[derive(Clone, Debug, Default)]
pub enum Ctx {
    #[default]
    None,
    Arg,
    Cmd,
    Pipe,
    Template(String),
}

enum Flow {
    Normal,
    Break,
    Continue,
}

/// A value with Go's distinction of where it came from: a nil found by a field lookup is an
/// `interface{}` holding nil, while a nil from a pipeline is an invalid reflect.Value.
#[derive(Clone)]
struct Val {
    v: Value,
    from_field: bool,
}

impl Val {
    fn plain(v: Value) -> Val {
        Val {
            v,
            from_field: false,
        }
    }
}

/// The type Go names in field errors: a value found in a map is an `interface {}`.
fn static_type(v: &Val) -> &'static str {
    if v.from_field {
        "interface {}"
    } else {
        v.v.type_name()
    }
}

fn go_quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

impl<'a> Exec<'a> {
    pub fn new(
        templates: Rc<Templates>,
        funcs: &'a HashMap<&'static str, FuncDef>,
        max_output: usize,
    ) -> Self {
        Exec {
            layers: vec![templates],
            funcs,
            out: String::new(),
            written: 0,
            max_output,
            depth: 0,
            include_counts: HashMap::new(),
            range_steps: 0,
            vars: Vec::new(),
            tree: None,
            tmpl_name: String::new(),
            node_pos: 0,
            node_ctx: Ctx::None,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        self.layers.iter().rev().find_map(|l| l.get(name).cloned())
    }

    /// Name of the template currently executing (Go's `s.tmpl.Name()`).
    pub fn current_name(&self) -> &str {
        &self.tmpl_name
    }

    /// Executes the named template with `dot` into a fresh buffer and returns the text.
    pub fn execute_to_string(&mut self, name: &str, dot: Value) -> Result<String, TplError> {
        let tree = match self.lookup(name) {
            Some(t) => t,
            None => {
                return Err(TplError::plain(format!(
                    "template: no template {} associated with template {}",
                    go_quote(name),
                    go_quote("gotpl")
                )));
            }
        };
        let saved_out = std::mem::take(&mut self.out);
        let r = self.execute_tree(tree, name, dot);
        let text = std::mem::replace(&mut self.out, saved_out);
        r.map(|_| text)
    }

    /// Runs `tree` as template `name` with a fresh variable scope, writing to the current buffer.
    pub fn execute_tree(&mut self, tree: Rc<Tree>, name: &str, dot: Value) -> Result<(), TplError> {
        if self.depth >= MAX_DEPTH {
            return Err(TplError::plain(format!(
                "template: {name}: exceeded maximum template depth ({MAX_DEPTH})"
            )));
        }
        self.depth += 1;
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), dot.clone())]);
        let saved_tree = self.tree.replace(tree.clone());
        let saved_name = std::mem::replace(&mut self.tmpl_name, name.to_string());
        let saved_pos = (self.node_pos, std::mem::take(&mut self.node_ctx));
        let r = self.walk_list(&dot, &tree.root);
        self.vars = saved_vars;
        self.tree = saved_tree;
        self.tmpl_name = saved_name;
        self.node_pos = saved_pos.0;
        self.node_ctx = saved_pos.1;
        self.depth -= 1;
        r.map(|_| ())
    }

    fn at(&mut self, pos: usize, ctx: Ctx) {
        self.node_pos = pos;
        self.node_ctx = ctx;
    }

    /// Go's `s.errorf`: an ExecError located at the current node.
    fn error(&self, msg: impl Into<String>) -> TplError {
        TplError::exec(self.prefix(), msg.into(), None)
    }

    fn prefix(&self) -> String {
        let (loc_name, src) = match &self.tree {
            Some(t) => (t.parse_name.as_str(), &t.src),
            None => return format!("template: {}: ", self.tmpl_name),
        };
        let (line, col) = line_col(src, self.node_pos);
        let ctx: String = match &self.node_ctx {
            Ctx::None => String::new(),
            Ctx::Template(name) => format!("{{{{template {}}}}}", go_quote(name)),
            kind => super::ast::find_display(
                self.tree.as_ref().map(|t| t.root.as_slice()).unwrap_or(&[]),
                self.node_pos,
                kind,
            )
            .unwrap_or_default(),
        };
        format!(
            "template: {loc_name}:{line}:{col}: executing {} at <{ctx}>: ",
            go_quote(&self.tmpl_name)
        )
    }

    fn write(&mut self, s: &str) -> Result<(), TplError> {
        self.written += s.len();
        if self.written > self.max_output {
            return Err(TplError::plain(format!(
                "rendered output exceeds the limit of {} bytes",
                self.max_output
            )));
        }
        self.out.push_str(s);
        Ok(())
    }

    fn walk_list(&mut self, dot: &Value, list: &[Node]) -> Result<Flow, TplError> {
        for n in list {
            match self.walk(dot, n)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &Node) -> Result<Flow, TplError> {
        match node {
            Node::Text(t) => {
                self.write(t)?;
            }
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(&v)?;
                }
            }
            Node::If(b) => return self.walk_if_with(dot, b, false),
            Node::With(b) => return self.walk_if_with(dot, b, true),
            Node::Range(b) => return self.walk_range(dot, b),
            Node::Template { pos, name, pipe } => {
                self.at(*pos, Ctx::Template(name.clone()));
                let Some(tree) = self.lookup(name) else {
                    return Err(self.error(format!("template {} not defined", go_quote(name))));
                };
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Value::Nil,
                };
                self.execute_tree(tree, name, new_dot)?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print_value(&mut self, v: &Value) -> Result<(), TplError> {
        match v {
            Value::Nil => self.write("<no value>"),
            Value::Str(s) => {
                let s = s.clone();
                self.write(&s)
            }
            other => {
                let s = other.to_go_string();
                self.write(&s)
            }
        }
    }

    fn walk_if_with(&mut self, dot: &Value, b: &Branch, is_with: bool) -> Result<Flow, TplError> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let r = if val.truthy() {
            if is_with {
                self.walk_list(&val, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Value, b: &Branch) -> Result<Flow, TplError> {
        let mark = self.vars.len();
        self.at(b.pipe.pos, Ctx::Pipe);
        let val = self.eval_pipeline_no_decl(dot, &b.pipe)?;
        let mark2 = self.vars.len();
        let mut ran = false;
        let one = |this: &mut Self, k: Value, e: Value| -> Result<bool, TplError> {
            this.range_steps += 1;
            if this.range_steps > MAX_RANGE_STEPS {
                return Err(this.error(format!(
                    "range iterations exceed the limit of {MAX_RANGE_STEPS}"
                )));
            }
            this.vars.truncate(mark2);
            match b.pipe.decl.len() {
                0 => {}
                1 => this.set_or_push(&b.pipe, 0, e.clone()),
                _ => {
                    this.set_or_push(&b.pipe, 0, k);
                    this.set_or_push(&b.pipe, 1, e.clone());
                }
            }
            match this.walk_list(&e, &b.list)? {
                Flow::Break => Ok(false),
                _ => Ok(true),
            }
        };
        match &val {
            Value::List(l) => {
                for (i, e) in l.iter().enumerate() {
                    ran = true;
                    if !one(self, Value::Int(i as i64), e.clone())? {
                        break;
                    }
                }
            }
            Value::Map(m) => {
                // a snapshot, so the body may `set` into the map it ranges over
                let items: Vec<(String, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                for (k, e) in items {
                    ran = true;
                    if !one(self, Value::str(k.as_str()), e)? {
                        break;
                    }
                }
            }
            Value::Int(n) | Value::Int64(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.error(format!(
                        "can't use {} to iterate over more than one variable",
                        val.to_go_string()
                    )));
                }
                for i in 0..*n {
                    ran = true;
                    if !one(self, Value::Int(i), Value::Int(i))? {
                        break;
                    }
                }
            }
            Value::Nil => {}
            Value::Object(o) => match &**o {
                Object::ApiVersions(v) => {
                    for (i, e) in v.iter().enumerate() {
                        ran = true;
                        if !one(self, Value::Int(i as i64), Value::str(e.as_str()))? {
                            break;
                        }
                    }
                }
                Object::Files(f) => {
                    for (k, data) in f.entries() {
                        ran = true;
                        let bytes: Vec<Value> =
                            data.iter().map(|b| Value::Int(*b as i64)).collect();
                        if !one(self, Value::str(k.as_str()), Value::from(bytes))? {
                            break;
                        }
                    }
                }
                _ => {
                    return Err(
                        self.error(format!("range can't iterate over {}", val.to_go_string()))
                    );
                }
            },
            other => {
                return Err(
                    self.error(format!("range can't iterate over {}", other.to_go_string()))
                );
            }
        }
        let r = if !ran {
            match &b.else_list {
                Some(e) => {
                    self.vars.truncate(mark2);
                    self.walk_list(dot, e)
                }
                None => Ok(Flow::Normal),
            }
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        r.map(|_| Flow::Normal)
    }

    fn set_or_push(&mut self, pipe: &Pipe, i: usize, v: Value) {
        let name = &pipe.decl[i];
        if pipe.is_assign {
            if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                slot.1 = v;
            }
        } else {
            self.vars.push((name.clone(), v));
        }
    }

    fn eval_pipeline_no_decl(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value, TplError> {
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(Val::plain(v.v));
        }
        Ok(value.map(|v| v.v).unwrap_or_default())
    }

    pub fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value, TplError> {
        let v = self.eval_pipeline_no_decl(dot, pipe)?;
        for (i, _) in pipe.decl.iter().enumerate() {
            self.set_or_push(pipe, i, v.clone());
        }
        Ok(v)
    }

    fn eval_command(
        &mut self,
        dot: &Value,
        cmd: &Command,
        fin: Option<Val>,
    ) -> Result<Val, TplError> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(pos, idents) => {
                self.at(*pos, Ctx::Arg);
                let v = self.eval_field_chain(
                    dot,
                    Val::plain(dot.clone()),
                    idents,
                    &cmd.args,
                    fin,
                    true,
                )?;
                Ok(v)
            }
            Arg::Chain(pos, node, fields) => {
                self.at(*pos, Ctx::Arg);
                if matches!(**node, Arg::Nil(_)) {
                    return Err(self.error(
                        "indirection through explicit nil in ".to_string() + &first.to_string(),
                    ));
                }
                // a bad field is reported at the last node the chain's base evaluated
                let base = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(dot, Val::plain(base.v), fields, &cmd.args, fin, false)
            }
            Arg::Ident(pos, name) => {
                self.at(*pos, Ctx::Arg);
                self.eval_function(dot, name, cmd, fin)
            }
            Arg::Pipe(_, p) => {
                self.not_a_function(cmd, &fin)?;
                Ok(Val::plain(self.eval_pipeline(dot, p)?))
            }
            Arg::Variable(pos, idents) => {
                self.at(*pos, Ctx::Arg);
                let base = self.var(&idents[0])?;
                if idents.len() == 1 {
                    self.not_a_function(cmd, &fin)?;
                    return Ok(Val::plain(base));
                }
                self.eval_field_chain(dot, Val::plain(base), &idents[1..], &cmd.args, fin, false)
            }
            _ => {
                self.at(first.pos(), Ctx::Arg);
                self.not_a_function(cmd, &fin)?;
                match first {
                    Arg::Bool(_, b) => Ok(Val::plain(Value::Bool(*b))),
                    Arg::Dot(_) => Ok(Val::plain(dot.clone())),
                    Arg::Nil(_) => Err(self.error("nil is not a command")),
                    Arg::Number(_, n) => Ok(Val::plain(n.ideal().unwrap_or_default())),
                    Arg::Str(_, _, s) => Ok(Val::plain(Value::Str(s.clone()))),
                    _ => Err(self.error("can't evaluate command")),
                }
            }
        }
    }

    fn not_a_function(&self, cmd: &Command, fin: &Option<Val>) -> Result<(), TplError> {
        if cmd.args.len() > 1 || fin.is_some() {
            return Err(self.error(format!(
                "can't give argument to non-function {}",
                cmd.args[0]
            )));
        }
        Ok(())
    }

    fn var(&self, name: &str) -> Result<Value, TplError> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.error(format!("undefined variable: {name}"))),
        }
    }

    /// Evaluates `.a.b.c` on `receiver`; the last field gets the command's remaining args.
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: Val,
        idents: &[String],
        args: &[Arg],
        fin: Option<Val>,
        from_dot: bool,
    ) -> Result<Val, TplError> {
        let mut recv = receiver;
        let _ = from_dot;
        let n = idents.len();
        for (i, id) in idents.iter().enumerate() {
            let last = i + 1 == n;
            let (a, f) = if last {
                (args, fin.clone())
            } else {
                (&[][..], None)
            };
            recv = self.eval_field(dot, id, a, f, recv)?;
        }
        Ok(recv)
    }

    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        args: &[Arg],
        fin: Option<Val>,
        recv: Val,
    ) -> Result<Val, TplError> {
        let has_args = args.len() > 1 || fin.is_some();
        match &recv.v {
            Value::Nil => {
                if recv.from_field {
                    return Err(self.error(format!("nil pointer evaluating interface {{}}.{name}")));
                }
                Ok(Val::plain(Value::Nil))
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.error(format!("{name} is not a method but has arguments")));
                }
                Ok(Val {
                    v: m.borrow().get(name).cloned().unwrap_or(Value::Nil),
                    from_field: true,
                })
            }
            Value::Object(o) => {
                let o = o.clone();
                // methods take the remaining args
                let mut argv = Vec::new();
                for a in args.iter().skip(1) {
                    argv.push(self.eval_arg_any(dot, a)?.v);
                }
                if let Some(f) = fin {
                    argv.push(f.v);
                }
                match crate::funcs::objects::call_method(&o, name, &argv) {
                    Some(Ok(v)) => Ok(Val {
                        v,
                        from_field: true,
                    }),
                    Some(Err(e)) => Err(self.error_calling(name, e)),
                    None => Err(self.error(format!(
                        "can't evaluate field {name} in type {}",
                        static_type(&recv)
                    ))),
                }
            }
            _ => Err(self.error(format!(
                "can't evaluate field {name} in type {}",
                static_type(&recv)
            ))),
        }
    }

    fn error_calling(&self, name: &str, e: TplError) -> TplError {
        let inner_text = e.text();
        TplError::exec(
            self.prefix(),
            format!("error calling {name}: {inner_text}"),
            Some(Box::new(e)),
        )
    }

    fn eval_arg_any(&mut self, dot: &Value, arg: &Arg) -> Result<Val, TplError> {
        self.at(arg.pos(), Ctx::Arg);
        match arg {
            Arg::Dot(_) => Ok(Val::plain(dot.clone())),
            Arg::Nil(_) => Ok(Val::plain(Value::Nil)),
            Arg::Field(_, idents) => {
                self.eval_field_chain(dot, Val::plain(dot.clone()), idents, &[], None, true)
            }
            Arg::Variable(_, idents) => {
                let base = self.var(&idents[0])?;
                if idents.len() == 1 {
                    return Ok(Val::plain(base));
                }
                self.eval_field_chain(dot, Val::plain(base), &idents[1..], &[], None, false)
            }
            Arg::Pipe(_, p) => Ok(Val::plain(self.eval_pipeline(dot, p)?)),
            Arg::Ident(pos, name) => {
                let cmd = Command {
                    pos: *pos,
                    args: vec![Arg::Ident(*pos, name.clone())],
                };
                self.eval_function(dot, name, &cmd, None)
            }
            Arg::Chain(_, node, fields) => {
                let base = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(dot, Val::plain(base.v), fields, &[], None, false)
            }
            Arg::Bool(_, b) => Ok(Val::plain(Value::Bool(*b))),
            Arg::Number(_, n) => Ok(Val::plain(n.ideal().unwrap_or_default())),
            Arg::Str(_, _, s) => Ok(Val::plain(Value::Str(s.clone()))),
        }
    }

    /// Evaluates an argument for a parameter of kind `k`, converting constants and checking types.
    fn eval_arg(&mut self, dot: &Value, arg: &Arg, k: Kind) -> Result<Value, TplError> {
        self.at(arg.pos(), Ctx::Arg);
        match (arg, k) {
            (_, Kind::Any) => Ok(self.eval_arg_any(dot, arg)?.v),
            (Arg::Number(_, n), Kind::Int) => match n.int {
                Some(i)
                    if !n.text.contains(['.', 'e', 'E'])
                        || n.is_char
                        || n.float == Some(i as f64) =>
                {
                    if n.int.is_some()
                        && (n.text.contains('.') || n.text.contains(['e', 'E']))
                        && !n.text.starts_with("0x")
                    {
                        // Go accepts 1.0 for an int parameter only when it is an exact integer
                        Ok(Value::Int(i))
                    } else {
                        Ok(Value::Int(i))
                    }
                }
                _ => Err(self.error(format!("expected integer; found {}", n.text))),
            },
            (Arg::Number(_, n), Kind::Float) => match n.float {
                Some(f) => Ok(Value::Float(f)),
                None => Err(self.error(format!("expected float; found {}", n.text))),
            },
            (Arg::Number(_, n), Kind::Str) => {
                Err(self.error(format!("expected string; found {}", n.text)))
            }
            (Arg::Number(_, n), Kind::Bool) => {
                Err(self.error(format!("expected bool; found {}", n.text)))
            }
            (Arg::Str(_, q, _), Kind::Int) => {
                Err(self.error(format!("expected integer; found {q}")))
            }
            (Arg::Str(_, q, _), Kind::Float) => {
                Err(self.error(format!("expected float; found {q}")))
            }
            (Arg::Str(_, q, _), Kind::Bool) => Err(self.error(format!("expected bool; found {q}"))),
            (Arg::Bool(_, b), Kind::Str) => Err(self.error(format!("expected string; found {b}"))),
            (Arg::Bool(_, b), Kind::Int) => Err(self.error(format!("expected integer; found {b}"))),
            (Arg::Nil(_), Kind::Str | Kind::Int | Kind::Float | Kind::Bool) => {
                Err(self.error(format!("cannot assign nil to {}", k.go_name())))
            }
            _ => {
                // a type error is reported at the last node evaluated (inside a pipeline: its last)
                let v = self.eval_arg_any(dot, arg)?;
                self.validate(v, k)
            }
        }
    }

    fn validate(&self, v: Val, k: Kind) -> Result<Value, TplError> {
        let ok = match (&v.v, k) {
            (_, Kind::Any) => true,
            (Value::Str(_), Kind::Str) => true,
            (Value::Int(_), Kind::Int) => true,
            (Value::Float(_), Kind::Float) => true,
            (Value::Bool(_), Kind::Bool) => true,
            (Value::List(_), Kind::List) => true,
            (Value::Map(_), Kind::Map) => true,
            (Value::Nil, Kind::List | Kind::Map) => true,
            (Value::Nil, _) => {
                if v.from_field {
                    return Err(self.error(format!(
                        "wrong type for value; expected {}; got interface {{}}",
                        k.go_name()
                    )));
                }
                return Err(self.error(format!("invalid value; expected {}", k.go_name())));
            }
            _ => false,
        };
        if !ok {
            return Err(self.error(format!(
                "wrong type for value; expected {}; got {}",
                k.go_name(),
                v.v.type_name()
            )));
        }
        Ok(v.v)
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        cmd: &Command,
        fin: Option<Val>,
    ) -> Result<Val, TplError> {
        let Some(def) = self.funcs.get(name) else {
            return Err(self.error(format!("\"{name}\" is not a defined function")));
        };
        let args = &cmd.args[1..];
        // and/or evaluate lazily
        if name == "and" || name == "or" {
            let total = args.len() + usize::from(fin.is_some());
            if total < 1 {
                return Err(self.error(format!(
                    "wrong number of args for {name}: want at least 1 got 0"
                )));
            }
            let mut last = Value::Nil;
            for a in args {
                last = self.eval_arg_any(dot, a)?.v;
                if (name == "and") != last.truthy() {
                    return Ok(Val::plain(last));
                }
            }
            if let Some(f) = fin {
                last = f.v;
            }
            return Ok(Val::plain(last));
        }
        let nargs = args.len() + usize::from(fin.is_some());
        let fixed = def.params.len();
        if def.variadic.is_some() {
            if nargs < fixed {
                return Err(self.error(format!(
                    "wrong number of args for {name}: want at least {fixed} got {nargs}"
                )));
            }
        } else if nargs != fixed {
            return Err(self.error(format!(
                "wrong number of args for {name}: want {fixed} got {nargs}"
            )));
        }
        let kind_at = |i: usize| -> Kind {
            if i < fixed {
                def.params[i]
            } else {
                def.variadic.unwrap_or(Kind::Any)
            }
        };
        let mut argv = Vec::with_capacity(nargs);
        for (i, a) in args.iter().enumerate() {
            argv.push(self.eval_arg(dot, a, kind_at(i))?);
        }
        if let Some(f) = fin {
            // Go reports a bad final value at the last node it evaluated
            let k = kind_at(nargs - 1);
            argv.push(self.validate(Val::plain(f.v), k)?);
        }
        let f = def.f;
        let r = f(self, &argv);
        match r {
            Ok(Value::Str(s)) if s.len() > self.max_output => {
                self.at(cmd.pos, Ctx::Cmd);
                Err(self.error_calling(
                    name,
                    TplError::plain(format!(
                        "result exceeds the output limit of {} bytes",
                        self.max_output
                    )),
                ))
            }
            Ok(v) => Ok(Val::plain(v)),
            Err(e) => {
                self.at(cmd.pos, Ctx::Cmd);
                Err(self.error_calling(name, e))
            }
        }
    }
}
