//! PostgreSQL URLs are judged whole, the way libpq and the server will read them, before
//! anything is created (issue 17.11, 17.12, and the `?dbname=` hint of 17.13).

mod common;

use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// The admin URL with its path replaced by `raw` exactly as written (no encoding).
fn url_with_path(raw: &str) -> String {
    let admin = postgres_admin_url();
    let (head, _) = admin.split_once('?').unwrap_or((&admin, ""));
    let (base, _) = head.rsplit_once('/').unwrap();
    format!("{base}/{raw}")
}

fn admin() -> Option<PgConnection> {
    match PgConnection::establish(&postgres_admin_url()) {
        Ok(c) => Some(c),
        Err(e) => {
            unavailable("PostgreSQL", &e.to_string());
            None
        }
    }
}

fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<N>(conn)
        .unwrap()
        .n
        > 0
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

/// Every command that takes a database, with the URL placed where that command reads it.
fn commands_for(url: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["-d", url, "migrate", "--create"]),
        s(&["-d", url, "migrate"]),
        s(&["-d", url, "database", "create"]),
        s(&["-d", url, "database", "drop", "--yes"]),
        s(&["-d", url, "database", "reset", "--yes"]),
        s(&["-d", url, "status"]),
        s(&["-d", url, "health"]),
        s(&["-d", url, "wait", "--timeout", "1"]),
        s(&["-d", url, "stats"]),
        s(&["-d", url, "backup", "out.db"]),
        s(&["copy", "--from", "src.db", "--to", url]),
        s(&["copy", "--from", url, "--to", "new.db"]),
    ]
}

/// Names over 63 bytes (ASCII, and 2-byte characters that are only 32 characters long) are
/// refused with exit 2 by every command, and the database PostgreSQL would have used instead
/// (the name cut at 63 bytes) is neither created, dropped nor reset.
#[test]
fn database_names_over_63_bytes_are_refused_by_every_command() {
    let Some(mut conn) = admin() else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    // A source for `copy --from src.db`.
    agentdb(dir.path())
        .args(["-q", "-d", "src.db", "migrate"])
        .assert()
        .success();
    let stem = unique("hm_long_");
    let ascii = format!("{stem}{}", "a".repeat(64 - stem.len()));
    let accented = format!("{stem}{}", "é".repeat((64 - stem.len()) / 2));
    let accented = if accented.len() < 64 {
        format!("{accented}b")
    } else {
        accented
    };
    for name in [&ascii, &accented] {
        assert!(name.len() > 63, "{name}");
        // What the server would truncate the name to: it holds data that must stay.
        let mut cut = 63;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        let truncated = &name[..cut];
        conn.batch_execute(&format!("CREATE DATABASE \"{truncated}\""))
            .unwrap();
        let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        for args in commands_for(&url_with_path(&encoded)) {
            let out = agentdb(dir.path()).args(&args).output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?}: {}{}",
                stdout_of(&out),
                stderr_of(&out)
            );
            let err = stderr_of(&out);
            assert!(
                err.contains("bytes long") && err.contains("63"),
                "{args:?}: {err}"
            );
            assert!(database_exists(&mut conn, truncated), "{args:?} removed it");
            assert!(!database_exists(&mut conn, name));
        }
        assert!(!dir.path().join("new.db").exists());
        assert!(!dir.path().join("out.db").exists());
        conn.batch_execute(&format!("DROP DATABASE \"{truncated}\" WITH (FORCE)"))
            .unwrap();
    }
    // 63 bytes is a name PostgreSQL keeps whole: accepted, created under exactly that name.
    let exact = format!("{stem}{}", "z".repeat(63 - stem.len()));
    let url = url_with_path(&exact);
    agentdb(dir.path())
        .args(["-q", "-d", &url, "migrate", "--create"])
        .assert()
        .success();
    assert!(database_exists(&mut conn, &exact));
    agentdb(dir.path())
        .args(["-q", "-d", &url, "database", "drop", "--yes"])
        .assert()
        .success();
    assert!(!database_exists(&mut conn, &exact));
}

/// URLs libpq refuses are refused (exit 2) before anything is created, by every command:
/// a space, a bad percent escape, an encoded NUL, a port out of range, an unclosed IPv6
/// bracket, in the name, the password or the host. The password is never printed.
#[test]
fn urls_libpq_refuses_create_nothing() {
    let Some(mut conn) = admin() else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    agentdb(dir.path())
        .args(["-q", "-d", "src.db", "migrate"])
        .assert()
        .success();
    let admin = postgres_admin_url();
    let parsed = url::Url::parse(&admin).unwrap();
    let host = parsed.host_str().unwrap().to_string();
    let port = parsed.port().unwrap_or(5432);
    let user = parsed.username().to_string();
    let stem = unique("hm_bad_");
    // (URL, the database name an accepting parser would have created)
    let cases = [
        (
            url_with_path(&format!("{stem} with space")),
            format!("{stem} with space"),
        ),
        (url_with_path(&format!("{stem}%zz")), format!("{stem}%zz")),
        (url_with_path(&format!("{stem}%00x")), format!("{stem}\0x")),
        (
            format!("postgresql://{user}:pa%zzsecret@{host}:{port}/{stem}pw"),
            format!("{stem}pw"),
        ),
        (
            format!("postgresql://{user}@{host}:99999/{stem}port"),
            format!("{stem}port"),
        ),
        (
            format!("postgresql://{user}@[::1/{stem}v6"),
            format!("{stem}v6"),
        ),
    ];
    for (url, name) in &cases {
        for args in commands_for(url) {
            let out = agentdb(dir.path()).args(&args).output().unwrap();
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains("libpq cannot use"), "{args:?}: {err}");
            assert!(
                !err.contains("secret"),
                "{args:?} printed the password: {err}"
            );
            if !name.contains('\0') {
                assert!(!database_exists(&mut conn, name), "{args:?} created {name}");
            }
        }
    }
    assert!(!dir.path().join("new.db").exists());
    assert!(!dir.path().join("out.db").exists());
}

/// `?dbname=NAME` is the database libpq connects to: the missing-database hint names it, and
/// `database create`/`drop` act on it (through a maintenance database, not NAME itself).
#[test]
fn dbname_in_the_query_is_the_database() {
    let Some(mut conn) = admin() else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let name = unique("hm_q_");
    let url = format!("{}?dbname={name}", url_with_path("ignored_path_name"));
    let out = agentdb(dir.path())
        .args(["-d", &url, "status"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("createdb {name}")), "{err}");
    assert!(!err.contains("ignored_path_name\""), "{err}");
    agentdb(dir.path())
        .args(["-q", "-d", &url, "migrate", "--create"])
        .assert()
        .success();
    assert!(database_exists(&mut conn, &name));
    assert!(!database_exists(&mut conn, "ignored_path_name"));
    agentdb(dir.path())
        .args(["-q", "-d", &url, "database", "drop", "--yes"])
        .assert()
        .success();
    assert!(!database_exists(&mut conn, &name));
}
