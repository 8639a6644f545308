//! Sprig's date functions with Go's reference-time layouts. The local zone is UTC, as in the
//! containers Helm runs in; named zones other than UTC/Local are not supported.

use std::rc::Rc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

use super::Kind::*;
use super::{FuncResult, Registry, err, to_i64};
use crate::value::{Object, Value};

#[derive(Clone, Debug)]
pub struct GoTime {
    pub dt: DateTime<FixedOffset>,
    pub zone: String,
}

impl GoTime {
    fn utc(dt: DateTime<Utc>) -> GoTime {
        GoTime {
            dt: dt.fixed_offset(),
            zone: "UTC".into(),
        }
    }

    /// time.Time's String(): "2006-01-02 15:04:05.999999999 -0700 MST".
    pub fn go_string(&self) -> String {
        format_layout(self, "2006-01-02 15:04:05.999999999 -0700 MST")
    }

    pub fn rfc3339nano(&self) -> String {
        format_layout(self, "2006-01-02T15:04:05.999999999Z07:00")
    }
}

fn time_value(t: GoTime) -> Value {
    Value::Object(Rc::new(Object::Time(t)))
}

fn as_time(v: &Value) -> Option<GoTime> {
    match v {
        Value::Object(o) => match &**o {
            Object::Time(t) => Some(t.clone()),
            _ => None,
        },
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => {
            Utc.timestamp_opt(to_i64(v), 0).single().map(GoTime::utc)
        }
        _ => None,
    }
}

fn zone_time(t: &GoTime, zone: &str) -> Result<GoTime, crate::template::TplError> {
    match zone {
        "" | "UTC" | "Local" => Ok(GoTime::utc(t.dt.with_timezone(&Utc))),
        other => Err(err(format!("unknown time zone {other}"))),
    }
}

pub fn register(r: &mut Registry) {
    r.add("now", &[], |_, _| Ok(time_value(GoTime::utc(Utc::now()))));
    r.add("date", &[Str, Any], |_, a| {
        date_in_zone(&a[0], &a[1], "Local")
    });
    r.add("dateInZone", &[Str, Any, Str], |_, a| {
        date_in_zone(&a[0], &a[1], a[2].as_str().unwrap_or(""))
    });
    r.add("date_in_zone", &[Str, Any, Str], |_, a| {
        date_in_zone(&a[0], &a[1], a[2].as_str().unwrap_or(""))
    });
    r.add("htmlDate", &[Any], |_, a| {
        date_in_zone(&Value::str("2006-01-02"), &a[0], "Local")
    });
    r.add("htmlDateInZone", &[Any, Str], |_, a| {
        date_in_zone(
            &Value::str("2006-01-02"),
            &a[0],
            a[1].as_str().unwrap_or(""),
        )
    });
    r.add("unixEpoch", &[Any], |_, a| match as_time(&a[0]) {
        Some(t) => Ok(Value::from(t.dt.timestamp().to_string())),
        None => Err(err("unixEpoch needs a time")),
    });
    for name in [
        "dateModify",
        "date_modify",
        "mustDateModify",
        "must_date_modify",
    ] {
        r.add(name, &[Str, Any], |_, a| {
            let t = as_time(&a[1]).ok_or_else(|| err("dateModify needs a time"))?;
            match parse_duration(a[0].as_str().unwrap_or("")) {
                Some(ns) => Ok(time_value(GoTime {
                    dt: t.dt + chrono::Duration::nanoseconds(ns as i64),
                    zone: t.zone,
                })),
                None => Ok(time_value(t)),
            }
        });
    }
    for name in ["toDate", "mustToDate"] {
        r.add(name, &[Str, Str], |_, a| {
            match parse_layout(a[0].as_str().unwrap_or(""), a[1].as_str().unwrap_or("")) {
                Some(t) => Ok(time_value(t)),
                None => Ok(time_value(GoTime::utc(
                    DateTime::<Utc>::from_naive_utc_and_offset(
                        NaiveDate::from_ymd_opt(1, 1, 1)
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .unwrap_or_default(),
                        Utc,
                    ),
                ))),
            }
        });
    }
    // Sprig reads strings and int64 only: Go ints (template literals) and float64 count as 0.
    r.add("duration", &[Any], |_, a| {
        let secs = match &a[0] {
            Value::Str(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(i) => *i,
            _ => 0,
        };
        Ok(Value::from(format_duration(secs as i128 * 1_000_000_000)))
    });
    r.add("durationRound", &[Any], |_, a| {
        let ns: i128 = match &a[0] {
            Value::Str(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(i) => *i as i128,
            Value::Object(o) => match &**o {
                Object::Time(t) => (Utc::now().fixed_offset() - t.dt)
                    .num_nanoseconds()
                    .unwrap_or(0) as i128,
                _ => 0,
            },
            _ => 0,
        };
        Ok(Value::from(duration_round(ns)))
    });
    r.add("ago", &[Any], |_, a| {
        let t = as_time(&a[0]).ok_or_else(|| err("ago needs a time"))?;
        let secs = (Utc::now().fixed_offset() - t.dt).num_seconds();
        Ok(Value::from(format_duration(secs as i128 * 1_000_000_000)))
    });
}

fn date_in_zone(fmt: &Value, date: &Value, zone: &str) -> FuncResult {
    let t = match as_time(date) {
        Some(t) => t,
        None => GoTime::utc(Utc::now()),
    };
    let t = zone_time(&t, zone)?;
    Ok(Value::from(format_layout(&t, fmt.as_str().unwrap_or(""))))
}

/// time.ParseDuration, in nanoseconds.
pub fn parse_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[u..];
        total += num * unit;
    }
    let v = total.round() as i128;
    Some(if neg { -v } else { v })
}

/// time.Duration.String().
pub fn format_duration(ns: i128) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let mut u = ns.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1u128)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_str(u, div));
        out.push_str(unit);
    } else {
        let h = u / 3_600_000_000_000;
        u %= 3_600_000_000_000;
        let m = u / 60_000_000_000;
        u %= 60_000_000_000;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac_str(u, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

fn frac_str(v: u128, div: u128) -> String {
    let int = v / div;
    let frac = v % div;
    if frac == 0 {
        return int.to_string();
    }
    let width = div.to_string().len() - 1;
    let f = format!("{frac:0width$}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

/// Sprig's durationRound: the largest unit only.
fn duration_round(ns: i128) -> String {
    let secs = ns.unsigned_abs() / 1_000_000_000;
    let neg = if ns < 0 { "-" } else { "" };
    const MINUTE: u128 = 60;
    const HOUR: u128 = 3600;
    const DAY: u128 = 86400;
    const MONTH: u128 = 30 * DAY;
    const YEAR: u128 = 365 * DAY;
    let s = if secs >= YEAR {
        format!("{}y", secs / YEAR)
    } else if secs >= MONTH {
        format!("{}mo", secs / MONTH)
    } else if secs >= DAY {
        format!("{}d", secs / DAY)
    } else if secs >= HOUR {
        format!("{}h", secs / HOUR)
    } else if secs >= MINUTE {
        format!("{}m", secs / MINUTE)
    } else {
        format!("{secs}s")
    };
    format!("{neg}{s}")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Layout tokens in the order Go's nextStdChunk recognises them.
const TOKENS: &[&str] = &[
    "January",
    "Jan",
    "Monday",
    "Mon",
    "MST",
    "2006",
    "-07:00:00",
    "-0700",
    "-07:00",
    "-07",
    "Z07:00:00",
    "Z0700",
    "Z07:00",
    "Z07",
    "002",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "_2",
    "15",
    "1",
    "2",
    "3",
    "4",
    "5",
    "PM",
    "pm",
];

fn next_token(layout: &str) -> Option<(usize, &'static str, usize)> {
    // returns (start, token, fraction digits for .000/.999 tokens)
    let b = layout.as_bytes();
    for i in 0..b.len() {
        if (b[i] == b'.' || b[i] == b',')
            && i + 1 < b.len()
            && (b[i + 1] == b'0' || b[i + 1] == b'9')
        {
            let ch = b[i + 1];
            let mut j = i + 1;
            while j < b.len() && b[j] == ch {
                j += 1;
            }
            if j >= b.len() || !b[j].is_ascii_digit() {
                return Some((i, if ch == b'0' { ".0" } else { ".9" }, j - i - 1));
            }
        }
        for t in TOKENS {
            if layout[i..].starts_with(t) {
                // Go: "Jan"/"Mon" followed by a lowercase letter are not tokens
                if (*t == "Jan" || *t == "Mon")
                    && layout[i + 3..].starts_with(|c: char| c.is_ascii_lowercase())
                {
                    continue;
                }
                return Some((i, t, 0));
            }
        }
    }
    None
}

pub fn format_layout(t: &GoTime, layout: &str) -> String {
    let dt = t.dt;
    let mut out = String::new();
    let mut rest = layout;
    while let Some((i, tok, frac)) = next_token(rest) {
        out.push_str(&rest[..i]);
        let off = dt.offset().local_minus_utc();
        let (sign, aoff) = if off < 0 { ('-', -off) } else { ('+', off) };
        let piece = match tok {
            "January" => MONTHS[dt.month0() as usize].to_string(),
            "Jan" => MONTHS[dt.month0() as usize][..3].to_string(),
            "Monday" => DAYS[dt.weekday().num_days_from_sunday() as usize].to_string(),
            "Mon" => DAYS[dt.weekday().num_days_from_sunday() as usize][..3].to_string(),
            "MST" => t.zone.clone(),
            "2006" => format!("{:04}", dt.year()),
            "06" => format!("{:02}", dt.year() % 100),
            "01" => format!("{:02}", dt.month()),
            "1" => dt.month().to_string(),
            "02" => format!("{:02}", dt.day()),
            "2" => dt.day().to_string(),
            "_2" => format!("{:>2}", dt.day()),
            "002" => format!("{:03}", dt.ordinal()),
            "15" => format!("{:02}", dt.hour()),
            "03" => format!("{:02}", (dt.hour() + 11) % 12 + 1),
            "3" => ((dt.hour() + 11) % 12 + 1).to_string(),
            "04" => format!("{:02}", dt.minute()),
            "4" => dt.minute().to_string(),
            "05" => format!("{:02}", dt.second()),
            "5" => dt.second().to_string(),
            "PM" => if dt.hour() >= 12 { "PM" } else { "AM" }.to_string(),
            "pm" => if dt.hour() >= 12 { "pm" } else { "am" }.to_string(),
            "-0700" => format!("{sign}{:02}{:02}", aoff / 3600, aoff % 3600 / 60),
            "-07:00" => format!("{sign}{:02}:{:02}", aoff / 3600, aoff % 3600 / 60),
            "-07" => format!("{sign}{:02}", aoff / 3600),
            "-07:00:00" => format!(
                "{sign}{:02}:{:02}:{:02}",
                aoff / 3600,
                aoff % 3600 / 60,
                aoff % 60
            ),
            "Z0700" | "Z07:00" | "Z07" | "Z07:00:00" if off == 0 => "Z".to_string(),
            "Z0700" => format!("{sign}{:02}{:02}", aoff / 3600, aoff % 3600 / 60),
            "Z07:00" => format!("{sign}{:02}:{:02}", aoff / 3600, aoff % 3600 / 60),
            "Z07" => format!("{sign}{:02}", aoff / 3600),
            "Z07:00:00" => format!(
                "{sign}{:02}:{:02}:{:02}",
                aoff / 3600,
                aoff % 3600 / 60,
                aoff % 60
            ),
            ".0" => {
                let ns = format!("{:09}", dt.nanosecond() % 1_000_000_000);
                format!("{}{}", &rest[i..i + 1], &ns[..frac.min(9)])
            }
            ".9" => {
                let ns = format!("{:09}", dt.nanosecond() % 1_000_000_000);
                let f = ns[..frac.min(9)].trim_end_matches('0');
                if f.is_empty() {
                    String::new()
                } else {
                    format!("{}{f}", &rest[i..i + 1])
                }
            }
            _ => tok.to_string(),
        };
        out.push_str(&piece);
        let consumed = if tok == ".0" || tok == ".9" {
            1 + frac
        } else {
            tok.len()
        };
        rest = &rest[i + consumed..];
    }
    out.push_str(rest);
    out
}

/// time.Parse for the common layout tokens; the result is in UTC unless the input has an offset.
pub fn parse_layout(layout: &str, value: &str) -> Option<GoTime> {
    let (mut y, mut mo, mut d, mut h, mut mi, mut s, mut ns) =
        (1i32, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut off: Option<i32> = None;
    let mut pm: Option<bool> = None;
    let mut rest = layout;
    let mut v = value;
    let take_num = |v: &mut &str, min: usize, max: usize| -> Option<u32> {
        let n = v
            .bytes()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        let r = v[..n].parse().ok();
        *v = &v[n..];
        r
    };
    while let Some((i, tok, frac)) = next_token(rest) {
        let lit = &rest[..i];
        v = v.strip_prefix(lit)?;
        match tok {
            "2006" => y = take_num(&mut v, 4, 4)? as i32,
            "06" => y = 2000 + take_num(&mut v, 2, 2)? as i32,
            "01" => mo = take_num(&mut v, 2, 2)?,
            "1" => mo = take_num(&mut v, 1, 2)?,
            "02" => d = take_num(&mut v, 2, 2)?,
            "2" | "_2" => {
                v = v.trim_start_matches(' ');
                d = take_num(&mut v, 1, 2)?
            }
            "15" => h = take_num(&mut v, 1, 2)?,
            "03" | "3" => h = take_num(&mut v, 1, 2)?,
            "04" | "4" => mi = take_num(&mut v, 1, 2)?,
            "05" | "5" => {
                s = take_num(&mut v, 1, 2)?;
                // Go accepts a fractional second after seconds even if the layout has none
                if v.starts_with('.') && !rest[i + tok.len()..].starts_with('.') {
                    let n = v[1..].bytes().take_while(|c| c.is_ascii_digit()).count();
                    let digits = &v[1..1 + n];
                    ns = format!("{digits:0<9}")[..9].parse().ok()?;
                    v = &v[1 + n..];
                }
            }
            "Jan" | "January" => {
                let idx = MONTHS.iter().position(|m| {
                    let m = if tok == "Jan" { &m[..3] } else { m };
                    v.starts_with(m)
                })?;
                let len = if tok == "Jan" { 3 } else { MONTHS[idx].len() };
                mo = idx as u32 + 1;
                v = &v[len..];
            }
            "Mon" | "Monday" => {
                let idx = DAYS.iter().position(|m| {
                    let m = if tok == "Mon" { &m[..3] } else { m };
                    v.starts_with(m)
                })?;
                v = &v[if tok == "Mon" { 3 } else { DAYS[idx].len() }..];
            }
            "PM" | "pm" => {
                let up = v.get(..2)?.to_ascii_uppercase();
                pm = Some(up == "PM");
                v = &v[2..];
            }
            "MST" => {
                let n = v.bytes().take_while(|c| c.is_ascii_uppercase()).count();
                v = &v[n..];
            }
            "Z07:00" | "Z0700" | "Z07" | "-07:00" | "-0700" | "-07" => {
                if tok.starts_with('Z') && v.starts_with('Z') {
                    off = Some(0);
                    v = &v[1..];
                } else {
                    let sign = match v.as_bytes().first()? {
                        b'+' => 1,
                        b'-' => -1,
                        _ => return None,
                    };
                    v = &v[1..];
                    let hh = take_num(&mut v, 2, 2)? as i32;
                    if tok.ends_with(":00") {
                        v = v.strip_prefix(':')?;
                    }
                    let mm = if tok.ends_with("07") {
                        0
                    } else {
                        take_num(&mut v, 2, 2)? as i32
                    };
                    off = Some(sign * (hh * 3600 + mm * 60));
                }
            }
            ".0" | ".9" => {
                if let Some(stripped) = v.strip_prefix(['.', ',']) {
                    let n = stripped.bytes().take_while(|c| c.is_ascii_digit()).count();
                    let digits = &stripped[..n];
                    ns = format!("{digits:0<9}")[..9].parse().ok()?;
                    v = &stripped[n..];
                } else if tok == ".0" {
                    return None;
                }
                let _ = frac;
            }
            _ => return None,
        }
        let consumed = if tok == ".0" || tok == ".9" {
            1 + frac
        } else {
            tok.len()
        };
        rest = &rest[i + consumed..];
    }
    if v != rest {
        return None;
    }
    if let Some(p) = pm {
        if p && h < 12 {
            h += 12;
        } else if !p && h == 12 {
            h = 0;
        }
    }
    let naive: NaiveDateTime = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_nano_opt(h, mi, s, ns)?;
    match off {
        None | Some(0) => Some(GoTime::utc(DateTime::<Utc>::from_naive_utc_and_offset(
            naive, Utc,
        ))),
        Some(o) => {
            let tz = FixedOffset::east_opt(o)?;
            let dt = tz.from_local_datetime(&naive).single()?;
            Some(GoTime {
                dt,
                zone: String::new(),
            })
        }
    }
}
