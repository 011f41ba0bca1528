//! `site.yaml` and `_unit.yaml`: the portal's settings and each unit's own facts.
//!
//! Both are parsed once into these structs with `deny_unknown_fields`, so a mistyped
//! key is an error with the nearest valid key suggested.

use serde::{Deserialize, Serialize};

/// A text in Vietnamese and, optionally, English.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub vi: String,
    #[serde(default)]
    pub en: Option<String>,
}

impl Text {
    /// The text in `lang`, falling back to Vietnamese.
    pub fn get(&self, lang: &str) -> &str {
        match (lang, &self.en) {
            ("en", Some(en)) => en,
            _ => &self.vi,
        }
    }
}

/// `content/site.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    pub base_url: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    pub categories: Vec<Category>,
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    #[serde(default)]
    pub public_services: Option<PublicServices>,
    #[serde(default)]
    pub counter: Option<CounterConfig>,
    /// Monitoring scripts the province requires, inserted at the end of every page.
    #[serde(default)]
    pub scripts: Vec<String>,
    /// How many days a procedure's link stays trusted after its `verified:` date.
    #[serde(default = "default_link_check_days")]
    pub link_check_days: u32,
}

fn default_languages() -> Vec<String> {
    vec!["vi".into(), "en".into()]
}
fn default_timezone() -> String {
    "Asia/Ho_Chi_Minh".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_paginate() -> usize {
    10
}
fn default_link_check_days() -> u32 {
    180
}

/// A declared category (chuyên mục).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub slug: String,
    pub name: Text,
}

/// An entry of the main menu.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub label: Text,
    pub url: String,
}

/// The public-service portals every page leads to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PublicServices {
    pub provincial: ServicePortal,
    #[serde(default)]
    pub national: Option<ServicePortal>,
}

/// One public-service portal.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePortal {
    pub name: Text,
    pub url: String,
    /// How to make a procedure's link from its code: a URL with `{code}`.
    #[serde(default)]
    pub procedure_url: Option<String>,
}

/// Where the access-counter service runs and who may call it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CounterConfig {
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

/// `_unit.yaml`: a district, commune, ward or any other unit.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnitConfig {
    pub name: Text,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub address: Option<Text>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub leaders: Vec<Leader>,
    #[serde(default)]
    pub organisation: Vec<Office>,
    #[serde(default)]
    pub intro: Option<Text>,
    /// The parent portal, for a root unit whose parent is not in this tree.
    #[serde(default)]
    pub parent: Option<Link>,
}

/// A leader of a unit.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    pub name: String,
    pub post: Text,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// An office or department of a unit.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    pub name: Text,
    #[serde(default)]
    pub head: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub duties: Option<Text>,
}

/// A named link.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub name: Text,
    pub url: String,
}

/// The unit types the law knows.
pub const UNIT_TYPES: &[&str] = &[
    "tỉnh",
    "thành phố",
    "huyện",
    "quận",
    "thị xã",
    "xã",
    "phường",
    "thị trấn",
    "đặc khu",
];
