//! Golden files for `--format json`: a test runs the built binary through a fixed scenario,
//! records for every step its arguments, exit code and normalised stdout, and compares the record
//! with `tests/golden/<name>.json`. `AGENTDB_BLESS=1` rewrites the files instead (see
//! [`BLESS`]).
//!
//! The normaliser replaces only what must vary between runs, and says so in the file:
//!
//! | what                                          | becomes                                  |
//! |-----------------------------------------------|------------------------------------------|
//! | a substring registered with [`Golden::replace`] (temp dir, URL, database name) | its label, e.g. `<dir>` |
//! | a string that starts with a date (`2026-12-03T18:51:25.184Z`) | the same with every digit `0` (the shape stays checked) |
//! | a compact time inside a string (`z.db.backup-20261203T185307Z.db`) | `00000000T000000Z`       |
//! | a number under a key ending in `_ms` or `_ms_total` | `<ms:int>` or `<ms:float>` (the type stays checked) |
//! | `database_size_bytes`, `bytes`                 | `<bytes:int>`                              |
//! | a 32-hex-digit `*_digest` that is not all zeros | `<digest>`                                |
//! | `generated_api_key`; an `api_key_prefix` starting `agdb_` | `<generated>`; `agdb_<generated>` |
//! | `hash_prefix` of a config with `"encrypted": true` | `<ciphertext>` (Fernet is randomised)    |
//! | `detail` of the health checks `server_version` and `connections` | `<server>` |
//! | the object under `slowest` (prune's slowest transaction: which one is timing) | `<slowest>` |
//! | the object under `beside_writers` (PostgreSQL's commit counter is the server's: other tests' writes count) | `<beside_writers>` |
//!
//! Everything else (keys, their order, nulls, counts, booleans, messages) must match exactly.
//! Documents are read into [`Json`], which keeps keys in document order: `serde_json::Value`
//! sorts them, and would let a reordered report pass.
#![allow(dead_code)]

use std::fmt;
use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Number;

/// A JSON value whose objects keep their keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
        Number::from_f64(n)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => items.serialize(serializer),
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// The command that regenerates every golden file, printed on a mismatch.
pub const BLESS: &str = "AGENTDB_BLESS=1 cargo test --locked --test golden_json";

/// One golden file being recorded.
pub struct Golden {
    name: String,
    replacements: Vec<(String, String)>,
    steps: Vec<Json>,
}

impl Golden {
    /// Records into `tests/golden/<name>.json`.
    pub fn new(name: &str) -> Golden {
        Golden {
            name: name.to_string(),
            replacements: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Replaces `text` by `label` in every string recorded (arguments and output). Longer texts
    /// are replaced first, so a URL is replaced before the database name inside it.
    pub fn replace(&mut self, text: impl Into<String>, label: &str) -> &mut Golden {
        let text = text.into();
        assert!(
            !text.is_empty(),
            "an empty replacement would match everywhere"
        );
        self.replacements.push((text, label.to_string()));
        self.replacements
            .sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
        self
    }

    /// Runs `cmd` (the binary, its arguments already given), checks that stdout holds nothing
    /// or exactly one JSON document and none of stderr, and records the step. Returns the
    /// output for the scenario to go on with.
    pub fn step(&mut self, mut cmd: Command) -> Output {
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let out = cmd.output().expect("run agentdb");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let document = if stdout.is_empty() {
            Json::Null
        } else {
            serde_json::from_str::<Json>(&stdout).unwrap_or_else(|e| {
                panic!(
                    "{args:?}: stdout is not one JSON document ({e}):\n{stdout}\nstderr:\n{stderr}"
                )
            })
        };
        for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                !stdout.contains(line),
                "{args:?}: a stderr line is on stdout: {line:?}"
            );
        }
        let mut step = Json::Object(vec![
            (
                "args".to_string(),
                Json::Array(args.iter().cloned().map(Json::String).collect()),
            ),
            (
                "exit".to_string(),
                out.status
                    .code()
                    .map_or(Json::Null, |c| Json::Number(c.into())),
            ),
            ("stdout".to_string(), document),
        ]);
        self.normalise(&mut step);
        self.steps.push(step);
        out
    }

    /// Compares the record with the committed file, or writes it with `AGENTDB_BLESS=1`.
    pub fn check(self) {
        let path = golden_path(&self.name);
        let text = serde_json::to_string_pretty(&Json::Array(self.steps)).unwrap() + "\n";
        if std::env::var("AGENTDB_BLESS").is_ok_and(|v| v == "1") {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            eprintln!("wrote {}", path.display());
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            let first = committed
                .lines()
                .zip(text.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map(|(i, (a, b))| format!("line {}:\n  golden: {a}\n  now:    {b}", i + 1))
                .unwrap_or_else(|| "one is a prefix of the other".to_string());
            panic!(
                "--format json output differs from {} at {first}\n\nfull output now:\n{text}\n\
                 If the change is intended, regenerate with\n\n    {BLESS}\n\nand commit the file.",
                path.display()
            );
        }
    }

    fn normalise(&self, value: &mut Json) {
        match value {
            Json::String(s) => *s = self.normalise_string(s),
            Json::Array(items) => items.iter_mut().for_each(|v| self.normalise(v)),
            Json::Object(entries) => {
                normalise_fields(entries);
                entries.iter_mut().for_each(|(_, v)| self.normalise(v));
            }
            _ => {}
        }
    }

    fn normalise_string(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (text, label) in &self.replacements {
            s = s.replace(text.as_str(), label);
        }
        if starts_with_date(&s) {
            s = s
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c })
                .collect();
        }
        zero_compact_times(&s)
    }
}

/// `tests/golden/<name>.json`.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"))
}

/// `YYYY-MM-DD` followed by `T` or a space.
fn starts_with_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b[10] == b'T' || b[10] == b' ')
}

/// `YYYYMMDDTHHMMSSZ` anywhere in `s` (backup file names) with every digit `0`.
fn zero_compact_times(s: &str) -> String {
    let mut b = s.as_bytes().to_vec();
    let mut i = 0;
    while i + 16 <= b.len() {
        let w = &b[i..i + 16];
        if w[..8].iter().all(u8::is_ascii_digit)
            && w[8] == b'T'
            && w[9..15].iter().all(u8::is_ascii_digit)
            && w[15] == b'Z'
        {
            for c in &mut b[i..i + 16] {
                if c.is_ascii_digit() {
                    *c = b'0';
                }
            }
            i += 16;
        } else {
            i += 1;
        }
    }
    String::from_utf8(b).expect("only ASCII digits changed")
}

/// The key-based rules of the table at the top of this file.
fn normalise_fields(entries: &mut [(String, Json)]) {
    let field = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let encrypted = field("encrypted") == Some(Json::Bool(true));
    let check = match field("name") {
        Some(Json::String(s)) => Some(s),
        _ => None,
    };
    for (key, value) in entries.iter_mut() {
        let replacement = match (key.as_str(), &*value) {
            (k, Json::Number(n)) if k.ends_with("_ms") || k.ends_with("_ms_total") => {
                Some(if n.is_f64() { "<ms:float>" } else { "<ms:int>" })
            }
            ("database_size_bytes" | "bytes", Json::Number(n)) if !n.is_f64() => {
                Some("<bytes:int>")
            }
            (k, Json::String(s))
                if k.ends_with("_digest")
                    && s.len() == 32
                    && s.bytes().all(|b| b.is_ascii_hexdigit())
                    && !s.bytes().all(|b| b == b'0') =>
            {
                Some("<digest>")
            }
            ("generated_api_key", Json::String(_)) => Some("<generated>"),
            ("api_key_prefix", Json::String(s)) if s.starts_with("agdb_") => {
                Some("agdb_<generated>")
            }
            ("hash_prefix", Json::String(_)) if encrypted => Some("<ciphertext>"),
            ("detail", Json::String(_))
                if matches!(check.as_deref(), Some("server_version" | "connections")) =>
            {
                Some("<server>")
            }
            ("slowest", Json::Object(_)) => Some("<slowest>"),
            ("beside_writers", Json::Object(_)) => Some("<beside_writers>"),
            _ => None,
        };
        if let Some(r) = replacement {
            *value = Json::String(r.to_string());
        }
    }
}
