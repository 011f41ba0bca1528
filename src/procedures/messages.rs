//! What an editor reads about procedures, documents and calendars: what is wrong and
//! how to fix it, in one place.

pub(super) fn empty(key: &str) -> String {
    format!("`{key}:` is empty; fill it in")
}

pub(super) fn bad_code(code: &str) -> String {
    format!(
        "`{code}` is not a procedure code; copy it from the national portal: `1.001193` (a digit, \
         a dot, six digits) or the long form `1.001612.000.00.00.H56`"
    )
}

pub(super) fn duplicate_code(code: &str, first_line: Option<usize>) -> String {
    let at = first_line
        .map(|l| format!(" (first on line {l})"))
        .unwrap_or_default();
    format!("the procedure `{code}` is listed twice in this unit{at}; remove one of the two")
}

pub(super) fn unknown_level(level: &str, suggestion: &str) -> String {
    format!(
        "unknown level `{level}`{suggestion}; use `toàn trình` or `một phần` (or the legacy \
         levels `1` to `4` for archives)"
    )
}

pub(super) fn no_link(code: &str) -> String {
    format!(
        "the procedure `{code}` has no `url:`, and site.yaml sets no \
         `public_services.provincial.procedure_url` to make one from its code; add either"
    )
}

pub(super) fn bad_url(url: &str) -> String {
    format!("`{url}` is not a full address; write it with `https://`")
}

pub(super) fn pattern_without_code(pattern: &str) -> String {
    format!(
        "the URL pattern `{pattern}` has no `{{code}}` placeholder, so every procedure would get \
         the same link; put `{{code}}` where the procedure's code goes, e.g. \
         `https://dichvucong.thainguyen.gov.vn/thu-tuc?ma={{code}}`"
    )
}

pub(super) fn bad_day(key: &str, value: &str) -> String {
    format!("`{key}: {value}` is not a date; write it as `2026-11-23` (year, month, day)")
}

pub(super) fn verified_in_future(value: &str) -> String {
    format!("`verified: {value}` is in the future; write the day the link was last checked")
}

pub(super) fn never_verified(code: &str) -> String {
    format!(
        "the link of `{code}` has no `verified:` date; open it, check that it leads to the \
         procedure and add `verified: YYYY-MM-DD`"
    )
}

pub(super) fn stale(code: &str, day: &str, days: i64, limit: u32) -> String {
    format!(
        "the link of `{code}` was last verified on {day}, {days} days ago (more than \
         `link_check_days: {limit}` in site.yaml); open it, check that it still leads to the \
         procedure and update `verified:`"
    )
}

pub(super) fn bad_number(number: &str) -> String {
    format!(
        "`{number}` is not a document number and symbol; write it as `93/KH-UBND` (number, `/`, \
         the type's abbreviation, `-`, the issuer's) or with the year, `05/2021/NQ-HĐND`"
    )
}

pub(super) fn type_mismatch(number: &str, abbreviation: &str, named: &str, given: &str) -> String {
    format!(
        "`{number}` is numbered as a {named} (`{abbreviation}`), but `type:` says `{given}`; \
         correct one of the two"
    )
}

pub(super) fn unknown_type(given: &str, suggestion: &str, known: &str) -> String {
    format!("unknown document type `{given}`{suggestion}; use one of: {known}")
}

pub(super) fn effective_before_issued(effective: &str, issued: &str) -> String {
    format!(
        "the document takes effect ({effective}) before it is issued ({issued}); check both dates"
    )
}

pub(super) fn missing_file(file: &str, dir: &str) -> String {
    format!(
        "the attached file `{file}` does not exist in `{dir}`; put the file there or correct its \
         name (paths are relative to the unit's folder)"
    )
}

pub(super) fn duplicate_document(number: &str, first_line: Option<usize>) -> String {
    let at = first_line
        .map(|l| format!(" (first on line {l})"))
        .unwrap_or_default();
    format!("the document `{number}` of the same year is listed twice{at}; remove one of the two")
}

pub(super) fn bad_week_file(name: &str) -> String {
    format!(
        "`{name}` is not a week's file name; name it after the ISO week it covers, such as \
         `2026-W48.yaml`, or put every entry in `lich-cong-tac.yaml`"
    )
}

pub(super) fn day_outside_week(day: &str, week: &str) -> String {
    format!("{day} is not in the week {week} this file covers; move the entry to its week's file")
}

pub(super) fn bad_time(value: &str) -> String {
    format!(
        "`time: {value}` is not a time; write `07:30` (hours and minutes), or `Sáng`, `Chiều` or \
         `Cả ngày`"
    )
}

pub(super) fn link_status(url: &str, status: u16) -> String {
    format!(
        "the link `{url}` answers with the error {status}; find the procedure on the portal, \
         correct `url:` (or the code) and update `verified:`"
    )
}

pub(super) fn link_unreachable(url: &str, why: &str) -> String {
    format!("the link `{url}` does not answer ({why}); check it in a browser and correct it")
}
