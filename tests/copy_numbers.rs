//! copy's verification compares JSON numbers exactly: every digit, on both backends, with
//! PostgreSQL's `jsonb` normalisation taken into account (issue 17.9).

mod common;

use common::*;

/// JSON numbers another program may have written, every one PostgreSQL's `jsonb` can hold:
/// beyond 2^53 and 2^64, trailing zeros, exponents in every spelling, negative zero, tiny and
/// huge magnitudes.
const HOSTILE_NUMBERS: &[&str] = &[
    "12345678901234567890123",
    "-12345678901234567890123.000",
    "9007199254740993",
    "18446744073709551617",
    "1",
    "1.0",
    "1e0",
    "1.0e0",
    "1E+2",
    "1.50e1",
    "100e-2",
    "1e-2",
    "1.0e-2",
    "-0",
    "-0.0",
    "0e5",
    "0.00e1",
    "1.5e-7",
    "0.1",
    "-1.23456789012345678901234567890e-5",
    "1.5E+300",
    "7e-300",
];

fn numbers_document() -> String {
    let items: Vec<String> = HOSTILE_NUMBERS
        .iter()
        .enumerate()
        .map(|(i, n)| format!("\"n{i}\": {n}"))
        .collect();
    format!(
        "{{{}, \"all\": [{}]}}",
        items.join(", "),
        HOSTILE_NUMBERS.join(", ")
    )
}

/// A migrated SQLite database whose JSON columns hold the hostile numbers as written.
fn sqlite_source() -> TestDb {
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    let doc = numbers_document().replace('\'', "''");
    db.exec(&format!(
        "INSERT INTO tenants (id, name, metadata) VALUES ('t0', 'numbers', '{doc}'); \
         INSERT INTO tenant_configs (tenant_id, key, value, content_hash) VALUES \
           ('t0', 'big', '{{\"n\": 12345678901234567890123}}', 'h'), ('t0', 'all', '{doc}', 'h2');"
    ));
    db
}

fn copy(dir: &TestDb, from: &str, to: &str) -> std::process::Output {
    agentdb(dir.dir.path())
        .args(["--format", "json", "copy", "--from", from, "--to", to])
        .output()
        .unwrap()
}

fn table_digests(out: &std::process::Output) -> Vec<(String, String)> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout_of(out),
        stderr_of(out)
    );
    let report = json_of(out);
    assert_eq!(report["verified"], true, "{report}");
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["source_digest"], t["target_digest"], "{t}");
            (
                t["table"].as_str().unwrap().to_string(),
                t["source_digest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The canonical form of every hostile number equals what PostgreSQL's `jsonb` makes of it
/// (so a SQLite side holding the text as written and a PostgreSQL side holding `jsonb` agree),
/// and no two different `jsonb` values share a canonical form.
#[test]
fn canonical_numbers_are_what_jsonb_keeps() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    for n in HOSTILE_NUMBERS {
        let rendered = db.strings(&format!("SELECT ('{n}'::jsonb)::text AS v"));
        assert_eq!(
            agentdb::copy::canonical_number(n).as_deref(),
            Some(rendered[0].as_str()),
            "{n}"
        );
        assert_eq!(
            agentdb::copy::canonical_json(&rendered[0]),
            agentdb::copy::canonical_json(n),
            "{n}"
        );
    }
}

// A target that changes one digit of a number beyond f64's precision fails verification:
// exit 1, nothing left on the target, on both target backends.
both_backends!(
    a_target_that_alters_a_big_number_fails_verification,
    |kind: Kind| {
        let source = sqlite_source();
        let Some(target) = TestDb::new(kind) else {
            return;
        };
        target.cmd().args(["-q", "migrate"]).assert().success();
        target.exec(match kind {
        Kind::Sqlite => {
            "CREATE TRIGGER tamper AFTER INSERT ON tenant_configs WHEN NEW.key = 'big' BEGIN \
             UPDATE tenant_configs SET value = '{\"n\": 12345678901234567890999}' \
             WHERE tenant_id = NEW.tenant_id AND key = NEW.key; END;"
        }
        Kind::Postgres => {
            "CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN IF NEW.key = 'big' THEN NEW.value := '{\"n\": 12345678901234567890999}'::jsonb; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER tamper BEFORE INSERT ON tenant_configs FOR EACH ROW EXECUTE FUNCTION tamper();"
        }
    });
        let out = copy(&source, &source.url, &target.url);
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("verification failed for tenant_configs"),
            "{kind:?}: {}",
            stderr_of(&out)
        );
        for table in ["tenants", "tenant_configs"] {
            assert_eq!(
                target.scalar(&format!("SELECT count(*) AS v FROM {table}")),
                0,
                "{kind:?} {table}"
            );
        }
    }
);

/// SQLite → PostgreSQL → SQLite with the hostile numbers: every copy verifies, the digests are
/// the same at every step, and the numbers keep every digit (checked with plain SQL).
#[test]
fn hostile_numbers_round_trip_sqlite_postgres_sqlite() {
    let source = sqlite_source();
    let Some(middle) = TestDb::postgres() else {
        return;
    };
    let end = TestDb::sqlite();
    let first = table_digests(&copy(&source, &source.url, &middle.url));
    let second = table_digests(&copy(&source, &middle.url, &end.url));
    assert_eq!(first, second);
    assert_eq!(
        middle.strings("SELECT value->>'n' AS v FROM tenant_configs WHERE key = 'big'"),
        ["12345678901234567890123"]
    );
    // The text SQLite holds at the end is jsonb's rendering: every digit kept.
    let text = end.strings("SELECT value AS v FROM tenant_configs WHERE key = 'big'");
    assert!(text[0].contains("12345678901234567890123"), "{text:?}");
    // And SQLite → SQLite keeps the numbers as written, also verified.
    let same = TestDb::sqlite();
    table_digests(&copy(&source, &source.url, &same.url));
    assert_eq!(
        same.strings("SELECT value AS v FROM tenant_configs WHERE key = 'all'"),
        source.strings("SELECT value AS v FROM tenant_configs WHERE key = 'all'")
    );
}
