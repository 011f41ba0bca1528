//! `cong serve`: after every kind of edit an editor makes, the preview serves exactly
//! what a full build of the same tree would produce; errors show without stopping the
//! server; nothing outside the site is served.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use common::*;

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (
        status,
        response
            .body_mut()
            .with_config()
            .limit(50_000_000)
            .read_to_vec()
            .unwrap(),
    )
}

impl Server {
    fn start(root: &Path) -> Server {
        let (child, port) = start_preview(root);
        Server { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn status(&self) -> serde_json::Value {
        serde_json::from_slice(&get(&self.url("/__cong/status")).1).unwrap()
    }

    /// Waits until the server has rebuilt after `before`, brought its search index up to
    /// date, and stayed quiet for a moment.
    fn settle(&self, before: u64) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = self.status();
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let now = self.status();
            if now["generation"].as_u64() > Some(before)
                && now["generation"] == last["generation"]
                && now["indexing"] != true
            {
                return now;
            }
            assert!(Instant::now() < deadline, "no rebuild after the change");
            last = now;
        }
    }

    fn generation(&self) -> u64 {
        self.status()["generation"].as_u64().unwrap()
    }

    /// The served site equals a fresh full build with the same settings, byte for byte.
    fn assert_same_as_full_build(&self, root: &Path, step: &str) {
        let out = tempfile::tempdir().unwrap();
        let built = out.path().join("site");
        let base = format!("http://127.0.0.1:{}", self.port);
        let result = cong(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            built.to_str().unwrap(),
            "--now",
            NOW,
            "--base-url",
            &base,
            "--preview-script",
        ]);
        assert!(
            result.status.success(),
            "{step}: full build failed: {}",
            stderr(&result)
        );
        let served: BTreeSet<String> =
            serde_json::from_slice::<Vec<String>>(&get(&self.url("/__cong/manifest")).1)
                .unwrap()
                .into_iter()
                .collect();
        let files: BTreeSet<String> = walkdir::WalkDir::new(&built)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.file_name() != ".cong-manifest")
            .map(|e| {
                e.path()
                    .strip_prefix(&built)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            served, files,
            "{step}: the served files differ from a full build"
        );
        for path in &files {
            let (status, body) = get(&self.url(&format!("/{path}")));
            let expected = std::fs::read(built.join(path)).unwrap();
            assert!(
                body == expected,
                "{step}: /{path} differs from a full build (status {status})"
            );
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn every_edit_leaves_the_preview_equal_to_a_full_build() {
    let dir = portal(None);
    let root = dir.path();
    let news = root.join("content/tin-tuc");
    let article = news.join("2020-10-27-kiem-tra.md");
    let server = Server::start(root);
    server.settle(0);
    server.assert_same_as_full_build(root, "start");
    let total = server.status()["pages"].as_u64().unwrap();

    type Step<'a> = Box<dyn Fn(&Path) + 'a>;
    let steps: Vec<(&str, Step<'_>)> = vec![
        (
            "body",
            Box::new(|_| {
                edit(
                    &article,
                    "Đoàn kiểm tra làm việc",
                    "Đoàn kiểm tra đã làm việc",
                )
            }),
        ),
        (
            "title",
            Box::new(|_| {
                edit(
                    &article,
                    "title: \"Đồng Hỷ kiểm tra chính quyền điện tử\"",
                    "title: \"Đồng Hỷ kiểm tra kết quả chính quyền điện tử\"",
                )
            }),
        ),
        (
            "category",
            Box::new(|_| edit(&article, "category: chuyen-doi-so", "category: thong-bao")),
        ),
        (
            "tags",
            Box::new(|_| {
                edit(
                    &article,
                    "tags: [chính quyền điện tử, một cửa]",
                    "tags: [chữ ký số]",
                )
            }),
        ),
        (
            "date across a page boundary",
            Box::new(|_| {
                edit(
                    &article,
                    "date: 2020-10-27T16:10:00+07:00",
                    "date: 2021-06-01T16:10:00+07:00",
                )
            }),
        ),
        (
            "new article",
            Box::new(|_| {
                std::fs::write(news.join("2021-07-01-moi.md"), "---\ntitle: \"Tin mới thêm\"\ndate: 2021-07-01T08:00:00+07:00\ncategory: thong-bao\ntags: [một cửa]\n---\nNội dung mới.\n\n![Đoàn kiểm tra](anh.svg)\n").unwrap()
            }),
        ),
        (
            "an image two pages show, dropped by one",
            Box::new(|_| {
                edit(
                    &article,
                    "image: { src: anh.svg, caption: \"Đoàn kiểm tra tại xã\", alt: \"Đoàn kiểm tra\" }\n",
                    "",
                )
            }),
        ),
        (
            "the image shown again",
            Box::new(|_| {
                edit(
                    &article,
                    "featured: true\n",
                    "image: { src: anh.svg, caption: \"Đoàn kiểm tra tại xã\", alt: \"Đoàn kiểm tra\" }\nfeatured: true\n",
                )
            }),
        ),
        (
            "rename",
            Box::new(|_| {
                std::fs::rename(
                    news.join("2021-07-01-moi.md"),
                    news.join("2021-07-02-doi-ten.md"),
                )
                .unwrap()
            }),
        ),
        (
            "delete",
            Box::new(|_| std::fs::remove_file(news.join("2021-07-02-doi-ten.md")).unwrap()),
        ),
        (
            "new partial template",
            Box::new(|root: &Path| {
                let dir = root.join("themes/default/templates/partials");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(
                    dir.join("services.html"),
                    "<p class=\"dvc\">Dịch vụ công</p>",
                )
                .unwrap();
            }),
        ),
        (
            "edit partial template",
            Box::new(|root: &Path| {
                edit(
                    &root.join("themes/default/templates/partials/services.html"),
                    "Dịch vụ công",
                    "Dịch vụ công trực tuyến",
                )
            }),
        ),
        (
            "site.yaml",
            Box::new(|root: &Path| {
                edit(
                    &root.join("content/site.yaml"),
                    "paginate: 2",
                    "paginate: 3",
                )
            }),
        ),
        (
            "unit",
            Box::new(|root: &Path| {
                edit(
                    &root.join("content/xa-a/_unit.yaml"),
                    "Xã Ân Thịnh\"",
                    "Xã Ân Thịnh mới\"",
                )
            }),
        ),
        (
            "image",
            Box::new(|_| {
                std::fs::write(news.join("anh.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\"><title>Ảnh mới</title></svg>\n").unwrap()
            }),
        ),
    ];
    for (name, step) in steps {
        let before = server.generation();
        step(root);
        let status = server.settle(before);
        assert_eq!(status["ok"], true, "{name}: {status}");
        server.assert_same_as_full_build(root, name);
        if name == "body" {
            let rendered = status["rendered"].as_u64().unwrap();
            assert!(
                rendered < total / 2,
                "a body edit re-rendered {rendered} of {total} pages"
            );
        }
    }
}

#[test]
fn errors_show_and_the_last_good_site_stays_served() {
    let dir = portal(None);
    let root = dir.path();
    let article = root.join("content/tin-tuc/2020-10-27-kiem-tra.md");
    let server = Server::start(root);
    server.settle(0);
    let page = "/tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/";
    let good = get(&server.url(page)).1;

    type Break<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Break<'_>, &str)> = vec![
        (
            "front matter",
            Box::new(|| {
                edit(
                    &article,
                    "category: chuyen-doi-so",
                    "category: [chuyen-doi-so",
                )
            }),
            "content/tin-tuc/2020-10-27-kiem-tra.md:4: malformed YAML",
        ),
        (
            "broken link",
            Box::new(|| {
                edit(
                    &article,
                    "(2021-01-05-thong-bao.md)",
                    "(2021-01-05-khong-co.md)",
                )
            }),
            "content/tin-tuc/2020-10-27-kiem-tra.md:21: broken link",
        ),
        (
            "template",
            Box::new(|| {
                let dir = root.join("themes/default/templates");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("page.html"), "{% extends \"base.html\" %}{% block content %}{{ page.title }{% endblock content %}").unwrap();
            }),
            "page.html:1",
        ),
    ];
    for (name, breaks, expected) in cases {
        let original = std::fs::read_to_string(&article).unwrap();
        let before = server.generation();
        breaks();
        let status = server.settle(before);
        assert_eq!(status["ok"], false, "{name}: {status}");
        let errors = status["errors"].to_string();
        assert!(errors.contains(expected), "{name}: {errors}");
        assert_eq!(
            get(&server.url(page)).1,
            good,
            "{name}: the last good page is not served"
        );
        let before = server.generation();
        std::fs::write(&article, original).unwrap();
        let _ = std::fs::remove_file(root.join("themes/default/templates/page.html"));
        let status = server.settle(before);
        assert_eq!(
            status["ok"], true,
            "{name}: fixing did not clear the error: {status}"
        );
        server.assert_same_as_full_build(root, name);
    }
}

#[test]
fn real_editors_saves_never_crash_or_leave_stale_pages() {
    let dir = portal(None);
    let root = dir.path();
    let news = root.join("content/tin-tuc");
    let article = news.join("2021-01-05-thong-bao.md");
    let server = Server::start(root);
    server.settle(0);

    // Atomic save: write a temporary file, then rename it over the article.
    let before = server.generation();
    let text = std::fs::read_to_string(&article)
        .unwrap()
        .replace("Nội dung thông báo.", "Nội dung thông báo đã sửa.");
    std::fs::write(news.join(".2021-01-05-thong-bao.md.tmp"), &text).unwrap();
    std::fs::rename(news.join(".2021-01-05-thong-bao.md.tmp"), &article).unwrap();
    server.settle(before);
    server.assert_same_as_full_build(root, "atomic rename");

    // Swap and backup files of vim and emacs are not content.
    for name in [
        ".2021-01-05-thong-bao.md.swp",
        "2021-01-05-thong-bao.md~",
        "4913",
        ".#2021-01-05-thong-bao.md",
    ] {
        std::fs::write(news.join(name), "rác không phải nội dung: ---\n").unwrap();
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.status()["ok"], true);
    server.assert_same_as_full_build(root, "swap files");

    // A burst of saves ends on the last one.
    let before = server.generation();
    for n in 0..20 {
        std::fs::write(&article, text.replace("đã sửa", &format!("lần {n}"))).unwrap();
    }
    server.settle(before);
    server.assert_same_as_full_build(root, "burst");

    // A file saved half-written, completed a moment later.
    let before = server.generation();
    let new_file = news.join("2021-08-01-nua-chung.md");
    std::fs::write(&new_file, "---\ntitle: \"Tin viết dở").unwrap();
    server.settle(before);
    let before = server.generation();
    std::fs::write(&new_file, "---\ntitle: \"Tin viết dở đã xong\"\ndate: 2021-08-01T08:00:00+07:00\ncategory: thong-bao\n---\nXong.\n").unwrap();
    let status = server.settle(before);
    assert_eq!(status["ok"], true, "{status}");
    server.assert_same_as_full_build(root, "half-written file");

    // A deleted folder: a whole commune goes.
    let before = server.generation();
    std::fs::remove_dir_all(root.join("content/xa-a")).unwrap();
    let status = server.settle(before);
    assert_eq!(status["ok"], true, "{status}");
    server.assert_same_as_full_build(root, "deleted folder");
    assert!(
        std::fs::read_dir(root)
            .unwrap()
            .all(|e| e.unwrap().file_name() != "public"),
        "the preview wrote public/"
    );
}

#[test]
fn nothing_outside_the_site_is_served() {
    let dir = portal(None);
    let server = Server::start(dir.path());
    server.settle(0);
    for path in [
        "/../content/site.yaml",
        "/%2e%2e/content/site.yaml",
        "/tin-tuc/%2E%2E/%2E%2E/content/site.yaml",
        "/..%2fcontent%2fsite.yaml",
        "/content/site.yaml",
        "/%5c..%5ccontent%5csite.yaml",
    ] {
        let (status, body) = get(&server.url(path));
        assert_eq!(status, 404, "{path}");
        assert!(
            !String::from_utf8_lossy(&body).contains("base_url"),
            "{path} leaked site.yaml"
        );
    }
    let (status, body) = get(&server.url("/"));
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&body).contains("id=\"cong-preview\""),
        "no reload script in served pages"
    );
}
