//! Markdown into HTML: where an article's body becomes the page's main text.
//!
//! pulldown-cmark parses the body once; a single pass over its events then gives
//! headings their anchors and builds the table of contents, highlights code with
//! syntect (CSS classes, no inline styles), turns a lone image with a title into a
//! `<figure>` with its caption, wraps tables for small screens, resolves links to other
//! content files into their URLs, and cuts the summary at `<!-- more -->`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::error::InputError;
use crate::{content, messages, text};

/// The class prefix of highlighted code.
pub const HIGHLIGHT_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// An entry of a table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A body turned into HTML.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The plain text before `<!-- more -->`, or of the first paragraph.
    pub lead: String,
    /// Files beside the source that the body shows (relative to the portal root).
    pub assets: Vec<PathBuf>,
    /// The body's plain text (blocks separated by new lines), for the search index.
    pub text: String,
    /// The content files the body links to (resolved or not): a change of their
    /// addresses changes this body's HTML.
    pub links: Vec<PathBuf>,
    /// A digest of the source and the addresses of the files it links to.
    pub digest: u64,
    /// The body has a code block: its page needs the highlighting style sheet.
    pub code: bool,
    /// The body embeds statistics (`{{ thong-ke ... }}`): it changes with the data.
    pub embeds: bool,
}

/// What a body's links may point at.
pub struct Links<'a> {
    /// Content files (relative to the portal root) and their URLs.
    pub urls: &'a HashMap<PathBuf, String>,
    /// The portal root on disk, to check that images exist.
    pub root: &'a Path,
    /// The path of the portal's address (`/portal` for `https://host/portal/`, else
    /// empty), which the addresses of images start with.
    pub prefix: &'a str,
    /// The portal's statistics, for paragraphs such as `{{ thong-ke ho-so-dung-han 2022 }}`.
    pub statistics: Option<&'a crate::statistics::Statistics>,
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Renders `body`, which starts on line `first_line` of `source`.
pub fn render(
    body: &str,
    first_line: usize,
    source: &Path,
    links: &Links<'_>,
    errors: &mut Vec<InputError>,
) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|s| *s <= offset) - 1;
    let dir = source.parent().unwrap_or(Path::new(""));

    // Sized from the body once, rather than grown by doubling: the plain text is
    // shorter than its Markdown; the events are guessed at one per 16 bytes of it.
    let mut events: Vec<Event<'_>> = Vec::with_capacity(body.len() / 16 + 16);
    let mut out = Rendered {
        text: String::with_capacity(body.len()),
        ..Rendered::default()
    };
    let mut ids = HashSet::new();
    let mut heading: Option<(usize, String)> = None;
    let mut code: Option<(String, String)> = None;
    // Paragraph texts for the lead, up to `<!-- more -->` when there is one.
    let mut paragraphs: Vec<String> = Vec::new();
    let mut more_after: Option<usize> = None;
    let mut in_paragraph = false;
    let mut paragraph_start = (0, 0);

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                heading = Some((events.len(), String::new()));
                events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                out.text.push('\n');
                if let Some((start, title)) = heading.take() {
                    let mut id = text::slugify(&title);
                    if id.is_empty() {
                        id = "muc".into();
                    }
                    let base = id.clone();
                    let mut n = 1;
                    while !ids.insert(id.clone()) {
                        n += 1;
                        id = format!("{base}-{n}");
                    }
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                        out.toc.push(TocEntry {
                            level: level as u8,
                            id,
                            title,
                        });
                    }
                }
                events.push(event);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, source_code)) = code.take() {
                    out.code = true;
                    events.push(Event::Html(highlight(&lang, &source_code).into()));
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, c)) = &mut code {
                    c.push_str(&t);
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match resolve_link(&dest_url, dir, links, &mut out.links) {
                    Ok(Some(url)) => CowStr::from(url),
                    Ok(None) => dest_url,
                    Err(()) => {
                        errors.push(InputError::at(
                            source,
                            Some(line_of(range.start)),
                            messages::broken_link(&dest_url),
                        ));
                        dest_url
                    }
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let mut dest_url = dest_url;
                if is_relative_file(&dest_url) {
                    let rel = content::beside(source, &dest_url);
                    if links.root.join(&rel).is_file() {
                        dest_url =
                            format!("{}/{}", links.prefix, content::published_path(&rel)).into();
                        out.assets.push(rel);
                    } else {
                        errors.push(InputError::at(
                            source,
                            Some(line_of(range.start)),
                            messages::missing_image(&dest_url),
                        ));
                    }
                }
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Html(ref h) | Event::InlineHtml(ref h) if h.trim() == "<!-- more -->" => {
                more_after.get_or_insert(paragraphs.len());
            }
            Event::Start(Tag::Paragraph) => {
                paragraph_start = (events.len(), range.start);
                in_paragraph = more_after.is_none() && paragraphs.len() < 20;
                if in_paragraph {
                    paragraphs.push(String::new());
                }
                events.push(event);
            }
            Event::End(TagEnd::Paragraph) => {
                out.text.push('\n');
                let (start, offset) = paragraph_start;
                if let Some(html) = shortcode(
                    &events[start..],
                    offset,
                    links,
                    &mut out,
                    errors,
                    source,
                    &line_of,
                ) {
                    if in_paragraph {
                        paragraphs.pop();
                    }
                    events.truncate(start);
                    events.push(Event::Html(html.into()));
                } else {
                    events.push(event);
                }
                in_paragraph = false;
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                out.text.push_str(t);
                if let Some((_, title)) = &mut heading {
                    title.push_str(t);
                } else if in_paragraph {
                    if let Some(p) = paragraphs.last_mut() {
                        p.push_str(t);
                    }
                }
                events.push(event);
            }
            Event::End(TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_)) => {
                out.text.push('\n');
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                out.text.push(' ');
                events.push(event);
            }
            Event::Start(Tag::Table(_)) => {
                events.push(Event::Html(
                    r#"<div class="table-wrap" tabindex="0" role="region" aria-label="Bảng">"#
                        .into(),
                ));
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html("</div>".into()));
            }
            other => events.push(other),
        }
    }
    let lead = match more_after {
        Some(n) => paragraphs[..n].join(" "),
        None => paragraphs.into_iter().next().unwrap_or_default(),
    };
    out.lead = lead.split_whitespace().collect::<Vec<_>>().join(" ");
    let events = figures(events);
    // Written into a buffer each thread keeps, then copied at its length: a build holds
    // every article's HTML until the pages are rendered, and a string reserved from a
    // guess, or grown as it is written, would hold a quarter more or so.
    thread_local! {
        static HTML: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    HTML.with_borrow_mut(|buffer| {
        buffer.clear();
        html::push_html(buffer, events.into_iter());
        out.html = buffer.as_str().to_owned();
    });
    out
}

/// The HTML of a paragraph (from its start event) that is only a statistics shortcode.
fn shortcode(
    paragraph: &[Event<'_>],
    offset: usize,
    links: &Links<'_>,
    out: &mut Rendered,
    errors: &mut Vec<InputError>,
    source: &Path,
    line_of: &dyn Fn(usize) -> usize,
) -> Option<String> {
    let mut text = String::new();
    for e in &paragraph[1..] {
        match e {
            Event::Text(t) => text.push_str(t),
            _ => return None,
        }
    }
    let words = crate::statistics::shortcode(&text)?;
    out.embeds = true;
    let result = match links.statistics {
        Some(stats) => stats.embed(source, &words, &format!("tk{offset}")),
        None => Err(messages::no_statistics().to_owned()),
    };
    Some(result.unwrap_or_else(|message| {
        errors.push(InputError::at(source, Some(line_of(offset)), message));
        String::new()
    }))
}

/// Replaces a paragraph holding only an image with a title by a `<figure>`.
fn figures(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let (
            Event::Start(Tag::Paragraph),
            Some(Event::Start(Tag::Image {
                dest_url, title, ..
            })),
        ) = (&events[i], events.get(i + 1))
        {
            if !title.is_empty() {
                if let Some(end) = events[i + 2..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::Image)))
                {
                    let end = i + 2 + end;
                    if matches!(events.get(end + 1), Some(Event::End(TagEnd::Paragraph))) {
                        let alt: String = events[i + 2..end]
                            .iter()
                            .filter_map(|e| match e {
                                Event::Text(t) => Some(t.as_ref()),
                                _ => None,
                            })
                            .collect();
                        out.push(Event::Html(
                            format!(
                                "<figure><img src=\"{}\" alt=\"{}\" loading=\"lazy\"><figcaption>{}</figcaption></figure>\n",
                                text::escape(dest_url),
                                text::escape(&alt),
                                text::escape(title)
                            )
                            .into(),
                        ));
                        i = end + 2;
                        continue;
                    }
                }
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

fn highlight(lang: &str, code: &str) -> String {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, HIGHLIGHT_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return format!(
                "<pre class=\"code\"><code>{}</code></pre>\n",
                text::escape(code)
            );
        }
    }
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", text::escape(lang))
    };
    format!(
        "<pre class=\"code\"><code{class}>{}</code></pre>\n",
        generator.finalize()
    )
}

fn is_relative_file(url: &str) -> bool {
    !(url.is_empty()
        || url.starts_with('#')
        || url.starts_with('/')
        || url.starts_with("//")
        || url.contains("://")
        || url.starts_with("mailto:")
        || url.starts_with("tel:")
        || url.starts_with("data:"))
}

/// `Ok(Some(url))` for a link to a content file, `Ok(None)` for any other link,
/// `Err(())` for a link to a content file that does not exist.
fn resolve_link(
    dest: &str,
    dir: &Path,
    links: &Links<'_>,
    targets: &mut Vec<PathBuf>,
) -> Result<Option<String>, ()> {
    if !is_relative_file(dest) && !dest.starts_with('/') {
        return Ok(None);
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    if !path.ends_with(".md") {
        return Ok(None);
    }
    let target = match path.strip_prefix('/') {
        Some(abs) => content::normalise(&Path::new("content").join(abs)),
        None => content::normalise(&dir.join(path)),
    };
    let url = links.urls.get(&target);
    targets.push(target);
    let url = url.ok_or(())?;
    Ok(Some(match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(body: &str) -> (Rendered, Vec<InputError>) {
        let urls = HashMap::from([(
            PathBuf::from("content/tin-tuc/b.md"),
            "/tin-tuc/b/".to_owned(),
        )]);
        let links = Links {
            urls: &urls,
            root: Path::new("/nonexistent"),
            prefix: "",
            statistics: None,
        };
        let mut errors = Vec::new();
        let r = render(
            body,
            5,
            Path::new("content/tin-tuc/a.md"),
            &links,
            &mut errors,
        );
        (r, errors)
    }

    #[test]
    fn headings_get_vietnamese_anchors_and_toc() {
        let (r, _) = md("## Kết quả năm 2020\n\ntext\n\n## Kết quả năm 2020\n");
        assert!(
            r.html.contains(r#"<h2 id="ket-qua-nam-2020">"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<h2 id="ket-qua-nam-2020-2">"#));
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].title, "Kết quả năm 2020");
    }

    #[test]
    fn internal_links_resolve_and_broken_ones_name_the_line() {
        let (r, errors) = md("See [b](b.md#x).\n\nAnd [c](c.md).\n");
        assert!(r.html.contains(r#"href="/tin-tuc/b/#x""#), "{}", r.html);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(7));
        assert!(errors[0].message.contains("broken link: `c.md`"));
    }

    #[test]
    fn tables_footnotes_strikethrough_and_code() {
        let (r, _) = md("| a | b |\n|---|---|\n| 1 | 2 |\n\nx[^1] ~~y~~\n\n[^1]: note\n\n```rust\nfn main() {}\n```\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("class=\"table-wrap\""));
        assert!(r.html.contains("<del>y</del>"));
        assert!(r.html.contains("footnote-definition"));
        assert!(r.html.contains("hl-"), "{}", r.html);
    }

    #[test]
    fn image_with_title_becomes_figure_and_missing_image_is_an_error() {
        let (r, errors) = md("![Đoàn kiểm tra](anh.svg \"Đoàn kiểm tra tại xã\")\n");
        assert!(
            r.html
                .contains("<figure><img src=\"anh.svg\" alt=\"Đoàn kiểm tra\""),
            "{}",
            r.html
        );
        assert!(r
            .html
            .contains("<figcaption>Đoàn kiểm tra tại xã</figcaption>"));
        assert!(errors[0]
            .message
            .contains("the image `anh.svg` does not exist"));
    }

    #[test]
    fn images_are_shown_from_their_place_under_content() {
        let root = std::env::temp_dir().join(format!("cong-images-{}", std::process::id()));
        for file in ["content/tin-tuc/anh.svg", "content/chung/logo.svg"] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
        }
        let urls = HashMap::new();
        let links = Links {
            urls: &urls,
            root: &root,
            prefix: "/cong",
            statistics: None,
        };
        let mut errors = Vec::new();
        let r = render(
            "![Ảnh](anh.svg)\n\n![Biểu trưng](../chung/./logo.svg \"Biểu trưng\")\n",
            5,
            Path::new("content/tin-tuc/a.md"),
            &links,
            &mut errors,
        );
        std::fs::remove_dir_all(&root).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            r.html.contains("<img src=\"/cong/tin-tuc/anh.svg\""),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<figure><img src=\"/cong/chung/logo.svg\" alt=\"Biểu trưng\""),
            "{}",
            r.html
        );
        assert_eq!(
            r.assets,
            [
                PathBuf::from("content/tin-tuc/anh.svg"),
                PathBuf::from("content/chung/logo.svg")
            ]
        );
    }

    #[test]
    fn lead_stops_at_more() {
        let (r, _) = md("Đoạn một.\n\nĐoạn hai.\n\n<!-- more -->\n\nĐoạn ba.\n");
        assert_eq!(r.lead, "Đoạn một. Đoạn hai.");
        let (r, _) = md("Đoạn một.\n\nĐoạn hai.\n");
        assert_eq!(r.lead, "Đoạn một.");
    }

    #[test]
    fn plain_text_for_search_keeps_blocks_apart() {
        let (r, _) = md("## Bộ phận một\n\nCửa **mở** lúc\n7 giờ.\n\n- một\n- cửa\n");
        assert_eq!(r.text, "Bộ phận một\nCửa mở lúc 7 giờ.\nmột\ncửa\n");
    }
}
