//! The live table of Flux objects: redrawn in place on a terminal, printed again only when it
//! changes otherwise (logs, CI, the e2e test).

use super::cluster::ObjectState;
use std::io::Write;

/// Longest message shown in a row.
const MESSAGE_WIDTH: usize = 72;

pub struct Progress {
    in_place: bool,
    drawn_lines: usize,
    shown: bool,
    last: Vec<ObjectState>,
}

impl Progress {
    pub fn new(in_place: bool) -> Progress {
        Progress {
            in_place,
            drawn_lines: 0,
            shown: false,
            last: Vec::new(),
        }
    }

    /// Show `states` unless nothing changed since the last call.
    pub fn show(&mut self, states: &[ObjectState]) {
        if states == self.last.as_slice() && self.shown {
            return;
        }
        let text = render(states);
        let mut out = std::io::stdout().lock();
        if !self.in_place && self.shown {
            // Successive tables in a log, one per change.
            let _ = writeln!(out);
        }
        if self.in_place && self.drawn_lines > 0 {
            // Back to the table's first line, then overwrite it line by line.
            let _ = write!(out, "\x1b[{}A", self.drawn_lines);
        }
        for line in text.lines() {
            let _ = if self.in_place {
                writeln!(out, "\x1b[2K{line}")
            } else {
                writeln!(out, "{line}")
            };
        }
        if self.in_place {
            // Clear what is left of a longer previous table.
            let _ = write!(out, "\x1b[J");
        }
        let _ = out.flush();
        self.drawn_lines = text.lines().count();
        self.shown = true;
        self.last = states.to_vec();
    }

    /// Text was printed below the table: the next change is drawn under it, not over it.
    pub fn detach(&mut self) {
        self.drawn_lines = 0;
    }
}

/// The table: one row per object.
pub fn render(states: &[ObjectState]) -> String {
    let rows: Vec<[String; 4]> = states
        .iter()
        .map(|s| {
            [
                format!("{}/{}/{}", s.kind, s.namespace, s.name),
                if s.is_ready {
                    "True".to_string()
                } else {
                    s.ready.clone()
                },
                s.revision.clone(),
                shorten(&s.message),
            ]
        })
        .collect();
    let header = ["OBJECT", "READY", "REVISION", "MESSAGE"].map(String::from);
    let mut widths = [0; 3];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (width, cell) in widths.iter_mut().zip(row.iter()) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line = format!(
            "  {:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if states.is_empty() {
        out.push_str("  (no Flux objects yet)\n");
    }
    out
}

fn shorten(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MESSAGE_WIDTH {
        one_line
    } else {
        let cut: String = one_line.chars().take(MESSAGE_WIDTH - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(name: &str, ready: &str, is_ready: bool, message: &str) -> ObjectState {
        ObjectState {
            kind: "Kustomization",
            namespace: "flux-system".into(),
            name: name.into(),
            ready: ready.into(),
            is_ready,
            revision: if is_ready {
                "main@sha1:0123abcd".into()
            } else {
                String::new()
            },
            message: message.into(),
        }
    }

    #[test]
    fn rows_are_aligned_and_messages_shortened() {
        let long = "x ".repeat(100);
        let text = render(&[
            state("apps", "False", false, &long),
            state("infrastructure", "True", true, "Applied"),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("  OBJECT"));
        let column = lines[0].find("READY").unwrap();
        assert_eq!(&lines[1][column..column + 5], "False");
        assert_eq!(&lines[2][column..column + 4], "True");
        assert!(lines[1].ends_with('…') && lines[1].chars().count() < 160);
    }

    #[test]
    fn an_empty_table_says_so() {
        assert!(render(&[]).contains("no Flux objects yet"));
    }
}
