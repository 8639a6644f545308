//! metadata.managedFields entries: decoding, manager identities, encoding in the apiserver's order.

use serde_json::{Map, Value, json};

use super::path::go_json;
use super::set::Set;

/// One manager's ownership: a managedFields entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub manager: String,
    pub applied: bool,
    pub api_version: String,
    pub subresource: String,
    pub time: Option<String>,
    pub set: Set,
}

impl Entry {
    fn operation(&self) -> &'static str {
        if self.applied { "Apply" } else { "Update" }
    }

    /// The identity the apiserver keys managers by: JSON of manager, operation, apiVersion (Update
    /// only) and subresource, in metav1.ManagedFieldsEntry field order.
    pub fn identity(&self) -> String {
        identity(
            &self.manager,
            self.applied,
            &self.api_version,
            &self.subresource,
        )
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation()));
        m.insert("apiVersion".into(), json!(self.api_version));
        if let Some(t) = &self.time {
            m.insert("time".into(), json!(t));
        }
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), self.set.to_fields_v1());
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(m)
    }
}

pub(crate) fn identity(
    manager: &str,
    applied: bool,
    api_version: &str,
    subresource: &str,
) -> String {
    let mut s = String::from("{");
    if !manager.is_empty() {
        s.push_str(&format!("\"manager\":{},", go_json(&json!(manager))));
    }
    s.push_str(&format!(
        "\"operation\":\"{}\"",
        if applied { "Apply" } else { "Update" }
    ));
    if !applied && !api_version.is_empty() {
        s.push_str(&format!(",\"apiVersion\":{}", go_json(&json!(api_version))));
    }
    if !subresource.is_empty() {
        s.push_str(&format!(
            ",\"subresource\":{}",
            go_json(&json!(subresource))
        ));
    }
    s.push('}');
    s
}

/// Managers by identity, in first-seen order (a later duplicate replaces an earlier one).
#[derive(Debug, Clone, Default)]
pub(crate) struct Managers {
    pub entries: Vec<Entry>,
}

impl Managers {
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.identity() == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.identity() == id)
    }

    pub fn upsert(&mut self, entry: Entry) {
        let id = entry.identity();
        match self.get_mut(&id) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    pub fn remove(&mut self, id: &str) {
        self.entries.retain(|e| e.identity() != id);
    }

    pub fn drop_empty(&mut self) {
        self.entries.retain(|e| !e.set.is_empty());
    }

    /// Decodes metadata.managedFields with the apiserver's checks and messages.
    pub fn decode(list: Option<&Value>) -> Result<Managers, String> {
        let mut out = Managers::default();
        let items = match list {
            None | Some(Value::Null) => return Ok(out),
            Some(Value::Array(a)) => a,
            Some(_) => return Err("managedFields must be a list".to_string()),
        };
        for (i, item) in items.iter().enumerate() {
            let Value::Object(m) = item else {
                return Err(format!("managed fields entry {i} must be an object"));
            };
            let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let applied = match s("operation").as_str() {
                "Apply" => true,
                "Update" => false,
                _ => return Err("operation must be `Apply` or `Update`".to_string()),
            };
            let api_version = s("apiVersion");
            if api_version.is_empty() {
                return Err("apiVersion must not be empty".to_string());
            }
            match s("fieldsType").as_str() {
                "FieldsV1" => {}
                "" => return Err(format!("missing fieldsType in managed fields entry {i}")),
                other => {
                    return Err(format!(
                        "invalid fieldsType {} in managed fields entry {i}",
                        go_json(&json!(other))
                    ));
                }
            }
            let set = match m.get("fieldsV1") {
                None | Some(Value::Null) => Set::default(),
                Some(v) => {
                    Set::from_fields_v1(v).map_err(|e| format!("error decoding set: {e}"))?
                }
            };
            out.upsert(Entry {
                manager: s("manager"),
                applied,
                api_version,
                subresource: s("subresource"),
                time: m.get("time").and_then(Value::as_str).map(String::from),
                set,
            });
        }
        Ok(out)
    }

    /// Entries sorted as the apiserver writes them: operation, time, manager, apiVersion,
    /// subresource. None when there is no manager (the field is then omitted).
    pub fn encode(&self) -> Option<Value> {
        if self.entries.is_empty() {
            return None;
        }
        let mut entries: Vec<&Entry> = self.entries.iter().collect();
        entries.sort_by(|p, q| {
            p.operation()
                .cmp(q.operation())
                .then_with(|| seconds(&p.time).cmp(&seconds(&q.time)))
                .then_with(|| p.manager.cmp(&q.manager))
                .then_with(|| p.api_version.cmp(&q.api_version))
                .then_with(|| p.subresource.cmp(&q.subresource))
        });
        Some(Value::Array(
            entries.into_iter().map(Entry::to_json).collect(),
        ))
    }

    /// Folds the oldest Update managers into "ancient-changes" buckets (one per apiVersion) when
    /// there are more than `max` of them, as the apiserver's capManagersManager does.
    pub fn cap_updaters(&mut self, max: usize) {
        let mut updaters: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| !e.applied)
            .cloned()
            .collect();
        if updaters.len() <= max {
            return;
        }
        updaters.sort_by(|a, b| {
            seconds(&a.time)
                .cmp(&seconds(&b.time))
                .then_with(|| a.identity().cmp(&b.identity()))
        });
        let mut first_of_version: Vec<(String, String)> = Vec::new();
        let mut length = updaters.len();
        for e in updaters {
            if length <= max {
                break;
            }
            let bucket = identity("ancient-changes", false, &e.api_version, "");
            let first = first_of_version
                .iter()
                .find(|(v, _)| *v == e.api_version)
                .map(|(_, id)| id.clone());
            match first {
                Some(first_id) => {
                    if self.get(&bucket).is_none()
                        && let Some(f) = self.get(&first_id).cloned()
                    {
                        self.remove(&first_id);
                        self.entries.push(Entry {
                            manager: "ancient-changes".into(),
                            applied: false,
                            api_version: e.api_version.clone(),
                            subresource: String::new(),
                            time: f.time.clone(),
                            set: f.set,
                        });
                    }
                    if let Some(b) = self.get_mut(&bucket) {
                        b.set = e.set.union(&b.set);
                        b.time = e.time.clone();
                    }
                    self.remove(&e.identity());
                    length -= 1;
                }
                None => first_of_version.push((e.api_version.clone(), e.identity())),
            }
        }
    }
}

/// Unix seconds of an RFC 3339 time (0 when absent or unparsable, like a nil time).
pub(crate) fn seconds(t: &Option<String>) -> i64 {
    t.as_deref().and_then(parse_rfc3339).unwrap_or(0)
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh = rest.get(1..3)?.parse::<i64>().ok()?;
            let om = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = if y2 >= 0 { y2 } else { y2 - 399 } / 400;
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}
