//! Configuration: which database to open (README, "Choosing the database"), connection settings from the
//! environment, and redaction of URLs wherever they are shown.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::error::UsageError;

/// The URL forms agentdb accepts; shown whenever a URL is refused.
pub const ACCEPTED_FORMS: &str = "accepted forms:
  postgres://USER:PASSWORD@HOST:PORT/DB   (also postgresql://, postgresql+asyncpg://, postgresql+psycopg://, postgresql+psycopg2://)
  sqlite:///relative/path.db  sqlite:////absolute/path.db  sqlite+aiosqlite:///./x.db  sqlite://path.db  sqlite:path.db  sqlite::memory:
  a bare file path such as ./data/agentdb.db or /var/lib/agentdb.sqlite3";

/// The SQLite file used when nothing is configured.
pub const DEFAULT_SQLITE_PATH: &str = "./agentdb.db";

/// Where the database comes from; reported with `-v` and in `status`/`health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    DatabaseUrl,
    PostgresUri,
    DatabaseParts,
    DatabasePath,
    Default,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::Flag => "--database-url",
            Source::DatabaseUrl => "DATABASE_URL",
            Source::PostgresUri => "POSTGRES_URI",
            Source::DatabaseParts => "DATABASE_HOST/PORT/NAME/USER/PASSWORD",
            Source::DatabasePath => "DATABASE_PATH",
            Source::Default => "default",
        }
    }
}

/// A SQLite database: a file or an in-memory database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    Memory,
    File(PathBuf),
}

/// A resolved database target, normalized so that diesel/libpq receive exactly what we mean.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// A libpq connection URI (`postgresql://…`), driver suffix removed.
    Postgres(String),
    Sqlite(SqliteLocation),
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output must not leak the password either.
        write!(f, "{}", self.redacted())
    }
}

impl Target {
    /// Whether connecting to this database creates nothing: a server's database does not
    /// appear by being connected to, a SQLite file does (so copy opens it only after every
    /// refusal).
    pub fn connecting_creates_nothing(&self) -> bool {
        matches!(self, Target::Postgres(_))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Target::Postgres(_) => "postgres",
            Target::Sqlite(_) => "sqlite",
        }
    }

    /// The target as it may be shown to people: password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            Target::Postgres(url) => redact_url(url),
            Target::Sqlite(SqliteLocation::Memory) => "sqlite::memory:".to_string(),
            Target::Sqlite(SqliteLocation::File(path)) => path.display().to_string(),
        }
    }

    /// The PostgreSQL database name libpq will use: `dbname=` in the query, else the path,
    /// else the user name.
    pub fn postgres_database(&self) -> Option<String> {
        let Target::Postgres(url) = self else {
            return None;
        };
        if let Ok(options) = libpq_conninfo(url) {
            if let Some(name) = options
                .iter()
                .find(|(k, _)| k == "dbname")
                .or_else(|| options.iter().find(|(k, _)| k == "user"))
            {
                return Some(name.1.clone());
            }
        }
        let parsed = url::Url::parse(url).ok()?;
        let name = parsed.path().trim_start_matches('/');
        let name = if name.is_empty() {
            parsed.username().to_string()
        } else {
            name.to_string()
        };
        Some(
            percent_encoding::percent_decode_str(&name)
                .decode_utf8_lossy()
                .into_owned(),
        )
    }
}

/// Replaces the password of a URL with `***`. Anything that does not parse as a URL is returned
/// with everything between `://` and `@` masked, so a malformed URL cannot leak either.
pub fn redact_url(url: &str) -> String {
    if let Ok(mut parsed) = url::Url::parse(url) {
        if parsed.password().is_some() && parsed.set_password(Some("***")).is_ok() {
            return parsed.to_string();
        }
        if parsed.password().is_none() {
            return redact_query_password(url);
        }
    }
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start + 3 => {
            let userinfo = &url[start + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{}{}:***{}", &url[..start + 3], user, &url[at..])
            } else {
                url.to_string()
            }
        }
        _ => redact_query_password(url),
    }
}

/// libpq also takes `?password=…` in the query string.
fn redact_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    let (head, query) = url.split_at(q + 1);
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

/// Parses one of the accepted URL forms. Never guesses another backend.
pub fn parse_database_url(raw: &str) -> Result<Target, UsageError> {
    parse_database_url_full(raw).map(|parsed| parsed.target)
}

/// A parsed database URL and the driver-only parameters removed from it (named with `-v`).
#[derive(Debug, Clone)]
pub struct ParsedUrl {
    pub target: Target,
    pub dropped_params: Vec<String>,
}

/// `parse_database_url`, also saying which driver-only parameters were dropped.
pub fn parse_database_url_full(raw: &str) -> Result<ParsedUrl, UsageError> {
    let url = raw.trim();
    if url.is_empty() {
        return Err(UsageError::new(format!(
            "the database URL is empty\n{ACCEPTED_FORMS}"
        )));
    }
    let plain = |target| ParsedUrl {
        target,
        dropped_params: Vec::new(),
    };
    let Some((scheme, rest)) = url.split_once(':') else {
        return Ok(plain(Target::Sqlite(SqliteLocation::File(PathBuf::from(
            url,
        )))));
    };
    let scheme_lc = scheme.to_ascii_lowercase();
    let (base, driver) = match scheme_lc.split_once('+') {
        Some((b, d)) => (b, Some(d)),
        None => (scheme_lc.as_str(), None),
    };
    match base {
        "postgres" | "postgresql" if rest.starts_with("//") && driver_ok(driver) => {
            normalize_postgres(rest)
        }
        "sqlite" if driver_ok(driver) => parse_sqlite(rest).map(|l| plain(Target::Sqlite(l))),
        _ if looks_like_path(url, scheme) => Ok(plain(Target::Sqlite(SqliteLocation::File(
            PathBuf::from(url),
        )))),
        _ => Err(UsageError::new(format!(
            "unaccepted database URL `{}`: scheme `{scheme}` is not PostgreSQL or SQLite\n{ACCEPTED_FORMS}",
            redact_url(url)
        ))),
    }
}

fn driver_ok(driver: Option<&str>) -> bool {
    driver.is_none_or(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// A Windows-style drive letter is the only ':' a bare path may carry before a separator.
fn looks_like_path(url: &str, scheme: &str) -> bool {
    !url.contains("://") && (scheme.contains('/') || scheme.contains('.'))
}

/// Query parameters that belong to the platform's Python driver or to SQLAlchemy, not to
/// libpq: dropped (and named with `-v`) instead of failing the connection. Listed in the README.
pub const DRIVER_ONLY_PARAMS: &[&str] = &[
    // asyncpg (`connect()` arguments SQLAlchemy passes through from the URL)
    "prepared_statement_cache_size",
    "statement_cache_size",
    "command_timeout",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "server_settings",
    "timeout",
    "direct_tls",
    // psycopg 3
    "prepare_threshold",
    "autocommit",
    // SQLAlchemy itself
    "async_fallback",
    "plugin",
];

/// asyncpg's `ssl=` values and the libpq `sslmode` each means. `true` is Python's default
/// SSL context, which verifies the certificate and the host name against the system's CAs.
fn sslmode_for_asyncpg_ssl(value: &str) -> Option<&'static str> {
    Some(match value.to_ascii_lowercase().as_str() {
        "disable" | "false" => "disable",
        "allow" => "allow",
        "prefer" => "prefer",
        "require" => "require",
        "verify-ca" => "verify-ca",
        "verify-full" | "true" => "verify-full",
        _ => return None,
    })
}

/// `//user:pw@host/db?query` → `postgresql://user:pw@host/db?query` with only parameters libpq
/// knows: asyncpg's `ssl=` becomes `sslmode=`, driver-only parameters are dropped, anything else
/// is refused (a typo such as `sslmod=require` must not silently turn TLS off).
fn normalize_postgres(rest: &str) -> Result<ParsedUrl, UsageError> {
    let (base, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let mut kept: Vec<String> = Vec::new();
    let mut dropped_params = Vec::new();
    let mut ssl: Option<String> = None;
    let mut has_sslmode = false;
    let mut has_sslrootcert = false;
    let libpq = LIBPQ_KEYWORDS.get_or_init(libpq_keywords);
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        // Values stay as written (still percent-encoded): libpq decodes them itself.
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(raw_key);
        match key.as_str() {
            "ssl" => ssl = Some(percent_decode(raw_value)),
            _ if DRIVER_ONLY_PARAMS.contains(&key.as_str()) => dropped_params.push(key),
            _ if libpq.is_empty() || libpq.contains(&key) => {
                has_sslmode |= key == "sslmode";
                has_sslrootcert |= key == "sslrootcert";
                kept.push(pair.to_string());
            }
            _ => {
                return Err(UsageError::new(format!(
                    "unknown parameter `{key}` in the PostgreSQL URL: it is neither a libpq connection parameter nor a known driver-only one ({}); check its spelling (e.g. `sslmode`)",
                    DRIVER_ONLY_PARAMS.join(", ")
                )))
            }
        }
    }
    if let Some(value) = ssl {
        if has_sslmode {
            return Err(UsageError::new(
                "the PostgreSQL URL has both `ssl` (asyncpg) and `sslmode` (libpq): keep one",
            ));
        }
        let mode = sslmode_for_asyncpg_ssl(&value).ok_or_else(|| {
            UsageError::new(format!(
                "`ssl={value}` in the PostgreSQL URL is not one of disable, allow, prefer, require, verify-ca, verify-full, true, false"
            ))
        })?;
        kept.push(format!("sslmode={mode}"));
        if mode == "verify-full" && value.eq_ignore_ascii_case("true") && !has_sslrootcert {
            // Python's default context trusts the system's CAs; libpq's default is ~/.postgresql.
            kept.push("sslrootcert=system".to_string());
        }
    }
    let mut url = format!("postgresql:{base}");
    if !kept.is_empty() {
        url.push('?');
        url.push_str(&kept.join("&"));
    }
    check_with_libpq(&url)?;
    Ok(ParsedUrl {
        target: Target::Postgres(url),
        dropped_params,
    })
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// PostgreSQL keeps names of at most NAMEDATALEN - 1 bytes and silently truncates longer ones.
pub const MAX_POSTGRES_NAME_BYTES: usize = 63;

/// Checks the whole URL the way libpq will read it, before anything is created: a URL libpq
/// refuses (`name with space`, a bad percent escape, a bad port) or a database name PostgreSQL
/// would truncate is a usage error now, not an orphan database later.
fn check_with_libpq(url: &str) -> Result<(), UsageError> {
    let options = libpq_conninfo(url).map_err(|message| {
        let message = scrub_password(url, message.trim());
        UsageError::new(format!(
            "libpq cannot use the PostgreSQL URL `{}`: {message}\nhint: percent-encode spaces and special characters in names and passwords (a space is %20)",
            redact_url(url)
        ))
    })?;
    // libpq checks ports only when it connects, after a database may have been created.
    if let Some((_, ports)) = options.iter().find(|(k, _)| k == "port") {
        if let Some(bad) = ports
            .split(',')
            .find(|p| !p.is_empty() && !p.parse::<u16>().is_ok_and(|n| n > 0))
        {
            return Err(UsageError::new(format!(
                "libpq cannot use the PostgreSQL URL `{}`: invalid port number \"{bad}\" (1 to 65535)",
                redact_url(url)
            )));
        }
    }
    let dbname = options.iter().find(|(k, _)| k == "dbname");
    if let Some((_, name)) = dbname {
        if name.len() > MAX_POSTGRES_NAME_BYTES {
            return Err(UsageError::new(format!(
                "the database name \"{name}\" is {} bytes long; PostgreSQL keeps only the first {MAX_POSTGRES_NAME_BYTES} bytes of a name and would use another database: choose a name of at most {MAX_POSTGRES_NAME_BYTES} bytes",
                name.len()
            )));
        }
    }
    Ok(())
}

/// The password as written in the URL (between `user:` and `@`), removed from a message.
fn scrub_password(url: &str, message: &str) -> String {
    let Some(rest) = url.split_once("://").map(|(_, r)| r) else {
        return message.to_string();
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return message.to_string();
    };
    match userinfo.split_once(':') {
        Some((_, password)) if !password.is_empty() => message.replace(password, "***"),
        _ => message.to_string(),
    }
}

/// The connection options libpq reads from `url` (`PQconninfoParse`), only those set; the
/// error is libpq's own message.
pub fn libpq_conninfo(url: &str) -> Result<Vec<(String, String)>, String> {
    let c_url =
        std::ffi::CString::new(url).map_err(|_| "the URL contains a NUL character".to_string())?;
    let mut options = Vec::new();
    // SAFETY: PQconninfoParse returns NULL (with an error message to free with PQfreemem, or
    // none when out of memory) or an array terminated by an entry with a NULL keyword, freed
    // with PQconninfoFree, as libpq documents.
    unsafe {
        let mut error: *mut std::os::raw::c_char = std::ptr::null_mut();
        let parsed = pq_sys::PQconninfoParse(c_url.as_ptr(), &mut error);
        if parsed.is_null() {
            if error.is_null() {
                return Err("out of memory".to_string());
            }
            let message = std::ffi::CStr::from_ptr(error)
                .to_string_lossy()
                .into_owned();
            pq_sys::PQfreemem(error.cast());
            return Err(message);
        }
        let mut option = parsed;
        while !(*option).keyword.is_null() {
            if !(*option).val.is_null() {
                options.push((
                    std::ffi::CStr::from_ptr((*option).keyword)
                        .to_string_lossy()
                        .into_owned(),
                    std::ffi::CStr::from_ptr((*option).val)
                        .to_string_lossy()
                        .into_owned(),
                ));
            }
            option = option.add(1);
        }
        pq_sys::PQconninfoFree(parsed);
    }
    Ok(options)
}

static LIBPQ_KEYWORDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Every connection parameter the linked libpq knows, from libpq itself (`PQconndefaults`), so
/// the list never goes stale. Empty only if libpq could not build it (out of memory, a broken
/// service file): then every parameter is passed on and libpq itself judges them.
fn libpq_keywords() -> Vec<String> {
    let mut keywords = Vec::new();
    // SAFETY: PQconndefaults returns an array terminated by an entry with a NULL keyword (or
    // NULL on failure); it is read once and freed with PQconninfoFree, as libpq documents.
    unsafe {
        let options = pq_sys::PQconndefaults();
        if options.is_null() {
            return keywords;
        }
        let mut option = options;
        while !(*option).keyword.is_null() {
            keywords.push(
                std::ffi::CStr::from_ptr((*option).keyword)
                    .to_string_lossy()
                    .into_owned(),
            );
            option = option.add(1);
        }
        pq_sys::PQconninfoFree(options);
    }
    keywords
}

/// SQLAlchemy's rules: `sqlite:///rel.db` (three slashes: relative), `sqlite:////abs.db`
/// (four: absolute); also `sqlite://path.db`, `sqlite:path.db`, `sqlite::memory:`, and
/// `sqlite://` alone for an in-memory database.
fn parse_sqlite(rest: &str) -> Result<SqliteLocation, UsageError> {
    let path = rest
        .strip_prefix("///")
        .or_else(|| rest.strip_prefix("//"))
        .unwrap_or(rest);
    // Query parameters (e.g. `?mode=rwc` in SQLAlchemy URLs) are not part of the file name.
    let path = path.split('?').next().unwrap_or("");
    match path {
        ":memory:" => Ok(SqliteLocation::Memory),
        "" if rest == "//" => Ok(SqliteLocation::Memory),
        "" => Err(UsageError::new(format!(
            "the SQLite URL `sqlite:{rest}` names no file\n{ACCEPTED_FORMS}"
        ))),
        p => Ok(SqliteLocation::File(PathBuf::from(p))),
    }
}

/// The resolved database and where it came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub source: Source,
    /// Driver-only URL parameters that were dropped (named with `-v`).
    pub dropped_params: Vec<String>,
}

impl Resolved {
    /// A database named by a command's own flag (`copy --from`/`--to`), parsed once: errors
    /// name the flag.
    pub fn from_flag(flag: &str, url: &str) -> Result<Resolved, UsageError> {
        let parsed =
            parse_database_url_full(url).map_err(|e| UsageError::new(format!("{flag}: {e}")))?;
        Ok(Resolved {
            target: parsed.target,
            source: Source::Flag,
            dropped_params: parsed.dropped_params,
        })
    }

    /// A database agentdb names itself (a staged file, a backup file): nothing was dropped.
    pub fn internal(target: Target) -> Resolved {
        Resolved {
            target,
            source: Source::Flag,
            dropped_params: Vec::new(),
        }
    }
}

/// Resolves the database once, first match wins.
pub fn resolve(flag: Option<&str>, env: &HashMap<String, String>) -> Result<Resolved, UsageError> {
    let get = |k: &str| env.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let plain = |target| ParsedUrl {
        target,
        dropped_params: Vec::new(),
    };
    let (parsed, source) = if let Some(url) = flag {
        (parse_database_url_full(url)?, Source::Flag)
    } else if let Some(url) = get("DATABASE_URL") {
        (parse_database_url_full(url)?, Source::DatabaseUrl)
    } else if let Some(uri) = get("POSTGRES_URI") {
        let parsed = parse_database_url_full(uri)?;
        if !matches!(parsed.target, Target::Postgres(_)) {
            return Err(UsageError::new(format!(
                "POSTGRES_URI must be a PostgreSQL URL, got `{}`\n{ACCEPTED_FORMS}",
                redact_url(uri)
            )));
        }
        (parsed, Source::PostgresUri)
    } else if let Some(password) = env.get("DATABASE_PASSWORD") {
        (
            plain(postgres_from_parts(env, password)?),
            Source::DatabaseParts,
        )
    } else if let Some(path) = get("DATABASE_PATH") {
        (
            plain(Target::Sqlite(SqliteLocation::File(PathBuf::from(path)))),
            Source::DatabasePath,
        )
    } else {
        (
            plain(Target::Sqlite(SqliteLocation::File(PathBuf::from(
                DEFAULT_SQLITE_PATH,
            )))),
            Source::Default,
        )
    };
    Ok(Resolved {
        target: parsed.target,
        source,
        dropped_params: parsed.dropped_params,
    })
}

fn postgres_from_parts(
    env: &HashMap<String, String>,
    password: &str,
) -> Result<Target, UsageError> {
    let get = |k: &str, default: &str| {
        env.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let name = get("DATABASE_NAME", "");
    if name.is_empty() {
        return Err(UsageError::new(
            "DATABASE_PASSWORD is set but DATABASE_NAME is not: set DATABASE_NAME (and DATABASE_USER, DATABASE_HOST, DATABASE_PORT as needed)",
        ));
    }
    let port = get("DATABASE_PORT", "5432");
    if !port.parse::<u16>().is_ok_and(|p| p > 0) {
        return Err(UsageError::new(format!(
            "DATABASE_PORT `{port}` is not a port number (1 to 65535)"
        )));
    }
    let mut url = url::Url::parse("postgresql://localhost/").expect("static URL parses");
    url.set_host(Some(&get("DATABASE_HOST", "localhost")))
        .map_err(|e| UsageError::new(format!("DATABASE_HOST is not a valid host name: {e}")))?;
    let _ = url.set_port(port.parse().ok());
    let _ = url.set_username(&get("DATABASE_USER", "postgres"));
    if !password.is_empty() {
        let _ = url.set_password(Some(password));
    }
    url.set_path(&name);
    check_with_libpq(url.as_str())?;
    Ok(Target::Postgres(url.to_string()))
}

/// Connection settings, from the environment; flags may override some.
#[derive(Debug, Clone)]
pub struct Settings {
    pub pool_size: u32,
    pub max_overflow: u32,
    pub pool_timeout: Duration,
    pub pool_recycle: Option<Duration>,
    pub sql_echo: bool,
    pub busy_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // A CLI command uses one connection at a time; keep the pool small.
            pool_size: 1,
            max_overflow: 1,
            pool_timeout: Duration::from_secs(10),
            pool_recycle: None,
            sql_echo: false,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl Settings {
    pub fn from_env(env: &HashMap<String, String>) -> Result<Settings, UsageError> {
        let mut s = Settings::default();
        if let Some(n) = first_count(env, &["POOL_SIZE", "POSTGRES_POOL_SIZE"], 0)? {
            s.pool_size = n.max(1);
        }
        // SQLAlchemy's -1 is "no limit"; agentdb holds one connection at a time anyway.
        if let Some(n) = first_count(env, &["MAX_OVERFLOW", "POSTGRES_MAX_OVERFLOW"], -1)? {
            s.max_overflow = n;
        }
        if let Some(secs) = first_number(env, &["POOL_TIMEOUT"])? {
            // 0 is taken as the shortest wait (0.1 s); a negative wait means nothing.
            let secs = if secs == 0.0 { 0.1 } else { secs };
            s.pool_timeout = duration_from_secs("POOL_TIMEOUT", secs)?;
        }
        if let Some(secs) = first_number(env, &["POOL_RECYCLE"])? {
            // SQLAlchemy uses -1 for "never recycle".
            if secs > 0.0 {
                s.pool_recycle = Some(duration_from_secs("POOL_RECYCLE", secs)?);
            }
        }
        if let Some(ms) = first_number(env, &["SQLITE_BUSY_TIMEOUT"])? {
            s.busy_timeout = duration_from_secs("SQLITE_BUSY_TIMEOUT (milliseconds)", ms / 1000.0)?;
        }
        s.sql_echo = env.get("SQL_ECHO").is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        });
        Ok(s)
    }

    /// The pool's maximum: base size plus overflow, as SQLAlchemy counts it.
    pub fn pool_max(&self) -> u32 {
        self.pool_size.saturating_add(self.max_overflow)
    }
}

/// A whole number of connections from the first of `keys` that is set: `min` (0, or -1 for
/// "no limit", read as 0) to `u32::MAX`; anything else is refused naming the variable.
fn first_count(
    env: &HashMap<String, String>,
    keys: &[&str],
    min: i64,
) -> Result<Option<u32>, UsageError> {
    for key in keys {
        if let Some(v) = env.get(*key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            return match v.parse::<i64>() {
                Ok(n) if (min..=i64::from(u32::MAX)).contains(&n) => {
                    Ok(Some(u32::try_from(n.max(0)).expect("in range")))
                }
                _ => Err(UsageError::new(format!(
                    "{key}=`{v}` is not a whole number from {min} to {}",
                    u32::MAX
                ))),
            };
        }
    }
    Ok(None)
}

fn first_number(env: &HashMap<String, String>, keys: &[&str]) -> Result<Option<f64>, UsageError> {
    for key in keys {
        if let Some(v) = env.get(*key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            return v
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| UsageError::new(format!("{key}=`{v}` is not a number")));
        }
    }
    Ok(None)
}

/// The longest timeout agentdb accepts: PostgreSQL's `lock_timeout` and SQLite's
/// `busy_timeout` are 32-bit milliseconds (about 24.8 days).
pub const MAX_TIMEOUT_SECS: f64 = i32::MAX as f64 / 1000.0;

/// A number of seconds as a duration; refused (exit 2) when negative, not finite, or longer
/// than `MAX_TIMEOUT_SECS`, rather than panicking or being refused later by the database.
pub fn duration_from_secs(what: &str, secs: f64) -> Result<Duration, UsageError> {
    if !secs.is_finite() || !(0.0..=MAX_TIMEOUT_SECS).contains(&secs) {
        return Err(UsageError::new(format!(
            "{what} must be a number of seconds from 0 to {} (about 24 days)",
            MAX_TIMEOUT_SECS.floor()
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// True where destructive commands must be confirmed with `--yes`.
pub fn is_production(env: &HashMap<String, String>) -> bool {
    ["ENV", "APP_ENV"].iter().any(|k| {
        env.get(*k)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("production") || v.trim() == "prod")
    })
}

/// Loads `.env` (or `--env-file`) into a map; variables already in the environment win.
pub fn load_environment(env_file: Option<&Path>) -> Result<HashMap<String, String>> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let file_entries = match env_file {
        Some(path) if path.is_dir() => {
            anyhow::bail!(
                "cannot read env file {}: it is a directory, not a file",
                path.display()
            )
        }
        Some(path) => Some(
            dotenvy::from_path_iter(path)
                .with_context(|| format!("cannot read env file {}", path.display()))?,
        ),
        None => match dotenvy::from_path_iter(".env") {
            Ok(iter) => Some(iter),
            Err(e) if e.not_found() => None,
            Err(e) => return Err(e).context("cannot read .env in the working directory"),
        },
    };
    if let Some(entries) = file_entries {
        for entry in entries {
            let (k, v) = entry.context("malformed line in the env file")?;
            vars.insert(k, v);
        }
    }
    for (k, v) in std::env::vars_os() {
        if let (Ok(k), Ok(v)) = (k.into_string(), v.into_string()) {
            vars.insert(k, v);
        }
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn file(p: &str) -> Target {
        Target::Sqlite(SqliteLocation::File(PathBuf::from(p)))
    }

    #[test]
    fn postgres_forms_drop_the_driver() {
        for raw in [
            "postgres://u:p@h:5/db",
            "postgresql://u:p@h:5/db",
            "postgresql+asyncpg://u:p@h:5/db",
            "postgresql+psycopg://u:p@h:5/db",
            "postgresql+psycopg2://u:p@h:5/db",
        ] {
            assert_eq!(
                parse_database_url(raw).unwrap(),
                Target::Postgres("postgresql://u:p@h:5/db".into()),
                "{raw}"
            );
        }
    }

    #[test]
    fn postgres_query_passes_through_and_asyncpg_ssl_maps() {
        assert_eq!(
            parse_database_url("postgres://h/db?sslmode=require").unwrap(),
            Target::Postgres("postgresql://h/db?sslmode=require".into())
        );
        assert_eq!(
            parse_database_url("postgresql+asyncpg://h/db?ssl=require").unwrap(),
            Target::Postgres("postgresql://h/db?sslmode=require".into())
        );
    }

    #[test]
    fn driver_parameters_are_kept_mapped_dropped_or_refused() {
        let parse = |raw: &str| parse_database_url_full(raw);
        // libpq's own parameters pass through as written (libpq decodes them).
        let p =
            parse("postgres://h/db?application_name=my%20app&options=-c%20x%3Dy&sslmode=require")
                .unwrap();
        assert_eq!(
            p.target,
            Target::Postgres(
                "postgresql://h/db?application_name=my%20app&options=-c%20x%3Dy&sslmode=require"
                    .into()
            )
        );
        assert!(p.dropped_params.is_empty());
        // Driver-only parameters are dropped and named.
        let p = parse("postgresql+asyncpg://h/db?prepared_statement_cache_size=0&command_timeout=60&connect_timeout=3")
            .unwrap();
        assert_eq!(
            p.target,
            Target::Postgres("postgresql://h/db?connect_timeout=3".into())
        );
        assert_eq!(
            p.dropped_params,
            ["prepared_statement_cache_size", "command_timeout"]
        );
        // asyncpg's ssl= becomes sslmode=.
        for (ssl, mode) in [
            ("disable", "sslmode=disable"),
            ("false", "sslmode=disable"),
            ("allow", "sslmode=allow"),
            ("prefer", "sslmode=prefer"),
            ("require", "sslmode=require"),
            ("verify-ca", "sslmode=verify-ca"),
            ("verify-full", "sslmode=verify-full"),
            ("true", "sslmode=verify-full&sslrootcert=system"),
            ("TRUE", "sslmode=verify-full&sslrootcert=system"),
        ] {
            assert_eq!(
                parse(&format!("postgresql+asyncpg://h/db?ssl={ssl}"))
                    .unwrap()
                    .target,
                Target::Postgres(format!("postgresql://h/db?{mode}")),
                "{ssl}"
            );
        }
        assert_eq!(
            parse("postgres://h/db?ssl=true&sslrootcert=/ca.pem")
                .unwrap()
                .target,
            Target::Postgres("postgresql://h/db?sslrootcert=/ca.pem&sslmode=verify-full".into())
        );
        // Refused: both ssl and sslmode, a bad ssl value, and anything unknown (typos).
        for raw in [
            "postgres://h/db?ssl=require&sslmode=disable",
            "postgres://h/db?ssl=yes",
            "postgres://h/db?sslmod=require",
            "postgres://h/db?foo=1",
        ] {
            assert!(parse(raw).is_err(), "{raw}");
        }
        let err = parse("postgres://u:secret@h/db?sslmod=require")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sslmod") && !err.contains("secret"), "{err}");
    }

    #[test]
    fn libpq_knows_its_parameters() {
        let keywords = libpq_keywords();
        for k in [
            "sslmode",
            "sslrootcert",
            "application_name",
            "options",
            "connect_timeout",
        ] {
            assert!(keywords.iter().any(|x| x == k), "{k} in {keywords:?}");
        }
        assert!(!keywords.iter().any(|x| x == "ssl"));
    }

    #[test]
    fn sqlite_forms_follow_sqlalchemy() {
        let cases = [
            ("sqlite:///relative/path.db", file("relative/path.db")),
            ("sqlite+aiosqlite:///./x.db", file("./x.db")),
            ("sqlite:////abs/path.db", file("/abs/path.db")),
            ("sqlite://path.db", file("path.db")),
            ("sqlite:path.db", file("path.db")),
            ("./data/x.db", file("./data/x.db")),
            ("/var/lib/x.sqlite3", file("/var/lib/x.sqlite3")),
            ("x.db", file("x.db")),
            ("sqlite::memory:", Target::Sqlite(SqliteLocation::Memory)),
            ("sqlite:///:memory:", Target::Sqlite(SqliteLocation::Memory)),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_database_url(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn unaccepted_schemes_are_refused_with_the_forms() {
        for raw in [
            "mysql://u:secret@h/db",
            "postgress://u:secret@h/db",
            "redis://h",
            "sqlite+:x",
            "postgres:db",
        ] {
            let err = parse_database_url(raw).unwrap_err().to_string();
            assert!(err.contains("accepted forms"), "{raw}: {err}");
            assert!(!err.contains("secret"), "{raw} leaked the password: {err}");
        }
    }

    #[test]
    fn redaction_hides_passwords() {
        assert_eq!(
            redact_url("postgresql://u:s3cr%40t@h:5432/db"),
            "postgresql://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgresql://u@h/db"), "postgresql://u@h/db");
        assert_eq!(
            redact_url("postgresql://h/db?user=u&password=s3cret"),
            "postgresql://h/db?user=u&password=***"
        );
        assert_eq!(redact_url("weird://u:pw@"), "weird://u:***@");
        let t = parse_database_url("postgres://u:hunter2@h/db").unwrap();
        assert!(!format!("{t:?}").contains("hunter2"));
        assert!(!t.redacted().contains("hunter2"));
    }

    #[test]
    fn resolution_order_first_match_wins() {
        let all = env(&[
            ("DATABASE_URL", "postgres://a/one"),
            ("POSTGRES_URI", "postgres://b/two"),
            ("DATABASE_PASSWORD", "pw"),
            ("DATABASE_NAME", "three"),
            ("DATABASE_PATH", "/tmp/four.db"),
        ]);
        let r = resolve(Some("sqlite:flag.db"), &all).unwrap();
        assert_eq!((r.target, r.source), (file("flag.db"), Source::Flag));
        let r = resolve(None, &all).unwrap();
        assert_eq!(r.source, Source::DatabaseUrl);
        assert_eq!(r.target, Target::Postgres("postgresql://a/one".into()));

        let mut rest = all.clone();
        rest.remove("DATABASE_URL");
        let r = resolve(None, &rest).unwrap();
        assert_eq!(r.source, Source::PostgresUri);
        rest.remove("POSTGRES_URI");
        let r = resolve(None, &rest).unwrap();
        assert_eq!(r.source, Source::DatabaseParts);
        assert_eq!(
            r.target,
            Target::Postgres("postgresql://postgres:pw@localhost:5432/three".into())
        );
        rest.remove("DATABASE_PASSWORD");
        let r = resolve(None, &rest).unwrap();
        assert_eq!(
            (r.target, r.source),
            (file("/tmp/four.db"), Source::DatabasePath)
        );
        let r = resolve(None, &env(&[])).unwrap();
        assert_eq!(
            (r.target, r.source),
            (file("./agentdb.db"), Source::Default)
        );
    }

    #[test]
    fn database_parts_use_defaults_and_encode_the_password() {
        let e = env(&[
            ("DATABASE_PASSWORD", "p@ss:w/rd"),
            ("DATABASE_NAME", "agents"),
            ("DATABASE_USER", "svc"),
            ("DATABASE_HOST", "db.internal"),
            ("DATABASE_PORT", "6432"),
        ]);
        let r = resolve(None, &e).unwrap();
        assert_eq!(
            r.target,
            Target::Postgres("postgresql://svc:p%40ss%3Aw%2Frd@db.internal:6432/agents".into())
        );
        assert_eq!(
            r.target.redacted(),
            "postgresql://svc:***@db.internal:6432/agents"
        );
        let missing_name = env(&[("DATABASE_PASSWORD", "x")]);
        assert!(resolve(None, &missing_name).is_err());
        let bad_port = env(&[
            ("DATABASE_PASSWORD", "x"),
            ("DATABASE_NAME", "d"),
            ("DATABASE_PORT", "x"),
        ]);
        assert!(resolve(None, &bad_port).is_err());
    }

    #[test]
    fn postgres_uri_must_be_postgres() {
        let e = env(&[("POSTGRES_URI", "sqlite:x.db")]);
        assert!(resolve(None, &e).is_err());
    }

    #[test]
    fn database_name_is_decoded() {
        let t = parse_database_url("postgres://u:p@h/my%20db").unwrap();
        assert_eq!(t.postgres_database().as_deref(), Some("my db"));
        let t = parse_database_url("postgres://alice@h").unwrap();
        assert_eq!(t.postgres_database().as_deref(), Some("alice"));
    }

    #[test]
    fn settings_from_env() {
        let s = Settings::from_env(&env(&[
            ("POSTGRES_POOL_SIZE", "4"),
            ("MAX_OVERFLOW", "2"),
            ("POOL_TIMEOUT", "3"),
            ("POOL_RECYCLE", "-1"),
            ("SQL_ECHO", "True"),
        ]))
        .unwrap();
        assert_eq!(s.pool_max(), 6);
        assert_eq!(s.pool_timeout, Duration::from_secs(3));
        assert_eq!(s.pool_recycle, None);
        assert!(s.sql_echo);
        assert!(Settings::from_env(&env(&[("POOL_SIZE", "lots")])).is_err());
        for (k, v) in [
            ("POOL_TIMEOUT", "1e300"),
            ("POOL_RECYCLE", "1e20"),
            ("SQLITE_BUSY_TIMEOUT", "1e15"),
        ] {
            assert!(Settings::from_env(&env(&[(k, v)])).is_err(), "{k}={v}");
        }
    }

    #[test]
    fn production_guard() {
        assert!(is_production(&env(&[("ENV", "production")])));
        assert!(is_production(&env(&[("APP_ENV", "Production")])));
        assert!(!is_production(&env(&[("ENV", "staging")])));
    }
}
