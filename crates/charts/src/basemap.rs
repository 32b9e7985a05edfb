//! The basemap under a map (issue 19): roads, railways, water, green areas and place names,
//! already projected to the map's pixels by the caller, drawn as one path per style (so a city
//! view is a few dozen elements, not thousands) with relative coordinates to a tenth of a pixel.
//! Muted colours keep the projects in front.

use std::fmt::{self, Write};

use crate::{esc, num, text_width};

/// How a basemap line or area is drawn, in drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BaseStyle {
    /// Water (filled).
    Water,
    /// Parks, woods and grass (filled).
    Green,
    /// Rivers and canals.
    River,
    /// Railways.
    Rail,
    /// Footways and paths.
    Path,
    /// Service roads.
    Service,
    /// Residential streets.
    Minor,
    /// Secondary and tertiary roads.
    Secondary,
    /// Motorways, trunk and primary roads.
    Major,
}

impl BaseStyle {
    /// (class, fill, stroke, stroke width at zoom 16, dashes); widths shrink by a pixel per
    /// two zooms below 16, to a hairline.
    fn look(self) -> (&'static str, &'static str, &'static str, f64, &'static str) {
        match self {
            BaseStyle::Water => ("b-water", "#b5d0e6", "none", 0.0, ""),
            BaseStyle::Green => ("b-green", "#d5e8c4", "none", 0.0, ""),
            BaseStyle::River => ("b-river", "none", "#9ec1de", 3.0, ""),
            BaseStyle::Rail => (
                "b-rail",
                "none",
                "#a8a29e",
                1.5,
                " stroke-dasharray=\"6 3\"",
            ),
            BaseStyle::Path => (
                "b-path",
                "none",
                "#d6cfc2",
                1.0,
                " stroke-dasharray=\"3 2\"",
            ),
            BaseStyle::Service => ("b-service", "none", "#ffffff", 2.0, ""),
            BaseStyle::Minor => ("b-minor", "none", "#ffffff", 4.0, ""),
            BaseStyle::Secondary => ("b-secondary", "none", "#ffffff", 6.0, ""),
            BaseStyle::Major => ("b-major", "none", "#f7dca6", 8.0, ""),
        }
    }

    fn is_area(self) -> bool {
        matches!(self, BaseStyle::Water | BaseStyle::Green)
    }
}

/// A line or ring in the map's pixels.
pub type Line = Vec<(f64, f64)>;

/// A basemap, in the map's pixels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaseDrawing {
    /// Each style's lines (or rings, for areas), in drawing order.
    pub layers: Vec<(BaseStyle, Vec<Line>)>,
    /// Place names: (name, x, y), most important first (a name that would overlap one already
    /// written is left out).
    pub names: Vec<(String, f64, f64)>,
    /// Where the data comes from, written small in the corner (OpenStreetMap's licence asks
    /// for it).
    pub attribution: Option<String>,
}

impl BaseDrawing {
    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.layers.iter().all(|(_, parts)| parts.is_empty()) && self.names.is_empty()
    }

    /// The lines and areas as an underlay for another map (the coverage map): drawn at `zoom`
    /// and mapped into that map's pixels by `x' = sx·x + tx`, `y' = sy·y + ty`.
    pub fn underlay(&self, zoom: u8, (sx, sy, tx, ty): (f64, f64, f64, f64)) -> String {
        let mut out = format!(
            r#"<g transform="matrix({} 0 0 {} {} {})">"#,
            num(sx),
            num(sy),
            num(tx),
            num(ty)
        );
        let _ = self.write_under(&mut out, zoom);
        out.push_str("</g>");
        out
    }

    /// The credit alone, in the lower right corner of a map `width` × `height` (empty without
    /// one).
    pub fn credit(&self, width: u32, height: u32) -> String {
        let names_left_out = BaseDrawing {
            layers: Vec::new(),
            names: Vec::new(),
            attribution: self.attribution.clone(),
        };
        let mut out = String::new();
        let _ = names_left_out.write_names(&mut out, width, height);
        out
    }

    /// Writes the lines and areas (under everything else on the map) at `zoom`, within a map
    /// `width` × `height`.
    pub(crate) fn write_under(&self, out: &mut String, zoom: u8) -> fmt::Result {
        if self.layers.is_empty() {
            return Ok(());
        }
        out.push_str(r#"<g class="basemap" pointer-events="none">"#);
        for (style, parts) in &self.layers {
            let mut d = String::new();
            for part in parts {
                path_data(&mut d, part, style.is_area());
            }
            if d.is_empty() {
                continue;
            }
            let (class, fill, stroke, width, dashes) = style.look();
            if style.is_area() {
                write!(
                    out,
                    r#"<path class="{class}" d="{d}" fill="{fill}" fill-rule="evenodd"/>"#
                )?;
            } else {
                let below = 16u8.saturating_sub(zoom);
                let w = (width - f64::from(below) * 0.5 * width / 4.0).max(0.6);
                write!(
                    out,
                    r#"<path class="{class}" d="{d}" fill="none" stroke="{stroke}" stroke-width="{}" stroke-linecap="round" stroke-linejoin="round"{dashes}/>"#,
                    num(w)
                )?;
            }
        }
        out.push_str("</g>");
        Ok(())
    }

    /// Writes the place names and the attribution (over the areas, under the marks).
    pub(crate) fn write_names(&self, out: &mut String, width: u32, height: u32) -> fmt::Result {
        let mut taken: Vec<(f64, f64, f64, f64)> = Vec::new();
        for (name, x, y) in &self.names {
            // Drawn at 13 px, the charts' own size.
            let half = text_width(name) / 2.0 + 4.0;
            let b = (x - half, y - 10.0, x + half, y + 6.0);
            let inside =
                b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= f64::from(width) && b.3 <= f64::from(height);
            let clear = taken
                .iter()
                .all(|t| b.2 < t.0 || b.0 > t.2 || b.3 < t.1 || b.1 > t.3);
            if !inside || !clear {
                continue;
            }
            taken.push(b);
            write!(
                out,
                r##"<text class="b-place" x="{}" y="{}" text-anchor="middle" font-size="13" fill="#57534e" stroke="#fff" stroke-width="3" paint-order="stroke" pointer-events="none">{}</text>"##,
                num(*x),
                num(*y),
                esc(name)
            )?;
        }
        if let Some(attribution) = &self.attribution {
            write!(
                out,
                r##"<text class="b-attribution" x="{}" y="{}" text-anchor="end" font-size="10" fill="#78716c" pointer-events="none">{}</text>"##,
                f64::from(width) - 4.0,
                f64::from(height) - 4.0,
                esc(attribution)
            )?;
        }
        Ok(())
    }
}

/// Appends `points` as path data: an absolute move, then relative lines in tenths of a pixel
/// (a point that rounds onto the one before is left out), closed for an area.
fn path_data(d: &mut String, points: &[(f64, f64)], closed: bool) {
    let tenths = |(x, y): (f64, f64)| ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
    let mut at: Option<(i64, i64)> = None;
    let mut drawn = 0;
    let start = d.len();
    for &p in points {
        let here = tenths(p);
        match at {
            None => {
                let _ = write!(d, "M{} {}", tenth(here.0), tenth(here.1));
            }
            Some(prev) if prev == here => continue,
            Some(prev) => {
                let (dx, dy) = (here.0 - prev.0, here.1 - prev.1);
                d.push(if drawn == 0 { 'l' } else { ' ' });
                let _ = write!(d, "{} {}", tenth(dx), tenth(dy));
                drawn += 1;
            }
        }
        at = Some(here);
    }
    if drawn == 0 {
        d.truncate(start);
    } else if closed {
        d.push('z');
    }
}

/// A count of tenths written as a decimal (`-15` → `-1.5`, `20` → `2`).
fn tenth(v: i64) -> String {
    let (sign, v) = if v < 0 { ("-", -v) } else { ("", v) };
    if v % 10 == 0 {
        format!("{sign}{}", v / 10)
    } else {
        format!("{sign}{}.{}", v / 10, v % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_in_tenths_and_skip_points_that_do_not_move() {
        let mut d = String::new();
        path_data(
            &mut d,
            &[(10.0, 20.0), (12.54, 20.0), (12.56, 20.01), (9.0, 17.5)],
            false,
        );
        assert_eq!(d, "M10 20l2.5 0 0.1 0 -3.6 -2.5");
        let mut area = String::new();
        path_data(
            &mut area,
            &[(0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 0.0)],
            true,
        );
        assert_eq!(area, "M0 0l5 0 0 5 -5 -5z");
        // A line that stays within a tenth of a pixel draws nothing.
        let mut dot = String::new();
        path_data(&mut dot, &[(1.0, 1.0), (1.02, 1.01)], false);
        assert_eq!(dot, "");
    }

    #[test]
    fn names_that_would_overlap_or_leave_the_map_are_left_out() {
        let drawing = BaseDrawing {
            layers: Vec::new(),
            names: vec![
                ("示例市".into(), 100.0, 100.0),
                ("旁边".into(), 110.0, 104.0),
                ("边上".into(), 2.0, 100.0),
                ("远处".into(), 300.0, 200.0),
            ],
            attribution: Some("© OpenStreetMap".into()),
        };
        let mut out = String::new();
        drawing.write_names(&mut out, 400, 300).unwrap();
        assert!(out.contains(">示例市<") && out.contains(">远处<"), "{out}");
        assert!(!out.contains("旁边") && !out.contains("边上"), "{out}");
        assert!(out.contains("© OpenStreetMap"));
    }
}
