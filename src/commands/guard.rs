//! The one guard in front of every command that destroys data (`prune`, `rollback`,
//! `configs delete`, `database drop | reset`): `--yes`, production (`ENV`/`APP_ENV`), and a
//! question on the terminal. Commands differ only in how much they ask ([`Ask`]) and in their
//! words ([`Words`]); the order of the checks is this file's.

use std::io::IsTerminal;

use anyhow::Result;

use super::Context;
use crate::config::is_production;
use crate::error::UsageError;

/// How much a destructive command asks before it goes ahead without `--yes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Refused in production; elsewhere it goes ahead unasked (`rollback`, `configs delete`).
    ProductionOnly,
    /// Refused in production and without a terminal (a script cannot answer); on a terminal
    /// the operator is asked (`database drop | reset`).
    Always,
    /// Where it matters: on a terminal the operator is asked (after seeing what goes); without
    /// one it is refused in production and goes ahead elsewhere (`prune`). Nothing to delete
    /// needs no confirmation.
    WhereItMatters,
}

/// What the guard says: the refusals (usage errors, exit 2) and the question.
#[derive(Debug, Clone, Default)]
pub struct Words {
    /// Refusal in production (for `WhereItMatters`: in production without a terminal).
    pub production: String,
    /// Refusal without a terminal outside production (`Always`).
    pub no_terminal: String,
    /// The question asked on a terminal; answered `y`/`yes` it goes ahead.
    pub question: String,
}

/// The guard's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// The operator answered no on the terminal.
    Declined,
}

/// Asks what `ask` demands before a destructive action. `yes` is `--yes` (or a dry run, which
/// destroys nothing). `words` is called only when something must be said: it may look at
/// what would be destroyed first (prune's preview), and returns `None` when nothing would be
/// (the action then goes ahead unasked).
pub fn confirm(
    ctx: &Context,
    yes: bool,
    ask: Ask,
    words: impl FnOnce() -> Result<Option<Words>>,
) -> Result<Verdict> {
    if yes {
        return Ok(Verdict::Go);
    }
    let production = is_production(&ctx.env);
    let interactive = std::io::stdin().is_terminal();
    let refuse = |message: String| -> Result<Verdict> { Err(UsageError::new(message).into()) };
    match ask {
        Ask::ProductionOnly => {
            if !production {
                return Ok(Verdict::Go);
            }
            let Some(words) = words()? else {
                return Ok(Verdict::Go);
            };
            refuse(words.production)
        }
        Ask::Always => {
            let Some(words) = words()? else {
                return Ok(Verdict::Go);
            };
            if production {
                return refuse(words.production);
            }
            if !interactive {
                return refuse(words.no_terminal);
            }
            question(&words.question)
        }
        Ask::WhereItMatters => {
            if !interactive && !production {
                return Ok(Verdict::Go);
            }
            let Some(words) = words()? else {
                return Ok(Verdict::Go);
            };
            if !interactive {
                return refuse(words.production);
            }
            question(&words.question)
        }
    }
}

fn question(text: &str) -> Result<Verdict> {
    Ok(if crate::output::ask(text)? {
        Verdict::Go
    } else {
        Verdict::Declined
    })
}
