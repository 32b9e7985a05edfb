//! A milestone timeline: one row per milestone, the planned date as a hollow diamond, the actual
//! date as a filled circle, joined by a line coloured by lateness; an unfinished milestone past
//! its date runs a dashed red line to the "as of" day with how late it is. A date axis of month
//! ticks runs along the bottom and the "as of" day is marked with a label kept inside the chart.

use std::fmt::{self, Write};

use crate::{
    AXIS, FONT_PX, GRID, Lang, PAD, TITLE_H, chart_id, empty_chart, esc, line, num, open_svg,
    render_to_string, status, text, text_width, truncate, widest,
};

/// One milestone on the timeline. Dates are ISO `YYYY-MM-DD` strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineMilestone {
    /// The milestone's name.
    pub name: String,
    /// Planned (baseline) date.
    pub planned: String,
    /// Actual date, if reached.
    pub actual: Option<String>,
    /// Days overdue as of the chart's day, for an unfinished milestone past its date (computed
    /// by the domain's `rates::overdue_days`; the chart only draws it).
    pub overdue_days: Option<i64>,
}

/// A planned-versus-actual milestone chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneTimeline {
    /// Chart title.
    pub title: String,
    /// The "as of" date, ISO; drawn as a vertical line.
    pub as_of: String,
    /// Milestones in sequence.
    pub milestones: Vec<TimelineMilestone>,
    /// Width in px of the view box.
    pub width: u32,
    /// The language of the chart's own words (the key, "as of", "overdue"); names come as given.
    pub lang: Lang,
}

/// Days since 1970-01-01 of an ISO date, or `None` if it is not one (Howard Hinnant's
/// days-from-civil).
fn day_number(iso: &str) -> Option<i64> {
    let mut parts = iso.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The (year, month) of a day number (the inverse of [`day_number`], Hinnant's civil-from-days).
fn year_month(day: i64) -> (i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m)
}

/// The first days of months from the month of `lo` up to `hi`, every `step` months, counted
/// from January so ticks fall on the same months in every chart.
fn month_ticks(lo: i64, hi: i64, step: i64) -> Vec<(i64, i64, i64)> {
    let (mut y, mut m) = year_month(lo);
    let mut ticks = Vec::new();
    while let Some(day) = day_number(&format!("{y:04}-{m:02}-01")) {
        if day > hi {
            break;
        }
        if day >= lo && (m - 1) % step == 0 {
            ticks.push((day, y, m));
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    ticks
}

const ROW_H: f64 = 24.0;

impl MilestoneTimeline {
    /// Renders the timeline as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        render_to_string(|out| self.render(out))
    }

    fn render(&self, out: &mut String) -> fmt::Result {
        let w = f64::from(self.width.max(320));
        let lang = self.lang;
        let desc: Vec<String> = self
            .milestones
            .iter()
            .map(|m| {
                let actual = m.actual.as_deref().unwrap_or(lang.t("未完成"));
                format!(
                    "{}{}",
                    m.name,
                    lang.tn2("：计划 {n}，实际 {m}", &m.planned, actual)
                )
            })
            .collect();
        let id = chart_id(&self.title, &desc);
        let days: Vec<i64> = self
            .milestones
            .iter()
            .flat_map(|m| [Some(m.planned.as_str()), m.actual.as_deref()])
            .flatten()
            .chain([self.as_of.as_str()])
            .filter_map(day_number)
            .collect();
        let (Some(&lo), Some(&hi)) = (days.iter().min(), days.iter().max()) else {
            return empty_chart(out, &id, &self.title, w, lang);
        };
        if self.milestones.is_empty() {
            return empty_chart(out, &id, &self.title, w, lang);
        }
        let span = (hi - lo).max(1) as f64;
        let label_w = widest(self.milestones.iter().map(|m| m.name.as_str())).min(w * 0.3) + 8.0;
        let x0 = PAD + label_w;
        let x1 = w - PAD - 8.0;
        let x = |day: i64| x0 + (day - lo) as f64 / span * (x1 - x0);
        let as_of = day_number(&self.as_of);
        // Legend, then the as-of label's line, then one row per milestone, then the date axis.
        let top = TITLE_H + 40.0;
        let axis_y = top + ROW_H * self.milestones.len() as f64 + 4.0;
        let h = axis_y + 26.0;
        open_svg(out, &id, &self.title, &desc.join(lang.t("；")), w, h)?;
        self.legend(out)?;
        // Month ticks, as sparse as their labels need.
        let px_per_month = (x1 - x0) * 30.44 / span;
        let gap = text_width("2021-10") + 10.0;
        let step = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|s| *s as f64 * px_per_month >= gap)
            .unwrap_or_else(|| 12 * ((gap / (12.0 * px_per_month)).ceil() as i64).max(1));
        line(out, [x0, axis_y, x1, axis_y], AXIS, "")?;
        write!(out, r#"<g font-size="11" fill="{AXIS}">"#)?;
        for (day, y, m) in month_ticks(lo, hi, step) {
            let tx = x(day);
            line(out, [tx, top - 4.0, tx, axis_y], GRID, "")?;
            line(out, [tx, axis_y, tx, axis_y + 4.0], AXIS, "")?;
            let label = format!("{y:04}-{m:02}");
            let half = text_width(&label) * 11.0 / FONT_PX / 2.0;
            text(
                out,
                tx.clamp(half, w - half),
                axis_y + 16.0,
                "middle",
                &label,
            )?;
        }
        out.push_str("</g>");
        for (i, m) in self.milestones.iter().enumerate() {
            let y = top + ROW_H * i as f64 + ROW_H / 2.0;
            text(
                out,
                PAD,
                y + FONT_PX / 3.0,
                "start",
                &truncate(&m.name, label_w - 8.0),
            )?;
            line(out, [x0, y, x1, y], "#e5e7eb", "")?;
            let Some(planned) = day_number(&m.planned) else {
                continue;
            };
            let px = x(planned);
            let actual = m.actual.as_deref().and_then(day_number);
            if let Some(actual) = actual {
                let late = actual > planned;
                let color = if late {
                    status::SUPERVISE
                } else {
                    status::DONE
                };
                line(out, [px, y, x(actual), y], color, r#" stroke-width="3""#)?;
                write!(
                    out,
                    r#"<circle cx="{cx}" cy="{cy}" r="5" fill="{color}"><title>{t}</title></circle>"#,
                    cx = num(x(actual)),
                    cy = num(y),
                    t = esc(&format!(
                        "{}{}{}",
                        m.name,
                        lang.tn("：实际 {n}", m.actual.as_deref().unwrap_or("")),
                        if late { lang.t("（延期）") } else { "" }
                    )),
                )?;
            } else if let (Some(days), Some(today)) = (m.overdue_days, as_of) {
                let ax = x(today);
                line(
                    out,
                    [px, y, ax, y],
                    status::SUPERVISE,
                    r#" stroke-width="2" stroke-dasharray="5 3""#,
                )?;
                let label = lang.tn("逾期 {n} 天", days);
                let lw = text_width(&label) * 11.0 / FONT_PX;
                // Left of the diamond if there is room, else right of the as-of line, else
                // above the dashed line.
                let (lx, ly, anchor) = if px - 8.0 - lw >= x0 {
                    (px - 8.0, y + 4.0, "end")
                } else if ax + 6.0 + lw <= w - PAD {
                    (ax + 6.0, y + 4.0, "start")
                } else {
                    (ax - 4.0, y - 4.0, "end")
                };
                write!(
                    out,
                    r#"<g font-size="11" fill="{c}">"#,
                    c = status::SUPERVISE
                )?;
                text(out, lx, ly, anchor, &label)?;
                out.push_str("</g>");
            }
            write!(
                out,
                r#"<path d="M{a} {b}l5 -5l5 5l-5 5z" fill="white" stroke="{ink}"><title>{t}</title></path>"#,
                a = num(px - 5.0),
                b = num(y),
                ink = status::NORMAL,
                t = esc(&match m.overdue_days {
                    Some(d) if m.actual.is_none() => format!(
                        "{}{}",
                        m.name,
                        lang.tn2("：计划 {n}，逾期 {m} 天未完成", &m.planned, d)
                    ),
                    _ => format!("{}{}", m.name, lang.tn("：计划 {n}", &m.planned)),
                }),
            )?;
        }
        if let Some(day) = as_of {
            let ax = x(day);
            line(
                out,
                [ax, top - 4.0, ax, axis_y],
                status::REMIND,
                r#" stroke-dasharray="4 3""#,
            )?;
            // The label is centred on the line unless that would cut it at an edge.
            let label = lang.tn("截至 {n}", &self.as_of);
            let half = text_width(&label) / 2.0;
            let cx = ax.clamp(PAD + half, w - PAD - half);
            text(out, cx, top - 8.0, "middle", &label)?;
        }
        out.push_str("</svg>");
        Ok(())
    }

    /// The key: planned, actual (red when late), overdue and unfinished; each entry placed after
    /// the width of the one before, so the key fits in either language.
    fn legend(&self, out: &mut String) -> fmt::Result {
        let lang = self.lang;
        let y = TITLE_H + 8.0;
        // Key text is 12 px; text_width measures at FONT_PX.
        let width = |s: &str| text_width(s) * 12.0 / FONT_PX;
        write!(
            out,
            r#"<g font-size="12"><path d="M{a} {y}l5 -5l5 5l-5 5z" fill="white" stroke="{ink}"/>"#,
            a = num(PAD),
            y = num(y),
            ink = status::NORMAL,
        )?;
        let planned = lang.t("计划日期");
        text(out, PAD + 14.0, y + 4.0, "start", planned)?;
        let at = PAD + 14.0 + width(planned) + 18.0;
        write!(
            out,
            r#"<circle cx="{cx}" cy="{cy}" r="5" fill="{c}"/>"#,
            cx = num(at),
            cy = num(y),
            c = status::DONE
        )?;
        let actual = lang.t("实际日期（红线为延期）");
        text(out, at + 8.0, y + 4.0, "start", actual)?;
        let at = at + 8.0 + width(actual) + 18.0;
        line(
            out,
            [at, y, at + 24.0, y],
            status::SUPERVISE,
            r#" stroke-width="2" stroke-dasharray="5 3""#,
        )?;
        text(out, at + 30.0, y + 4.0, "start", lang.t("逾期未完成"))?;
        out.push_str("</g>");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(name: &str, planned: &str, actual: Option<&str>) -> TimelineMilestone {
        TimelineMilestone {
            name: name.into(),
            planned: planned.into(),
            actual: actual.map(Into::into),
            overdue_days: None,
        }
    }

    #[test]
    fn civil_day_numbers_match_the_calendar() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2021-05-31").unwrap() - day_number("2021-01-01").unwrap(),
            150
        );
        assert_eq!(
            day_number("2020-03-01").unwrap() - day_number("2020-02-28").unwrap(),
            2
        );
        assert_eq!(day_number("not a date"), None);
    }

    #[test]
    fn a_late_milestone_is_joined_in_red_and_every_point_has_a_tooltip() {
        let svg = MilestoneTimeline {
            title: "节点".into(),
            as_of: "2021-12-31".into(),
            milestones: vec![
                ms("开工", "2021-03-01", Some("2021-03-01")),
                ms("竣工验收", "2021-05-31", Some("2021-10-28")),
                ms("移交管养", "2021-12-01", None),
            ],
            width: 600,
            lang: Lang::Zh,
        }
        .to_svg();
        assert!(svg.contains(status::SUPERVISE), "late line in red");
        assert_eq!(svg.matches("<title>").count(), 3 + 2);
        assert!(svg.contains("截至 2021-12-31"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn a_timeline_without_milestones_says_there_is_no_data() {
        let svg = MilestoneTimeline {
            title: "空".into(),
            as_of: "2021-12-31".into(),
            milestones: vec![],
            width: 600,
            lang: Lang::Zh,
        }
        .to_svg();
        assert!(svg.contains("暂无数据"));
    }

    #[test]
    fn year_month_inverts_day_number() {
        for iso in [
            "1970-01-01",
            "2020-02-29",
            "2021-03-01",
            "2021-12-31",
            "2024-01-31",
        ] {
            let day = day_number(iso).unwrap();
            let (y, m) = year_month(day);
            assert_eq!(format!("{y:04}-{m:02}"), iso[..7], "{iso}");
        }
    }

    #[test]
    fn month_ticks_fall_on_first_days_counted_from_january() {
        let lo = day_number("2021-01-15").unwrap();
        let hi = day_number("2021-07-10").unwrap();
        let months = |step| -> Vec<(i64, i64)> {
            month_ticks(lo, hi, step)
                .into_iter()
                .map(|(_, y, m)| (y, m))
                .collect()
        };
        assert_eq!(
            months(1),
            vec![
                (2021, 2),
                (2021, 3),
                (2021, 4),
                (2021, 5),
                (2021, 6),
                (2021, 7)
            ]
        );
        assert_eq!(months(3), vec![(2021, 4), (2021, 7)]);
        let (day, ..) = month_ticks(lo, hi, 1)[0];
        assert_eq!(day, day_number("2021-02-01").unwrap());
    }

    #[test]
    fn the_chart_has_a_date_axis_and_an_overdue_milestone_says_how_late_it_is() {
        let mut late = ms("移交管养", "2021-09-01", None);
        late.overdue_days = Some(60);
        let svg = MilestoneTimeline {
            title: "节点".into(),
            as_of: "2021-10-31".into(),
            milestones: vec![ms("开工", "2021-03-01", Some("2021-03-05")), late],
            width: 640,
            lang: Lang::Zh,
        }
        .to_svg();
        assert!(
            svg.contains(">2021-04<") && svg.contains(">2021-10<"),
            "{svg}"
        );
        assert!(svg.contains("逾期 60 天"));
        assert!(svg.contains("计划 2021-09-01，逾期 60 天未完成"));
    }

    #[test]
    fn in_english_the_charts_own_words_are_english_and_the_key_does_not_overlap() {
        let mut late = ms("移交管养", "2021-09-01", None);
        late.overdue_days = Some(60);
        let svg = MilestoneTimeline {
            title: "Milestones".into(),
            as_of: "2021-10-31".into(),
            milestones: vec![ms("开工", "2021-03-01", Some("2021-03-25")), late],
            width: 640,
            lang: Lang::En,
        }
        .to_svg();
        let chinese: String = svg
            .replace("移交管养", "")
            .replace("开工", "")
            .replace("Microsoft YaHei", "")
            .chars()
            .filter(|c| jianguan_domain::i18n::is_cjk(*c))
            .collect();
        assert!(chinese.is_empty(), "Chinese left: {chinese}\n{svg}");
        assert!(svg.contains("60 days overdue"), "{svg}");
        assert!(svg.contains("As of 2021-10-31"), "{svg}");
        // Each key entry starts after the one before ends.
        let (planned, _) = text_at(&svg, "Planned date");
        let (actual, _) = text_at(&svg, "Actual date (red line: late)");
        let (overdue, _) = text_at(&svg, "Overdue, unfinished");
        assert!(planned + text_width("Planned date") * 12.0 / FONT_PX < actual);
        assert!(actual + text_width("Actual date (red line: late)") * 12.0 / FONT_PX < overdue);
    }

    /// The x of the text element holding `label`, and its anchor.
    fn text_at(svg: &str, label: &str) -> (f64, String) {
        let end = svg.find(&format!(">{label}</text>")).expect("label drawn");
        let open = svg[..end].rfind("<text").unwrap();
        let tag = &svg[open..end];
        let attr = |name: &str| {
            let from = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            tag[from..from + tag[from..].find('"').unwrap()].to_string()
        };
        (attr("x").parse().unwrap(), attr("text-anchor"))
    }

    #[test]
    fn the_as_of_label_stays_inside_the_chart_at_either_end() {
        for (as_of, planned) in [("2021-12-31", "2021-03-01"), ("2021-01-02", "2021-12-01")] {
            let width = 400;
            let svg = MilestoneTimeline {
                title: "节点".into(),
                as_of: as_of.into(),
                milestones: vec![ms("竣工验收", planned, None)],
                width,
                lang: Lang::Zh,
            }
            .to_svg();
            let label = format!("截至 {as_of}");
            let (x, anchor) = text_at(&svg, &label);
            assert_eq!(anchor, "middle");
            let half = text_width(&label) / 2.0;
            assert!(x - half >= PAD - 0.01, "{as_of}: starts at {}", x - half);
            assert!(
                x + half <= f64::from(width) - PAD + 0.01,
                "{as_of}: ends at {}",
                x + half
            );
        }
    }
}
