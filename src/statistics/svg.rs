//! Charts drawn at build time as inline SVG: bars across sub-units, a line over
//! periods, a progress bar against a target. No JavaScript; each scales to its
//! container (`viewBox`, `width="100%"`), is named by its `<title>` and described by
//! its `<desc>` (`role="img"`, `aria-labelledby`), and the page shows its numbers in a
//! table as well.

use std::fmt::Write as _;

use crate::text::escape;

const WIDTH: f64 = 400.0;
const INK: &str = "#1a1a1a";
const BAR: &str = "#a3141b";
const TRACK: &str = "#ececec";
const EDGE: &str = "#767676";

/// A chart's text alternative and the prefix of its element ids (unique on the page).
pub(super) struct Labels {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) desc: String,
}

/// One bar or point: its label, its value and the value as shown.
pub(super) struct Point {
    pub(super) label: String,
    pub(super) value: f64,
    pub(super) shown: String,
}

fn open(l: &Labels, height: f64, class: &str) -> String {
    let id = escape(&l.id);
    format!(
        "<svg class=\"chart {class}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" font-size=\"14\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(&l.title),
        escape(&l.desc)
    )
}

fn r(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Horizontal bars, one per item, each with its label above and its value beside it;
/// `target` draws a dashed line with its label.
pub(super) fn bars(l: &Labels, items: &[Point], max: f64, target: Option<(f64, String)>) -> String {
    let row = 44.0;
    let span = 290.0;
    let height = 8.0 + items.len() as f64 * row + if target.is_some() { 24.0 } else { 0.0 };
    let max = max.max(f64::MIN_POSITIVE);
    let mut s = open(l, height, "chart-bars");
    for (i, p) in items.iter().enumerate() {
        let y = 8.0 + i as f64 * row;
        let w = r((p.value / max).clamp(0.0, 1.0) * span);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" fill=\"{INK}\">{}</text><rect x=\"0\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{BAR}\"/><text x=\"{}\" y=\"{}\" fill=\"{INK}\" font-weight=\"bold\">{}</text>",
            y + 13.0,
            escape(&p.label),
            y + 18.0,
            w.max(1.0),
            r(w + 6.0),
            y + 31.0,
            escape(&p.shown)
        );
    }
    if let Some((t, shown)) = target {
        let x = r((t / max).clamp(0.0, 1.0) * span);
        let bottom = 8.0 + items.len() as f64 * row;
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"4\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"{INK}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{}\" y=\"{}\" fill=\"{INK}\" text-anchor=\"{}\">{}</text>",
            x,
            bottom + 18.0,
            if x > WIDTH / 2.0 { "end" } else { "start" },
            escape(&format!("- - - Mục tiêu: {shown}"))
        );
    }
    s.push_str("</svg>");
    s
}

/// A line over periods (oldest first), each point labelled with its value.
pub(super) fn line(l: &Labels, points: &[Point], target: Option<(f64, String)>) -> String {
    let (height, left, right, top, bottom) = (230.0, 30.0, 30.0, 40.0, 40.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = points
        .iter()
        .map(|p| p.value)
        .chain(target.as_ref().map(|t| t.0))
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE)
        * 1.1;
    let x_of = |i: usize| {
        if points.len() < 2 {
            left + plot_w / 2.0
        } else {
            r(left + plot_w * i as f64 / (points.len() - 1) as f64)
        }
    };
    let y_of = |v: f64| r(top + plot_h * (1.0 - v / max));
    let mut s = open(l, height, "chart-line");
    let base = top + plot_h;
    let _ = write!(
        s,
        "<line x1=\"0\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" stroke=\"{EDGE}\"/>"
    );
    if let Some((t, shown)) = &target {
        let y = y_of(*t);
        let _ = write!(
            s,
            "<line x1=\"0\" y1=\"{y}\" x2=\"{WIDTH}\" y2=\"{y}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/><line x1=\"0\" y1=\"10\" x2=\"24\" y2=\"10\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/><text x=\"30\" y=\"15\" fill=\"{INK}\">{}</text>",
            escape(&format!("Mục tiêu: {shown}"))
        );
    }
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{},{}", x_of(i), y_of(p.value)))
        .collect();
    if points.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{BAR}\" stroke-width=\"2.5\"/>",
            coords.join(" ")
        );
    }
    for (i, p) in points.iter().enumerate() {
        let (x, y) = (x_of(i), y_of(p.value));
        let _ = write!(
            s,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"4.5\" fill=\"{BAR}\"/><text x=\"{x}\" y=\"{}\" fill=\"{INK}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text><text x=\"{x}\" y=\"{}\" fill=\"{INK}\" text-anchor=\"middle\">{}</text>",
            r(y - 10.0).max(12.0),
            escape(&p.shown),
            height - 14.0,
            escape(&p.label)
        );
    }
    s.push_str("</svg>");
    s
}

/// A bar filled to `value` out of `max`, with a mark at the target.
pub(super) fn progress(
    l: &Labels,
    value: f64,
    max: f64,
    target: Option<f64>,
    shown: &str,
) -> String {
    let span = 300.0;
    let max = max.max(f64::MIN_POSITIVE);
    let w = r((value / max).clamp(0.0, 1.0) * span);
    let mut s = open(l, 28.0, "chart-progress");
    let _ = write!(
        s,
        "<rect x=\"0.5\" y=\"6.5\" width=\"{span}\" height=\"15\" fill=\"{TRACK}\" stroke=\"{EDGE}\"/><rect x=\"0.5\" y=\"6.5\" width=\"{w}\" height=\"15\" fill=\"{BAR}\"/>"
    );
    if let Some(t) = target {
        let x = r((t / max).clamp(0.0, 1.0) * span).max(1.5);
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"1\" x2=\"{x}\" y2=\"27\" stroke=\"{INK}\" stroke-width=\"2.5\"/>"
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"19\" fill=\"{INK}\" font-weight=\"bold\">{}</text></svg>",
        span + 10.0,
        escape(shown)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        Labels {
            id: "c1".into(),
            title: "Hồ sơ <đúng hạn>".into(),
            desc: "Xã A: 99,7%".into(),
        }
    }

    #[test]
    fn charts_have_text_alternatives_and_scale() {
        let points = vec![
            Point {
                label: "2021".into(),
                value: 90.0,
                shown: "90%".into(),
            },
            Point {
                label: "2022".into(),
                value: 99.7,
                shown: "99,7%".into(),
            },
        ];
        for svg in [
            bars(&labels(), &points, 100.0, Some((100.0, "100%".into()))),
            line(&labels(), &points, None),
            progress(&labels(), 99.7, 100.0, Some(100.0), "99,7%"),
        ] {
            assert!(svg.starts_with("<svg class=\"chart"), "{svg}");
            assert!(svg.contains("role=\"img\" aria-labelledby=\"c1-t c1-d\""));
            assert!(svg.contains("<title id=\"c1-t\">Hồ sơ &lt;đúng hạn&gt;</title>"));
            assert!(svg.contains("<desc id=\"c1-d\">Xã A: 99,7%</desc>"));
            assert!(svg.contains("viewBox=\"0 0 400 ") && svg.contains("width=\"100%\""));
            assert!(svg.ends_with("</svg>"));
        }
        assert!(line(&labels(), &points, None).contains("<polyline"));
    }
}
