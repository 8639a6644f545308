//! Sprig's math: int64 arithmetic through cast.ToInt64, float arithmetic through decimals
//! (shopspring/decimal, as Sprig does, so `addf 0.1 0.2` is 0.3).

use super::Kind::*;
use super::{FuncResult, Registry, err, to_f64, to_i64};
use crate::value::{Value, shortest_digits};

pub fn register(r: &mut Registry) {
    r.var("add", &[], Any, |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_i64).fold(0i64, i64::wrapping_add),
        ))
    });
    r.add("add1", &[Any], |_, a| {
        Ok(Value::Int64(to_i64(&a[0]).wrapping_add(1)))
    });
    r.add("sub", &[Any, Any], |_, a| {
        Ok(Value::Int64(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))))
    });
    r.add("div", &[Any, Any], |_, a| {
        let d = to_i64(&a[1]);
        if d == 0 {
            return Err(err("runtime error: integer divide by zero"));
        }
        Ok(Value::Int64(to_i64(&a[0]).wrapping_div(d)))
    });
    r.add("mod", &[Any, Any], |_, a| {
        let d = to_i64(&a[1]);
        if d == 0 {
            return Err(err("runtime error: integer divide by zero"));
        }
        Ok(Value::Int64(to_i64(&a[0]).wrapping_rem(d)))
    });
    r.var("mul", &[Any], Any, |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_i64).fold(1i64, i64::wrapping_mul),
        ))
    });
    for name in ["max", "biggest"] {
        r.var(name, &[Any], Any, |_, a| {
            Ok(Value::Int64(a.iter().map(to_i64).max().unwrap_or(0)))
        });
    }
    r.var("min", &[Any], Any, |_, a| {
        Ok(Value::Int64(a.iter().map(to_i64).min().unwrap_or(0)))
    });
    r.var("maxf", &[Any], Any, |_, a| {
        Ok(Value::Float(
            a.iter().map(to_f64).fold(f64::NEG_INFINITY, f64::max),
        ))
    });
    r.var("minf", &[Any], Any, |_, a| {
        Ok(Value::Float(
            a.iter().map(to_f64).fold(f64::INFINITY, f64::min),
        ))
    });
    r.var("addf", &[], Any, |_, a| {
        decimal_op(&Value::Int(0), a, Op::Add)
    });
    r.add("add1f", &[Any], |_, a| {
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    });
    r.var("subf", &[Any], Any, |_, a| {
        decimal_op(&a[0], &a[1..], Op::Sub)
    });
    r.var("mulf", &[Any], Any, |_, a| {
        decimal_op(&a[0], &a[1..], Op::Mul)
    });
    r.var("divf", &[Any], Any, |_, a| {
        if a[1..].iter().any(|v| to_f64(v) == 0.0) {
            return Err(err("decimal division by 0"));
        }
        decimal_op(&a[0], &a[1..], Op::Div)
    });
    r.add("ceil", &[Any], |_, a| {
        Ok(Value::Float(to_f64(&a[0]).ceil()))
    });
    r.add("floor", &[Any], |_, a| {
        Ok(Value::Float(to_f64(&a[0]).floor()))
    });
    r.var("round", &[Any, Int], Float, |_, a| {
        let val = to_f64(&a[0]);
        let p = to_i64(&a[1]);
        let round_on = a.get(2).map(to_f64).unwrap_or(0.5);
        let pow = 10f64.powi(p as i32);
        let digit = pow * val;
        let frac = digit.fract();
        let r = if frac >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::Float(r / pow))
    });
    r.add("int", &[Any], |_, a| Ok(Value::Int(to_i64(&a[0]))));
    r.add("int64", &[Any], |_, a| Ok(Value::Int64(to_i64(&a[0]))));
    r.add("float64", &[Any], |_, a| Ok(Value::Float(to_f64(&a[0]))));
    r.add("atoi", &[Str], |_, a| {
        Ok(Value::Int(
            a[0].as_str().unwrap_or("").parse::<i64>().unwrap_or(0),
        ))
    });
    r.add("toDecimal", &[Any], |_, a| {
        let s = a[0].to_go_string();
        Ok(Value::Int64(i64::from_str_radix(&s, 8).unwrap_or(0)))
    });
}

/// A decimal number: coef x 10^exp.
#[derive(Clone, Copy, Debug)]
struct Dec {
    coef: i128,
    exp: i32,
}

impl Dec {
    fn from_f64(f: f64) -> Dec {
        if f == 0.0 || !f.is_finite() {
            return Dec { coef: 0, exp: 0 };
        }
        let (neg, digits, e) = shortest_digits(f);
        let coef: i128 = digits.parse().unwrap_or(0);
        let exp = e - (digits.len() as i32 - 1);
        Dec {
            coef: if neg { -coef } else { coef },
            exp,
        }
    }

    fn align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let sa = 10i128.checked_pow((a.exp - exp) as u32)?;
        let sb = 10i128.checked_pow((b.exp - exp) as u32)?;
        Some((a.coef.checked_mul(sa)?, b.coef.checked_mul(sb)?, exp))
    }

    fn add(a: Dec, b: Dec) -> Option<Dec> {
        let (x, y, exp) = Dec::align(a, b)?;
        Some(Dec {
            coef: x.checked_add(y)?,
            exp,
        })
    }

    fn sub(a: Dec, b: Dec) -> Option<Dec> {
        let (x, y, exp) = Dec::align(a, b)?;
        Some(Dec {
            coef: x.checked_sub(y)?,
            exp,
        })
    }

    fn mul(a: Dec, b: Dec) -> Option<Dec> {
        Some(Dec {
            coef: a.coef.checked_mul(b.coef)?,
            exp: a.exp + b.exp,
        })
    }

    /// DivRound to 16 decimal places, half away from zero (shopspring's DivisionPrecision),
    /// by long division so any magnitude stays exact. Returns the result as f64 directly.
    fn div_f64(a: Dec, b: Dec) -> Option<f64> {
        if b.coef == 0 {
            return None;
        }
        let neg = (a.coef < 0) != (b.coef < 0);
        let (num, den) = (a.coef.unsigned_abs(), b.coef.unsigned_abs());
        // a/b * 10^16 = num * 10^shift / den
        let shift = a.exp - b.exp + 16;
        let (mut digits, rem, divisor) = if shift >= 0 {
            let mut n = num.to_string();
            n.push_str(&"0".repeat(shift as usize));
            let mut q = String::with_capacity(n.len());
            let mut r: u128 = 0;
            for c in n.bytes() {
                r = r * 10 + u128::from(c - b'0');
                q.push((b'0' + (r / den) as u8) as char);
                r %= den;
            }
            (q, r, den)
        } else {
            match 10u128
                .checked_pow((-shift) as u32)
                .and_then(|p| den.checked_mul(p))
            {
                Some(d) => ((num / d).to_string(), num % d, d),
                None => ("0".to_string(), 0, 1),
            }
        };
        if rem.saturating_mul(2) >= divisor {
            digits = increment_decimal(&digits);
        }
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Some(0.0);
        }
        let text = format!("{}{significant}e-16", if neg { "-" } else { "" });
        Some(text.parse().unwrap_or(0.0))
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.coef, self.exp).parse().unwrap_or(0.0)
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn exact(self, a: Dec, b: Dec) -> Option<Dec> {
        match self {
            Op::Add => Dec::add(a, b),
            Op::Sub => Dec::sub(a, b),
            Op::Mul => Dec::mul(a, b),
            Op::Div => Dec::div_f64(a, b).map(Dec::from_f64),
        }
    }
    fn approx(self, a: f64, b: f64) -> f64 {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div => a / b,
        }
    }
}

/// Folds `rest` into `first` exactly in decimal, falling back to f64 when digits overflow.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> FuncResult {
    let mut acc = Some(Dec::from_f64(to_f64(first)));
    let mut approx = to_f64(first);
    for v in rest {
        let x = to_f64(v);
        acc = acc.and_then(|d| op.exact(d, Dec::from_f64(x)));
        approx = op.approx(approx, x);
    }
    Ok(Value::Float(acc.map_or(approx, Dec::to_f64)))
}

/// Adds one to a string of decimal digits.
fn increment_decimal(d: &str) -> String {
    let mut b: Vec<u8> = d.bytes().collect();
    for i in (0..b.len()).rev() {
        if b[i] == b'9' {
            b[i] = b'0';
        } else {
            b[i] += 1;
            return String::from_utf8(b).unwrap_or_default();
        }
    }
    let mut out = String::from("1");
    out.push_str(&String::from_utf8(b).unwrap_or_default());
    out
}
