//! The canonical text forms every value is read in, the same from both backends, so rows
//! compare and digest alike whichever side they came from: timestamps as UTC ISO-8601 with
//! microseconds, ADK's naive times, JSON by content with numbers exactly as `jsonb` keeps them.

use anyhow::{anyhow, bail, Result};
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

/// A timestamp as the canonical UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ` (rounded to the
/// microsecond, PostgreSQL's precision). Accepts the ISO-8601 forms SQLite rows hold: with `T`
/// or a space, with or without a fraction and an offset (none means UTC).
pub fn canonical_timestamp(text: &str) -> Result<String> {
    let trimmed = text.trim();
    let parsed: Option<DateTime<Utc>> = DateTime::parse_from_rfc3339(trimmed)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f%#z",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(trimmed, f).ok())
            .map(|n| n.and_utc())
        });
    let Some(time) = parsed else {
        bail!("{text:?} is not an ISO-8601 timestamp");
    };
    let round_up = i64::from(time.nanosecond() % 1000 >= 500);
    let micros = time.timestamp_micros() + round_up;
    let time = DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| anyhow!("{text:?} is out of range"))?;
    Ok(time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
}

/// A naive-UTC time as ADK's SQLAlchemy stores it on SQLite (`YYYY-MM-DD HH:MM:SS.ffffff`),
/// from DATETIME text or REAL epoch seconds.
pub fn canonical_naive_timestamp(text: &str) -> Result<String> {
    let trimmed = text.trim();
    let time = match trimmed.parse::<f64>() {
        Ok(epoch) => DateTime::from_timestamp_micros((epoch * 1e6).round() as i64)
            .ok_or_else(|| anyhow!("{text:?} is out of range"))?,
        Err(_) => DateTime::parse_from_rfc3339(&canonical_timestamp(trimmed)?)?.to_utc(),
    };
    Ok(time.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

/// A canonical timestamp as agentdb's SQLite schema writes them: milliseconds (what its
/// `strftime('%f')` defaults produce) unless the value has finer digits.
pub(crate) fn sqlite_timestamp(canonical: &str) -> String {
    match canonical.strip_suffix("000Z") {
        Some(ms) => format!("{ms}Z"),
        None => canonical.to_string(),
    }
}

/// JSON in a form independent of spelling: keys sorted (the last of duplicate keys wins, as in
/// `jsonb`), no spaces, strings by content, and numbers exactly as PostgreSQL's `jsonb` keeps
/// them (see `canonical_number`), never through a float. So the `jsonb` rendering and the text
/// SQLite stored compare equal, and any change to a value changes the form. Text that does not
/// parse is compared as it is.
pub fn canonical_json(text: &str) -> String {
    // The commonest documents (empty metadata) need no parsing.
    if matches!(text, "{}" | "[]" | "null" | "true" | "false") {
        return text.to_string();
    }
    let mut parser = JsonCanon {
        text: text.as_bytes(),
        source: text,
        pos: 0,
    };
    let mut out = String::with_capacity(text.len());
    match parser.value(&mut out, 0) {
        Some(()) if parser.at_end() => out,
        _ => text.to_string(),
    }
}

/// A small recursive-descent reader that writes the canonical form as it goes (serde_json's
/// `Value` would turn every number that is not a 64-bit integer into an `f64`).
struct JsonCanon<'a> {
    text: &'a [u8],
    source: &'a str,
    pos: usize,
}

/// Deeper documents are compared as written (serde_json's own limit is 128).
const MAX_JSON_DEPTH: usize = 512;

impl JsonCanon<'_> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_space();
        self.pos == self.text.len()
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.text.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, out: &mut String, depth: usize) -> Option<()> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.skip_space();
        match *self.text.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                let mut entries = std::collections::BTreeMap::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        let mut value = String::new();
                        self.value(&mut value, depth + 1)?;
                        entries.insert(key, value);
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                out.push('{');
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(&k).expect("strings serialize"));
                    out.push(':');
                    out.push_str(&v);
                }
                out.push('}');
            }
            b'[' => {
                self.pos += 1;
                out.push('[');
                if !self.eat(b']') {
                    let mut first = true;
                    loop {
                        if !first {
                            out.push(',');
                        }
                        first = false;
                        self.value(out, depth + 1)?;
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                out.push(']');
            }
            b'"' => {
                let s = self.string()?;
                out.push_str(&serde_json::to_string(&s).expect("strings serialize"));
            }
            b't' => self.literal("true", out)?,
            b'f' => self.literal("false", out)?,
            b'n' => self.literal("null", out)?,
            _ => {
                let start = self.pos;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
                    self.text.get(self.pos)
                {
                    self.pos += 1;
                }
                out.push_str(&canonical_number(&self.source[start..self.pos])?);
            }
        }
        Some(())
    }

    fn literal(&mut self, word: &str, out: &mut String) -> Option<()> {
        if self.text[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            out.push_str(word);
            Some(())
        } else {
            None
        }
    }

    /// A JSON string at the current position, decoded (escapes resolved by serde_json).
    fn string(&mut self) -> Option<String> {
        if self.text.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        loop {
            match *self.text.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => break,
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        serde_json::from_str(self.source.get(start..self.pos)?).ok()
    }
}

/// A JSON number exactly as PostgreSQL's `numeric` (inside `jsonb`) renders it, from its
/// decimal text: the value with as many decimals as the text had after the point minus its
/// exponent (`1.0` stays `1.0`, `1e2` is `100`, `1.50e1` is `15.0`, `100e-2` is `1.00`, `-0`
/// is `0`), without a float anywhere, so `12345678901234567890123` keeps every digit. Values
/// whose rendering would be huge (`1e999999`, which `jsonb` refuses anyway) get a compact
/// exact form instead. `None` for text that is not a JSON number.
pub fn canonical_number(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = bytes.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    let int_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = &text[int_start..i];
    // JSON: no leading zeros, at least one digit.
    if int_digits.is_empty() || (int_digits.len() > 1 && int_digits.starts_with('0')) {
        return None;
    }
    let mut frac_digits = "";
    if bytes.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_digits = &text[start..i];
        if frac_digits.is_empty() {
            return None;
        }
    }
    let mut exponent: i64 = 0;
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let exp_negative = match bytes.get(i) {
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
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = &text[start..i];
        if digits.is_empty() {
            return None;
        }
        // Beyond any numeric a database keeps; saturating keeps the comparison exact for
        // every exponent that fits in 18 digits.
        let magnitude: i64 = digits.parse().unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
        exponent = if exp_negative { -magnitude } else { magnitude };
    }
    if i != bytes.len() {
        return None;
    }
    // The scale PostgreSQL keeps: decimals written minus the exponent, at least 0.
    let scale = (frac_digits.len() as i64 - exponent).max(0);
    // The value: significant digits and the power of ten of the last one.
    let all: String = format!("{int_digits}{frac_digits}");
    let significant = all.trim_start_matches('0');
    if significant.is_empty() {
        return Some(if scale == 0 {
            "0".to_string()
        } else if scale <= 1000 {
            format!("0.{}", "0".repeat(scale as usize))
        } else {
            format!("0s{scale}")
        });
    }
    let trimmed = significant.trim_end_matches('0');
    let power = exponent - frac_digits.len() as i64 + (significant.len() - trimmed.len()) as i64;
    let sign = if negative { "-" } else { "" };
    // Rendered as PostgreSQL does: the digits, zeros up to the point, then `scale` decimals.
    let int_part_len = trimmed.len() as i64 + power; // digits before the point
    let rendered_len = int_part_len.max(1) + scale;
    if rendered_len > 1000 {
        return Some(format!("{sign}{trimmed}e{power}s{scale}"));
    }
    let mut out = String::with_capacity(rendered_len as usize + 2);
    out.push_str(sign);
    if int_part_len <= 0 {
        out.push('0');
    } else if power >= 0 {
        out.push_str(trimmed);
        out.extend(std::iter::repeat_n('0', power as usize));
    } else {
        out.push_str(&trimmed[..int_part_len as usize]);
    }
    if scale > 0 {
        out.push('.');
        let mut decimals = String::with_capacity(scale as usize);
        if int_part_len < 0 {
            decimals.extend(std::iter::repeat_n('0', (-int_part_len) as usize));
        }
        if power < 0 {
            let from = int_part_len.max(0) as usize;
            decimals.push_str(&trimmed[from..]);
        }
        while (decimals.len() as i64) < scale {
            decimals.push('0');
        }
        out.push_str(&decimals);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_canonical_microseconds() {
        for (input, expected) in [
            ("2026-11-25T10:00:00.123Z", "2026-11-25T10:00:00.123000Z"),
            ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000000Z"),
            ("2026-11-25 10:00:00", "2026-11-25T10:00:00.000000Z"),
            ("2026-11-25 10:00:00.1234567", "2026-11-25T10:00:00.123457Z"),
            ("2026-11-25T12:00:00.5+02:00", "2026-11-25T10:00:00.500000Z"),
            ("2026-11-25T10:00:00.999999Z", "2026-11-25T10:00:00.999999Z"),
        ] {
            assert_eq!(canonical_timestamp(input).unwrap(), expected, "{input}");
        }
        assert!(canonical_timestamp("yesterday").is_err());
        assert_eq!(
            sqlite_timestamp("2026-11-25T10:00:00.123000Z"),
            "2026-11-25T10:00:00.123Z"
        );
        assert_eq!(
            sqlite_timestamp("2026-11-25T10:00:00.123456Z"),
            "2026-11-25T10:00:00.123456Z"
        );
    }

    #[test]
    fn json_compares_by_content() {
        // How PostgreSQL's jsonb renders what SQLite stored as written.
        assert_eq!(
            canonical_json(r#"{"b": [1e0, 2.50, "\u00e9"], "a": {"y": null, "x": true}}"#),
            canonical_json(r#"{"a": {"x": true, "y": null}, "b": [1, 2.50, "é"]}"#)
        );
        assert_ne!(
            canonical_json(r#"{"a": 1}"#),
            canonical_json(r#"{"a": "1"}"#)
        );
    }

    #[test]
    fn numbers_keep_every_digit_as_jsonb_does() {
        for (input, expected) in [
            ("12345678901234567890123", "12345678901234567890123"),
            (
                "-12345678901234567890123.000",
                "-12345678901234567890123.000",
            ),
            ("1", "1"),
            ("1.0", "1.0"),
            ("1e0", "1"),
            ("1.0e0", "1.0"),
            ("1E+2", "100"),
            ("1.50e1", "15.0"),
            ("100e-2", "1.00"),
            ("1e-2", "0.01"),
            ("1.0e-2", "0.010"),
            ("1.5e-7", "0.00000015"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("0e5", "0"),
            ("0.00e1", "0.0"),
            ("12.345", "12.345"),
            ("9007199254740993", "9007199254740993"),
        ] {
            assert_eq!(
                canonical_number(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "1.2.3",
        ] {
            assert_eq!(canonical_number(bad), None, "{bad}");
        }
        // Huge exponents stay exact without being written out.
        assert_ne!(canonical_number("1e999999"), canonical_number("1e999998"));
        assert_eq!(canonical_number("10e999998"), canonical_number("1e999999"));
        // A change in any digit changes the canonical document.
        assert_ne!(
            canonical_json(r#"{"n": 12345678901234567890123}"#),
            canonical_json(r#"{"n": 12345678901234567890999}"#)
        );
        assert_eq!(
            canonical_json(r#"{"n": 1e2, "n": [1.0e0, -0]}"#),
            r#"{"n":[1.0,0]}"#
        );
    }
}
