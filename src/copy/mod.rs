//! The copy engine behind `copy` and `backup`: rows of a set of tables read from one database
//! and written to another, in any direction between SQLite and PostgreSQL, converted
//! faithfully and verified.
//!
//! - Every column is read in a canonical text form, the same on both backends (timestamps as
//!   UTC ISO-8601 with microseconds, booleans `true`/`false`, JSON as text), so one row looks the
//!   same whichever side it was read from.
//! - The source is read in one snapshot (PostgreSQL `REPEATABLE READ READ ONLY`, SQLite one read
//!   transaction), streamed in pages (SQLite a statement cursor, PostgreSQL a transaction-scoped
//!   cursor), so memory stays flat.
//! - The target is written in ONE transaction that first takes the schema lock `migrate` takes:
//!   PostgreSQL through `COPY … FROM STDIN`, SQLite through bounded multi-row inserts.
//! - Verification, always: per table the row count and an order-independent digest of the
//!   canonical rows (JSON compared by content, not spelling), computed while reading the source
//!   and again by reading the target back inside its transaction. Any mismatch rolls back.
//!
//! Layout: `spec` (what a table looks like: `TableSpec`, `declare_copy_tables!`), `canonical`
//! (the canonical value forms), `engine` (read, write, tally, verify), `plan` (the `Group`
//! interface and the copy from plan to commit). The groups live with what they copy:
//! `crate::store::copy` (agentdb's tables), `crate::adk::copy`, `crate::langgraph::copy`
//! (which also converts SqliteSaver checkpoints to PostgresSaver's layout). The engine imports
//! neither the command line nor any group: they import it.

pub mod canonical;
pub mod engine;
pub mod plan;
pub mod spec;

pub use canonical::{
    canonical_json, canonical_naive_timestamp, canonical_number, canonical_timestamp,
};
pub use engine::*;
pub use plan::{execute, plan, run, Ends, Group, Outcome, Plan, Request};
pub(crate) use spec::declare_copy_tables;
pub use spec::{never_loaded, Column, CopyFeed, CopyIn, CopyInError, Kind, Row, TableSpec};
