//! The built site in memory, and how it reaches the disk.
//!
//! Pages are collected as bytes; files the content ships (images, attachments) are
//! remembered as copies. Writing goes into a fresh sibling folder that replaces the
//! output only once every file is written, so a failed build never leaves a
//! half-written `public/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::fs;

/// One file of the built site.
#[derive(Debug, Clone)]
pub enum File {
    Bytes(Arc<Vec<u8>>),
    /// A file copied as it is from the portal's tree.
    Copy(PathBuf),
}

/// The built site: output paths (relative, `/`-separated) to files.
#[derive(Debug, Default, Clone)]
pub struct Output {
    files: BTreeMap<String, File>,
}

impl Output {
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

    /// A generated file's bytes.
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

    /// Writes every file into `dir` (which must not exist yet), in parallel.
    pub fn write_into(&self, dir: &Path) -> Result<()> {
        let files: Vec<(&String, &File)> = self.files.iter().collect();
        let mut dirs: Vec<PathBuf> = files
            .iter()
            .filter_map(|(p, _)| Path::new(p.as_str()).parent().map(|d| dir.join(d)))
            .collect();
        dirs.dedup();
        fs::create_dir_all(dir)?;
        for d in &dirs {
            fs::create_dir_all(d)?;
        }
        files.par_iter().try_for_each(|(path, file)| {
            let target = dir.join(path.as_str());
            match file {
                File::Bytes(bytes) => std::fs::write(&target, bytes.as_slice())
                    .with_context(|| format!("failed to write `{}`", target.display())),
                File::Copy(source) => {
                    std::fs::copy(source, &target).map(|_| ()).with_context(|| {
                        format!(
                            "failed to copy `{}` to `{}`",
                            source.display(),
                            target.display()
                        )
                    })
                }
            }
        })
    }

    /// Writes the site into a fresh folder beside `target`, then swaps it in.
    pub fn write_atomically(&self, target: &Path) -> Result<()> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let fresh = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .tempdir_in(&parent)
            .with_context(|| format!("failed to create a folder in `{}`", parent.display()))?;
        self.write_into(fresh.path())?;
        let fresh = fresh.keep();
        if target.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(target, &old).with_context(|| {
                format!("failed to move the previous `{}` aside", target.display())
            })?;
            std::fs::rename(&fresh, target).with_context(|| {
                format!("failed to move the new site to `{}`", target.display())
            })?;
            std::fs::remove_dir_all(&old)
                .with_context(|| format!("failed to remove `{}`", old.display()))?;
        } else {
            std::fs::rename(&fresh, target).with_context(|| {
                format!("failed to move the new site to `{}`", target.display())
            })?;
        }
        Ok(())
    }
}
