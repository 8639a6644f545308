//! Helm's `--set`, `--set-string` and `--set-json` parser (pkg/strvals).

use crate::value::{Map, Value};

const MAX_INDEX: i64 = 65536;
const MAX_NESTED_NAME_LEVEL: usize = 30;

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    /// `--set`: true/false/null/integers are typed.
    Typed,
    /// `--set-string`: every value is a string.
    String,
    /// `--set-json`: values are JSON.
    Json,
}

enum E {
    Eof,
    NotList,
    Msg(String),
}

type R<T> = Result<T, E>;

struct Parser {
    chars: Vec<char>,
    pos: usize,
    mode: Mode,
}

/// Parses one `--set` style argument into `dest`.
pub fn parse_into(s: &str, dest: &mut Map, mode: Mode) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        mode,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(E::Eof) => return Ok(()),
            Err(E::NotList) => return Err("not a list".into()),
            Err(E::Msg(m)) => return Err(m),
        }
    }
}

fn typed_val(v: &str, string: bool) -> Value {
    if string {
        return Value::str(v);
    }
    if v.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if v == "0" {
        return Value::Int64(0);
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Some(i) = parse_int10(v)
    {
        return Value::Int64(i);
    }
    Value::str(v)
}

fn parse_int10(v: &str) -> Option<i64> {
    let body = v.strip_prefix(['+', '-']).unwrap_or(v);
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

impl Parser {
    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos -= 1;
    }

    /// Runes up to a stop rune (consumed), honouring backslash escapes.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') => match self.read() {
                    None => return (v, None),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn reader(&self, rs: &str) -> Value {
        typed_val(rs, self.mode == Mode::String)
    }

    fn key(&mut self, data: &mut Map, level: usize) -> R<()> {
        let (k, last) = self.until(&['=', '[', ',', '.']);
        match last {
            None => {
                if k.is_empty() {
                    return Err(E::Eof);
                }
                Err(E::Msg(format!("key {k:?} has no value")))
            }
            Some('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| E::Msg(format!("error parsing index: {e}")))?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => {
                        return Err(E::Msg(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            other.type_name()
                        )));
                    }
                };
                let (list, err) = self.list_item(list, i, level);
                set(data, &k, Value::from(list));
                match err {
                    Some(e) => Err(e),
                    None => Ok(()),
                }
            }
            Some('=') => {
                if self.mode == Mode::Json {
                    return self.json_value(data, &k);
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Value::from(vl));
                        Ok(())
                    }
                    Err(E::Eof) => {
                        set(data, &k, Value::str(""));
                        Err(E::Eof)
                    }
                    Err(E::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.reader(&rs);
                        set(data, &k, v);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Some(',') => {
                set(data, &k, Value::str(""));
                Err(E::Msg(format!(
                    "key {k:?} has no value (cannot end with ,)"
                )))
            }
            Some(_) => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(E::Msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let mut inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m.borrow().clone(),
                    Some(other) => {
                        return Err(E::Msg(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            other.type_name()
                        )));
                    }
                };
                let e = self.key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return Err(E::Msg(format!("key map {k:?} has no value")));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::from(inner));
                }
                e
            }
        }
    }

    fn json_value(&mut self, data: &mut Map, k: &str) -> R<()> {
        if self.empty_val() {
            set(data, k, Value::Nil);
            return Ok(());
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut de = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match de.next() {
            Some(Ok(v)) => {
                let used = de.byte_offset();
                self.pos += rest[..used].chars().count();
                set(data, k, crate::yaml::from_json(v));
                self.empty_val();
                Ok(())
            }
            Some(Err(e)) => Err(E::Msg(e.to_string())),
            None => Err(E::Msg("unexpected end of JSON input".into())),
        }
    }

    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, String> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err("EOF".into());
        }
        v.parse::<i64>()
            .map_err(|_| format!("strconv.Atoi: parsing {v:?}: invalid syntax"))
    }

    fn list_item(&mut self, mut list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, Option<E>) {
        if i < 0 {
            return (
                list,
                Some(E::Msg(format!("negative {i} index not allowed"))),
            );
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Some(E::Msg(format!(
                    "unexpected data at end of array index: {k:?}"
                ))),
            );
        }
        match last {
            None => (list, Some(E::Eof)),
            Some('=') => {
                if self.mode == Mode::Json {
                    let mut tmp = Map::new();
                    let r = self.json_value(&mut tmp, "v");
                    if let Err(e) = r {
                        return (list, Some(e));
                    }
                    let v = tmp.remove("v").unwrap_or(Value::Nil);
                    return set_index(list, i, v);
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::from(vl)),
                    Err(E::Eof) => set_index(list, i, Value::str("")),
                    Err(E::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.reader(&rs);
                        set_index(list, i, v)
                    }
                    Err(e) => (list, Some(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Some(E::Msg(format!("error parsing index: {e}")))),
                };
                let crt = match list.get(i as usize) {
                    Some(Value::List(l)) => l.to_vec(),
                    _ => Vec::new(),
                };
                let (l2, err) = self.list_item(crt, next, level);
                if let Some(e) = err {
                    return (list, Some(e));
                }
                set_index(list, i, Value::from(l2))
            }
            Some(_) => {
                let mut inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.borrow().clone(),
                    _ => Map::new(),
                };
                if let Err(e) = self.key(&mut inner, level) {
                    // keep Go's behaviour: the error ends the parse
                    return (list, Some(e));
                }
                if (i as usize) < list.len() {
                    list[i as usize] = Value::from(inner.clone());
                }
                set_index(list, i, Value::from(inner))
            }
        }
    }

    fn val_list(&mut self) -> R<Vec<Value>> {
        match self.read() {
            None => return Err(E::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(E::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return Err(E::Msg("list must terminate with '}'".into())),
                Some('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.unread();
                    }
                    list.push(self.reader(&rs));
                    return Ok(list);
                }
                Some(_) => list.push(self.reader(&rs)),
            }
        }
    }
}

fn set(data: &mut Map, key: &str, v: Value) {
    if key.is_empty() {
        return;
    }
    data.insert(key.to_string(), v);
}

fn set_index(mut list: Vec<Value>, i: i64, v: Value) -> (Vec<Value>, Option<E>) {
    if i < 0 {
        return (
            list,
            Some(E::Msg(format!("negative {i} index not allowed"))),
        );
    }
    if i > MAX_INDEX {
        return (
            list,
            Some(E::Msg(format!(
                "index of {i} is greater than maximum supported index of {MAX_INDEX}"
            ))),
        );
    }
    let i = i as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
    (list, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        let mut m = Map::new();
        match parse_into(s, &mut m, Mode::Typed) {
            Ok(()) => Value::from(m).to_go_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn parses_like_helm() {
        assert_eq!(
            p("a=1,b=true,c=null,d=007"),
            "map[a:1 b:true c:<nil> d:007]"
        );
        assert_eq!(p("a.b.c=x"), "map[a:map[b:map[c:x]]]");
        assert_eq!(p("l[1]=x"), "map[l:[<nil> x]]");
        assert_eq!(p("l={a,b}"), "map[l:[a b]]");
        assert_eq!(p("a\\.b=1"), "map[a.b:1]");
        assert_eq!(p("a"), "error: key \"a\" has no value");
        assert_eq!(p("a="), "map[a:]");
        assert_eq!(p("l[0].x=1,l[0].y=2"), "map[l:[map[x:1 y:2]]]");
    }
}
