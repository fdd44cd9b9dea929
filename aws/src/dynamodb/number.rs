//! DynamoDB numbers: exact decimals of at most 38 significant digits, between 1E-130 and
//! 9.99...E+125 in magnitude, compared and added exactly (never through `f64`).
//!
//! A number is kept normalised, as DynamoDB keeps it: `1.50`, `015e-1` and `1.5` are the same
//! key and all read back as `1.5`.

use std::cmp::Ordering;
use std::fmt;

/// The most significant digits a number may have.
const MAX_DIGITS: usize = 38;
/// The largest exponent `e` of `0.d × 10^e` (the number is below 1E+126).
const MAX_EXPONENT: i64 = 126;
/// The smallest exponent `e` of `0.d × 10^e` (the number is at least 1E-130).
const MIN_EXPONENT: i64 = -129;

/// An exact decimal number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Number {
    negative: bool,
    /// Significant digits (each 0-9), without leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// The number is `0.d1d2d3... × 10^exponent`.
    exponent: i64,
}

/// Why a text is no DynamoDB number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not decimal notation.
    NotANumber,
    /// More than 38 significant digits.
    TooPrecise,
    /// 1E+126 or more in magnitude.
    Overflow,
    /// Below 1E-130 in magnitude (and not zero).
    Underflow,
}

impl NumberError {
    /// The message DynamoDB answers with.
    pub(crate) fn message(self) -> &'static str {
        match self {
            NumberError::NotANumber => "A value provided cannot be converted into a number",
            NumberError::TooPrecise => {
                "Attempting to store more than 38 significant digits in a Number"
            }
            NumberError::Overflow => {
                "Number overflow. Attempting to store a number with magnitude larger than supported range"
            }
            NumberError::Underflow => {
                "Number underflow. Attempting to store a number with magnitude smaller than supported range"
            }
        }
    }
}

impl Number {
    /// Zero.
    pub(crate) fn zero() -> Self {
        Number {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        }
    }

    /// The number of a count or a length.
    pub(crate) fn from_usize(n: usize) -> Self {
        let digits: Vec<u8> = n.to_string().bytes().map(|b| b - b'0').collect();
        let exponent = digits.len() as i64;
        Number::normalised(false, digits, exponent)
    }

    /// Parses decimal notation (`-12.5`, `1e3`, `+.5`), as DynamoDB accepts it.
    pub(crate) fn parse(text: &str) -> Result<Number, NumberError> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let mut integer_digits = None;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'0'..=b'9' => digits.push(b - b'0'),
                b'.' if integer_digits.is_none() => integer_digits = Some(digits.len()),
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return Err(NumberError::NotANumber);
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() {
            if !matches!(bytes[i], b'e' | b'E') {
                return Err(NumberError::NotANumber);
            }
            i += 1;
            let exponent_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                // Saturates far beyond any valid exponent, so a long exponent cannot overflow.
                exponent = (exponent * 10 + i64::from(b - b'0')).min(1_000_000_000);
                i += 1;
            }
            if i == start || i != bytes.len() {
                return Err(NumberError::NotANumber);
            }
            if exponent_negative {
                exponent = -exponent;
            }
        }
        let integer_digits = integer_digits.unwrap_or(digits.len()) as i64;
        let number = Number::normalised(negative, digits, integer_digits + exponent);
        number.checked()
    }

    /// `0.digits × 10^exponent` with the zeros around the digits taken away.
    fn normalised(negative: bool, mut digits: Vec<u8>, exponent: i64) -> Number {
        let leading = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..leading);
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Number::zero();
        }
        Number {
            negative,
            digits,
            exponent: exponent - leading as i64,
        }
    }

    /// The number if DynamoDB can store it.
    fn checked(self) -> Result<Number, NumberError> {
        if self.digits.is_empty() {
            Ok(self)
        } else if self.exponent > MAX_EXPONENT {
            Err(NumberError::Overflow)
        } else if self.exponent < MIN_EXPONENT {
            Err(NumberError::Underflow)
        } else if self.digits.len() > MAX_DIGITS {
            Err(NumberError::TooPrecise)
        } else {
            Ok(self)
        }
    }

    /// How many significant digits the number has (for the item size).
    pub(crate) fn significant_digits(&self) -> usize {
        self.digits.len()
    }

    /// The number with the other sign.
    pub(crate) fn negated(&self) -> Number {
        Number {
            negative: !self.negative && !self.digits.is_empty(),
            ..self.clone()
        }
    }

    /// The exact sum, if DynamoDB can store it.
    pub(crate) fn add(&self, other: &Number) -> Result<Number, NumberError> {
        if self.digits.is_empty() {
            return Ok(other.clone());
        }
        if other.digits.is_empty() {
            return Ok(self.clone());
        }
        // Both as integers of the same scale: digit k (from the left) weighs 10^(top - 1 - k).
        let low = (self.exponent - self.digits.len() as i64)
            .min(other.exponent - other.digits.len() as i64);
        let top = self.exponent.max(other.exponent) + 1;
        let width = (top - low) as usize;
        let a = self.aligned(top, width);
        let b = other.aligned(top, width);
        let (negative, digits) = if self.negative == other.negative {
            (self.negative, add_digits(&a, &b))
        } else if a >= b {
            (self.negative, sub_digits(&a, &b))
        } else {
            (other.negative, sub_digits(&b, &a))
        };
        Number::normalised(negative, digits, top).checked()
    }

    /// The digits as `width` digits whose first weighs 10^(top - 1).
    fn aligned(&self, top: i64, width: usize) -> Vec<u8> {
        let mut out = vec![0; width];
        let start = (top - self.exponent) as usize;
        out[start..start + self.digits.len()].copy_from_slice(&self.digits);
        out
    }
}

/// `a + b` for digit strings of the same width whose first digit is zero.
fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0; a.len()];
    let mut carry = 0;
    for k in (0..a.len()).rev() {
        let sum = a[k] + b[k] + carry;
        out[k] = sum % 10;
        carry = sum / 10;
    }
    out
}

/// `a - b` for digit strings of the same width with `a >= b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0; a.len()];
    let mut borrow = 0;
    for k in (0..a.len()).rev() {
        let (digit, next) = if a[k] >= b[k] + borrow {
            (a[k] - b[k] - borrow, 0)
        } else {
            (a[k] + 10 - b[k] - borrow, 1)
        };
        out[k] = digit;
        borrow = next;
    }
    out
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = |n: &Number| match (n.digits.is_empty(), n.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        let (a, b) = (sign(self), sign(other));
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if a < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    /// Plain notation, without exponent: `-0.05`, `1200`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        let mut out = String::with_capacity(self.digits.len() + 8);
        if self.negative {
            out.push('-');
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let len = digits.len() as i64;
        if self.exponent <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-self.exponent) as usize));
            out.push_str(&digits);
        } else if self.exponent >= len {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (self.exponent - len) as usize));
        } else {
            let (integer, fraction) = digits.split_at(self.exponent as usize);
            out.push_str(integer);
            out.push('.');
            out.push_str(fraction);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number::parse(text).expect("a number")
    }

    #[test]
    fn parses_and_normalises() {
        for (text, shown) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("1.50", "1.5"),
            ("015e-1", "1.5"),
            ("+.5", "0.5"),
            ("1e3", "1000"),
            ("-12.034", "-12.034"),
            ("1E-130", &format!("0.{}1", "0".repeat(129))),
        ] {
            assert_eq!(n(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn refuses_what_dynamodb_refuses() {
        for (text, err) in [
            ("", NumberError::NotANumber),
            ("abc", NumberError::NotANumber),
            ("1e", NumberError::NotANumber),
            ("NaN", NumberError::NotANumber),
            ("1 ", NumberError::NotANumber),
            ("1e126", NumberError::Overflow),
            ("1e-131", NumberError::Underflow),
            ("1e99999999999999999999", NumberError::Overflow),
            (&"1".repeat(39), NumberError::TooPrecise),
        ] {
            assert_eq!(Number::parse(text), Err(err), "{text}");
        }
        assert!(Number::parse(&"9".repeat(38)).is_ok());
    }

    #[test]
    fn compares_numerically() {
        let sorted = ["-100", "-2.5", "-0.001", "0", "0.001", "2", "10", "1e20"];
        for pair in sorted.windows(2) {
            assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(n("10").cmp(&n("1e1")), Ordering::Equal);
    }

    #[test]
    fn adds_exactly() {
        for (a, b, sum) in [
            ("1", "2", "3"),
            ("0.1", "0.2", "0.3"),
            ("99", "1", "100"),
            ("5", "-7.5", "-2.5"),
            ("-5", "5", "0"),
            (
                "12345678901234567890123456789012345678",
                "1",
                "12345678901234567890123456789012345679",
            ),
        ] {
            assert_eq!(
                n(a).add(&n(b)).expect("a sum").to_string(),
                sum,
                "{a} + {b}"
            );
        }
        assert_eq!(
            n(&"9".repeat(38)).add(&n("0.1")),
            Err(NumberError::TooPrecise)
        );
        assert_eq!(n("9e125").add(&n("9e125")), Err(NumberError::Overflow));
    }
}
