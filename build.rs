// `embed_migrations!` reads the migration folders at compile time, but cargo only notices
// changes to files it already embedded: a new migration folder would be silently left out.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
