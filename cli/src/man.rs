//! `shuquan man --out DIR`: man pages in section 1 for `shuquan` and each of its
//! subcommands (`shuquan.1`, `shuquan-tx.1`, `shuquan-tx-register.1`, ...), generated with
//! clap_mangen from the same definition as `--help`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;
use serde_json::json;

use crate::Ctx;

/// The arguments of `shuquan man`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The directory to write the pages into (created if missing), e.g.
    /// /usr/local/share/man/man1.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Writes the pages and prints the directory and the files written.
pub(crate) fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let pages = write_pages(&args.out)?;
    crate::output::print(ctx, &json!({"dir": args.out, "pages": pages}))
}

/// Writes one page for `shuquan` and one for every visible subcommand, at every depth;
/// returns the file names.
fn write_pages(dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // The package is `shuquan-cli`; the program and its pages are `shuquan`.
    let mut cmd = crate::Cli::command()
        .name("shuquan")
        .bin_name("shuquan")
        .disable_help_subcommand(true);
    // Building names each subcommand's page after its full path (`shuquan-tx-register`).
    cmd.build();
    let mut pages = Vec::new();
    write_tree(&cmd, dir, &mut pages)?;
    Ok(pages)
}

fn write_tree(cmd: &clap::Command, dir: &Path, pages: &mut Vec<String>) -> anyhow::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone()).manual("Shuquan Manual");
    let name = man.get_filename();
    let path = man
        .generate_to(dir)
        .with_context(|| format!("writing {}", dir.join(&name).display()))?;
    pages.push(
        path.file_name()
            .map_or(name, |n| n.to_string_lossy().into_owned()),
    );
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_tree(sub, dir, pages)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn pages_are_named_after_the_full_command_path() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("man1");
        let pages = write_pages(&dir).unwrap();
        assert_eq!(pages.first().map(String::as_str), Some("shuquan.1"));
        for page in [
            "shuquan-tx.1",
            "shuquan-tx-register.1",
            "shuquan-keys-new.1",
        ] {
            assert!(pages.iter().any(|p| p == page), "{page} not in {pages:?}");
            assert!(dir.join(page).is_file());
        }
    }
}
