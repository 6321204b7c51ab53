// `embed_migrations!` reads the migration folders at compile time, but cargo only notices
// changes to files it already embedded: a new migration folder would be silently left out.
//
// diesel_migrations keeps each embedded migration's SQL private, and `migrate --dry-run --sql`
// must print exactly that SQL; so the same files are embedded a second time, with their
// folder names, into `$OUT_DIR/migration_sql.rs` (a unit test checks both sets agree).
//
// It also links the system's OpenSSL statically on Linux: see `link_openssl_statically`.
use std::env;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    link_openssl_statically();
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

/// OpenSSL (the TLS of the bundled libpq) is linked statically on Linux: resolving a shared
/// libssl's and libcrypto's symbols at every start-up was half of `agentdb status`'s instructions.
///
/// openssl-sys finds OpenSSL itself (pkg-config on Linux) but, from a system folder such as
/// Debian's multiarch library folder, only ever emits `-lssl -lcrypto` for the shared libraries:
/// the pkg-config crate refuses static libraries under `/usr`, and its own `OPENSSL_STATIC`
/// needs `OPENSSL_LIB_DIR`, which cannot be written down once for every machine. So this
/// script finds `libssl.a` and `libcrypto.a` in the folder pkg-config names or, failing that,
/// where the linker itself would look (`cc -print-file-name`, which knows the multiarch folder),
/// and puts a folder holding only those two archives first on the linker's search path: the
/// `-lssl -lcrypto` that openssl-sys passes then resolve to them. Nothing machine-specific is
/// written in the repository.
///
/// Left to openssl-sys: other systems than Linux, `OPENSSL_STATIC=0` (link the shared libraries),
/// and an `OPENSSL_DIR` or `OPENSSL_LIB_DIR` given by the builder (openssl-sys links from there,
/// statically with `OPENSSL_STATIC=1`).
fn link_openssl_statically() {
    for name in [
        "OPENSSL_STATIC",
        "OPENSSL_DIR",
        "OPENSSL_LIB_DIR",
        "RUSTC_LINKER",
    ] {
        println!("cargo:rerun-if-env-changed={name}");
    }
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux")
        || openssl_env("OPENSSL_STATIC").is_some_and(|v| v == "0")
        || openssl_env("OPENSSL_DIR").is_some()
        || openssl_env("OPENSSL_LIB_DIR").is_some()
    {
        return;
    }
    let mut looked_in = Vec::new();
    let found = openssl_lib_dir_candidates().into_iter().find(|dir| {
        looked_in.push(dir.display().to_string());
        ["libssl.a", "libcrypto.a"]
            .iter()
            .all(|lib| dir.join(lib).is_file())
    });
    let Some(lib_dir) = found else {
        let looked_in = if looked_in.is_empty() {
            "nowhere: neither `pkg-config openssl` nor the C compiler named a folder".to_owned()
        } else {
            looked_in.join(", ")
        };
        // A message, not a panic's backtrace: this is the builder's machine to fix.
        eprintln!(
            "\n\nagentdb links OpenSSL statically, but libssl.a and libcrypto.a were not found \
             (looked in {looked_in}).\n\
             Install OpenSSL's static libraries: Debian/Ubuntu `apt-get install libssl-dev \
             pkg-config`, Alpine `apk add openssl-dev openssl-libs-static pkgconf`.\n\
             Or link the shared libraries instead: build with OPENSSL_STATIC=0.\n\n"
        );
        std::process::exit(1);
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("openssl-static");
    std::fs::create_dir_all(&out).expect("create $OUT_DIR/openssl-static");
    for lib in ["libssl.a", "libcrypto.a"] {
        let link = out.join(lib);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(lib_dir.join(lib), &link)
            .unwrap_or_else(|e| panic!("link {} to {}: {e}", link.display(), lib_dir.display()));
        println!("cargo:rerun-if-changed={}", lib_dir.join(lib).display());
    }
    println!("cargo:rustc-link-search=native={}", out.display());
}

/// openssl-sys's own spelling of its settings: `X86_64_UNKNOWN_LINUX_GNU_OPENSSL_STATIC` before
/// `OPENSSL_STATIC`.
fn openssl_env(name: &str) -> Option<OsString> {
    let target = env::var("TARGET").unwrap_or_default();
    let prefixed = format!("{}_{name}", target.to_uppercase().replace('-', "_"));
    println!("cargo:rerun-if-env-changed={prefixed}");
    env::var_os(prefixed).or_else(|| env::var_os(name))
}

/// Where OpenSSL's static libraries may be: the `libdir` of the installation pkg-config names
/// (the one whose headers openssl-sys compiled against), then the folder the linker would
/// take `libssl.a` from.
fn openssl_lib_dir_candidates() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let pkg_config = env::var_os("PKG_CONFIG").unwrap_or_else(|| "pkg-config".into());
    if let Some(dir) = command_line(Command::new(pkg_config).args(["--variable=libdir", "openssl"]))
    {
        dirs.push(PathBuf::from(dir));
    }
    let linker = env::var_os("RUSTC_LINKER").unwrap_or_else(|| "cc".into());
    if let Some(file) = command_line(Command::new(linker).arg("-print-file-name=libssl.a")) {
        // Without a match the compiler prints the bare name back.
        if let Some(dir) = Path::new(&file).parent().filter(|d| d.is_absolute()) {
            dirs.push(dir.to_path_buf());
        }
    }
    dirs.dedup();
    dirs
}

/// The first line a command prints, when it runs and succeeds.
fn command_line(command: &mut Command) -> Option<String> {
    let out = command.output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.lines().next()?.trim().to_owned()).filter(|l| !l.is_empty())
}
