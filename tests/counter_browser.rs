//! The access-counter block end to end in headless Chromium (Debian's `chromium`, driven by
//! playwright-core, set up by `tests/setup.sh`): a fixture portal published under a path
//! prefix, a real `cong counter serve` on loopback, and the built site served from a tiny
//! static server on loopback.

mod common;
mod counter_support;

use std::process::Command;

use common::*;
use counter_support::{hit, Service, StaticServer};

#[test]
fn counts_rise_on_reload_and_the_snapshot_stays_when_the_service_stops() {
    let modules = required_env("CONG_NODE_MODULES");
    let chromium = required_env("CONG_CHROMIUM");
    let work = tempfile::tempdir().unwrap();
    let dir = portal(None);
    let root = dir.path().to_str().unwrap();
    let site = StaticServer::start(dir.path().join("public"), "/portal");
    let base_url = format!("{}/portal/", site.origin());

    // A first build writes the pages the service accepts; the service starts on them and
    // counts two visits, which a second build bakes into the pages.
    let public = build(dir.path(), &["--base-url", &base_url]);
    let mut service = Service::start(
        &public.join("cong-counter.json"),
        &work.path().join("counter.sqlite"),
    );
    hit(&service.addr, "/", "/");
    hit(&service.addr, "/", "/tin-tuc/");
    let site_yaml = dir.path().join("content/site.yaml");
    let mut settings = read(&site_yaml);
    settings.push_str(&format!(
        "counter:\n  endpoint: \"{}\"\n  allowed_origins: [\"{}\"]\n",
        service.url(),
        site.origin()
    ));
    std::fs::write(&site_yaml, settings).unwrap();
    let out = cong(&[
        "build",
        "--root",
        root,
        "--now",
        NOW,
        "--base-url",
        &base_url,
        "--counter-url",
        &service.url(),
    ]);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));

    let page = format!("{base_url}tin-tuc/");
    let out = Command::new("node")
        .arg(fixtures().parent().unwrap().join("browser/counter.mjs"))
        .args([
            page.as_str(),
            &service.pid().to_string(),
            &service.addr,
            "2",
        ])
        .env("CONG_NODE_MODULES", modules)
        .env("CONG_CHROMIUM", chromium)
        .output()
        .expect("node is needed for the browser tests: run `bash tests/setup.sh`");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    eprintln!("{log}");
    assert!(
        out.status.success() && log.contains("\nok"),
        "the browser test failed:\n{log}"
    );
    service.stop();
}
