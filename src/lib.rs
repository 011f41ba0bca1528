//! cong: a static site generator for the information portals of Vietnamese local
//! government, from Markdown articles and YAML data to a complete, accessible portal.

pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod counter;
pub mod error;
pub mod feeds;
pub mod fs;
pub mod markdown;
pub mod messages;
pub mod output;
pub mod procedures;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod statistics;
pub mod text;
pub mod theme;
pub mod yaml;

/// Runs one command of the command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    use cli::Command;
    match cli.command {
        Command::Build(args) => commands::build(&args),
        Command::Check(args) => commands::check(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Init { dir } => commands::init(&dir),
        Command::New(cli::NewCommand::Article {
            title,
            root,
            unit,
            category,
        }) => commands::new_article(&root, unit.as_deref(), category.as_deref(), &title),
        Command::Counter { command } => counter::run(command),
    }
}
