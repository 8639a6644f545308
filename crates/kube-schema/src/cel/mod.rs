//! x-kubernetes-validations: a small CEL evaluator for the expression shapes
//! CRD authors (and every rule in Flux's CRDs) use, and the apiserver's walk
//! that evaluates each rule against its node.
//!
//! Supported: literals (null, bool, int, double, single/double-quoted strings,
//! lists), `self` and field selection, indexing, `has(x.f)`, `!`, unary `-`,
//! `&&`/`||` (CEL's commutative error semantics), `==`, `!=`, `<`, `<=`, `>`,
//! `>=`, `in`, `+ - * / %`, `?:`, `size()` (global and method), `startsWith`,
//! `endsWith`, `contains`, `matches`, `lowerAscii`, `upperAscii`, `trim`,
//! `int()`, `string()`, `double()`, and the macros `all`, `exists`,
//! `exists_one`. Anything else (oldSelf transition rules, messageExpression,
//! map literals, other functions) makes the rule "skipped": it never rejects
//! an object and is listed by `StructuralSchema::skipped_rules`.

mod parse;

use serde_json::{Map, Value};

use crate::Cause;
use crate::gofmt::BadValue;
use crate::schema::{MAX_SCHEMA_DEPTH, Node, Rule};
use crate::validate::{cause, child, field_string};
use parse::{BinOp, Expr};

const MAX_VALUE_DEPTH: usize = 2 * MAX_SCHEMA_DEPTH;
/// Bound on evaluation steps per rule (the apiserver bounds cost similarly).
const MAX_STEPS: u64 = 1_000_000;

#[derive(Debug, Clone)]
pub(crate) struct CelProgram {
    expr: Expr,
}

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum CompileError {
    #[error("CEL syntax not understood: {0}")]
    Syntax(String),
    #[error("CEL feature outside the supported subset: {0}")]
    Unsupported(String),
}

pub(crate) fn compile(rule: &str) -> Result<CelProgram, CompileError> {
    let expr = parse::parse(rule)?;
    check_idents(&expr, &mut vec!["self".to_string()])?;
    Ok(CelProgram { expr })
}

/// Only `self` and comprehension variables may be referenced (`oldSelf`
/// transition rules are outside the subset).
fn check_idents(e: &Expr, scope: &mut Vec<String>) -> Result<(), CompileError> {
    match e {
        Expr::Ident(n) if !scope.contains(n) => {
            Err(CompileError::Unsupported(format!("identifier {n}")))
        }
        Expr::List(items) => items.iter().try_for_each(|i| check_idents(i, scope)),
        Expr::Select(t, _) | Expr::Has(t, _) | Expr::Not(t) | Expr::Neg(t) => {
            check_idents(t, scope)
        }
        Expr::Index(a, b) | Expr::Binary(a, _, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            check_idents(a, scope)?;
            check_idents(b, scope)
        }
        Expr::Call(t, _, args) => {
            if let Some(t) = t {
                check_idents(t, scope)?;
            }
            args.iter().try_for_each(|a| check_idents(a, scope))
        }
        Expr::Comprehension(t, _, var, pred) => {
            check_idents(t, scope)?;
            scope.push(var.clone());
            let r = check_idents(pred, scope);
            scope.pop();
            r
        }
        Expr::Ternary(a, b, c) => {
            check_idents(a, scope)?;
            check_idents(b, scope)?;
            check_idents(c, scope)
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Clone)]
enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    List(Vec<Val<'a>>),
    Map(&'a Map<String, Value>),
}

/// A CEL runtime error, worded as cel-go words the common ones.
#[derive(Debug, Clone, PartialEq)]
struct EvalError(String);

type EvalResult<'a> = Result<Val<'a>, EvalError>;

fn from_json(v: &Value) -> Val<'_> {
    match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Val::Int(i),
            None => Val::Double(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Val::Str(s.clone()),
        Value::Array(a) => Val::List(a.iter().map(from_json).collect()),
        Value::Object(m) => Val::Map(m),
    }
}

fn no_overload() -> EvalError {
    EvalError("no such overload".into())
}

fn vals_equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Int(x), Val::Int(y)) => x == y,
        (Val::Int(x), Val::Double(y)) | (Val::Double(y), Val::Int(x)) => (*x as f64) == *y,
        (Val::Double(x), Val::Double(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| vals_equal(a, b))
        }
        (Val::Map(x), Val::Map(y)) => x == y,
        _ => false,
    }
}

struct Eval<'a> {
    vars: Vec<(String, Val<'a>)>,
    steps: u64,
}

impl<'a> Eval<'a> {
    fn eval(&mut self, e: &Expr) -> EvalResult<'a> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(EvalError(
                "operation cancelled: actual cost limit exceeded".into(),
            ));
        }
        match e {
            Expr::Null => Ok(Val::Null),
            Expr::Bool(b) => Ok(Val::Bool(*b)),
            Expr::Int(i) => Ok(Val::Int(*i)),
            Expr::Double(d) => Ok(Val::Double(*d)),
            Expr::Str(s) => Ok(Val::Str(s.clone())),
            Expr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Ok(Val::List(out))
            }
            Expr::Ident(n) => self
                .vars
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| EvalError(format!("no such attribute: {n}"))),
            Expr::Select(t, field) => match self.eval(t)? {
                Val::Map(m) => m
                    .get(field)
                    .map(from_json)
                    .ok_or_else(|| EvalError(format!("no such key: {field}"))),
                _ => Err(no_overload()),
            },
            Expr::Has(t, field) => match self.eval(t)? {
                Val::Map(m) => Ok(Val::Bool(m.contains_key(field))),
                _ => Err(no_overload()),
            },
            Expr::Index(t, i) => {
                let t = self.eval(t)?;
                let i = self.eval(i)?;
                match (t, i) {
                    (Val::List(l), Val::Int(i)) => usize::try_from(i)
                        .ok()
                        .and_then(|i| l.get(i).cloned())
                        .ok_or_else(|| EvalError(format!("index out of bounds: {i}"))),
                    (Val::Map(m), Val::Str(k)) => m
                        .get(&k)
                        .map(from_json)
                        .ok_or_else(|| EvalError(format!("no such key: {k}"))),
                    _ => Err(no_overload()),
                }
            }
            Expr::Not(x) => match self.eval(x)? {
                Val::Bool(b) => Ok(Val::Bool(!b)),
                _ => Err(no_overload()),
            },
            Expr::Neg(x) => match self.eval(x)? {
                Val::Int(i) => i
                    .checked_neg()
                    .map(Val::Int)
                    .ok_or_else(|| EvalError("integer overflow".into())),
                Val::Double(d) => Ok(Val::Double(-d)),
                _ => Err(no_overload()),
            },
            Expr::And(a, b) => self.logic(a, b, false),
            Expr::Or(a, b) => self.logic(a, b, true),
            Expr::Ternary(c, a, b) => match self.eval(c)? {
                Val::Bool(true) => self.eval(a),
                Val::Bool(false) => self.eval(b),
                _ => Err(no_overload()),
            },
            Expr::Binary(a, op, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                binary(a, *op, b)
            }
            Expr::Call(target, name, args) => {
                let t = match target {
                    Some(t) => Some(self.eval(t)?),
                    None => None,
                };
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                call(t, name, vals)
            }
            Expr::Comprehension(t, kind, var, pred) => {
                let items: Vec<Val<'a>> = match self.eval(t)? {
                    Val::List(l) => l,
                    Val::Map(m) => m.keys().map(|k| Val::Str(k.clone())).collect(),
                    _ => return Err(no_overload()),
                };
                let mut err: Option<EvalError> = None;
                let mut trues = 0usize;
                let mut falses = 0usize;
                for it in items {
                    self.vars.push((var.clone(), it));
                    let r = self.eval(pred);
                    self.vars.pop();
                    match r {
                        Ok(Val::Bool(true)) => trues += 1,
                        Ok(Val::Bool(false)) => falses += 1,
                        Ok(_) => err = err.or(Some(no_overload())),
                        Err(e) => err = err.or(Some(e)),
                    }
                    if (kind == "all" && falses > 0) || (kind == "exists" && trues > 0) {
                        break;
                    }
                }
                match kind.as_str() {
                    "all" if falses > 0 => Ok(Val::Bool(false)),
                    "exists" if trues > 0 => Ok(Val::Bool(true)),
                    _ => match err {
                        Some(e) => Err(e),
                        None if kind == "all" => Ok(Val::Bool(true)),
                        None if kind == "exists" => Ok(Val::Bool(false)),
                        None => Ok(Val::Bool(trues == 1)),
                    },
                }
            }
        }
    }

    /// `&&` (short on false) and `||` (short on true), absorbing an error on
    /// one side when the other side decides.
    fn logic(&mut self, a: &Expr, b: &Expr, short_on: bool) -> EvalResult<'a> {
        let left = self.eval(a);
        if let Ok(Val::Bool(v)) = left
            && v == short_on
        {
            return Ok(Val::Bool(short_on));
        }
        let right = self.eval(b);
        if let Ok(Val::Bool(v)) = right
            && v == short_on
        {
            return Ok(Val::Bool(short_on));
        }
        match (left, right) {
            (Ok(Val::Bool(_)), Ok(Val::Bool(_))) => Ok(Val::Bool(!short_on)),
            (Err(e), _) | (_, Err(e)) => Err(e),
            _ => Err(no_overload()),
        }
    }
}

fn binary<'a>(a: Val<'a>, op: BinOp, b: Val<'a>) -> EvalResult<'a> {
    use Val::*;
    Ok(match (op, &a, &b) {
        (BinOp::Eq, _, _) => Bool(vals_equal(&a, &b)),
        (BinOp::Ne, _, _) => Bool(!vals_equal(&a, &b)),
        (BinOp::In, _, List(l)) => Bool(l.iter().any(|x| vals_equal(&a, x))),
        (BinOp::In, Str(k), Map(m)) => Bool(m.contains_key(k)),
        (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, _, _) => {
            let ord = match (&a, &b) {
                (Int(x), Int(y)) => x.partial_cmp(y),
                (Int(x), Double(y)) => (*x as f64).partial_cmp(y),
                (Double(x), Int(y)) => x.partial_cmp(&(*y as f64)),
                (Double(x), Double(y)) => x.partial_cmp(y),
                (Str(x), Str(y)) => x.partial_cmp(y),
                (Bool(x), Bool(y)) => x.partial_cmp(y),
                _ => return Err(no_overload()),
            };
            let Some(ord) = ord else {
                return Ok(Bool(false));
            };
            Bool(match op {
                BinOp::Lt => ord.is_lt(),
                BinOp::Le => ord.is_le(),
                BinOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        (BinOp::Add, Str(x), Str(y)) => Str(format!("{x}{y}")),
        (BinOp::Add, List(x), List(y)) => List(x.iter().chain(y).cloned().collect()),
        (_, Int(x), Int(y)) => {
            let r = match op {
                BinOp::Add => x.checked_add(*y),
                BinOp::Sub => x.checked_sub(*y),
                BinOp::Mul => x.checked_mul(*y),
                BinOp::Div if *y == 0 => return Err(EvalError("division by zero".into())),
                BinOp::Div => x.checked_div(*y),
                BinOp::Mod if *y == 0 => return Err(EvalError("modulus by zero".into())),
                BinOp::Mod => x.checked_rem(*y),
                _ => return Err(no_overload()),
            };
            Int(r.ok_or_else(|| EvalError("integer overflow".into()))?)
        }
        (_, Double(x), Double(y)) => Double(match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div => x / y,
            _ => return Err(no_overload()),
        }),
        _ => return Err(no_overload()),
    })
}

fn call<'a>(target: Option<Val<'a>>, name: &str, args: Vec<Val<'a>>) -> EvalResult<'a> {
    use Val::*;
    let (subject, rest): (Val<'a>, Vec<Val<'a>>) = match target {
        Some(t) => (t, args),
        None => {
            let mut it = args.into_iter();
            (it.next().ok_or_else(no_overload)?, it.collect())
        }
    };
    Ok(match (name, &subject, rest.as_slice()) {
        ("size", Str(s), []) => Int(s.chars().count() as i64),
        ("size", List(l), []) => Int(l.len() as i64),
        ("size", Map(m), []) => Int(m.len() as i64),
        ("startsWith", Str(s), [Str(p)]) => Bool(s.starts_with(p.as_str())),
        ("endsWith", Str(s), [Str(p)]) => Bool(s.ends_with(p.as_str())),
        ("contains", Str(s), [Str(p)]) => Bool(s.contains(p.as_str())),
        ("matches", Str(s), [Str(p)]) => {
            let re = regex::Regex::new(p).map_err(|e| EvalError(format!("invalid regex: {e}")))?;
            Bool(re.is_match(s))
        }
        ("lowerAscii", Str(s), []) => Str(s.to_ascii_lowercase()),
        ("upperAscii", Str(s), []) => Str(s.to_ascii_uppercase()),
        ("trim", Str(s), []) => Str(s.trim().to_string()),
        ("int", Int(i), []) => Int(*i),
        ("int", Double(d), []) => Int(*d as i64),
        ("int", Str(s), []) => Int(s
            .parse()
            .map_err(|_| EvalError("no such overload".into()))?),
        ("double", Int(i), []) => Double(*i as f64),
        ("double", Double(d), []) => Double(*d),
        ("string", Str(s), []) => Str(s.clone()),
        ("string", Int(i), []) => Str(i.to_string()),
        ("string", Bool(b), []) => Str(b.to_string()),
        _ => return Err(no_overload()),
    })
}

/// Evaluate a messageExpression: its string, or None when it fails or is
/// blank or multi-line (the apiserver then falls back to the rule's message).
fn evaluate_message(p: &CelProgram, value: &Value) -> Option<String> {
    let mut ev = Eval {
        vars: vec![("self".to_string(), from_json(value))],
        steps: 0,
    };
    match ev.eval(&p.expr) {
        Ok(Val::Str(s)) if !s.trim().is_empty() && !s.contains('\n') => Some(s),
        _ => None,
    }
}

/// Evaluate a compiled rule with `self` bound to `value`.
fn evaluate(p: &CelProgram, value: &Value) -> Result<bool, EvalError> {
    let mut ev = Eval {
        vars: vec![("self".to_string(), from_json(value))],
        steps: 0,
    };
    match ev.eval(&p.expr)? {
        Val::Bool(b) => Ok(b),
        _ => Err(EvalError("no such overload".into())),
    }
}

pub(crate) fn has_rules(n: &Node) -> bool {
    !n.validations.is_empty()
        || n.properties.iter().any(|(_, p)| has_rules(p))
        || n.additional_schema().is_some_and(has_rules)
        || n.items.as_deref().is_some_and(has_rules)
        || n.all_of.iter().any(has_rules)
}

/// The apiserver's CEL validator walk from the root (nil field path).
/// `old` is the correlated old object on update: a rule's failure on a node
/// equal to its old value is ratcheted (not reported).
pub(crate) fn validate_rules(root: &Node, obj: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut out = Vec::new();
    walk(root, None, obj, old, 0, &mut out);
    out
}

fn walk(
    n: &Node,
    path: Option<&str>,
    v: &Value,
    old: Option<&Value>,
    depth: usize,
    out: &mut Vec<Cause>,
) {
    if depth > MAX_VALUE_DEPTH || v.is_null() {
        return;
    }
    for r in &n.validations {
        if let Some(c) = check_rule(n, r, path, v)
            && old != Some(v)
        {
            out.push(c);
        }
    }
    for a in &n.all_of {
        walk(a, path, v, old, depth + 1, out);
    }
    match v {
        Value::Object(map) => {
            if let Some(a) = n.additional_schema() {
                for (k, x) in map {
                    let p = format!("{}[{k}]", path.unwrap_or(""));
                    walk(a, Some(&p), x, old.and_then(|o| o.get(k)), depth + 1, out);
                }
            }
            for (k, x) in map {
                if let Some(p) = n.property(k) {
                    let cp = child(path, k);
                    walk(p, Some(&cp), x, old.and_then(|o| o.get(k)), depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = &n.items {
                for (i, x) in items.iter().enumerate() {
                    let p = format!("{}[{i}]", path.unwrap_or(""));
                    let old_item = crate::validate::correlate_item(n, x, old);
                    walk(is, Some(&p), x, old_item, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

fn check_rule(n: &Node, r: &Rule, path: Option<&str>, v: &Value) -> Option<Cause> {
    let program = r.program.as_ref()?;
    let field = match r.field_path.as_deref().map(|f| f.trim_start_matches('.')) {
        Some(f) if !f.is_empty() => child(path, f),
        _ => field_string(path),
    };
    let type_value = BadValue::str(&n.type_name);
    let rule_text = match r.message.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => r.rule.trim().to_string(),
    };
    match evaluate(program, v) {
        Ok(true) => None,
        Ok(false) => {
            let from_expression = r
                .message_expression
                .as_ref()
                .and_then(|m| evaluate_message(m, v));
            let detail = match (from_expression, r.message.as_deref().map(str::trim)) {
                (Some(m), _) => m,
                (None, Some(m)) if !m.is_empty() => m.to_string(),
                _ => format!("failed rule: {rule_text}"),
            };
            Some(match r.reason.as_deref() {
                Some("FieldValueForbidden") => cause("FieldValueForbidden", field, None, &detail),
                Some("FieldValueRequired") => cause("FieldValueRequired", field, None, &detail),
                Some("FieldValueDuplicate") => {
                    cause("FieldValueDuplicate", field, Some(&type_value), "")
                }
                _ => cause("FieldValueInvalid", field, Some(&type_value), &detail),
            })
        }
        Err(EvalError(e)) => Some(cause(
            "FieldValueInvalid",
            field,
            Some(&type_value),
            &format!("{e} evaluating rule: {rule_text}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(rule: &str, v: Value) -> Result<bool, String> {
        let p = compile(rule).map_err(|e| e.to_string())?;
        evaluate(&p, &v).map_err(|e| e.0)
    }

    #[test]
    fn flux_rule_shapes() {
        let r =
            "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))";
        assert_eq!(eval(r, json!({"chart": {}})), Ok(true));
        assert_eq!(eval(r, json!({"chart": {}, "chartRef": {}})), Ok(false));
        assert_eq!(eval(r, json!({})), Ok(false));
        let r = "self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)";
        assert_eq!(
            eval(r, json!({"type": "generic-oidc", "oidcProviders": []})),
            Ok(false)
        );
        assert_eq!(
            eval(r, json!({"type": "generic-oidc", "oidcProviders": [{}]})),
            Ok(true)
        );
        assert_eq!(eval(r, json!({"type": "github"})), Ok(true));
        let r = r#"has(self.pathPattern) && size(self.pathPattern) > 0 || self.artifacts.all(a, a.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))"#;
        assert_eq!(
            eval(r, json!({"artifacts": [{"name": "ok.name"}]})),
            Ok(true)
        );
        assert_eq!(
            eval(r, json!({"artifacts": [{"name": "Bad_Name"}]})),
            Ok(false)
        );
        assert_eq!(
            eval(
                r,
                json!({"pathPattern": "x", "artifacts": [{"name": "Bad"}]})
            ),
            Ok(true)
        );
    }

    #[test]
    fn errors_and_commutative_logic() {
        assert_eq!(
            eval("self.sts.provider == 'aws'", json!({})),
            Err("no such key: sts".into())
        );
        assert_eq!(
            eval("self.sts.provider == 'aws' || true", json!({})),
            Ok(true)
        );
        assert_eq!(eval("self.missing && false", json!({})), Ok(false));
        assert_eq!(
            eval("self.a in ['x', 'y'] ? 1 == 1 : false", json!({"a": "y"})),
            Ok(true)
        );
        assert_eq!(
            eval(
                "self.n + 1 >= 3 && self.s.startsWith('ab')",
                json!({"n": 2, "s": "abc"})
            ),
            Ok(true)
        );
    }

    #[test]
    fn outside_the_subset_is_a_compile_error() {
        assert!(compile("self.x == oldSelf.x").is_err());
        assert!(compile("self.x.map(v, v)").is_err());
        assert!(compile("quantity(self.q).isLessThan(quantity('1'))").is_err());
    }

    #[test]
    fn rule_failures_are_worded_like_the_apiserver() {
        let s = crate::StructuralSchema::new(&json!({"type": "object", "properties": {"spec": {
            "type": "object",
            "x-kubernetes-validations": [
                {"rule": "has(self.a) || has(self.b)", "message": "one of a or b must be set"},
                {"rule": "!has(self.a) || self.a != 'x'"},
                {"rule": "self.c == 1", "message": "c must be 1", "fieldPath": ".c", "reason": "FieldValueForbidden"},
                {"rule": "self.a == oldSelf.a"},
                {"rule": "!has(self.b) || self.b.size() < 3", "messageExpression": "'b is too long: ' + self.b"}
            ],
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "integer"}}}}}))
        .unwrap();
        let causes: Vec<String> = s
            .validate(&json!({"spec": {"c": 2}}))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            causes,
            vec![
                r#"spec: Invalid value: "object": one of a or b must be set"#,
                "spec.c: Forbidden: c must be 1",
            ]
        );
        let causes: Vec<String> = s
            .validate(&json!({"spec": {"a": "x", "c": 1}}))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            causes,
            vec![r#"spec: Invalid value: "object": failed rule: !has(self.a) || self.a != 'x'"#]
        );
        let causes: Vec<String> = s
            .validate(&json!({"spec": {"b": "long", "c": 1}}))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            causes,
            vec![r#"spec: Invalid value: "object": b is too long: long"#]
        );
        assert_eq!(s.skipped_rules().len(), 1);
        assert_eq!(s.skipped_rules()[0].rule, "self.a == oldSelf.a");
    }
}
