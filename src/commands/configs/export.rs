//! `agentdb configs export DIR`: a tenant's configs back to `DIR/<key>.json`, decrypted, so
//! that `import-configs -r DIR` finds every one `unchanged`. Everything is read and decrypted
//! first; a value that does not decrypt, a key that is no safe file name, or (without
//! `--force`) a file that exists means nothing is written. Files are 0600, new folders 0700,
//! and the export appears whole or not at all (`files.rs`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use serde::Serialize;

use crate::cli::ConfigsExportArgs;
use crate::commands::Context;
use crate::db::Access;
use crate::error::{exit, UsageError};
use crate::files;
use crate::output::{Report, Text as Out};
use crate::store::configs::{plaintext_of, stored_values};
use crate::store::tenants::{self, MissingHint};

#[derive(Debug, Serialize)]
pub struct ExportedFile {
    pub key: String,
    pub file: String,
    /// `written`, or `replaced` (an existing file, with `--force`).
    pub result: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub database: String,
    pub tenant: String,
    pub directory: String,
    pub files: usize,
    pub configs: Vec<ExportedFile>,
}

impl Report for ExportReport {
    fn render(&self, out: &mut Out) {
        out.table(
            &["key", "file", "result"],
            self.configs
                .iter()
                .map(|c| vec![c.key.clone(), c.file.clone(), c.result.to_string()]),
        );
        out.line(format!(
            "tenant {}: {} file(s) written to {} (mode 0600)",
            self.tenant, self.files, self.directory
        ));
    }
}

pub fn run(ctx: &Context, args: &ConfigsExportArgs) -> Result<u8> {
    let tenant = ctx.tenant(args.tenant.as_deref())?;
    let keys = ctx.config_keys()?;
    let (db, mut conn) = ctx.open_migrated(Access::ReadOnly)?;
    tenants::require(&mut conn, &tenant, MissingHint::ListTenants)?;
    let documents = stored_values(&mut conn, &tenant, None)?
        .into_iter()
        .map(|stored| plaintext_of(stored, keys.as_ref(), &tenant))
        .collect::<Result<Vec<_>>>()
        .context("nothing was exported")?;
    drop(conn);

    let targets = plan_targets(&args.dir, &documents)?;
    let existing: Vec<&PathBuf> = targets.iter().filter(|t| t.exists()).collect();
    if !existing.is_empty() && !args.force {
        return Err(UsageError::new(format!(
            "refusing to overwrite {} existing file(s), nothing was exported: {}; pass --force to replace them",
            existing.len(),
            existing
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    warn_if_shared(ctx, &args.dir);

    let replaced: Vec<bool> = targets.iter().map(|t| t.exists()).collect();
    write_all(&args.dir, &documents, &targets, args.force)?;
    let configs = documents
        .into_iter()
        .zip(targets)
        .zip(replaced)
        .map(|(((key, _), target), replaced)| ExportedFile {
            key,
            file: target.display().to_string(),
            result: if replaced { "replaced" } else { "written" },
        })
        .collect::<Vec<_>>();
    ctx.output.emit(&ExportReport {
        database: db.display.clone(),
        tenant: tenant.into_string(),
        directory: args.dir.display().to_string(),
        files: configs.len(),
        configs,
    })?;
    Ok(exit::OK)
}

/// `DIR/<key>.json` for every key; refuses keys that are not plain relative paths (a row
/// written by other means could hold `../x` or `/etc/x`).
fn plan_targets(dir: &Path, documents: &[(String, String)]) -> Result<Vec<PathBuf>> {
    let unsafe_keys: Vec<&str> = documents
        .iter()
        .map(|(key, _)| key.as_str())
        .filter(|key| !is_safe_key(key))
        .collect();
    if !unsafe_keys.is_empty() {
        bail!(
            "nothing was exported: these keys are not safe file names (each `/`-separated part must be a plain name, not `.` or `..`): {unsafe_keys:?}"
        );
    }
    Ok(documents
        .iter()
        .map(|(key, _)| dir.join(format!("{key}.json")))
        .collect())
}

fn is_safe_key(key: &str) -> bool {
    key.split('/')
        .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', '\0']))
}

/// A warning when an existing export folder can be read by others (new ones are 0700).
fn warn_if_shared(ctx: &Context, dir: &Path) {
    if let Ok(meta) = fs::metadata(dir) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            ctx.output.info(format!(
                "warning: {} is accessible to other users (mode {mode:o}); the files themselves are 0600",
                dir.display()
            ));
        }
    }
}

/// Writes every document, all or nothing (`files.rs`). A folder that does not exist is built
/// under a temporary name and renamed into place whole. Into an existing folder every file is
/// written under a temporary name first, then all are put in place in one step that
/// SIGINT/SIGTERM wait for (`replace`: existing files are replaced).
fn write_all(
    dir: &Path,
    documents: &[(String, String)],
    targets: &[PathBuf],
    replace: bool,
) -> Result<()> {
    if documents.is_empty() {
        return Ok(());
    }
    let real_dir = files::resolve_links(dir)?;
    if fs::symlink_metadata(&real_dir).is_err() {
        let staged = files::Staged::folder(&real_dir)?;
        for (key, text) in documents {
            staged.write_in_folder(Path::new(&format!("{key}.json")), text.as_bytes())?;
        }
        return staged.commit(false);
    }
    let mut staged = Vec::with_capacity(targets.len());
    for ((_, text), target) in documents.iter().zip(targets) {
        let file = files::Staged::file(&files::resolve_links(target)?, false)?;
        write_existing(file.path(), text.as_bytes())?;
        staged.push(file);
    }
    files::commit_all(staged, replace)
}

fn write_existing(path: &Path, bytes: &[u8]) -> Result<()> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}
