//! Fractional-index order keys: strings that sort siblings and let a node be placed between any two
//! others with one write (no renumbering), the scheme of the `fractional-indexing` npm package.
//!
//! A key is an integer part (a head letter giving its length, then base-62 digits) followed by an
//! optional fraction (base-62 digits, no trailing `0`). Plain byte order is key order, so Yjs clients
//! can sort with `<`. Appending increments the integer part, so `n` appends cost `O(log n)` characters.

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// The one integer part that has no predecessor; the scheme never hands it out as a whole key.
const SMALLEST_INTEGER: &str = "A00000000000000000000000000";
/// Keys longer than this are treated as invalid: they only come from hostile or broken peers.
pub const MAX_KEY_LEN: usize = 256;

fn digit(c: u8) -> Option<usize> {
    DIGITS.iter().position(|&d| d == c)
}

fn integer_len(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some(usize::from(head - b'a') + 2),
        b'A'..=b'Z' => Some(usize::from(b'Z' - head) + 2),
        _ => None,
    }
}

/// Splits a valid key into its integer part and fraction; `None` if the key is malformed.
fn split(key: &str) -> Option<(&str, &str)> {
    let bytes = key.as_bytes();
    let n = integer_len(*bytes.first()?)?;
    if key.len() < n || key.len() > MAX_KEY_LEN || !bytes[1..].iter().all(|&c| digit(c).is_some()) {
        return None;
    }
    let (int, frac) = key.split_at(n);
    if frac.ends_with('0') || key == SMALLEST_INTEGER {
        return None;
    }
    Some((int, frac))
}

/// True if `key` is a well-formed order key.
pub fn is_valid(key: &str) -> bool {
    split(key).is_some()
}

/// A fraction strictly between `a` and `b` (`None` = 1). Both are digit strings without trailing
/// zeros and `a < b`.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    if let Some(b) = b {
        // Shared prefix (reading missing digits of `a` as 0) is kept as is.
        let mut n = 0;
        while n < b.len() && a.get(n).copied().unwrap_or(b'0') == b[n] {
            n += 1;
        }
        if n > 0 {
            let mut out = b[..n].to_vec();
            out.extend(midpoint(a.get(n..).unwrap_or(&[]), Some(&b[n..])));
            return out;
        }
    }
    let da = a.first().and_then(|&c| digit(c)).unwrap_or(0);
    let db = b
        .and_then(|b| b.first())
        .and_then(|&c| digit(c))
        .unwrap_or(DIGITS.len());
    if db - da > 1 {
        vec![DIGITS[(da + db).div_ceil(2)]]
    } else if let Some(b) = b.filter(|b| b.len() > 1) {
        vec![b[0]]
    } else {
        let mut out = vec![DIGITS[da]];
        out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
        out
    }
}

fn increment_integer(x: &str) -> Option<String> {
    let (head, digs) = (x.as_bytes()[0], &x.as_bytes()[1..]);
    let mut digs = digs.to_vec();
    let mut carry = true;
    for d in digs.iter_mut().rev() {
        let next = digit(*d)? + 1;
        if next == DIGITS.len() {
            *d = b'0';
        } else {
            *d = DIGITS[next];
            carry = false;
            break;
        }
    }
    let head = if carry {
        match head {
            b'Z' => return Some("a0".to_owned()),
            b'z' => return None,
            _ => {
                let h = head + 1;
                if h > b'a' {
                    digs.push(b'0');
                } else {
                    digs.pop();
                }
                h
            }
        }
    } else {
        head
    };
    let mut out = vec![head];
    out.extend(digs);
    String::from_utf8(out).ok()
}

fn decrement_integer(x: &str) -> Option<String> {
    let (head, digs) = (x.as_bytes()[0], &x.as_bytes()[1..]);
    let mut digs = digs.to_vec();
    let mut borrow = true;
    for d in digs.iter_mut().rev() {
        match digit(*d)? {
            0 => *d = b'z',
            v => {
                *d = DIGITS[v - 1];
                borrow = false;
                break;
            }
        }
    }
    let head = if borrow {
        match head {
            b'a' => return Some("Zz".to_owned()),
            b'A' => return None,
            _ => {
                let h = head - 1;
                if h < b'Z' {
                    digs.push(b'z');
                } else {
                    digs.pop();
                }
                h
            }
        }
    } else {
        head
    };
    let mut out = vec![head];
    out.extend(digs);
    String::from_utf8(out).ok()
}

fn join(int: &str, frac: Vec<u8>) -> Option<String> {
    let mut out = int.as_bytes().to_vec();
    out.extend(frac);
    String::from_utf8(out).ok()
}

/// A key strictly between `a` and `b` (`None` meaning the start / the end). `None` if either key is
/// malformed, `a >= b`, or the key space is exhausted at that end.
pub fn key_between(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (None, None) => Some("a0".to_owned()),
        (None, Some(b)) => {
            let (ib, fb) = split(b)?;
            if ib == SMALLEST_INTEGER {
                return join(ib, midpoint(&[], Some(fb.as_bytes())));
            }
            if ib.len() < b.len() {
                Some(ib.to_owned())
            } else {
                decrement_integer(ib)
            }
        }
        (Some(a), None) => {
            let (ia, fa) = split(a)?;
            increment_integer(ia).or_else(|| join(ia, midpoint(fa.as_bytes(), None)))
        }
        (Some(a), Some(b)) => {
            if a >= b {
                return None;
            }
            let ((ia, fa), (ib, fb)) = (split(a)?, split(b)?);
            if ia == ib {
                return join(ia, midpoint(fa.as_bytes(), Some(fb.as_bytes())));
            }
            let next = increment_integer(ia)?;
            if next.as_str() < b {
                Some(next)
            } else {
                join(ia, midpoint(fa.as_bytes(), None))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_npm_package_on_known_values() {
        // Values from the fractional-indexing package's own tests.
        assert_eq!(key_between(None, None).as_deref(), Some("a0"));
        assert_eq!(key_between(None, Some("a0")).as_deref(), Some("Zz"));
        assert_eq!(key_between(Some("a0"), None).as_deref(), Some("a1"));
        assert_eq!(key_between(Some("a0"), Some("a1")).as_deref(), Some("a0V"));
        assert_eq!(key_between(Some("a1"), Some("a2")).as_deref(), Some("a1V"));
        assert_eq!(key_between(Some("az"), None).as_deref(), Some("b00"));
        assert_eq!(key_between(Some("Zz"), Some("a0")).as_deref(), Some("ZzV"));
        assert_eq!(key_between(Some("a0V"), Some("a1")).as_deref(), Some("a0l"));
        assert_eq!(
            key_between(Some("b125"), Some("b129")).as_deref(),
            Some("b127")
        );
        assert_eq!(key_between(Some("a1"), Some("a0")), None);
        assert_eq!(
            key_between(Some("a00"), None),
            None,
            "trailing zero is malformed"
        );
    }

    #[test]
    fn appends_stay_short_and_sorted() {
        let mut key = key_between(None, None).unwrap();
        for _ in 0..100_000 {
            let next = key_between(Some(&key), None).unwrap();
            assert!(next > key);
            key = next;
        }
        assert!(key.len() <= 5, "{key}");
    }

    #[test]
    fn repeated_bisection_stays_sorted() {
        let (mut a, b) = ("a0".to_owned(), "a1".to_owned());
        for _ in 0..200 {
            let mid = key_between(Some(&a), Some(&b)).unwrap();
            assert!(a < mid && mid < b && is_valid(&mid));
            a = mid;
        }
        let mut b = "a0".to_owned();
        for _ in 0..200 {
            let before = key_between(None, Some(&b)).unwrap();
            assert!(before < b && is_valid(&before));
            b = before;
        }
    }

    #[test]
    fn rejects_malformed_keys() {
        for bad in ["", "a", "!0", "a0 ", "b0", SMALLEST_INTEGER] {
            assert!(!is_valid(bad), "{bad:?}");
            assert_eq!(key_between(Some(bad), None), None);
        }
    }
}
