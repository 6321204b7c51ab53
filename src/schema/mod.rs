//! agentdb's own schema: the embedded migrations and how they are applied
//! ([`migrations`]), the plain-SQL script `migrate --sql` prints ([`script`]), and schema
//! drift ([`drift`]) checked against the shape embedded in the binary ([`reference`]).

pub mod drift;
pub mod migrations;
pub mod reference;
pub mod script;
