//! `cong serve`: the live preview.
//!
//! The portal is built in memory with the server's own address as its base URL and
//! served from there, so `public/` is never touched unless `--output` asks for it.
//! A watcher turns file-system events into [`Change`]s; settings and units rebuild
//! everything, any other change goes through [`Site::update`], which re-reads only the
//! changed files and re-renders only the pages whose inputs changed. Each page carries a
//! small script that listens on `/__cong/events` and reloads (or follows the editor to
//! the article just saved), or shows the build's errors over the last good page.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use notify::RecursiveMode;
use notify_debouncer_full::new_debouncer;
use tokio::sync::broadcast;
use tokio_stream::StreamExt as _;

use crate::cli::ServeArgs;
use crate::content::{self, SITE_FILE, UNIT_FILE};
use crate::output::{File, Output};
use crate::site::{BuildOptions, Site};

type Watcher = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// How long the watcher waits for a burst of saves to settle.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// How long the preview waits after an update, with no newer change, before it indexes
/// the site for search again (in the background, after the reload).
const SEARCH_DELAY: Duration = Duration::from_millis(250);

/// What the builder's thread waits for.
enum Message {
    /// A batch of file-system events from the watcher.
    Files(notify_debouncer_full::DebounceEventResult),
    /// A search index built in the background from the site at the given update.
    Search(u64, crate::search::Indexed),
}

/// A file-system event, as the rebuild sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `site.yaml` or a unit's `_unit.yaml`: everything is read again.
    Config(PathBuf),
    /// A unit's data in YAML (statistics, procedures, documents, calendar): everything
    /// is read again, and the pages whose data changed are rendered.
    Data(PathBuf),
    /// An article or page (added, edited, renamed, deleted).
    Document(PathBuf),
    /// A template, interface strings or asset of the theme.
    Theme(PathBuf),
    /// Any other file or folder under `content/` (images, attached files, folders).
    Asset(PathBuf),
}

impl Change {
    /// Classifies a path relative to the portal root; `None` for what is not input
    /// (editor swap and backup files, hidden files).
    pub fn classify(rel: &Path) -> Option<Change> {
        if rel
            .components()
            .any(|c| content::is_ignored(&c.as_os_str().to_string_lossy()))
        {
            return None;
        }
        let name = rel.file_name()?.to_string_lossy();
        let path = rel.to_path_buf();
        if rel.starts_with("themes") {
            Some(Change::Theme(path))
        } else if !rel.starts_with("content") {
            None
        } else if name == UNIT_FILE || rel == Path::new("content").join(SITE_FILE) {
            Some(Change::Config(path))
        } else if name.ends_with(".md") {
            Some(Change::Document(path))
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            Some(Change::Data(path))
        } else {
            Some(Change::Asset(path))
        }
    }

    fn path(&self) -> &Path {
        match self {
            Change::Config(p)
            | Change::Data(p)
            | Change::Document(p)
            | Change::Theme(p)
            | Change::Asset(p) => p,
        }
    }
}

/// The script the preview adds to every page. `follow` moves the browser to the
/// article just saved.
pub fn reload_script(follow: bool) -> String {
    format!(
        "<script id=\"cong-preview\">{}{}</script>\n",
        if follow {
            "var congFollow=true;"
        } else {
            "var congFollow=false;"
        },
        include_str!("preview.js")
    )
}

/// What the server shows: the last good site and the state of the last build.
#[derive(Clone, Default)]
struct Snapshot {
    output: Arc<Output>,
    generation: u64,
    errors: Vec<String>,
    rendered: usize,
    /// The search index is being brought up to date with the last update.
    indexing: bool,
}

#[derive(Clone)]
struct App {
    snapshot: Arc<RwLock<Snapshot>>,
    events: broadcast::Sender<(String, String)>,
}

/// Runs the preview server until interrupted.
pub fn run(args: &ServeArgs) -> Result<()> {
    let addr: SocketAddr = format!("{}:{}", args.bind, args.port)
        .parse()
        .with_context(|| format!("`{}` is not an address to listen on", args.bind))?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let base_url = format!("http://{host}:{}", addr.port());
    let mut options =
        crate::commands::options(&args.source, args.output.as_deref(), Some(&base_url))?;
    options.inject = Some(reload_script(!args.no_follow));
    let write_to = args.output.clone();

    let (events, _) = broadcast::channel(64);
    let app = App {
        snapshot: Arc::new(RwLock::new(Snapshot::default())),
        events,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let mut builder = Builder {
        options,
        site: None,
        memo: HashMap::new(),
        pending: BTreeSet::new(),
        full: true,
        write_to,
        app: app.clone(),
        updates: 0,
        search_due: None,
        indexing: false,
        messages: tx.clone(),
    };
    builder.rebuild(&[]);

    let mut debouncer = new_debouncer(DEBOUNCE, None, move |batch| {
        let _ = tx.send(Message::Files(batch));
    })
    .context("failed to start watching files")?;
    let root = std::fs::canonicalize(&args.source.root)
        .with_context(|| format!("failed to open `{}`", args.source.root.display()))?;
    let watch = |debouncer: &mut Watcher, path: &Path, mode| {
        debouncer
            .watch(path, mode)
            .with_context(|| format!("failed to watch `{}`", path.display()))
    };
    watch(
        &mut debouncer,
        &root.join("content"),
        RecursiveMode::Recursive,
    )?;
    // The root itself, to see `themes/` appear.
    watch(&mut debouncer, &root, RecursiveMode::NonRecursive)?;
    let themes = root.join("themes");
    let mut watching_themes = themes.is_dir();
    if watching_themes {
        watch(&mut debouncer, &themes, RecursiveMode::Recursive)?;
    }
    std::thread::spawn(move || loop {
        // Waits for the next change, or until the search index is due.
        let message = match builder.search_due {
            Some(due) if !builder.indexing => {
                match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(m) => m,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        builder.start_search();
                        continue;
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            _ => match rx.recv() {
                Ok(m) => m,
                Err(_) => break,
            },
        };
        match message {
            Message::Search(update, indexed) => builder.finish_search(update, indexed),
            Message::Files(Ok(batch)) => {
                if !watching_themes && themes.is_dir() {
                    watching_themes =
                        watch(&mut debouncer, &themes, RecursiveMode::Recursive).is_ok();
                }
                let changes: Vec<Change> = batch
                    .iter()
                    .filter(|e| is_edit(&e.event.kind))
                    .flat_map(|e| e.event.paths.iter())
                    .filter_map(|p| p.strip_prefix(&root).ok())
                    .filter_map(Change::classify)
                    .collect();
                if !changes.is_empty() {
                    builder.rebuild(&changes);
                }
            }
            Message::Files(Err(_)) => {}
        }
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("failed to listen on {addr}"))?;
        let router = Router::new()
            .route("/__cong/events", get(event_stream))
            .route("/__cong/status", get(status))
            .route("/__cong/manifest", get(manifest))
            .fallback(get(file))
            .with_state(app);
        log::info!("serving the portal at {base_url}/ (press Ctrl+C to stop)");
        if args.open {
            if let Err(e) = open::that(format!("{base_url}/")) {
                log::warn!("could not open a browser: {e}");
            }
        }
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the preview server stopped")
    })
}

/// Whether an event changes a file: reading files (as a build does) is no change.
fn is_edit(kind: &notify::EventKind) -> bool {
    use notify::event::{EventKind, ModifyKind};
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        _ => false,
    }
}

/// Owns the site between rebuilds.
struct Builder {
    options: BuildOptions,
    site: Option<Site>,
    memo: HashMap<String, u64>,
    /// Changes not yet built successfully: kept until a build succeeds, so that a
    /// broken file is read again on the next save of any file.
    pending: BTreeSet<PathBuf>,
    full: bool,
    write_to: Option<PathBuf>,
    app: App,
    /// Counts the updates, good or not: a search index built from an older one is stale.
    updates: u64,
    /// When to index the site for search again, when the index is out of date.
    search_due: Option<Instant>,
    /// A search index is being built in the background.
    indexing: bool,
    messages: std::sync::mpsc::Sender<Message>,
}

impl Builder {
    fn rebuild(&mut self, changes: &[Change]) {
        let started = Instant::now();
        for c in changes {
            self.full |= matches!(c, Change::Config(_) | Change::Data(_))
                || self.site.as_ref().is_some_and(|s| {
                    s.content
                        .units
                        .iter()
                        .any(|u| Path::new("content").join(&u.dir).starts_with(c.path()))
                });
            self.pending.insert(c.path().to_path_buf());
        }
        self.updates += 1;
        let incremental = self.site.is_some() && !self.full;
        let result = match (&mut self.site, self.full) {
            (Some(site), false) => site.update(&self.pending, &mut self.memo),
            _ => {
                let previous = self.site.as_ref().map(|s| s.output.clone());
                let pages_before = self.memo.clone();
                Site::build_with(self.options.clone(), &mut self.memo, previous).map(|site| {
                    self.site = Some(site);
                    self.memo
                        .iter()
                        .filter(|(k, v)| pages_before.get(*k) != Some(v))
                        .count()
                })
            }
        };
        // An update keeps the previous search index; a full build makes a new one.
        self.search_due = match result {
            Ok(_) if incremental => Some(Instant::now() + SEARCH_DELAY),
            _ => None,
        };
        let mut snapshot = self.app.snapshot.write().unwrap_or_else(|e| e.into_inner());
        snapshot.generation += 1;
        snapshot.indexing = self.search_due.is_some();
        match result {
            Ok(rendered) => {
                self.pending.clear();
                self.full = false;
                let Some(site) = &mut self.site else { return };
                site.defer_search = true;
                let total = site.output.pages();
                if !changes.is_empty() {
                    log::info!(
                        "rebuilt in {:.0?}: {rendered} of {total} pages re-rendered",
                        started.elapsed()
                    );
                }
                snapshot.output = Arc::new(site.output.clone());
                snapshot.errors.clear();
                snapshot.rendered = rendered;
                if let Some(dir) = &self.write_to {
                    if let Err(e) = site.write_to(dir) {
                        log::error!("{e:#}");
                    }
                }
                let followed = changes.iter().rev().find_map(|c| match c {
                    Change::Document(p) => site
                        .content
                        .documents
                        .iter()
                        .find(|d| &d.source == p)
                        .map(|d| site.base.url(&d.url)),
                    _ => None,
                });
                let data =
                    serde_json::json!({ "generation": snapshot.generation, "path": followed })
                        .to_string();
                let _ = self.app.events.send(("reload".into(), data));
                log::debug!("reload sent at {:.1?}", started.elapsed());
            }
            Err(err) => {
                let messages: Vec<String> = match err.downcast_ref::<crate::error::InputErrors>() {
                    Some(list) => list.0.iter().map(ToString::to_string).collect(),
                    None => vec![format!("{err:#}")],
                };
                for m in &messages {
                    log::error!("{m}");
                }
                snapshot.errors = messages.clone();
                let data =
                    serde_json::json!({ "generation": snapshot.generation, "messages": messages })
                        .to_string();
                let _ = self.app.events.send(("failed".into(), data));
            }
        }
    }
}

impl Builder {
    /// Starts building the search index of the site as it is now, in the background.
    fn start_search(&mut self) {
        self.search_due = None;
        let Some(site) = &self.site else { return };
        let input = site.search_input();
        let update = self.updates;
        let messages = self.messages.clone();
        self.indexing = true;
        std::thread::spawn(move || {
            let indexed = background_pool().install(|| input.build());
            let _ = messages.send(Message::Search(update, indexed));
        });
    }

    /// Puts the search index built in the background in place, unless the site changed
    /// since (a newer update has already asked for another).
    fn finish_search(&mut self, update: u64, indexed: crate::search::Indexed) {
        self.indexing = false;
        if update != self.updates {
            log::debug!("search refresh: stale, dropped");
            return;
        }
        let Some(site) = &mut self.site else { return };
        let result = site.refresh_search(indexed, &mut self.memo);
        let mut snapshot = self.app.snapshot.write().unwrap_or_else(|e| e.into_inner());
        snapshot.indexing = false;
        match result {
            Ok(_) => {
                snapshot.generation += 1;
                snapshot.output = Arc::new(site.output.clone());
                if let Some(dir) = &self.write_to {
                    if let Err(e) = site.write_to(dir) {
                        log::error!("{e:#}");
                    }
                }
            }
            Err(e) => log::error!("search index: {e:#}"),
        }
    }
}

/// The threads that index the site for search in the background, at the lowest
/// priority so that they never slow down the next update.
fn background_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("cong-search-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .expect("failed to start the search threads")
    })
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: setpriority on the calling thread only changes its scheduling priority.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

async fn event_stream(State(app): State<App>) -> impl IntoResponse {
    let current = {
        let s = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
        if s.errors.is_empty() {
            (
                "hello".to_owned(),
                serde_json::json!({ "generation": s.generation }).to_string(),
            )
        } else {
            (
                "failed".to_owned(),
                serde_json::json!({ "generation": s.generation, "messages": s.errors }).to_string(),
            )
        }
    };
    let first = tokio_stream::once(current);
    let rest =
        tokio_stream::wrappers::BroadcastStream::new(app.events.subscribe()).filter_map(Result::ok);
    let stream = first.chain(rest).map(|(name, data)| {
        Ok::<_, std::convert::Infallible>(Event::default().event(name).data(data))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn status(State(app): State<App>) -> impl IntoResponse {
    let s = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
    Json(serde_json::json!({
        "generation": s.generation,
        "ok": s.errors.is_empty(),
        "errors": s.errors,
        "rendered": s.rendered,
        "pages": s.output.pages(),
        "indexing": s.indexing,
    }))
}

async fn manifest(State(app): State<App>) -> impl IntoResponse {
    let s = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
    Json(s.output.paths().map(str::to_owned).collect::<Vec<_>>())
}

/// The output path a request asks for, or `None` for anything that tries to leave
/// the site (`..`, encoded or not, backslashes, NUL).
pub fn request_path(uri_path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(uri_path)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\\')
        || decoded.contains('\0')
        || decoded.split('/').any(|s| s == ".." || s == ".")
    {
        return None;
    }
    let mut key = decoded.trim_start_matches('/').to_owned();
    if key.is_empty() || key.ends_with('/') {
        key.push_str("index.html");
    }
    Some(key)
}

async fn file(State(app): State<App>, uri: Uri) -> Response {
    let output = app
        .snapshot
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .output
        .clone();
    let Some(key) = request_path(uri.path()) else {
        return not_found(&output).await;
    };
    if output.get(&key).is_none() && output.get(&format!("{key}/index.html")).is_some() {
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, format!("{}/", uri.path()))],
        )
            .into_response();
    }
    match output.get(&key) {
        Some(f) => respond(StatusCode::OK, &key, f).await,
        None => not_found(&output).await,
    }
}

async fn not_found(output: &Output) -> Response {
    match output.get("404.html") {
        Some(f) => respond(StatusCode::NOT_FOUND, "404.html", f).await,
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn respond(status: StatusCode, key: &str, file: &File) -> Response {
    let bytes = match file {
        File::Bytes(b) => b.as_ref().clone(),
        File::Copy(source) => match tokio::fs::read(source).await {
            Ok(b) => b,
            Err(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
        },
        File::Written(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        status,
        [
            (header::CONTENT_TYPE, content_type(key)),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_site() {
        assert_eq!(request_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            request_path("/tin-tuc/a/").as_deref(),
            Some("tin-tuc/a/index.html")
        );
        assert_eq!(
            request_path("/the/m%E1%BB%99t/").as_deref(),
            Some("the/một/index.html")
        );
        for bad in [
            "/../site.yaml",
            "/%2e%2e/site.yaml",
            "/a/%2E%2E/%2E%2E/content/site.yaml",
            "/..%2fsite.yaml",
            "/a%5c..%5csite.yaml",
            "/a%00",
        ] {
            assert_eq!(request_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn changes_are_classified() {
        let c = |p: &str| Change::classify(Path::new(p));
        assert_eq!(
            c("content/site.yaml"),
            Some(Change::Config("content/site.yaml".into()))
        );
        assert_eq!(
            c("content/xa-a/_unit.yaml"),
            Some(Change::Config("content/xa-a/_unit.yaml".into()))
        );
        assert_eq!(
            c("content/tin-tuc/a.md"),
            Some(Change::Document("content/tin-tuc/a.md".into()))
        );
        assert_eq!(
            c("themes/default/templates/base.html"),
            Some(Change::Theme("themes/default/templates/base.html".into()))
        );
        assert_eq!(
            c("content/tin-tuc/anh.svg"),
            Some(Change::Asset("content/tin-tuc/anh.svg".into()))
        );
        for ignored in [
            "content/tin-tuc/.a.md.swp",
            "content/tin-tuc/a.md~",
            "content/tin-tuc/4913",
            "content/tin-tuc/.#a.md",
            "content/.git/x",
        ] {
            assert_eq!(c(ignored), None, "{ignored}");
        }
    }
}
