//! Search: the sample portal's index files, the ranking over them, and the search
//! page in headless Chromium.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use cong::search::query;

fn build_sample() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let result = cong(&[
        "build",
        "--root",
        env!("CARGO_MANIFEST_DIR"),
        "--output",
        out.path().join("site").to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    out
}

fn index_dir(site: &Path) -> PathBuf {
    site.join("tim-kiem/chi-muc")
}

/// The titles of the first `n` results, and the files read.
fn top(site: &Path, q: &str, n: usize) -> (Vec<String>, Vec<String>) {
    let dir = index_dir(site);
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    let (found, fetched) = query::search(&fetch, q, n);
    (found.into_iter().map(|f| f.title).collect(), fetched)
}

#[test]
fn probe() {
    let out = build_sample();
    let site = out.path().join("site");
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Đồng Hỷ").collect();
    for q in ["mot cua"] {
        let dir = index_dir(&site);
        let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
        let (found, fetched) = query::search(&fetch, q, 40);
        println!("== {q} ({} files)", fetched.len());
        for f in found {
            println!(
                "{:?} {} {}",
                (
                    f.hit.matched,
                    f.hit.exact,
                    f.hit.phrase,
                    f.hit.score,
                    f.hit.month
                ),
                f.title,
                f.url
            );
        }
    }
}
