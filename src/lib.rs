//! cong: a static site generator for the information portals of Vietnamese local government.

pub mod cli;
pub mod counter;

/// Runs one command of the command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    match cli.command {
        cli::Command::Build => Ok(()),
        cli::Command::Counter { command } => counter::run(command),
    }
}
