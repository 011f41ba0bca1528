//! Pages: which pages a site has, and what each template is given.
//!
//! [`jobs`] lists every page of the site from the content and its indexes; [`Shared`]
//! holds what many pages show (the portal, each unit, each article's card) converted
//! to template values once, so that rendering a page in parallel only assembles them.

use std::collections::BTreeMap;

use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use anyhow::Result;
use serde::Serialize;
use tera::{Context, Value};

use crate::config::Text;
use crate::content::{Document, Unit};
use crate::site::Site;
use crate::text;

/// Slugs of the pages cong makes in every unit; a page of the content cannot take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "tin-tuc",
    "chuyen-muc",
    "the",
    "luu-tru",
    "gioi-thieu",
    "co-cau-to-chuc",
    "lien-he",
    "en",
    "trang",
    "assets",
    "so-do-site",
    "thong-ke",
    "thu-tuc",
    "van-ban",
    "lich-cong-tac",
    "tim-kiem",
];

/// The two languages of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// Which articles a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    All,
    Category(String),
    Tag(String),
    Month(i32, u32),
}

/// One page to render.
#[derive(Debug, Clone)]
pub enum Job {
    Home(usize),
    EnHome(usize),
    Article(usize),
    Page(usize),
    /// Page `page` (1-based) of a listing of a unit.
    List {
        unit: usize,
        kind: ListKind,
        page: usize,
    },
    Tags(usize),
    Archive(usize),
    About(usize, Lang),
    Organisation(usize, Lang),
    Contact(usize, Lang),
    Sitemap,
    NotFound,
    /// A page made by a feature module from the units' data (see [`DataPage`]).
    Data(usize),
}

/// A page a feature module makes from YAML data (statistics, procedures, documents,
/// calendar, search): the module decides its path, title and template and gives the
/// template its own `data`; the theme's common context (site, unit, menu, strings) is
/// added as for every page.
#[derive(Debug, Clone)]
pub struct DataPage {
    pub unit: usize,
    pub lang: Lang,
    /// The site path: `/thu-tuc/` or `/xa-a/thong-ke/`.
    pub path: String,
    pub title: String,
    pub template: String,
    /// The path of the same page in the other language, when there is one.
    pub alternate: Option<String>,
    /// What the template gets as `data`.
    pub data: serde_json::Value,
}

impl Job {
    /// The template that renders this page.
    pub fn template<'a>(&self, site: &'a Site) -> &'a str {
        match self {
            Job::Home(_) => "home.html",
            Job::EnHome(_) => "en_home.html",
            Job::Article(i) | Job::Page(i) => {
                let doc = &site.content.documents[*i];
                match &doc.front.template {
                    Some(t) => t,
                    None if doc.is_article() => "article.html",
                    None => "page.html",
                }
            }
            Job::List { .. } => "list.html",
            Job::Tags(_) => "terms.html",
            Job::Archive(_) => "archive.html",
            Job::About(_, Lang::Vi) => "about.html",
            Job::About(_, Lang::En) => "about.html",
            Job::Organisation(..) => "organisation.html",
            Job::Contact(..) => "contact.html",
            Job::Sitemap => "sitemap.html",
            Job::NotFound => "404.html",
            Job::Data(i) => &site.data_pages[*i].template,
        }
    }
}

/// Every page of the site.
pub fn jobs(site: &Site) -> Vec<Job> {
    let per_page = site.content.site.paginate;
    let pages_of = |n: usize| n.div_ceil(per_page).max(1);
    let mut jobs = vec![Job::Sitemap, Job::NotFound];
    for (u, ix) in site.index.iter().enumerate() {
        jobs.extend([Job::Home(u), Job::EnHome(u), Job::Tags(u), Job::Archive(u)]);
        for lang in [Lang::Vi, Lang::En] {
            jobs.extend([
                Job::About(u, lang),
                Job::Organisation(u, lang),
                Job::Contact(u, lang),
            ]);
        }
        let mut list = |kind: ListKind, n: usize| {
            for page in 1..=pages_of(n) {
                jobs.push(Job::List {
                    unit: u,
                    kind: kind.clone(),
                    page,
                });
            }
        };
        list(ListKind::All, ix.articles.len());
        for c in &site.content.site.categories {
            list(
                ListKind::Category(c.slug.clone()),
                ix.by_category.get(&c.slug).map_or(0, Vec::len),
            );
        }
        for (slug, (_, articles)) in &ix.by_tag {
            list(ListKind::Tag(slug.clone()), articles.len());
        }
        for ((y, m), articles) in &ix.by_month {
            list(ListKind::Month(*y, *m), articles.len());
        }
    }
    jobs.extend((0..site.data_pages.len()).map(Job::Data));
    for (i, doc) in site.content.documents.iter().enumerate() {
        jobs.push(if doc.is_article() {
            Job::Article(i)
        } else {
            Job::Page(i)
        });
    }
    jobs
}

/// The site path of a listing's page.
pub fn list_path(unit: &Unit, kind: &ListKind, page: usize) -> String {
    let base = list_base(unit, kind);
    if page <= 1 {
        base
    } else {
        format!("{base}trang/{page}/")
    }
}

fn list_base(unit: &Unit, kind: &ListKind) -> String {
    match kind {
        ListKind::All => format!("{}tin-tuc/", unit.path),
        ListKind::Category(c) => format!("{}chuyen-muc/{c}/", unit.path),
        ListKind::Tag(t) => format!("{}the/{t}/", unit.path),
        ListKind::Month(y, m) => format!("{}luu-tru/{y}/{m:02}/", unit.path),
    }
}

/// A named link, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct NamedLink {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
struct ImageView {
    url: String,
    permalink: String,
    alt: String,
    caption: Option<String>,
}

/// An article as listings and related lists show it.
#[derive(Debug, Clone, Serialize)]
struct Card {
    title: String,
    url: String,
    date: String,
    day: String,
    date_iso: String,
    summary: String,
    image: Option<ImageView>,
    category: NamedLink,
    unit_name: Option<String>,
}

/// An article or page as its own page shows it: its card, and what only that page shows.
#[derive(Serialize)]
struct DocumentView<'a> {
    #[serde(flatten)]
    card: Card,
    html: &'a str,
    toc: &'a [crate::markdown::TocEntry],
    author: Option<&'a str>,
    source: Option<&'a str>,
    summary_given: bool,
    permalink: String,
    tags: Vec<NamedLink>,
}

#[derive(Debug, Clone, Serialize)]
struct UnitLink {
    name: String,
    url: String,
    en_url: String,
}

#[derive(Debug, Clone, Serialize)]
struct PersonView {
    name: String,
    post: String,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct OfficeView {
    name: String,
    head: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    duties: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct UnitView {
    name: String,
    kind: String,
    url: String,
    en_url: String,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    leaders: Vec<PersonView>,
    organisation: Vec<OfficeView>,
    parent: Option<NamedLink>,
    children: Vec<UnitLink>,
}

#[derive(Debug, Clone, Serialize)]
struct PageView<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    description: &'a str,
    alternate: String,
    has_code: bool,
}

/// What many pages share, as template values made once.
pub struct Shared<'a> {
    site: &'a Site,
    portal: [Value; 2],
    strings: [Value; 2],
    units: [Vec<Value>; 2],
    menus: [Vec<Value>; 2],
    /// Each unit's parts ([`crate::theme::UNIT_PARTS`]), rendered once.
    unit_parts: [Vec<Value>; 2],
    /// Each article's card, made when a page first shows it (without and with its unit's name).
    cards: Vec<[OnceLock<Value>; 2]>,
    intros: [Vec<String>; 2],
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Vi => 0,
        Lang::En => 1,
    }
}

impl<'a> Shared<'a> {
    pub fn new(site: &'a Site) -> Result<Shared<'a>> {
        let cfg = &site.content.site;
        let base = &site.base;
        let portal = |lang: Lang| {
            let l = lang.code();
            serde_json::json!({
                "title": cfg.title.get(l),
                "base_url": base.permalink("/"),
                "assets": base.url("/assets/"),
                "sitemap": base.url("/so-do-site/"),
                "services": cfg.public_services.as_ref().map(|s| serde_json::json!({
                    "provincial": { "name": s.provincial.name.get(l), "url": s.provincial.url },
                    "national": s.national.as_ref().map(|n| serde_json::json!({ "name": n.name.get(l), "url": n.url })),
                })),
                "scripts": cfg.scripts,
            })
        };
        let strings = [Lang::Vi, Lang::En].map(|lang| {
            Value::from_serializable(
                &site
                    .theme
                    .strings
                    .get(lang.code())
                    .cloned()
                    .unwrap_or_default(),
            )
        });
        let units: [Vec<Value>; 2] = [Lang::Vi, Lang::En].map(|lang| {
            site.content
                .units
                .iter()
                .map(|u| Value::from_serializable(&unit_view(site, u, lang)))
                .collect()
        });
        let menus = [Lang::Vi, Lang::En].map(|lang| {
            site.content
                .units
                .iter()
                .map(|u| Value::from_serializable(&menu(site, u, lang)))
                .collect()
        });
        let cards = site
            .content
            .documents
            .iter()
            .map(|_| Default::default())
            .collect();
        let intros = [Lang::Vi, Lang::En].map(|lang| {
            site.content
                .units
                .iter()
                .map(|u| {
                    let intro = u
                        .config
                        .intro
                        .as_ref()
                        .map(|t| t.get(lang.code()))
                        .unwrap_or("");
                    let mut html = String::new();
                    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(intro));
                    html
                })
                .collect()
        });
        let portal = [Lang::Vi, Lang::En].map(|lang| Value::from_serializable(&portal(lang)));
        let parts = |lang: Lang| -> Result<Vec<Value>> {
            let l = lang_index(lang);
            (0..site.content.units.len())
                .map(|u| {
                    let mut ctx = Context::new();
                    ctx.insert("lang", lang.code());
                    ctx.insert_value("t", strings[l].clone());
                    ctx.insert_value("site", portal[l].clone());
                    ctx.insert_value("unit", units[l][u].clone());
                    let mut parts = BTreeMap::new();
                    for name in &site.theme.unit_parts {
                        let html = String::from_utf8(site.theme.render(name, &ctx)?)?;
                        let key = name[crate::theme::UNIT_PARTS.len()..].trim_end_matches(".html");
                        // The file's last line break is the template's to place.
                        parts.insert(key, html.trim_end().to_owned());
                    }
                    Ok(Value::from_serializable(&parts))
                })
                .collect()
        };
        let unit_parts = [parts(Lang::Vi)?, parts(Lang::En)?];
        Ok(Shared {
            site,
            portal,
            strings,
            units,
            menus,
            unit_parts,
            cards,
            intros,
        })
    }

    /// The file a page is written to.
    pub fn output_path(&self, job: &Job) -> String {
        match job {
            Job::NotFound => "404.html".to_owned(),
            _ => format!("{}index.html", &self.describe(job).2[1..]),
        }
    }

    /// Renders one page: its output path and its HTML.
    pub fn render(&self, job: &Job) -> Result<(String, Vec<u8>)> {
        let site = self.site;
        let mut ctx = Context::new();
        let (unit, lang, path, title, alternate) = self.describe(job);
        let l = lang_index(lang);
        ctx.insert("lang", lang.code());
        ctx.insert_value("t", self.strings[l].clone());
        ctx.insert_value("site", self.portal[l].clone());
        ctx.insert_value("unit", self.units[l][unit].clone());
        ctx.insert_value("menu", self.menus[l][unit].clone());
        ctx.insert_value("unit_parts", self.unit_parts[l][unit].clone());
        let description = match job {
            Job::Article(i) | Job::Page(i) => self.summary_of(*i),
            _ => site
                .content
                .site
                .description
                .as_ref()
                .map(|d| d.get(lang.code()).to_owned())
                .unwrap_or_default(),
        };
        let has_code = match job {
            Job::Article(i) | Job::Page(i) => site.rendered[*i].code,
            _ => false,
        };
        ctx.insert(
            "page",
            &PageView {
                title: &title,
                url: site.base.url(&path),
                permalink: site.base.permalink(&path),
                description: &description,
                alternate: site.base.url(&alternate),
                has_code,
            },
        );
        ctx.insert("crumbs", &self.crumbs(unit, lang, job, &title));
        ctx.insert(
            "counter",
            &crate::counter::widget::view(
                site.content
                    .site
                    .counter
                    .as_ref()
                    .and_then(|c| c.endpoint.as_deref()),
                &site.content.units,
                site.counter.as_ref(),
                &path,
                !matches!(job, Job::NotFound),
            ),
        );
        self.fill(job, unit, lang, &mut ctx);
        let template = job.template(site);
        let mut html = site.theme.render(template, &ctx)?;
        if let Some(inject) = &site.options.inject {
            if let Some(at) = html.windows(7).rposition(|w| w == b"</body>") {
                html.splice(at..at, inject.bytes());
            }
        }
        let file = match job {
            Job::NotFound => "404.html".to_owned(),
            _ => format!("{}index.html", &path[1..]),
        };
        Ok((file, html))
    }

    fn summary_of(&self, i: usize) -> String {
        let doc = &self.site.content.documents[i];
        summary(doc, &self.site.rendered[i].lead)
    }

    /// The page's unit, language, site path, title and the path of its other-language version.
    fn describe(&self, job: &Job) -> (usize, Lang, String, String, String) {
        let site = self.site;
        let units = &site.content.units;
        let t = |lang: Lang, key: &str| -> String {
            site.theme
                .strings
                .get(lang.code())
                .and_then(|m| m.get(key))
                .cloned()
                .unwrap_or_else(|| key.to_owned())
        };
        let name = |u: usize, lang: Lang| units[u].config.name.get(lang.code()).to_owned();
        match job {
            Job::Home(u) => (
                *u,
                Lang::Vi,
                units[*u].path.clone(),
                name(*u, Lang::Vi),
                format!("{}en/", units[*u].path),
            ),
            Job::EnHome(u) => (
                *u,
                Lang::En,
                format!("{}en/", units[*u].path),
                name(*u, Lang::En),
                units[*u].path.clone(),
            ),
            Job::Article(i) | Job::Page(i) => {
                let doc = &site.content.documents[*i];
                (
                    doc.unit,
                    Lang::Vi,
                    doc.url.clone(),
                    doc.front.title.clone(),
                    format!("{}en/", units[doc.unit].path),
                )
            }
            Job::List { unit, kind, page } => {
                let title = match kind {
                    ListKind::All => format!("{} - {}", t(Lang::Vi, "news"), name(*unit, Lang::Vi)),
                    ListKind::Category(c) => self.category_name(c),
                    ListKind::Tag(tag) => format!(
                        "{}: {}",
                        t(Lang::Vi, "tag"),
                        site.index[*unit].by_tag[tag].0
                    ),
                    ListKind::Month(y, m) => format!("{} {m}/{y}", t(Lang::Vi, "archive_of")),
                };
                (
                    *unit,
                    Lang::Vi,
                    list_path(&units[*unit], kind, *page),
                    title,
                    format!("{}en/", units[*unit].path),
                )
            }
            Job::Tags(u) => (
                *u,
                Lang::Vi,
                format!("{}the/", units[*u].path),
                t(Lang::Vi, "tags"),
                format!("{}en/", units[*u].path),
            ),
            Job::Archive(u) => (
                *u,
                Lang::Vi,
                format!("{}luu-tru/", units[*u].path),
                t(Lang::Vi, "archive"),
                format!("{}en/", units[*u].path),
            ),
            Job::About(u, lang) => about_paths(
                units,
                *u,
                *lang,
                "gioi-thieu",
                "introduction",
                t(*lang, "introduction"),
            ),
            Job::Organisation(u, lang) => about_paths(
                units,
                *u,
                *lang,
                "co-cau-to-chuc",
                "organisation",
                t(*lang, "organisation"),
            ),
            Job::Contact(u, lang) => {
                about_paths(units, *u, *lang, "lien-he", "contact", t(*lang, "contact"))
            }
            Job::Sitemap => (
                0,
                Lang::Vi,
                "/so-do-site/".into(),
                t(Lang::Vi, "sitemap"),
                "/en/".into(),
            ),
            Job::NotFound => (
                0,
                Lang::Vi,
                "/404.html".into(),
                t(Lang::Vi, "not_found_title"),
                "/en/".into(),
            ),
            Job::Data(i) => {
                let p = &site.data_pages[*i];
                let alternate = p.alternate.clone().unwrap_or_else(|| match p.lang {
                    Lang::Vi => format!("{}en/", units[p.unit].path),
                    Lang::En => units[p.unit].path.clone(),
                });
                (p.unit, p.lang, p.path.clone(), p.title.clone(), alternate)
            }
        }
    }

    fn category_name(&self, slug: &str) -> String {
        self.site
            .content
            .site
            .categories
            .iter()
            .find(|c| c.slug == slug)
            .map(|c| c.name.vi.clone())
            .unwrap_or_else(|| slug.to_owned())
    }

    fn crumbs(&self, unit: usize, lang: Lang, job: &Job, title: &str) -> Vec<NamedLink> {
        if matches!(job, Job::Home(0) | Job::EnHome(0) | Job::NotFound) {
            return Vec::new();
        }
        let units = &self.site.content.units;
        let mut chain = vec![unit];
        while let Some(p) = units[*chain.last().unwrap_or(&0)].parent {
            chain.push(p);
        }
        chain.reverse();
        let mut crumbs: Vec<NamedLink> = chain
            .iter()
            .map(|u| NamedLink {
                name: units[*u].config.name.get(lang.code()).to_owned(),
                url: self.site.base.url(&match lang {
                    Lang::Vi => units[*u].path.clone(),
                    Lang::En => format!("{}en/", units[*u].path),
                }),
            })
            .collect();
        if !matches!(job, Job::Home(_) | Job::EnHome(_)) {
            crumbs.push(NamedLink {
                name: title.to_owned(),
                url: String::new(),
            });
        }
        crumbs
    }

    /// Adds what the page's own template needs.
    fn fill(&self, job: &Job, unit: usize, lang: Lang, ctx: &mut Context) {
        let site = self.site;
        let ix = &site.index[unit];
        let base = &site.base;
        let cards = |list: &[usize], with_unit: bool| -> Value {
            let values: Vec<Value> = list
                .iter()
                .map(|&i| {
                    let named = with_unit && site.content.documents[i].unit != unit;
                    self.cards[i][named as usize]
                        .get_or_init(|| {
                            Value::from_serializable(&card(
                                site,
                                i,
                                &site.content.documents[i],
                                named,
                            ))
                        })
                        .clone()
                })
                .collect();
            Value::from(values)
        };
        match job {
            Job::Home(_) => {
                let (featured, latest) = home_lists(site, unit);
                ctx.insert_value("featured", cards(&featured, true));
                ctx.insert_value("latest", cards(&latest, true));
                let categories: Vec<serde_json::Value> = site
                    .content
                    .site
                    .categories
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "name": c.name.get("vi"),
                            "url": base.url(&list_path(&site.content.units[unit], &ListKind::Category(c.slug.clone()), 1)),
                            "count": ix.by_category.get(&c.slug).map_or(0, Vec::len),
                        })
                    })
                    .collect();
                ctx.insert("categories", &categories);
                if let Some(k) = site.key_figures.get(unit).filter(|k| !k.is_null()) {
                    ctx.insert("key_figures", k);
                }
            }
            Job::EnHome(_) | Job::About(..) => {
                ctx.insert("intro", &self.intros[lang_index(lang)][unit]);
            }
            Job::Article(i) | Job::Page(i) => {
                let doc = &site.content.documents[*i];
                let r = &site.rendered[*i];
                let view = DocumentView {
                    card: card(site, *i, doc, false),
                    html: &r.html,
                    toc: &r.toc,
                    author: doc.front.author.as_deref(),
                    source: doc.front.source.as_deref(),
                    summary_given: doc.front.summary.is_some(),
                    permalink: base.permalink(&doc.url),
                    tags: doc
                        .front
                        .tags
                        .iter()
                        .zip(&doc.tag_slugs)
                        .filter(|(_, slug)| !slug.is_empty())
                        .map(|(t, slug)| NamedLink {
                            name: t.clone(),
                            url: base.url(&list_path(
                                &site.content.units[doc.unit],
                                &ListKind::Tag(slug.clone()),
                                1,
                            )),
                        })
                        .collect(),
                };
                if doc.is_article() {
                    ctx.insert("article", &view);
                    let (same, others) = related(site, *i);
                    ctx.insert_value("same_category", cards(&same, false));
                    ctx.insert_value("other_news", cards(&others, false));
                } else {
                    ctx.insert("doc", &view);
                }
            }
            Job::List { kind, page, .. } => {
                let (shown, count) = list_page(site, unit, kind, *page);
                ctx.insert_value("articles", cards(shown, true));
                let u = &site.content.units[unit];
                let link = |p: usize| base.url(&list_path(u, kind, p));
                ctx.insert(
                    "pager",
                    &serde_json::json!({
                        "current": page,
                        "count": count,
                        "previous": (*page > 1).then(|| link(page - 1)),
                        "next": (*page < count).then(|| link(page + 1)),
                        "pages": pager_window(*page, count)
                            .into_iter()
                            .map(|p| match p {
                                Some(p) => serde_json::json!({"number": p, "url": link(p), "current": p == *page}),
                                None => serde_json::json!({"gap": true}),
                            })
                            .collect::<Vec<_>>(),
                    }),
                );
                let feed =
                    matches!(kind, ListKind::All | ListKind::Category(_)).then(|| match kind {
                        ListKind::All => base.url(&u.path),
                        _ => base.url(&list_base(u, kind)),
                    });
                ctx.insert("feed", &feed);
            }
            Job::Tags(_) => {
                let mut terms: Vec<(&String, &String, usize)> = ix
                    .by_tag
                    .iter()
                    .map(|(slug, (name, v))| (slug, name, v.len()))
                    .collect();
                terms.sort_by_cached_key(|t| text::collation_key(t.1));
                let u = &site.content.units[unit];
                let terms: Vec<serde_json::Value> = terms
                    .into_iter()
                    .map(|(slug, name, count)| serde_json::json!({"name": name, "count": count, "url": base.url(&list_path(u, &ListKind::Tag(slug.clone()), 1))}))
                    .collect();
                ctx.insert("terms", &terms);
            }
            Job::Archive(_) => {
                let u = &site.content.units[unit];
                let mut years: BTreeMap<i32, Vec<serde_json::Value>> = BTreeMap::new();
                for ((y, m), v) in ix.by_month.iter().rev() {
                    years.entry(*y).or_default().push(serde_json::json!({
                        "label": format!("Tháng {m}/{y}"),
                        "count": v.len(),
                        "url": base.url(&list_path(u, &ListKind::Month(*y, *m), 1)),
                    }));
                }
                let years: Vec<serde_json::Value> = years
                    .into_iter()
                    .rev()
                    .map(|(year, months)| serde_json::json!({"year": year, "months": months}))
                    .collect();
                ctx.insert("years", &years);
            }
            Job::Sitemap => {
                ctx.insert("tree", &sitemap_tree(site));
            }
            Job::Data(i) => {
                ctx.insert("data", &site.data_pages[*i].data);
            }
            Job::Organisation(..) | Job::Contact(..) | Job::NotFound => {}
        }
    }
}

fn about_paths(
    units: &[Unit],
    u: usize,
    lang: Lang,
    vi: &str,
    en: &str,
    title: String,
) -> (usize, Lang, String, String, String) {
    let vi_path = format!("{}{vi}/", units[u].path);
    let en_path = format!("{}en/{en}/", units[u].path);
    match lang {
        Lang::Vi => (u, lang, vi_path, title, en_path),
        Lang::En => (u, lang, en_path, title, vi_path),
    }
}

/// The home page's featured stories and latest news.
fn home_lists(site: &Site, unit: usize) -> (Vec<usize>, Vec<usize>) {
    let ix = &site.index[unit];
    let docs = &site.content.documents;
    let featured: Vec<usize> = ix
        .articles
        .iter()
        .copied()
        .filter(|i| docs[*i].front.featured)
        .take(4)
        .collect();
    let latest = ix
        .articles
        .iter()
        .copied()
        .filter(|i| !featured.contains(i))
        .take(site.content.site.paginate)
        .collect();
    (featured, latest)
}

/// An article's "Bài cùng chuyên mục" and "Các tin bài khác".
fn related(site: &Site, i: usize) -> (Vec<usize>, Vec<usize>) {
    let doc = &site.content.documents[i];
    let own = &site.index[doc.unit];
    let in_category = doc
        .front
        .category
        .as_ref()
        .and_then(|c| own.by_category.get(c))
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let same = neighbours(site, in_category, i, 5, &[]);
    let others = neighbours(site, &own.articles, i, 5, &same);
    (same, others)
}

/// The articles of a listing, and the page's share of them with the number of pages.
fn listing<'s>(site: &'s Site, unit: usize, kind: &ListKind) -> &'s [usize] {
    let ix = &site.index[unit];
    match kind {
        ListKind::All => &ix.articles,
        ListKind::Category(c) => ix.by_category.get(c).map(Vec::as_slice).unwrap_or(&[]),
        ListKind::Tag(t) => ix.by_tag.get(t).map(|(_, v)| v.as_slice()).unwrap_or(&[]),
        ListKind::Month(y, m) => ix.by_month.get(&(*y, *m)).map(Vec::as_slice).unwrap_or(&[]),
    }
}

/// The page numbers a listing's pager shows on page `page` of `count`: the first, the
/// last, and two either side of the current one, with `None` where pages are left out
/// (a single page left out is shown instead). However long the listing, its pager
/// has at most nine entries.
fn pager_window(page: usize, count: usize) -> Vec<Option<usize>> {
    let near = page.saturating_sub(2).max(1)..=(page + 2).min(count);
    let mut shown: Vec<usize> = std::iter::once(1)
        .chain(near)
        .chain(std::iter::once(count))
        .collect();
    shown.dedup();
    let mut out = Vec::with_capacity(shown.len() + 2);
    let mut last = 0;
    for p in shown {
        match p - last {
            1 => {}
            2 => out.push(Some(p - 1)),
            _ => out.push(None),
        }
        out.push(Some(p));
        last = p;
    }
    out
}

fn list_page<'s>(
    site: &'s Site,
    unit: usize,
    kind: &ListKind,
    page: usize,
) -> (&'s [usize], usize) {
    let all = listing(site, unit, kind);
    let per = site.content.site.paginate;
    let start = (page - 1) * per;
    let shown = &all[start.min(all.len())..(start + per).min(all.len())];
    (shown, all.len().div_ceil(per).max(1))
}

/// A digest of everything a page shows, so that a preview re-renders a page only when
/// one of its inputs changed. `global` covers what every page shows (settings, units,
/// interface strings, addresses); the rest is the page's own selection of articles.
pub fn fingerprint(site: &Site, job: &Job, path: &str, global: u64) -> u64 {
    fingerprint_with_documents(site, job, path, global, &mut Vec::new())
}

/// [`fingerprint`], adding to `documents` every document whose digest it takes in:
/// as long as the lists stay the same, the page changes only with those documents.
pub fn fingerprint_with_documents(
    site: &Site,
    job: &Job,
    path: &str,
    global: u64,
    documents: &mut Vec<u32>,
) -> u64 {
    let docs = &site.content.documents;
    let mut h = std::hash::DefaultHasher::new();
    global.hash(&mut h);
    site.theme.template_hash(job.template(site)).hash(&mut h);
    path.hash(&mut h);
    let seen = std::cell::RefCell::new(documents);
    let articles = |list: &[usize], h: &mut std::hash::DefaultHasher| {
        list.len().hash(h);
        let mut seen = seen.borrow_mut();
        for &i in list {
            site.rendered[i].digest.hash(h);
            seen.push(i as u32);
        }
    };
    match job {
        Job::Home(u) => {
            let (featured, latest) = home_lists(site, *u);
            articles(&featured, &mut h);
            articles(&latest, &mut h);
            for c in &site.content.site.categories {
                site.index[*u]
                    .by_category
                    .get(&c.slug)
                    .map_or(0, Vec::len)
                    .hash(&mut h);
            }
            site.key_figures.get(*u).map(|k| k.to_string()).hash(&mut h);
        }
        Job::Article(i) | Job::Page(i) => {
            site.rendered[*i].digest.hash(&mut h);
            seen.borrow_mut().push(*i as u32);
            if docs[*i].is_article() {
                let (same, others) = related(site, *i);
                articles(&same, &mut h);
                articles(&others, &mut h);
            }
        }
        Job::List { unit, kind, page } => {
            let (shown, count) = list_page(site, *unit, kind, *page);
            articles(shown, &mut h);
            count.hash(&mut h);
            if let ListKind::Tag(t) = kind {
                site.index[*unit]
                    .by_tag
                    .get(t)
                    .map(|(name, _)| name)
                    .hash(&mut h);
            }
        }
        Job::Tags(u) => {
            for (slug, (name, list)) in &site.index[*u].by_tag {
                (slug, name, list.len()).hash(&mut h);
            }
        }
        Job::Archive(u) => {
            for (month, list) in &site.index[*u].by_month {
                (month, list.len()).hash(&mut h);
            }
        }
        Job::Sitemap => {
            site.statistics.is_some().hash(&mut h);
            for (u, ix) in site.index.iter().enumerate() {
                for &p in &ix.pages {
                    (&docs[p].front.title, &docs[p].url).hash(&mut h);
                }
                for p in unit_data_pages(site, u) {
                    (&p.title, &p.path).hash(&mut h);
                }
            }
        }
        Job::EnHome(_)
        | Job::About(..)
        | Job::Organisation(..)
        | Job::Contact(..)
        | Job::NotFound => {}
        Job::Data(i) => {
            let p = &site.data_pages[*i];
            (
                p.unit,
                p.lang == Lang::En,
                &p.title,
                &p.alternate,
                p.data.to_string(),
            )
                .hash(&mut h);
        }
    }
    h.finish()
}

/// Up to `n` articles beside `i` in `list` (older first, then newer), skipping `exclude`.
fn neighbours(site: &Site, list: &[usize], i: usize, n: usize, exclude: &[usize]) -> Vec<usize> {
    let docs = &site.content.documents;
    let key = |j: usize| (std::cmp::Reverse(docs[j].date), &docs[j].url);
    let at = list
        .binary_search_by(|j| key(*j).cmp(&key(i)))
        .unwrap_or_else(|p| p);
    let after = list.iter().skip(at + 1);
    let before = list[..at.min(list.len())].iter().rev();
    after
        .chain(before)
        .copied()
        .filter(|j| *j != i && !exclude.contains(j))
        .take(n)
        .collect()
}

fn summary(doc: &Document, lead: &str) -> String {
    match &doc.front.summary {
        Some(s) => s.clone(),
        None => text::truncate_words(lead, 280),
    }
}

fn card(site: &Site, i: usize, doc: &Document, with_unit: bool) -> Card {
    let base = &site.base;
    let unit = &site.content.units[doc.unit];
    let category = doc.front.category.clone().unwrap_or_default();
    let date = doc.date;
    Card {
        title: doc.front.title.clone(),
        url: base.url(&doc.url),
        date: date.as_ref().map(text::format_datetime).unwrap_or_default(),
        day: date.as_ref().map(text::format_date).unwrap_or_default(),
        date_iso: date.map(|d| d.to_rfc3339()).unwrap_or_default(),
        summary: summary(doc, &site.rendered[i].lead),
        image: doc.front.image.as_ref().map(|img| {
            let path = image_path(doc, &img.src);
            ImageView {
                url: base.url(&path),
                permalink: base.permalink(&path),
                alt: img
                    .alt
                    .clone()
                    .or_else(|| img.caption.clone())
                    .unwrap_or_else(|| doc.front.title.clone()),
                caption: img.caption.clone(),
            }
        }),
        category: NamedLink {
            name: site
                .content
                .site
                .categories
                .iter()
                .find(|c| c.slug == category)
                .map(|c| c.name.vi.clone())
                .unwrap_or_default(),
            url: base.url(&format!("{}chuyen-muc/{category}/", unit.path)),
        },
        unit_name: with_unit.then(|| unit.config.name.vi.clone()),
    }
}

fn unit_view(site: &Site, u: &Unit, lang: Lang) -> UnitView {
    let l = lang.code();
    let base = &site.base;
    let units = &site.content.units;
    let parent = match u.parent {
        Some(p) => Some(NamedLink {
            name: units[p].config.name.get(l).to_owned(),
            url: base.url(&match lang {
                Lang::Vi => units[p].path.clone(),
                Lang::En => format!("{}en/", units[p].path),
            }),
        }),
        None => u.config.parent.as_ref().map(|p| NamedLink {
            name: p.name.get(l).to_owned(),
            url: p.url.clone(),
        }),
    };
    let mut children: Vec<UnitLink> = u
        .children
        .iter()
        .map(|c| UnitLink {
            name: units[*c].config.name.get(l).to_owned(),
            url: base.url(&units[*c].path),
            en_url: base.url(&format!("{}en/", units[*c].path)),
        })
        .collect();
    children.sort_by(|a, b| text::collate(&a.name, &b.name));
    let get = |t: &Option<Text>| t.as_ref().map(|t| t.get(l).to_owned());
    UnitView {
        name: u.config.name.get(l).to_owned(),
        kind: u.config.kind.clone(),
        url: base.url(&u.path),
        en_url: base.url(&format!("{}en/", u.path)),
        address: get(&u.config.address),
        phone: u.config.phone.clone(),
        email: u.config.email.clone(),
        leaders: u
            .config
            .leaders
            .iter()
            .map(|p| PersonView {
                name: p.name.clone(),
                post: p.post.get(l).to_owned(),
                phone: p.phone.clone(),
                email: p.email.clone(),
            })
            .collect(),
        organisation: u
            .config
            .organisation
            .iter()
            .map(|o| OfficeView {
                name: o.name.get(l).to_owned(),
                head: o.head.clone(),
                phone: o.phone.clone(),
                email: o.email.clone(),
                duties: get(&o.duties),
            })
            .collect(),
        parent,
        children,
    }
}

/// The main menu of a unit: site.yaml's menu, whose paths are relative to the unit.
fn menu(site: &Site, u: &Unit, lang: Lang) -> Vec<NamedLink> {
    let base = &site.base;
    let strings = site.theme.strings.get(lang.code());
    let t = |k: &str| {
        strings
            .and_then(|m| m.get(k))
            .cloned()
            .unwrap_or_else(|| k.to_owned())
    };
    match lang {
        Lang::Vi => site
            .content
            .site
            .menu
            .iter()
            .map(|item| NamedLink {
                name: item.label.vi.clone(),
                url: if item.url.contains("://") {
                    item.url.clone()
                } else {
                    base.url(&format!("{}{}", u.path, item.url.trim_start_matches('/')))
                },
            })
            .collect(),
        Lang::En => ["home", "introduction", "organisation", "contact"]
            .iter()
            .map(|k| NamedLink {
                name: t(k),
                url: base.url(&match *k {
                    "home" => format!("{}en/", u.path),
                    other => format!("{}en/{other}/", u.path),
                }),
            })
            .collect(),
    }
}

fn sitemap_tree(site: &Site) -> Vec<serde_json::Value> {
    let base = &site.base;
    let t = |k: &str| {
        site.theme
            .strings
            .get("vi")
            .and_then(|m| m.get(k))
            .cloned()
            .unwrap_or_else(|| k.to_owned())
    };
    site.content
        .units
        .iter()
        .enumerate()
        .map(|(ui, u)| {
            let mut links = vec![
                NamedLink { name: t("news"), url: base.url(&format!("{}tin-tuc/", u.path)) },
                NamedLink { name: t("introduction"), url: base.url(&format!("{}gioi-thieu/", u.path)) },
                NamedLink { name: t("organisation"), url: base.url(&format!("{}co-cau-to-chuc/", u.path)) },
                NamedLink { name: t("contact"), url: base.url(&format!("{}lien-he/", u.path)) },
                NamedLink { name: t("tags"), url: base.url(&format!("{}the/", u.path)) },
                NamedLink { name: t("archive"), url: base.url(&format!("{}luu-tru/", u.path)) },
                NamedLink { name: "English".into(), url: base.url(&format!("{}en/", u.path)) },
            ];
            for c in &site.content.site.categories {
                links.push(NamedLink {
                    name: format!("{}: {}", t("category"), c.name.vi),
                    url: base.url(&list_path(u, &ListKind::Category(c.slug.clone()), 1)),
                });
            }
            if site.statistics.is_some() {
                links.push(NamedLink { name: t("statistics"), url: base.url(&format!("{}thong-ke/", u.path)) });
            }
            for p in &site.index[ui].pages {
                let doc = &site.content.documents[*p];
                links.push(NamedLink { name: doc.front.title.clone(), url: base.url(&doc.url) });
            }
            links.extend(unit_data_pages(site, ui).map(|p| NamedLink { name: p.title.clone(), url: base.url(&p.path) }));
            serde_json::json!({ "name": u.config.name.vi, "url": base.url(&u.path), "links": links })
        })
        .collect()
}

/// The data pages at the top of a unit (`/thu-tuc/`, `/xa-a/van-ban/`), for the site map.
fn unit_data_pages(site: &Site, unit: usize) -> impl Iterator<Item = &DataPage> {
    let prefix = &site.content.units[unit].path;
    site.data_pages.iter().filter(move |p| {
        p.unit == unit
            && p.lang == Lang::Vi
            && p.path
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.matches('/').count() == 1)
    })
}

/// The theme's assets, the highlighting style and the files the content ships.
/// With `documents` false (no page changed), the documents' files are left as they are.
/// `only`, when given, names the documents whose files may have changed (the others'
/// are left in place).
pub fn assets(site: &mut Site, documents: bool, only: Option<&[usize]>) {
    if documents && only.is_none() {
        site.output
            .retain(|_, f| !matches!(f, crate::output::File::Copy(_)));
    }
    for (path, file) in &site.data_files {
        site.output.insert(path.clone(), file.clone());
    }
    for (path, bytes) in &site.theme.assets {
        site.output.add(
            format!("assets/{}", path.to_string_lossy().replace('\\', "/")),
            bytes.clone(),
        );
    }
    static HIGHLIGHT_CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let css = HIGHLIGHT_CSS.get_or_init(|| {
        syntect::highlighting::ThemeSet::load_defaults()
            .themes
            .get("InspiredGitHub")
            .and_then(|theme| {
                syntect::html::css_for_theme_with_class_style(
                    theme,
                    crate::markdown::HIGHLIGHT_STYLE,
                )
                .ok()
            })
            .unwrap_or_default()
    });
    site.output
        .add("assets/css/highlight.css", css.clone().into_bytes());
    if !documents {
        return;
    }
    let all: Vec<usize>;
    let which = match only {
        Some(which) => which,
        None => {
            all = (0..site.content.documents.len()).collect();
            &all
        }
    };
    for &i in which {
        let doc = &site.content.documents[i];
        for (out, source) in document_files(&site.options.root, doc, &site.rendered[i]) {
            site.output.copy(out, source);
        }
    }
}

/// The site path of a file beside a document (`anh.svg` of `content/tin-tuc/x.md` →
/// `/tin-tuc/anh.svg`).
pub fn image_path(doc: &Document, name: &str) -> String {
    format!(
        "/{}",
        crate::content::published_path(&crate::content::beside(&doc.source, name))
    )
}

/// The files beside a document that its page shows (its image, the images of its
/// body): output paths and sources. A file shown by several pages is listed by each.
pub fn document_files(
    root: &std::path::Path,
    doc: &Document,
    rendered: &crate::markdown::Rendered,
) -> Vec<(String, std::path::PathBuf)> {
    doc.front
        .image
        .iter()
        .map(|img| crate::content::beside(&doc.source, &img.src))
        .chain(rendered.assets.iter().cloned())
        .map(|file| (crate::content::published_path(&file), root.join(file)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::pager_window;

    #[test]
    fn a_pager_shows_the_ends_and_the_pages_near_the_current_one() {
        let shown = |page, count| -> Vec<String> {
            pager_window(page, count)
                .into_iter()
                .map(|p| p.map_or("…".to_owned(), |p| p.to_string()))
                .collect()
        };
        assert_eq!(shown(1, 1), ["1"]);
        assert_eq!(shown(1, 5), ["1", "2", "3", "4", "5"]);
        assert_eq!(shown(1, 135), ["1", "2", "3", "…", "135"]);
        assert_eq!(
            shown(5, 135),
            ["1", "2", "3", "4", "5", "6", "7", "…", "135"]
        );
        assert_eq!(
            shown(6, 135),
            ["1", "…", "4", "5", "6", "7", "8", "…", "135"]
        );
        assert_eq!(
            shown(133, 135),
            ["1", "…", "131", "132", "133", "134", "135"]
        );
        assert_eq!(shown(4, 7), ["1", "2", "3", "4", "5", "6", "7"]);
        for count in 1..60 {
            for page in 1..=count {
                let window = pager_window(page, count);
                assert!(window.len() <= 9, "{page} of {count}: {window:?}");
                assert!(window.contains(&Some(page)) && window.contains(&Some(count)));
            }
        }
    }
}
