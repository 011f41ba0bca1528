//! The commands that work on a portal's files: build, check, init and new.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use crate::cli::{BuildArgs, CheckArgs, SourceArgs};
use crate::counter::widget::Source;
use crate::site::{BuildOptions, Site};
use crate::{fs, text};

/// The build's "now": `--now`, else `$SOURCE_DATE_EPOCH`, else the clock; in Vietnam's time.
pub fn now(given: Option<&str>) -> Result<DateTime<FixedOffset>> {
    if let Some(value) = given {
        return crate::content::parse_date(value).with_context(|| {
            format!("`--now {value}` is not a date; write it as 2026-01-01T00:00:00+07:00")
        });
    }
    let utc = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => {
            let secs: i64 = epoch.trim().parse().with_context(|| {
                format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds")
            })?;
            Utc.timestamp_opt(secs, 0)
                .single()
                .context("SOURCE_DATE_EPOCH is out of range")?
        }
        Err(_) => Utc::now(),
    };
    Ok(utc.with_timezone(&text::VIETNAM).fixed_offset())
}

/// The options of a build from the command line.
pub fn options(
    source: &SourceArgs,
    output: Option<&Path>,
    base_url: Option<&str>,
) -> Result<BuildOptions> {
    Ok(BuildOptions {
        root: source.root.clone(),
        output: output
            .map(Path::to_path_buf)
            .unwrap_or_else(|| source.root.join("public")),
        base_url: base_url.map(str::to_owned),
        drafts: source.drafts,
        now: now(source.now.as_deref())?,
        inject: None,
        stream: false,
        counter: None,
    })
}

/// `cong build`.
pub fn build(args: &BuildArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let mut options = options(
        &args.source,
        args.output.as_deref(),
        args.base_url.as_deref(),
    )?;
    if args.preview_script {
        options.inject = Some(crate::serve::reload_script(true));
    }
    options.stream = true;
    options.counter = match (&args.counter_db, &args.counter_url) {
        (Some(db), _) => Some(Source::Database(db.clone())),
        (None, Some(url)) => Some(Source::Service(url.clone())),
        (None, None) => None,
    };
    let site = Site::build(options)?;
    let written = site.write()?;
    warn_all(&site.warnings);
    let report = site.report();
    log::info!(
        "built {} pages ({} articles, {} units) into `{}` in {:.2?}; {} of {} files written",
        report.pages,
        report.articles,
        report.units,
        site.options.output.display(),
        started.elapsed(),
        written,
        report.files
    );
    // The process ends here: handing the memory back piece by piece would only
    // delay it (tens of milliseconds at 10,000 articles).
    std::mem::forget(site);
    Ok(())
}

/// `cong check`: everything a build validates; with `--external`, the procedures' links
/// too. Warnings fail only with `--strict`.
pub fn check(args: &CheckArgs) -> Result<()> {
    let site = Site::build(options(&args.source, None, None)?)?;
    let warnings = site.warnings.len();
    warn_all(&site.warnings);
    if args.external {
        crate::error::check(crate::procedures::links::check_all(
            &site.external_links,
            std::time::Duration::from_secs(args.timeout),
        ))?;
        log::info!(
            "all {} links of procedures answered",
            site.external_links.len()
        );
    }
    let report = site.report();
    let plural = if warnings == 1 { "" } else { "s" };
    if warnings > 0 && args.strict {
        anyhow::bail!("{warnings} warning{plural} (`--strict` treats warnings as problems)");
    }
    let found = if warnings > 0 {
        format!("{warnings} warning{plural}, no problems")
    } else {
        "no problems found".to_owned()
    };
    log::info!(
        "{found}: {} articles, {} units, {} pages",
        report.articles,
        report.units,
        report.pages
    );
    Ok(())
}

/// Prints each warning with its file and line.
fn warn_all(warnings: &[crate::error::InputError]) {
    for w in warnings {
        log::warn!("{w}");
    }
}

/// `cong init DIR`.
pub fn init(dir: &Path) -> Result<()> {
    if dir.exists()
        && dir
            .read_dir()
            .with_context(|| format!("failed to read `{}`", dir.display()))?
            .next()
            .is_some()
    {
        anyhow::bail!(
            "`{}` is not empty; choose a new folder for the portal",
            dir.display()
        );
    }
    let content = dir.join("content");
    fs::write(&content.join("site.yaml"), include_str!("init/site.yaml"))?;
    fs::write(&content.join("_unit.yaml"), include_str!("init/_unit.yaml"))?;
    let date = now(None)?;
    let article = article_text(
        "Chào mừng đến với trang thông tin điện tử",
        &date,
        "tin-hoat-dong",
        false,
    );
    fs::write(
        &content.join("tin-tuc").join(file_name(&date, "chao-mung")),
        article,
    )?;
    log::info!(
        "created a new portal in `{}`; run `cong serve --root {}` to see it",
        dir.display(),
        dir.display()
    );
    Ok(())
}

fn file_name(date: &DateTime<FixedOffset>, slug: &str) -> String {
    format!("{}-{slug}.md", date.format("%Y-%m-%d"))
}

fn article_text(title: &str, date: &DateTime<FixedOffset>, category: &str, draft: bool) -> String {
    include_str!("init/article.md")
        .replace("{title}", &title.replace('"', "\\\""))
        .replace("{date}", &date.format("%Y-%m-%dT%H:%M:00%:z").to_string())
        .replace("{category}", category)
        .replace("{draft}", if draft { "true" } else { "false" })
}

/// `cong new article "Tiêu đề"`: returns the file it wrote.
pub fn new_article(
    root: &Path,
    unit: Option<&Path>,
    category: Option<&str>,
    title: &str,
) -> Result<()> {
    let path = new_article_file(root, unit, category, title)?;
    println!("{}", path.display());
    Ok(())
}

fn new_article_file(
    root: &Path,
    unit: Option<&Path>,
    category: Option<&str>,
    title: &str,
) -> Result<PathBuf> {
    let title = text::nfc(title.trim()).into_owned();
    let slug = text::slugify(&title);
    if slug.is_empty() {
        anyhow::bail!("the title must contain letters or digits");
    }
    let content = root.join("content");
    let site_file = content.join("site.yaml");
    let site_text = fs::read_text(&site_file, Path::new("content/site.yaml"))?;
    let site: crate::config::SiteConfig =
        crate::yaml::parse(&site_text, Path::new("content/site.yaml"), 1)?;
    let category = match category {
        Some(c) if site.categories.iter().any(|k| k.slug == c) => c.to_owned(),
        Some(c) => anyhow::bail!(crate::messages::unknown_category(
            c,
            &crate::error::did_you_mean(c, site.categories.iter().map(|k| k.slug.as_str()))
        )),
        None => site
            .categories
            .first()
            .map(|c| c.slug.clone())
            .context("site.yaml declares no category")?,
    };
    let unit_dir = content.join(unit.unwrap_or(Path::new("")));
    if !unit_dir.join(crate::content::UNIT_FILE).is_file() {
        anyhow::bail!(
            "`{}` is not a unit's folder (it has no `_unit.yaml`)",
            unit_dir.display()
        );
    }
    let date = now(None)?;
    let path = unit_dir.join("tin-tuc").join(file_name(&date, &slug));
    if path.exists() {
        anyhow::bail!("`{}` already exists; choose another title", path.display());
    }
    fs::write(&path, article_text(&title, &date, &category, true))?;
    Ok(path)
}
