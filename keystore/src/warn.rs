//! The warning about plain key files: once per file per process, on stderr.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files a process has warned about.
struct Warned(Mutex<BTreeSet<PathBuf>>);

impl Warned {
    const fn new() -> Self {
        Warned(Mutex::new(BTreeSet::new()))
    }

    /// True the first time it sees `path`.
    fn first_time(&self, path: &Path) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.insert(path.to_path_buf())
    }
}

static WARNED: Warned = Warned::new();

/// The warning for a plain key file.
pub fn plain_warning(path: &Path) -> String {
    let p = path.display();
    format!("warning: key file {p} is not encrypted: `shuquan keys encrypt {p}` protects it")
}

/// Prints [`plain_warning`] to stderr, the first time this process loads `path` only.
pub fn warn_plain_once(path: &Path) {
    if WARNED.first_time(path) {
        eprintln!("{}", plain_warning(path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_is_warned_about_once() {
        let w = Warned::new();
        assert!(w.first_time(Path::new("a.key")));
        assert!(!w.first_time(Path::new("a.key")));
        assert!(w.first_time(Path::new("b.key")));
        assert!(!w.first_time(Path::new("a.key")));
        assert!(!w.first_time(Path::new("b.key")));
    }

    #[test]
    fn the_warning_names_the_file_and_the_command_that_protects_it() {
        assert_eq!(
            plain_warning(Path::new("keys/org1.key")),
            "warning: key file keys/org1.key is not encrypted: \
             `shuquan keys encrypt keys/org1.key` protects it"
        );
    }
}
