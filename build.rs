// `embed_migrations!` reads the migration folders at compile time, but cargo only notices
// changes to files it already embedded: a new migration folder would be silently left out.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    link_position_dependent();
}

/// Links the agentdb binary as a position-dependent executable on Linux: a PIE has ~23,700
/// pointers in its static data (most in the statically linked OpenSSL's tables) that the loader
/// rewrites at every start, a quarter of `agentdb status`'s instructions and a third of its page
/// faults (README, Performance). Binaries only: tests and proc-macros are untouched.
fn link_position_dependent() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
