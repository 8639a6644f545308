//! Number text as Go prints it: encoding/json for the round trip, then go-yaml v2.

/// Shortest decimal digits and exponent of `f` (f = 0.d1d2d3... * 10^exp10) via Rust's
/// shortest round-trip formatting, which matches Go's shortest mode.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = digits.trim_end_matches('0').to_string();
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits
    };
    (digits, exp + 1)
}

fn fmt_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let e = if digits == "0" { 0 } else { dp - 1 };
    out.push('e');
    out.push(if e < 0 { '-' } else { '+' });
    let a = e.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

fn fmt_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let dpu = dp as usize;
        if digits.len() <= dpu {
            out.push_str(digits);
            for _ in digits.len()..dpu {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..dpu]);
            out.push('.');
            out.push_str(&digits[dpu..]);
        }
    }
    out
}

/// strconv.FormatFloat(f, 'g', -1, 64) with yaml.v2's names for the specials.
pub fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let neg = f.is_sign_negative() && f != 0.0;
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    // Go decides between %e and %f with precision 6 in shortest mode.
    if !(-4..6).contains(&exp) {
        fmt_e(neg, &digits, dp)
    } else {
        fmt_f(neg, &digits, dp)
    }
}

/// How a float value from an input document ends up printed by kustomize: JSON encoding
/// then go-yaml v2 decoding (integral values become ints) and encoding.
pub fn float_output(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format_go_float(f));
    }
    let a = f.abs();
    if f.fract() == 0.0 && a < 1e21 {
        // JSON prints it without exponent; yaml.v2 then reads an int if it fits.
        if a < 9.223_372_036_854_776e18 {
            return Ok((f as i64).to_string());
        }
        if f > 0.0 && a < 1.844_674_407_370_955_2e19 {
            return Ok((f as u64).to_string());
        }
    }
    Ok(format_go_float(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_format() {
        assert_eq!(format_go_float(1.5), "1.5");
        assert_eq!(format_go_float(1e20), "1e+20");
        assert_eq!(format_go_float(1234567.5), "1.2345675e+06");
        assert_eq!(format_go_float(0.0001), "0.0001");
        assert_eq!(format_go_float(0.00001), "1e-05");
        assert_eq!(format_go_float(123456.5), "123456.5");
        assert_eq!(float_output(1000.0).unwrap(), "1000");
        assert_eq!(float_output(1e20).unwrap(), "1e+20");
    }
}
