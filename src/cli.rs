//! The command line: every command, its flags and their help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Static site generator for the information portals of Vietnamese local government.
#[derive(Debug, Parser)]
#[command(name = "cong", version, about, propagate_version = true)]
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
    /// Build the portal into the output folder (`public/` by default).
    Build(BuildArgs),
    /// Validate everything a build validates, without writing anything.
    Check(CheckArgs),
    /// Build the portal and serve it on this machine for preview.
    Serve(ServeArgs),
    /// Create a new portal in DIR that builds at once.
    Init {
        /// The folder to create (must be empty or not exist).
        dir: PathBuf,
    },
    /// Create new content.
    #[command(subcommand)]
    New(NewCommand),
    /// Run or query the access-counter service (Thống kê truy cập).
    Counter {
        #[command(subcommand)]
        command: crate::counter::CounterCommand,
    },
}

/// Where the portal is and what to include.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// The portal's root folder, holding `content/` and optionally `themes/`.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include drafts and future-dated articles.
    #[arg(long)]
    pub drafts: bool,
    /// The moment the build takes as now (RFC 3339, e.g. 2026-01-01T00:00:00+07:00);
    /// defaults to $SOURCE_DATE_EPOCH, else the clock.
    #[arg(long)]
    pub now: Option<String>,
}

/// `cong check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Fail (non-zero exit) on warnings too, such as links not verified recently.
    #[arg(long)]
    pub strict: bool,
    /// Also request every procedure's link on the public-service portals and report
    /// those that answer with an error or do not answer.
    #[arg(long)]
    pub external: bool,
    /// How many seconds to wait for each link with `--external`.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
}

/// `cong build`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The folder to write the site into (default: `<root>/public`).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The address the site will be served from, overriding `base_url` in site.yaml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Add the live preview's reload script to every page, as `cong serve` does (to
    /// compare a preview with a full build).
    #[arg(long, hide = true)]
    pub preview_script: bool,
    /// Bake the latest access counts into the pages, read from this SQLite database of
    /// `cong counter serve --db`.
    #[arg(long, value_name = "FILE", conflicts_with = "counter_url")]
    pub counter_db: Option<PathBuf>,
    /// Bake the latest access counts into the pages, read from the `cong counter serve`
    /// running at this address (e.g. http://127.0.0.1:8787).
    #[arg(long, value_name = "URL")]
    pub counter_url: Option<String>,
}

/// `cong serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The port to listen on.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on; only this machine can connect by default.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the portal in the web browser.
    #[arg(long)]
    pub open: bool,
    /// Also write the preview into this folder after each rebuild (by default it stays in memory).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Do not move the browser to the article just saved; only reload the open page.
    #[arg(long)]
    pub no_follow: bool,
}

/// `cong new`.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Create an article with complete front matter: `cong new article "Tiêu đề có dấu"`.
    Article {
        /// The title, in Vietnamese with its tones.
        title: String,
        /// The portal's root folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The unit's folder under `content/` (default: the portal's own unit).
        #[arg(long)]
        unit: Option<PathBuf>,
        /// The category (default: the first declared in site.yaml).
        #[arg(long)]
        category: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
