//! Combining Shamir secret-sharing parts as sops (HashiCorp's implementation) writes them: each
//! part is the share bytes followed by its x coordinate, over GF(2^8) with the AES polynomial.

use zeroize::Zeroizing;

pub(crate) fn combine(parts: &[Zeroizing<Vec<u8>>]) -> Result<Zeroizing<Vec<u8>>, String> {
    if parts.len() < 2 {
        return Err("less than two parts cannot be used to reconstruct the secret".into());
    }
    let len = parts[0].len();
    if len < 2 {
        return Err("parts must be at least two bytes".into());
    }
    if parts.iter().any(|p| p.len() != len) {
        return Err("all parts must be the same length".into());
    }
    let xs: Vec<u8> = parts.iter().map(|p| p[len - 1]).collect();
    for (i, x) in xs.iter().enumerate() {
        if xs[..i].contains(x) {
            return Err("duplicate part detected".into());
        }
    }
    let mut secret = Zeroizing::new(vec![0u8; len - 1]);
    for (index, byte) in secret.iter_mut().enumerate() {
        let ys: Vec<u8> = parts.iter().map(|p| p[index]).collect();
        *byte = interpolate_at_zero(&xs, &ys);
    }
    Ok(secret)
}

fn interpolate_at_zero(xs: &[u8], ys: &[u8]) -> u8 {
    let mut result = 0u8;
    for i in 0..xs.len() {
        let mut basis = 1u8;
        for j in 0..xs.len() {
            if i != j {
                // x = 0, so num = xs[j]; addition is xor.
                basis = mult(basis, div(xs[j], xs[i] ^ xs[j]));
            }
        }
        result ^= mult(ys[i], basis);
    }
    result
}

fn mult(a: u8, b: u8) -> u8 {
    let mut acc = 0u8;
    for i in (0..8).rev() {
        let bit = (b >> i) & 1;
        let a_or_zero = a & 0u8.wrapping_sub(bit);
        let reduce = 0x1b & 0u8.wrapping_sub(acc >> 7);
        acc = a_or_zero ^ (reduce ^ acc.wrapping_add(acc));
    }
    acc
}

fn inverse(a: u8) -> u8 {
    // a^254 = a^-1 in GF(2^8).
    let mut result = 1u8;
    for _ in 0..254 {
        result = mult(result, a);
    }
    result
}

fn div(a: u8, b: u8) -> u8 {
    // b is never 0: x coordinates are distinct.
    mult(a, inverse(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluate(coefficients: &[u8], x: u8) -> u8 {
        coefficients
            .iter()
            .rev()
            .fold(0u8, |acc, c| mult(acc, x) ^ c)
    }

    #[test]
    fn recombines_split_secret() {
        let secret = [0x42u8, 0x00, 0xff, 0x17];
        // Degree-1 polynomials (threshold 2) with fixed slopes.
        let slopes = [3u8, 200, 1, 77];
        let parts: Vec<Zeroizing<Vec<u8>>> = (1u8..=3)
            .map(|x| {
                let mut part: Vec<u8> = secret
                    .iter()
                    .zip(slopes)
                    .map(|(s, m)| evaluate(&[*s, m], x))
                    .collect();
                part.push(x);
                Zeroizing::new(part)
            })
            .collect();
        assert_eq!(&combine(&parts[0..2]).unwrap()[..], &secret);
        assert_eq!(&combine(&parts[1..3]).unwrap()[..], &secret);
        assert!(combine(&parts[0..1]).is_err());
    }

    #[test]
    fn field_inverse() {
        for a in 1..=255u8 {
            assert_eq!(mult(a, inverse(a)), 1);
        }
    }
}
