//! Server-side SVG charts (horizontal bars, lines) for HTML pages, Word documents and print.
//!
//! Every chart renders to one self-contained `<svg>` string: no script, no external
//! references, no network fonts. All text is XML-escaped, and every chart carries a
//! `<title>` and a `<desc>` so screen readers get the data as alt text.

use std::fmt::{self, Write};

pub use jianguan_domain::i18n::Lang;

pub mod basemap;
pub mod project_map;
mod timeline;

pub use timeline::{MilestoneTimeline, TimelineMilestone};

/// Font stack that finds a CJK font on Windows, Linux and Android, and falls back safely.
const FONT_FAMILY: &str =
    r#""Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif"#;
/// Font size of all chart text, in px.
const FONT_PX: f64 = 13.0;
/// Text colour.
const INK: &str = "#1f2937";
/// Gridline colour.
const GRID: &str = "#e5e7eb";
/// Axis and target-line colour.
const AXIS: &str = "#6b7280";
/// Outer padding around the chart.
const PAD: f64 = 8.0;
/// Height of the title row.
const TITLE_H: f64 = 28.0;
/// Height of one bar row.
const ROW_H: f64 = 26.0;
/// Height of a bar within its row.
const BAR_H: f64 = 18.0;
/// Extra attributes of the dashed target line.
const DASHED: &str = r#" stroke-width="1.5" stroke-dasharray="4 3""#;
/// Text shown when a chart has nothing to draw (in the chart's language).
const NO_DATA: &str = "暂无数据";

/// Category colours, all with contrast ≥ 3:1 against white.
///
/// Each category keeps one colour across every chart and document: pick it by a stable
/// category index with [`palette_color`].
pub const PALETTE: [&str; 12] = [
    "#1f77b4", "#d95f02", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e7298a", "#0f8b99",
    "#7a7a00", "#1e3a8a", "#b8860b", "#37474f",
];

/// The palette colour for a category index, wrapping around after [`PALETTE`]'s end.
pub fn palette_color(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// Colours of the warning ladder and project states, each with contrast ≥ 3:1 against white.
pub mod status {
    /// 正常: on track.
    pub const NORMAL: &str = "#0f766e";
    /// 提醒: reminder (blue).
    pub const REMIND: &str = "#2563eb";
    /// 警示: warning (amber).
    pub const WARN: &str = "#d97706";
    /// 红灯: a project under an open 督办 or 约谈 (red).
    pub const SUPERVISE: &str = "#dc2626";
    /// 约谈 (dark red).
    pub const SUMMON: &str = "#7f1d1d";
    /// 完工: completed (green).
    pub const DONE: &str = "#16a34a";
    /// 暂缓: suspended (grey).
    pub const SUSPENDED: &str = "#6b7280";
}

/// One row of a [`BarChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category name written left of the bar.
    pub label: String,
    /// The drawn quantity (a rate in 0..1, a count, …).
    pub value: f64,
    /// Text written at the bar end, e.g. `"90.52%"`.
    pub display: String,
    /// Link target; the whole row becomes a link when set.
    pub href: Option<String>,
    /// Bar colour; [`PALETTE`]`[0]` when unset.
    pub color: Option<String>,
    /// Hover text; `"label: display"` when unset.
    pub tooltip: Option<String>,
}

/// A horizontal bar chart: one row per bar, labels on the left, values at the bar ends.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Chart title, also the accessible name.
    pub title: String,
    /// Rows, drawn top to bottom.
    pub bars: Vec<Bar>,
    /// Value that fills the plot width; bars above it are clamped. Defaults to the largest
    /// value (or target).
    pub max: Option<f64>,
    /// Optional vertical target line: its value and its label (e.g. `(0.9, "目标 90%")`).
    pub target: Option<(f64, String)>,
    /// Where the value axis starts when not at zero, and the note saying so (e.g.
    /// `(0.9, "横轴自 90% 起")`): values in a narrow band near the top (95.9% and 99.8%) then
    /// show their difference. The axis carries a break mark and the note is written under the
    /// bars. See [`axis_floor`].
    pub from: Option<(f64, String)>,
    /// Width of the drawing in viewBox units (px at 100% zoom).
    pub width: u32,
    /// The language of the chart's own words ("no data"); labels and titles come as given.
    pub lang: Lang,
}

/// Where a rate chart's axis should start so that close values show their difference: a whole
/// tenth below the smallest value when every value is at least 50% and they span less than a
/// quarter of the scale; `None` (start at zero) otherwise.
pub fn axis_floor(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || lo < 0.5 || hi - lo >= 0.25 {
        return None;
    }
    let floor = ((lo - 0.02) * 10.0).floor() / 10.0;
    (floor > 0.0).then_some(floor)
}

impl BarChart {
    /// Renders the chart as a standalone `<svg>` element.
    pub fn to_svg(&self) -> String {
        render_to_string(|out| self.render(out))
    }

    fn render(&self, out: &mut String) -> fmt::Result {
        let w = f64::from(self.width.max(240));
        let mut desc: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{}: {}", b.label, b.display))
            .collect();
        if let Some((_, label)) = &self.target {
            desc.push(label.clone());
        }
        if let Some((_, note)) = &self.from {
            desc.push(note.clone());
        }
        let id = chart_id(&self.title, &desc);
        if self.bars.is_empty() {
            return empty_chart(out, &id, &self.title, w, self.lang);
        }

        let header = TITLE_H + if self.target.is_some() { 18.0 } else { 0.0 };
        let footer = if self.from.is_some() { 18.0 } else { 0.0 };
        let h = header + ROW_H * self.bars.len() as f64 + PAD + footer;
        let label_max = w * 0.4;
        let label_w = widest(self.bars.iter().map(|b| b.label.as_str())).min(label_max);
        let value_w = widest(self.bars.iter().map(|b| b.display.as_str()));
        let x0 = PAD + label_w + 8.0;
        let plot_w = (w - x0 - value_w - 6.0 - PAD).max(w * 0.2);
        let target = self.target.as_ref().map(|t| t.0);
        let data_max = largest(self.bars.iter().map(|b| b.value).chain(target));
        let max = positive(self.max.or(Some(data_max))).unwrap_or(1.0);
        let lo = self
            .from
            .as_ref()
            .map_or(0.0, |f| f.0)
            .clamp(0.0, max * 0.99);
        let x_of = |v: f64| x0 + plot_w * (v.max(lo).min(max) - lo) / (max - lo);

        open_svg(out, &id, &self.title, &desc.join("; "), w, h)?;
        for (i, bar) in self.bars.iter().enumerate() {
            let top = header + ROW_H * i as f64;
            let text_y = top + ROW_H / 2.0 + 4.5;
            let end = x_of(bar.value);
            let tooltip = bar
                .tooltip
                .clone()
                .unwrap_or_else(|| format!("{}: {}", bar.label, bar.display));
            if let Some(href) = &bar.href {
                write!(out, r#"<a href="{}">"#, esc(href))?;
            }
            write!(out, "<g><title>{}</title>", esc(&tooltip))?;
            let label = truncate(&bar.label, label_max);
            text(out, x0 - 8.0, text_y, "end", &label)?;
            write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{BAR_H}" rx="2" fill="{}"/>"#,
                num(x0),
                num(top + (ROW_H - BAR_H) / 2.0),
                num(end - x0),
                esc(bar.color.as_deref().unwrap_or(PALETTE[0])),
            )?;
            text(out, end + 4.0, text_y, "start", &bar.display)?;
            out.push_str("</g>");
            if bar.href.is_some() {
                out.push_str("</a>");
            }
        }
        let bottom = h - PAD - footer;
        line(out, [x0, header, x0, bottom], AXIS, "")?;
        if let Some((_, note)) = &self.from {
            // A break mark across the axis's foot: the axis does not start at zero.
            write!(
                out,
                r#"<path d="M{} {} l8 -4 m-8 9 l8 -4" stroke="{AXIS}" fill="none"/>"#,
                num(x0 - 4.0),
                num(bottom - 2.0),
            )?;
            text(out, x0, bottom + 14.0, "start", note)?;
        }
        if let Some((value, label)) = &self.target {
            let x = x_of(*value);
            let anchor = if x + text_width(label) / 2.0 > w - PAD {
                "end"
            } else {
                "middle"
            };
            write!(out, "<g><title>{}</title>", esc(label))?;
            line(out, [x, header - 4.0, x, bottom], AXIS, DASHED)?;
            text(out, x, header - 8.0, anchor, label)?;
            out.push_str("</g>");
        }
        out.push_str("</svg>");
        Ok(())
    }
}

/// How a [`LineChart`] writes its values on the y axis and in tooltips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// The value is a fraction written as a percentage: `0.9052` → `"90.52%"`.
    Percent,
    /// The value is a plain number: `12.0` → `"12"`, `2.5` → `"2.5"`.
    Count,
}

impl ValueFormat {
    /// Formats a value with at most two decimals and no trailing zeros.
    pub fn format(self, value: f64) -> String {
        match self {
            ValueFormat::Percent => format!("{}%", trim_decimals(value * 100.0, 2)),
            ValueFormat::Count => trim_decimals(value, 2),
        }
    }
}

/// One line of a [`LineChart`]: named points in x order.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    /// Series name shown in the legend and tooltips.
    pub name: String,
    /// Line colour; `palette_color(series index)` when unset.
    pub color: Option<String>,
    /// `(x label, value)` pairs. A series may leave out a label where it has no value: its line
    /// then starts (or resumes) at the next label it has, and draws nothing at zero.
    pub points: Vec<(String, f64)>,
}

/// The x axis of a line chart: every series' labels in their order, a label one series lacks
/// placed after the label that precedes it in the series that has it.
fn x_labels(series: &[LineSeries]) -> Vec<&str> {
    let mut labels: Vec<&str> = Vec::new();
    for s in series {
        let mut after: Option<usize> = None;
        for (label, _) in &s.points {
            let at = match labels.iter().position(|l| *l == label.as_str()) {
                Some(at) => at,
                None => {
                    let at = after.map_or(0, |a| a + 1);
                    labels.insert(at, label.as_str());
                    at
                }
            };
            after = Some(at);
        }
    }
    labels
}

/// A line chart over shared x labels (dates, weeks), with y gridlines and a legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Chart title, also the accessible name.
    pub title: String,
    /// Lines; the first series' point labels define the x axis.
    pub series: Vec<LineSeries>,
    /// Top of the y axis; values above it are clamped. Defaults to a round number above the data.
    pub y_max: Option<f64>,
    /// How y values are written.
    pub y_format: ValueFormat,
    /// Width of the drawing in viewBox units.
    pub width: u32,
    /// Height of the drawing in viewBox units.
    pub height: u32,
    /// The language of the chart's own words ("no data"); labels and titles come as given.
    pub lang: Lang,
}

impl LineChart {
    /// Renders the chart as a standalone `<svg>` element.
    pub fn to_svg(&self) -> String {
        render_to_string(|out| self.render(out))
    }

    fn render(&self, out: &mut String) -> fmt::Result {
        let w = f64::from(self.width.max(240));
        let h = f64::from(self.height.max(160));
        let fmt = self.y_format;
        let describe = |s: &LineSeries| {
            let points: Vec<String> = s
                .points
                .iter()
                .map(|(l, v)| format!("{l} {}", fmt.format(*v)))
                .collect();
            format!("{}: {}", s.name, points.join(", "))
        };
        let desc: Vec<String> = self.series.iter().map(describe).collect();
        let id = chart_id(&self.title, &desc);
        let labels = x_labels(&self.series);
        if labels.is_empty() {
            return empty_chart(out, &id, &self.title, w, self.lang);
        }

        // Legend items flow left to right under the title, wrapping at the right edge.
        let mut legend = Vec::new();
        let (mut lx, mut ly) = (PAD, TITLE_H);
        for (i, s) in self.series.iter().enumerate() {
            let item_w = 14.0 + text_width(&s.name) + 16.0;
            if lx > PAD && lx + item_w > w - PAD {
                (lx, ly) = (PAD, ly + 18.0);
            }
            legend.push((lx, ly, i));
            lx += item_w;
        }
        let plot_top = ly + 18.0 + 8.0;

        let data_max = largest(self.series.iter().flat_map(|s| &s.points).map(|p| p.1));
        let fixed_max = positive(self.y_max);
        let step = nice_step(fixed_max.unwrap_or(data_max) / 5.0);
        let y_max = fixed_max.unwrap_or_else(|| (data_max / step).ceil().max(1.0) * step);
        let ticks: Vec<f64> = (0..)
            .map(|i| f64::from(i) * step)
            .take_while(|t| *t <= y_max * (1.0 + 1e-9))
            .collect();
        let label_w = widest(labels.iter().copied());
        let x_pad = label_w.min(w * 0.2) / 2.0;
        let tick_labels: Vec<String> = ticks.iter().map(|t| fmt.format(*t)).collect();
        let x0 = (PAD + widest(tick_labels.iter().map(String::as_str)) + 8.0).max(PAD + x_pad);
        let (plot_w, plot_b) = ((w - PAD - x_pad - x0).max(w * 0.2), h - PAD - 20.0);
        let n = labels.len();
        let x_of = |i: usize| {
            x0 + plot_w
                * if n == 1 {
                    0.5
                } else {
                    i as f64 / (n - 1) as f64
                }
        };
        let y_of = |v: f64| plot_b - (plot_b - plot_top) * v.max(0.0).min(y_max) / y_max;

        open_svg(out, &id, &self.title, &desc.join("; "), w, h)?;
        for &(lx, ly, i) in &legend {
            let s = &self.series[i];
            let fill = esc(&series_color(s, i));
            write!(
                out,
                r#"<rect x="{}" y="{}" width="10" height="10" fill="{fill}"/>"#,
                num(lx),
                num(ly + 3.0)
            )?;
            text(out, lx + 14.0, ly + 12.5, "start", &s.name)?;
        }
        for (&t, label) in ticks.iter().zip(&tick_labels) {
            line(out, [x0, y_of(t), x0 + plot_w, y_of(t)], GRID, "")?;
            text(out, x0 - 6.0, y_of(t) + 4.5, "end", label)?;
        }
        line(out, [x0, plot_b, x0 + plot_w, plot_b], AXIS, "")?;
        // Show every k-th x label so that neighbours never overlap.
        let every = ((label_w + 8.0) * n.saturating_sub(1) as f64 / plot_w)
            .ceil()
            .max(1.0) as usize;
        for (i, label) in labels.iter().enumerate().step_by(every) {
            text(out, x_of(i), plot_b + 17.0, "middle", label)?;
        }
        for (si, s) in self.series.iter().enumerate() {
            let color = esc(&series_color(s, si));
            let x_index = |l: &str| labels.iter().position(|x| *x == l);
            let mut pts: Vec<(usize, &String, f64)> = s
                .points
                .iter()
                .filter_map(|(l, v)| Some((x_index(l)?, l, *v)))
                .collect();
            pts.sort_by_key(|p| p.0);
            let coords: Vec<String> = pts
                .iter()
                .map(|&(i, _, v)| format!("{},{}", num(x_of(i)), num(y_of(v))))
                .collect();
            write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
                coords.join(" ")
            )?;
            for &(i, label, v) in &pts {
                write!(
                    out,
                    r#"<circle cx="{}" cy="{}" r="3" fill="{color}"><title>{}</title></circle>"#,
                    num(x_of(i)),
                    num(y_of(v)),
                    esc(&format!("{} {label}: {}", s.name, fmt.format(v))),
                )?;
            }
        }
        out.push_str("</svg>");
        Ok(())
    }
}

fn series_color(s: &LineSeries, index: usize) -> String {
    s.color
        .clone()
        .unwrap_or_else(|| palette_color(index).to_owned())
}

/// Runs a renderer into a fresh string.
fn render_to_string(render: impl FnOnce(&mut String) -> fmt::Result) -> String {
    let mut out = String::new();
    render(&mut out).expect("writing to a String cannot fail");
    out
}

/// Writes a `<text>` element; `anchor` is `start`, `middle` or `end`.
fn text(out: &mut String, x: f64, y: f64, anchor: &str, content: &str) -> fmt::Result {
    let (x, y, content) = (num(x), num(y), esc(content));
    write!(
        out,
        r#"<text x="{x}" y="{y}" text-anchor="{anchor}">{content}</text>"#
    )
}

/// Writes a `<line>` from `(x1, y1)` to `(x2, y2)`; `extra` holds trusted extra attributes.
fn line(out: &mut String, [x1, y1, x2, y2]: [f64; 4], stroke: &str, extra: &str) -> fmt::Result {
    let (x1, y1, x2, y2, stroke) = (num(x1), num(y1), num(x2), num(y2), esc(stroke));
    write!(
        out,
        r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}"{extra}/>"#
    )
}

/// The estimated width of the widest text.
fn widest<'a>(texts: impl Iterator<Item = &'a str>) -> f64 {
    largest(texts.map(text_width))
}

/// The largest finite value, at least 0.
fn largest(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(0.0, f64::max)
}

/// Keeps a finite, positive maximum.
fn positive(max: Option<f64>) -> Option<f64> {
    max.filter(|m| m.is_finite() && *m > 0.0)
}

/// Writes the root `<svg>` with its accessible title and description, and the visible title. Its
/// width is the drawing's own, so a page shows it at its type size (never blown up to a wide box);
/// the stylesheet's `max-width: 100%` shrinks it on a phone.
fn open_svg(out: &mut String, id: &str, title: &str, desc: &str, w: f64, h: f64) -> fmt::Result {
    write!(
        out,
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" role="img" "#,
            r#"aria-labelledby="{id}-title" aria-describedby="{id}-desc" font-family='{font}' font-size="{size}" fill="{ink}">"#,
            r#"<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
            r#"<text x="{pad}" y="18" font-size="15" font-weight="bold">{title}</text>"#,
        ),
        w = num(w),
        h = num(h),
        id = id,
        font = FONT_FAMILY,
        size = num(FONT_PX),
        ink = INK,
        title = esc(title),
        desc = esc(desc),
        pad = num(PAD),
    )
}

/// A complete chart that only says 暂无数据 under its title.
fn empty_chart(out: &mut String, id: &str, title: &str, w: f64, lang: Lang) -> fmt::Result {
    let h = TITLE_H + 48.0;
    let no_data = lang.t(NO_DATA);
    open_svg(out, id, title, no_data, w, h)?;
    text(out, w / 2.0, TITLE_H + 28.0, "middle", no_data)?;
    out.push_str("</svg>");
    Ok(())
}

/// A stable element-id prefix derived from the chart content (FNV-1a), so several charts on
/// one page do not share `<title>` ids and snapshots stay reproducible.
fn chart_id(title: &str, desc: &[String]) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in std::iter::once(title)
        .chain(desc.iter().map(String::as_str))
        .flat_map(|s| s.bytes().chain([0]))
    {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    format!("chart-{hash:08x}")
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Formats a coordinate with at most one decimal (`12`, `12.5`).
fn num(v: f64) -> String {
    trim_decimals(v, 1)
}

/// Formats with at most `decimals` (≥ 1) decimals, dropping trailing zeros and negative zero.
fn trim_decimals(v: f64, decimals: usize) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0" } else { s }.to_owned()
}

/// Estimated rendered width of a character: 1 em if wide (CJK), 0.6 em if ASCII.
fn char_width(c: char) -> f64 {
    FONT_PX * if c.is_ascii() { 0.6 } else { 1.0 }
}

/// Estimated rendered width of a text at the chart font size.
fn text_width(s: &str) -> f64 {
    s.chars().map(char_width).sum()
}

/// Shortens text to fit `max` px, ending with `…` when cut.
fn truncate(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = FONT_PX; // room for the ellipsis
    for c in s.chars() {
        used += char_width(c);
        if used > max {
            break;
        }
        out.push(c);
    }
    out + "…"
}

/// A round tick step (1, 2, 2.5 or 5 × 10ⁿ) at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests;
