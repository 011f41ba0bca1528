//! Builds the fixture portals and checks what comes out: pages, URLs, Vietnamese
//! formats, feeds, drafts, atomic output, and the messages for every bad input.

mod common;

use std::path::Path;

use common::*;

#[test]
fn basic_portal_has_every_page_type() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    for page in [
        "index.html",
        "404.html",
        "tin-tuc/index.html",
        "tin-tuc/trang/2/index.html",
        "tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/index.html",
        "chuyen-muc/chuyen-doi-so/index.html",
        "chuyen-muc/chuyen-doi-so/trang/2/index.html",
        "chuyen-muc/chuyen-doi-so/rss.xml",
        "chuyen-muc/chuyen-doi-so/feed.json",
        "the/index.html",
        "the/mot-cua/index.html",
        "luu-tru/index.html",
        "luu-tru/2020/10/index.html",
        "gioi-thieu/index.html",
        "co-cau-to-chuc/index.html",
        "lien-he/index.html",
        "en/index.html",
        "en/introduction/index.html",
        "en/organisation/index.html",
        "en/contact/index.html",
        "so-do-site/index.html",
        "quy-che-hoat-dong/index.html",
        "xa-a/index.html",
        "xa-a/rss.xml",
        "xa-a/en/contact/index.html",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "assets/css/cong.css",
        "assets/css/highlight.css",
        "tin-tuc/anh.svg",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
    // An image beside the articles is published once, at its path under `content/`.
    assert!(!out
        .join("tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/anh.svg")
        .exists());
}

#[test]
fn article_page_shows_vietnamese_conventions() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let html = read(out.join("tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/index.html"));
    for expected in [
        "<html lang=\"vi\">",
        "<a class=\"skip-link\" href=\"#noi-dung\">Truy cập nội dung luôn</a>",
        "27/10/2020 16:10",
        "Tác giả: <strong>Thu Lan</strong>",
        "Nguồn: Trung tâm Văn hóa - Thể thao và Truyền thông",
        "Bài cùng chuyên mục",
        "Các tin bài khác",
        "In bài viết",
        "facebook.com/sharer",
        "<figcaption>Đoàn kiểm tra tại xã</figcaption>",
        "<h2 id=\"ket-qua\">Kết quả</h2>",
        "<table>",
        "footnote-definition",
        "class=\"hl-",
        "<link rel=\"stylesheet\" href=\"/assets/css/highlight.css\">",
        "href=\"/tin-tuc/thong-bao-lich-tiep-cong-dan/\"",
        "href=\"/quy-che-hoat-dong/#muc-1\"",
        "href=\"/the/mot-cua/\"",
        "Tiếng Việt</span> | <a href=\"/en/\"",
        "Về Tỉnh Mẫu",
        "href=\"https://dichvucong.example.gov.vn\"",
    ] {
        assert!(html.contains(expected), "article page lacks {expected:?}");
    }
}

#[test]
fn nfd_bom_and_crlf_are_accepted_and_normalised() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let nfd = read(out.join("tin-tuc/hoa-thuong-nop-ho-so-truc-tuyen/index.html"));
    assert!(
        nfd.contains("<h1>Hóa Thượng nộp hồ sơ trực tuyến</h1>"),
        "NFD title not normalised to NFC"
    );
    let crlf = read(out.join("tin-tuc/thong-bao-lich-tiep-cong-dan/index.html"));
    assert!(crlf.contains("<h1>Thông báo lịch tiếp công dân</h1>"));
    assert!(crlf.contains("Lịch tiếp công dân tháng 1."));
    // Only a page with a code block links the highlighting style sheet.
    assert!(!crlf.contains("highlight.css"));
}

#[test]
fn drafts_and_future_articles_are_left_out_unless_asked() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    assert!(!out.join("tin-tuc/ban-nhap-chua-dang/index.html").exists());
    assert!(!out.join("tin-tuc/tin-hen-gio-dang/index.html").exists());
    assert!(!read(out.join("tin-tuc/index.html")).contains("Bản nháp"));
    let out = build(dir.path(), &["--drafts"]);
    assert!(out.join("tin-tuc/ban-nhap-chua-dang/index.html").exists());
    assert!(out.join("tin-tuc/tin-hen-gio-dang/index.html").exists());
}

#[test]
fn commune_articles_listed_on_the_district_when_asked() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let district =
        read(out.join("tin-tuc/index.html")) + &read(out.join("tin-tuc/trang/2/index.html"));
    assert!(district.contains("Xã Ân Thịnh số hóa hồ sơ"));
    assert!(district.contains("href=\"/xa-a/tin-tuc/xa-an-thinh-so-hoa-ho-so/\""));
    assert!(!district.contains("Tin chỉ của xã"));
    let commune = read(out.join("xa-a/index.html"));
    assert!(commune.contains("Tin chỉ của xã"));
    assert!(
        commune.contains("href=\"/\">Về Huyện Thử</a>"),
        "no way up to the parent portal"
    );
    let home = read(out.join("index.html"));
    assert!(
        home.contains("href=\"/xa-a/\">Xã Ân Thịnh</a>"),
        "no way down to the commune"
    );
}

#[test]
fn pagination_listings_and_archive() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let first = read(out.join("tin-tuc/index.html"));
    assert!(first.contains("href=\"/tin-tuc/trang/2/\" rel=\"next\""));
    let second = read(out.join("tin-tuc/trang/2/index.html"));
    assert!(second.contains("href=\"/tin-tuc/\" rel=\"prev\""));
    assert!(second.contains("aria-current=\"page\">2<"));
    let archive = read(out.join("luu-tru/index.html"));
    assert!(archive.contains("Tháng 10/2020"));
    let tags = read(out.join("the/index.html"));
    let (a, b) = (
        tags.find("chính quyền điện tử").unwrap(),
        tags.find("một cửa").unwrap(),
    );
    assert!(a < b, "tags not in Vietnamese order");
}

#[test]
fn english_pages_exist_for_introduction_organisation_and_contact() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let intro = read(out.join("en/introduction/index.html"));
    assert!(intro.contains("<html lang=\"en\">"));
    assert!(intro.contains("Thu is a midland district."));
    assert!(intro.contains("Skip to main content"));
    let org = read(out.join("en/organisation/index.html"));
    assert!(
        org.contains("Office of the People&#x27;s Committee")
            || org.contains("Office of the People's Committee")
            || org.contains("Office of the People&#39;s Committee"),
        "{org}"
    );
    let contact = read(out.join("en/contact/index.html"));
    assert!(contact.contains("1 Main street"));
}

#[test]
fn feeds_and_sitemap_are_well_formed() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let rss = read(out.join("rss.xml"));
    assert!(rss.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\""));
    for tag in [
        "<channel>",
        "<title>",
        "<link>https://thu.example.gov.vn/</link>",
        "<description>",
        "<item>",
        "<pubDate>Tue, 27 Oct 2020 16:10:00 +0700</pubDate>",
    ] {
        assert!(rss.contains(tag), "rss lacks {tag}");
    }
    let feed: serde_json::Value = serde_json::from_str(&read(out.join("feed.json"))).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["id"].is_string() && i["url"].is_string()));
    let sitemap = read(out.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://thu.example.gov.vn/tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/</loc><lastmod>2020-10-27T16:10:00+07:00</lastmod>"));
    assert!(
        read(out.join("robots.txt")).contains("Sitemap: https://thu.example.gov.vn/sitemap.xml")
    );
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let dir = portal(None);
    let out = build(
        dir.path(),
        &["--base-url", "https://example.github.io/cong/"],
    );
    let html = read(out.join("tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/index.html"));
    assert!(html.contains("href=\"/cong/assets/css/cong.css\""));
    assert!(html.contains("href=\"/cong/tin-tuc/thong-bao-lich-tiep-cong-dan/\""));
    assert!(
        html.contains("<img src=\"/cong/tin-tuc/anh.svg\""),
        "{html}"
    );
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.github.io/cong/tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/\">"));
}

/// Writes a file of the portal's own `themes/default/templates/`.
fn template(root: &Path, name: &str, text: &str) {
    let path = root.join("themes/default/templates").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_theme_overrides_the_default_file_by_file() {
    let dir = portal(None);
    template(
        dir.path(),
        "partials/services.html",
        "<p class=\"custom-banner\">Dịch vụ công riêng</p>",
    );
    let out = build(dir.path(), &[]);
    let home = read(out.join("index.html"));
    assert!(home.contains("custom-banner"));
    assert!(
        home.contains("Truy cập nội dung luôn"),
        "the rest of the default theme is kept"
    );
}

#[test]
fn a_unit_part_is_rendered_for_each_unit_and_language_and_shown_on_its_pages() {
    let dir = portal(None);
    // An override of a default part, and a new part that base.html is changed to show.
    template(
        dir.path(),
        "partials/unit/footer.html",
        "<p class=\"unit-footer\">{{ unit.name }} ({{ lang }}): {{ t.contact }}</p>\n",
    );
    template(
        dir.path(),
        "partials/unit/notice.html",
        "<p class=\"unit-notice\">{{ site.title }}</p>",
    );
    let base =
        read(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"))
            .replace("<main ", "{{ unit_parts.notice | safe }}<main ");
    template(dir.path(), "base.html", &base);
    let out = build(dir.path(), &[]);
    let district = read(out.join("tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/index.html"));
    assert!(
        district.contains("<p class=\"unit-footer\">Huyện Thử (vi): Liên hệ</p>\n</footer>"),
        "{district}"
    );
    let commune = read(out.join("xa-a/index.html"));
    assert!(commune.contains("<p class=\"unit-footer\">Xã Ân Thịnh (vi): Liên hệ</p>"));
    let english = read(out.join("xa-a/en/index.html"));
    assert!(english.contains("<p class=\"unit-footer\">An Thinh Commune (en): Contact</p>"));
    for page in [&district, &commune, &english] {
        assert_eq!(page.matches("class=\"unit-notice\"").count(), 1);
        assert!(
            !page.contains("footer-inner"),
            "the default footer is replaced"
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let before = read(out.join("index.html"));
    std::fs::write(
        dir.path().join("content/tin-tuc/2022-01-01-hong.md"),
        "không có phần đầu\n",
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let result = cong(&["build", "--root", root, "--now", NOW]);
    assert!(!result.status.success());
    assert_eq!(read(out.join("index.html")), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left behind");
}

#[test]
fn a_second_build_writes_only_what_changed() {
    let dir = portal(None);
    let root = dir.path().to_str().unwrap();
    let out = build(dir.path(), &[]);
    let page = out.join("tin-tuc/thong-bao-lich-tiep-cong-dan/index.html");
    let other = out.join("gioi-thieu/index.html");
    let mtime = |p: &std::path::Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let (page_before, other_before) = (mtime(&page), mtime(&other));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let image = out.join("tin-tuc/anh.svg");
    let image_before = mtime(&image);
    // The newest file of the search index.
    let index = || {
        walkdir::WalkDir::new(out.join("tim-kiem/chi-muc"))
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.metadata().unwrap().modified().unwrap())
            .max()
            .unwrap()
    };
    let index_before = index();
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_cong"))
        .args(["build", "--root", root, "--now", NOW])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(stderr(&result).contains(" 0 of "), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("files of the previous build kept"),
        "the search index was made again from the same input:\n{}",
        stderr(&result)
    );
    assert_eq!(mtime(&page), page_before);
    assert_eq!(
        mtime(&image),
        image_before,
        "a document's image is gone or written again"
    );
    assert_eq!(index(), index_before);
    let article = dir.path().join("content/tin-tuc/2021-01-05-thong-bao.md");
    let text = read(&article).replace("Nội dung thông báo.", "Nội dung thông báo mới.");
    std::fs::write(&article, text).unwrap();
    let result = cong(&["build", "--root", root, "--now", NOW]);
    assert!(result.status.success());
    assert!(read(&page).contains("Nội dung thông báo mới."));
    assert!(image.is_file(), "a document's image is gone");
    assert_ne!(index(), index_before, "the search index was not made again");
    assert_ne!(mtime(&page), page_before);
    assert_eq!(
        mtime(&other),
        other_before,
        "an unchanged page was written again"
    );
    std::fs::remove_file(dir.path().join("content/trang/quy-che.md")).unwrap();
    std::fs::write(
        dir.path().join("content/tin-tuc/2020-10-27-kiem-tra.md"),
        read(dir.path().join("content/tin-tuc/2020-10-27-kiem-tra.md"))
            .replace(" và [trang](../trang/quy-che.md#muc-1)", ""),
    )
    .unwrap();
    build(dir.path(), &[]);
    assert!(
        !out.join("quy-che-hoat-dong/index.html").exists(),
        "a removed page stays in the output"
    );
}

#[test]
fn check_validates_and_writes_nothing() {
    let dir = portal(None);
    let root = dir.path().to_str().unwrap();
    let out = cong(&["check", "--root", root, "--now", NOW]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path().join("public").exists());
}

#[test]
fn init_makes_a_portal_that_builds_and_new_article_has_a_vietnamese_slug() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("xa-moi");
    let out = cong(&["init", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    build(&root, &[]);
    let out = cong(&[
        "new",
        "article",
        "Tiêu đề có dấu: Đồng Hỷ",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = String::from_utf8(out.stdout).unwrap();
    let path = path.trim();
    assert!(path.ends_with("-tieu-de-co-dau-dong-hy.md"), "{path}");
    let text = read(path);
    for key in [
        "title: \"Tiêu đề có dấu: Đồng Hỷ\"",
        "date: ",
        "+07:00",
        "category: tin-hoat-dong",
        "tags: []",
        "author:",
        "summary:",
        "draft: true",
    ] {
        assert!(text.contains(key), "new article lacks {key}: {text}");
    }
    let out = cong(&["check", "--root", root.to_str().unwrap(), "--drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["build", "--help"],
        &["check", "--help"],
        &["serve", "--help"],
        &["init", "--help"],
        &["new", "article", "--help"],
    ] {
        let out = cong(args);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
    }
    assert!(!cong(&["no-such-command"]).status.success());
}

/// Each bad input has a fixture in tests/fixtures/errors/<case>/ laid over the basic
/// portal, and the message an editor sees: file, line, what is wrong, how to fix it.
#[test]
fn bad_input_is_explained_with_file_and_line() {
    let cases = [
        ("no-front-matter", "content/tin-tuc/2021-05-01-khong-dau.md:1: front matter must start with `---` on the first line"),
        ("unclosed-front-matter", "content/tin-tuc/2021-05-01-chua-dong.md:1: the front matter that starts on line 1 is never closed"),
        ("malformed-yaml", "content/tin-tuc/2021-05-01-loi-yaml.md:5: malformed YAML"),
        ("unknown-field", "content/tin-tuc/2021-05-01-sai-truong.md:4: unknown field `categry`; did you mean `category`?"),
        ("unknown-category", "content/tin-tuc/2021-05-01-sai-chuyen-muc.md:5: unknown category `chuyen-doi-s`; did you mean `chuyen-doi-so`?"),
        ("duplicate-url", "content/tin-tuc/2021-05-01-trung.md: two files make the same address `/tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/`: this one and `content/tin-tuc/2020-10-27-kiem-tra.md`"),
        ("missing-template", "content/tin-tuc/2021-05-01-mau-rieng.md:5: the template `dac-biet.html` does not exist"),
        ("broken-link", "content/tin-tuc/2021-05-01-lien-ket-hong.md:8: broken link: `2019-01-01-khong-co.md` is not a page of the portal"),
        ("not-utf8", "content/tin-tuc/2021-05-01-latin1.md:6: this file is not UTF-8 text"),
        ("bad-date", "content/tin-tuc/2021-05-01-sai-ngay.md:3: `27/10/2020` is not a date; write it as `2020-10-27T16:10:00+07:00`"),
        ("missing-image", "content/tin-tuc/2021-05-01-thieu-anh.md:5: the image `khong-co.jpg` does not exist"),
        ("unknown-site-key", "content/site.yaml:3: unknown field `paginat`; did you mean `paginate`?"),
        ("template-syntax", "page.html:3:19"),
    ];
    for (case, expected) in cases {
        let dir = portal(Some(&format!("errors/{case}")));
        assert_fails_with(dir.path(), case, expected);
    }
    let out = cong(&["check", "--root", "/nonexistent-portal"]);
    assert!(stderr(&out).contains("has no `content/` folder"));
}

#[test]
fn not_utf8_message_says_how_to_fix() {
    let dir = portal(Some("errors/not-utf8"));
    let out = cong(&[
        "check",
        "--root",
        dir.path().to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(stderr(&out).contains("save it again with the encoding \"UTF-8\""));
}
