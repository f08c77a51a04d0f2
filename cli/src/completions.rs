//! `shuquan completions SHELL`: the shell completion script for every command and flag,
//! generated from the same clap definition as `--help` and the man pages.

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

/// The arguments of `shuquan completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Prints the completion script for `args.shell` to stdout.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let text = script(args.shell)?;
    out!("{text}");
    Ok(())
}

/// The completion script of `shuquan` for `shell`.
fn script(shell: Shell) -> anyhow::Result<String> {
    // The package is `shuquan-cli`; the program is `shuquan`.
    let mut cmd = crate::Cli::command().name("shuquan");
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "shuquan", &mut buf);
    String::from_utf8(buf).context("the generated completion script is not UTF-8")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_binary() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = script(shell).unwrap();
            assert!(text.contains("shuquan"), "{shell}: {text}");
        }
    }
}
