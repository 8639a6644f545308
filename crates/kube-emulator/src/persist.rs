//! Persistence for `--data-dir`: an append-only journal of committed changes, compacted into a
//! snapshot at start-up. Every change is written before the write call returns, so a killed process
//! loses nothing the API acknowledged.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::store::{Event, EventType, ObjKey};

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("data dir {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("journal {path} line {line}: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

pub struct Journal {
    file: Mutex<File>,
}

/// The state recovered from a data dir.
pub struct Recovered {
    pub rv: u64,
    pub objects: Vec<(String, ObjKey, Value)>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Journal {
    /// Read the journal in `dir` (if any), rewrite it compacted, and open it for appending.
    pub fn open(dir: &Path) -> Result<(Journal, Recovered), PersistError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join("journal.jsonl");
        let mut rv = 0u64;
        let mut state: BTreeMap<(String, ObjKey), Value> = BTreeMap::new();
        if path.exists() {
            let f = File::open(&path).map_err(io(&path))?;
            for (i, line) in BufReader::new(f).lines().enumerate() {
                let line = line.map_err(io(&path))?;
                if line.trim().is_empty() {
                    continue;
                }
                let rec: Value = match serde_json::from_str(&line) {
                    Ok(v) => v,
                    // A torn final line (killed mid-write) is dropped; anything else is corruption.
                    Err(e) if e.is_eof() => break,
                    Err(e) => {
                        return Err(PersistError::Corrupt {
                            path,
                            line: i + 1,
                            message: e.to_string(),
                        });
                    }
                };
                let field = |k: &str| rec.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let k = (field("key"), (field("ns"), field("name")));
                rv = rv.max(rec.get("rv").and_then(Value::as_u64).unwrap_or(0));
                if field("type") == "DELETED" {
                    state.remove(&k);
                } else if let Some(obj) = rec.get("object") {
                    state.insert(k, obj.clone());
                }
            }
        }
        let tmp = dir.join("journal.jsonl.tmp");
        {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            // Keep the highest resourceVersion even if the newest change was a delete.
            writeln!(f, "{}", json!({"rv": rv, "type": "MARK"})).map_err(io(&tmp))?;
            for ((key, (ns, name)), obj) in &state {
                let rec = json!({"rv": rv, "key": key, "ns": ns, "name": name, "type": "ADDED", "object": obj});
                writeln!(f, "{rec}").map_err(io(&tmp))?;
            }
            f.sync_all().map_err(io(&tmp))?;
        }
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let objects = state
            .into_iter()
            .map(|((key, okey), obj)| (key, okey, obj))
            .collect();
        Ok((
            Journal {
                file: Mutex::new(file),
            },
            Recovered { rv, objects },
        ))
    }

    pub fn append(&self, ev: &Event) {
        let name = ev
            .object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let rec = match ev.kind {
            EventType::Deleted => {
                json!({"rv": ev.rv, "key": ev.key, "ns": ev.namespace, "name": name, "type": "DELETED"})
            }
            _ => {
                json!({"rv": ev.rv, "key": ev.key, "ns": ev.namespace, "name": name, "type": ev.kind.as_str(), "object": &*ev.object})
            }
        };
        let mut line = rec.to_string();
        line.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = f.write_all(line.as_bytes()) {
            tracing::error!(error = %e, "cannot append to the data-dir journal");
        }
    }
}
