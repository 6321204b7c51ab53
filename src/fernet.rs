//! Config values encrypted at rest with Fernet, so that any Python app reads them with
//! `cryptography.fernet` (`MultiFernet` semantics: the first key encrypts, every key decrypts).
//!
//! The cryptography is the `fernet` crate's (RustCrypto AES-128-CBC and HMAC-SHA256). Where the
//! crate and Python's `cryptography` disagree at the edges, this module follows Python:
//! - keys in standard base64 (`+`, `/`) are accepted, converted to the URL-safe alphabet;
//! - keys without `=` padding are refused (the crate accepts them, Python does not);
//! - tokens are written padded (Python refuses unpadded ones), and read only when padded;
//! - whitespace around (or inside) a token is ignored before decrypting;
//! - a token dated in the future is accepted: Python rejects clock skew over 60 s only when a
//!   TTL is asked for, and agentdb never asks (the clocks of two hosts must not break reads);
//! - re-encrypting for rotation keeps the token's timestamp, like `MultiFernet.rotate`.
//!
//! Stored form: an encrypted value is the JSON object `{"fernet": "<token>"}` (see
//! `seal`/`envelope_token`), so the column stays JSON (`jsonb` on PostgreSQL) and the row says
//! that it is encrypted.

use std::collections::HashMap;
use std::path::Path;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE};
use base64::Engine;
use serde::Deserialize;

use crate::error::UsageError;

/// The environment variable holding the keys, comma-separated.
pub const KEYS_VAR: &str = "AGENTDB_CONFIG_KEYS";

/// Padded URL-safe base64 that, like Python's `binascii`, tolerates non-zero trailing bits.
const PYTHON_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The crate only checks a token's age when asked for a TTL, but always refuses a timestamp
/// more than 60 s after "now". Decrypting "at" the far future switches that off without
/// overflowing the crate's `now + 60`.
const NO_CLOCK_SKEW_CHECK: u64 = u64::MAX - 60;

/// Version byte, timestamp, IV and HMAC: the smallest a token's bytes can be.
const MIN_TOKEN_BYTES: usize = 1 + 8 + 16 + 32;

/// A value that none of the keys decrypts (wrong keys, or not a Fernet token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotDecryptable;

/// What `ConfigKeys::rotate` did with a token.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// Already encrypted with the first key, as written: nothing to do.
    Current,
    /// Re-encrypted with the first key, with the original timestamp.
    Reencrypted(String),
}

/// The configured Fernet keys, in order.
pub struct ConfigKeys {
    fernets: Vec<fernet::Fernet>,
    /// Where they came from, for messages (never the keys themselves).
    pub source: String,
    /// The keys file's mode when group or others may read or write it (warned about).
    pub shared_mode: Option<u32>,
}

/// Whether a `--config-keys-file` value is itself one or more Fernet keys.
fn looks_like_keys(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text.split([',', '\n'])
        .map(str::trim)
        .any(|part| parse_key(part).is_some())
}

/// The file's permission bits when group or others have any access to it.
fn shared_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

impl std::fmt::Debug for ConfigKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConfigKeys({} from {})", self.fernets.len(), self.source)
    }
}

impl ConfigKeys {
    /// The keys of `--config-keys-file` if given, else of `AGENTDB_CONFIG_KEYS`; `None` when
    /// neither is set (values are then stored as they are). Never a default key.
    pub fn load(
        file: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Option<ConfigKeys>, UsageError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                if looks_like_keys(path) {
                    // A key given where the path belongs: never echo it back.
                    UsageError::new(
                        "--config-keys-file takes the path of a file holding the keys, and the \
                         value given looks like a Fernet key (not shown); write the keys to a \
                         file readable only by you (chmod 600) and pass its path, or set \
                         AGENTDB_CONFIG_KEYS",
                    )
                } else {
                    UsageError::new(format!(
                        "cannot read --config-keys-file {}: {e}",
                        path.display()
                    ))
                }
            })?;
            let source = format!("--config-keys-file {}", path.display());
            let mut keys = ConfigKeys::parse(&text, &source)?;
            keys.shared_mode = shared_mode(path);
            return Ok(Some(keys));
        }
        match env.get(KEYS_VAR) {
            None => Ok(None),
            Some(text) => ConfigKeys::parse(text, KEYS_VAR).map(Some),
        }
    }

    /// Keys separated by commas or new lines. A set but empty list is refused rather than
    /// taken as "no encryption": a secret that failed to reach the environment must not turn
    /// encryption off.
    pub fn parse(text: &str, source: &str) -> Result<ConfigKeys, UsageError> {
        let entries: Vec<&str> = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Err(UsageError::new(format!(
                "{source} is set but holds no key: give one or more Fernet keys, comma-separated \
                 (or unset it to store configs unencrypted)"
            )));
        }
        let fernets = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                parse_key(entry).ok_or_else(|| {
                    UsageError::new(format!(
                        "{source}: key {} of {} is not a Fernet key: it must be 32 bytes in \
                         base64 with its `=` padding (44 characters), as Python's \
                         `Fernet.generate_key()` makes",
                        i + 1,
                        entries.len()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ConfigKeys {
            fernets,
            source: source.to_string(),
            shared_mode: None,
        })
    }

    pub fn len(&self) -> usize {
        self.fernets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fernets.is_empty()
    }

    /// A padded URL-safe token of `plaintext`, with the first key, dated now.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        self.fernets[0].encrypt(plaintext)
    }

    /// The plaintext of a token, trying every key in order.
    pub fn decrypt(&self, token: &str) -> Result<Vec<u8>, NotDecryptable> {
        let token = Token::parse(token)?;
        self.decrypt_canonical(&token.canonical)
    }

    fn decrypt_canonical(&self, canonical: &str) -> Result<Vec<u8>, NotDecryptable> {
        self.fernets
            .iter()
            .find_map(|f| f.decrypt_at_time(canonical, None, NO_CLOCK_SKEW_CHECK).ok())
            .ok_or(NotDecryptable)
    }

    /// Re-encrypts a token with the first key, keeping its timestamp (`MultiFernet.rotate`).
    /// A token the first key already decrypts, written in canonical form, is left as it is,
    /// so an interrupted rotation resumes where it stopped.
    pub fn rotate(&self, token: &str) -> Result<Rotation, NotDecryptable> {
        let parsed = Token::parse(token)?;
        if parsed.canonical == token
            && self.fernets[0]
                .decrypt_at_time(&parsed.canonical, None, NO_CLOCK_SKEW_CHECK)
                .is_ok()
        {
            return Ok(Rotation::Current);
        }
        let plaintext = self.decrypt_canonical(&parsed.canonical)?;
        Ok(Rotation::Reencrypted(
            self.fernets[0].encrypt_at_time(&plaintext, parsed.timestamp),
        ))
    }

    /// The stored form of an encrypted value: `{"fernet":"<token>"}`.
    pub fn seal(&self, plaintext: &str) -> String {
        envelope(&self.encrypt(plaintext.as_bytes()))
    }

    /// The stored form of a token that `rotate` made.
    pub fn seal_token(token: &str) -> String {
        envelope(token)
    }
}

fn envelope(token: &str) -> String {
    // A token is base64url and `=`: nothing to escape in a JSON string.
    format!(r#"{{"fernet":"{token}"}}"#)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    fernet: String,
}

/// The token of a stored value that is an encrypted envelope: a JSON object with exactly one
/// member, `fernet`, holding a string. `None` for any other (plaintext) document.
pub fn envelope_token(stored: &str) -> Option<String> {
    // serde would also take `["…"]` for the struct; only an object is an envelope.
    if !stored.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Envelope>(stored)
        .ok()
        .map(|e| e.fernet)
}

/// A key in Python's accepted forms, as the crate's `Fernet`.
fn parse_key(key: &str) -> Option<fernet::Fernet> {
    let bytes = PYTHON_BASE64.decode(to_url_safe(key)).ok()?;
    if bytes.len() != 32 {
        return None;
    }
    fernet::Fernet::new(&URL_SAFE.encode(&bytes))
}

/// `+`/`/` (standard base64) as `-`/`_`, whitespace dropped: what Python's
/// `urlsafe_b64decode` accepts.
fn to_url_safe(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

/// A token decoded as Python decodes it, re-encoded canonically for the crate.
struct Token {
    canonical: String,
    timestamp: u64,
}

impl Token {
    fn parse(token: &str) -> Result<Token, NotDecryptable> {
        let bytes = PYTHON_BASE64
            .decode(to_url_safe(token))
            .map_err(|_| NotDecryptable)?;
        if bytes.len() < MIN_TOKEN_BYTES || bytes[0] != 0x80 {
            return Err(NotDecryptable);
        }
        let timestamp = u64::from_be_bytes(bytes[1..9].try_into().expect("8 bytes"));
        Ok(Token {
            canonical: URL_SAFE.encode(&bytes),
            timestamp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "KTt7sJPpXWr_oQym5yP93U3L1pF6NMdG_1v86jwf0e8=";
    const KEY_B: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

    fn keys(text: &str) -> ConfigKeys {
        ConfigKeys::parse(text, "test").unwrap()
    }

    #[test]
    fn key_forms_follow_python() {
        assert!(ConfigKeys::parse(KEY_A, "t").is_ok());
        // Standard base64 of the same bytes.
        let standard = KEY_A.replace('_', "/").replace('-', "+");
        assert!(ConfigKeys::parse(&standard, "t").is_ok());
        let unpadded = KEY_A.trim_end_matches('=');
        let e = ConfigKeys::parse(unpadded, "AGENTDB_CONFIG_KEYS").unwrap_err();
        assert!(e.to_string().contains("key 1 of 1"), "{e}");
        assert!(
            !e.to_string().contains(unpadded),
            "the key is never shown: {e}"
        );
        assert!(ConfigKeys::parse("c2hvcnQ=", "t").is_err());
        assert!(ConfigKeys::parse(" , ,", "t").is_err());
        assert_eq!(keys(&format!(" {KEY_A} ,\n{KEY_B}\n")).len(), 2);
    }

    #[test]
    fn multi_key_decrypt_and_rotation_keep_the_timestamp() {
        let old = keys(KEY_B);
        let token = old.fernets[0].encrypt_at_time(b"{\"a\":1}", 1_000_000);
        let both = keys(&format!("{KEY_A},{KEY_B}"));
        assert_eq!(both.decrypt(&token).unwrap(), b"{\"a\":1}");
        let Rotation::Reencrypted(rotated) = both.rotate(&token).unwrap() else {
            panic!("not rotated")
        };
        assert_eq!(Token::parse(&rotated).unwrap().timestamp, 1_000_000);
        assert_eq!(keys(KEY_A).decrypt(&rotated).unwrap(), b"{\"a\":1}");
        assert_eq!(both.rotate(&rotated).unwrap(), Rotation::Current);
        assert_eq!(keys(KEY_A).decrypt(&token), Err(NotDecryptable));
    }

    #[test]
    fn token_edges_follow_python() {
        let k = keys(KEY_A);
        let token = k.encrypt(b"x");
        // 73 bytes: base64 needs `==` padding, which Python requires.
        assert!(
            token.ends_with("==") && token.len() % 4 == 0,
            "written padded"
        );
        assert_eq!(k.decrypt(&format!("  {token}\n")).unwrap(), b"x");
        assert_eq!(
            k.decrypt(token.trim_end_matches('=')),
            Err(NotDecryptable),
            "Python refuses unpadded tokens"
        );
        let future = k.fernets[0].encrypt_at_time(b"later", u64::MAX / 2);
        assert_eq!(k.decrypt(&future).unwrap(), b"later");
        assert_eq!(k.decrypt("not a token"), Err(NotDecryptable));
    }

    #[test]
    fn envelopes() {
        let k = keys(KEY_A);
        let sealed = k.seal("{\"a\": 1}");
        let token = envelope_token(&sealed).unwrap();
        assert_eq!(k.decrypt(&token).unwrap(), b"{\"a\": 1}");
        assert_eq!(envelope_token(r#"{"fernet": "t"}"#).as_deref(), Some("t"));
        for plain in [
            r#"{"fernet": "t", "other": 1}"#,
            r#"{"fernet": 1}"#,
            r#"["t"]"#,
            r#"{"token": "t"}"#,
            r#""fernet""#,
        ] {
            assert_eq!(envelope_token(plain), None, "{plain}");
        }
    }
}
