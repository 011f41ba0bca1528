//! The built site, and how it reaches the disk.
//!
//! A preview keeps every file in memory. A build writes to disk in one of two ways,
//! both leaving the previous output untouched when the build fails:
//! - the first build into a folder streams each page into a fresh sibling folder as
//!   soon as it is rendered (so pages never pile up in memory), and swaps that folder
//!   in once everything is written;
//! - a later build compares each file's digest with the manifest the previous build
//!   left (`.cong-manifest`), keeps in memory only the files that changed, and once the
//!   whole build has succeeded writes just those (each through a temporary file and a
//!   rename) and removes the files that are gone. A build with nothing changed writes
//!   nothing but the manifest.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::fs;

/// The manifest of a built folder: one `digest<TAB>fingerprint<TAB>path` line per file
/// (the fingerprint of the inputs of a page, 0 for other files).
pub const MANIFEST: &str = ".cong-manifest";

/// One file of the built site.
#[derive(Debug, Clone)]
pub enum File {
    Bytes(Arc<Vec<u8>>),
    /// A file copied as it is from the portal's tree.
    Copy(PathBuf),
    /// A file already on disk (or unchanged there), known by its digest.
    Written(u64),
}

/// Where a build's files go.
#[derive(Debug)]
enum Stage {
    /// A fresh folder that replaces `target` at the end.
    Fresh {
        dir: Mutex<Option<tempfile::TempDir>>,
        path: PathBuf,
        target: PathBuf,
        /// The folders made so far: tens of thousands of files go into folders that
        /// already exist, and asking the file system again each time costs as much as
        /// writing a small file.
        made: Mutex<rustc_hash::FxHashSet<PathBuf>>,
    },
    /// `target` itself, updated file by file after the build succeeded.
    Update {
        target: PathBuf,
        manifest: HashMap<String, (u64, u64)>,
        /// The digest of what the previous build made its search index from.
        search: Option<u64>,
    },
}

/// The files under one top folder (or one file at the top), shared between copies of
/// the output until one of them changes it.
type Shard = BTreeMap<String, File>;

/// The shard a path belongs to: its top folder with the `/`, or the path itself. Shards
/// in order hold the paths in order.
fn shard_of(path: &str) -> &str {
    match path.find('/') {
        Some(i) => &path[..=i],
        None => path,
    }
}

impl File {
    fn same(&self, other: &File) -> bool {
        match (self, other) {
            (File::Bytes(a), File::Bytes(b)) => Arc::ptr_eq(a, b) || a == b,
            (File::Copy(a), File::Copy(b)) => a == b,
            (File::Written(a), File::Written(b)) => a == b,
            _ => false,
        }
    }
}

/// The built site: output paths (relative, `/`-separated) to files. A clone is cheap:
/// it shares the files folder by folder until one of the copies changes.
#[derive(Debug, Default, Clone)]
pub struct Output {
    files: BTreeMap<String, Arc<Shard>>,
    stage: Option<Arc<Stage>>,
    /// Each page's input fingerprint, recorded in the manifest.
    prints: HashMap<String, u64>,
    /// Counts the changes to the set of paths (not to the files' contents).
    path_changes: u64,
    /// The digest of what the search index was made from, recorded in the manifest.
    search_key: Option<u64>,
}

/// A digest of a file's bytes.
pub fn digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// A digest for a copied file: its source and the source's size and modification time.
fn copy_digest(source: &Path) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    source.hash(&mut h);
    if let Ok(meta) = std::fs::metadata(source) {
        meta.len().hash(&mut h);
        meta.modified().ok().hash(&mut h);
    }
    h.finish()
}

impl Output {
    /// An output that writes to `target` as the build goes (see the module's notes).
    pub fn staged(target: &Path) -> Result<Output> {
        let manifest = read_manifest(target);
        let stage = match manifest {
            Some((manifest, search)) => Stage::Update {
                target: target.to_path_buf(),
                manifest,
                search,
            },
            None => {
                let parent = parent_of(target);
                fs::create_dir_all(&parent)?;
                let name = name_of(target);
                let dir = tempfile::Builder::new()
                    .prefix(&format!(".{name}.new-"))
                    .tempdir_in(&parent)
                    .with_context(|| {
                        format!("failed to create a folder in `{}`", parent.display())
                    })?;
                Stage::Fresh {
                    path: dir.path().to_path_buf(),
                    dir: Mutex::new(Some(dir)),
                    target: target.to_path_buf(),
                    made: Mutex::default(),
                }
            }
        };
        Ok(Output {
            files: BTreeMap::new(),
            stage: Some(Arc::new(stage)),
            prints: HashMap::new(),
            path_changes: 0,
            search_key: None,
        })
    }

    /// The fingerprints of the pages of the previous build in the target, when this
    /// build updates one: a page whose fingerprint is the same need not be rendered.
    pub fn previous_prints(&self) -> HashMap<String, u64> {
        match self.stage.as_deref() {
            Some(Stage::Update { manifest, .. }) => manifest
                .iter()
                .filter(|(_, (_, print))| *print != 0)
                .map(|(path, (_, print))| (path.clone(), *print))
                .collect(),
            _ => HashMap::new(),
        }
    }

    /// Keeps a page of the previous build as it is on disk.
    pub fn keep_previous(&mut self, path: &str) -> bool {
        if let Some(Stage::Update { manifest, .. }) = self.stage.as_deref() {
            if let Some((digest, _)) = manifest.get(path) {
                self.insert(path.to_owned(), File::Written(*digest));
                return true;
            }
        }
        false
    }

    /// The files under `dir` (paths relative to it, and digests) that the previous build
    /// in the target made from the same search input `key`, if it did.
    pub fn previous_index(&self, dir: &str, key: u64) -> Option<Vec<(String, u64)>> {
        match self.stage.as_deref() {
            Some(Stage::Update {
                manifest,
                search: Some(search),
                ..
            }) if *search == key => {
                let files: Vec<(String, u64)> = manifest
                    .iter()
                    .filter_map(|(path, (d, _))| Some((path.strip_prefix(dir)?.to_owned(), *d)))
                    .collect();
                (!files.is_empty()).then_some(files)
            }
            _ => None,
        }
    }

    /// Records, for the manifest, what the search index was made from.
    pub fn set_search_key(&mut self, key: u64) {
        self.search_key = Some(key);
    }

    /// Records the pages' fingerprints for the manifest.
    pub fn set_prints(&mut self, prints: HashMap<String, u64>) {
        self.prints = prints;
    }

    /// Turns a rendered page into the file the output keeps: written at once into a
    /// fresh folder, or kept only when it differs from the previous build. Safe to call
    /// from several threads.
    pub fn prepare(&self, path: &str, bytes: Vec<u8>) -> Result<File> {
        if self.stage.is_none() {
            return Ok(File::Bytes(Arc::new(bytes)));
        }
        let d = digest(&bytes);
        self.prepare_digested(path, bytes, d)
    }

    /// [`Output::prepare`] for a file whose [`digest`] the caller has made already.
    pub fn prepare_digested(&self, path: &str, bytes: Vec<u8>, d: u64) -> Result<File> {
        prepare_in(self.stage.as_deref(), path, bytes, d)
    }

    /// What prepares files for this output from another thread, while the output itself
    /// changes: the files it prepares are added with [`Output::insert`] later.
    pub fn writer(&self) -> Writer {
        Writer(self.stage.clone())
    }

    /// Adds a file prepared by [`Output::prepare`].
    pub fn insert(&mut self, path: String, file: File) {
        let key = shard_of(&path);
        if let Some(shard) = self.files.get(key) {
            if shard.get(&path).is_some_and(|old| old.same(&file)) {
                return;
            }
        } else {
            self.files.insert(key.to_owned(), Arc::default());
        }
        let Some(shard) = self.files.get_mut(shard_of(&path)) else {
            return;
        };
        let page = path.ends_with("index.html");
        if Arc::make_mut(shard).insert(path, file).is_none() && page {
            self.path_changes += 1;
        }
    }

    /// Every file, in the order of the paths.
    fn iter(&self) -> impl Iterator<Item = (&String, &File)> {
        self.files.values().flat_map(|shard| shard.iter())
    }

    /// Adds a generated file at `path` (`tin-tuc/x/index.html`).
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.insert(path.into(), File::Bytes(Arc::new(bytes)));
    }

    /// Adds a file copied from `source`.
    pub fn copy(&mut self, path: impl Into<String>, source: PathBuf) {
        self.insert(path.into(), File::Copy(source));
    }

    /// A number that changes whenever the path of a page (`index.html`) is added or
    /// removed: equal numbers from one output, same pages.
    pub fn path_changes(&self) -> u64 {
        self.path_changes
    }

    pub fn len(&self) -> usize {
        self.files.values().map(|shard| shard.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.files.values().all(|shard| shard.is_empty())
    }

    /// Number of HTML pages.
    pub fn pages(&self) -> usize {
        self.paths().filter(|k| k.ends_with(".html")).count()
    }

    /// A generated file.
    pub fn get(&self, path: &str) -> Option<&File> {
        self.files.get(shard_of(path))?.get(path)
    }

    /// Removes a file.
    pub fn remove(&mut self, path: &str) {
        let Some(shard) = self.files.get_mut(shard_of(path)) else {
            return;
        };
        if shard.contains_key(path) {
            Arc::make_mut(shard).remove(path);
            if path.ends_with("index.html") {
                self.path_changes += 1;
            }
        }
    }

    /// Keeps only the files for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &File) -> bool) {
        for shard in self.files.values_mut() {
            if shard.iter().all(|(path, file)| keep(path, file)) {
                continue;
            }
            let mut pages_gone = false;
            Arc::make_mut(shard).retain(|path, file| {
                let kept = keep(path, file);
                pages_gone |= !kept && path.ends_with("index.html");
                kept
            });
            if pages_gone {
                self.path_changes += 1;
            }
        }
        self.files.retain(|_, shard| !shard.is_empty());
    }

    /// All paths.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(path, _)| path.as_str())
    }

    /// The digest of every file, as the manifest records it.
    fn manifest(&self) -> String {
        let mut out = String::with_capacity(self.len() * 64);
        if let Some(key) = self.search_key {
            out.push_str(&format!("{SEARCH_LINE}{key:016x}\n"));
        }
        for (path, file) in self.iter() {
            let d = match file {
                File::Bytes(b) => digest(b),
                File::Copy(source) => copy_digest(source),
                File::Written(d) => *d,
            };
            let print = self.prints.get(path).copied().unwrap_or(0);
            out.push_str(&format!("{d:016x}\t{print:016x}\t{path}\n"));
        }
        out
    }

    /// Finishes a build: puts the site in place of its target. Returns how many files
    /// were written. An output without a stage is written into a fresh folder that
    /// replaces `target`.
    pub fn finish(&self, target: &Path) -> Result<usize> {
        match self.stage.as_deref() {
            None => {
                let parent = parent_of(target);
                fs::create_dir_all(&parent)?;
                let fresh = tempfile::Builder::new()
                    .prefix(&format!(".{}.new-", name_of(target)))
                    .tempdir_in(&parent)
                    .with_context(|| {
                        format!("failed to create a folder in `{}`", parent.display())
                    })?;
                let written = self.write_pending(fresh.path(), None, &Default::default())?;
                swap_in(fresh.keep(), target)?;
                Ok(written)
            }
            Some(Stage::Fresh {
                dir,
                path,
                target: staged_for,
                made,
            }) => {
                anyhow::ensure!(
                    staged_for == target,
                    "the build was prepared for `{}`",
                    staged_for.display()
                );
                let made = made.lock().map(|m| m.clone()).unwrap_or_default();
                let written = self.write_pending(path, None, &made)?;
                fs::write(&path.join(MANIFEST), self.manifest())?;
                let dir = dir
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .context("the build was already written")?;
                swap_in(dir.keep(), target)?;
                Ok(written
                    + self
                        .iter()
                        .map(|(_, f)| f)
                        .filter(|f| matches!(f, File::Written(_)))
                        .count())
            }
            Some(Stage::Update {
                target: staged_for,
                manifest,
                ..
            }) => {
                anyhow::ensure!(
                    staged_for == target,
                    "the build was prepared for `{}`",
                    staged_for.display()
                );
                let written = self.write_pending(target, Some(manifest), &Default::default())?;
                for gone in manifest.keys().filter(|p| self.get(p).is_none()) {
                    let file = target.join(gone);
                    if file.is_file() {
                        std::fs::remove_file(&file)
                            .with_context(|| format!("failed to remove `{}`", file.display()))?;
                    }
                }
                let manifest_file = target.join(MANIFEST);
                let tmp = target.join(format!("{MANIFEST}.tmp"));
                fs::write(&tmp, self.manifest())?;
                std::fs::rename(&tmp, &manifest_file)
                    .with_context(|| format!("failed to write `{}`", manifest_file.display()))?;
                Ok(written)
            }
        }
    }

    /// Writes the files not yet on disk into `dir`; with a previous manifest, only the
    /// ones that differ, each through a temporary file and a rename.
    fn write_pending(
        &self,
        dir: &Path,
        previous: Option<&HashMap<String, (u64, u64)>>,
        made: &rustc_hash::FxHashSet<PathBuf>,
    ) -> Result<usize> {
        let pending: Vec<(&String, &File)> = self
            .iter()
            .filter(|(path, file)| match (file, previous) {
                (File::Written(_), _) => false,
                (File::Copy(source), Some(m)) => {
                    m.get(*path).map(|e| e.0) != Some(copy_digest(source))
                }
                (File::Bytes(b), Some(m)) => m.get(*path).map(|e| e.0) != Some(digest(b)),
                (_, None) => true,
            })
            .collect();
        let mut dirs: Vec<PathBuf> = pending
            .iter()
            .filter_map(|(p, _)| Path::new(p.as_str()).parent().map(|d| dir.join(d)))
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs.retain(|d| !made.contains(d));
        fs::create_dir_all(dir)?;
        for d in &dirs {
            fs::create_dir_all(d)?;
        }
        let in_place = previous.is_some();
        pending.par_iter().try_for_each(|(path, file)| {
            let target = dir.join(path.as_str());
            let write_to = if in_place {
                dir.join(format!("{path}.cong-tmp"))
            } else {
                target.clone()
            };
            match file {
                File::Bytes(bytes) => std::fs::write(&write_to, bytes.as_slice())
                    .with_context(|| format!("failed to write `{}`", target.display()))?,
                File::Copy(source) => {
                    std::fs::copy(source, &write_to).with_context(|| {
                        format!(
                            "failed to copy `{}` to `{}`",
                            source.display(),
                            target.display()
                        )
                    })?;
                }
                File::Written(_) => {}
            }
            if in_place {
                std::fs::rename(&write_to, &target)
                    .with_context(|| format!("failed to write `{}`", target.display()))?;
            }
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(pending.len())
    }
}

/// Prepares files for an [`Output`] from any thread (see [`Output::writer`]).
#[derive(Clone)]
pub struct Writer(Option<Arc<Stage>>);

impl Writer {
    /// [`Output::prepare_digested`].
    pub fn prepare_digested(&self, path: &str, bytes: Vec<u8>, d: u64) -> Result<File> {
        prepare_in(self.0.as_deref(), path, bytes, d)
    }
}

/// [`Output::prepare_digested`] into a stage.
fn prepare_in(stage: Option<&Stage>, path: &str, bytes: Vec<u8>, d: u64) -> Result<File> {
    match stage {
        None => Ok(File::Bytes(Arc::new(bytes))),
        Some(Stage::Fresh {
            path: dir, made, ..
        }) => {
            let target = dir.join(path);
            if let Some(parent) = target.parent() {
                let known = made.lock().is_ok_and(|m| m.contains(parent));
                if !known {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("failed to create `{}`", parent.display()))?;
                    if let Ok(mut m) = made.lock() {
                        m.insert(parent.to_path_buf());
                    }
                }
            }
            std::fs::write(&target, &bytes)
                .with_context(|| format!("failed to write `{}`", target.display()))?;
            Ok(File::Written(d))
        }
        Some(Stage::Update { manifest, .. }) => Ok(if manifest.get(path).map(|m| m.0) == Some(d) {
            File::Written(d)
        } else {
            File::Bytes(Arc::new(bytes))
        }),
    }
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn name_of(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
}

/// The manifest's line for the digest of the search index's input.
const SEARCH_LINE: &str = "search\t";

/// The manifest of a previous build in `target`, when there is a complete one, and the
/// digest of what its search index was made from.
type Manifest = (HashMap<String, (u64, u64)>, Option<u64>);

fn read_manifest(target: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(target.join(MANIFEST)).ok()?;
    let (search, files) = match text.strip_prefix(SEARCH_LINE) {
        Some(rest) => {
            let (key, files) = rest.split_once('\n')?;
            (Some(u64::from_str_radix(key, 16).ok()?), files)
        }
        None => (None, text.as_str()),
    };
    let files = files
        .lines()
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let d = u64::from_str_radix(parts.next()?, 16).ok()?;
            let print = u64::from_str_radix(parts.next()?, 16).ok()?;
            Some((parts.next()?.to_owned(), (d, print)))
        })
        .collect::<Option<_>>()?;
    Some((files, search))
}

/// Replaces `target` by `fresh`, then removes the previous folder.
fn swap_in(fresh: PathBuf, target: &Path) -> Result<()> {
    if target.exists() {
        let old =
            parent_of(target).join(format!(".{}.old-{}", name_of(target), std::process::id()));
        std::fs::rename(target, &old)
            .with_context(|| format!("failed to move the previous `{}` aside", target.display()))?;
        std::fs::rename(&fresh, target)
            .with_context(|| format!("failed to move the new site to `{}`", target.display()))?;
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("failed to remove `{}`", old.display()))?;
    } else {
        std::fs::rename(&fresh, target)
            .with_context(|| format!("failed to move the new site to `{}`", target.display()))?;
    }
    Ok(())
}
