//! Small server-rendered SVG charts for the indicator dashboard: a line chart of percentages by
//! month and a horizontal bar chart. No library and no script: the page's CSP forbids inline
//! styles, so colours come from classes in `static/style.css`. Every chart has a `<title>` and
//! a `<desc>` (the page also prints a table with the same figures), and every coordinate is
//! finite: a chart with nothing to draw is `None`, and the page says "Chưa có dữ liệu".

use std::fmt::Write;

const WIDTH: f64 = 640.0;

/// Escapes text for SVG/XML content and attributes.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A number safe to print as a coordinate.
fn fin(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// At most `n` characters, with an ellipsis when cut.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { s.chars().take(n.saturating_sub(1)).collect::<String>() + "…" }
}

/// The opening tag with the accessible name and description.
fn open(id: &str, height: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    )
}

/// One line of a line chart: a percentage (0–100) and its label per x position, `None` where
/// the month has no denominator (the line breaks there).
pub struct Series<'a> {
    pub label: &'a str,
    /// CSS class of the line (`s1`, `s2`, `s3`).
    pub class: &'static str,
    pub points: Vec<Option<(f64, String)>>,
}

/// Percentages by x position (months), 0–100 %, with a legend.
pub fn lines(id: &str, title: &str, desc: &str, x_labels: &[String], series: &[Series]) -> Option<String> {
    let n = x_labels.len();
    if n == 0 || series.iter().all(|s| s.points.iter().all(Option::is_none)) {
        return None;
    }
    let (left, right, top, plot_h) = (44.0, 28.0, 14.0, 200.0);
    let plot_w = WIDTH - left - right;
    let height = top + plot_h + 64.0;
    let x = |i: usize| if n == 1 { left + plot_w / 2.0 } else { left + plot_w * i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + plot_h * (1.0 - fin(v).clamp(0.0, 100.0) / 100.0);
    let mut s = open(id, height, title, desc);
    for g in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{g:.0}%</text>",
            left + plot_w,
            y(g),
            y(g),
            left - 4.0,
            y(g) + 4.0
        );
    }
    let step = n.div_ceil(8).max(1);
    // Every `step`-th month, and the last one when it does not crowd the one before.
    let shown = |i: usize| i.is_multiple_of(step) || (i + 1 == n && i % step > step / 2);
    for (i, label) in x_labels.iter().enumerate().filter(|(i, _)| shown(*i)) {
        let _ = write!(
            s,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            top + plot_h + 16.0,
            esc(label)
        );
    }
    for (k, line) in series.iter().enumerate() {
        let mut d = String::new();
        let mut dots = String::new();
        let mut joined = false;
        for (i, p) in line.points.iter().enumerate().take(n) {
            match p {
                Some((v, text)) => {
                    let _ = write!(d, "{}{:.1},{:.1} ", if joined { "L" } else { "M" }, x(i), y(*v));
                    let _ = write!(
                        dots,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{} — {}: {}</title></circle>",
                        x(i),
                        y(*v),
                        esc(&x_labels[i]),
                        esc(line.label),
                        esc(text)
                    );
                    joined = true;
                }
                None => joined = false,
            }
        }
        let _ = write!(s, "<g class=\"series {}\">", line.class);
        if !d.is_empty() {
            let _ = write!(s, "<path d=\"{}\"/>", d.trim_end());
        }
        let lx = left + 190.0 * k as f64;
        let ly = height - 14.0;
        let _ = write!(
            s,
            "{dots}<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{ly:.1}\">{}</text></g>",
            lx + 24.0,
            ly - 4.0,
            ly - 4.0,
            lx + 30.0,
            esc(line.label)
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// One bar: its label, value, an optional part drawn over it (the late dossiers), and the text
/// printed after it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub part: f64,
    pub text: String,
}

/// Horizontal bars scaled to `max` (or to the largest value); `legend` names the bar and the
/// part.
pub fn bars(id: &str, title: &str, desc: &str, rows: &[Bar], max: Option<f64>, legend: (&str, &str)) -> Option<String> {
    let max = max.unwrap_or_else(|| rows.iter().map(|b| fin(b.value).max(fin(b.part))).fold(0.0, f64::max));
    if rows.is_empty() || !(max.is_finite() && max > 0.0) {
        return None;
    }
    let (label_w, top, row_h, bar_max) = (216.0, 8.0, 24.0, 300.0);
    let height = top + row_h * rows.len() as f64 + 34.0;
    let w = |v: f64| (fin(v).max(0.0) / max * bar_max).min(bar_max);
    let mut s = open(id, height, title, desc);
    for (i, b) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            s,
            "<g><title>{}: {}</title><text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\"/>",
            esc(&b.label),
            esc(&b.text),
            label_w - 6.0,
            y + 13.0,
            esc(&shorten(&b.label, 30)),
            y + 2.0,
            w(b.value)
        );
        if b.part > 0.0 {
            let _ = write!(
                s,
                "<rect class=\"bar-part\" x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\"/>",
                y + 6.0,
                w(b.part)
            );
        }
        let _ = write!(
            s,
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            label_w + w(b.value.max(b.part)) + 6.0,
            y + 13.0,
            esc(&b.text)
        );
    }
    let ly = height - 12.0;
    let _ = write!(
        s,
        "<rect class=\"bar\" x=\"{label_w}\" y=\"{:.1}\" width=\"16\" height=\"10\"/>\
         <text class=\"legend\" x=\"{:.1}\" y=\"{ly:.1}\">{}</text>",
        ly - 9.0,
        label_w + 22.0,
        esc(legend.0)
    );
    if !legend.1.is_empty() {
        let _ = write!(
            s,
            "<rect class=\"bar-part\" x=\"{:.1}\" y=\"{:.1}\" width=\"16\" height=\"10\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{ly:.1}\">{}</text>",
            label_w + 180.0,
            ly - 9.0,
            label_w + 202.0,
            esc(legend.1)
        );
    }
    s.push_str("</svg>");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_with_nothing_to_draw_are_none_and_never_print_nan() {
        assert!(lines("a", "t", "d", &[], &[]).is_none());
        let empty = Series { label: "x", class: "s1", points: vec![None, None] };
        assert!(lines("a", "t", "d", &["01".into(), "02".into()], &[empty]).is_none());
        let bar = Bar { label: "A".into(), value: 0.0, part: 0.0, text: "0".into() };
        assert!(bars("b", "t", "d", &[bar], None, ("x", "")).is_none());
        let one = Series { label: "x", class: "s1", points: vec![Some((f64::NAN, "?".into()))] };
        let svg = lines("a", "t", "d", &["01".into()], &[one]).expect("a point");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn chart_text_is_escaped() {
        let bar = Bar { label: "<b>&".into(), value: 2.0, part: 1.0, text: "2".into() };
        let svg = bars("b", "t<", "d", &[bar], None, ("x", "y")).expect("a bar");
        assert!(svg.contains("&lt;b&gt;&amp;") && svg.contains("t&lt;") && !svg.contains("<b>"));
    }
}
