//! `agentdb erase`: one subject's data from every store in the database (see `crate::erasure`
//! for the run and `crate::store::erase`, `crate::langgraph::{erase, store}`,
//! `crate::adk::{erase, memory}` for the tables). The command turns flags into a request,
//! guards the destructive run, and prints the report.

use std::time::Duration;

use anyhow::Result;

use super::guard::{self, Ask, Verdict, Words};
use super::Context;
use crate::cli::EraseArgs;
use crate::db::Access;
use crate::erasure::{self, Options, Part, Request, Subject};
use crate::error::{exit, UsageError};

fn request(args: &EraseArgs) -> Result<Request> {
    if let Some(t) = &args.tenant {
        crate::store::TenantId::parse(t)?;
    }
    if args.metadata_key.is_some() && args.user.is_none() {
        return Err(UsageError::new("--metadata-key applies to --user only").into());
    }
    let subject = match (&args.user, &args.thread, &args.tenant) {
        (Some(id), None, None) => Subject::User {
            id: id.clone(),
            key: args.metadata_key.clone().unwrap_or_default(),
        },
        (None, Some(id), tenant) => Subject::Thread {
            id: id.clone(),
            tenant: tenant.clone(),
        },
        (None, None, Some(id)) => Subject::Tenant { id: id.clone() },
        (None, None, None) => Subject::Namespaces,
        _ => return Err(UsageError::new("give one subject: --user, --thread or --tenant").into()),
    };
    let include = args.include.iter().copied().collect();
    let req = Request {
        subject,
        namespaces: args.store_namespace.clone(),
        include,
    };
    if !req.namespaces.is_empty() && !req.include.is_empty() && !req.include.contains(&Part::Store)
    {
        return Err(UsageError::new(
            "--store-namespace erases LangGraph Store items, but --include leaves out store",
        )
        .into());
    }
    Ok(req)
}

pub fn run(ctx: &Context, args: &EraseArgs) -> Result<u8> {
    let req = request(args)?;
    let opts = Options {
        dry_run: args.dry_run,
        recheck: args.recheck.map(|s| Duration::from_secs(s.into())),
        purge: args.purge,
        receipt: args.receipt.clone(),
    };
    let db = ctx.open(Access::writing(args.dry_run))?;
    let mut conn = db.connect()?;
    let prepared = erasure::prepare(&mut conn, &db.display, &req, &opts)?;
    let verdict = guard::confirm(ctx, args.yes || args.dry_run, Ask::WhereItMatters, || {
        let preview = prepared.preview(&mut conn)?;
        let total = preview.total();
        if total == 0 {
            return Ok(None);
        }
        let summary = erasure::summary(&preview);
        Ok(Some(Words {
            production: format!(
                "refusing to erase: ENV/APP_ENV is production, stdin is not a terminal and this would delete {total} row(s) ({summary}); pass --yes to confirm"
            ),
            question: format!(
                "This erases {total} row(s) from {} ({summary}). Continue? [y/N] ",
                db.display
            ),
            ..Words::default()
        }))
    })?;
    if verdict == Verdict::Declined {
        ctx.output.info("Nothing erased.");
        return Ok(exit::FAILED);
    }
    let report = prepared.run(&mut conn, &db.display)?;
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}
