//! The command-line interface: flags, commands and their help (each with an example).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

const AFTER_HELP: &str = "\
Database: --database-url, else DATABASE_URL, else POSTGRES_URI, else DATABASE_HOST/PORT/NAME/USER
with DATABASE_PASSWORD, else DATABASE_PATH, else ./agentdb.db (SQLite). A .env file in the working
directory is read first; variables already set win.

Exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 check not satisfied.

Example:
  agentdb migrate && agentdb init-tenant && agentdb import-configs ./config && agentdb stats";

#[derive(Debug, Parser)]
#[command(
    name = "agentdb",
    version,
    about = "Database admin for AI-agent platforms (SQLite and PostgreSQL)",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***
    #[arg(short = 'd', long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Read environment variables from this file instead of ./.env
    #[arg(long, global = true, value_name = "PATH")]
    pub env_file: Option<PathBuf>,

    /// Output format on stdout [env: AGENTDB_FORMAT] [default: table]
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Print nothing on stderr but errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Print more on stderr (the database chosen and why, timings)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Before the command, wait up to SECS for the database to answer (see `agentdb wait`)
    #[arg(long, global = true, value_name = "SECS")]
    pub wait: Option<f64>,

    /// Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt);
    /// wins over AGENTDB_CONFIG_KEYS
    #[arg(long, global = true, value_name = "PATH")]
    pub config_keys_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations in one transaction, under a lock safe for many pods
    #[command(
        after_help = "Example:\n  agentdb migrate --lock-timeout 120\n  agentdb -d postgres://app@db/agents migrate --dry-run\n  agentdb migrate --dry-run --sql > migrate.sql   # review, or apply with psql / sqlite3\n  agentdb --wait 120 migrate --create             # Kubernetes Job / init container"
    )]
    Migrate(MigrateArgs),

    /// Revert the last applied migrations (refused in production without --yes)
    #[command(after_help = "Example:\n  agentdb rollback --steps 2 --yes")]
    Rollback(RollbackArgs),

    /// List every migration: applied (with time), pending, or unknown to this binary
    #[command(
        after_help = "Example:\n  agentdb status --check || exit 1   # CI gate: exit 3 while migrations are pending\n  agentdb status --verify            # exit 3 when the live schema drifted from the migrations"
    )]
    Status(StatusArgs),

    /// Create the tenant and its default thread (idempotent)
    #[command(
        after_help = "Example:\n  agentdb init-tenant --tenant-id acme --name 'Acme Inc' --generate-api-key"
    )]
    InitTenant(InitTenantArgs),

    /// Import JSON files (tokens, credentials) into a tenant's configs, all or nothing
    #[command(
        after_help = "Example:\n  agentdb import-configs --tenant acme --recursive ./config"
    )]
    ImportConfigs(ImportConfigsArgs),

    /// Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data
    #[command(after_help = "Example:\n  agentdb stats --by-tenant --format json")]
    Stats(StatsArgs),

    /// Check connectivity, schema state and backend health (readiness probe)
    #[command(
        after_help = "Example:\n  agentdb health --timeout 3 --require-migrated --format json | jq .status"
    )]
    Health(HealthArgs),

    /// Wait until the database answers a query (init containers, CI); exit 1 on timeout
    #[command(
        after_help = "Retries connection refused, host not found, \"starting up\" and a missing database,\nwith capped exponential backoff; an authentication error fails at once. SQLite: waits for\nthe file's folder to exist.\n\nExample:\n  agentdb wait --timeout 120 && agentdb migrate\n  agentdb --wait 120 migrate --create   # the same in one step"
    )]
    Wait(WaitArgs),

    /// Create, drop or reset (drop, create, migrate) the database itself
    #[command(
        after_help = "Example:\n  agentdb database create\n  agentdb database reset --yes   # refused in production and from scripts without --yes"
    )]
    Database(DatabaseArgs),

    /// List tenants (id, name, status, API key prefix, configs), or show one
    #[command(
        after_help = "Example:\n  agentdb tenants list\n  agentdb tenants show acme --format json"
    )]
    Tenants(TenantsArgs),

    /// List, read, export, delete and re-encrypt tenant configs (values are secrets)
    #[command(
        after_help = "Encryption: with AGENTDB_CONFIG_KEYS (or --config-keys-file) set to Fernet keys,\nimport-configs stores values encrypted; the first key encrypts, all decrypt.\n\nExample:\n  agentdb configs list --tenant acme\n  agentdb configs get gmail_token --tenant acme > gmail_token.json\n  AGENTDB_CONFIG_KEYS=$NEW,$OLD agentdb configs rotate-keys --encrypt-plaintext"
    )]
    Configs(ConfigsArgs),

    /// Print the shell completion script
    #[command(
        after_help = "Example:\n  agentdb completions bash > /etc/bash_completion.d/agentdb"
    )]
    Completions(CompletionsArgs),

    /// Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints,
    /// ADK sessions and events; safe beside the running platform
    #[command(after_help = PRUNE_HELP)]
    Prune(PruneArgs),

    /// Erase one user's, thread's or tenant's data (or LangGraph Store namespaces) from every
    /// store in the database, in one transaction, with a receipt
    #[command(after_help = ERASE_HELP)]
    Erase(EraseArgs),

    /// Copy a platform's data to another database (any direction between SQLite and
    /// PostgreSQL), in one transaction on the target, verified by row counts and digests
    #[command(after_help = COPY_HELP)]
    Copy(CopyArgs),

    /// Write a new SQLite file (mode 0600) with the database's data; restore with `copy`
    #[command(after_help = BACKUP_HELP)]
    Backup(BackupArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// List what would be applied; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run: print the exact SQL migrate would run (a script to review or apply)
    #[arg(long, requires = "dry_run")]
    pub sql: bool,

    /// Create the database first if it does not exist (as `agentdb database create`)
    #[arg(long, conflicts_with = "dry_run")]
    pub create: bool,

    /// Seconds to wait for another migrate to finish before giving up (exit 1)
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub lock_timeout: f64,

    /// Before applying anything, back up the database to a new SQLite file (default: a
    /// timestamped file next to the SQLite database, or in the working directory); a failed
    /// backup means no migration
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true)]
    pub backup: Option<Option<PathBuf>>,
}

/// A hint added to clap's error for a mistake clap cannot explain: `migrate --backup PATH`
/// (PATH taken as an unexpected argument, since `--backup` alone picks a name).
pub fn usage_hint(error: &clap::Error, args: &[String]) -> Option<String> {
    if error.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let at = args.iter().position(|a| a == "--backup")?;
    let word = args.get(at + 1).filter(|w| !w.starts_with('-'))?;
    args[..at].iter().any(|a| a == "migrate").then(|| {
        format!("hint: to name the backup file write --backup={word} (with `=`: --backup alone picks a name)")
    })
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Seconds to keep trying before giving up (exit 1)
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub timeout: f64,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    #[command(subcommand)]
    pub action: DatabaseAction,
}

#[derive(Debug, Subcommand)]
pub enum DatabaseAction {
    /// Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0
    #[command(after_help = "Example:\n  agentdb -d postgres://app@db/agents database create")]
    Create,

    /// Drop the database (asks on a terminal; --yes in production and from scripts)
    #[command(after_help = "Example:\n  agentdb database drop --yes --force")]
    Drop(DropArgs),

    /// Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)
    #[command(after_help = "Example:\n  agentdb -d sqlite:///./dev.db database reset --yes")]
    Reset(ResetArgs),
}

#[derive(Debug, Args)]
pub struct DropArgs {
    /// Confirm without asking (required in production and when stdin is not a terminal)
    #[arg(long)]
    pub yes: bool,

    /// PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    #[command(flatten)]
    pub drop: DropArgs,

    /// Seconds the migrate step waits for the schema lock
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub lock_timeout: f64,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// How many applied migrations to revert, newest first
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub steps: u32,

    /// Confirm a destructive command where ENV/APP_ENV=production
    #[arg(long)]
    pub yes: bool,

    /// List what would be reverted; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Seconds to wait for another migrate or rollback to finish before giving up (exit 1)
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub lock_timeout: f64,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Exit 3 when any migration is pending or unknown
    #[arg(long)]
    pub check: bool,

    /// Compare the live schema of agentdb's tables with what the applied migrations define;
    /// list every difference, exit 3 on drift
    #[arg(long)]
    pub verify: bool,
}

#[derive(Debug, Args)]
pub struct InitTenantArgs {
    /// Tenant id [env: DEFAULT_TENANT_ID] [default: default]
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,

    /// Display name [default: the tenant id]
    #[arg(long)]
    pub name: Option<String>,

    /// API key to store (only its hash is kept) [env: DEFAULT_TENANT_API_KEY]
    #[arg(long, value_name = "KEY", conflicts_with = "generate_api_key")]
    pub api_key: Option<String>,

    /// Generate a strong random API key and print it once
    #[arg(long)]
    pub generate_api_key: bool,

    /// Replace the API key of an existing tenant
    #[arg(long)]
    pub rotate_api_key: bool,

    /// Id of the tenant's default thread
    #[arg(long, value_name = "ID", default_value = "default")]
    pub thread_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnConflict {
    /// Overwrite the existing value
    Replace,
    /// Keep the existing value
    Skip,
    /// Abort the whole import
    Fail,
}

#[derive(Debug, Args)]
pub struct ImportConfigsArgs {
    /// JSON files or directories of *.json files
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Tenant to import into [env: DEFAULT_TENANT_ID] [default: default]
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// Include sub-folders of directories
    #[arg(short, long)]
    pub recursive: bool,

    /// Validate and report what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// What to do when a key already exists with other content
    #[arg(long, value_enum, default_value_t = OnConflict::Replace)]
    pub on_conflict: OnConflict,

    /// Largest accepted file, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_size: u64,

    /// Import even when the tenant holds encrypted values the configured keys cannot
    /// decrypt (the tenant is then under mixed keys; `configs rotate-keys` is the way out)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Count only this tenant's data
    #[arg(long, value_name = "ID", conflicts_with = "by_tenant")]
    pub tenant: Option<String>,

    /// One row per tenant
    #[arg(long)]
    pub by_tenant: bool,
}

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Seconds the whole check may take
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,

    /// Exit 3 when migrations are pending
    #[arg(long)]
    pub require_migrated: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct TenantsArgs {
    #[command(subcommand)]
    pub command: TenantsCommand,
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Every tenant: id, name, status, API key prefix, config count, created
    #[command(
        after_help = "Example:\n  agentdb tenants list --format json | jq -r '.tenants[].id'"
    )]
    List,

    /// One tenant in detail, with counts of its configs, agents and threads
    #[command(after_help = "Example:\n  agentdb tenants show acme")]
    Show(TenantShowArgs),
}

#[derive(Debug, Args)]
pub struct TenantShowArgs {
    /// Tenant id
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ConfigsArgs {
    #[command(subcommand)]
    pub command: ConfigsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigsCommand {
    /// A tenant's configs without their values: key, source file, size, hash, encrypted, updated
    #[command(after_help = "Example:\n  agentdb configs list --tenant acme")]
    List(ConfigsListArgs),

    /// Print one config's JSON value on stdout, decrypted (not to a terminal without --reveal)
    #[command(
        after_help = "Example:\n  agentdb configs get gmail_token --tenant acme > gmail_token.json"
    )]
    Get(ConfigsGetArgs),

    /// Write a tenant's configs to DIR/<key>.json (files 0600, new folders 0700), decrypted
    #[command(
        after_help = "Example:\n  agentdb configs export ./restored --tenant acme\n  agentdb import-configs --tenant acme -r ./restored   # every row: unchanged"
    )]
    Export(ConfigsExportArgs),

    /// Delete one config (refused without --yes where ENV/APP_ENV=production)
    #[command(
        after_help = "Example:\n  agentdb configs delete google/calendar_token --tenant acme"
    )]
    Delete(ConfigsDeleteArgs),

    /// Re-encrypt every encrypted value with the first key, one transaction per tenant
    #[command(
        after_help = "Example:\n  AGENTDB_CONFIG_KEYS=$NEW_KEY,$OLD_KEY agentdb configs rotate-keys --encrypt-plaintext"
    )]
    RotateKeys(RotateKeysArgs),
}

#[derive(Debug, Args)]
pub struct ConfigsListArgs {
    /// Tenant [env: DEFAULT_TENANT_ID] [default: default]
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConfigsGetArgs {
    /// Config key (e.g. gmail_token, google/calendar_token)
    pub key: String,

    /// Tenant [env: DEFAULT_TENANT_ID] [default: default]
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// Print the secret value even when stdout is a terminal
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Args)]
pub struct ConfigsExportArgs {
    /// Folder to write into (created 0700 if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Tenant [env: DEFAULT_TENANT_ID] [default: default]
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// Replace files that already exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ConfigsDeleteArgs {
    /// Config key
    pub key: String,

    /// Tenant [env: DEFAULT_TENANT_ID] [default: default]
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// Confirm a destructive command where ENV/APP_ENV=production
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RotateKeysArgs {
    /// Only this tenant [default: every tenant]
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// Also encrypt values stored unencrypted
    #[arg(long)]
    pub encrypt_plaintext: bool,

    /// Count what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

const PRUNE_HELP: &str = "\
AGE is a duration such as 30d, 12h, 90m or 1w2d, reaching no further back than 1970-01-01.
At least one policy is required; they combine. All cut-offs are taken once, before counting: the
run deletes at most what the prompt or --dry-run showed. A time column holding something that is
not a time refuses the whole run (exit 1, naming the row) before anything is deleted.
Each batch runs in its own short transaction (PostgreSQL REPEATABLE READ, retried when a
concurrent writer wins; SQLite BEGIN IMMEDIATE), so the platform keeps running. LangGraph threads
that use a DeltaChannel are refused (reported, exit 0). Time travel to pruned checkpoints is lost.
Without --yes, a prune that would delete rows asks on a terminal, and is refused (exit 2) when
stdin is not a terminal and ENV/APP_ENV is production.

Example:
  agentdb prune --dry-run --checkpoints-keep 5 --adk-events-keep 200
  agentdb prune --yes --threads-status deleted --runs-older-than 30d --checkpoint-threads-older-than 90d";

/// A retention age: `30d`, `12h`, `90m`, `1w2d`; bounded by 1970-01-01 (a cut-off before it is
/// a usage error, checked again against the run's own clock by `retention::Cutoff::before`).
pub fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    let age = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{e}; use e.g. 30d, 12h, 90m or 1w2d"))?;
    crate::retention::Cutoff::before(std::time::SystemTime::now(), age)?;
    Ok(age)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrunableThreadStatus {
    Deleted,
    Archived,
}

impl PrunableThreadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PrunableThreadStatus::Deleted => "deleted",
            PrunableThreadStatus::Archived => "archived",
        }
    }
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("policy")
        .required(true)
        .multiple(true)
        .args([
            "threads_older_than",
            "threads_status",
            "runs_older_than",
            "checkpoints_keep",
            "checkpoint_threads_older_than",
            "adk_sessions_older_than",
            "adk_events_keep",
            "store_expired",
        ])
))]
pub struct PruneArgs {
    /// agentdb threads whose last activity (updated or last message) is older; with their
    /// messages and runs
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub threads_older_than: Option<std::time::Duration>,

    /// agentdb threads in this status (and older than --threads-older-than, if given)
    #[arg(long, value_name = "STATUS", value_enum)]
    pub threads_status: Option<PrunableThreadStatus>,

    /// Finished agentdb runs (succeeded, failed, cancelled) older than this
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub runs_older_than: Option<std::time::Duration>,

    /// Only this tenant's threads and runs (LangGraph and ADK tables have no tenant)
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// LangGraph: keep the newest N checkpoints per (thread, namespace)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub checkpoints_keep: Option<u32>,

    /// LangGraph: delete whole threads whose newest checkpoint is older than this
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub checkpoint_threads_older_than: Option<std::time::Duration>,

    /// ADK: delete sessions (and their events) last updated before this
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub adk_sessions_older_than: Option<std::time::Duration>,

    /// ADK: keep the newest N events of each session
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub adk_events_keep: Option<u32>,

    /// LangGraph Store: delete the items whose TTL has passed (what the library's sweeper
    /// does), with their vectors
    #[arg(long)]
    pub store_expired: bool,

    /// Count what each policy would delete, per table; commit nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Delete without asking (required in production when stdin is not a terminal)
    #[arg(long)]
    pub yes: bool,

    /// SQLite: VACUUM afterwards to give the freed space back to the file system (needs
    /// exclusive access and free disk of the file's size)
    #[arg(long)]
    pub vacuum: bool,

    /// At most this many threads, sessions or rows per transaction; fewer when a transaction
    /// would take over about 50 ms
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub batch_size: u32,
}

/// The data sets `copy` and `backup` move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Include {
    /// agentdb's own tables (tenants, configs, agents, threads, messages, runs)
    Agentdb,
    /// Google ADK's session tables (schema "1")
    Adk,
    /// LangGraph's checkpoint tables
    Langgraph,
}

const COPY_HELP: &str = "\
The target is migrated first (under migrate's lock) and must hold none of the rows to copy; the
rows are written in one transaction and verified (per table: row count and a content digest);
a mismatch rolls the target back (exit 1). Stop the platform while copying.

Example:
  agentdb copy --from sqlite:///srv/agents.db --to postgres://app@db/agents
  agentdb copy --from postgres://app@db/agents --to ./acme.db --tenant acme --format json";

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to read (never written)
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// The database to write: created and migrated when needed; must not hold the rows
    #[arg(long, value_name = "URL")]
    pub to: String,

    /// Copy only this tenant's rows (repeatable); the target may hold other tenants
    #[arg(long, value_name = "ID")]
    pub tenant: Vec<String>,

    /// What to copy, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', default_value = "agentdb")]
    pub include: Vec<Include>,

    /// Seconds to wait for a migrate running on the target before giving up (exit 1)
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub lock_timeout: f64,

    /// Read another platform's own tables into agentdb's agents, threads and messages of one
    /// --tenant (created when missing); the mapping is in docs/legacy-layouts.md
    #[arg(
        long,
        value_enum,
        value_name = "LAYOUT",
        conflicts_with = "include",
        requires = "tenant"
    )]
    pub layout: Option<Layout>,

    /// With --layout: leave out messages whose thread, and conversations whose agent, is
    /// missing (and count them) instead of refusing the copy
    #[arg(long, requires = "layout")]
    pub skip_orphans: bool,

    /// With --layout: check the source and read and map every row, report what would be
    /// copied; write nothing and do not open the target
    #[arg(long, requires = "layout")]
    pub dry_run: bool,
}

/// The legacy layouts `copy --layout` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// agentkit's threads and messages (SQLite or PostgreSQL)
    Agentkit,
    /// The Google ADK integration's new_agent, new_conversations and new_messages
    AdkIntegration,
}

const BACKUP_HELP: &str = "\
A SQLite source is copied whole with VACUUM INTO (every table, whatever --include says) and
checked with PRAGMA integrity_check; a PostgreSQL source is copied table by table as `copy` does.
Restore with `agentdb copy --from PATH --to URL`.

Example:
  agentdb -d postgres://app@db/agents backup /backups/agents-$(date +%F).db";

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new SQLite file (refused if it exists)
    pub path: PathBuf,

    /// What to copy from a PostgreSQL source, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', default_value = "agentdb")]
    pub include: Vec<Include>,
}

const ERASE_HELP: &str = "\
One subject per run: --user, --thread or --tenant, with or without --store-namespace (or
namespaces alone). Everything is deleted in one transaction; --dry-run counts exactly what a
run deletes. The report (and --receipt) holds ids and counts, never content or metadata.
Stop or lease the subject's workers first; --recheck catches a late writer.

Example:
  agentdb erase --user u1 --store-namespace users.u1 --dry-run
  agentdb erase --user u1 --store-namespace users.u1 --recheck 30 --purge --receipt erase-u1.json --yes
  agentdb erase --thread 6f1c --tenant acme --yes
  agentdb erase --tenant acme --format json --yes";

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("subject")
        .required(true)
        .multiple(true)
        .args(["user", "thread", "tenant", "store_namespace"])
))]
pub struct EraseArgs {
    /// A user: ADK sessions, events, user state and memory in every app; LangGraph and agentdb
    /// threads whose metadata carries --metadata-key = ID
    #[arg(long, value_name = "ID", conflicts_with_all = ["thread", "tenant"], value_parser = non_empty)]
    pub user: Option<String>,

    /// A thread: agentdb's thread (messages, runs) and LangGraph's thread of that id (every
    /// namespace); with --tenant, agentdb's thread in that tenant
    #[arg(long, value_name = "ID", value_parser = non_empty)]
    pub thread: Option<String>,

    /// A tenant and everything agentdb holds for it, and the LangGraph threads of its threads;
    /// with --thread, only the tenant of that thread
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,

    /// LangGraph Store items in this namespace (dot-separated labels) and below, with their
    /// vectors; repeatable
    #[arg(long, value_name = "A.B.C", value_parser = crate::langgraph::store::Namespace::parse)]
    pub store_namespace: Vec<crate::langgraph::store::Namespace>,

    /// With --user: the checkpoint and thread metadata key holding the user's id (default
    /// user_id)
    #[arg(long, value_name = "KEY", value_parser = crate::db::MetadataKey::parse)]
    pub metadata_key: Option<crate::db::MetadataKey>,

    /// Only these stores, comma-separated (default: every store present)
    #[arg(long, value_enum, value_delimiter = ',')]
    pub include: Vec<crate::erasure::Part>,

    /// Count what a run would delete, per store and table; commit nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Erase without asking (required in production when stdin is not a terminal)
    #[arg(long)]
    pub yes: bool,

    /// After this many seconds, look again and erase what came back (late writers)
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(0..=3600))]
    pub recheck: Option<u32>,

    /// Make the bytes unrecoverable where the backend allows: SQLite secure_delete,
    /// WAL checkpoint and VACUUM; PostgreSQL VACUUM of the touched tables
    #[arg(long)]
    pub purge: bool,

    /// Write the report as a receipt to this new file (mode 0600, written whole)
    #[arg(long, value_name = "PATH")]
    pub receipt: Option<PathBuf>,
}

fn non_empty(text: &str) -> Result<String, String> {
    if text.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(text.to_string())
    }
}
