//! The sample portal in `content/`: it builds, every internal link leads somewhere,
//! and every page passes the Nu HTML Checker.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;

fn build_sample() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let result = cong(&[
        "build",
        "--root",
        root,
        "--output",
        out.path().join("site").to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(
        result.status.success(),
        "the sample portal does not build:\n{}",
        stderr(&result)
    );
    out
}

fn html_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn sample_portal_is_realistic() {
    let out = build_sample();
    let site = out.path().join("site");
    let articles = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name() == "index.html"
                && e.path()
                    .parent()
                    .and_then(|p| p.parent())
                    .is_some_and(|p| p.ends_with("tin-tuc"))
        })
        .count();
    assert!(articles >= 30, "only {articles} articles");
    let units = [
        "xa-hoa-thuong",
        "xa-minh-lap",
        "xa-nam-hoa",
        "thi-tran-song-cau",
    ];
    for u in units {
        assert!(site.join(u).join("index.html").is_file(), "no commune {u}");
    }
    let home = read(site.join("index.html"));
    assert!(home.contains("Huyện Đồng Hỷ"));
    let district_news: String = walkdir::WalkDir::new(site.join("tin-tuc"))
        .max_depth(3)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path().to_string_lossy().contains("/trang/")
                || e.path() == site.join("tin-tuc/index.html")
        })
        .filter(|e| e.file_name() == "index.html")
        .map(|e| read(e.path()))
        .collect();
    assert!(
        units
            .iter()
            .any(|u| district_news.contains(&format!("href=\"/{u}/tin-tuc/"))),
        "no commune article is listed on the district portal"
    );
    let contact = read(site.join("en/contact/index.html"));
    assert!(contact.contains("Dong Hy District"));
}

#[test]
fn every_internal_link_of_the_sample_portal_resolves() {
    let out = build_sample();
    let site = out.path().join("site");
    let mut broken = BTreeSet::new();
    for file in html_files(&site) {
        let html = read(&file);
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let link = &part[..part.find('"').unwrap_or(0)];
                if !link.starts_with('/') || link.starts_with("//") {
                    continue;
                }
                let path = link.split(['#', '?']).next().unwrap_or("");
                let target = site.join(path.trim_start_matches('/'));
                let ok = if path.ends_with('/') {
                    target.join("index.html").is_file()
                } else {
                    target.is_file()
                };
                if !ok {
                    broken.insert(format!(
                        "{} -> {link}",
                        file.strip_prefix(&site).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "broken internal links:\n{}",
        broken.into_iter().take(30).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn sample_portal_passes_the_nu_html_checker() {
    let out = build_sample();
    let site = out.path().join("site");
    assert_valid_html(&[&site]);
    assert!(html_files(&site).len() > 150);
}

#[test]
fn feeds_and_sitemap_parse_as_xml() {
    let out = build_sample();
    let site = out.path().join("site");
    let mut files = vec![site.join("sitemap.xml")];
    files.extend(
        walkdir::WalkDir::new(&site)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "rss.xml")
            .map(|e| e.into_path()),
    );
    let result = Command::new("xmllint")
        .arg("--noout")
        .args(&files)
        .output()
        .expect("xmllint is needed: run `bash tests/setup.sh`");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for feed in walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "feed.json")
    {
        let v: serde_json::Value = serde_json::from_str(&read(feed.path())).unwrap();
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
        assert!(v["title"].is_string() && v["items"].is_array());
    }
}
