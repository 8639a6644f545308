//! Logging set up as Flux's controllers log: one JSON object per line with the keys controller-runtime
//! users search for (`level`, `ts`, `msg`, then the event's fields such as `controller`, `name`,
//! `namespace`, `reconcileID`), or a console format for people.

use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Install the global subscriber for `--log-level` and `--log-encoding`. Returns false when one was
/// already installed (tests).
pub fn init(level: &str, encoding: &str) -> bool {
    let max = match level {
        "trace" => Level::TRACE,
        "debug" => Level::DEBUG,
        "error" => Level::ERROR,
        _ => Level::INFO,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(max)
        .with_writer(std::io::stderr);
    if encoding == "console" {
        builder.try_init().is_ok()
    } else {
        builder
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(JsonLines)
            .try_init()
            .is_ok()
    }
}

/// controller-runtime's (zap's) JSON layout.
pub struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut fields = serde_json::Map::new();
        // Span fields (e.g. the reconcile span's name, namespace, reconcileID) come first so that the
        // event's own fields win.
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(stored) = span
                    .extensions()
                    .get::<tracing_subscriber::fmt::FormattedFields<N>>()
                    && let Ok(serde_json::Value::Object(map)) =
                        serde_json::from_str::<serde_json::Value>(&stored.fields)
                {
                    fields.extend(map);
                }
            }
        }
        let mut visitor = JsonVisitor(&mut fields);
        event.record(&mut visitor);
        let msg = fields
            .remove("message")
            .unwrap_or(serde_json::Value::String(String::new()));
        let level = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warn",
            Level::INFO => "info",
            Level::DEBUG => "debug",
            Level::TRACE => "trace",
        };
        let mut line = serde_json::Map::new();
        line.insert("level".into(), level.into());
        line.insert(
            "ts".into(),
            chrono::Utc::now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                .into(),
        );
        line.insert("msg".into(), msg);
        line.extend(fields);
        let mut out = serde_json::Value::Object(line).to_string();
        out.push('\n');
        writer.write_str(&out)
    }
}

struct JsonVisitor<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl Visit for JsonVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.0.insert(field.name().into(), text.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Capture {
        type Writer = Capture;
        fn make_writer(&'a self) -> Capture {
            self.clone()
        }
    }

    #[test]
    fn lines_carry_controller_runtime_keys() {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(JsonLines)
            .with_writer(capture.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "reconcile",
                controller = "kustomization",
                reconcileID = "4b1e"
            );
            let _guard = span.enter();
            tracing::info!(
                name = "apps",
                namespace = "flux-system",
                "Reconciliation finished"
            );
            tracing::error!(error = "boom", "Reconciler error");
        });
        let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["level"], "info");
        assert_eq!(lines[0]["msg"], "Reconciliation finished");
        assert_eq!(lines[0]["controller"], "kustomization");
        assert_eq!(lines[0]["namespace"], "flux-system");
        assert_eq!(lines[0]["reconcileID"], "4b1e");
        assert!(chrono::DateTime::parse_from_rfc3339(lines[0]["ts"].as_str().unwrap()).is_ok());
        assert_eq!(lines[1]["level"], "error");
        assert_eq!(lines[1]["error"], "boom");
        let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
        assert_eq!(&keys[..3], ["level", "ts", "msg"]);
    }
}
