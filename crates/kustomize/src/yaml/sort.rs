//! go-yaml v2's map key order: letters compare by code point, other characters sort
//! before letters, and runs of digits compare as numbers.

pub fn go_yaml_key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Stable merge sort by the go-yaml order; never panics even if the order is inconsistent.
pub fn sort_keys(keys: &mut Vec<&str>) {
    if keys.len() < 2 {
        return;
    }
    let mid = keys.len() / 2;
    let mut right = keys.split_off(mid);
    sort_keys(keys);
    sort_keys(&mut right);
    let left = std::mem::take(keys);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if go_yaml_key_less(right[j], left[i]) {
            keys.push(right[j]);
            j += 1;
        } else {
            keys.push(left[i]);
            i += 1;
        }
    }
    keys.extend_from_slice(&left[i..]);
    keys.extend_from_slice(&right[j..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        assert!(go_yaml_key_less("a9", "a10"));
        assert!(go_yaml_key_less("apiVersion", "kind"));
        assert!(go_yaml_key_less("a_b", "aB"));
        assert!(go_yaml_key_less("a", "ab"));
    }
}
