//! `cong counter`: the access-counter service behind the *Thống kê truy cập* block.
//!
//! A static site cannot count its visitors, so this small HTTP service does it: pages post a
//! hit for their unit and path, and read back online-now, today, yesterday, this week, this
//! month and the total. It accepts only the units, pages and origins listed in the
//! `cong-counter.json` file that `cong build` writes, keeps counts in SQLite (one file) or in
//! Redis (shared by several instances), and stores no address or user agent. This module
//! owns the command line of the service and wires the parts together; `http` holds the
//! requests, `store` the counts, `privacy` the digests and robot list, `ratelimit` the
//! per-client limit and `period` the Vietnamese calendar.

mod http;
mod period;
mod privacy;
mod ratelimit;
mod store;
mod targets;
pub mod widget;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use clap::{Args, Subcommand};

use self::http::App;
use self::period::vietnam_timestamp;
use self::ratelimit::RateLimiter;
use self::store::{RedisStore, SqliteStore, Store};
use self::targets::Targets;

/// The `cong counter` commands.
#[derive(Debug, Subcommand)]
pub enum CounterCommand {
    /// Run the counting service.
    Serve(ServeArgs),
    /// Print the current counts of every unit as JSON (for baking into pages).
    Snapshot(SnapshotArgs),
}

/// Where the counts are kept.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct StoreArgs {
    /// SQLite database file (created if missing). The default store.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Redis URL, e.g. redis://127.0.0.1:6379/, to share counts between several instances.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
}

/// Options of `cong counter serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// The `cong-counter.json` file written by `cong build`: units, pages and origins.
    #[arg(long, value_name = "FILE")]
    pub targets: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Visitors seen within this many minutes count as online now.
    #[arg(long, default_value_t = 5, value_name = "MINUTES")]
    pub online_minutes: u32,
    /// Requests per minute allowed per client (hits and stats together); 0 turns it off.
    #[arg(long, default_value_t = 120, value_name = "N")]
    pub rate_limit: u32,
    /// An origin allowed besides those in the targets file, e.g. https://example.gov.vn
    /// (repeatable).
    #[arg(long = "allowed-origin", value_name = "URL")]
    pub allowed_origins: Vec<String>,
    /// Take the client address from the last entry of X-Forwarded-For (only behind a
    /// reverse proxy that sets it).
    #[arg(long)]
    pub trust_proxy: bool,
    /// Make SQLite flush every commit to disk (survives a power cut; slower).
    #[arg(long)]
    pub fsync: bool,
}

/// Options of `cong counter snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Visitors seen within this many minutes count as online now.
    #[arg(long, default_value_t = 5, value_name = "MINUTES")]
    pub online_minutes: u32,
}

/// Runs one `cong counter` command on its own async runtime.
pub fn run(command: CounterCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    match command {
        CounterCommand::Serve(args) => runtime.block_on(serve(args)),
        CounterCommand::Snapshot(args) => {
            let window = minutes(args.online_minutes);
            let snapshot = runtime.block_on(async {
                match (&args.store.db, &args.store.redis) {
                    (_, Some(url)) => snapshot(&RedisStore::connect(url, window).await?).await,
                    (db, None) => {
                        let path = db.as_deref().unwrap_or(Path::new(DEFAULT_DB));
                        snapshot(&open_existing_sqlite(path, window)?).await
                    }
                }
            })?;
            println!("{}", serde_json::to_string_pretty(&snapshot)?);
            Ok(())
        }
    }
}

/// The counts of every unit in a SQLite counter database, as `cong counter snapshot`
/// prints them: `{"as_of": "...+07:00", "units": {"/": {"online": 0, "today": 1, ...}}}`.
pub fn snapshot_from_sqlite(path: &Path) -> anyhow::Result<serde_json::Value> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let store = open_existing_sqlite(path, minutes(5))?;
    runtime.block_on(snapshot(&store))
}

const DEFAULT_DB: &str = "counter.sqlite";

fn minutes(n: u32) -> Duration {
    Duration::from_secs(u64::from(n.max(1)) * 60)
}

fn open_existing_sqlite(path: &Path, window: Duration) -> anyhow::Result<SqliteStore> {
    if !path.is_file() {
        anyhow::bail!(
            "no counter database at `{}`; pass the file used by `cong counter serve --db`",
            path.display()
        );
    }
    SqliteStore::open(path, window, false)
}

async fn snapshot<S: Store>(store: &S) -> anyhow::Result<serde_json::Value> {
    let now = Utc::now();
    let mut units = serde_json::Map::new();
    for unit in store.units().await? {
        let counts = store.counts(&unit, None, now).await?;
        units.insert(unit, serde_json::to_value(counts)?);
    }
    Ok(serde_json::json!({ "as_of": vietnam_timestamp(now), "units": units }))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let targets = Targets::load(&args.targets, &args.allowed_origins)?;
    log::info!(
        "accepting {} unit(s), {} page(s) and {} origin(s) from `{}`",
        targets.unit_count(),
        targets.page_count(),
        targets.origin_count(),
        args.targets.display()
    );
    let window = minutes(args.online_minutes);
    match &args.store.redis {
        Some(url) => {
            let store = RedisStore::connect(url, window).await?;
            listen(store, targets, &args).await
        }
        None => {
            let path = args.store.db.as_deref().unwrap_or(Path::new(DEFAULT_DB));
            let store = SqliteStore::open(path, window, args.fsync)?;
            listen(store, targets, &args).await
        }
    }
}

async fn listen<S: Store>(store: S, targets: Targets, args: &ServeArgs) -> anyhow::Result<()> {
    store
        .health()
        .await
        .with_context(|| format!("{} is not usable", store.describe()))?;
    let describe = store.describe();
    let app = Arc::new(App::new(
        store,
        targets,
        RateLimiter::new(args.rate_limit),
        args.trust_proxy,
    ));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}; is the port in use?", args.listen))?;
    let address = listener.local_addr()?;
    log::info!("counting in {describe}");
    println!("cong counter: listening on http://{address}");
    axum::serve(
        listener,
        http::router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the HTTP server failed")?;
    log::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::cli::{Cli, Command};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn one_store_at_a_time() {
        let both = [
            "cong",
            "counter",
            "serve",
            "--targets",
            "t.json",
            "--db",
            "a",
            "--redis",
            "b",
        ];
        assert!(Cli::try_parse_from(both).is_err());
        let cli = Cli::try_parse_from(["cong", "counter", "serve", "--targets", "t.json"]).unwrap();
        match cli.command {
            Command::Counter {
                command: super::CounterCommand::Serve(args),
            } => {
                assert_eq!(args.listen.to_string(), "127.0.0.1:8787");
                assert_eq!((args.online_minutes, args.rate_limit), (5, 120));
            }
            other => panic!("parsed as {other:?}"),
        }
    }
}
