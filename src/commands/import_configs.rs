//! `agentdb import-configs`: JSON files into a tenant's configs. Every file is read and
//! validated first; any bad file means nothing is written. Then one transaction for all rows.
//! Values are never printed, and only one document is held in memory at a time.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use diesel::Connection;
use indicatif::ProgressBar;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Context;
use crate::cli::{ImportConfigsArgs, OnConflict};
use crate::db::{Access, AnyConnection, Backend};
use crate::error::exit;
use crate::fernet::{self, ConfigKeys};
use crate::output::{Output, Report, Text as Out};
use crate::store::configs::{self, Comparison, InsertBatch, NewConfig, Update};
use crate::store::tenants::{self, MissingHint};
use crate::store::TenantId;

/// A JSON file to import and the config key it becomes.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub key: String,
    pub path: PathBuf,
    /// Whether the file name ends in `.json` (the key does not).
    pub json_suffix: bool,
}

impl Candidate {
    /// The name recorded in `tenant_configs.source_file`: the path relative to the directory
    /// given (or the file name of a file given).
    pub fn source_file(&self) -> String {
        if self.json_suffix {
            format!("{}.json", self.key)
        } else {
            self.key.clone()
        }
    }
}

/// A validated file: its SHA-256 and, while within `RETAINED_BYTES`, its content (beyond that
/// it is read again for writing, so memory stays bounded however many files there are).
#[derive(Debug, Clone)]
struct Checked {
    candidate: Candidate,
    hash: [u8; 32],
    content: Option<String>,
}

/// How much validated content is kept for the write instead of being read a second time.
const RETAINED_BYTES: usize = 16 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Inserted,
    Updated,
    Unchanged,
    Skipped,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Inserted => "inserted",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Skipped => "skipped",
        }
    }
}

/// The most rows the table output lists.
const TABLE_ROWS: usize = 1000;

#[derive(Debug, Serialize)]
pub struct ConfigRow {
    pub key: String,
    pub file: String,
    pub result: Outcome,
}

#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub database: String,
    pub tenant: String,
    pub dry_run: bool,
    pub files: usize,
    pub summary: ImportSummary,
    pub configs: Vec<ConfigRow>,
}

impl Report for ImportReport {
    fn render(&self, out: &mut Out) {
        // A table of thousands of rows helps nobody on a terminal and costs memory; past
        // TABLE_ROWS only the summary is shown (JSON always lists every row).
        if self.configs.len() <= TABLE_ROWS {
            out.table(
                &["key", "file", "result"],
                self.configs
                    .iter()
                    .map(|r| vec![r.key.clone(), r.file.clone(), r.result.as_str().to_string()]),
            );
        } else {
            out.line(format!(
                "{} files (rows not listed past {TABLE_ROWS}; --format json lists every one)",
                self.configs.len()
            ));
        }
        let s = &self.summary;
        let mode = if self.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        };
        out.line(format!(
            "tenant {}: {} inserted, {} updated, {} unchanged, {} skipped{mode}",
            self.tenant, s.inserted, s.updated, s.unchanged, s.skipped
        ));
    }
}

/// Finds the files named by `paths`: files as given, directories' `*.json` (sub-folders with
/// `recursive`). Keys are paths relative to the directory, without `.json`, `/`-separated.
/// Returns the candidates and every problem found (unreadable, empty directory, duplicate key…).
pub fn collect(paths: &[PathBuf], recursive: bool) -> (Vec<Candidate>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Err(e) => problems.push(format!("{}: cannot read: {e}", path.display())),
            Ok(meta) if meta.is_dir() => {
                let before = found.len();
                let mut visited = HashSet::new();
                walk(
                    path,
                    path,
                    recursive,
                    &mut visited,
                    &mut found,
                    &mut problems,
                );
                if found.len() == before {
                    problems.push(format!(
                        "{}: no *.json files in this directory{}",
                        path.display(),
                        if recursive {
                            ""
                        } else {
                            " (use --recursive for sub-folders)"
                        }
                    ));
                }
            }
            Ok(_) => match path.file_name().and_then(|n| n.to_str()) {
                Some(name) => found.push(Candidate {
                    key: name.strip_suffix(".json").unwrap_or(name).to_string(),
                    path: path.clone(),
                    json_suffix: name.ends_with(".json"),
                }),
                None => problems.push(format!("{}: file name is not UTF-8", path.display())),
            },
        }
    }
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for c in &found {
        if let Some(first) = seen.get(&c.key) {
            problems.push(format!(
                "{}: key {:?} also comes from {}",
                c.path.display(),
                c.key,
                first.display()
            ));
        } else {
            seen.insert(c.key.clone(), c.path.clone());
        }
    }
    (found, problems)
}

fn walk(
    root: &Path,
    dir: &Path,
    recursive: bool,
    visited: &mut HashSet<PathBuf>,
    found: &mut Vec<Candidate>,
    problems: &mut Vec<String>,
) {
    // A symlink loop would otherwise recurse forever.
    match fs::canonicalize(dir) {
        Ok(real) if !visited.insert(real.clone()) => {
            problems.push(format!(
                "{}: directory loop (symbolic link), skipped",
                dir.display()
            ));
            return;
        }
        Err(e) => {
            problems.push(format!("{}: cannot read: {e}", dir.display()));
            return;
        }
        Ok(_) => {}
    }
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            problems.push(format!("{}: cannot read directory: {e}", dir.display()));
            return;
        }
    };
    entries.sort();
    for path in entries {
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if path.extension().is_some_and(|x| x == "json") {
                    problems.push(format!("{}: cannot read: {e}", path.display()));
                }
                continue;
            }
        };
        if meta.is_dir() {
            if recursive {
                walk(root, &path, recursive, visited, found, problems);
            }
            continue;
        }
        let Some(relative) = path.strip_prefix(root).ok().and_then(|r| r.to_str()) else {
            problems.push(format!("{}: file name is not UTF-8", path.display()));
            continue;
        };
        let Some(key) = relative.strip_suffix(".json") else {
            continue;
        };
        let key = key.replace(std::path::MAIN_SEPARATOR, "/");
        found.push(Candidate {
            key,
            path,
            json_suffix: true,
        });
    }
}

/// Reads a file that may be at most `max_size` bytes.
fn read_limited(path: &Path, max_size: u64) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max_size {
        return Err(format!(
            "is {len} bytes, over the limit of {max_size} (--max-size)"
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // Read one byte past the limit, in case the file grew since it was measured.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > max_size {
        return Err(format!(
            "is over the limit of {max_size} bytes (--max-size)"
        ));
    }
    Ok(bytes)
}

/// Checks one document: size, UTF-8, JSON, and what the backend can store. Returns the text.
fn validate(bytes: &[u8], backend: Backend) -> Result<&str, String> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err("starts with a UTF-8 byte-order mark (BOM); save it without one".into());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("is not UTF-8 (invalid byte at offset {})", e.valid_up_to()))?;
    // Parsing into a value (not skipping) also refuses lone UTF-16 surrogates and nesting
    // deeper than 128, which the databases would otherwise refuse mid-transaction.
    serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
        format!(
            "invalid JSON at line {} column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    })?;
    backend.json_storable(text)?;
    Ok(text)
}

/// Without keys a file shaped like an encrypted value (`{"fernet": "…"}`) would be stored as is
/// and then read as encrypted; with keys it is encrypted like any other document.
fn refuse_lookalike(text: &str, encrypting: bool) -> Result<(), String> {
    if !encrypting && fernet::envelope_token(text).is_some() {
        return Err(format!(
            "has the shape of an encrypted value ({{\"fernet\": …}}), which agentdb would read as one; set {} to store it encrypted",
            fernet::KEYS_VAR
        ));
    }
    Ok(())
}

fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

fn content_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn progress(output: &Output, len: usize, what: &str) -> ProgressBar {
    // Only when there is enough to wait for.
    let bar = output.progress_bar(len as u64, 200, "");
    bar.set_message(what.to_string());
    bar
}

/// Validates every candidate; returns all problems, never stopping at the first.
fn check_all(
    candidates: Vec<Candidate>,
    max_size: u64,
    backend: Backend,
    encrypting: bool,
    output: &Output,
) -> (Vec<Checked>, Vec<String>) {
    let bar = progress(output, candidates.len(), "validating");
    let mut checked = Vec::with_capacity(candidates.len());
    let mut problems = Vec::new();
    let mut retained = 0;
    for candidate in candidates {
        bar.inc(1);
        let verdict = read_limited(&candidate.path, max_size).and_then(|bytes| {
            let text = validate(&bytes, backend)?;
            refuse_lookalike(text, encrypting)?;
            Ok((content_hash(&bytes), bytes))
        });
        match verdict {
            Ok((hash, bytes)) => {
                let content = (retained + bytes.len() <= RETAINED_BYTES).then(|| {
                    retained += bytes.len();
                    String::from_utf8(bytes).expect("validated as UTF-8")
                });
                checked.push(Checked {
                    candidate,
                    hash,
                    content,
                })
            }
            Err(reason) => problems.push(format!("{}: {reason}", candidate.path.display())),
        }
    }
    bar.finish_and_clear();
    (checked, problems)
}

pub fn run(ctx: &Context, args: &ImportConfigsArgs) -> Result<u8> {
    let tenant = ctx.tenant(args.tenant.as_deref())?;
    let keys = ctx.config_keys()?;
    let (db, mut conn) = ctx.open_migrated(Access::writing(args.dry_run))?;
    let backend = conn.backend();

    let (candidates, mut problems) = collect(&args.paths, args.recursive);
    let (checked, bad_files) = check_all(
        candidates,
        args.max_size,
        backend,
        keys.is_some(),
        &ctx.output,
    );
    problems.extend(bad_files);
    if !problems.is_empty() {
        bail!(
            "nothing was imported: {} problem(s) with the input files:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    ctx.output.debug(format!("{} file(s) valid", checked.len()));

    let outcomes = if args.dry_run {
        tenants::require(&mut conn, &tenant, MissingHint::InitTenant)?;
        let outcomes = decide(&mut conn, &tenant, &checked, args, keys.is_some())?;
        refuse_mixed_keys(&mut conn, &tenant, keys.as_ref(), &outcomes, args.force)?;
        outcomes
    } else {
        conn.transaction(|conn| {
            // Locked: concurrent imports into one tenant run one after another.
            tenants::require_locked(conn, &tenant, MissingHint::InitTenant)?;
            let outcomes = decide(conn, &tenant, &checked, args, keys.is_some())?;
            refuse_mixed_keys(conn, &tenant, keys.as_ref(), &outcomes, args.force)?;
            write_all(
                conn,
                &tenant,
                &checked,
                &outcomes,
                args.max_size,
                keys.as_ref(),
                &ctx.output,
            )?;
            anyhow::Ok(outcomes)
        })
        .with_context(|| format!("import into tenant {tenant} failed; nothing was written"))?
    };
    // The report takes the keys and paths over rather than copying them.
    let configs: Vec<ConfigRow> = checked
        .into_iter()
        .zip(outcomes)
        .map(|(c, result)| ConfigRow {
            key: c.candidate.key,
            file: c
                .candidate
                .path
                .into_os_string()
                .into_string()
                .unwrap_or_else(|p| p.to_string_lossy().into_owned()),
            result,
        })
        .collect();

    let mut summary = ImportSummary::default();
    for r in &configs {
        match r.result {
            Outcome::Inserted => summary.inserted += 1,
            Outcome::Updated => summary.updated += 1,
            Outcome::Unchanged => summary.unchanged += 1,
            Outcome::Skipped => summary.skipped += 1,
        }
    }
    ctx.output.emit(&ImportReport {
        database: db.display.clone(),
        tenant: tenant.into_string(),
        dry_run: args.dry_run,
        files: configs.len(),
        summary,
        configs,
    })?;
    Ok(exit::OK)
}

/// Refuses (exit 1, as every refusal over stored values; nothing written) an import that would
/// encrypt values into a tenant holding encrypted values the configured keys cannot decrypt:
/// the tenant would be left under two sets of keys, which `configs get/export` and the
/// platform then read only in part. An import that writes nothing, or runs without keys
/// (see `decide` for plaintext over encrypted values), is not concerned; `--force` imports
/// anyway.
fn refuse_mixed_keys(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    keys: Option<&ConfigKeys>,
    outcomes: &[Outcome],
    force: bool,
) -> Result<()> {
    let writes = outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Inserted | Outcome::Updated));
    let Some(keys) = keys.filter(|_| writes && !force) else {
        return Ok(());
    };
    let rows = configs::encrypted_values(conn, tenant)?;
    let foreign: Vec<String> = rows
        .into_iter()
        .filter(|row| {
            fernet::envelope_token(&row.value).is_some_and(|token| keys.decrypt(&token).is_err())
        })
        .map(|row| row.key)
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let keys_text = format!("the {} key(s) from {}", keys.len(), keys.source);
    let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
    Err(anyhow::anyhow!(
        "nothing was imported: tenant {tenant} holds {} encrypted config(s) ({}{}) that {keys_text} cannot decrypt; importing would leave the tenant under mixed keys\nhint: list the new key first and the old ones after it (NEW,OLD) and run `agentdb configs rotate-keys --tenant {tenant}`, then import; or pass --force to import anyway",
        foreign.len(),
        shown.join(", "),
        if foreign.len() > shown.len() { ", …" } else { "" }
    ))
}

/// Reads what is stored and decides each file's outcome, refusing what must not be written.
fn decide(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    checked: &[Checked],
    args: &ImportConfigsArgs,
    encrypting: bool,
) -> Result<Vec<Outcome>> {
    let existing = configs::content_hashes(conn, tenant)?;
    let stored = compare_stored(conn, tenant, checked, &existing, args.max_size)?;
    let outcomes = plan(checked, &existing, &stored, args.on_conflict, tenant)?;
    refuse_decrypting(checked, &outcomes, &stored, encrypting, tenant)?;
    Ok(outcomes)
}

/// What is stored under the keys whose content hash differs from the file's.
#[derive(Default)]
struct StoredComparison {
    /// Stored plaintext that is the same JSON document as the file: on PostgreSQL, `jsonb`
    /// keeps neither formatting nor key order, so a file written back by `configs export`
    /// hashes differently yet is unchanged.
    same: HashSet<String>,
    /// Stored encrypted.
    encrypted: HashSet<String>,
}

/// Looks at the stored rows of keys whose hash differs (one query each; such keys are updated
/// one by one anyway).
fn compare_stored(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    checked: &[Checked],
    existing: &HashMap<String, Option<[u8; 32]>>,
    max_size: u64,
) -> Result<StoredComparison> {
    let comparison = Comparison::new(conn.backend());
    let mut stored = StoredComparison::default();
    for c in checked {
        let key = &c.candidate.key;
        match existing.get(key) {
            Some(Some(h)) if *h == c.hash => continue,
            None => continue,
            Some(_) => {}
        }
        let state = comparison.state(conn, tenant, key, content_of(c, max_size)?)?;
        if state.same {
            stored.same.insert(key.clone());
        }
        if state.encrypted {
            stored.encrypted.insert(key.clone());
        }
    }
    Ok(stored)
}

/// Without keys, replacing an encrypted value would store a secret unencrypted: refused.
fn refuse_decrypting(
    checked: &[Checked],
    outcomes: &[Outcome],
    stored: &StoredComparison,
    encrypting: bool,
    tenant: &TenantId,
) -> Result<()> {
    if encrypting {
        return Ok(());
    }
    let keys: Vec<&str> = checked
        .iter()
        .zip(outcomes)
        .filter(|(c, o)| **o == Outcome::Updated && stored.encrypted.contains(&c.candidate.key))
        .map(|(c, _)| c.candidate.key.as_str())
        .collect();
    if !keys.is_empty() {
        bail!(
            "nothing was imported: tenant {tenant} stores {} of these configs encrypted ({}); set {} so that the new values are encrypted too",
            keys.len(),
            keys.join(", "),
            fernet::KEYS_VAR
        );
    }
    Ok(())
}

/// Decides each file's outcome against what is stored. `--on-conflict fail` refuses the whole
/// import, naming every key that exists with other content.
fn plan(
    checked: &[Checked],
    existing: &HashMap<String, Option<[u8; 32]>>,
    stored: &StoredComparison,
    on_conflict: OnConflict,
    tenant: &TenantId,
) -> Result<Vec<Outcome>> {
    let mut conflicts = Vec::new();
    let outcomes: Vec<Outcome> = checked
        .iter()
        .map(|c| match existing.get(&c.candidate.key) {
            None => Outcome::Inserted,
            Some(Some(h)) if *h == c.hash => Outcome::Unchanged,
            Some(_) if stored.same.contains(&c.candidate.key) => Outcome::Unchanged,
            Some(_) => match on_conflict {
                OnConflict::Replace => Outcome::Updated,
                OnConflict::Skip => Outcome::Skipped,
                OnConflict::Fail => {
                    conflicts.push(c.candidate.key.clone());
                    Outcome::Skipped
                }
            },
        })
        .collect();
    if !conflicts.is_empty() {
        bail!(
            "nothing was imported: tenant {tenant} already has other content for {} key(s) (--on-conflict fail): {}",
            conflicts.len(),
            conflicts.join(", ")
        );
    }
    Ok(outcomes)
}

/// The content to write: kept from validation, or read again (and it must still be what was
/// validated).
fn content_of(checked: &Checked, max_size: u64) -> Result<String> {
    if let Some(content) = &checked.content {
        return Ok(content.clone());
    }
    let c = &checked.candidate;
    let bytes = read_limited(&c.path, max_size)
        .map_err(|e| anyhow::anyhow!("{}: {e}", c.path.display()))?;
    if content_hash(&bytes) != checked.hash {
        bail!(
            "{} changed while it was being imported; nothing was imported, run again",
            c.path.display()
        );
    }
    String::from_utf8(bytes).context("validated as UTF-8")
}

/// Writes the planned rows: inserts in batches, updates one by one.
fn write_all(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    checked: &[Checked],
    outcomes: &[Outcome],
    max_size: u64,
    keys: Option<&ConfigKeys>,
    output: &Output,
) -> Result<()> {
    let backend = conn.backend();
    // With keys every value is stored as `{"fernet": "<token>"}`; the hash stays the file's.
    let stored_form = |content: String| match keys {
        Some(k) => k.seal(&content),
        None => content,
    };
    let update = Update::new(backend);
    let bar = progress(output, checked.len(), "importing");
    let mut batch = InsertBatch::new(backend, tenant);
    for (checked, outcome) in checked.iter().zip(outcomes) {
        bar.inc(1);
        let c = &checked.candidate;
        let row = |value: String| NewConfig {
            key: c.key.clone(),
            value,
            source_file: c.source_file(),
            content_hash: checked.hash,
        };
        match outcome {
            Outcome::Inserted => {
                batch.push(conn, row(stored_form(content_of(checked, max_size)?)))?
            }
            Outcome::Updated => {
                update
                    .write(
                        conn,
                        tenant,
                        row(stored_form(content_of(checked, max_size)?)),
                    )
                    .with_context(|| {
                        format!("cannot store config {:?} from {}", c.key, c.path.display())
                    })?;
            }
            Outcome::Unchanged | Outcome::Skipped => {}
        }
    }
    batch.flush(conn)?;
    bar.finish_and_clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages() {
        let pg = Backend::Postgres;
        assert!(validate(b"{\"a\": 1}", pg).is_ok());
        let e = validate(b"{\n  \"a\": 1,\n}", pg).unwrap_err();
        assert!(e.starts_with("invalid JSON at line 3 column 1"), "{e}");
        assert!(validate(b"", pg).unwrap_err().contains("line 1 column 0"));
        assert!(validate(b"\xEF\xBB\xBF{}", pg).unwrap_err().contains("BOM"));
        assert!(validate(b"{\"a\": \"\xff\"}", pg)
            .unwrap_err()
            .contains("offset 7"));
        assert!(validate(br#"{"a": "\u0000"}"#, pg)
            .unwrap_err()
            .contains("jsonb"));
        assert!(validate(br#"{"a": "\u0000"}"#, Backend::Sqlite).is_ok());
        let lone = validate(br#"{"a": "\ud800"}"#, Backend::Sqlite).unwrap_err();
        assert!(lone.contains("hex escape"), "{lone}");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let e = validate(deep.as_bytes(), Backend::Sqlite).unwrap_err();
        assert!(e.contains("recursion limit"), "{e}");
    }
}
