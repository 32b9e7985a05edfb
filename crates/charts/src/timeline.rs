//! A milestone timeline: one row per milestone, the planned date as a hollow diamond, the actual
//! date as a filled circle, joined by a line coloured by lateness, and the "as of" day marked.

use std::fmt::{self, Write};

use crate::{
    FONT_PX, PAD, TITLE_H, chart_id, empty_chart, esc, line, num, open_svg, render_to_string,
    status, text, truncate, widest,
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

const ROW_H: f64 = 24.0;

impl MilestoneTimeline {
    /// Renders the timeline as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        render_to_string(|out| self.render(out))
    }

    fn render(&self, out: &mut String) -> fmt::Result {
        let w = f64::from(self.width.max(320));
        let desc: Vec<String> = self
            .milestones
            .iter()
            .map(|m| {
                format!(
                    "{}：计划 {}，实际 {}",
                    m.name,
                    m.planned,
                    m.actual.as_deref().unwrap_or("未完成")
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
            return empty_chart(out, &id, &self.title, w);
        };
        if self.milestones.is_empty() {
            return empty_chart(out, &id, &self.title, w);
        }
        let span = (hi - lo).max(1) as f64;
        let label_w = widest(self.milestones.iter().map(|m| m.name.as_str())).min(w * 0.3) + 8.0;
        let x0 = PAD + label_w;
        let x1 = w - PAD - 8.0;
        let x = |day: i64| x0 + (day - lo) as f64 / span * (x1 - x0);
        let top = TITLE_H + 22.0;
        let h = top + ROW_H * self.milestones.len() as f64 + 28.0;
        open_svg(out, &id, &self.title, &desc.join("；"), w, h)?;
        // Legend.
        write!(
            out,
            r#"<g font-size="12"><path d="M{a} {y}l5 -5l5 5l-5 5z" fill="white" stroke="{ink}"/>"#,
            a = num(PAD),
            y = num(TITLE_H + 8.0),
            ink = status::NORMAL,
        )?;
        text(out, PAD + 14.0, TITLE_H + 12.0, "start", "计划")?;
        write!(
            out,
            r#"<circle cx="{cx}" cy="{cy}" r="5" fill="{c}"/>"#,
            cx = num(PAD + 56.0),
            cy = num(TITLE_H + 8.0),
            c = status::DONE
        )?;
        text(
            out,
            PAD + 64.0,
            TITLE_H + 12.0,
            "start",
            "实际（红线为延期）",
        )?;
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
                        "{}：实际 {}{}",
                        m.name,
                        m.actual.as_deref().unwrap_or(""),
                        if late { "（延期）" } else { "" }
                    )),
                )?;
            }
            write!(
                out,
                r#"<path d="M{a} {b}l5 -5l5 5l-5 5z" fill="white" stroke="{ink}"><title>{t}</title></path>"#,
                a = num(px - 5.0),
                b = num(y),
                ink = status::NORMAL,
                t = esc(&format!("{}：计划 {}", m.name, m.planned)),
            )?;
        }
        if let Some(day) = day_number(&self.as_of) {
            let ax = x(day);
            line(
                out,
                [ax, top - 4.0, ax, h - 24.0],
                status::REMIND,
                r#" stroke-dasharray="4 3""#,
            )?;
            text(out, ax, h - 8.0, "middle", &format!("截至 {}", self.as_of))?;
        }
        out.push_str("</svg>");
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
        }
        .to_svg();
        assert!(svg.contains("暂无数据"));
    }
}
