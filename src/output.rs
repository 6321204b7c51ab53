//! Output: reports go to stdout as a table or one JSON document; logs go to stderr.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A command's result: serializable as JSON, and able to render itself as text.
pub trait Report: Serialize {
    /// Human-readable rendering: tables and short lines.
    fn render(&self, out: &mut Text);
}

/// Narrower terminals than this are taken as not reporting their width.
const MIN_TABLE_WIDTH: u16 = 20;
/// The width tables get then.
const FALLBACK_TABLE_WIDTH: u16 = 100;

/// Builder for the human-readable form of a report.
#[derive(Default)]
pub struct Text {
    blocks: Vec<String>,
}

impl Text {
    pub fn line(&mut self, line: impl Into<String>) {
        self.blocks.push(line.into());
    }

    pub fn table<I, R, S>(&mut self, header: &[&str], rows: I)
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = S>,
        S: Into<comfy_table::Cell>,
    {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        // A terminal that reports no (or almost no) columns, as some CI consoles and serial
        // lines do, would get a table one character wide: use a usual width instead.
        if table.width().is_some_and(|w| w < MIN_TABLE_WIDTH) {
            table.set_width(FALLBACK_TABLE_WIDTH);
        }
        for row in rows {
            table.add_row(row);
        }
        self.blocks.push(table.to_string());
    }
}

/// Where and how a command speaks.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: Format,
    pub quiet: bool,
    pub verbose: u8,
}

impl Output {
    /// Prints the report on stdout: nothing else ever goes there.
    pub fn emit<R: Report>(&self, report: &R) -> Result<()> {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        let written = match self.format {
            // Streamed: a large report is never held twice as a string.
            Format::Json => serde_json::to_writer_pretty(&mut stdout, report)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(stdout)),
            Format::Table => {
                let mut t = Text::default();
                report.render(&mut t);
                writeln!(stdout, "{}", t.blocks.join("\n"))
            }
        };
        quiet_on_closed_pipe(written.and_then(|_| stdout.flush()))
    }

    /// Progress and notes for people, on stderr; silent with `--quiet`.
    pub fn info(&self, message: impl AsRef<str>) {
        if !self.quiet {
            stderr_line(message.as_ref());
        }
    }

    /// Details shown with `-v`.
    pub fn debug(&self, message: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            stderr_line(message.as_ref());
        }
    }

    /// Whether interactive progress (bars, spinners) may be drawn on stderr.
    pub fn progress_allowed(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// The one progress-bar builder: a bar of `len` steps on stderr, drawn only where
    /// progress is allowed and only when there are at least `shown_from` steps (less is not
    /// worth waiting for); hidden otherwise. `unit` follows the count (` rows`, or empty).
    pub fn progress_bar(&self, len: u64, shown_from: u64, unit: &str) -> ProgressBar {
        if !self.progress_allowed() || len < shown_from {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg}} [{{bar:30}}] {{pos}}/{{len}}{unit} ({{eta}})"
            ))
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar
    }
}

/// Writes raw bytes (a completion script) on stdout, as `Output::emit` does.
pub fn emit_bytes(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    quiet_on_closed_pipe(stdout.write_all(bytes).and_then(|_| stdout.flush()))
}

/// A closed stdout (`agentdb status | head -1`) ends the output quietly: the reader has gone,
/// and the command still exits with the code of its work.
fn quiet_on_closed_pipe(written: std::io::Result<()>) -> Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// One line on stderr. A failed write (closed pipe, full disk) is ignored: what goes to stderr
/// never changes what a command does or its exit code (`eprintln!` would panic, and with
/// `panic = "abort"` kill a migration half-way).
pub fn stderr_line(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Asks a yes/no question on stderr and reads the answer from stdin: `y` or `yes`, in any
/// case, is yes. Callers ask only when stdin is a terminal.
pub fn ask(question: &str) -> Result<bool> {
    {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "{question}");
        let _ = stderr.flush();
    }
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("cannot read the answer from stdin")?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
