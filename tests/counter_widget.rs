//! The *Thống kê truy cập* block: `cong build --counter-db` and `--counter-url` bake the
//! counts of a real `cong counter serve` into the pages with their date; without a snapshot
//! the block says the counts are not available; and every page tells its script the unit
//! and path that `cong-counter.json` lists for it, whatever the base URL's prefix.

mod common;
mod counter_support;

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use common::*;
use counter_support::{hit, Service};

const NOT_AVAILABLE: &str = "Số liệu truy cập hiện chưa có.";

/// The figure shown for `field` (`today`, `total`...) in a page's block.
fn figure(html: &str, field: &str) -> String {
    let marker = format!("data-counter=\"{field}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {field} figure in the page"))
        + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_string()
}

/// The snapshot's date as the block shows it, checked against its `datetime`.
fn as_of(html: &str) -> DateTime<FixedOffset> {
    let start = html
        .find("Số liệu đến <time datetime=\"")
        .expect("no snapshot date in the page")
        + "Số liệu đến <time datetime=\"".len();
    let rest = &html[start..];
    let (iso, rest) = rest.split_once("\">").unwrap();
    let shown = &rest[..rest.find("</time>").unwrap()];
    let at = DateTime::parse_from_rfc3339(iso).unwrap();
    assert_eq!(
        iso.get(19..),
        Some("+07:00"),
        "not in Vietnam's time: {iso}"
    );
    assert_eq!(shown, at.format("%d/%m/%Y %H:%M").to_string());
    at
}

/// Builds the fixture once (for its `cong-counter.json`), runs the service on it, and
/// counts 3 visits on the portal's unit and 2 on the commune's.
fn counted_portal(db: &Path) -> (tempfile::TempDir, Service) {
    let dir = portal(None);
    let public = build(dir.path(), &[]);
    let service = Service::start(&public.join("cong-counter.json"), db);
    for path in ["/", "/tin-tuc/", "/"] {
        hit(&service.addr, "/", path);
    }
    for _ in 0..2 {
        hit(&service.addr, "/xa-a/", "/xa-a/");
    }
    (dir, service)
}

fn assert_recent(at: DateTime<FixedOffset>) {
    let age = Utc::now().signed_duration_since(at);
    assert!(
        age.num_minutes().abs() <= 5,
        "the snapshot date {at} is not the time it was taken"
    );
}

#[test]
fn build_bakes_the_counts_of_a_counter_database() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("counter.sqlite");
    let (dir, mut service) = counted_portal(&db);
    service.stop();
    let public = build(dir.path(), &["--counter-db", db.to_str().unwrap()]);

    let home = read(public.join("index.html"));
    for (field, value) in [
        ("today", "3"),
        ("week", "3"),
        ("month", "3"),
        ("total", "3"),
    ] {
        assert_eq!(figure(&home, field), value, "{field} on the home page");
    }
    assert_eq!(figure(&home, "yesterday"), "0");
    assert_recent(as_of(&home));
    assert!(home.contains("<h2 id=\"thong-ke-truy-cap\">Thống kê truy cập</h2>"));
    assert!(home.contains("<dt>Tổng truy cập</dt>"));
    assert!(!home.contains(NOT_AVAILABLE));
    // No counter.endpoint in site.yaml: no script, and no address for one.
    assert!(!home.contains("counter.js") && !home.contains("data-endpoint"));

    // Every page of a unit shows that unit's figures, the commune's its own.
    let article = read(public.join("tin-tuc/index.html"));
    assert_eq!(figure(&article, "total"), "3");
    let commune = read(public.join("xa-a/index.html"));
    assert_eq!(figure(&commune, "total"), "2");
    let english = read(public.join("xa-a/en/index.html"));
    assert_eq!(figure(&english, "today"), "2");
    assert!(english.contains("Figures as of <time"));
}

#[test]
fn build_bakes_the_counts_of_a_running_service() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("counter.sqlite");
    let (dir, service) = counted_portal(&db);
    let public = build(dir.path(), &["--counter-url", &service.url()]);
    let home = read(public.join("index.html"));
    assert_eq!(figure(&home, "total"), "3");
    assert_eq!(figure(&home, "today"), "3");
    assert_recent(as_of(&home));
    assert_eq!(figure(&read(public.join("xa-a/index.html")), "total"), "2");
}

#[test]
fn an_unreadable_snapshot_fails_the_build_and_keeps_the_last_site() {
    let dir = portal(None);
    let public = build(dir.path(), &[]);
    let before = read(public.join("index.html"));
    let root = dir.path().to_str().unwrap();

    let missing = dir.path().join("no-such.sqlite");
    let out = cong(&[
        "build",
        "--root",
        root,
        "--now",
        NOW,
        "--counter-db",
        missing.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no counter database at"),
        "{}",
        stderr(&out)
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}");
    let out = cong(&["build", "--root", root, "--now", NOW, "--counter-url", &url]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot reach the access counter at"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(public.join("index.html")), before);

    let out = cong(&[
        "build",
        "--root",
        root,
        "--counter-db",
        "a.sqlite",
        "--counter-url",
        &url,
    ]);
    assert!(!out.status.success(), "both sources at once are refused");
}

#[test]
fn without_a_snapshot_the_block_says_the_counts_are_not_available() {
    let dir = portal(None);
    let public = build(dir.path(), &[]);
    let home = read(public.join("index.html"));
    assert!(home.contains(NOT_AVAILABLE));
    assert!(home.contains("<dl class=\"counter-figures\" hidden>"));
    assert!(!home.contains("Số liệu đến"));
    for field in ["online", "today", "total"] {
        assert_eq!(figure(&home, field), "", "no made-up {field} figure");
    }
    assert!(read(public.join("assets/css/cong.css")).contains("/* Access counter */"));
}

#[test]
fn each_page_names_the_unit_and_path_the_counter_accepts() {
    let dir = portal(None);
    let site_yaml = dir.path().join("content/site.yaml");
    let mut settings = read(&site_yaml);
    settings.push_str(
        "counter:\n  endpoint: \"https://thongke.example.gov.vn/\"\n  allowed_origins: [\"https://www.example.gov.vn\"]\n",
    );
    std::fs::write(&site_yaml, settings).unwrap();
    let public = build(
        dir.path(),
        &["--base-url", "https://host.example.vn/portal/"],
    );

    let targets: serde_json::Value =
        serde_json::from_str(&read(public.join("cong-counter.json"))).unwrap();
    let mut checked = 0;
    for unit in targets["units"].as_array().unwrap() {
        let id = unit["id"].as_str().unwrap();
        for path in unit["paths"].as_array().unwrap() {
            let path = path.as_str().unwrap();
            let html = read(public.join(&path[1..]).join("index.html"));
            let expected = format!(
                "data-endpoint=\"https://thongke.example.gov.vn\" data-unit=\"{id}\" data-path=\"{path}\">"
            );
            assert!(
                html.contains(&expected),
                "{path}: the block does not carry {expected}"
            );
            assert!(html.contains("<script src=\"/portal/assets/js/counter.js\" defer></script>"));
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} pages checked");
    // The 404 page, served at any address, counts for the portal's unit alone.
    let missing = read(public.join("404.html"));
    assert!(missing.contains("data-unit=\"/\">"));
    assert!(public.join("assets/js/counter.js").is_file());
}
