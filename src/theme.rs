//! The theme: Tera templates, interface strings in vi and en, and static assets.
//!
//! The default theme is compiled into the binary; a portal's `themes/<name>/` folder
//! overrides it file by file (a template, a string file or an asset of the same path).
//! This is also where the template helpers for Vietnamese numbers and dates are made.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use tera::{Kwargs, State, Tera};

use crate::error::InputError;
use crate::{fs, text};

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../themes/default/", $name)) as &[u8])),*]
    };
}

/// The default theme's files, by path inside the theme folder.
pub const DEFAULT_FILES: &[(&str, &[u8])] = embed!(
    "templates/base.html",
    "templates/home.html",
    "templates/article.html",
    "templates/list.html",
    "templates/terms.html",
    "templates/archive.html",
    "templates/about.html",
    "templates/organisation.html",
    "templates/contact.html",
    "templates/en_home.html",
    "templates/page.html",
    "templates/sitemap.html",
    "templates/404.html",
    "templates/statistics.html",
    "templates/statistics_compare.html",
    "templates/partials/card.html",
    "templates/partials/pagination.html",
    "templates/partials/services.html",
    "templates/partials/filter.html",
    "templates/partials/counter.html",
    "templates/partials/unit/brand.html",
    "templates/partials/unit/footer.html",
    "templates/thu_tuc.html",
    "templates/thu_tuc_chi_tiet.html",
    "templates/van_ban.html",
    "templates/van_ban_chi_tiet.html",
    "templates/lich_cong_tac.html",
    "templates/tim_kiem.html",
    "i18n/vi.yaml",
    "i18n/en.yaml",
    "static/css/cong.css",
    "static/js/cong.js",
    "static/js/loc.js",
    "static/js/counter.js",
    "static/js/tim-kiem.js",
);

/// A loaded theme, ready to render.
pub struct Theme {
    pub name: String,
    pub tera: Tera,
    /// Interface strings by language.
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
    /// Static assets: path under `assets/` and contents.
    pub assets: Vec<(PathBuf, Vec<u8>)>,
    /// For each template, a digest of it and every template it extends or includes,
    /// so that a preview re-renders exactly the pages a template edit affects.
    pub template_hashes: HashMap<String, u64>,
    /// A digest of the interface strings.
    pub strings_hash: u64,
    /// The templates under [`UNIT_PARTS`]: rendered once per unit and language.
    pub unit_parts: Vec<String>,
}

/// Templates in this folder are the parts of every page that show only the unit, the
/// language, the interface strings and the portal's settings (a page's header and
/// footer): each is rendered once per unit and language, and every page of the unit
/// gets the result, without its trailing white space, as `unit_parts.<file name without
/// .html>`.
pub const UNIT_PARTS: &str = "partials/unit/";

impl Theme {
    /// Loads the default theme with the overrides in `root/themes/<name>/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme> {
        let mut files: BTreeMap<String, (Vec<u8>, PathBuf)> = DEFAULT_FILES
            .iter()
            .map(|(path, bytes)| {
                let shown = Path::new("themes/default").join(path);
                (path.to_string(), (bytes.to_vec(), shown))
            })
            .collect();
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir)
                .into_iter()
                .filter_entry(|e| !crate::content::is_ignored(&e.file_name().to_string_lossy()))
            {
                let entry = entry?;
                if entry.file_type().is_file() {
                    let rel = entry
                        .path()
                        .strip_prefix(&dir)?
                        .to_string_lossy()
                        .replace('\\', "/");
                    let bytes = std::fs::read(entry.path())
                        .with_context(|| format!("failed to read `{}`", entry.path().display()))?;
                    files.insert(
                        rel.clone(),
                        (bytes, Path::new("themes").join(name).join(&rel)),
                    );
                }
            }
        } else if name != "default" {
            anyhow::bail!("the theme `{name}` set in site.yaml has no folder `themes/{name}/`; create it or set `theme: default`");
        }

        let mut tera = Tera::new();
        register_helpers(&mut tera);
        let mut templates = Vec::new();
        let mut strings = BTreeMap::new();
        let mut assets = Vec::new();
        for (path, (bytes, shown)) in files {
            if let Some(name) = path.strip_prefix("templates/") {
                let source = fs::decode_text(bytes, &shown)?;
                templates.push((name.to_owned(), source));
            } else if let Some(file) = path.strip_prefix("i18n/") {
                let lang = file.trim_end_matches(".yaml").to_owned();
                let source = fs::decode_text(bytes, &shown)?;
                let map: BTreeMap<String, String> = crate::yaml::parse(&source, &shown, 1)?;
                strings.insert(lang, map);
            } else if let Some(asset) = path.strip_prefix("static/") {
                assets.push((PathBuf::from(asset), bytes));
            }
        }
        tera.add_raw_templates(templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|e| template_error(&e, name))?;
        let unit_parts: Vec<String> = templates
            .iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with(UNIT_PARTS) && n.ends_with(".html"))
            .cloned()
            .collect();
        let template_hashes = closure_hashes(&templates, &unit_parts);
        let mut hasher = std::hash::DefaultHasher::new();
        for (lang, map) in &strings {
            lang.hash(&mut hasher);
            for (k, v) in map {
                (k, v).hash(&mut hasher);
            }
        }
        let strings_hash = hasher.finish();
        // Theme strings fall back to Vietnamese key by key.
        if let Some(vi) = strings.get("vi").cloned() {
            for (lang, map) in strings.iter_mut() {
                if lang != "vi" {
                    for (k, v) in &vi {
                        map.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
        }
        Ok(Theme {
            name: name.to_owned(),
            tera,
            strings,
            assets,
            template_hashes,
            strings_hash,
            unit_parts,
        })
    }

    /// The digest of a template and all it uses.
    pub fn template_hash(&self, template: &str) -> u64 {
        self.template_hashes.get(template).copied().unwrap_or(0)
    }

    /// Whether the theme has a template.
    pub fn has(&self, template: &str) -> bool {
        self.tera.get_template_names().any(|n| n == template)
    }

    /// Renders a template into bytes (UTF-8: Tera writes only strings), turning Tera's
    /// error into one that names the template.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| template_error(&e, &self.name))?;
        Ok(out)
    }
}

/// A Tera error as an [`InputError`] on the template's file, with Tera's own report
/// (which carries the line and column).
fn template_error(err: &tera::Error, theme: &str) -> InputError {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    InputError::at(
        Path::new(&format!("themes/{theme}/templates")),
        None,
        message,
    )
}

/// Templates named in `{% extends "x" %}` and `{% include "y" %}` of a source.
fn dependencies(source: &str) -> Vec<&str> {
    let mut deps = Vec::new();
    for keyword in ["extends", "include"] {
        for (at, _) in source.match_indices(keyword) {
            let rest = source[at + keyword.len()..].trim_start();
            if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = rest[1..].find(quote) {
                    deps.push(&rest[1..1 + end]);
                }
            }
        }
    }
    deps
}

/// Each template's digest, with those of the templates it extends or includes and of the
/// unit parts, which every page shows.
fn closure_hashes(templates: &[(String, String)], unit_parts: &[String]) -> HashMap<String, u64> {
    let sources: HashMap<&str, &str> = templates
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    let mut hashes = HashMap::new();
    for name in sources.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![*name];
        stack.extend(unit_parts.iter().map(String::as_str));
        while let Some(t) = stack.pop() {
            if seen.insert(t) {
                if let Some(src) = sources.get(t) {
                    stack.extend(dependencies(src));
                }
            }
        }
        let mut hasher = std::hash::DefaultHasher::new();
        for t in seen {
            (t, sources.get(t)).hash(&mut hasher);
        }
        hashes.insert(name.to_string(), hasher.finish());
    }
    hashes
}

fn register_helpers(tera: &mut Tera) {
    tera.register_filter("number", |x: f64, kwargs: Kwargs, _: &State<'_>| {
        let decimals = kwargs
            .get::<i64>("decimals")
            .ok()
            .flatten()
            .unwrap_or(2)
            .max(0) as usize;
        text::format_number(x, decimals)
    });
    tera.register_filter("percent", |x: f64, _: Kwargs, _: &State<'_>| {
        text::format_percent(x)
    });
    tera.register_filter("slugify", |s: &str, _: Kwargs, _: &State<'_>| {
        text::slugify(s)
    });
    tera.register_filter("urlencode", |s: &str, _: Kwargs, _: &State<'_>| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    });
    tera.register_filter("vn_date", |s: &str, kwargs: Kwargs, _: &State<'_>| {
        let with_time = kwargs.get::<bool>("time").ok().flatten().unwrap_or(true);
        match crate::content::parse_date(s) {
            Some(d) if with_time => text::format_datetime(&d),
            Some(d) => text::format_date(&d),
            None => s.to_owned(),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_format_vietnamese() {
        let mut tera = Tera::new();
        register_helpers(&mut tera);
        tera.add_raw_template("t", "{{ 12798780 | number }} {{ 99.66 | percent }} {{ 'Đồng Hỷ' | slugify }} {{ '2020-10-27T16:10:00+07:00' | vn_date }}").unwrap();
        let out = tera.render("t", &tera::Context::new()).unwrap();
        assert_eq!(out, "12.798.780 99,7% dong-hy 27/10/2020 16:10");
    }

    #[test]
    fn template_digests_follow_extends_and_include() {
        let templates = vec![
            (
                "base.html".to_owned(),
                "<body>{% block c %}{% endblock c %}</body>".to_owned(),
            ),
            (
                "a.html".to_owned(),
                "{% extends \"base.html\" %}{% block c %}{% include \"p.html\" %}{% endblock c %}"
                    .to_owned(),
            ),
            (
                "b.html".to_owned(),
                "{% extends \"base.html\" %}".to_owned(),
            ),
            ("p.html".to_owned(), "partial".to_owned()),
        ];
        let before = closure_hashes(&templates, &[]);
        let mut changed = templates.clone();
        changed[3].1 = "partial, edited".to_owned();
        let after = closure_hashes(&changed, &[]);
        assert_ne!(before["a.html"], after["a.html"]);
        assert_eq!(before["b.html"], after["b.html"]);
        changed[0].1 = "<body></body>".to_owned();
        assert_ne!(closure_hashes(&changed, &[])["b.html"], after["b.html"]);
        // Every page shows the unit's parts, included or not.
        changed.push(("partials/unit/footer.html".to_owned(), "footer".to_owned()));
        let parts = ["partials/unit/footer.html".to_owned()];
        let with_part = closure_hashes(&changed, &parts);
        changed[4].1 = "footer, edited".to_owned();
        let edited = closure_hashes(&changed, &parts);
        for t in ["a.html", "b.html", "p.html"] {
            assert_ne!(with_part[t], edited[t], "{t}");
        }
    }

    #[test]
    fn default_theme_loads() {
        let theme = Theme::load(Path::new("/nonexistent"), "default").unwrap();
        assert!(theme.has("article.html"));
        assert_eq!(theme.strings["vi"]["skip_link"], "Truy cập nội dung luôn");
        assert_eq!(
            theme.unit_parts,
            ["partials/unit/brand.html", "partials/unit/footer.html"]
        );
    }
}
