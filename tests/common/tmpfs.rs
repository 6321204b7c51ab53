//! A small tmpfs of a test's own (root only), for full-disk and read-only-mount cases: the one
//! helper every test file uses.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{in_ci, is_root};

/// Mounted on a fresh temporary folder; unmounted on drop (then the folder is removed).
pub struct Tmpfs {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None`, with a loud note naming `what` was not run, where this process may not mount
    /// (not root); in CI as root a refused mount fails the test.
    pub fn mount(size: &str, what: &str) -> Option<Tmpfs> {
        let dir = tempfile::TempDir::new().unwrap();
        let root = is_root();
        let mounted = root
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
        if !mounted {
            assert!(
                !(root && in_ci()),
                "CI=true as root: mounting a tmpfs must work ({what})"
            );
            eprintln!(
                "\n!!!!!!!! SKIPPED: cannot mount a tmpfs here (needs root): {what} not run !!!!!!!!\n"
            );
            return None;
        }
        Some(Tmpfs {
            path: dir.path().to_path_buf(),
            _dir: dir,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn remount_read_only(&self) {
        assert!(Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.path)
            .status()
            .unwrap()
            .success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}
