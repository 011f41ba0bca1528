//! The command line: every command, its flags and their help text.

use clap::{Parser, Subcommand};

/// Static site generator for Vietnamese local-government portals.
#[derive(Debug, Parser)]
#[command(name = "cong", version, about)]
pub struct Cli {
    /// Print more detail (phase timings, files written).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The default log filter for the chosen verbosity.
    pub fn log_level(&self) -> &'static str {
        if self.verbose {
            "debug"
        } else {
            "info"
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal into the output folder.
    Build,
    /// Run or query the access-counter service (Thống kê truy cập).
    Counter {
        #[command(subcommand)]
        command: crate::counter::CounterCommand,
    },
}
