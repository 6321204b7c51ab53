//! The build trades away no hardening: no `-no-pie` in the build's files, and the built binary
//! is a position-independent executable with full RELRO and a non-executable stack. It builds
//! beyond one machine: the build's files name no machine's library folder, and OpenSSL is found
//! (statically, by `build.rs`) where the toolchain says it is.

use std::path::Path;
use std::process::Command;

/// The build's own files: what cargo reads before compiling agentdb.
const BUILD_FILES: &[&str] = &[
    "Cargo.toml",
    "build.rs",
    ".cargo/config.toml",
    ".cargo/config",
];

#[test]
fn build_files_do_not_turn_off_pie() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut read = 0;
    for file in BUILD_FILES {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        read += 1;
        for needle in ["no-pie", "no_pie", "-nopie"] {
            assert!(
                !text.contains(needle),
                "{file} contains {needle:?}: the build must not turn off PIE"
            );
        }
    }
    assert!(read >= 2, "Cargo.toml and build.rs were read");
}

/// What only one machine layout has: a multiarch triple or a distribution's library folder.
const MACHINE_PATHS: &[&str] = &[
    "x86_64-linux-gnu",
    "aarch64-linux-gnu",
    "/usr/lib/",
    "/usr/lib64",
    "/usr/local/",
    "/opt/homebrew",
];

#[test]
fn build_files_name_no_machine_specific_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut read = 0;
    for file in BUILD_FILES {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        read += 1;
        for (number, line) in text.lines().enumerate() {
            for needle in MACHINE_PATHS {
                assert!(
                    !line.contains(needle),
                    "{file}:{}: {line:?} names a machine-specific path ({needle:?}): the build \
                     must find OpenSSL where the toolchain says it is",
                    number + 1
                );
            }
        }
    }
    assert!(read >= 2, "Cargo.toml and build.rs were read");
}

fn readelf(args: &[&str], binary: &Path) -> String {
    let out = Command::new("readelf")
        .args(args)
        .arg(binary)
        .output()
        .expect("readelf (binutils) runs");
    assert!(out.status.success(), "readelf {args:?} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn binary_is_pie_with_full_relro_and_nx() {
    let binary = assert_cmd::cargo::cargo_bin("agentdb");
    let header = readelf(&["-h", "-W"], &binary);
    assert!(
        header.contains("DYN (Position-Independent Executable file)")
            || header
                .lines()
                .any(|l| l.trim_start().starts_with("Type:") && l.contains("DYN")),
        "not a PIE:\n{header}"
    );
    let segments = readelf(&["-l", "-W"], &binary);
    assert!(segments.contains("GNU_RELRO"), "no RELRO:\n{segments}");
    let stack = segments
        .lines()
        .find(|l| l.trim_start().starts_with("GNU_STACK"))
        .expect("a GNU_STACK segment");
    assert!(
        stack.trim_end().ends_with("RW") || stack.contains(" RW "),
        "executable stack: {stack}"
    );
    let dynamic = readelf(&["-d", "-W"], &binary);
    assert!(
        dynamic.contains("BIND_NOW") || dynamic.contains("Flags: NOW"),
        "no BIND_NOW (partial RELRO only):\n{dynamic}"
    );
    assert!(dynamic.contains("PIE"), "no DF_1_PIE flag:\n{dynamic}");
}

/// OpenSSL is linked statically on Linux (`build.rs`): the binary loads no libssl/libcrypto,
/// so their symbols are not resolved at every start-up. `OPENSSL_STATIC=0` at build time asks
/// for the shared libraries instead, and then this check does not apply.
#[cfg(target_os = "linux")]
#[test]
fn binary_links_openssl_statically() {
    if option_env!("OPENSSL_STATIC") == Some("0") {
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("agentdb");
    let dynamic = readelf(&["-d", "-W"], &binary);
    for lib in ["libssl", "libcrypto"] {
        assert!(
            !dynamic
                .lines()
                .any(|l| l.contains("(NEEDED)") && l.contains(lib)),
            "{lib} is linked dynamically:\n{dynamic}"
        );
    }
    let undefined = Command::new("nm")
        .args(["-D", "--undefined-only"])
        .arg(&binary)
        .output()
        .expect("nm (binutils) runs");
    assert!(undefined.status.success(), "nm -D failed");
    let undefined = String::from_utf8_lossy(&undefined.stdout);
    assert!(
        !undefined.contains("SSL_CTX_new"),
        "SSL_CTX_new comes from a shared library:\n{undefined}"
    );
}

/// `sslrootcert=system` (and asyncpg's `ssl=true`, which becomes it) makes libpq trust the CA
/// store the linked OpenSSL was built to read. That store must be this system's: a vendored
/// OpenSSL (openssl-src) reads `/usr/local/ssl`, which Debian does not have, and then every
/// certificate is refused.
#[cfg(target_os = "linux")]
#[test]
fn linked_openssl_reads_the_systems_ca_store() {
    use std::ffi::CStr;
    // SAFETY: both return pointers to static, NUL-terminated strings compiled into OpenSSL.
    let (file, dir) = unsafe {
        (
            CStr::from_ptr(openssl_sys::X509_get_default_cert_file()),
            CStr::from_ptr(openssl_sys::X509_get_default_cert_dir()),
        )
    };
    let file = Path::new(file.to_str().expect("UTF-8 path"));
    let dir = Path::new(dir.to_str().expect("UTF-8 path"));
    assert!(
        file.is_file() || dir.is_dir(),
        "the linked OpenSSL looks for CA certificates in {} and {}, which this system does not \
         have: sslrootcert=system would trust nothing",
        file.display(),
        dir.display()
    );
}
