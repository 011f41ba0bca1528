//! Procedures, legal documents and the working calendar: the pages they make, every
//! validation rule with its message, warnings and `--strict`, the external link check
//! against a local server, and the clicks from the home page to a procedure's link.

mod common;

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use common::*;

/// The basic portal with the procedures fixture and then `extra` laid over it.
fn portal_with(extra: Option<&str>) -> tempfile::TempDir {
    let dir = portal(Some("procedures"));
    if let Some(extra) = extra {
        copy_tree(&fixtures().join(extra), dir.path());
    }
    dir
}

fn check(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check", "--root", root.to_str().unwrap(), "--now", NOW];
    args.extend_from_slice(extra);
    cong(&args)
}

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("no <main>");
    let end = html.find("</main>").expect("no </main>");
    &html[start..end]
}

#[test]
fn procedures_page_groups_by_field_and_level_and_lists_everything_without_javascript() {
    let dir = portal_with(None);
    let out = build(dir.path(), &[]);
    let html = read(out.join("thu-tuc/index.html"));
    let main = main_of(&html);
    // The filter is a progressive enhancement: hidden until the script shows it.
    assert!(main.contains("<form class=\"filter\" data-filter-form hidden"));
    assert!(html.contains("js/loc.js\" defer></script>"));
    // Fields in Vietnamese order, each with its levels as captioned tables.
    let building = main
        .find("<h2 id=\"lv-hoat-dong-xay-dung\">Hoạt động xây dựng")
        .unwrap();
    let business = main
        .find("<h2 id=\"lv-thanh-lap-va-hoat-dong-cua-ho-kinh-doanh\">")
        .unwrap();
    assert!(building < business);
    for caption in [
        "<caption>Hoạt động xây dựng · Mức độ: Một phần</caption>",
        "<caption>Thành lập và hoạt động của hộ kinh doanh · Mức độ: Toàn trình</caption>",
        "<caption>Thành lập và hoạt động của hộ kinh doanh · Mức độ: Mức độ 3</caption>",
    ] {
        assert!(main.contains(caption), "missing {caption}");
    }
    // Every procedure is in the plain list, with its detail page and provincial link.
    for (code, link) in [
        (
            "2.000720",
            "https://dichvucong.example.gov.vn/tthc?ma=2.000720",
        ),
        (
            "1.009794",
            "https://dichvucong.example.gov.vn/tthc?ma=1.009794",
        ),
        (
            "1.001612.000.00.00.H01",
            "https://dichvucong.example.gov.vn/rieng/1.001612",
        ),
    ] {
        assert!(
            main.contains(&format!("href=\"/thu-tuc/{code}/\"")),
            "{code}"
        );
        assert!(main.contains(&format!("href=\"{link}\"")), "{link}");
        assert!(out.join(format!("thu-tuc/{code}/index.html")).is_file());
    }
    assert!(main.contains("data-field=\"hoat-dong-xay-dung\" data-level=\"mot-phan\""));
    assert!(main.contains("<option value=\"muc-do-3\">Mức độ 3 (1)</option>"));
    let json: serde_json::Value =
        serde_json::from_str(&read(out.join("thu-tuc/thu-tuc.json"))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // The commune's own list.
    let commune = read(out.join("xa-a/thu-tuc/index.html"));
    assert!(commune.contains("href=\"/xa-a/thu-tuc/1.001193/\""));
}

#[test]
fn procedure_detail_page_links_to_both_portals() {
    let dir = portal_with(None);
    let out = build(dir.path(), &[]);
    // Written without quotes in the YAML: the code keeps its digits.
    let html = read(out.join("thu-tuc/1.009794/index.html"));
    let main = main_of(&html);
    for expected in [
        "<h1>Cấp giấy phép xây dựng nhà ở riêng lẻ</h1>",
        "<dd class=\"code\">1.009794</dd>",
        "<dd>Một phần</dd>",
        "<dd>Phòng Kinh tế và Hạ tầng</dd>",
        "href=\"https://dichvucong.example.gov.vn/tthc?ma=1.009794\"",
        "href=\"https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.009794\"",
        "Liên kết được kiểm tra ngày 01/11/2026",
        "href=\"/thu-tuc/\"",
    ] {
        assert!(main.contains(expected), "detail page lacks {expected:?}");
    }
    // The national portal knows a long code by its short form.
    let long = read(out.join("thu-tuc/1.001612.000.00.00.H01/index.html"));
    assert!(long.contains("ma_thu_tuc=1.001612\""));
    assert!(long.contains("<dd>Mức độ 3</dd>"));
    // The header's way to the provincial portal is on every page.
    assert!(long.contains("class=\"service-link\" href=\"https://dichvucong.example.gov.vn\""));
}

#[test]
fn a_unit_without_procedures_still_has_the_page_the_menu_links_to() {
    let dir = portal(None);
    let out = build(dir.path(), &[]);
    let html = read(out.join("xa-a/thu-tuc/index.html"));
    assert!(html.contains("Đơn vị chưa công bố danh sách thủ tục hành chính"));
    assert!(html.contains("href=\"https://dichvucong.example.gov.vn\""));
    assert!(!out.join("van-ban").exists() && !out.join("lich-cong-tac").exists());
}

#[test]
fn documents_page_filters_by_type_year_and_issuer_and_ships_the_files() {
    let dir = portal_with(None);
    let out = build(dir.path(), &[]);
    let html = read(out.join("van-ban/index.html"));
    let main = main_of(&html);
    let newest = main.find("05/2021/NQ-HĐND").unwrap();
    let middle = main.find("93/KH-UBND").unwrap();
    let oldest = main.find("774/QĐ-UBND").unwrap();
    assert!(newest < middle && middle < oldest, "not newest first");
    for expected in [
        "<select id=\"loc-type\" data-filter-key=\"type\">",
        "<option value=\"ke-hoach\">Kế hoạch (1)</option>",
        "<option value=\"2021\">2021 (1)</option>",
        "<option value=\"hdnd-huyen-thu\">HĐND huyện Thử (1)</option>",
        "data-type=\"quyet-dinh\" data-year=\"2018\" data-issuer=\"ubnd-huyen-thu\"",
        "href=\"/van-ban/93-kh-ubnd-2020/\"",
        "href=\"/van-ban/05-2021-nq-hdnd/\"",
        "<time datetime=\"2020-09-24\">24/09/2020</time>",
    ] {
        assert!(main.contains(expected), "documents page lacks {expected:?}");
    }
    let detail = read(out.join("van-ban/774-qd-ubnd-2018/index.html"));
    for expected in [
        "<h1>Quyết định số 774/QĐ-UBND</h1>",
        "<dd>01/07/2018</dd>",
        "<dd>Nguyễn Văn A</dd>",
        "href=\"/van-ban/774-qd-ubnd-2018/774-qd-ubnd.pdf\" download>774-qd-ubnd.pdf</a> <span class=\"meta\">(PDF, 1 KB)</span>",
    ] {
        assert!(detail.contains(expected), "document page lacks {expected:?}");
    }
    let copied = std::fs::read(out.join("van-ban/774-qd-ubnd-2018/774-qd-ubnd.pdf")).unwrap();
    assert!(copied.starts_with(b"%PDF-"));
}

#[test]
fn calendar_shows_the_current_week_first_with_coming_and_past_weeks() {
    let dir = portal_with(None);
    let out = build(dir.path(), &[]);
    let html = read(out.join("lich-cong-tac/index.html"));
    let main = main_of(&html);
    assert!(main.contains("Tuần này: Tuần 48/2026 (23/11/2026 – 29/11/2026)"));
    // Entries of a day sorted by time; days in order.
    let morning = main.find("Tiếp công dân").unwrap();
    let meeting = main.find("Giao ban tuần 48").unwrap();
    let tuesday = main.find("Kiểm tra một cửa xã A").unwrap();
    assert!(morning < meeting && meeting < tuesday);
    assert!(main.contains("<th scope=\"rowgroup\" rowspan=\"2\"><time datetime=\"2026-11-23\">Thứ Hai<br>23/11/2026</time></th>"));
    assert!(main.contains("<td>07:30</td>"));
    assert!(main.contains("Thành phần: Các phòng chuyên môn"));
    assert!(!main.contains("Giao ban tuần 47"));
    let upcoming = main.find("href=\"/lich-cong-tac/2026-w49/\"").unwrap();
    let past = main.find("href=\"/lich-cong-tac/2026-w47/\"").unwrap();
    assert!(upcoming < past);
    let week = read(out.join("lich-cong-tac/2026-w47/index.html"));
    assert!(main_of(&week).contains("Giao ban tuần 47"));
    assert!(main_of(&week).contains("href=\"/lich-cong-tac/\""));
    assert!(out.join("lich-cong-tac/2026-w48/index.html").is_file());
}

#[test]
fn home_menu_and_site_map_lead_to_the_new_pages() {
    let dir = portal_with(None);
    let out = build(dir.path(), &[]);
    let home = read(out.join("index.html"));
    assert!(home.contains("<a href=\"/thu-tuc/\">Thủ tục hành chính</a>"));
    let map = read(out.join("so-do-site/index.html"));
    for link in [
        "<a href=\"/thu-tuc/\">Thủ tục hành chính</a>",
        "<a href=\"/van-ban/\">Văn bản</a>",
        "<a href=\"/lich-cong-tac/\">Lịch công tác</a>",
        "<a href=\"/xa-a/thu-tuc/\">Thủ tục hành chính</a>",
    ] {
        assert!(map.contains(link), "site map lacks {link}");
    }
}

/// Every validation rule: a fixture under tests/fixtures/procedures-errors/<case>/ laid
/// over the procedures portal, and the message with its file and line.
#[test]
fn bad_procedures_documents_and_calendars_are_explained_with_file_and_line() {
    let cases = [
        ("bad-code", "content/xa-a/thu-tuc.yaml:1: `1.00119` is not a procedure code"),
        ("duplicate-code", "content/xa-a/thu-tuc.yaml:7: the procedure `1.001193.000.00.00.H01` is listed twice in this unit (first on line 1)"),
        ("unknown-level", "content/xa-a/thu-tuc.yaml:4: unknown level `toan trinh`; did you mean `toàn trình`?"),
        ("legacy-level-out-of-range", "content/xa-a/thu-tuc.yaml:5: unknown level `5`"),
        ("unknown-field", "content/xa-a/thu-tuc.yaml:3: unknown field `linh_vuc`"),
        ("bad-verified", "content/xa-a/thu-tuc.yaml:6: `verified: 20/11/2026` is not a date; write it as `2026-11-23`"),
        ("bad-url", "content/xa-a/thu-tuc.yaml:6: `dichvucong.example.gov.vn/tthc/1.001193` is not a full address"),
        ("pattern-without-code", "content/site.yaml:17: the URL pattern `https://dichvucong.example.gov.vn/tthc` has no `{code}` placeholder"),
        ("bad-number", "content/van-ban.yaml:2: `93-KH-UBND` is not a document number and symbol; write it as `93/KH-UBND`"),
        ("type-mismatch", "content/van-ban.yaml:2: `93/KH-UBND` is numbered as a kế hoạch (`KH`), but `type:` says `Quyết định`"),
        ("unknown-type", "content/van-ban.yaml:1: unknown document type `Quyet dinh`; did you mean `Quyết định`?"),
        ("bad-issued", "content/van-ban.yaml:4: `issued: 24/09/2020` is not a date"),
        ("effective-before-issued", "content/van-ban.yaml:5: the document takes effect (01/06/2018) before it is issued (26/06/2018)"),
        ("missing-file", "content/van-ban.yaml:8: the attached file `van-ban/khong-co.pdf` does not exist in `content/`; put the file there"),
        ("duplicate-document", "content/van-ban.yaml:7: the document `93/KH-UBND` of the same year is listed twice (first on line 1)"),
        ("bad-week-file", "content/lich-cong-tac/tuan-48.yaml: `tuan-48.yaml` is not a week's file name"),
        ("day-outside-week", "content/lich-cong-tac/2026-W48.yaml:4: 2026-12-01 is not in the week 2026-W48 this file covers"),
        ("bad-time", "content/lich-cong-tac/2026-W48.yaml:2: `time: 25:00` is not a time"),
        ("bad-day", "content/lich-cong-tac/2026-W48.yaml:1: `day: 23/11/2026` is not a date"),
    ];
    for (case, expected) in cases {
        let dir = portal_with(Some(&format!("procedures-errors/{case}")));
        assert_fails_with(dir.path(), case, expected);
    }
}

#[test]
fn stale_links_are_warnings_that_fail_only_with_strict() {
    let dir = portal_with(Some("procedures-stale"));
    let root = dir.path().to_str().unwrap();
    let built = cong(&["build", "--root", root, "--now", NOW]);
    assert!(built.status.success(), "{}", stderr(&built));
    let stale = "content/thu-tuc.yaml:6: the link of `2.000720` was last verified on 15/01/2026, 312 days ago (more than `link_check_days: 90` in site.yaml)";
    let never = "content/thu-tuc.yaml:7: the link of `1.009794` has no `verified:` date";
    for out in [&built, &check(dir.path(), &[])] {
        assert!(out.status.success(), "{}", stderr(out));
        let err = stderr(out);
        assert!(err.contains(&format!("[WARN ] {stale}")), "{err}");
        assert!(err.contains(&format!("[WARN ] {never}")), "{err}");
    }
    assert!(stderr(&check(dir.path(), &[])).contains("2 warnings, no problems"));
    let strict = check(dir.path(), &["--strict"]);
    assert!(!strict.status.success());
    assert!(stderr(&strict).contains("2 warnings (`--strict` treats warnings as problems)"));
    // The same portal without stale links passes --strict.
    let clean = portal_with(None);
    let out = check(clean.path(), &["--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("no problems found"));
}

/// A local server for the link check: the code in the path decides the answer.
fn serve_links() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let is_head = head.starts_with("HEAD");
                let status = if head.contains("1.000404") {
                    "404 Not Found"
                } else if head.contains("1.000405") && is_head {
                    "405 Method Not Allowed"
                } else if head.contains("1.000999") {
                    std::thread::sleep(std::time::Duration::from_secs(20));
                    return;
                } else {
                    "200 OK"
                };
                let body = if is_head { "" } else { "ok" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{body}"
                );
            });
        }
    });
    port
}

fn link_portal(port: u16, codes: &[&str]) -> tempfile::TempDir {
    let dir = portal_with(None);
    let site = dir.path().join("content/site.yaml");
    let text = read(&site)
        .replace(
            "https://dichvucong.example.gov.vn/tthc?ma={code}",
            &format!("http://127.0.0.1:{port}/tthc/{{code}}"),
        )
        .replace(
            "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}",
            &format!("http://127.0.0.1:{port}/quoc-gia/{{code}}"),
        );
    std::fs::write(&site, text).unwrap();
    std::fs::remove_file(dir.path().join("content/xa-a/thu-tuc.yaml")).unwrap();
    let list: String = codes
        .iter()
        .map(|c| {
            format!(
                "- code: \"{c}\"\n  name: \"Thủ tục {c}\"\n  field: \"Hộ tịch\"\n  level: toàn trình\n  agency: \"UBND huyện\"\n  verified: 2026-11-01\n"
            )
        })
        .collect();
    std::fs::write(dir.path().join("content/thu-tuc.yaml"), list).unwrap();
    dir
}

#[test]
fn external_check_reports_links_that_fail_or_do_not_answer() {
    let port = serve_links();
    let dir = link_portal(port, &["1.000200", "1.000404", "1.000405", "1.000999"]);
    // A plain check never goes on the network.
    assert!(check(dir.path(), &[]).status.success());
    let out = check(dir.path(), &["--external", "--timeout", "1"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!(
        "content/thu-tuc.yaml:7: the link `http://127.0.0.1:{port}/tthc/1.000404` answers with the error 404"
    )), "{err}");
    assert!(err.contains(&format!(
        "content/thu-tuc.yaml:7: the link `http://127.0.0.1:{port}/quoc-gia/1.000404` answers with the error 404"
    )), "{err}");
    assert!(
        err.contains(&format!(
        "content/thu-tuc.yaml:19: the link `http://127.0.0.1:{port}/tthc/1.000999` does not answer"
    )),
        "{err}"
    );
    // HEAD refused, GET answered: a working link.
    assert!(!err.contains("1.000405`"), "{err}");
    assert!(!err.contains("1.000200`"), "{err}");
    assert!(err.contains("4 problems"), "{err}");
}

#[test]
fn external_check_passes_when_every_link_answers() {
    let port = serve_links();
    let dir = link_portal(port, &["1.000200", "1.000405"]);
    let out = check(dir.path(), &["--external", "--timeout", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("all 4 links of procedures answered"));
}

/// The `href`s of a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// Walks the built site from its home page, link by link, and returns each external
/// address with the fewest clicks that reach it.
fn clicks_to_external(site: &Path) -> BTreeMap<String, usize> {
    let mut seen = std::collections::HashSet::new();
    let mut external: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([("/".to_owned(), 0usize)]);
    seen.insert("/".to_owned());
    while let Some((path, depth)) = queue.pop_front() {
        let file = site.join(format!("{}index.html", &path[1..]));
        let Ok(html) = std::fs::read_to_string(&file) else {
            continue;
        };
        for href in hrefs(&html) {
            if href.starts_with("http://") || href.starts_with("https://") {
                external.entry(href).or_insert(depth + 1);
            } else if href.starts_with('/') && href.ends_with('/') && seen.insert(href.clone()) {
                queue.push_back((href, depth + 1));
            }
        }
    }
    external
}

#[test]
fn every_procedure_link_of_the_sample_portal_is_at_most_three_clicks_from_home() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let result = cong(&[
        "build",
        "--root",
        env!("CARGO_MANIFEST_DIR"),
        "--output",
        site.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    let clicks = clicks_to_external(&site);
    let procedures: Vec<(&String, &usize)> = clicks
        .iter()
        .filter(|(url, _)| url.contains("ma_thu_tuc="))
        .collect();
    assert!(
        procedures.len() >= 20,
        "only {} procedure links",
        procedures.len()
    );
    for (url, n) in &procedures {
        assert!(**n <= 3, "{url} is {n} clicks from the home page");
    }
    // Birth registration is a commune's procedure: home, commune, its procedures, the link.
    let birth = "https://dichvucong.thainguyen.gov.vn/dichvucong/tthc/chi-tiet?ma_thu_tuc=1.001193";
    assert_eq!(clicks.get(birth), Some(&3));
    // The provincial portal itself is one click away, from the header.
    assert_eq!(clicks.get("https://dichvucong.thainguyen.gov.vn"), Some(&1));
}
