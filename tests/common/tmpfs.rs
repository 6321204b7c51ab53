//! A small tmpfs of a test's own (root only), for full-disk and read-only-mount cases.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Mounted on a fresh temporary folder; unmounted on drop. `None`, with a loud note, where it
/// cannot be mounted (not root, or no mount permission in the container).
pub struct Tmpfs {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    pub fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::TempDir::new().unwrap();
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let ok = root
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("\n!!!!!!!! SKIPPED: cannot mount a tmpfs here (needs root); full-disk and read-only-mount cases not run !!!!!!!!\n");
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
