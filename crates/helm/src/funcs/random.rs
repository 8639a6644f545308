//! Sprig's random functions. Not deterministic, as in Helm; seeded per process from the OS
//! (std's RandomState) and a counter.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};

use base64::Engine as _;

use super::Kind::*;
use super::{Registry, err, to_i64};
use crate::value::Value;

/// Largest random string or byte count accepted.
const MAX_LEN: i64 = 1 << 20;

thread_local! {
    static STATE: Cell<u64> = Cell::new({
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0));
        h.finish() | 1
    });
}

fn next() -> u64 {
    STATE.with(|s| {
        // xorshift64*
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

fn below(n: u64) -> u64 {
    if n == 0 { 0 } else { next() % n }
}

fn rand_from(set: &[u8], n: i64) -> Result<Value, crate::template::TplError> {
    if !(0..=MAX_LEN).contains(&n) {
        return Err(err(format!("invalid length {n}")));
    }
    let s: String = (0..n)
        .map(|_| set[below(set.len() as u64) as usize] as char)
        .collect();
    Ok(Value::from(s))
}

const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const NUM: &[u8] = b"0123456789";

pub fn register(r: &mut Registry) {
    r.add("randAlphaNum", &[Int], |_, a| {
        rand_from(ALNUM, to_i64(&a[0]))
    });
    r.add("randAlpha", &[Int], |_, a| rand_from(ALPHA, to_i64(&a[0])));
    r.add("randNumeric", &[Int], |_, a| rand_from(NUM, to_i64(&a[0])));
    r.add("randAscii", &[Int], |_, a| {
        let ascii: Vec<u8> = (32u8..127).collect();
        rand_from(&ascii, to_i64(&a[0]))
    });
    r.add("randInt", &[Int, Int], |_, a| {
        let (lo, hi) = (to_i64(&a[0]), to_i64(&a[1]));
        if hi <= lo {
            return Err(err("invalid argument to Intn"));
        }
        Ok(Value::Int(lo + below((hi - lo) as u64) as i64))
    });
    r.add("randBytes", &[Int], |_, a| {
        let n = to_i64(&a[0]);
        if !(0..=MAX_LEN).contains(&n) {
            return Err(err(format!("invalid length {n}")));
        }
        let bytes: Vec<u8> = (0..n).map(|_| next() as u8).collect();
        Ok(Value::from(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ))
    });
    r.add("uuidv4", &[], |_, _| {
        let mut b = [0u8; 16];
        for x in b.iter_mut() {
            *x = next() as u8;
        }
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        Ok(Value::from(format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )))
    });
    r.add("shuffle", &[Str], |_, a| {
        let mut c: Vec<char> = a[0].as_str().unwrap_or("").chars().collect();
        for i in (1..c.len()).rev() {
            let j = below(i as u64 + 1) as usize;
            c.swap(i, j);
        }
        Ok(Value::from(c.into_iter().collect::<String>()))
    });
}
