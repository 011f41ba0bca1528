//! The build: load → link → markdown → index → render → feeds → write.
//!
//! [`Site::build`] reads as the list of its phases, each timed at debug level. A page's
//! URL is decided in [`crate::content::Document::url_for`], Markdown becomes HTML in
//! [`Site::markdown`], and a template is chosen in [`crate::render::Job::template`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;

use crate::content::{self, Content, LoadOptions};
use crate::error::{self, InputError};
use crate::markdown::{self, Links, Rendered};
use crate::output::Output;
use crate::render;
use crate::text;
use crate::theme::Theme;

/// What a build is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The portal root (holding `content/` and optionally `themes/`).
    pub root: PathBuf,
    /// Where the site is written.
    pub output: PathBuf,
    /// Overrides `base_url` from site.yaml (the preview server's own address, say).
    pub base_url: Option<String>,
    /// Include drafts and future-dated articles.
    pub drafts: bool,
    /// The build's "now": future-dated articles are left out.
    pub now: DateTime<FixedOffset>,
    /// HTML inserted before `</body>` of every page (the preview's reload script).
    pub inject: Option<String>,
}

/// Where the site lives: the origin for absolute links, and the path prefix.
#[derive(Debug, Clone)]
pub struct Base {
    /// `https://donghy.thainguyen.gov.vn`, without the path.
    pub origin: String,
    /// `` or `/portal` when the site lives below the host's root.
    pub prefix: String,
}

impl Base {
    pub fn new(base_url: &str) -> Base {
        let trimmed = base_url.trim_end_matches('/');
        let after_scheme = trimmed.find("://").map(|i| i + 3).unwrap_or(0);
        match trimmed[after_scheme..].find('/') {
            Some(i) => Base {
                origin: trimmed[..after_scheme + i].to_owned(),
                prefix: trimmed[after_scheme + i..].to_owned(),
            },
            None => Base {
                origin: trimmed.to_owned(),
                prefix: String::new(),
            },
        }
    }

    /// The link to a site path (`/tin-tuc/x/`) from any page of the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.prefix, path)
    }

    /// The absolute address of a site path.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}{}", self.origin, self.prefix, path)
    }
}

/// Articles of a unit, by the lists that show them (indices into `Content::documents`).
#[derive(Debug, Default, Clone)]
pub struct UnitIndex {
    /// Newest first: the unit's own articles and those its sub-units list on it.
    pub articles: Vec<usize>,
    pub by_category: BTreeMap<String, Vec<usize>>,
    /// Tag slug → (name, articles).
    pub by_tag: BTreeMap<String, (String, Vec<usize>)>,
    /// (year, month) → articles.
    pub by_month: BTreeMap<(i32, u32), Vec<usize>>,
    pub pages: Vec<usize>,
}

/// A build in progress.
pub struct Site {
    pub options: BuildOptions,
    pub content: Content,
    pub theme: Theme,
    pub base: Base,
    /// The HTML of each document, by the same index.
    pub rendered: Vec<Rendered>,
    pub index: Vec<UnitIndex>,
    pub output: Output,
    errors: Vec<InputError>,
}

/// What a finished build reports.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub articles: usize,
    pub units: usize,
}

impl Site {
    /// Reads the portal and its theme.
    pub fn load(options: BuildOptions) -> Result<Site> {
        let started = Instant::now();
        let content = content::load(
            &options.root,
            LoadOptions {
                drafts: options.drafts,
                now: options.now,
            },
        )?;
        let theme = Theme::load(&options.root, &content.site.theme)?;
        let base = Base::new(
            options
                .base_url
                .as_deref()
                .unwrap_or(&content.site.base_url),
        );
        log::debug!(
            "load: {} documents in {:.0?}",
            content.documents.len(),
            started.elapsed()
        );
        Ok(Site {
            errors: content.errors.clone(),
            options,
            content,
            theme,
            base,
            rendered: Vec::new(),
            index: Vec::new(),
            output: Output::default(),
        })
    }

    /// Builds the whole site in memory; [`Site::write`] then puts it on disk.
    pub fn build(options: BuildOptions) -> Result<Site> {
        let mut site = Site::load(options)?;
        site.step("link", Site::link)?;
        site.step("markdown", Site::markdown)?;
        site.step("index", Site::index)?;
        site.step("render", Site::render)?;
        site.step("feeds", Site::feeds)?;
        Ok(site)
    }

    fn step(&mut self, name: &str, phase: fn(&mut Site) -> Result<()>) -> Result<()> {
        let started = Instant::now();
        phase(self)?;
        log::debug!("{name}: {:.0?}", started.elapsed());
        Ok(())
    }

    /// Checks that no two documents claim one URL and that front-matter images exist.
    fn link(&mut self) -> Result<()> {
        let mut seen: HashMap<&str, &Path> = HashMap::new();
        for doc in &self.content.documents {
            if let Some(other) = seen.insert(&doc.url, &doc.source) {
                self.errors.push(InputError::at(
                    &doc.source,
                    None,
                    crate::messages::duplicate_url(&doc.url, &other.display().to_string()),
                ));
            }
            if let Some(image) = &doc.front.image {
                let file = self
                    .options
                    .root
                    .join(doc.source.parent().unwrap_or(Path::new("")))
                    .join(&image.src);
                if !file.is_file() {
                    self.errors.push(InputError::at(
                        &doc.source,
                        doc.key_lines.image,
                        crate::messages::missing_image(&image.src),
                    ));
                }
            }
            if let Some(template) = &doc.front.template {
                if !self.theme.has(template) {
                    self.errors.push(InputError::at(
                        &doc.source,
                        doc.key_lines.template,
                        crate::messages::missing_template(template, &self.theme.name),
                    ));
                }
            }
        }
        for u in &self.content.units {
            for reserved in render::RESERVED_SLUGS {
                let url = format!("{}{reserved}/", u.path);
                if let Some(source) = seen.get(url.as_str()) {
                    self.errors.push(InputError::at(
                        source,
                        None,
                        crate::messages::duplicate_url(&url, "a page cong makes itself"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Turns every document's Markdown into HTML, in parallel.
    fn markdown(&mut self) -> Result<()> {
        let urls: HashMap<PathBuf, String> = self
            .content
            .documents
            .iter()
            .map(|d| (d.source.clone(), self.base.url(&d.url)))
            .collect();
        let links = Links {
            urls: &urls,
            root: &self.options.root,
        };
        let results: Vec<(Rendered, Vec<InputError>)> = self
            .content
            .documents
            .par_iter()
            .map(|doc| {
                let mut errors = Vec::new();
                let r =
                    markdown::render(&doc.body, doc.body_line, &doc.source, &links, &mut errors);
                (r, errors)
            })
            .collect();
        self.rendered = Vec::with_capacity(results.len());
        for (r, errors) in results {
            self.rendered.push(r);
            self.errors.extend(errors);
        }
        error::check(std::mem::take(&mut self.errors))
    }

    /// Sorts articles into the lists each unit shows.
    fn index(&mut self) -> Result<()> {
        let docs = &self.content.documents;
        let mut order: Vec<usize> = (0..docs.len()).filter(|i| docs[*i].is_article()).collect();
        order.sort_by(|a, b| {
            docs[*b]
                .date
                .cmp(&docs[*a].date)
                .then_with(|| docs[*a].url.cmp(&docs[*b].url))
        });
        let mut index = vec![UnitIndex::default(); self.content.units.len()];
        for &i in &order {
            let doc = &docs[i];
            let mut units = vec![doc.unit];
            if doc.on_parent {
                units.extend(self.content.units[doc.unit].parent);
            }
            for u in units {
                let ix = &mut index[u];
                ix.articles.push(i);
                if let Some(c) = &doc.front.category {
                    ix.by_category.entry(c.clone()).or_default().push(i);
                }
                for tag in &doc.front.tags {
                    let slug = text::slugify(tag);
                    if slug.is_empty() {
                        continue;
                    }
                    ix.by_tag
                        .entry(slug)
                        .or_insert_with(|| (tag.clone(), Vec::new()))
                        .1
                        .push(i);
                }
                if let Some(d) = doc.date {
                    let local = d.with_timezone(&text::VIETNAM);
                    ix.by_month
                        .entry((local.year(), local.month()))
                        .or_default()
                        .push(i);
                }
            }
        }
        for (i, doc) in docs.iter().enumerate() {
            if !doc.is_article() {
                index[doc.unit].pages.push(i);
            }
        }
        self.index = index;
        Ok(())
    }

    /// Renders every page in parallel.
    fn render(&mut self) -> Result<()> {
        let jobs = render::jobs(self);
        let shared = render::Shared::new(self);
        let results: Vec<Result<(String, String)>> =
            jobs.par_iter().map(|job| shared.render(job)).collect();
        let mut failures = Vec::new();
        for r in results {
            match r {
                Ok((path, html)) => self.output.add(path, html.into_bytes()),
                Err(e) => failures.push(e),
            }
        }
        if let Some(first) = failures.into_iter().next() {
            return Err(first);
        }
        render::assets(self);
        Ok(())
    }

    /// RSS, JSON Feed, sitemap.xml, robots.txt.
    fn feeds(&mut self) -> Result<()> {
        crate::feeds::write_all(self);
        Ok(())
    }

    /// Puts the built site in place of the output folder, atomically.
    pub fn write(&self) -> Result<()> {
        self.output.write_atomically(&self.options.output)
    }

    /// What was built.
    pub fn report(&self) -> BuildReport {
        BuildReport {
            pages: self.output.pages(),
            files: self.output.len(),
            articles: self
                .content
                .documents
                .iter()
                .filter(|d| d.is_article())
                .count(),
            units: self.content.units.len(),
        }
    }
}
