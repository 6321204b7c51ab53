//! The r2d2 connection manager: picks the backend from the parsed target and sets up every
//! connection it opens (`super::establish_for`); remembers the last connect error so that
//! `Database::connect` reports it at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use diesel::connection::SimpleConnection;
use diesel::r2d2::ManageConnection;

use super::{establish_for, Access, AnyConnection};
use crate::config::{Settings, Target};
use crate::error::Message;

/// An r2d2 manager that picks the backend from the parsed target (never by trial, which
/// would turn a PostgreSQL connection string into a new SQLite file) and sets up every
/// connection for its backend.
pub struct Manager {
    pub(super) target: Target,
    pub(super) settings: Settings,
    pub(super) last_error: Arc<Mutex<Option<String>>>,
    pub(super) access: Access,
    pub(super) closing: Arc<AtomicBool>,
}

/// Why a pooled connection could not be made or used: its message.
pub type ConnectError = crate::error::Message;

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<AnyConnection, ConnectError> {
        establish_for(&self.target, &self.settings, self.access).map_err(|e| {
            let message = format!("{e:#}");
            *self.last_error.lock().expect("lock") = Some(message.clone());
            Message(message)
        })
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| Message(e.to_string()))
    }

    /// Only once the `Database` is dropped: r2d2 then closes the connection at once.
    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        self.closing.load(Ordering::Relaxed)
    }
}
