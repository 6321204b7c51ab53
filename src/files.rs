//! Every file agentdb writes (backups, exports, a new SQLite database built by `copy` or
//! `migrate`) appears whole or not at all, owner-only from its creation.
//!
//! A file is built under a temporary name in the destination's own folder
//! (`.NAME.agentdb-tmp-PID`, mode 0600; folders 0700), synced, then put in place with one
//! link or rename, and the folder synced. Until then the temporary name is registered: an
//! error (the `Staged` value dropped) or SIGINT/SIGTERM/SIGHUP removes it — the handler that
//! does this is installed by the first registration, so commands that write no file keep the
//! default signal behaviour and pay nothing for it. After SIGKILL only the clearly named
//! temporary file can remain, never a file at the destination. Work outside the file system
//! that an error or a signal must undo (a PostgreSQL database `database reset` is building) is
//! registered the same way (`Undo`): the handler runs on a thread of its own, so it may talk to
//! a server.
//!
//! Symlinks: a destination is resolved through its symlinks once; agentdb writes the file the
//! link points to and never replaces or deletes the link itself.
//!
//! SQLite databases: a new database never meets another's side files. SQLite does not check
//! that a `-wal` or hot `-journal` belongs to the file beside it and replays it into whatever
//! file has the name; so side files left at a name with no database there (a drop or crash cut
//! short, an operator who deleted only the `.db`) are removed just before a new database is
//! linked there, and a database is taken down by renaming it away first (`take_down_sqlite`).

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Once};

use anyhow::{bail, Context as _, Result};

use crate::config::{SqliteLocation, Target};

/// The marker in every temporary name agentdb creates.
pub const TEMP_MARKER: &str = ".agentdb-tmp-";

/// SQLite's side files of a database at a path, in the order they are removed: the two SQLite
/// would replay into a file first, the `-shm` (an index SQLite rebuilds) last.
const SQLITE_SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

/// What the signal handler removes: temporary files and folders not yet put in place, and
/// `Undo` steps.
static PENDING: Mutex<Vec<Pending>> = Mutex::new(Vec::new());
/// Set inside the signal handler itself, the instant SIGINT/SIGTERM/SIGHUP arrives: the
/// handler thread may not have run yet when `main` is about to return (seen on a busy machine:
/// a SIGINT during `erase --receipt`'s last placement, exit 0 instead of 130).
static SIGNALLED: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(false)));
static HANDLER: Once = Once::new();

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    File(PathBuf),
    Tree(PathBuf),
    Undo(UndoStep),
}

/// An `Undo`'s step: equal only to itself (one registration is one step).
#[derive(Clone)]
struct UndoStep(Arc<dyn Fn() + Send + Sync>);

impl PartialEq for UndoStep {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for UndoStep {}

impl std::fmt::Debug for UndoStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UndoStep")
    }
}

impl Pending {
    fn remove(&self) {
        let _ = match self {
            Pending::File(path) => {
                // A staged SQLite database (a first `migrate`) may have its connection's side
                // files beside it; named after agentdb's temporary, they are ours too.
                for side in SQLITE_SIDE_FILES {
                    let mut name = path.clone().into_os_string();
                    name.push(side);
                    let _ = fs::remove_file(name);
                }
                fs::remove_file(path)
            }
            Pending::Tree(path) => fs::remove_dir_all(path),
            Pending::Undo(step) => {
                (step.0)();
                Ok(())
            }
        };
    }
}

fn pending() -> MutexGuard<'static, Vec<Pending>> {
    // A panic elsewhere must not stop the cleanup.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// On SIGINT, SIGTERM or SIGHUP: removes every registered temporary file and folder, then
/// exits with 128 + the signal (130, 143, 129). Runs on a thread of its own, so it may take
/// the registry's lock: a placement in progress (which holds it) finishes first.
fn install_handler() {
    HANDLER.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // An atomic store: safe in a signal handler.
            let _ = signal_hook::flag::register(signal, Arc::clone(&SIGNALLED));
        }
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("agentdb-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let registered = pending();
                    for entry in registered.iter() {
                        entry.remove();
                    }
                    signal_hook::low_level::exit(128 + signal);
                }
            });
        drop(spawned);
    });
}

/// Called by `main` before it returns: when a signal arrived, the handler thread's exit code
/// (130/143/129) wins over the command's own outcome, which the signal may have caused; this
/// thread waits for it (it is woken by the same signal).
pub fn before_exit() {
    if SIGNALLED.load(Ordering::SeqCst) || termination_pending() {
        loop {
            std::thread::park();
        }
    }
}

/// Whether SIGINT, SIGTERM or SIGHUP was sent to the process but not yet delivered to any
/// thread (another thread will take it; this one must not exit 0 meanwhile).
fn termination_pending() -> bool {
    if !HANDLER.is_completed() {
        return false;
    }
    // SAFETY: sigpending(2) fills the set this function owns; sigismember reads it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        if libc::sigpending(&mut set) != 0 {
            return false;
        }
        [libc::SIGINT, libc::SIGTERM, libc::SIGHUP]
            .into_iter()
            .any(|signal| libc::sigismember(&set, signal) == 1)
    }
}

fn unregister(registry: &mut Vec<Pending>, entries: &[Pending]) {
    registry.retain(|e| !entries.contains(e));
}

/// The file `path` names, symlinks in its last component followed (a relative link from the
/// link's folder), as SQLite and the kernel resolve them: the one rule for every path agentdb
/// creates, opens, replaces or removes; it acts on that file, never on the link. A dangling
/// link gives the file it would create; folders on the way are left to the kernel. A loop is
/// an error.
pub fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)
                    .with_context(|| format!("cannot read symlink {}", current.display()))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    bail!(
        "{} is a loop of symlinks: point it at a file",
        path.display()
    )
}

/// The temporary name for `dest`: in the same folder, hidden, marked and with this process id.
pub fn temp_path_for(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "agentdb".into());
    let temp = format!(".{name}{TEMP_MARKER}{}", std::process::id());
    match dest.parent() {
        Some(parent) => parent.join(temp),
        None => PathBuf::from(temp),
    }
}

/// Creates a new file readable by its owner only (0600); fails if anything exists there.
pub fn create_owner_only(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Creates `dir` and its missing parents, new ones owner-only (0700).
pub fn create_private_dirs(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create folder {}", dir.display()))
}

/// A file or folder being built under its temporary name. Dropped without `commit`, it is
/// removed.
#[derive(Debug)]
pub struct Staged {
    dest: PathBuf,
    temp: PathBuf,
    tree: bool,
    /// A SQLite database: placed only where no other database's side files are.
    sqlite: bool,
    entries: Vec<Pending>,
    done: bool,
}

impl Staged {
    /// An empty owner-only file beside `dest` (already resolved through symlinks), to be
    /// written by the caller, then put at `dest` by `commit`. `sqlite`: SQLite's side files
    /// of the temporary name are removed with it.
    pub fn file(dest: &Path, sqlite: bool) -> Result<Staged> {
        if let Some(parent) = dest.parent() {
            create_private_dirs(parent)?;
        }
        let temp = temp_path_for(dest);
        let mut entries = vec![Pending::File(temp.clone())];
        if sqlite {
            entries.extend(
                SQLITE_SIDE_FILES
                    .iter()
                    .map(|s| Pending::File(suffixed(&temp, s))),
            );
        }
        let sides = entries[1..].to_vec();
        Staged::create(dest, temp, false, sqlite, entries, |temp| {
            // Side files of a temporary of this name are a dead process's (same PID, reused):
            // the new database must not meet them.
            for side in &sides {
                side.remove();
            }
            create_owner_only(temp).map(drop).with_context(|| {
                format!(
                    "cannot write {}: its temporary file {} cannot be created in that folder",
                    dest.display(),
                    temp.display()
                )
            })
        })
    }

    /// An empty owner-only folder (0700) beside `dest`, to be filled, then renamed to `dest`.
    pub fn folder(dest: &Path) -> Result<Staged> {
        if let Some(parent) = dest.parent() {
            create_private_dirs(parent)?;
        }
        let temp = temp_path_for(dest);
        let entries = vec![Pending::Tree(temp.clone())];
        Staged::create(dest, temp, true, false, entries, |temp| {
            DirBuilder::new().mode(0o700).create(temp).with_context(|| {
                format!(
                    "cannot write {}: its temporary folder {} cannot be created",
                    dest.display(),
                    temp.display()
                )
            })
        })
    }

    /// Registers the temporary and creates it while holding the registry, so a signal's
    /// cleanup runs either before it exists or after it is registered.
    fn create(
        dest: &Path,
        temp: PathBuf,
        tree: bool,
        sqlite: bool,
        entries: Vec<Pending>,
        make: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<Staged> {
        install_handler();
        let mut registry = pending();
        registry.extend_from_slice(&entries);
        let staged = Staged {
            dest: dest.to_path_buf(),
            temp,
            tree,
            sqlite,
            entries,
            done: false,
        };
        let made = make(&staged.temp);
        drop(registry);
        made.map(|()| staged)
    }

    /// Writes a new owner-only file at `relative` inside a staged folder (new subfolders
    /// 0700). Holds the registry while it writes, so a signal's cleanup never races it: the
    /// handler either finds the folder without this file or runs after it.
    pub fn write_in_folder(&self, relative: &Path, bytes: &[u8]) -> Result<()> {
        let path = self.temp.join(relative);
        let _registry = pending();
        if let Some(parent) = path.parent() {
            create_private_dirs(parent)?;
        }
        create_owner_only(&path)
            .and_then(|mut f| io::Write::write_all(&mut f, bytes))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The temporary path to write.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    pub fn destination(&self) -> &Path {
        &self.dest
    }

    /// Syncs the file (or every file and folder of the tree), puts it at the destination and
    /// syncs the destination's folder. `replace`: an existing file there is replaced (else
    /// the commit fails and nothing changes).
    pub fn commit(self, replace: bool) -> Result<()> {
        commit_all(vec![self], replace)
    }

    /// `database reset`: puts a staged SQLite database at its destination in place of the
    /// database there, taken down as `take_down_sqlite` does; true when there was one. The
    /// two steps are one against SIGINT/SIGTERM (they wait for both), so the name holds the
    /// old database whole, nothing (only SIGKILL in between), or the new one whole.
    pub fn commit_replacing(mut self) -> Result<bool> {
        if !self.sqlite {
            bail!("{} is not a SQLite database", self.temp.display());
        }
        sync_tree(&self.temp)
            .with_context(|| format!("cannot sync {} to disk", self.temp.display()))?;
        let registry = pending();
        let placed = lock_folder(&self.dest).and_then(|_folder| {
            let existed = take_down_locked(&self.dest)?;
            self.place_locked(false).map(|()| existed)
        });
        drop(registry);
        let synced = sync_dir(folder_of(&self.dest)).with_context(|| {
            format!(
                "cannot sync folder {} to disk",
                folder_of(&self.dest).display()
            )
        });
        placed.and_then(|existed| synced.map(|()| existed))
    }

    /// Puts the synced temporary at the destination (the caller holds the registry); a SQLite
    /// database while holding the folder's lock, after removing orphaned side files there.
    fn place(&mut self, replace: bool) -> Result<()> {
        if self.sqlite {
            let _folder = lock_folder(&self.dest)?;
            return self.place_locked(replace);
        }
        self.place_locked(replace)
    }

    /// `place` once the caller holds the registry and, for SQLite, the folder's lock.
    fn place_locked(&mut self, replace: bool) -> Result<()> {
        if self.sqlite && !replace {
            remove_orphaned_side_files(&self.dest)?;
        }
        // A SQLite temporary whose -wal still holds pages is not whole: its connection is open.
        for entry in &self.entries[1..] {
            if let Pending::File(side) = entry {
                if side.to_string_lossy().ends_with("-wal")
                    && fs::metadata(side).is_ok_and(|m| m.len() > 0)
                {
                    bail!(
                        "{} is still open (its -wal holds data): not put in place",
                        self.temp.display()
                    );
                }
            }
        }
        place(&self.temp, &self.dest, replace, self.tree)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        // The temporary SQLite side files (empty, or gone with the last connection).
        for entry in &self.entries[1..] {
            entry.remove();
        }
        self.done = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let mut registry = pending();
        if !self.done {
            for entry in &self.entries {
                entry.remove();
            }
        }
        unregister(&mut registry, &self.entries);
    }
}

/// Something a command made outside the file system that must not outlive a failure or a
/// signal, e.g. the PostgreSQL database `database reset` builds under a temporary name: until
/// `finish`, an error (the `Undo` dropped), SIGINT, SIGTERM or SIGHUP runs its undo step.
/// After SIGKILL it remains; the caller documents who removes it.
pub struct Undo {
    step: UndoStep,
    done: bool,
}

impl Undo {
    /// Runs `make` while holding the registry, and registers `undo` if it succeeded: a signal's
    /// cleanup runs before `make` started or after what it made is registered, never between.
    /// If `make` fails nothing is registered and nothing undone (what it found may be another
    /// process's).
    pub fn make(
        make: impl FnOnce() -> Result<()>,
        undo: impl Fn() + Send + Sync + 'static,
    ) -> Result<Undo> {
        install_handler();
        let mut registry = pending();
        make()?;
        let step = UndoStep(Arc::new(undo));
        registry.push(Pending::Undo(step.clone()));
        Ok(Undo { step, done: false })
    }

    /// Runs `last`, the step after which nothing is to be undone (putting the result in
    /// place), as one step against SIGINT/SIGTERM: a signal arriving meanwhile takes effect
    /// once it has finished. Succeeded: nothing is undone. Failed: the undo step runs.
    pub fn finish<T>(mut self, last: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut registry = pending();
        let result = last();
        if result.is_ok() {
            self.done = true;
            unregister(&mut registry, &[Pending::Undo(self.step.clone())]);
        }
        drop(registry);
        result
    }
}

impl Drop for Undo {
    fn drop(&mut self) {
        let mut registry = pending();
        if !self.done {
            (self.step.0)();
        }
        unregister(&mut registry, &[Pending::Undo(self.step.clone())]);
    }
}

/// Puts several staged files in place as one step against SIGINT/SIGTERM: a signal that
/// arrives meanwhile takes effect once all of them are in place. Files are synced first, so
/// only SIGKILL or a crash during the renames themselves can leave some placed and others not.
pub fn commit_all(mut staged: Vec<Staged>, replace: bool) -> Result<()> {
    for s in &staged {
        sync_tree(&s.temp).with_context(|| format!("cannot sync {} to disk", s.temp.display()))?;
    }
    let registry = pending();
    let mut result = Ok(());
    for s in &mut staged {
        if let Err(e) = s.place(replace) {
            result = Err(e);
            break;
        }
    }
    drop(registry);
    // Each folder synced once, after all renames: the window in which SIGKILL finds some
    // files placed and others not stays as short as the renames themselves.
    let mut folders: Vec<&Path> = staged.iter().filter_map(|s| s.dest.parent()).collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        if let Err(e) = sync_dir(folder) {
            result = result.and(
                Err(e).with_context(|| format!("cannot sync folder {} to disk", folder.display())),
            );
        }
    }
    result
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// agentdb processes placing or taking down a SQLite database in one folder take turns (an
/// exclusive `flock` on the folder, released when the returned file closes): "no database is
/// at this name, so its side files are orphans" then stays true until the new file is linked,
/// and another agentdb's database just linked there is never mistaken for an orphan's owner.
fn lock_folder(dest: &Path) -> Result<File> {
    let folder = folder_of(dest);
    let file =
        File::open(folder).with_context(|| format!("cannot open folder {}", folder.display()))?;
    loop {
        // SAFETY: flock(2) on a descriptor this function owns; it outlives the call.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(file);
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error).with_context(|| format!("cannot lock folder {}", folder.display()));
        }
    }
}

/// Removes `dest`'s `-journal`, `-wal` and `-shm` when no file is at `dest`: they belong to no
/// database, and SQLite would replay them into the next file given that name.
fn remove_orphaned_side_files(dest: &Path) -> Result<()> {
    match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => remove_side_files(dest),
        _ => Ok(()),
    }
}

fn remove_side_files(dest: &Path) -> Result<()> {
    for suffix in SQLITE_SIDE_FILES {
        let side = suffixed(dest, suffix);
        match fs::remove_file(&side) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot delete {}", side.display()))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Takes down the SQLite database at `dest` (resolved through symlinks, already checked to be a
/// SQLite file) and its side files; false when no file was there. See `take_down_locked`.
pub fn take_down_sqlite(dest: &Path) -> Result<bool> {
    let _folder = lock_folder(dest)?;
    let existed = take_down_locked(dest)?;
    sync_dir(folder_of(dest))
        .with_context(|| format!("cannot sync folder {} to disk", folder_of(dest).display()))?;
    Ok(existed)
}

/// The file is renamed away first (`.NAME.agentdb-tmp-PID-dropped`), then the side files at
/// its name are removed (`-journal`, `-wal`, `-shm` last), then the renamed file. Cut short
/// anywhere, the name never holds the database without its `-wal` (a file missing committed
/// pages, or torn by a checkpoint the `-wal` would finish); what can be left is side files
/// with no database, which the next database placed there removes first, and after SIGKILL
/// the clearly named renamed file. The caller holds the folder's lock.
fn take_down_locked(dest: &Path) -> Result<bool> {
    let mut retired = temp_path_for(dest).into_os_string();
    retired.push("-dropped");
    let retired = PathBuf::from(retired);
    let existed = match fs::rename(dest, &retired) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e).with_context(|| format!("cannot delete {}", dest.display())),
    };
    remove_side_files(dest)?;
    if existed {
        fs::remove_file(&retired)
            .with_context(|| format!("cannot delete {}", retired.display()))?;
    }
    Ok(existed)
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `temp` to `dest`. Without `replace` a file is hard-linked (which fails rather than
/// replaces an existing file) and its temporary name removed; where the file system has no
/// hard links, and for folders, renamed after checking nothing is there.
fn place(temp: &Path, dest: &Path, replace: bool, tree: bool) -> io::Result<()> {
    if replace {
        return fs::rename(temp, dest);
    }
    if !tree {
        match fs::hard_link(temp, dest) {
            Ok(()) => return fs::remove_file(temp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
            Err(_) => {}
        }
    }
    if fs::symlink_metadata(dest).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a file appeared there meanwhile",
        ));
    }
    fs::rename(temp, dest)
}

fn sync_tree(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        for entry in fs::read_dir(path)? {
            sync_tree(&entry?.path())?;
        }
        sync_dir(path)
    } else {
        File::open(path)?.sync_all()
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()
}

/// Whether `error` is a commit (without replace) that found a file already at the
/// destination: another process put its own there first.
pub fn already_exists(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::AlreadyExists)
    })
}

/// A new SQLite database to be built by `copy`, `migrate` or `database create`: when `target`
/// is a SQLite file that does not exist yet, the staged temporary file and the target to build
/// it at. `None` for an existing file (its own transaction protects it), memory and PostgreSQL.
pub fn stage_new_sqlite(target: &Target) -> Result<Option<(Staged, Target)>> {
    stage_sqlite(target, false)
}

/// `database reset`: a SQLite database staged beside `target`'s file whether or not that
/// exists, to be put in its place by `Staged::commit_replacing`. `None` for memory and
/// PostgreSQL.
pub fn stage_sqlite_replacement(target: &Target) -> Result<Option<(Staged, Target)>> {
    stage_sqlite(target, true)
}

fn stage_sqlite(target: &Target, replacing: bool) -> Result<Option<(Staged, Target)>> {
    let Target::Sqlite(SqliteLocation::File(path)) = target else {
        return Ok(None);
    };
    let dest = resolve_links(path)?;
    if !replacing && fs::symlink_metadata(&dest).is_ok() {
        return Ok(None);
    }
    let staged = Staged::file(&dest, true).with_context(|| {
        if dest == *path {
            format!("cannot create the database {}", path.display())
        } else {
            format!(
                "cannot create the database {} (a symlink to {})",
                path.display(),
                dest.display()
            )
        }
    })?;
    let temp = Target::Sqlite(SqliteLocation::File(staged.path().to_path_buf()));
    Ok(Some((staged, temp)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_sit_beside_the_destination_and_say_what_they_are() {
        let temp = temp_path_for(Path::new("/data/backups/x.db"));
        assert_eq!(temp.parent(), Some(Path::new("/data/backups")));
        let name = temp.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".x.db.agentdb-tmp-"), "{name}");
        assert!(name.ends_with(&std::process::id().to_string()), "{name}");
    }

    #[test]
    fn a_dropped_stage_leaves_nothing_and_a_committed_one_appears_whole() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/out.json");
        let staged = Staged::file(&dest, false).unwrap();
        fs::write(staged.path(), b"{}").unwrap();
        drop(staged);
        assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 0);

        let staged = Staged::file(&dest, false).unwrap();
        fs::write(staged.path(), b"{\"a\":1}").unwrap();
        staged.commit(false).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"{\"a\":1}");
        assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);
        assert!(pending().is_empty());

        // Without replace an existing file is kept.
        let staged = Staged::file(&dest, false).unwrap();
        fs::write(staged.path(), b"new").unwrap();
        assert!(staged.commit(false).is_err());
        assert_eq!(fs::read(&dest).unwrap(), b"{\"a\":1}");
        assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);
    }

    #[test]
    fn dangling_symlinks_resolve_to_the_file_they_name() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink("real/target.db", &link).unwrap();
        assert_eq!(
            resolve_links(&link).unwrap(),
            dir.path().join("real/target.db")
        );
        let plain = dir.path().join("plain.db");
        assert_eq!(resolve_links(&plain).unwrap(), plain);
    }
}
