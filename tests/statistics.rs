//! Statistics: fixture portals with indicator definitions and values, built and checked
//! for aggregation arithmetic, pages, SVG charts with their text alternatives, CSV/JSON
//! downloads, article shortcodes, and a message with file and line for every bad input.

mod common;

use std::path::Path;

use common::*;

fn stats_portal(errors_case: Option<&str>) -> tempfile::TempDir {
    let dir = portal(Some("statistics"));
    if let Some(case) = errors_case {
        copy_tree(&fixtures().join("statistics-errors").join(case), dir.path());
    }
    dir
}

fn json(path: impl AsRef<Path>) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The messages of a failed build.
fn failure(case: &str) -> String {
    let dir = stats_portal(Some(case));
    let root = dir.path().to_str().unwrap();
    let out = cong(&["build", "--root", root, "--now", NOW]);
    assert!(!out.status.success(), "the build of `{case}` should fail");
    stderr(&out)
}

#[test]
fn parent_figures_are_computed_from_sub_units() {
    let dir = stats_portal(None);
    let out = build(dir.path(), &[]);
    let rows = json(out.join("thong-ke/2022.json"));
    let row = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["chi_tieu"] == id)
            .unwrap_or_else(|| panic!("no row {id}"))
            .clone()
    };
    // Sum: 1200 + 800; the district's own figure stays beside it.
    let received = row("ho-so-tiep-nhan");
    assert_eq!(received["gia_tri"], 5100);
    assert_eq!(received["gia_tri_tong_hop"], 2000);
    assert_eq!(received["so_don_vi_tong_hop"], 2);
    // Weighted ratio: (1190 + 800) / (1200 + 800), not the mean of 99.17% and 100%.
    let on_time = row("ho-so-dung-han");
    assert_eq!(on_time["tu_so"], 2210);
    assert_eq!(on_time["mau_so"], 2221);
    assert_eq!(on_time["gia_tri_tong_hop"], 99.5);
    // Reported by the communes only.
    let late = row("ho-so-qua-han");
    assert_eq!(late["gia_tri"], serde_json::Value::Null);
    assert_eq!(late["gia_tri_tong_hop"], 1);
    // Not aggregated: a percentage has no weights.
    assert_eq!(row("hai-long")["gia_tri_tong_hop"], serde_json::Value::Null);
    // 2021: only one of the two communes reported.
    let rows = json(out.join("thong-ke/2021.json"));
    let received = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["chi_tieu"] == "ho-so-tiep-nhan")
        .unwrap();
    assert_eq!(received["gia_tri_tong_hop"], 900);
    assert_eq!(received["so_don_vi_tong_hop"], 1);
}

#[test]
fn statistics_page_lists_periods_latest_first_with_change_and_progress() {
    let dir = stats_portal(None);
    let out = build(dir.path(), &[]);
    let page = read(out.join("thong-ke/index.html"));
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("missing {s}"));
    assert!(at("id=\"ky-2022\"") < at("id=\"ky-2022-Q3\""));
    assert!(at("id=\"ky-2022-Q3\"") < at("id=\"ky-2021\""));
    assert!(
        page.contains("<strong>5.100</strong>"),
        "Vietnamese thousands"
    );
    assert!(
        page.contains("<strong>99,7%</strong>"),
        "Vietnamese decimals"
    );
    assert!(page.contains("2.210/2.221 hồ sơ"));
    assert!(page.contains("từ 2/2 đơn vị"));
    assert!(page.contains("tăng 1.100"), "change since 2021");
    assert!(page.contains("change-better\">tăng 2,7 điểm %"));
    assert!(page.contains("Mục tiêu 95%: đạt mục tiêu"));
    assert!(page.contains("Mục tiêu 100%: chưa đạt mục tiêu"));
    assert!(page.contains("<caption>"));
    assert!(page.contains("<th scope=\"row\">"));
    assert!(page.contains("href=\"/thong-ke/2022.csv\" download"));
    assert!(page.contains("href=\"/thong-ke/so-sanh/\""));
    // A commune without sub-units has no comparison and no computed column.
    let commune = read(out.join("xa-b/thong-ke/index.html"));
    assert!(!commune.contains("so-sanh/"));
    assert!(!commune.contains("Tổng hợp từ đơn vị trực thuộc"));
    // A unit without figures still has its page (the menu links every unit to one).
    assert!(read(out.join("xa-a/thong-ke/index.html")).contains("<h1>Thống kê - Xã Ân Thịnh</h1>"));
}

#[test]
fn charts_are_svg_with_text_alternatives() {
    let dir = stats_portal(None);
    let out = build(dir.path(), &[]);
    let compare = read(out.join("thong-ke/so-sanh/index.html"));
    assert!(!compare.contains("<script>"));
    let svg_start = compare
        .find("<svg class=\"chart chart-bars\"")
        .expect("a bar chart");
    let svg = &compare[svg_start..svg_start + compare[svg_start..].find("</svg>").unwrap()];
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("viewBox=\"0 0 400 ") && svg.contains("width=\"100%\""));
    let labelled = svg.split("aria-labelledby=\"").nth(1).unwrap();
    let ids: Vec<&str> = labelled[..labelled.find('"').unwrap()].split(' ').collect();
    assert!(svg.contains(&format!(
        "<title id=\"{}\">Hồ sơ tiếp nhận - Năm 2022</title>",
        ids[0]
    )));
    assert!(svg.contains(&format!("<desc id=\"{}\">", ids[1])));
    assert!(
        svg.contains("Xã Ân Thịnh: 1.200; Xã Bình Sơn: 800"),
        "{svg}"
    );
    // Ranked best first, the late dossiers lowest first.
    let late = &compare[compare.find("id=\"ho-so-qua-han\"").unwrap()..];
    assert!(late.find("Xã Bình Sơn").unwrap() < late.find("Xã Ân Thịnh").unwrap());
    // The line over periods, and its numbers as a table.
    let stats = read(out.join("xa-a/thong-ke/index.html"));
    assert!(stats.contains("<svg class=\"chart chart-line\""));
    assert!(stats.contains("<polyline"));
    assert!(stats.contains("<th scope=\"row\">Năm 2021</th><td class=\"num\">900</td>"));
}

#[test]
fn tables_download_as_csv_with_bom_and_json() {
    let dir = stats_portal(None);
    let out = build(dir.path(), &[]);
    let bytes = std::fs::read(out.join("thong-ke/so-sanh/ho-so-dung-han.csv")).unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark"
    );
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        csv,
        "hang,don_vi,ky,gia_tri,tu_so,mau_so\r\n1,Xã Bình Sơn,2022,100,800,800\r\n2,Xã Ân Thịnh,2022,99.1667,1190,1200\r\n"
    );
    let data = json(out.join("thong-ke/so-lieu.json"));
    let first = &data[0];
    assert_eq!(first["ky"], "2022");
    assert_eq!(first["chi_tieu"], "ho-so-tiep-nhan");
    assert_eq!(first["ten_chi_tieu"], "Hồ sơ tiếp nhận");
    let trend = read(out.join("xa-a/thong-ke/chi-tieu/ho-so-tiep-nhan.csv"));
    assert!(
        trend.ends_with("ky,gia_tri,tu_so,mau_so\r\n2021,900,,\r\n2022,1200,,\r\n"),
        "{trend}"
    );
}

#[test]
fn home_menu_and_site_map_show_the_statistics() {
    let dir = stats_portal(None);
    let out = build(dir.path(), &[]);
    let home = read(out.join("index.html"));
    assert!(home.contains("<h2 id=\"chi-tieu-chinh\">Chỉ tiêu chính</h2>"));
    assert!(home.contains("<dt>Hồ sơ tiếp nhận</dt><dd><strong>5.100</strong> hồ sơ"));
    assert!(home.contains("href=\"/thong-ke/\""));
    assert!(read(out.join("so-do-site/index.html")).contains("href=\"/xa-b/thong-ke/\""));
    // A portal without statistics has no such block.
    let plain = portal(None);
    let out = build(plain.path(), &[]);
    assert!(!read(out.join("index.html")).contains("chi-tieu-chinh"));
    assert!(!out.join("thong-ke").exists());
}

#[test]
fn articles_embed_figures_and_charts() {
    let dir = stats_portal(None);
    let out = build(dir.path(), &[]);
    let page = read(out.join("tin-tuc/so-lieu-mot-cua-nam-2022/index.html"));
    assert!(page.contains("<figure class=\"stat-embed stat-figure\"><p class=\"stat-number\"><span class=\"stat-value\">99,5%</span>"));
    assert!(page.contains("Hồ sơ giải quyết đúng hạn - Năm 2022 - Huyện Thử"));
    assert!(page.contains("chart-bars"));
    assert!(page.contains("chart-line"));
    assert!(!page.contains("{{"), "no shortcode left");
}

#[test]
fn every_bad_input_names_file_and_line() {
    let cases = [
        ("unknown-indicator", "content/xa-b/thong-ke/so-lieu.yaml:4: unknown indicator `ho-so-dung-hn`; did you mean `ho-so-dung-han`?"),
        ("percent-out-of-range", "content/thong-ke/2022.yaml:4: `hai-long` is a percentage, so it must be between 0 and 100, not 120"),
        ("numerator-above-denominator", "content/xa-b/thong-ke/so-lieu.yaml:5: `ho-so-dung-han`: the numerator 812 is larger than the denominator 800"),
        ("negative-count", "content/xa-b/thong-ke/so-lieu.yaml:4: `ho-so-qua-han` is a count, so it cannot be negative (-3)"),
        ("duplicate-period", "content/xa-a/thong-ke/so-lieu.yaml:6: the period 2022 of this unit is given twice: here and at content/xa-a/thong-ke/bo-sung.yaml:2"),
        ("bad-period", "content/xa-b/thong-ke/so-lieu.yaml:4: `2022-Q5` is not a period; write a year `2022`, a quarter `2022-Q3` or a month `2022-09`"),
        ("text-for-number", "content/thong-ke/2022.yaml:4: `hai-long`: \"12,5\" is text, but a number is wanted; write `12.5` without quotes"),
        ("unknown-field", "content/thong-ke/2022.yaml:2: unknown field `nguon`"),
        ("shortcode-unknown-indicator", "content/tin-tuc/2022-12-30-so-lieu.md:8: unknown indicator `ho-so-dung-hn`; did you mean `ho-so-dung-han`?"),
        ("shortcode-unknown-period", "content/tin-tuc/2022-12-30-so-lieu.md:8: `ho-so-dung-han` has no figure for 2019 in Huyện Thử; periods with figures: 2022"),
    ];
    for (case, expected) in cases {
        let err = failure(case);
        assert!(
            err.contains(&expected.replace('/', std::path::MAIN_SEPARATOR_STR)),
            "{case}: expected\n  {expected}\nin\n{err}"
        );
    }
}
