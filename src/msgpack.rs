//! Reading SqliteSaver's msgpack checkpoints generically and without allocating: only the
//! markers and lengths are decoded (with `rmp`), every value is skipped, so a prune scans a
//! million checkpoints at the cost of reading their bytes. No Python types are interpreted.

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
        if depth > MAX_DEPTH {
            bail!("msgpack nested deeper than {MAX_DEPTH}");
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
    let mut c = Cursor { buf: body, pos: 0 };
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

#[cfg(test)]
mod tests {
    use super::*;
    use rmpv::Value;

    fn encode(value: Value) -> Vec<u8> {
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &value).unwrap();
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
                ("n".into(), Value::from(70_000)),
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
}
