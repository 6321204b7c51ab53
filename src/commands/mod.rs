//! One file per command. Each computes a plain serializable report and hands it to the
//! output layer; the returned number is the exit code.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::{self, Resolved, Settings};
use crate::db::{Access, Conn, Database};
use crate::error::UsageError;
use crate::fernet::ConfigKeys;
use crate::output::{Format, Output};
use crate::schema::migrations;
use crate::store::TenantId;

pub mod backup;
pub mod completions;
pub mod configs;
pub mod copy;
pub mod copy_layout;
pub mod database;
pub mod erase;
pub mod guard;
pub mod health;
pub mod import_configs;
pub mod init_tenant;
pub mod migrate;
pub mod prune;
pub mod rollback;
pub mod stats;
pub mod status;
pub mod tenants;
pub mod wait;

/// What every command gets: the environment (with `.env` applied), the chosen database,
/// connection settings and the output.
pub struct Context {
    pub env: HashMap<String, String>,
    pub resolved: Resolved,
    pub settings: Settings,
    pub output: Output,
    /// `--config-keys-file`: the Fernet keys for config values (else `AGENTDB_CONFIG_KEYS`).
    pub config_keys_file: Option<PathBuf>,
}

impl Context {
    pub fn open(&self, access: Access) -> Result<Database> {
        self.output.debug(format!(
            "database: {} ({}, from {})",
            self.resolved.target.redacted(),
            self.resolved.target.backend_name(),
            self.resolved.source.describe()
        ));
        for param in &self.resolved.dropped_params {
            self.output.debug(format!(
                "dropped URL parameter `{param}`: it is for the Python driver, not libpq"
            ));
        }
        self.output.debug(format!(
            "pool: 1 connection (POOL_SIZE + MAX_OVERFLOW allow {}), timeout {:?}",
            self.settings.pool_max(),
            self.settings.pool_timeout
        ));
        Database::open(&self.resolved, &self.settings, access)
    }

    /// The Fernet keys for config values, if configured (see `fernet.rs`).
    pub fn config_keys(&self) -> Result<Option<ConfigKeys>> {
        let keys = ConfigKeys::load(self.config_keys_file.as_deref(), &self.env)?;
        if let Some(k) = &keys {
            self.output
                .debug(format!("config keys: {} from {}", k.len(), k.source));
            if let Some(mode) = k.shared_mode {
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| {
                    self.output.info(format!(
                        "warning: {} is accessible to other users (mode {mode:o}): whoever reads it can decrypt every config; chmod 600 it (Kubernetes: defaultMode: 0400)",
                        k.source
                    ))
                });
            }
        }
        Ok(keys)
    }

    /// Opens the database, connects, and refuses (exit 1, saying to run `agentdb migrate`) one
    /// whose schema is not up to date: how every command working on agentdb's tables starts.
    /// The `Database` knows its display name (password redacted) for reports and errors.
    pub fn open_migrated(&self, access: Access) -> Result<(Database, Conn)> {
        let db = self.open(access)?;
        let mut conn = db.connect()?;
        migrations::require_migrated(&mut conn, &db.display)?;
        Ok((db, conn))
    }

    /// The tenant a command works on: the flag, else `DEFAULT_TENANT_ID`, else `default`
    /// (`TenantId::resolve`); refused (exit 2) unless it is a valid id.
    pub fn tenant(&self, flag: Option<&str>) -> Result<TenantId> {
        Ok(TenantId::resolve(
            flag,
            self.env_value("DEFAULT_TENANT_ID"),
        )?)
    }

    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Resolves configuration and runs the command; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    if let Command::Completions(args) = &cli.command {
        return completions::run(args);
    }
    let env = config::load_environment(cli.env_file.as_deref())?;
    let format = match cli.format {
        Some(f) => f,
        None => match env.get("AGENTDB_FORMAT").filter(|v| !v.trim().is_empty()) {
            Some(v) => Format::parse(v).ok_or_else(|| {
                UsageError::new(format!("AGENTDB_FORMAT=`{v}` is not `table` or `json`"))
            })?,
            None => Format::Table,
        },
    };
    let output = Output {
        format,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let resolved = match &cli.command {
        // copy names both its databases: `-d`/`DATABASE_URL` play no part, so an unrelated one
        // can neither fail it nor be waited for. Its context holds `--to`, the one it writes.
        Command::Copy(args) => copy::resolve_url("--to", &args.to)?,
        _ => config::resolve(cli.database_url.as_deref(), &env)?,
    };
    let settings = Settings::from_env(&env)?;
    let ctx = Context {
        env,
        resolved,
        settings,
        output,
        config_keys_file: cli.config_keys_file.clone(),
    };
    dispatch(&ctx, &cli).map_err(|e| crate::db::explain_failure(e, &written_database(&ctx)))
}

/// The database a command writes to, to explain its write failures: the context's, which for
/// `copy` is `--to`.
fn written_database(ctx: &Context) -> crate::config::Target {
    ctx.resolved.target.clone()
}

fn dispatch(ctx: &Context, cli: &Cli) -> Result<u8> {
    if let Command::Copy(args) = &cli.command {
        // `--from` is parsed once, here, for `--wait` and the copy (`--to` is the context's).
        let from = copy::resolve_url("--from", &args.from)?;
        if let Some(secs) = cli.wait {
            copy::wait_for_ends(ctx, secs, &from)?;
        }
        return copy::run(ctx, args, from);
    }
    if let Some(secs) = cli.wait {
        wait::wait_for(ctx, "--wait", secs, wait::goal_for(&cli.command))?;
    }
    match &cli.command {
        Command::Wait(args) => wait::run(ctx, args),
        Command::Database(args) => database::run(ctx, args),
        Command::Migrate(args) => migrate::run(ctx, args),
        Command::Rollback(args) => rollback::run(ctx, args),
        Command::Status(args) => status::run(ctx, args),
        Command::InitTenant(args) => init_tenant::run(ctx, args),
        Command::ImportConfigs(args) => import_configs::run(ctx, args),
        Command::Stats(args) => stats::run(ctx, args),
        Command::Health(args) => health::run(ctx, args),
        Command::Tenants(args) => tenants::run(ctx, args),
        Command::Configs(args) => configs::run(ctx, args),
        Command::Prune(args) => prune::run(ctx, args),
        Command::Erase(args) => erase::run(ctx, args),
        Command::Copy(_) => unreachable!("copy is dispatched above, with its parsed --from"),
        Command::Backup(args) => backup::run(ctx, args),
        Command::Completions(args) => completions::run(args),
    }
}

/// The table of migrations a `migrate` or `rollback` ran; `heading` has a `{}` for the count.
pub fn render_steps(
    out: &mut crate::output::Text,
    heading: &str,
    steps: &[crate::schema::migrations::Step],
    dry_run: bool,
) {
    out.line(heading.replacen("{}", &steps.len().to_string(), 1));
    out.table(
        &["version", "name", "ms"],
        steps.iter().map(|s| {
            let ms = if dry_run {
                "-".to_string()
            } else {
                format!("{:.1}", s.duration_ms)
            };
            vec![s.id.version.clone(), s.id.name.clone(), ms]
        }),
    );
}

/// How long `backup` waits for a migrate on its own new file (nobody else knows that file).
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// A number of seconds from a flag, as a duration (see `config::duration_from_secs`).
pub fn seconds(flag: &str, secs: f64) -> Result<Duration> {
    Ok(config::duration_from_secs(flag, secs)?)
}

/// An explicit tenant id (copy's `--tenant`), checked as every id is: `TenantId::parse`.
pub fn validate_tenant_id(id: &str) -> Result<(), UsageError> {
    TenantId::parse(id).map(drop)
}
