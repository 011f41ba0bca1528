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
    },
    /// `target` itself, updated file by file after the build succeeded.
    Update {
        target: PathBuf,
        manifest: HashMap<String, (u64, u64)>,
    },
}

/// The built site: output paths (relative, `/`-separated) to files.
#[derive(Debug, Default, Clone)]
pub struct Output {
    files: BTreeMap<String, File>,
    stage: Option<Arc<Stage>>,
    /// Each page's input fingerprint, recorded in the manifest.
    prints: HashMap<String, u64>,
}

/// A digest of a file's bytes.
pub fn digest(bytes: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
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
            Some(manifest) => Stage::Update {
                target: target.to_path_buf(),
                manifest,
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
                }
            }
        };
        Ok(Output {
            files: BTreeMap::new(),
            stage: Some(Arc::new(stage)),
            prints: HashMap::new(),
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
                self.files.insert(path.to_owned(), File::Written(*digest));
                return true;
            }
        }
        false
    }

    /// Records the pages' fingerprints for the manifest.
    pub fn set_prints(&mut self, prints: HashMap<String, u64>) {
        self.prints = prints;
    }

    /// Turns a rendered page into the file the output keeps: written at once into a
    /// fresh folder, or kept only when it differs from the previous build. Safe to call
    /// from several threads.
    pub fn prepare(&self, path: &str, bytes: Vec<u8>) -> Result<File> {
        match self.stage.as_deref() {
            None => Ok(File::Bytes(Arc::new(bytes))),
            Some(Stage::Fresh { path: dir, .. }) => {
                let target = dir.join(path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("failed to create `{}`", parent.display()))?;
                }
                std::fs::write(&target, &bytes)
                    .with_context(|| format!("failed to write `{}`", target.display()))?;
                Ok(File::Written(digest(&bytes)))
            }
            Some(Stage::Update { manifest, .. }) => {
                let d = digest(&bytes);
                Ok(if manifest.get(path).map(|m| m.0) == Some(d) {
                    File::Written(d)
                } else {
                    File::Bytes(Arc::new(bytes))
                })
            }
        }
    }

    /// Adds a file prepared by [`Output::prepare`].
    pub fn insert(&mut self, path: String, file: File) {
        self.files.insert(path, file);
    }

    /// Adds a generated file at `path` (`tin-tuc/x/index.html`).
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), File::Bytes(Arc::new(bytes)));
    }

    /// Adds a file copied from `source`.
    pub fn copy(&mut self, path: impl Into<String>, source: PathBuf) {
        self.files.insert(path.into(), File::Copy(source));
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Number of HTML pages.
    pub fn pages(&self) -> usize {
        self.files.keys().filter(|k| k.ends_with(".html")).count()
    }

    /// A generated file.
    pub fn get(&self, path: &str) -> Option<&File> {
        self.files.get(path)
    }

    /// Keeps only the files for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &File) -> bool) {
        self.files.retain(|path, file| keep(path, file));
    }

    /// All paths.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The digest of every file, as the manifest records it.
    fn manifest(&self) -> String {
        let mut out = String::with_capacity(self.files.len() * 64);
        for (path, file) in &self.files {
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
                let written = self.write_pending(fresh.path(), None)?;
                swap_in(fresh.keep(), target)?;
                Ok(written)
            }
            Some(Stage::Fresh {
                dir,
                path,
                target: staged_for,
            }) => {
                anyhow::ensure!(
                    staged_for == target,
                    "the build was prepared for `{}`",
                    staged_for.display()
                );
                let written = self.write_pending(path, None)?;
                fs::write(&path.join(MANIFEST), self.manifest())?;
                let dir = dir
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .context("the build was already written")?;
                swap_in(dir.keep(), target)?;
                Ok(written
                    + self
                        .files
                        .values()
                        .filter(|f| matches!(f, File::Written(_)))
                        .count())
            }
            Some(Stage::Update {
                target: staged_for,
                manifest,
            }) => {
                anyhow::ensure!(
                    staged_for == target,
                    "the build was prepared for `{}`",
                    staged_for.display()
                );
                let written = self.write_pending(target, Some(manifest))?;
                for gone in manifest.keys().filter(|p| !self.files.contains_key(*p)) {
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
    ) -> Result<usize> {
        let pending: Vec<(&String, &File)> = self
            .files
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

/// The manifest of a previous build in `target`, when there is a complete one.
fn read_manifest(target: &Path) -> Option<HashMap<String, (u64, u64)>> {
    let text = std::fs::read_to_string(target.join(MANIFEST)).ok()?;
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let d = u64::from_str_radix(parts.next()?, 16).ok()?;
            let print = u64::from_str_radix(parts.next()?, 16).ok()?;
            Some((parts.next()?.to_owned(), (d, print)))
        })
        .collect()
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
