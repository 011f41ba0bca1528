//! The content model: units, articles and pages, read from `content/` once.
//!
//! Loading walks the tree, reads every input a single time, splits and parses front
//! matter and validates it against `site.yaml`. Nothing after this module touches the
//! content files again; later phases work on [`Content`].

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{SiteConfig, UnitConfig, UNIT_TYPES};
use crate::error::{did_you_mean, InputError};
use crate::{fs, messages, text, yaml};

/// The unit file's name.
pub const UNIT_FILE: &str = "_unit.yaml";
/// The portal settings' file name.
pub const SITE_FILE: &str = "site.yaml";

/// A district, commune, ward or any other unit: a folder with a `_unit.yaml`.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The folder, relative to `content/` (empty for the root unit).
    pub dir: PathBuf,
    /// The URL path: `/` for the root unit, `/xa-hoa-thuong/` for a sub-unit.
    pub path: String,
    pub config: UnitConfig,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

/// Article or plain page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Article,
    Page,
}

/// An image with its caption, from the front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRef {
    pub src: String,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub alt: Option<String>,
}

/// The front matter of an article or page, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub image: Option<ImageRef>,
    #[serde(default)]
    pub also_on: Vec<String>,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub draft: bool,
    /// A template of the theme to use instead of the default for this kind.
    #[serde(default)]
    pub template: Option<String>,
}

/// An article or page, parsed and validated.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file, relative to the portal root (`content/tin-tuc/x.md`), as shown in messages.
    pub source: PathBuf,
    /// The unit it belongs to.
    pub unit: usize,
    pub front: FrontMatter,
    pub date: Option<DateTime<FixedOffset>>,
    pub slug: String,
    /// The URL path, decided by [`Document::url_for`].
    pub url: String,
    /// The Markdown body.
    pub body: String,
    /// The line of the file the body starts on.
    pub body_line: usize,
    /// Shown on the parent unit's portal too.
    pub on_parent: bool,
    /// Lines of front-matter keys that later phases check (`image`, `template`).
    pub key_lines: KeyLines,
    /// A digest of the file's text and place: equal digests, equal pages.
    pub hash: u64,
    /// The slug of each tag, in the order of `front.tags`.
    pub tag_slugs: Vec<String>,
}

/// Where some front-matter keys are, for messages about them after loading.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyLines {
    pub image: Option<usize>,
    pub template: Option<usize>,
}

impl Document {
    /// Where a document lives: articles under `<unit>/tin-tuc/<slug>/`, pages at `<unit>/<slug>/`.
    pub fn url_for(unit_path: &str, kind: Kind, slug: &str) -> String {
        match kind {
            Kind::Article => format!("{unit_path}tin-tuc/{slug}/"),
            Kind::Page => format!("{unit_path}{slug}/"),
        }
    }

    pub fn is_article(&self) -> bool {
        self.front.kind == Kind::Article
    }
}

/// Everything read from `content/`.
#[derive(Debug, Clone)]
pub struct Content {
    pub site: SiteConfig,
    /// A digest of site.yaml and every _unit.yaml.
    pub config_hash: u64,
    pub units: Vec<Unit>,
    pub documents: Vec<Document>,
    /// Problems found while loading; the build stops on them after reporting them all.
    pub errors: Vec<InputError>,
}

/// What the loader needs to know beyond the files.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    pub drafts: bool,
    pub now: DateTime<FixedOffset>,
}

/// Reads the portal under `root`.
pub fn load(root: &Path, options: LoadOptions) -> anyhow::Result<Content> {
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        anyhow::bail!(
            "`{}` has no `content/` folder; run cong in a portal's root, give `--root`, or create one with `cong init`",
            root.display()
        );
    }
    let shown = |p: &Path| Path::new("content").join(p);
    let site_text = fs::read_text(&content_dir.join(SITE_FILE), &shown(Path::new(SITE_FILE)))?;
    let site: SiteConfig = yaml::parse(&site_text, &shown(Path::new(SITE_FILE)), 1)?;
    let mut errors = validate_site(&site, &site_text);
    let mut config_hasher = std::hash::DefaultHasher::new();
    site_text.hash(&mut config_hasher);

    let mut unit_dirs = Vec::new();
    let mut md_files = Vec::new();
    for entry in walkdir::WalkDir::new(&content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(e.file_name().to_string_lossy().as_ref()))
    {
        let entry = entry?;
        let rel = entry.path().strip_prefix(&content_dir)?.to_path_buf();
        if entry.file_type().is_dir() {
            if entry.path().join(UNIT_FILE).is_file() {
                unit_dirs.push(rel);
            }
        } else if rel.extension().is_some_and(|e| e == "md") {
            md_files.push(rel);
        }
    }
    if unit_dirs.first().is_none_or(|d| !d.as_os_str().is_empty()) {
        anyhow::bail!("`content/{UNIT_FILE}` is missing: the portal's own unit (name, type, address, leaders) is described there");
    }

    let mut units = Vec::with_capacity(unit_dirs.len());
    for dir in &unit_dirs {
        let file = shown(&dir.join(UNIT_FILE));
        let parsed = fs::read_text(&content_dir.join(dir).join(UNIT_FILE), &file).and_then(|t| {
            let config: UnitConfig = yaml::parse(&t, &file, 1)?;
            Ok((config, t))
        });
        let (config, text) = match parsed {
            Ok(v) => {
                dir.hash(&mut config_hasher);
                v.1.hash(&mut config_hasher);
                v
            }
            Err(err) => {
                errors.push(as_input_error(err, &file));
                continue;
            }
        };
        if !UNIT_TYPES.contains(&config.kind.as_str()) {
            errors.push(InputError::at(
                &file,
                yaml::line_of_key(&text, "type"),
                format!(
                    "unknown unit type `{}`{}; use one of: {}",
                    config.kind,
                    did_you_mean(&config.kind, UNIT_TYPES.iter().copied()),
                    UNIT_TYPES.join(", ")
                ),
            ));
        }
        let path = if dir.as_os_str().is_empty() {
            "/".to_owned()
        } else {
            format!("/{}/", dir.to_string_lossy().replace('\\', "/"))
        };
        let parent = units
            .iter()
            .rposition(|u: &Unit| dir.starts_with(&u.dir) && u.dir != *dir);
        units.push(Unit {
            dir: dir.clone(),
            path,
            config,
            parent,
            children: Vec::new(),
        });
    }
    for i in 0..units.len() {
        if let Some(p) = units[i].parent {
            units[p].children.push(i);
        }
    }
    let results: Vec<Result<Option<Document>, InputError>> = md_files
        .par_iter()
        .map(|rel| load_document(root, rel, &units, &site, options))
        .collect();
    let mut documents = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(Some(doc)) => documents.push(doc),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    documents.sort_by(|a, b| source_order(&a.source, &b.source));
    Ok(Content {
        site,
        config_hash: config_hasher.finish(),
        units,
        documents,
        errors,
    })
}

/// Editor swap and backup files, hidden files and the like are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name.starts_with('#')
}

fn as_input_error(err: anyhow::Error, file: &Path) -> InputError {
    match err.downcast::<InputError>() {
        Ok(e) => e,
        Err(other) => InputError::at(file, None, format!("{other:#}")),
    }
}

fn validate_site(site: &SiteConfig, text: &str) -> Vec<InputError> {
    let file = Path::new("content").join(SITE_FILE);
    let mut errors = Vec::new();
    if !site.base_url.starts_with("http://") && !site.base_url.starts_with("https://") {
        errors.push(InputError::at(
            &file,
            yaml::line_of_key(text, "base_url"),
            format!("`base_url` must be a full address such as `https://donghy.thainguyen.gov.vn`, not `{}`", site.base_url),
        ));
    }
    if site.paginate == 0 {
        errors.push(InputError::at(
            &file,
            yaml::line_of_key(text, "paginate"),
            "`paginate` must be at least 1",
        ));
    }
    if site.timezone != "Asia/Ho_Chi_Minh" {
        errors.push(InputError::at(&file, yaml::line_of_key(text, "timezone"), "`timezone` must be `Asia/Ho_Chi_Minh`: Vietnamese portals date everything in Vietnam's time"));
    }
    let mut seen = HashMap::new();
    for c in &site.categories {
        if c.slug != text::slugify(&c.slug) {
            errors.push(InputError::at(
                &file,
                None,
                format!(
                    "category slug `{}` must be lower case without tones, like `{}`",
                    c.slug,
                    text::slugify(&c.slug)
                ),
            ));
        }
        if seen.insert(c.slug.clone(), ()).is_some() {
            errors.push(InputError::at(
                &file,
                None,
                format!("category `{}` is declared twice", c.slug),
            ));
        }
    }
    errors
}

/// Splits `---` front matter from the body: (yaml, body, line the body starts on).
pub fn split_front_matter<'a>(
    text: &'a str,
    file: &Path,
) -> Result<(&'a str, &'a str, usize), InputError> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| (text.trim_end() == "---").then_some(""))
        .ok_or_else(|| InputError::at(file, Some(1), messages::NO_FRONT_MATTER))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = yaml.lines().count() + 3;
            return Ok((yaml, body, body_line));
        }
        offset += line.len();
    }
    Err(InputError::at(
        file,
        Some(1),
        messages::UNCLOSED_FRONT_MATTER,
    ))
}

/// Where a file beside the documents is published: a file of the portal root's
/// `content/` folder keeps its path under it (`content/tin-tuc/anh.svg` →
/// `tin-tuc/anh.svg`), so it is written once however many pages show it.
/// `file` is relative to the portal root, without `.` or `..`.
pub fn published_path(file: &Path) -> String {
    file.strip_prefix("content")
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The file a document names by `name`, relative to its own folder (an image in its
/// front matter or body): a path from the portal root, without `.` or `..`.
pub fn beside(source: &Path, name: &str) -> PathBuf {
    normalise(&source.parent().unwrap_or(Path::new("")).join(name))
}

/// Removes `.` and `..` from a relative path.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The order documents are kept in: by their file's path, compared as bytes.
pub fn source_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    a.as_os_str()
        .as_encoded_bytes()
        .cmp(b.as_os_str().as_encoded_bytes())
}

/// The unit a file (relative to `content/`) belongs to: its nearest enclosing unit.
pub fn unit_of(units: &[Unit], rel: &Path) -> usize {
    units
        .iter()
        .rposition(|u| rel.starts_with(&u.dir))
        .unwrap_or(0)
}

/// Reads one article or page (`rel` is relative to `content/`); `None` when it is a
/// draft or future-dated and those are not asked for.
pub fn load_document(
    root: &Path,
    rel: &Path,
    units: &[Unit],
    site: &SiteConfig,
    options: LoadOptions,
) -> Result<Option<Document>, InputError> {
    let unit = unit_of(units, rel);
    let source = Path::new("content").join(rel);
    let text =
        fs::read_text(&root.join(&source), &source).map_err(|e| as_input_error(e, &source))?;
    let hash = xxhash_rust::xxh3::xxh3_64_with_seed(
        text.as_bytes(),
        xxhash_rust::xxh3::xxh3_64(source.as_os_str().as_encoded_bytes()),
    );
    let (yaml_text, body, body_line) = split_front_matter(&text, &source)?;
    let front: FrontMatter = yaml::parse(yaml_text, &source, 2)?;
    let line = |key: &str| yaml::line_of_key(yaml_text, key).map(|l| l + 1);
    if front.title.trim().is_empty() {
        return Err(InputError::at(
            &source,
            line("title"),
            messages::empty_title(),
        ));
    }
    let date = match &front.date {
        Some(d) => Some(
            parse_date(d)
                .ok_or_else(|| InputError::at(&source, line("date"), messages::bad_date(d)))?,
        ),
        None if front.kind == Kind::Article => {
            return Err(InputError::at(&source, Some(1), messages::missing_date()))
        }
        None => None,
    };
    if front.kind == Kind::Article {
        match &front.category {
            None => {
                return Err(InputError::at(
                    &source,
                    Some(1),
                    messages::missing_category(),
                ))
            }
            Some(c) if !site.categories.iter().any(|k| &k.slug == c) => {
                return Err(InputError::at(
                    &source,
                    line("category"),
                    messages::unknown_category(
                        c,
                        &did_you_mean(c, site.categories.iter().map(|k| k.slug.as_str())),
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let mut on_parent = false;
    for target in &front.also_on {
        if target != "parent" {
            return Err(InputError::at(
                &source,
                line("also_on"),
                messages::bad_also_on(target),
            ));
        }
        if units[unit].parent.is_none() {
            return Err(InputError::at(
                &source,
                line("also_on"),
                messages::also_on_root(),
            ));
        }
        on_parent = true;
    }
    if front.draft && !options.drafts {
        return Ok(None);
    }
    if date.is_some_and(|d| d > options.now) && !options.drafts {
        return Ok(None);
    }
    let slug = match &front.slug {
        Some(s) => text::slugify(s),
        None => text::slugify(&front.title),
    };
    let url = Document::url_for(&units[unit].path, front.kind, &slug);
    let tag_slugs = front.tags.iter().map(|t| text::slugify(t)).collect();
    Ok(Some(Document {
        source,
        unit,
        front,
        date,
        slug,
        url,
        body: body.to_owned(),
        body_line,
        on_parent,
        key_lines: KeyLines {
            image: line("image"),
            template: line("template"),
        },
        hash,
        tag_slugs,
    }))
}

/// Parses `2020-10-27T16:10:00+07:00`, also with a space for `T`, or a bare date
/// (taken as midnight in Vietnam).
pub fn parse_date(value: &str) -> Option<DateTime<FixedOffset>> {
    let value = value.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(value) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%:z") {
        return Some(d);
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let local = text::VIETNAM
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()?;
    Some(local.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_with_body_line() {
        let (y, b, line) =
            split_front_matter("---\ntitle: a\ndate: x\n---\nbody\n", Path::new("a.md")).unwrap();
        assert_eq!(y, "title: a\ndate: x\n");
        assert_eq!(b, "body\n");
        assert_eq!(line, 5);
    }

    #[test]
    fn missing_front_matter_is_explained() {
        let e = split_front_matter("# title\n", Path::new("a.md")).unwrap_err();
        assert!(e.message.contains("front matter must start with `---`"));
        let e = split_front_matter("---\ntitle: a\n", Path::new("a.md")).unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn dates_keep_their_zone() {
        let d = parse_date("2020-10-27T16:10:00+07:00").unwrap();
        assert_eq!(text::format_datetime(&d), "27/10/2020 16:10");
        assert_eq!(
            text::format_date(&parse_date("2020-10-27").unwrap()),
            "27/10/2020"
        );
        assert!(parse_date("27/10/2020").is_none());
    }
}
