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

fn node_modules_env() -> (String, String) {
    (
        std::env::var("CONG_NODE_MODULES")
            .expect("set CONG_NODE_MODULES (see tests/setup.sh) for the browser test"),
        std::env::var("CONG_CHROMIUM")
            .expect("set CONG_CHROMIUM (see tests/setup.sh) for the browser test"),
    )
}

#[test]
fn sample_index_files_and_search_pages() {
    let out = build_sample();
    let site = out.path().join("site");
    let dir = index_dir(&site);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    let documents = meta["documents"].as_u64().unwrap() as usize;
    let buckets = meta["buckets"].as_u64().unwrap() as usize;
    assert!(documents > 60, "{documents} documents indexed");
    assert!(buckets.is_power_of_two());
    for b in 0..buckets {
        let bucket: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("k/{b}.json"))).unwrap())
                .unwrap();
        assert!(bucket.is_object());
    }
    let chunk = meta["chunk"].as_u64().unwrap() as usize;
    let mut titles = Vec::new();
    for n in 0..documents.div_ceil(chunk) {
        let docs: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("d/{n}.json"))).unwrap())
                .unwrap();
        titles.extend(
            docs.as_array()
                .unwrap()
                .iter()
                .map(|d| d[0].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(titles.len(), documents);
    // Articles, pages, procedures and documents are all in it.
    for t in [
        "Chè Đồng Hỷ lên sàn thương mại điện tử",
        "Hướng dẫn nộp hồ sơ dịch vụ công trực tuyến",
        "Đăng ký khai sinh",
        "Thông báo số 38/TB-UBND",
    ] {
        assert!(titles.iter().any(|x| x == t), "{t} is not indexed");
    }
    // A search page per unit, and a search box in every page's header.
    for unit in [
        "",
        "xa-hoa-thuong/",
        "xa-minh-lap/",
        "xa-nam-hoa/",
        "thi-tran-song-cau/",
    ] {
        let page =
            std::fs::read_to_string(site.join(format!("{unit}tim-kiem/index.html"))).unwrap();
        assert!(
            page.contains("data-search-index=\"/tim-kiem/chi-muc/\""),
            "{unit}"
        );
        let home = std::fs::read_to_string(site.join(format!("{unit}index.html"))).unwrap();
        assert!(
            home.contains(&format!("role=\"search\" aria-label=\"Tìm trong cổng thông tin\" action=\"/{unit}tim-kiem/\" method=\"get\"")),
            "{unit}"
        );
    }
}

#[test]
fn sample_ranking_over_the_index_files() {
    let out = build_sample();
    let site = out.path().join("site");

    let (dong_hy, fetched) = top(&site, "dong hy", 6);
    assert_eq!(
        dong_hy[0],
        "Quy chế hoạt động của Cổng thông tin điện tử huyện Đồng Hỷ"
    );
    assert!(dong_hy.iter().all(|t| t.contains("Đồng Hỷ")), "{dong_hy:?}");
    // meta, two syllables, one pair, and the chunks of six results at most.
    assert!(fetched.len() <= 10, "{fetched:?}");

    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Đồng Hỷ").collect();
    let (toned, _) = top(&site, &nfd, 6);
    assert_eq!(toned[0], dong_hy[0]);
    assert!(toned.iter().all(|t| t.contains("Đồng Hỷ")), "{toned:?}");

    // The phrase `một cửa` ranks above a title with `một` and `cửa` apart.
    let scattered = "Minh Lập: một nhà văn hóa xóm mở cửa đón người dân đọc sách buổi tối";
    let dir = index_dir(&site);
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    let (found, _) = query::search(&fetch, "một cửa", 100);
    assert_eq!(
        found[0].title,
        "Bộ phận Một cửa huyện giải quyết đúng hạn 100% hồ sơ trong 6 tháng đầu năm 2020"
    );
    let at = found.iter().position(|f| f.title == scattered).unwrap();
    assert!(found[..at].iter().all(|f| f.hit.phrase == 1));
    assert_eq!(found[at].hit.phrase, 0);
    // Its title would outscore body-only phrases without the phrase rule.
    assert!(found[..at]
        .iter()
        .any(|f| f.hit.score < found[at].hit.score));

    // Đ typed as d.
    let (dang_ky, _) = top(&site, "dang ky khai sinh", 3);
    assert_eq!(dang_ky[0], "Đăng ký khai sinh");
}

/// Searches the sample portal in headless Chromium (tests/browser/search.mjs), served
/// with gzip by the script itself, and checks the bytes each query fetches.
#[test]
fn search_page_in_the_browser() {
    let out = build_sample();
    let site = out.path().join("site");
    let (modules, chromium) = node_modules_env();
    let result = Command::new("node")
        .arg(
            fixtures()
                .parent()
                .unwrap()
                .join("browser")
                .join("search.mjs"),
        )
        .arg(&site)
        .env("CONG_NODE_MODULES", modules)
        .env("CONG_CHROMIUM", chromium)
        .output()
        .expect("node is needed for the browser tests: run `bash tests/setup.sh`");
    let log = String::from_utf8_lossy(&result.stdout).into_owned()
        + &String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success() && log.contains("\nok"),
        "the browser test failed:\n{log}"
    );
}
