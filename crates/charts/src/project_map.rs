//! The project map (issue 19) drawn as one SVG: district areas (outlined, or filled by a rate
//! for a choropleth), the projects the domain's [`map::marks`] placed — a lone project as a dot
//! coloured by its standing with a ring in its warning light's colour, a cluster as a ring cut
//! into its standings' shares around its count — and a scale bar.
//!
//! Every mark is a link (a project to its page, a cluster to the view zoomed onto it), so the
//! map works without script; the page's own script turns the links into a card and a zoom. The
//! same inputs give the same bytes, so the map can be snapshot-tested and put in documents.

use std::fmt::{self, Write};

use jianguan_domain::map::{Cluster, Mark, Standing, Viewport};
use jianguan_domain::model::{GeoPoint, ProjectId};
use jianguan_domain::warnings::Light;

use crate::basemap::BaseDrawing;
use crate::{FONT_FAMILY, FONT_PX, INK, Lang, esc, num, render_to_string, status};

/// Whether `p` is inside `rings` (even-odd: a hole's inside is outside).
fn inside(rings: &[Vec<(f64, f64)>], (px, py): (f64, f64)) -> bool {
    let mut crossings = 0;
    for ring in rings {
        for pair in ring.windows(2) {
            let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
            if (ay > py) != (by > py) && px < ax + (py - ay) * (bx - ax) / (by - ay) {
                crossings += 1;
            }
        }
    }
    crossings % 2 == 1
}

/// The colour a standing is drawn in.
pub fn standing_colour(standing: Standing) -> &'static str {
    match standing {
        Standing::Finished => status::DONE,
        Standing::OnTime => status::NORMAL,
        Standing::Overdue => OVERDUE,
        Standing::Suspended => status::SUSPENDED,
    }
}

/// The ring colour of a warning light (`None`: no ring).
pub fn light_colour(light: Light) -> Option<&'static str> {
    match light {
        Light::None => None,
        Light::Blue => Some(status::REMIND),
        Light::Yellow => Some(status::WARN),
        Light::Red => Some(status::SUPERVISE),
    }
}

/// A choropleth's classes, lowest rate first (ColorBrewer's RdYlGn: red lags, green leads).
pub const SHADES: [&str; jianguan_domain::map::SHADE_CLASSES] =
    ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"];

/// Overdue (burnt orange: apart from the amber of 警示 and the red of 督办).
const OVERDUE: &str = "#c2410c";
/// The land behind everything.
const LAND: &str = "#f4f1ea";
/// District outlines.
const OUTLINE: &str = "#64748b";
/// Radius of a lone project's dot.
const DOT_R: f64 = 6.0;

/// A district (or any area) on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapArea {
    /// Its name, written at its middle when it is big enough on screen.
    pub name: String,
    /// Its rings (outer rings and holes alike; drawn even-odd, so holes stay empty).
    pub rings: Vec<Vec<GeoPoint>>,
    /// Its fill for a choropleth (`None`: outline only).
    pub fill: Option<String>,
    /// What hovering it says (its name and, in a choropleth, its rate).
    pub title: String,
    /// Where clicking it leads.
    pub href: Option<String>,
}

/// What the page knows of a lone project: where it links and what its card says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointCard {
    /// Its page; empty for none (the dot is then not a link).
    pub href: String,
    /// Its name (the card's heading and the dot's tooltip).
    pub name: String,
    /// The card's lines (code, district, standing, progress …).
    pub lines: Vec<String>,
}

/// A map of projects.
#[derive(Debug, Clone)]
pub struct ProjectMap<'a> {
    /// Accessible title.
    pub title: String,
    /// Accessible description (what is shown, how many).
    pub desc: String,
    /// The view.
    pub view: Viewport,
    /// The basemap, drawn under everything (`None`: the plain land colour).
    pub base: Option<&'a BaseDrawing>,
    /// District areas, drawn under the marks.
    pub areas: &'a [MapArea],
    /// The marks.
    pub marks: &'a [Mark],
    /// A place to ring (the project whose page the map is on).
    pub focus: Option<GeoPoint>,
    /// A key drawn in the corner, (colour, label) — for documents, where no page surrounds the
    /// map; pages put their legend under it instead.
    pub legend: &'a [(String, String)],
    /// The language of the map's own words (the scale bar, cluster tooltips).
    pub lang: Lang,
}

impl ProjectMap<'_> {
    /// The SVG. `card` describes each lone project; `zoom_href` is where a cluster leads (empty:
    /// nowhere, the cluster is not a link).
    pub fn render(
        &self,
        card: impl Fn(ProjectId) -> PointCard,
        zoom_href: impl Fn(&Cluster) -> String,
    ) -> String {
        render_to_string(|out| self.write(out, &card, &zoom_href))
    }

    fn write(
        &self,
        out: &mut String,
        card: &dyn Fn(ProjectId) -> PointCard,
        zoom_href: &dyn Fn(&Cluster) -> String,
    ) -> fmt::Result {
        let (w, h) = (self.view.width, self.view.height);
        write!(
            out,
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="project-map" viewBox="0 0 {w} {h}" "#,
                r#"width="{w}" height="{h}" role="img" aria-labelledby="map-title" aria-describedby="map-desc" "#,
                r#"font-family='{font}' font-size="{size}" fill="{ink}" data-lon="{lon:.6}" data-lat="{lat:.6}" data-zoom="{zoom}">"#,
                r#"<title id="map-title">{title}</title><desc id="map-desc">{desc}</desc>"#,
                r#"<rect width="{w}" height="{h}" fill="{land}"/>"#,
            ),
            w = w,
            h = h,
            font = FONT_FAMILY,
            size = num(FONT_PX),
            ink = INK,
            lon = self.view.centre.lon,
            lat = self.view.centre.lat,
            zoom = self.view.zoom,
            title = esc(&self.title),
            desc = esc(&self.desc),
            land = LAND,
        )?;
        if let Some(base) = self.base {
            base.write_under(out, self.view.zoom)?;
        }
        self.write_areas(out)?;
        if let Some(base) = self.base {
            base.write_names(out, w, h)?;
        }
        for mark in self.marks {
            match mark {
                Mark::Project(p, (x, y)) => {
                    let card = card(p.project);
                    write_point(out, *x, *y, p.standing, p.light, &card)?;
                }
                Mark::Cluster(c) => self.write_cluster(out, c, &zoom_href(c))?,
            }
        }
        if let Some(at) = self.focus {
            let (x, y) = self.view.project(at);
            write!(
                out,
                r##"<circle class="focus" cx="{}" cy="{}" r="15" fill="none" stroke="#0f172a" stroke-width="2.5" stroke-dasharray="5 3" pointer-events="none"/>"##,
                num(x),
                num(y)
            )?;
        }
        self.write_scale(out)?;
        self.write_legend(out)?;
        out.push_str("</svg>");
        Ok(())
    }

    fn write_areas(&self, out: &mut String) -> fmt::Result {
        let mut labels = Vec::new();
        for area in self.areas {
            let mut d = String::new();
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            let rings: Vec<Vec<(f64, f64)>> = area
                .rings
                .iter()
                .map(|ring| ring.iter().map(|at| self.view.project(*at)).collect())
                .collect();
            for ring in &rings {
                for (i, &(x, y)) in ring.iter().enumerate() {
                    (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                    d.push(if i == 0 { 'M' } else { 'L' });
                    write!(d, "{} {}", num(x), num(y))?;
                }
                d.push('Z');
            }
            let (vw, vh) = (f64::from(self.view.width), f64::from(self.view.height));
            if d.is_empty() || x1 < 0.0 || y1 < 0.0 || x0 > vw || y0 > vh {
                continue;
            }
            let fill = area.fill.as_deref().unwrap_or("none");
            let open = area
                .href
                .as_ref()
                .map(|h| format!(r#"<a href="{}">"#, esc(h)));
            out.push_str(open.as_deref().unwrap_or(""));
            write!(
                out,
                r#"<path class="area" d="{d}" fill="{fill}" fill-opacity="{op}" fill-rule="evenodd" stroke="{OUTLINE}" stroke-width="1.5"><title>{t}</title></path>"#,
                fill = esc(fill),
                op = if area.fill.is_some() { "0.75" } else { "1" },
                t = esc(&area.title),
            )?;
            out.push_str(if open.is_some() { "</a>" } else { "" });
            // A name is written where its area shows wide enough to hold it, at the middle of
            // the part in view when that point is in the area (not in a neighbour the box
            // overlaps).
            let (cx, cy) = (
                (x0.max(0.0) + x1.min(vw)) / 2.0,
                (y0.max(0.0) + y1.min(vh)) / 2.0,
            );
            if x1.min(vw) - x0.max(0.0) > 80.0
                && y1.min(vh) - y0.max(0.0) > 40.0
                && inside(&rings, (cx, cy))
            {
                labels.push((cx, cy, &area.name));
            }
        }
        // Names go above every area, so no neighbour's fill covers them.
        for (x, y, name) in labels {
            write!(
                out,
                r##"<text class="area-name" x="{}" y="{}" text-anchor="middle" fill="#334155" fill-opacity="0.8" stroke="#fff" stroke-width="3" paint-order="stroke" pointer-events="none">{}</text>"##,
                num(x),
                num(y),
                esc(name)
            )?;
        }
        Ok(())
    }

    fn write_cluster(&self, out: &mut String, c: &Cluster, href: &str) -> fmt::Result {
        let n = c.count();
        // The ring grows with the count's order of magnitude: 10 → 15 px, 10,000 → 24 px.
        let r = 12.0 + 3.0 * f64::from(n).log10();
        let lang = self.lang;
        let shares: Vec<String> = Standing::ALL
            .into_iter()
            .filter(|s| c.by_standing[s.index()] > 0)
            .map(|s| format!("{} {}", lang.t(s.label()), c.by_standing[s.index()]))
            .collect();
        let (colon, comma) = if lang == Lang::En {
            (": ", ", ")
        } else {
            ("：", "，")
        };
        let title = format!("{}{colon}{}", lang.tn("{n} 个项目", n), shares.join(comma));
        // Without a link (a wall opened by a link, a document) the mark is a group.
        let tag = if href.is_empty() { "g" } else { "a" };
        if href.is_empty() {
            write!(
                out,
                r#"<g class="cluster"><title>{title}</title>"#,
                title = esc(&title)
            )?;
        } else {
            write!(
                out,
                r#"<a class="cluster" href="{href}"><title>{title}</title>"#,
                href = esc(href),
                title = esc(&title),
            )?;
        }
        let (x, y) = (num(c.x), num(c.y));
        if let Some(ring) = light_colour(c.light) {
            write!(
                out,
                r#"<circle cx="{x}" cy="{y}" r="{}" fill="none" stroke="{ring}" stroke-width="3"/>"#,
                num(r + 4.0)
            )?;
        }
        write!(
            out,
            r##"<circle cx="{x}" cy="{y}" r="{}" fill="#fff" fill-opacity="0.92"/>"##,
            num(r)
        )?;
        // The shares as arcs of one ring, clockwise from twelve o'clock, in legend order.
        let ring_r = r - 3.0;
        let circumference = 2.0 * std::f64::consts::PI * ring_r;
        let mut done = 0.0;
        for s in Standing::ALL {
            let count = c.by_standing[s.index()];
            if count == 0 {
                continue;
            }
            let len = circumference * f64::from(count) / f64::from(n);
            write!(
                out,
                r#"<circle cx="{x}" cy="{y}" r="{}" fill="none" stroke="{}" stroke-width="5" stroke-dasharray="{} {}" stroke-dashoffset="{}" transform="rotate(-90 {x} {y})"/>"#,
                num(ring_r),
                standing_colour(s),
                trim2(len),
                trim2(circumference - len),
                trim2(-done),
            )?;
            done += len;
        }
        write!(
            out,
            r#"<text x="{x}" y="{}" text-anchor="middle" font-size="12" font-weight="bold">{}</text></{tag}>"#,
            num(c.y + 4.0),
            compact_count(n)
        )
    }

    /// The key, bottom right: a swatch and a label a line.
    fn write_legend(&self, out: &mut String) -> fmt::Result {
        if self.legend.is_empty() {
            return Ok(());
        }
        const LINE: f64 = 20.0;
        let width = 34.0 + crate::widest(self.legend.iter().map(|(_, l)| l.as_str()));
        let height = 10.0 + LINE * self.legend.len() as f64;
        let x = f64::from(self.view.width) - width - 8.0;
        let y = f64::from(self.view.height) - height - 8.0;
        write!(
            out,
            r##"<g class="legend" pointer-events="none"><rect x="{}" y="{}" width="{}" height="{}" fill="#fff" fill-opacity="0.9" stroke="#cbd5e1" rx="3"/>"##,
            num(x),
            num(y),
            num(width),
            num(height)
        )?;
        for (i, (colour, label)) in self.legend.iter().enumerate() {
            let top = y + 6.0 + LINE * i as f64;
            write!(
                out,
                r##"<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="#64748b"/>"##,
                num(x + 8.0),
                num(top + 2.0),
                esc(colour)
            )?;
            crate::text(out, x + 28.0, top + 14.0, "start", label)?;
        }
        out.push_str("</g>");
        Ok(())
    }

    /// A bar of a round length near 100 px, bottom left.
    fn write_scale(&self, out: &mut String) -> fmt::Result {
        let metres_per_px = self.view.metres_per_px();
        let Some(metres) = round_length(metres_per_px * 100.0) else {
            return Ok(());
        };
        let px = metres / metres_per_px;
        let y = f64::from(self.view.height) - 14.0;
        let label = if metres >= 1000.0 {
            self.lang.tn("{n} 公里", trim2(metres / 1000.0))
        } else {
            self.lang.tn("{n} 米", trim2(metres))
        };
        write!(
            out,
            r##"<g class="scale" pointer-events="none"><rect x="8" y="{top}" width="{bw}" height="26" fill="#fff" fill-opacity="0.85" rx="3"/><path d="M14 {y0}V{y}H{x1}V{y0}" fill="none" stroke="{INK}" stroke-width="2"/><text x="{tx}" y="{ty}" font-size="12">{label}</text></g>"##,
            top = num(y - 18.0),
            bw = num(px + 12.0 + 8.0 * label.chars().count() as f64),
            y0 = num(y - 5.0),
            y = num(y),
            x1 = num(14.0 + px),
            tx = num(20.0 + px),
            ty = num(y),
            label = esc(&label),
        )
    }
}

/// A lone project: its dot, its warning ring, and its card in data attributes for the page's
/// script (the lines joined by character-referenced newlines, which HTML and XML parsers alike
/// turn back into newlines).
fn write_point(
    out: &mut String,
    x: f64,
    y: f64,
    standing: Standing,
    light: Light,
    card: &PointCard,
) -> fmt::Result {
    let lines: Vec<String> = card.lines.iter().map(|l| esc(l)).collect();
    // A card without a page to open is a group, not a link.
    let tag = if card.href.is_empty() { "g" } else { "a" };
    let href = if card.href.is_empty() {
        String::new()
    } else {
        format!(r#" href="{}""#, esc(&card.href))
    };
    write!(
        out,
        r#"<{tag} class="pt"{href} data-name="{name}" data-lines="{lines}"><title>{name}</title>"#,
        name = esc(&card.name),
        lines = lines.join("&#10;"),
    )?;
    let (x, y) = (num(x), num(y));
    if let Some(ring) = light_colour(light) {
        write!(
            out,
            r##"<circle cx="{x}" cy="{y}" r="{}" fill="#fff" stroke="{ring}" stroke-width="3"/>"##,
            num(DOT_R + 3.0)
        )?;
    }
    write!(
        out,
        r##"<circle cx="{x}" cy="{y}" r="{}" fill="{}" stroke="#fff" stroke-width="1.5"/></{tag}>"##,
        num(DOT_R),
        standing_colour(standing)
    )
}

/// The largest 1, 2 or 5 × 10ⁿ metres not above `max` (`None` for nonsense input).
fn round_length(max: f64) -> Option<f64> {
    if !max.is_finite() || max <= 0.0 {
        return None;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&l| l <= max)
}

/// A count short enough for a cluster's middle: 999, 1.2k, 12k.
fn compact_count(n: u32) -> String {
    match n {
        0..=999 => n.to_string(),
        1000..=9_999 => format!("{}k", trim2(f64::from(n) / 1000.0)),
        _ => format!("{}k", n / 1000),
    }
}

/// At most two decimals, without trailing zeros.
fn trim2(v: f64) -> String {
    crate::trim_decimals(v, 2)
}

#[cfg(test)]
mod tests {
    use jianguan_domain::map::{MapPoint, marks};

    use super::*;

    fn at(lon: f64, lat: f64) -> GeoPoint {
        GeoPoint { lon, lat }
    }

    fn sample() -> String {
        sample_linked(true)
    }

    /// The sample map, its marks and area linked or not.
    fn sample_linked(links: bool) -> String {
        let view = Viewport {
            centre: at(120.2, 30.25),
            zoom: 12,
            width: 400,
            height: 300,
        };
        let point = |id, lon, lat, standing, light| MapPoint {
            project: ProjectId(id),
            at: at(lon, lat),
            standing,
            light,
        };
        let points = [
            point(1, 120.2, 30.25, Standing::Overdue, Light::Yellow),
            point(2, 120.2001, 30.2501, Standing::OnTime, Light::None),
            point(3, 120.2002, 30.2499, Standing::Finished, Light::Red),
            point(4, 120.18, 30.24, Standing::Finished, Light::None),
        ];
        let marks = marks(&points, &view, 48.0);
        let areas = [MapArea {
            name: "甲区".into(),
            rings: vec![vec![
                at(120.15, 30.2),
                at(120.25, 30.2),
                at(120.25, 30.3),
                at(120.15, 30.3),
            ]],
            fill: Some("#fdae61".into()),
            title: "甲区 节点完成率 81.0%".into(),
            href: links.then(|| "/districts/1".into()),
        }];
        ProjectMap {
            base: None,
            title: "项目地图".into(),
            desc: "4 个项目".into(),
            view,
            areas: &areas,
            marks: &marks,
            focus: Some(at(120.18, 30.24)),
            legend: &[("#1a9641".into(), "90% – 100%".into())],
            lang: Lang::Zh,
        }
        .render(
            |id| PointCard {
                href: if links {
                    format!("/projects/{}", id.0)
                } else {
                    String::new()
                },
                name: format!("项目<{}>", id.0),
                lines: vec!["甲区".into(), "逾期 3 天".into()],
            },
            |c| {
                if links {
                    format!("/map?zoom=14&n={}", c.count())
                } else {
                    String::new()
                }
            },
        )
    }

    #[test]
    fn a_map_without_links_draws_the_same_marks_as_groups() {
        let linked = sample_linked(true);
        let plain = sample_linked(false);
        assert!(!plain.contains("<a") && !plain.contains("href"), "{plain}");
        assert_eq!(
            plain.matches(r#"<g class="pt""#).count(),
            linked.matches(r#"<a class="pt""#).count()
        );
        assert_eq!(
            plain.matches(r#"<g class="cluster""#).count(),
            linked.matches(r#"<a class="cluster""#).count()
        );
        assert!(plain.contains("甲区&#10;逾期 3 天"), "the cards stay");
    }

    #[test]
    fn the_map_draws_areas_clusters_points_and_a_scale() {
        let svg = sample();
        insta::assert_snapshot!(svg);
        assert!(
            svg.contains(r#"href="/map?zoom=14&amp;n=3""#),
            "the cluster zooms"
        );
        assert!(
            svg.contains(r#"href="/projects/4""#),
            "the lone project links"
        );
        assert!(svg.contains("项目&lt;4&gt;"), "names are escaped");
        assert!(
            svg.contains("甲区&#10;逾期 3 天"),
            "card lines survive parsing"
        );
        // The cluster's worst light is red, and its ring has three arcs.
        assert!(svg.contains(&format!(
            r#"stroke="{}" stroke-width="3""#,
            status::SUPERVISE
        )));
        assert_eq!(
            svg.matches(r#"stroke-width="5" stroke-dasharray"#).count(),
            3
        );
        assert!(svg.contains("公里") || svg.contains(" 米<"), "a scale bar");
        assert!(
            svg.contains(r#"class="focus" cx="141.7" cy="183.7""#),
            "the focus is ringed"
        );
    }

    #[test]
    fn round_lengths_and_compact_counts() {
        assert_eq!(round_length(3300.0), Some(2000.0));
        assert_eq!(round_length(720.0), Some(500.0));
        assert_eq!(round_length(100.0), Some(100.0));
        assert_eq!(round_length(0.0), None);
        assert_eq!(compact_count(999), "999");
        assert_eq!(compact_count(1234), "1.23k");
        assert_eq!(compact_count(2000), "2k");
        assert_eq!(compact_count(98_765), "98k");
    }
}
