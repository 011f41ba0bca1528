//! Machine-readable output: RSS 2.0 and JSON Feed per unit and per category,
//! `sitemap.xml`, `robots.txt`, and the list of pages the access counter accepts.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use serde_json::json;

use crate::output::File;
use crate::render::{list_path, ListKind};
use crate::site::Site;
use crate::text::{self, escape};

/// How many items a feed carries.
const FEED_ITEMS: usize = 20;
static NONE: Vec<usize> = Vec::new();

/// Adds every feed, the sitemap, robots.txt and the counter's targets to the output.
/// Feeds whose items did not change since the last call are kept as they are (a
/// preview's rebuild); `site.feed_prints` remembers each file's fingerprint.
pub fn write_all(site: &mut Site, global: u64) -> anyhow::Result<()> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut prints: HashMap<String, u64> = HashMap::new();
    let previous = &site.feed_prints;
    let output = &site.output;
    let unchanged =
        |path: &str, print: u64| previous.get(path) == Some(&print) && output.get(path).is_some();
    // (path, title, items) of each feed whose items changed.
    let mut changed: Vec<(String, String, Vec<usize>)> = Vec::new();
    for (u, unit) in site.content.units.iter().enumerate() {
        let ix = &site.index[u];
        let name = &unit.config.name.vi;
        let feeds = std::iter::once((
            unit.path.clone(),
            format!("{} - {}", site.content.site.title.vi, name),
            &ix.articles,
        ))
        .chain(site.content.site.categories.iter().map(|c| {
            let list = ix.by_category.get(&c.slug).unwrap_or(&NONE);
            (
                list_path(unit, &ListKind::Category(c.slug.clone()), 1),
                format!("{} - {}", c.name.vi, name),
                list,
            )
        }));
        for (path, title, list) in feeds {
            let items: Vec<usize> = list.iter().take(FEED_ITEMS).copied().collect();
            let mut h = std::hash::DefaultHasher::new();
            (global, &title).hash(&mut h);
            for &i in &items {
                site.rendered[i].digest.hash(&mut h);
            }
            let print = h.finish();
            let rss_path = format!("{}rss.xml", &path[1..]);
            let json_path = format!("{}feed.json", &path[1..]);
            prints.insert(rss_path.clone(), print);
            prints.insert(json_path.clone(), print);
            if unchanged(&rss_path, print) && unchanged(&json_path, print) {
                continue;
            }
            changed.push((path, title, items));
        }
    }
    // The feeds are made, and written when the build streams into a folder, in
    // parallel.
    let site_ref = &*site;
    let made: Vec<(String, File)> = changed
        .par_iter()
        .map(|(path, title, items)| {
            let rss_path = format!("{}rss.xml", &path[1..]);
            let json_path = format!("{}feed.json", &path[1..]);
            let rss = rss(site_ref, path, title, items);
            let json = json_feed(site_ref, path, title, items);
            Ok([
                (
                    rss_path.clone(),
                    output.prepare(&rss_path, rss.into_bytes())?,
                ),
                (
                    json_path.clone(),
                    output.prepare(&json_path, json.into_bytes())?,
                ),
            ])
        })
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    // The sitemap and the counter's targets change only with the set of pages and
    // the articles' dates.
    let changes = site.output.path_changes();
    let pages = match site.sitemap_pages {
        Some((at, pages)) if at == changes => pages,
        _ => {
            let mut h = std::hash::DefaultHasher::new();
            for path in site.output.paths().filter(|p| p.ends_with("index.html")) {
                path.hash(&mut h);
            }
            h.finish()
        }
    };
    // The documents' addresses and dates are in the digest of the lists' inputs.
    let mut h = std::hash::DefaultHasher::new();
    (global, pages, site.last_index_key).hash(&mut h);
    let print = h.finish();
    for path in ["sitemap.xml", "robots.txt", "cong-counter.json"] {
        prints.insert(path.to_owned(), print);
    }
    if !(unchanged("sitemap.xml", print) && unchanged("cong-counter.json", print)) {
        files.push(("sitemap.xml".into(), sitemap(site)));
        files.push((
            "robots.txt".into(),
            format!(
                "User-agent: *\nAllow: /\n\nSitemap: {}\n",
                site.base.permalink("/sitemap.xml")
            ),
        ));
        files.push(("cong-counter.json".into(), counter_targets(site)));
    }
    let stale: Vec<String> = site
        .feed_prints
        .keys()
        .filter(|p| !prints.contains_key(*p))
        .cloned()
        .collect();
    if !stale.is_empty() {
        site.output
            .retain(|path, _| !stale.iter().any(|s| s == path));
    }
    for (path, file) in made {
        site.output.insert(path, file);
    }
    for (path, body) in files {
        site.output.add(path, body.into_bytes());
    }
    site.feed_prints = prints;
    site.sitemap_pages = Some((site.output.path_changes(), pages));
    Ok(())
}

fn rss(site: &Site, path: &str, title: &str, items: &[usize]) -> String {
    let base = &site.base;
    let mut out = String::with_capacity(1024 + items.len() * 600);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<link>{}</link>", escape(&base.permalink(path)));
    let _ = writeln!(out, "<description>{}</description>", escape(title));
    out.push_str("<language>vi</language>\n");
    let _ = writeln!(
        out,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(&base.permalink(&format!("{path}rss.xml")))
    );
    if let Some(d) = items.first().and_then(|i| site.content.documents[*i].date) {
        let _ = writeln!(out, "<lastBuildDate>{}</lastBuildDate>", d.to_rfc2822());
    }
    for &i in items {
        let doc = &site.content.documents[i];
        let link = base.permalink(&doc.url);
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&doc.front.title));
        let _ = writeln!(out, "<link>{}</link>", escape(&link));
        let _ = writeln!(out, "<guid isPermaLink=\"true\">{}</guid>", escape(&link));
        if let Some(d) = doc.date {
            let _ = writeln!(out, "<pubDate>{}</pubDate>", d.to_rfc2822());
        }
        let _ = writeln!(
            out,
            "<description>{}</description>",
            escape(&summary(site, i))
        );
        if let Some(c) = &doc.front.category {
            let _ = writeln!(out, "<category>{}</category>", escape(c));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn summary(site: &Site, i: usize) -> String {
    let doc = &site.content.documents[i];
    doc.front
        .summary
        .clone()
        .unwrap_or_else(|| text::truncate_words(&site.rendered[i].lead, 280))
}

/// A JSON Feed, its fields in the order of their names (as `serde_json` writes a map).
#[derive(serde::Serialize)]
struct JsonFeed<'a> {
    feed_url: String,
    home_page_url: String,
    items: Vec<JsonItem<'a>>,
    language: &'static str,
    title: &'a str,
    version: &'static str,
}

/// An item of a JSON Feed, borrowing the article's HTML and fields.
#[derive(serde::Serialize)]
struct JsonItem<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    authors: Option<[Author<'a>; 1]>,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    language: &'static str,
    summary: String,
    tags: &'a [String],
    title: &'a str,
    url: String,
}

#[derive(serde::Serialize)]
struct Author<'a> {
    name: &'a str,
}

fn json_feed(site: &Site, path: &str, title: &str, items: &[usize]) -> String {
    let base = &site.base;
    let items = items
        .iter()
        .map(|&i| {
            let doc = &site.content.documents[i];
            JsonItem {
                authors: doc.front.author.as_deref().map(|name| [Author { name }]),
                content_html: &site.rendered[i].html,
                date_published: doc.date.map(|d| d.to_rfc3339()),
                id: base.permalink(&doc.url),
                image: doc
                    .front
                    .image
                    .as_ref()
                    .map(|img| base.permalink(&crate::render::image_path(doc, &img.src))),
                language: "vi",
                summary: summary(site, i),
                tags: &doc.front.tags,
                title: &doc.front.title,
                url: base.permalink(&doc.url),
            }
        })
        .collect();
    let feed = JsonFeed {
        feed_url: base.permalink(&format!("{path}feed.json")),
        home_page_url: base.permalink(path),
        items,
        language: "vi",
        title,
        version: "https://jsonfeed.org/version/1.1",
    };
    serde_json::to_string_pretty(&feed).unwrap_or_default()
}

fn sitemap(site: &Site) -> String {
    let base = &site.base;
    let mut lastmod = std::collections::HashMap::new();
    for doc in &site.content.documents {
        if let Some(d) = doc.date {
            lastmod.insert(format!("{}index.html", &doc.url[1..]), d.to_rfc3339());
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for path in site.output.paths().filter(|p| p.ends_with("index.html")) {
        let url = base.permalink(&format!("/{}", path.trim_end_matches("index.html")));
        out.push_str("<url><loc>");
        out.push_str(&escape(&url));
        out.push_str("</loc>");
        if let Some(m) = lastmod.get(path) {
            let _ = write!(out, "<lastmod>{m}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// The units and pages the access counter accepts, and the origins allowed to call it.
fn counter_targets(site: &Site) -> String {
    // Each page counts for the deepest unit whose path it starts with.
    let units = &site.content.units;
    let mut paths: HashMap<&str, Vec<String>> = HashMap::new();
    for p in site.output.paths().filter(|p| p.ends_with("index.html")) {
        let path = format!("/{}", p.trim_end_matches("index.html"));
        paths
            .entry(crate::counter::widget::unit_of(units, &path))
            .or_default()
            .push(path);
    }
    let units: Vec<serde_json::Value> = units
        .iter()
        .map(|unit| {
            let paths = paths.remove(unit.path.as_str()).unwrap_or_default();
            json!({ "id": unit.path, "paths": paths })
        })
        .collect();
    let mut origins: Vec<String> = vec![base_origin(&site.base.origin)];
    if let Some(c) = &site.content.site.counter {
        origins.extend(c.allowed_origins.iter().cloned());
    }
    let targets = json!({
        "generated": site.options.now.to_rfc3339(),
        "allowed_origins": origins,
        "units": units,
    });
    serde_json::to_string(&targets).unwrap_or_default()
}

fn base_origin(origin: &str) -> String {
    origin.trim_end_matches('/').to_owned()
}
