//! Choosing the database as an operator configures it (contract §2), run through the binary.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

fn migrate_in(dir: &std::path::Path, url: &str) {
    let out = agentdb(dir).args(["-d", url, "migrate"]).output().unwrap();
    assert!(out.status.success(), "{url}: {}", stderr_of(&out));
}

#[test]
fn every_sqlite_url_form_opens_the_file_it_names() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let abs = d.join("abs/four.db");
    let cases = [
        ("sqlite:///rel/three.db", d.join("rel/three.db")),
        ("sqlite+aiosqlite:///./aio.db", d.join("aio.db")),
        (&format!("sqlite:///{}", abs.display()) as &str, abs.clone()),
        ("sqlite://two.db", d.join("two.db")),
        ("sqlite:colon.db", d.join("colon.db")),
        ("./data/bare.db", d.join("data/bare.db")),
        (
            &d.join("var/lib/x.sqlite3").display().to_string() as &str,
            d.join("var/lib/x.sqlite3"),
        ),
    ];
    for (url, file) in cases {
        migrate_in(d, url);
        assert!(file.exists(), "{url} should create {}", file.display());
        agentdb(d)
            .args(["-d", url, "status", "--check"])
            .assert()
            .code(0);
    }
    // Nothing was created anywhere else (e.g. a file literally named after the URL).
    assert!(!d.join("sqlite:colon.db").exists());
    assert!(!std::path::Path::new("/aio.db").exists());
}

#[test]
fn in_memory_sqlite_creates_no_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = agentdb(dir.path())
        .args(["-d", "sqlite::memory:", "--format", "json", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(json_of(&out)["up_to_date"], false);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_default_is_agentdb_db_in_the_working_directory() {
    let dir = tempfile::TempDir::new().unwrap();
    agentdb(dir.path()).arg("migrate").assert().success();
    let file = dir.path().join("agentdb.db");
    assert!(file.exists());
    // It holds hashes and tokens: owner-only.
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    agentdb(dir.path())
        .args(["status", "--check"])
        .assert()
        .code(0);
}

#[test]
fn read_only_commands_never_create_the_sqlite_file() {
    let dir = tempfile::TempDir::new().unwrap();
    for args in [&["status"][..], &["status", "--check"]] {
        let out = agentdb(dir.path())
            .args(["-d", "sqlite:///missing/x.db"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr_of(&out);
        assert!(
            err.contains("missing/x.db") && err.contains("does not exist"),
            "{err}"
        );
        assert!(err.contains("agentdb migrate"), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing may be created"
    );
}

#[test]
fn environment_sources_in_order() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    // DATABASE_PATH
    agentdb(d)
        .env("DATABASE_PATH", "by_path.db")
        .arg("migrate")
        .assert()
        .success();
    assert!(d.join("by_path.db").exists());
    // DATABASE_URL beats DATABASE_PATH.
    agentdb(d)
        .env("DATABASE_URL", "sqlite:///by_url.db")
        .env("DATABASE_PATH", "not_this.db")
        .arg("migrate")
        .assert()
        .success();
    assert!(d.join("by_url.db").exists());
    assert!(!d.join("not_this.db").exists());
    // The flag beats everything.
    agentdb(d)
        .env("DATABASE_URL", "sqlite:///not_this.db")
        .args(["-d", "by_flag.db", "migrate"])
        .assert()
        .success();
    assert!(d.join("by_flag.db").exists());
    assert!(!d.join("not_this.db").exists());
}

#[test]
fn dotenv_is_read_and_the_environment_wins() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write_file(
        d,
        ".env",
        "DATABASE_URL=sqlite:///from_dotenv.db\nAGENTDB_FORMAT=json\n",
    );
    let out = agentdb(d).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(d.join("from_dotenv.db").exists());
    json_of(&out); // AGENTDB_FORMAT from .env
    agentdb(d)
        .env("DATABASE_URL", "sqlite:///from_env.db")
        .arg("migrate")
        .assert()
        .success();
    assert!(d.join("from_env.db").exists());
    // --env-file names another file, and ./.env is then not read.
    write_file(d, "prod.env", "DATABASE_PATH=from_env_file.db\n");
    agentdb(d)
        .args(["--env-file", "prod.env", "migrate"])
        .assert()
        .success();
    assert!(d.join("from_env_file.db").exists());
    let out = agentdb(d)
        .args(["--env-file", "nope.env", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("nope.env"));
}

#[test]
fn unaccepted_urls_exit_2_with_the_accepted_forms_and_no_password() {
    let dir = tempfile::TempDir::new().unwrap();
    for url in [
        "mysql://root:Sup3rSecret@db/app",
        "postgress://u:Sup3rSecret@h/db",
        "redis://:Sup3rSecret@h",
    ] {
        let out = agentdb(dir.path())
            .args(["-d", url, "status"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = stderr_of(&out);
        assert!(err.contains("accepted forms"), "{err}");
        assert!(
            !err.contains("Sup3rSecret") && !stdout_of(&out).contains("Sup3rSecret"),
            "{err}"
        );
    }
    let out = agentdb(dir.path())
        .env("DATABASE_URL", "mysql://x/y")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no fallback to SQLite"
    );
    let out = agentdb(dir.path())
        .env("AGENTDB_FORMAT", "yaml")
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    agentdb(dir.path())
        .args(["status", "--bogus-flag"])
        .assert()
        .code(2);
}

#[test]
fn postgres_url_forms_and_database_parts() {
    let Some(db) = TestDb::postgres() else { return };
    let name = db.pg_name().unwrap().to_string();
    let base = url::Url::parse(&db.url).unwrap();
    let host = base.host_str().unwrap().to_string();
    let port = base.port().unwrap_or(5432).to_string();
    let user = if base.username().is_empty() {
        "postgres".to_string()
    } else {
        base.username().to_string()
    };
    let rest = db.url.split_once("://").unwrap().1.to_string();
    for scheme in [
        "postgres",
        "postgresql",
        "postgresql+asyncpg",
        "postgresql+psycopg",
        "postgresql+psycopg2",
    ] {
        let url = format!("{scheme}://{rest}");
        let out = agentdb(db.dir.path())
            .args(["-d", &url, "migrate"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{url}: {}", stderr_of(&out));
    }
    let with_query = format!("{}?sslmode=disable&application_name=agentdb-test", db.url);
    agentdb(db.dir.path())
        .args(["-d", &with_query, "status", "--check"])
        .assert()
        .code(0);
    // POSTGRES_URI and DATABASE_* parts (the test server trusts, so any password is accepted).
    agentdb(db.dir.path())
        .env("POSTGRES_URI", &db.url)
        .args(["status", "--check"])
        .assert()
        .code(0);
    agentdb(db.dir.path())
        .env("DATABASE_PASSWORD", "irrelevant-under-trust")
        .env("DATABASE_HOST", &host)
        .env("DATABASE_PORT", &port)
        .env("DATABASE_USER", &user)
        .env("DATABASE_NAME", &name)
        .args(["status", "--check"])
        .assert()
        .code(0);
    let out = agentdb(db.dir.path())
        .env("POSTGRES_URI", "sqlite:x.db")
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_postgres_database_is_named_with_how_to_create_it() {
    let Some(db) = TestDb::postgres() else { return };
    let missing = database_url(&db.url, "agentdb_no_such_database");
    for cmd in ["status", "migrate"] {
        let out = agentdb(db.dir.path())
            .args(["-d", &missing, cmd])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = stderr_of(&out);
        assert!(
            err.contains("\"agentdb_no_such_database\" does not exist"),
            "{err}"
        );
        assert!(err.contains("createdb agentdb_no_such_database"), "{err}");
    }
}

#[test]
fn an_unreachable_postgres_server_fails_fast_with_the_address() {
    let dir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let url = format!("postgres://agent:Hunter2pw@127.0.0.1:{port}/db");
    let started = std::time::Instant::now();
    let out = agentdb(dir.path())
        .args(["-d", &url, "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains(&port.to_string()), "{err}");
    assert!(!err.contains("Hunter2pw"), "{err}");
    assert!(err.contains("postgresql://agent:***@127.0.0.1"), "{err}");
    // Not a timing assertion on speed: only that it did not sit out the 10 s pool timeout.
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
}

#[test]
fn the_password_is_never_printed() {
    let Some(db) = TestDb::postgres() else { return };
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_password(Some("TopSecretPw9")).unwrap();
    let url = url.to_string();
    let runs: Vec<Vec<&str>> = vec![
        vec!["-v", "migrate"],
        vec!["-v", "--format", "json", "status"],
        vec!["-v", "migrate", "--dry-run"],
        vec!["-v", "rollback"],
        vec!["-v", "status", "--check"],
    ];
    for args in runs {
        let out = agentdb(db.dir.path())
            .args(["-d", &url])
            .args(&args)
            .output()
            .unwrap();
        let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
        assert!(!all.contains("TopSecretPw9"), "{args:?} leaked: {all}");
        assert!(all.contains("***"), "{args:?} shows no redacted URL: {all}");
    }
    let missing = {
        let mut u = url::Url::parse(&url).unwrap();
        u.set_path("agentdb_missing_db");
        u.to_string()
    };
    let out = agentdb(db.dir.path())
        .args(["-d", &missing, "-v", "status"])
        .output()
        .unwrap();
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(!all.contains("TopSecretPw9"), "{all}");
}

/// Seed `.env` lines of the platforms agentdb serves (LangGraph's POSTGRES_URI, SQLAlchemy
/// asyncpg/psycopg apps, PgBouncer advice, DATABASE_* parts, ADK's aiosqlite URL): each works
/// as written, driver parameters included.
#[test]
fn every_platforms_env_seed_works_as_written() {
    let Some(db) = TestDb::postgres() else { return };
    let base = url::Url::parse(&db.url).unwrap();
    let hostport = format!(
        "{}:{}",
        base.host_str().unwrap(),
        base.port().unwrap_or(5432)
    );
    let name = db.pg_name().unwrap();
    let seeds = [
        format!("POSTGRES_URI=postgres://postgres:postgres@{hostport}/{name}?sslmode=disable"),
        format!("DATABASE_URL=postgresql+asyncpg://postgres:pw@{hostport}/{name}?prepared_statement_cache_size=0"),
        format!("DATABASE_URL=postgresql+asyncpg://postgres:pw@{hostport}/{name}?ssl=require&command_timeout=60&statement_cache_size=0"),
        format!("DATABASE_URL=postgresql+psycopg://postgres:pw@{hostport}/{name}?sslmode=prefer&connect_timeout=10&prepare_threshold=0"),
        format!("DATABASE_URL=postgresql+psycopg2://postgres:pw@{hostport}/{name}?application_name=agents"),
        format!(
            "DATABASE_HOST={}\nDATABASE_PORT={}\nDATABASE_NAME={name}\nDATABASE_USER=postgres\nDATABASE_PASSWORD=pw",
            base.host_str().unwrap(),
            base.port().unwrap_or(5432)
        ),
        "DATABASE_URL=sqlite+aiosqlite:///./sessions.db".to_string(),
        "DATABASE_PATH=./data/agents.db".to_string(),
    ];
    for seed in &seeds {
        let dir = tempfile::TempDir::new().unwrap();
        write_file(dir.path(), ".env", format!("{seed}\n"));
        let out = agentdb(dir.path()).arg("migrate").output().unwrap();
        assert!(out.status.success(), "{seed}: {}", stderr_of(&out));
        let out = agentdb(dir.path())
            .args(["status", "--check"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{seed}: {}", stderr_of(&out));
    }
    assert!(db.applied_versions().len() >= 4);
}

#[test]
fn driver_only_parameters_are_dropped_and_named_with_verbose() {
    let Some(db) = TestDb::postgres() else { return };
    let url = format!(
        "{}?prepared_statement_cache_size=0&command_timeout=60&server_settings=x",
        db.url
    );
    let out = agentdb(db.dir.path())
        .args(["-d", &url, "-v", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    for p in [
        "prepared_statement_cache_size",
        "command_timeout",
        "server_settings",
    ] {
        assert!(
            err.contains(&format!("dropped URL parameter `{p}`")),
            "{err}"
        );
    }
    // Without -v nothing is said about them.
    let out = agentdb(db.dir.path())
        .args(["-d", &url, "status"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!stderr_of(&out).contains("dropped"));
}

#[test]
fn unknown_or_conflicting_url_parameters_are_usage_errors() {
    let Some(db) = TestDb::postgres() else { return };
    let with_password = db.url.replacen("postgres@", "postgres:S3cretPw@", 1);
    for (query, says) in [
        ("sslmod=require", "`sslmod`"),
        (
            "prepared_statment_cache_size=0",
            "`prepared_statment_cache_size`",
        ),
        ("ssl=require&sslmode=disable", "both `ssl`"),
        ("ssl=maybe", "`ssl=maybe`"),
    ] {
        let url = format!("{with_password}?{query}");
        let out = agentdb(db.dir.path())
            .args(["-d", &url, "migrate"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{query}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(err.contains(says), "{query}: {err}");
        assert!(!err.contains("S3cretPw"), "{err}");
    }
    // Nothing was written.
    assert!(db.applied_versions().is_empty());
}

/// Whether the server sees TLS on the connection of an agentdb `migrate` that waits on the
/// schema lock (held here), identified by its application_name.
fn server_sees_tls(db: &TestDb, query: &str) -> bool {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let app = format!("agentdb_tls_{}", std::process::id());
    let mut holder = PgConnection::establish(&db.url).unwrap();
    holder.batch_execute("BEGIN").unwrap();
    holder
        .batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({})",
            agentdb::db::ADVISORY_LOCK_KEY
        ))
        .unwrap();
    let url = format!("{}?{query}&application_name={app}", db.url);
    let child = std_agentdb(db.dir.path())
        .args(["-d", &url, "migrate", "--lock-timeout", "30"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut observer = PgConnection::establish(&db.url).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let ssl = loop {
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = '{app}'"
        ))
        .load(&mut observer)
        .unwrap();
        if let Some(row) = rows.first() {
            break row.ssl;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "agentdb never connected"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    holder.batch_execute("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{query}: {}", stderr_of(&out));
    ssl
}

#[test]
fn asyncpg_ssl_becomes_libpq_sslmode_against_a_tls_server() {
    let Some(db) = TestDb::postgres() else { return };
    if db.strings("SELECT current_setting('ssl') AS v") != ["on"] {
        unavailable(
            "a PostgreSQL server with TLS",
            "ssl is off on the test server",
        );
        return;
    }
    assert!(server_sees_tls(&db, "ssl=require"));
    let second = TestDb::postgres().unwrap();
    assert!(!server_sees_tls(&second, "ssl=disable"));
    // `ssl=true` is Python's default context: the certificate is verified against the
    // system's CAs, which do not know this server's self-signed certificate.
    let url = format!("{}?ssl=true", db.url);
    let out = agentdb(db.dir.path())
        .args(["-d", &url, "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("certificate"), "{err}");
}
