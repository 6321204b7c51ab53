// `embed_migrations!` reads the migration folders at compile time, but cargo only notices
// changes to files it already embedded: a new migration folder would be silently left out.
//
// diesel_migrations keeps each embedded migration's SQL private, and `migrate --dry-run --sql`
// must print exactly that SQL; so the same files are embedded a second time, with their
// folder names, into `$OUT_DIR/migration_sql.rs` (a unit test checks both sets agree).
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let mut code = String::new();
    for (constant, folder) in [
        ("POSTGRES_SQL", "migrations/postgres"),
        ("SQLITE_SQL", "migrations/sqlite"),
    ] {
        writeln!(code, "pub const {constant}: &[MigrationSql] = &[").unwrap();
        for name in migration_folders(Path::new(folder)) {
            let up = Path::new(folder)
                .join(&name)
                .join("up.sql")
                .canonicalize()
                .expect("up.sql");
            writeln!(
                code,
                "    MigrationSql {{ name: {name:?}, up: include_str!({:?}) }},",
                up.display().to_string()
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out).join("migration_sql.rs"), code).expect("write migration_sql.rs");
}

/// The migration folders (those with an `up.sql`), sorted by name.
fn migration_folders(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("migration folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("up.sql").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
