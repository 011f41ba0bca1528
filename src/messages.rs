//! The messages an editor sees about the portal's files, in one place.
//!
//! Each says what is wrong and how to fix it. Keeping them here lets a Vietnamese
//! version sit beside the English one later without hunting through the code.

pub const NOT_UTF8: &str = "this file is not UTF-8 text (perhaps it was saved as Windows-1258 \
     or another legacy encoding); open it in your editor and save it again with the encoding \
     \"UTF-8\"";

pub const NO_FRONT_MATTER: &str = "front matter must start with `---` on the first line, \
     followed by `title: ...` and the other fields, and end with a line `---`";

pub const UNCLOSED_FRONT_MATTER: &str = "the front matter that starts on line 1 is never closed: \
     add a line with only `---` after the last field";

pub fn bad_yaml(detail: &str) -> String {
    format!("malformed YAML: {detail} (check the indentation and that text containing `:` is in quotes)")
}

pub fn unknown_field(field: &str, suggestion: &str, expected: &str) -> String {
    format!("unknown field `{field}`{suggestion} (valid fields: {expected})")
}

pub fn unknown_category(category: &str, suggestion: &str) -> String {
    format!(
        "unknown category `{category}`{suggestion} (categories are declared under `categories:` in site.yaml)"
    )
}

pub fn duplicate_url(url: &str, other: &str) -> String {
    format!("two files make the same address `{url}`: this one and `{other}`; give one of them another `slug:`")
}

pub fn missing_template(name: &str, theme: &str) -> String {
    format!("the template `{name}` does not exist in the theme `{theme}`; check the file name under `themes/{theme}/templates/`")
}

pub fn broken_link(target: &str) -> String {
    format!("broken link: `{target}` is not a page of the portal; check the path (it is relative to this file) and that the file exists")
}

pub fn missing_image(target: &str) -> String {
    format!("the image `{target}` does not exist; put the file beside this one or correct its name")
}

pub fn missing_date() -> &'static str {
    "an article needs a `date:` such as `date: 2020-10-27T16:10:00+07:00`"
}

pub fn bad_date(value: &str) -> String {
    format!("`{value}` is not a date; write it as `2020-10-27T16:10:00+07:00` (date, `T`, time, time zone)")
}

pub fn missing_category() -> &'static str {
    "an article needs a `category:`, one of the slugs declared under `categories:` in site.yaml"
}

pub fn empty_title() -> &'static str {
    "the `title:` is empty; give the article a title"
}

pub fn bad_also_on(value: &str) -> String {
    format!("`also_on` accepts only `parent`, not `{value}`")
}

pub fn also_on_root() -> &'static str {
    "`also_on: [parent]` is set, but this unit has no parent portal in this tree; remove it"
}

pub fn no_statistics() -> &'static str {
    "this paragraph embeds statistics, but the portal has none: define the indicators in content/chi-tieu.yaml and the values in `thong-ke/*.yaml`"
}
