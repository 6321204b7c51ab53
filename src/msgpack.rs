//! agentdb's one msgpack reader (on `rmp`'s markers), for SqliteSaver's checkpoints. Reading is
//! generic and, for a prune, without allocating: only markers and lengths are decoded and
//! values are skipped, so a prune scans a million checkpoints at the cost of reading their
//! bytes. The copy splits a checkpoint into its values' exact bytes and turns the plain ones
//! into JSON. No Python types are interpreted.

use anyhow::{bail, Context, Result};
use rmp::Marker;

/// Values nested deeper than this are refused rather than followed (a stack-safety bound; a
/// checkpoint's own nesting is a handful of levels).
const MAX_DEPTH: u32 = 512;

/// The header of one msgpack value.
enum Head {
    /// Scalars, strings and binaries: this many payload bytes follow.
    Bytes(usize),
    Array(usize),
    Map(usize),
    /// An extension: its type byte and this many data bytes follow.
    Ext(usize),
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    /// How deep values are followed before they are refused.
    max_depth: u32,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).context("length overflow")?;
        let bytes = self.buf.get(self.pos..end).context("truncated msgpack")?;
        self.pos = end;
        Ok(bytes)
    }

    /// A big-endian length of `n` bytes.
    fn len(&mut self, n: usize) -> Result<usize> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize))
    }

    fn head(&mut self) -> Result<Head> {
        use Marker::*;
        let marker = Marker::from_u8(self.take(1)?[0]);
        Ok(match marker {
            FixPos(_) | FixNeg(_) | Null | True | False => Head::Bytes(0),
            U8 | I8 => Head::Bytes(1),
            U16 | I16 => Head::Bytes(2),
            U32 | I32 | F32 => Head::Bytes(4),
            U64 | I64 | F64 => Head::Bytes(8),
            FixStr(n) => Head::Bytes(n as usize),
            Str8 | Bin8 => Head::Bytes(self.len(1)?),
            Str16 | Bin16 => Head::Bytes(self.len(2)?),
            Str32 | Bin32 => Head::Bytes(self.len(4)?),
            FixArray(n) => Head::Array(n as usize),
            Array16 => Head::Array(self.len(2)?),
            Array32 => Head::Array(self.len(4)?),
            FixMap(n) => Head::Map(n as usize),
            Map16 => Head::Map(self.len(2)?),
            Map32 => Head::Map(self.len(4)?),
            FixExt1 => Head::Ext(1),
            FixExt2 => Head::Ext(2),
            FixExt4 => Head::Ext(4),
            FixExt8 => Head::Ext(8),
            FixExt16 => Head::Ext(16),
            Ext8 => Head::Ext(self.len(1)?),
            Ext16 => Head::Ext(self.len(2)?),
            Ext32 => Head::Ext(self.len(4)?),
            Reserved => bail!("reserved msgpack marker 0xc1"),
        })
    }

    fn skip_rest(&mut self, head: Head, depth: u32) -> Result<()> {
        if depth > self.max_depth {
            bail!("msgpack nested deeper than {}", self.max_depth);
        }
        match head {
            Head::Bytes(n) => self.take(n).map(|_| ()),
            Head::Ext(n) => self.take(n + 1).map(|_| ()),
            Head::Array(n) => (0..n).try_for_each(|_| self.skip(depth + 1)),
            Head::Map(n) => (0..2 * n).try_for_each(|_| self.skip(depth + 1)),
        }
    }

    fn skip(&mut self, depth: u32) -> Result<()> {
        let head = self.head()?;
        self.skip_rest(head, depth)
    }

    /// The next value as a string key, or `None` (skipped) when it is not a string.
    fn key(&mut self) -> Result<Option<&'a [u8]>> {
        let at = self.pos;
        let first = *self.buf.get(at).context("truncated msgpack")?;
        let is_str = matches!(
            Marker::from_u8(first),
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32
        );
        match self.head()? {
            Head::Bytes(n) if is_str => self.take(n).map(Some),
            head => self.skip_rest(head, 1).map(|_| None),
        }
    }

    /// The next value as an integer, or `None` (skipped) when it is not one.
    fn int(&mut self) -> Result<Option<i64>> {
        let mut rest = &self.buf[self.pos..];
        let before = rest.len();
        match rmp::decode::read_int::<i64, _>(&mut rest) {
            Ok(v) => {
                self.pos += before - rest.len();
                Ok(Some(v))
            }
            Err(_) => self.skip(1).map(|_| None),
        }
    }
}

/// What a SqliteSaver checkpoint body says: its format version and whether a channel value
/// is an extension of type `ext_type` (a DeltaChannel snapshot).
#[derive(Debug, PartialEq, Eq)]
pub struct CheckpointFacts {
    pub v: Option<i64>,
    pub has_ext: bool,
}

/// Reads the top-level map of a checkpoint: `v`, and the extension types directly inside
/// `channel_values`.
pub fn checkpoint_facts(body: &[u8], ext_type: i8) -> Result<CheckpointFacts> {
    let mut c = Cursor {
        buf: body,
        pos: 0,
        max_depth: MAX_DEPTH,
    };
    let Head::Map(fields) = c.head()? else {
        bail!("not a msgpack map");
    };
    let mut facts = CheckpointFacts {
        v: None,
        has_ext: false,
    };
    for _ in 0..fields {
        match c.key()? {
            Some(b"v") => facts.v = c.int()?,
            Some(b"channel_values") => match c.head()? {
                Head::Map(n) => {
                    for _ in 0..n {
                        c.skip(2)?;
                        match c.head()? {
                            Head::Ext(len) => {
                                let ty = c.take(1)?[0] as i8;
                                facts.has_ext |= ty == ext_type;
                                c.take(len)?;
                            }
                            head => c.skip_rest(head, 2)?,
                        }
                    }
                }
                head => c.skip_rest(head, 1)?,
            },
            _ => c.skip(1)?,
        }
    }
    Ok(facts)
}

/// How deep the copy follows a value, as generic msgpack readers do (`rmpv`'s limit).
const MAX_COPY_DEPTH: u32 = 1024;

/// The exact bytes of the value at the front of `rest`, which moves past it.
pub fn split_value<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8]> {
    let mut c = Cursor::for_copy(rest);
    c.skip(0)?;
    let (value, tail) = rest.split_at(c.pos);
    *rest = tail;
    Ok(value)
}

/// A map header (fixmap, map16, map32): the number of entries; `rest` moves past it.
pub fn read_map_len(rest: &mut &[u8]) -> Result<usize> {
    let (&marker, tail) = rest.split_first().context("truncated")?;
    let (len, size) = match marker {
        0x80..=0x8f => ((marker & 0x0f) as usize, 0),
        0xde => (
            u16::from_be_bytes(tail.get(..2).context("truncated")?.try_into()?) as usize,
            2,
        ),
        0xdf => (
            u32::from_be_bytes(tail.get(..4).context("truncated")?.try_into()?) as usize,
            4,
        ),
        _ => bail!("expected a map"),
    };
    *rest = &tail[size..];
    Ok(len)
}

/// A map key that must be a UTF-8 string; `rest` moves past it.
pub fn read_key(rest: &mut &[u8]) -> Result<String> {
    let key = split_value(rest).context("truncated map key")?;
    match str_bytes(key) {
        Some(bytes) => String::from_utf8(bytes.to_vec())
            .ok()
            .context("a map key is not UTF-8"),
        None => bail!(
            "a map key is not a string: {}",
            to_json(key).map_or_else(|_| "binary data".to_string(), |j| j.to_string())
        ),
    }
}

/// The payload of a string value, or `None` when the value is not a string.
fn str_bytes(value: &[u8]) -> Option<&[u8]> {
    let first = *value.first()?;
    if !matches!(
        Marker::from_u8(first),
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32
    ) {
        return None;
    }
    let mut c = Cursor::for_copy(value);
    match c.head().ok()? {
        Head::Bytes(n) => c.take(n).ok(),
        _ => None,
    }
}

/// An integer value, or `None` when the value is not one.
fn integer(value: &[u8]) -> Option<serde_json::Number> {
    let mut rest = value;
    if let Ok(n) = rmp::decode::read_int::<i64, _>(&mut rest) {
        return Some(n.into());
    }
    let mut rest = value;
    rmp::decode::read_int::<u64, _>(&mut rest)
        .ok()
        .map(Into::into)
}

/// A float value widened to f64, or `None` when the value is not a float.
fn float(value: &[u8]) -> Option<f64> {
    match Marker::from_u8(*value.first()?) {
        Marker::F32 => rmp::decode::read_f32(&mut &value[..]).ok().map(f64::from),
        Marker::F64 => rmp::decode::read_f64(&mut &value[..]).ok(),
        _ => None,
    }
}

/// A plain value (nil, boolean, integer, float, string) as JSON, when JSON and PostgreSQL's
/// `jsonb` can hold it exactly: no NaN or infinity, no string with NUL or invalid UTF-8.
/// `None` for everything else (containers, binaries, extensions).
pub fn inline_scalar(value: &[u8]) -> Option<serde_json::Value> {
    match Marker::from_u8(*value.first()?) {
        Marker::Null => Some(serde_json::Value::Null),
        Marker::True => Some(true.into()),
        Marker::False => Some(false.into()),
        Marker::F32 | Marker::F64 => {
            serde_json::Number::from_f64(float(value)?).map(serde_json::Value::Number)
        }
        _ => {
            if let Some(n) = integer(value) {
                return Some(serde_json::Value::Number(n));
            }
            let text = std::str::from_utf8(str_bytes(value)?).ok()?;
            (!text.contains('\0')).then(|| text.into())
        }
    }
}

/// The type byte of an extension value, or `None` when the value is not an extension.
pub fn ext_type(value: &[u8]) -> Option<i8> {
    let mut c = Cursor::for_copy(value);
    match c.head().ok()? {
        Head::Ext(_) => c.take(1).ok().map(|t| t[0] as i8),
        _ => None,
    }
}

/// A whole value as JSON; anything JSON cannot hold (binaries, extensions, i.e. serialized
/// Python objects; NaN, infinity; strings that are not UTF-8; non-string map keys) is refused.
pub fn to_json(value: &[u8]) -> Result<serde_json::Value> {
    let mut c = Cursor::for_copy(value);
    c.json(0)
}

impl<'a> Cursor<'a> {
    fn for_copy(buf: &'a [u8]) -> Cursor<'a> {
        Cursor {
            buf,
            pos: 0,
            max_depth: MAX_COPY_DEPTH,
        }
    }

    fn json(&mut self, depth: u32) -> Result<serde_json::Value> {
        if depth > self.max_depth {
            bail!("msgpack nested deeper than {}", self.max_depth);
        }
        let start = self.pos;
        let head = self.head()?;
        Ok(match head {
            Head::Array(n) => serde_json::Value::Array(
                (0..n)
                    .map(|_| self.json(depth + 1))
                    .collect::<Result<_>>()?,
            ),
            Head::Map(n) => {
                let mut map = serde_json::Map::new();
                for _ in 0..n {
                    let key_start = self.pos;
                    self.skip(depth + 1)?;
                    let key = str_bytes(&self.buf[key_start..self.pos])
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .context("a map key is not a string")?
                        .to_string();
                    map.insert(key, self.json(depth + 1)?);
                }
                serde_json::Value::Object(map)
            }
            Head::Ext(_) => bail!("a serialized Python object outside channel_values"),
            head @ Head::Bytes(_) => {
                self.skip_rest(head, depth)?;
                let bytes = &self.buf[start..self.pos];
                let marker = Marker::from_u8(bytes[0]);
                match marker {
                    Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                        bail!("a serialized Python object outside channel_values")
                    }
                    Marker::F32 | Marker::F64 => {
                        serde_json::Number::from_f64(float(bytes).context("truncated msgpack")?)
                            .map(serde_json::Value::Number)
                            .context("NaN or infinite number")?
                    }
                    Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                        std::str::from_utf8(str_bytes(bytes).context("truncated msgpack")?)
                            .ok()
                            .context("string is not UTF-8")?
                            .into()
                    }
                    Marker::Null => serde_json::Value::Null,
                    Marker::True => true.into(),
                    Marker::False => false.into(),
                    _ => serde_json::Value::Number(integer(bytes).context("integer out of range")?),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A msgpack document to encode (with `rmp`'s writers, as Python's msgpack would).
    #[derive(Clone)]
    enum Value {
        Nil,
        Boolean(bool),
        Int(i64),
        UInt(u64),
        F32(f32),
        F64(f64),
        String(String),
        /// A str marker over bytes that need not be UTF-8.
        RawString(Vec<u8>),
        Binary(Vec<u8>),
        Array(Vec<Value>),
        Map(Vec<(Value, Value)>),
        Ext(i8, Vec<u8>),
    }

    impl From<&str> for Value {
        fn from(s: &str) -> Value {
            Value::String(s.into())
        }
    }

    impl From<String> for Value {
        fn from(s: String) -> Value {
            Value::String(s)
        }
    }

    impl From<i64> for Value {
        fn from(n: i64) -> Value {
            Value::Int(n)
        }
    }

    fn write(buf: &mut Vec<u8>, value: &Value) {
        use rmp::encode as e;
        match value {
            Value::Nil => e::write_nil(buf).unwrap(),
            Value::Boolean(b) => e::write_bool(buf, *b).unwrap(),
            Value::Int(n) => drop(e::write_sint(buf, *n).unwrap()),
            Value::UInt(n) => drop(e::write_uint(buf, *n).unwrap()),
            Value::F32(f) => e::write_f32(buf, *f).unwrap(),
            Value::F64(f) => e::write_f64(buf, *f).unwrap(),
            Value::String(s) => e::write_str(buf, s).unwrap(),
            Value::RawString(bytes) => {
                e::write_str_len(buf, bytes.len() as u32).unwrap();
                buf.extend_from_slice(bytes);
            }
            Value::Binary(bytes) => e::write_bin(buf, bytes).unwrap(),
            Value::Array(items) => {
                e::write_array_len(buf, items.len() as u32).unwrap();
                items.iter().for_each(|v| write(buf, v));
            }
            Value::Map(entries) => {
                e::write_map_len(buf, entries.len() as u32).unwrap();
                for (k, v) in entries {
                    write(buf, k);
                    write(buf, v);
                }
            }
            Value::Ext(ty, data) => {
                e::write_ext_meta(buf, data.len() as u32, *ty).unwrap();
                buf.extend_from_slice(data);
            }
        }
    }

    fn encode(value: Value) -> Vec<u8> {
        let mut buf = Vec::new();
        write(&mut buf, &value);
        buf
    }

    fn checkpoint(v: i64, values: Vec<(Value, Value)>) -> Vec<u8> {
        encode(Value::Map(vec![
            ("v".into(), v.into()),
            ("id".into(), "1ef".into()),
            (
                "channel_versions".into(),
                Value::Map(vec![("x".into(), "00001.0.5".into())]),
            ),
            ("channel_values".into(), Value::Map(values)),
            ("versions_seen".into(), Value::Map(vec![])),
        ]))
    }

    #[test]
    fn finds_the_version_and_extension_types() {
        let long_list = Value::Array((0..300).map(|i| Value::from(format!("step {i}"))).collect());
        let plain = checkpoint(
            4,
            vec![
                ("log".into(), long_list),
                ("msg".into(), Value::Ext(5, vec![1; 300])),
                ("n".into(), Value::from(70_000i64)),
                ("f".into(), Value::F64(1.5)),
                ("b".into(), Value::Binary(vec![7; 70])),
            ],
        );
        assert_eq!(
            checkpoint_facts(&plain, 7).unwrap(),
            CheckpointFacts {
                v: Some(4),
                has_ext: false
            }
        );
        let delta = checkpoint(3, vec![("items".into(), Value::Ext(7, vec![0x90; 20]))]);
        assert_eq!(
            checkpoint_facts(&delta, 7).unwrap(),
            CheckpointFacts {
                v: Some(3),
                has_ext: true
            }
        );
    }

    #[test]
    fn refuses_what_is_not_a_checkpoint() {
        assert!(checkpoint_facts(b"\xc1", 7).is_err());
        assert!(checkpoint_facts(&encode(Value::from("text")), 7).is_err());
        let mut truncated = checkpoint(4, vec![("x".into(), Value::from("abcdef"))]);
        truncated.truncate(truncated.len() - 3);
        assert!(checkpoint_facts(&truncated, 7).is_err());
        let mut deep = Value::Nil;
        for _ in 0..1000 {
            deep = Value::Array(vec![deep]);
        }
        assert!(checkpoint_facts(&checkpoint(4, vec![("x".into(), deep)]), 7).is_err());
    }

    #[test]
    fn splits_values_at_their_exact_bytes() {
        let first = encode(Value::Array(vec![Value::Ext(5, vec![1; 40]), "x".into()]));
        let second = encode(Value::Binary(vec![9; 300]));
        let doc = [first.clone(), second.clone()].concat();
        let mut rest = &doc[..];
        assert_eq!(split_value(&mut rest).unwrap(), &first[..]);
        assert_eq!(split_value(&mut rest).unwrap(), &second[..]);
        assert!(rest.is_empty());
        let mut truncated = &first[..first.len() - 1];
        assert!(split_value(&mut truncated).is_err());
    }

    #[test]
    fn plain_values_become_json_and_python_objects_do_not() {
        let doc = encode(Value::Map(vec![
            ("n".into(), Value::Int(-5)),
            ("big".into(), Value::UInt(u64::MAX)),
            ("f".into(), Value::F32(0.5)),
            ("s".into(), "é".into()),
            (
                "a".into(),
                Value::Array(vec![Value::Nil, Value::Boolean(true)]),
            ),
        ]));
        assert_eq!(
            to_json(&doc).unwrap().to_string(),
            r#"{"a":[null,true],"big":18446744073709551615,"f":0.5,"n":-5,"s":"é"}"#
        );
        for (bad, why) in [
            (Value::Binary(vec![1]), "serialized Python object"),
            (Value::Ext(5, vec![1]), "serialized Python object"),
            (Value::F64(f64::NAN), "NaN"),
            (Value::RawString(vec![0xff]), "not UTF-8"),
            (Value::Map(vec![(Value::Int(1), Value::Nil)]), "map key"),
        ] {
            let error = format!("{:#}", to_json(&encode(bad)).unwrap_err());
            assert!(error.contains(why), "{error}");
        }
    }

    #[test]
    fn inline_scalars_are_what_jsonb_holds() {
        for (value, json) in [
            (Value::Nil, Some("null")),
            (Value::Boolean(false), Some("false")),
            (Value::Int(i64::MIN), Some("-9223372036854775808")),
            (Value::UInt(u64::MAX), Some("18446744073709551615")),
            (Value::F64(2.25), Some("2.25")),
            ("text".into(), Some(r#""text""#)),
            (Value::F64(f64::INFINITY), None),
            ("nul\0".into(), None),
            (Value::RawString(vec![0xff]), None),
            (Value::Binary(vec![1]), None),
            (Value::Array(vec![]), None),
            (Value::Ext(7, vec![0]), None),
        ] {
            let got = inline_scalar(&encode(value)).map(|j| j.to_string());
            assert_eq!(got.as_deref(), json);
        }
        assert_eq!(ext_type(&encode(Value::Ext(7, vec![0; 20]))), Some(7));
        assert_eq!(ext_type(&encode(Value::Ext(-3, vec![0]))), Some(-3));
        assert_eq!(ext_type(&encode(Value::Binary(vec![7]))), None);
    }

    #[test]
    fn keys_must_be_utf8_strings() {
        let doc = [encode("channel_values".into()), encode(Value::Int(3))].concat();
        let mut rest = &doc[..];
        assert_eq!(read_key(&mut rest).unwrap(), "channel_values");
        assert!(format!("{:#}", read_key(&mut rest).unwrap_err()).contains("not a string"));
        let raw = encode(Value::RawString(vec![0xff]));
        assert!(format!("{:#}", read_key(&mut &raw[..]).unwrap_err()).contains("not UTF-8"));
        let mut map = &encode(Value::Map(vec![("k".into(), Value::Nil); 20]))[..];
        assert_eq!(read_map_len(&mut map).unwrap(), 20);
        assert!(read_map_len(&mut &encode("x".into())[..]).is_err());
    }
}
