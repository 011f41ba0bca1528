//! The build: load → link → markdown → index → render → feeds → write.
//!
//! [`Site::build`] reads as the list of its phases, each timed at debug level. A page's
//! URL is decided in [`crate::content::Document::url_for`], Markdown becomes HTML in
//! [`Site::markdown`], and a template is chosen in [`crate::render::Job::template`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;

use crate::content::{self, Content, LoadOptions};
use crate::error::{self, InputError};
use crate::markdown::{self, Links, Rendered};
use crate::output::{File, Output};
use crate::render::{self, Job};
use crate::text;
use crate::theme::Theme;

/// What a build is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The portal root (holding `content/` and optionally `themes/`).
    pub root: PathBuf,
    /// Where the site is written.
    pub output: PathBuf,
    /// Overrides `base_url` from site.yaml (the preview server's own address, say).
    pub base_url: Option<String>,
    /// Include drafts and future-dated articles.
    pub drafts: bool,
    /// The build's "now": future-dated articles are left out.
    pub now: DateTime<FixedOffset>,
    /// HTML inserted before `</body>` of every page (the preview's reload script).
    pub inject: Option<String>,
    /// Write pages to `output` as they are rendered (a build), rather than keeping the
    /// site in memory (a preview, a check).
    pub stream: bool,
    /// Where to read the access counts baked into the pages (`--counter-db`, `--counter-url`).
    pub counter: Option<crate::counter::widget::Source>,
}

/// Where the site lives: the origin for absolute links, and the path prefix.
#[derive(Debug, Clone)]
pub struct Base {
    /// `https://donghy.thainguyen.gov.vn`, without the path.
    pub origin: String,
    /// `` or `/portal` when the site lives below the host's root.
    pub prefix: String,
}

impl Base {
    pub fn new(base_url: &str) -> Base {
        let trimmed = base_url.trim_end_matches('/');
        let after_scheme = trimmed.find("://").map(|i| i + 3).unwrap_or(0);
        match trimmed[after_scheme..].find('/') {
            Some(i) => Base {
                origin: trimmed[..after_scheme + i].to_owned(),
                prefix: trimmed[after_scheme + i..].to_owned(),
            },
            None => Base {
                origin: trimmed.to_owned(),
                prefix: String::new(),
            },
        }
    }

    /// The link to a site path (`/tin-tuc/x/`) from any page of the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.prefix, path)
    }

    /// The absolute address of a site path.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}{}", self.origin, self.prefix, path)
    }
}

/// Articles of a unit, by the lists that show them (indices into `Content::documents`).
#[derive(Debug, Default, Clone)]
pub struct UnitIndex {
    /// Newest first: the unit's own articles and those its sub-units list on it.
    pub articles: Vec<usize>,
    pub by_category: BTreeMap<String, Vec<usize>>,
    /// Tag slug → (name, articles).
    pub by_tag: BTreeMap<String, (String, Vec<usize>)>,
    /// (year, month) → articles.
    pub by_month: BTreeMap<(i32, u32), Vec<usize>>,
    pub pages: Vec<usize>,
}

/// A build in progress.
pub struct Site {
    pub options: BuildOptions,
    pub content: Content,
    pub theme: Theme,
    pub base: Base,
    /// The HTML of each document, by the same index.
    pub rendered: Vec<Rendered>,
    pub index: Vec<UnitIndex>,
    pub output: Output,
    /// Pages the feature modules make from the units' data.
    pub data_pages: Vec<render::DataPage>,
    /// Files the feature modules add as they are (CSV and JSON downloads, attachments).
    pub data_files: Vec<(String, crate::output::File)>,
    /// The statistics, read before Markdown so that articles can embed them.
    pub statistics: Option<crate::statistics::Statistics>,
    /// Each unit's key indicators for its home page (by unit; `null` when none).
    pub key_figures: Vec<serde_json::Value>,
    /// Problems that never fail a build (stale link checks), reported by `cong check`.
    pub warnings: Vec<InputError>,
    /// The procedures' links on the public-service portals, for `cong check --external`.
    pub external_links: Vec<crate::procedures::ExternalLink>,
    /// The access counts baked into the pages, read once when the site is loaded.
    pub counter: Option<crate::counter::widget::Snapshot>,
    pub(crate) errors: Vec<InputError>,
    /// Files that failed to load or render, read again at the next update.
    failed: BTreeSet<PathBuf>,
    /// Every document's address at the last update.
    last_urls: HashMap<PathBuf, String>,
    /// The pages of the last render and their paths, with the digest of what decides them.
    job_cache: Option<JobCache>,
    /// The digest of the lists' inputs at the last indexing.
    pub(crate) last_index_key: u64,
    /// The last build or update went through (see [`Site::update`]).
    clean: bool,
    /// The output's count of path changes at the last sitemap, and a digest of its pages' paths.
    pub(crate) sitemap_pages: Option<(u64, u64)>,
    /// The fingerprint of each feed, sitemap and list of pages at the last update.
    pub feed_prints: HashMap<String, u64>,
    /// During an update, the documents whose images are checked again (all when `None`).
    recheck: Option<Vec<usize>>,
    /// Whether the link check looks for documents claiming one address (an update
    /// that changed no address skips it when the last check found none).
    check_urls: bool,
    /// The last check found no two documents claiming one address.
    urls_ok: bool,
    /// During an update, the documents rendered again, when the lists and the theme
    /// stayed the same: only the pages that show them can change (all when `None`).
    changed_documents: Option<Vec<usize>>,
    /// During an update, the documents whose files beside them are copied again (all
    /// when `None`).
    recopy: Option<Vec<usize>>,
    /// Updates keep the search pages and index files of the last indexing instead of
    /// indexing the site again; [`Site::refresh_search`] brings them up to date (a
    /// preview, which indexes in the background after the reload).
    pub defer_search: bool,
    /// The search pages and index files of the last indexing: the last entries of
    /// `data_pages` and `data_files`.
    search: Option<SearchOutput>,
    /// A build's index, made while its pages are rendered.
    making_index: Option<crate::search::Pending>,
}

/// The search pages and the index files.
type SearchOutput = (Vec<render::DataPage>, Vec<(String, File)>);

/// The pages of the last render, with what decides them.
struct JobCache {
    /// A digest of what decides the list of pages.
    shape: u64,
    jobs: Vec<Job>,
    /// The output path of each page.
    paths: Vec<String>,
    /// The fingerprint of each page.
    prints: Vec<u64>,
    /// For each document, the pages whose fingerprint takes it in.
    users: Vec<Vec<u32>>,
    /// The digest of each template the pages use.
    templates: HashMap<String, u64>,
}

/// What a finished build reports.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub articles: usize,
    pub units: usize,
}

impl Site {
    /// Reads the portal and its theme.
    pub fn load(options: BuildOptions) -> Result<Site> {
        let started = (Instant::now(), cpu_time());
        let content = content::load(
            &options.root,
            LoadOptions {
                drafts: options.drafts,
                now: options.now,
            },
        )?;
        let theme = Theme::load(&options.root, &content.site.theme)?;
        let base = Base::new(
            options
                .base_url
                .as_deref()
                .unwrap_or(&content.site.base_url),
        );
        log::debug!(
            "load: {} documents in {}",
            content.documents.len(),
            since(started)
        );
        let (statistics, mut errors) =
            crate::statistics::load(&options.root, &content, &base.prefix);
        errors.splice(0..0, content.errors.iter().cloned());
        let counter = match &options.counter {
            Some(source) => Some(crate::counter::widget::Snapshot::read(
                source,
                &content.units,
            )?),
            None => None,
        };
        let output = if options.stream {
            Output::staged(&options.output)?
        } else {
            Output::default()
        };
        Ok(Site {
            errors,
            statistics,
            key_figures: Vec::new(),
            options,
            content,
            theme,
            base,
            rendered: Vec::new(),
            index: Vec::new(),
            output,
            data_pages: Vec::new(),
            data_files: Vec::new(),
            warnings: Vec::new(),
            external_links: Vec::new(),
            counter,
            failed: BTreeSet::new(),
            last_urls: HashMap::new(),
            feed_prints: HashMap::new(),
            recheck: None,
            check_urls: true,
            urls_ok: false,
            changed_documents: None,
            recopy: None,
            defer_search: false,
            search: None,
            making_index: None,
            last_index_key: 0,
            clean: false,
            sitemap_pages: None,
            job_cache: None,
        })
    }

    /// Builds the whole site in memory; [`Site::write`] then puts it on disk.
    pub fn build(options: BuildOptions) -> Result<Site> {
        Site::build_with(options, &mut HashMap::new(), None)
    }

    /// Builds the whole site, leaving each page's fingerprint in `memo` for later
    /// [`Site::update`]s.
    /// With the `previous` output of the same portal, only pages whose fingerprint
    /// changed are rendered again (a preview's rebuild after a change of settings or data).
    pub fn build_with(
        options: BuildOptions,
        memo: &mut HashMap<String, u64>,
        previous: Option<Output>,
    ) -> Result<Site> {
        let mut site = Site::load(options)?;
        match previous {
            Some(output) => site.output = output,
            None => memo.clear(),
        }
        site.step("link", Site::link)?;
        site.step("markdown", Site::markdown)?;
        site.step("index", Site::index)?;
        site.step("data", Site::data)?;
        // A build is done with each text once it has used it; a preview keeps them to
        // render again after a change. Tens of thousands of articles make this
        // hundreds of megabytes.
        if site.options.stream {
            for r in &mut site.rendered {
                r.text = String::new();
            }
        }
        let started = (Instant::now(), cpu_time());
        let pages = site.render_changed(memo)?;
        log::debug!("render: {pages} pages in {}", since(started));
        if let Some(pending) = site.making_index.take() {
            let files = crate::search::finish(pending)?;
            for (path, file) in &files {
                site.output.insert(path.clone(), file.clone());
            }
            site.data_files.extend(files.iter().cloned());
            if let Some((_, search_files)) = &mut site.search {
                search_files.extend(files);
            }
        }
        site.step("feeds", Site::feeds)?;
        site.clean = true;
        Ok(site)
    }

    fn step(&mut self, name: &str, phase: fn(&mut Site) -> Result<()>) -> Result<()> {
        let started = (Instant::now(), cpu_time());
        phase(self)?;
        log::debug!("{name}: {}", since(started));
        Ok(())
    }

    /// Checks that no two documents claim one URL and that front-matter images exist.
    fn link(&mut self) -> Result<()> {
        let mut seen: HashMap<&str, &Path> = HashMap::new();
        let mut duplicates = 0;
        if self.check_urls {
            for doc in &self.content.documents {
                if let Some(other) = seen.insert(&doc.url, &doc.source) {
                    duplicates += 1;
                    self.errors.push(InputError::at(
                        &doc.source,
                        None,
                        crate::messages::duplicate_url(&doc.url, &other.display().to_string()),
                    ));
                }
            }
        }
        let docs = &self.content.documents;
        let all: Vec<usize>;
        let recheck = match &self.recheck {
            Some(which) => which.as_slice(),
            None => {
                all = (0..docs.len()).collect();
                &all
            }
        };
        for doc in recheck.iter().map(|&i| &docs[i]) {
            if let Some(image) = &doc.front.image {
                let file = self
                    .options
                    .root
                    .join(content::beside(&doc.source, &image.src));
                if !file.is_file() {
                    self.errors.push(InputError::at(
                        &doc.source,
                        doc.key_lines.image,
                        crate::messages::missing_image(&image.src),
                    ));
                }
            }
        }
        for doc in docs {
            if let Some(template) = &doc.front.template {
                if !self.theme.has(template) {
                    self.errors.push(InputError::at(
                        &doc.source,
                        doc.key_lines.template,
                        crate::messages::missing_template(template, &self.theme.name),
                    ));
                }
            }
        }
        for u in &self.content.units {
            for reserved in render::RESERVED_SLUGS {
                let url = format!("{}{reserved}/", u.path);
                if let Some(source) = seen.get(url.as_str()) {
                    duplicates += 1;
                    self.errors.push(InputError::at(
                        source,
                        None,
                        crate::messages::duplicate_url(&url, "a page cong makes itself"),
                    ));
                }
            }
        }
        if self.check_urls {
            self.urls_ok = duplicates == 0;
        }
        Ok(())
    }

    /// Turns every document's Markdown into HTML, in parallel.
    fn markdown(&mut self) -> Result<()> {
        self.last_urls = self.urls();
        let all: Vec<usize> = (0..self.content.documents.len()).collect();
        self.rendered = vec![Rendered::default(); all.len()];
        self.render_markdown(&all);
        error::check(std::mem::take(&mut self.errors))
    }

    /// The address of every document, by its file.
    fn urls(&self) -> HashMap<PathBuf, String> {
        self.content
            .documents
            .iter()
            .map(|d| (d.source.clone(), self.base.url(&d.url)))
            .collect()
    }

    /// Renders the Markdown of the given documents into `self.rendered`.
    /// Links resolve through `self.last_urls`, which must be current.
    fn render_markdown(&mut self, which: &[usize]) {
        // A build is done with each source once it is rendered (a preview keeps them to
        // render again after a change): each goes as soon as it is, so that the memory
        // it held serves the next documents' HTML and text.
        let bodies: Vec<String> = if self.options.stream {
            which
                .iter()
                .map(|&i| std::mem::take(&mut self.content.documents[i].body))
                .collect()
        } else {
            Vec::new()
        };
        let urls = &self.last_urls;
        let links = Links {
            urls,
            root: &self.options.root,
            prefix: &self.base.prefix,
            statistics: self.statistics.as_ref(),
        };
        let data_hash = self.statistics.as_ref().map(|s| s.hash);
        let docs = &self.content.documents;
        let render = |i: usize, body: &str| {
            let doc = &docs[i];
            let mut errors = Vec::new();
            let mut r = markdown::render(body, doc.body_line, &doc.source, &links, &mut errors);
            let mut h = std::hash::DefaultHasher::new();
            doc.hash.hash(&mut h);
            for target in &r.links {
                urls.get(target).hash(&mut h);
            }
            if r.embeds {
                data_hash.hash(&mut h);
            }
            r.digest = h.finish();
            (i, r, errors)
        };
        let results: Vec<(usize, Rendered, Vec<InputError>)> = if self.options.stream {
            which
                .par_iter()
                .zip(bodies)
                .map(|(&i, body)| render(i, &body))
                .collect()
        } else {
            which
                .par_iter()
                .map(|&i| render(i, &docs[i].body))
                .collect()
        };
        for (i, r, errors) in results {
            self.rendered[i] = r;
            self.errors.extend(errors);
        }
    }

    /// Brings the site up to date after the given files changed (paths relative to the
    /// portal root), re-reading only those files and re-rendering only the pages whose
    /// inputs changed. `memo` holds each page's fingerprint from the previous render.
    /// Returns the number of pages rendered. Settings and units (`site.yaml`,
    /// `_unit.yaml`) are not handled here: a change to them calls for [`Site::build`].
    pub fn update(
        &mut self,
        changed: &BTreeSet<PathBuf>,
        memo: &mut HashMap<String, u64>,
    ) -> Result<usize> {
        let started = Instant::now();
        let lap = |what: &str| log::debug!("update: {what} at {:.1?}", started.elapsed());
        let root = self.options.root.clone();
        // After an update that stopped half-way, what it changed is not known: the
        // lists, fingerprints and copied files are made again in full.
        let was_clean = std::mem::replace(&mut self.clean, false);
        let theme_changed = changed.iter().any(|p| p.starts_with("themes"));
        if theme_changed {
            self.theme = Theme::load(&root, &self.content.site.theme)?;
        }
        // Files to read again: the changed ones, and those that failed last time.
        let mut reload = std::mem::take(&mut self.failed);
        let mut touched_dirs = BTreeSet::new();
        for path in changed.iter().filter(|p| p.starts_with("content")) {
            // An image or attached file may be what a document of its folder was missing.
            if path.extension().is_none_or(|e| e != "md") {
                touched_dirs.insert(path.parent().unwrap_or(Path::new("")).to_path_buf());
            }
            let full = root.join(path);
            if full.is_dir() {
                for entry in walkdir::WalkDir::new(&full)
                    .into_iter()
                    .filter_entry(|e| !content::is_ignored(&e.file_name().to_string_lossy()))
                    .filter_map(Result::ok)
                {
                    if entry.path().extension().is_some_and(|e| e == "md") {
                        if let Ok(rel) = entry.path().strip_prefix(&root) {
                            reload.insert(rel.to_path_buf());
                        }
                    }
                }
            } else if path.extension().is_some_and(|e| e == "md") {
                reload.insert(path.clone());
            }
        }
        // Documents read again or gone leave the list; the others stay in place.
        let bytes = |p: &Path| p.as_os_str().as_encoded_bytes().to_vec();
        let reload_bytes: Vec<Vec<u8>> = reload.iter().map(|p| bytes(p)).collect();
        let changed_bytes: Vec<Vec<u8>> = changed.iter().map(|p| bytes(p)).collect();
        let gone = |source: &Path| {
            let s = source.as_os_str().as_encoded_bytes();
            reload_bytes.iter().any(|r| r.as_slice() == s)
                || changed_bytes.iter().any(|p| {
                    s.starts_with(p) && (s.len() == p.len() || matches!(s[p.len()], b'/' | b'\\'))
                })
        };
        let keep: Vec<bool> = self
            .content
            .documents
            .iter()
            .map(|d| !gone(&d.source))
            .collect();
        let mut removed: HashMap<PathBuf, (content::Document, Rendered)> = HashMap::new();
        if keep.iter().any(|k| !k) {
            let documents = std::mem::take(&mut self.content.documents);
            let rendered = std::mem::take(&mut self.rendered);
            for ((doc, r), keep) in documents.into_iter().zip(rendered).zip(keep) {
                if keep {
                    self.content.documents.push(doc);
                    self.rendered.push(r);
                } else {
                    removed.insert(doc.source.clone(), (doc, r));
                }
            }
        }
        let options = LoadOptions {
            drafts: self.options.drafts,
            now: self.options.now,
        };
        let mut fresh = Vec::new();
        for rel in reload.iter().filter(|r| {
            root.join(r).is_file()
                && !content::is_ignored(&r.file_name().unwrap_or_default().to_string_lossy())
        }) {
            let inner = rel.strip_prefix("content").unwrap_or(rel);
            match content::load_document(
                &root,
                inner,
                &self.content.units,
                &self.content.site,
                options,
            ) {
                Ok(Some(doc)) => {
                    let at = self
                        .content
                        .documents
                        .partition_point(|d| content::source_order(&d.source, &doc.source).is_lt());
                    fresh.push(doc.source.clone());
                    self.content.documents.insert(at, doc);
                    self.rendered.insert(at, Rendered::default());
                }
                Ok(None) => {}
                Err(e) => {
                    self.failed.insert(rel.clone());
                    self.errors.push(e);
                }
            }
        }
        lap("read");
        // The addresses change only with the documents read again or gone.
        let mut old_urls: HashMap<PathBuf, String> = removed
            .keys()
            .filter_map(|source| self.last_urls.remove_entry(source))
            .collect();
        let mut urls_changed = false;
        let mut todo = Vec::with_capacity(fresh.len());
        for source in &fresh {
            let i = self
                .content
                .documents
                .partition_point(|d| content::source_order(&d.source, source).is_lt());
            let url = self.base.url(&self.content.documents[i].url);
            urls_changed |= old_urls.remove(source).as_ref() != Some(&url);
            self.last_urls.insert(source.clone(), url);
            todo.push(i);
        }
        urls_changed |= !old_urls.is_empty();
        // The lists change only when an article's place in them does.
        let index_changed = !was_clean
            || urls_changed
            || fresh.iter().zip(&todo).any(|(source, &i)| {
                removed.get(source).is_none_or(|(old, _)| {
                    index_fields(old) != index_fields(&self.content.documents[i])
                })
            });
        lap("urls");
        // Documents whose links may now point elsewhere, or whose folder changed.
        if urls_changed || !touched_dirs.is_empty() {
            for (i, (doc, r)) in self
                .content
                .documents
                .iter()
                .zip(&self.rendered)
                .enumerate()
            {
                let dir = doc.source.parent().unwrap_or(Path::new(""));
                if (urls_changed && !r.links.is_empty()) || touched_dirs.contains(dir) {
                    todo.push(i);
                }
            }
            todo.sort_unstable();
            todo.dedup();
        }
        self.recheck = Some(todo.clone());
        lap("reuse");
        self.check_urls = urls_changed || !self.urls_ok;
        let linked = self.link();
        self.recheck = None;
        self.check_urls = true;
        if linked.is_err() || !self.errors.is_empty() {
            // Not rendered: read again at the next update.
            for &i in &todo {
                self.failed.insert(self.content.documents[i].source.clone());
            }
        }
        linked?;
        lap("link");
        // The files beside the documents rendered again may change with them.
        for &i in &todo {
            let (doc, r) = (&self.content.documents[i], &self.rendered[i]);
            for (path, _) in render::document_files(&root, doc, r) {
                self.output.remove(&path);
            }
        }
        let before = self.errors.len();
        self.render_markdown(&todo);
        for e in &self.errors[before..] {
            self.failed.insert(e.file.clone());
        }
        error::check(std::mem::take(&mut self.errors))?;
        lap("markdown");
        if index_changed {
            let key = self.index_key();
            if key != self.last_index_key {
                self.index()?;
                self.last_index_key = key;
            }
        }
        lap("index");
        self.data()?;
        lap("data");
        // Files beside the documents: those of the documents gone or read again go, those
        // of the documents rendered again come.
        for (doc, r) in removed.values() {
            for (path, _) in render::document_files(&root, doc, r) {
                self.output.remove(&path);
            }
        }
        if was_clean {
            self.changed_documents = Some(todo);
            // A file beside a document may be shown by other pages too: the files of
            // every document are listed again (one already there stays as it is).
            self.recopy = Some((0..self.content.documents.len()).collect());
        } else {
            self.output
                .retain(|_, f| !matches!(f, crate::output::File::Copy(_)));
            self.recopy = Some((0..self.content.documents.len()).collect());
        }
        let rendered = self.render_changed(memo)?;
        lap("render");
        self.feeds()?;
        lap("feeds");
        self.clean = true;
        Ok(rendered)
    }

    /// A digest of what decides the lists: each document's address, date, unit,
    /// category, tags and flags.
    fn index_key(&self) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        for d in &self.content.documents {
            index_fields(d).hash(&mut h);
        }
        h.finish()
    }

    /// A digest of what every page shows: settings, units, strings, addresses.
    pub(crate) fn global_hash(&self) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        self.content.config_hash.hash(&mut h);
        self.theme.strings_hash.hash(&mut h);
        (&self.base.origin, &self.base.prefix, &self.options.inject).hash(&mut h);
        // Pages written by another version of cong are rendered again.
        env!("CARGO_PKG_VERSION").hash(&mut h);
        if let Some(meta) = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::metadata(exe).ok())
        {
            (meta.len(), meta.modified().ok()).hash(&mut h);
        }
        self.counter.hash(&mut h);
        h.finish()
    }

    /// Renders the pages whose fingerprint differs from `memo`, drops pages that no
    /// longer exist, and refreshes the assets. Returns the number of pages rendered.
    pub fn render_changed(&mut self, memo: &mut HashMap<String, u64>) -> Result<usize> {
        let started = Instant::now();
        let global = self.global_hash();
        let previous_jobs = self.job_cache.take();
        let changed_documents = self.changed_documents.take();
        let recopy = self.recopy.take();
        let shared = render::Shared::new(self)?;
        // The pages and their paths change only with the lists and the data pages.
        let mut h = std::hash::DefaultHasher::new();
        (self.last_index_key, global).hash(&mut h);
        for p in &self.data_pages {
            (&p.path, &p.template).hash(&mut h);
        }
        let shape = h.finish();
        let (previous, jobs, paths) = match previous_jobs {
            Some(cache) if cache.shape == shape => {
                let JobCache {
                    jobs,
                    paths,
                    prints,
                    users,
                    templates,
                    ..
                } = cache;
                (Some((prints, users, templates)), jobs, paths)
            }
            _ => {
                let jobs = render::jobs(self);
                let paths = jobs.par_iter().map(|job| shared.output_path(job)).collect();
                (None, jobs, paths)
            }
        };
        let templates: HashMap<String, u64> = jobs
            .iter()
            .map(|job| job.template(self))
            .collect::<HashSet<&str>>()
            .into_iter()
            .map(|t| (t.to_owned(), self.theme.template_hash(t)))
            .collect();
        log::debug!(
            "render: jobs and shared values in {:.1?}",
            started.elapsed()
        );
        // A build into a folder that holds a previous build skips the pages whose
        // fingerprint is the one the previous build recorded.
        if self.options.stream && memo.is_empty() {
            *memo = self.output.previous_prints();
        }
        // With the same pages, only those that show a document rendered again, whose
        // template changed, or made from data need a new fingerprint.
        let documents = self.content.documents.len();
        let (prints, users, recomputed) = match (previous, changed_documents) {
            (Some((mut prints, users, old_templates)), Some(changed))
                if users.len() == documents
                    && memo.len() == paths.len()
                    && changed.iter().all(|&d| d < documents) =>
            {
                let template_changed: HashSet<&str> = templates
                    .iter()
                    .filter(|(t, hash)| old_templates.get(*t) != Some(hash))
                    .map(|(t, _)| t.as_str())
                    .collect();
                let mut which: Vec<usize> = changed
                    .iter()
                    .flat_map(|&d| users[d].iter().map(|&j| j as usize))
                    .collect();
                which.extend(jobs.iter().enumerate().filter_map(|(j, job)| {
                    (matches!(job, Job::Home(_) | Job::Sitemap | Job::Data(_))
                        || template_changed.contains(job.template(self)))
                    .then_some(j)
                }));
                which.sort_unstable();
                which.dedup();
                let new: Vec<u64> = which
                    .par_iter()
                    .map(|&j| render::fingerprint(self, &jobs[j], &paths[j], global))
                    .collect();
                for (&j, print) in which.iter().zip(new) {
                    prints[j] = print;
                }
                (prints, users, Some(which))
            }
            _ => {
                let both: Vec<(u64, Vec<u32>)> = jobs
                    .par_iter()
                    .zip(&paths)
                    .map(|(job, path)| {
                        let mut shown = Vec::new();
                        let print =
                            render::fingerprint_with_documents(self, job, path, global, &mut shown);
                        (print, shown)
                    })
                    .collect();
                let mut users: Vec<Vec<u32>> = vec![Vec::new(); documents];
                let mut prints = Vec::with_capacity(both.len());
                for (j, (print, shown)) in both.into_iter().enumerate() {
                    prints.push(print);
                    for d in shown {
                        users[d as usize].push(j as u32);
                    }
                }
                (prints, users, None)
            }
        };
        log::debug!(
            "render: {} fingerprints in {:.1?}",
            recomputed.as_ref().map_or(prints.len(), Vec::len),
            started.elapsed()
        );
        let differs = |j: &usize| memo.get(&paths[*j]) != Some(&prints[*j]);
        let todo: Vec<usize> = match &recomputed {
            Some(which) => which.iter().copied().filter(differs).collect(),
            None => (0..jobs.len()).filter(differs).collect(),
        };
        let output = &self.output;
        let results: Vec<Result<(String, File)>> = todo
            .par_iter()
            .map(|&j| {
                let (path, html) = shared.render(&jobs[j])?;
                let file = output.prepare(&path, html)?;
                Ok((path, file))
            })
            .collect();
        drop(shared);
        let count = results.len();
        let same_pages = recomputed.is_some()
            || (paths.len() == memo.len() && paths.iter().all(|p| memo.contains_key(p)));
        let mut output = std::mem::take(&mut self.output);
        if !same_pages {
            // Pages that still exist and the feeds stay; assets and copies are made again
            // (during an update, the copies of the documents not rendered again stay).
            let pages: HashSet<&str> = paths.iter().map(String::as_str).collect();
            let feeds = &self.feed_prints;
            let keep_copies = recopy.is_some();
            output.retain(|path, file| {
                pages.contains(path)
                    || feeds.contains_key(path)
                    || (keep_copies && matches!(file, File::Copy(_)))
            });
        }
        let rendered: HashSet<String> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|(p, _)| p.clone()))
            .collect();
        for r in results {
            let (path, file) = r?;
            output.insert(path, file);
        }
        if self.options.stream {
            for path in &paths {
                if !rendered.contains(path) {
                    output.keep_previous(path);
                }
            }
        }
        match (&recomputed, same_pages) {
            (Some(which), _) => {
                for &j in which {
                    if let Some(slot) = memo.get_mut(&paths[j]) {
                        *slot = prints[j];
                    }
                }
            }
            (None, true) => {
                for (path, print) in paths.iter().zip(&prints) {
                    if let Some(slot) = memo.get_mut(path) {
                        *slot = *print;
                    }
                }
            }
            (None, false) => {
                *memo = paths.iter().cloned().zip(prints.iter().copied()).collect();
            }
        }
        if self.options.stream {
            output.set_prints(memo.clone());
        }
        self.output = output;
        self.job_cache = Some(JobCache {
            shape,
            jobs,
            paths,
            prints,
            users,
            templates,
        });
        match recopy {
            Some(which) => render::assets(self, true, Some(&which)),
            // A build into a folder starts from an empty output: the files beside the
            // documents are listed again (and written only where they changed).
            None => render::assets(self, self.options.stream || !same_pages || count > 0, None),
        }
        Ok(count)
    }

    /// Sorts articles into the lists each unit shows.
    fn index(&mut self) -> Result<()> {
        self.last_index_key = self.index_key();
        let docs = &self.content.documents;
        let mut order: Vec<usize> = (0..docs.len()).filter(|i| docs[*i].is_article()).collect();
        order.sort_by(|a, b| {
            docs[*b]
                .date
                .cmp(&docs[*a].date)
                .then_with(|| docs[*a].url.cmp(&docs[*b].url))
        });
        let mut index = vec![UnitIndex::default(); self.content.units.len()];
        for &i in &order {
            let doc = &docs[i];
            let mut units = vec![doc.unit];
            if doc.on_parent {
                units.extend(self.content.units[doc.unit].parent);
            }
            for u in units {
                let ix = &mut index[u];
                ix.articles.push(i);
                if let Some(c) = &doc.front.category {
                    ix.by_category.entry(c.clone()).or_default().push(i);
                }
                for (tag, slug) in doc.front.tags.iter().zip(&doc.tag_slugs) {
                    if slug.is_empty() {
                        continue;
                    }
                    match ix.by_tag.get_mut(slug) {
                        Some((_, list)) => list.push(i),
                        None => {
                            ix.by_tag.insert(slug.clone(), (tag.clone(), vec![i]));
                        }
                    }
                }
                if let Some(d) = doc.date {
                    let local = d.with_timezone(&text::VIETNAM);
                    ix.by_month
                        .entry((local.year(), local.month()))
                        .or_default()
                        .push(i);
                }
            }
        }
        for (i, doc) in docs.iter().enumerate() {
            if !doc.is_article() {
                index[doc.unit].pages.push(i);
            }
        }
        self.index = index;
        Ok(())
    }

    /// Pages and files made from the units' YAML data by the feature modules. Each
    /// module adds its pages to `data_pages` and its files to `data_files`, and reports
    /// problems in the data as [`InputError`]s.
    fn data(&mut self) -> Result<()> {
        self.data_pages.clear();
        self.data_files.clear();
        crate::statistics::pages(self)?;
        self.warnings.clear();
        self.external_links.clear();
        crate::procedures::pages(self)?;
        let (pages, files) = (self.data_pages.len(), self.data_files.len());
        match &self.search {
            Some((search_pages, search_files)) if self.defer_search => {
                self.data_pages.extend(search_pages.iter().cloned());
                self.data_files.extend(search_files.iter().cloned());
            }
            // The benchmark's measure of what the index costs: the same build without it.
            _ if std::env::var_os("CONG_BENCH_WITHOUT_SEARCH").is_some() => {}
            _ => {
                if self.options.stream {
                    self.making_index = crate::search::start(self)?;
                } else {
                    crate::search::pages(self)?;
                }
                self.search = Some((
                    self.data_pages[pages..].to_vec(),
                    self.data_files[files..].to_vec(),
                ));
            }
        }
        error::check(std::mem::take(&mut self.errors))
    }

    /// What the search index is made from, as the site is now (for
    /// [`crate::search::Prepared::build`] off the site, then [`Site::refresh_search`]).
    pub fn search_input(&self) -> crate::search::Prepared {
        crate::search::prepare(self)
    }

    /// Puts a search index built from [`Site::search_input`] of the site as it is now
    /// in place of the previous one, and renders the search pages again. Returns the
    /// number of pages rendered.
    pub fn refresh_search(
        &mut self,
        indexed: crate::search::Indexed,
        memo: &mut HashMap<String, u64>,
    ) -> Result<usize> {
        let started = Instant::now();
        if let Some((pages, files)) = &self.search {
            let pages = self.data_pages.len().saturating_sub(pages.len());
            let files = self.data_files.len().saturating_sub(files.len());
            self.data_pages.truncate(pages);
            self.data_files.truncate(files);
        }
        let (pages, files) = (self.data_pages.len(), self.data_files.len());
        crate::search::add(self, indexed)?;
        self.search = Some((
            self.data_pages[pages..].to_vec(),
            self.data_files[files..].to_vec(),
        ));
        self.output
            .retain(|path, _| !path.starts_with(crate::search::INDEX_DIR));
        self.changed_documents = Some(Vec::new());
        self.recopy = Some(Vec::new());
        let rendered = self
            .render_changed(memo)
            .inspect_err(|_| self.clean = false)?;
        log::debug!(
            "search refresh: {rendered} pages rendered in {:.1?}",
            started.elapsed()
        );
        Ok(rendered)
    }

    /// RSS, JSON Feed, sitemap.xml, robots.txt.
    fn feeds(&mut self) -> Result<()> {
        let global = self.global_hash();
        crate::feeds::write_all(self, global)
    }

    /// Puts the built site in place of the output folder; returns how many files were
    /// written (a build with nothing changed writes none).
    pub fn write(&self) -> Result<usize> {
        self.write_to(&self.options.output)
    }

    /// Puts the built site in place of `dir`.
    pub fn write_to(&self, dir: &Path) -> Result<usize> {
        self.output.finish(dir)
    }

    /// What was built.
    pub fn report(&self) -> BuildReport {
        BuildReport {
            pages: self.output.pages(),
            files: self.output.len(),
            articles: self
                .content
                .documents
                .iter()
                .filter(|d| d.is_article())
                .count(),
            units: self.content.units.len(),
        }
    }
}

/// The processor time this process has used so far, where the system tells it
/// (`/proc/self/stat` on Linux, in ticks of 10 ms); only asked when debug messages are
/// shown, since only they report it.
pub(crate) fn cpu_time() -> Option<Duration> {
    if !log::log_enabled!(log::Level::Debug) {
        return None;
    }
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ');
    let user: u64 = fields.nth(11)?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// Wall time since `started`, and processor time when known: `1.20s (2.10s cpu)`.
pub(crate) fn since(started: (Instant, Option<Duration>)) -> String {
    let wall = started.0.elapsed();
    match (started.1, cpu_time()) {
        (Some(a), Some(b)) => format!("{wall:.2?} ({:.2}s cpu)", (b - a).as_secs_f64()),
        _ => format!("{wall:.2?}"),
    }
}

/// What decides a document's place in the lists (see [`Site::index_key`]).
#[allow(clippy::type_complexity)]
fn index_fields(
    d: &content::Document,
) -> (
    &str,
    Option<DateTime<FixedOffset>>,
    usize,
    bool,
    &Option<String>,
    &Vec<String>,
    bool,
    bool,
) {
    (
        &d.url,
        d.date,
        d.unit,
        d.on_parent,
        &d.front.category,
        &d.front.tags,
        d.front.featured,
        d.is_article(),
    )
}
