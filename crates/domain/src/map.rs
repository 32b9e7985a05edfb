//! The project map (issue 19): every located project as a point where it stands as of a day,
//! projected with Web Mercator (the projection every web map uses, so zoom levels mean what
//! people expect) and gathered into clusters per screen cell so a view of 100,000 projects
//! draws a few hundred marks.
//!
//! Clusters are cells of a grid fixed in the world at each zoom level, not around the view, so
//! panning never regroups the projects already on screen.

use std::collections::BTreeMap;
use std::f64::consts::PI;

use serde::Serialize;

use crate::Date;
use crate::model::{CategoryId, GeoPoint, Project, ProjectId, UnitId};
use crate::overview::Figures;
use crate::rates;
use crate::warnings::Light;

/// Where a project stands on a day, as the map colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Its annual plan for the year is complete.
    Finished,
    /// Under way with no milestone past its planned date.
    OnTime,
    /// A milestone is past its planned date and not reached.
    Overdue,
    /// Suspended (暂缓): its dates do not run.
    Suspended,
}

impl Standing {
    /// Every standing, in the order legends list them.
    pub const ALL: [Standing; 4] = [
        Standing::Finished,
        Standing::OnTime,
        Standing::Overdue,
        Standing::Suspended,
    ];

    /// Stable code for URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            Standing::Finished => "finished",
            Standing::OnTime => "on_time",
            Standing::Overdue => "overdue",
            Standing::Suspended => "suspended",
        }
    }

    /// Parses [`Standing::code`].
    pub fn from_code(code: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Finished => "已完成年度计划",
            Standing::OnTime => "按期推进",
            Standing::Overdue => "有节点逾期",
            Standing::Suspended => "暂缓",
        }
    }

    /// Its position in [`Standing::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where `project` stands in `year` as of `as_of`. A suspension outranks everything (its dates
/// stop running), then a complete annual plan (late milestones no longer matter), then any
/// overdue milestone (the same [`rates::overdue_days`] the project list counts).
pub fn standing(project: &Project, year: i16, as_of: Date) -> Standing {
    if rates::is_suspended(project, as_of) {
        Standing::Suspended
    } else if rates::annual_plan_completed_on(project, year, as_of).is_some() {
        Standing::Finished
    } else if project
        .milestones
        .iter()
        .any(|m| rates::overdue_days(m, as_of).is_some())
    {
        Standing::Overdue
    } else {
        Standing::OnTime
    }
}

/// Which projects the map shows, besides the reader's scope and the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapFilter {
    /// Only this category.
    pub category: Option<CategoryId>,
    /// Only this district.
    pub district: Option<UnitId>,
    /// Only projects standing so.
    pub standing: Option<Standing>,
    /// Only projects showing this light or a worse one (`Some(Light::Blue)`: any warning).
    pub light: Option<Light>,
}

/// One project on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MapPoint {
    /// The project.
    pub project: ProjectId,
    /// Where it is (WGS-84).
    pub at: GeoPoint,
    /// Where it stands.
    pub standing: Standing,
    /// Its warning light (红黄蓝灯), [`Light::None`] without one.
    pub light: Light,
}

/// The projects of `year` that `filter` and `covers` keep, with their standing as of `as_of`
/// and their light from `light_of`; `unlocated` counts those kept that have no location.
pub fn points<'a>(
    projects: impl IntoIterator<Item = &'a Project>,
    year: i16,
    as_of: Date,
    filter: &MapFilter,
    light_of: impl Fn(ProjectId) -> Light,
) -> Located {
    let mut located = Located::default();
    for p in projects {
        if p.plan_for(year).is_none()
            || filter.category.is_some_and(|c| c != p.category)
            || filter.district.is_some_and(|d| d != p.district)
        {
            continue;
        }
        let light = light_of(p.id);
        if filter.light.is_some_and(|l| light < l) {
            continue;
        }
        let standing = standing(p, year, as_of);
        if filter.standing.is_some_and(|s| s != standing) {
            continue;
        }
        match p.location {
            Some(at) => located.points.push(MapPoint {
                project: p.id,
                at,
                standing,
                light,
            }),
            None => located.unlocated += 1,
        }
    }
    located
}

/// The projects a filter kept: those with a location, and how many had none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Located {
    /// The projects with a location.
    pub points: Vec<MapPoint>,
    /// How many had no location.
    pub unlocated: u64,
}

impl Located {
    /// The smallest box holding every point: (south-west, north-east).
    pub fn bounds(&self) -> Option<(GeoPoint, GeoPoint)> {
        bounds_of(self.points.iter().map(|p| p.at))
    }
}

/// The smallest box holding `points`: (south-west, north-east).
pub fn bounds_of(points: impl IntoIterator<Item = GeoPoint>) -> Option<(GeoPoint, GeoPoint)> {
    points.into_iter().fold(None, |b, p| {
        Some(match b {
            None => (p, p),
            Some((sw, ne)) => (
                GeoPoint {
                    lon: sw.lon.min(p.lon),
                    lat: sw.lat.min(p.lat),
                },
                GeoPoint {
                    lon: ne.lon.max(p.lon),
                    lat: ne.lat.max(p.lat),
                },
            ),
        })
    })
}

/// The side of a tile in pixels at zoom 0 (the whole world is one tile).
const TILE: f64 = 256.0;

/// Web Mercator stops short of the poles.
const MAX_LATITUDE: f64 = 85.051_128_779_806_6;

/// The zoom levels the map offers: 3 shows a country, 18 a street corner.
pub const MIN_ZOOM: u8 = 3;
/// See [`MIN_ZOOM`].
pub const MAX_ZOOM: u8 = 18;

/// The world size in pixels at `zoom`.
fn world_size(zoom: u8) -> f64 {
    TILE * f64::from(1u32 << zoom)
}

/// `at` in world pixels at `zoom` (x east, y south, origin at 180°W, 85°N).
pub fn world_px(at: GeoPoint, zoom: u8) -> (f64, f64) {
    let size = world_size(zoom);
    let lat = at.lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = (at.lon + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * size;
    (x, y)
}

/// The point at world pixel (`x`, `y`) at `zoom`.
pub fn from_world_px(x: f64, y: f64, zoom: u8) -> GeoPoint {
    let size = world_size(zoom);
    let n = PI * (1.0 - 2.0 * y / size);
    GeoPoint {
        lon: x / size * 360.0 - 180.0,
        lat: n.sinh().atan().to_degrees(),
    }
}

/// What the map shows: a centre, a zoom level and a size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Viewport {
    /// The point at the centre.
    pub centre: GeoPoint,
    /// The zoom level, [`MIN_ZOOM`]..=[`MAX_ZOOM`].
    pub zoom: u8,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Viewport {
    /// The highest zoom at which the box (`sw`, `ne`) fits in `width` × `height` with a margin,
    /// centred on it; no higher than `max_zoom`.
    pub fn fit(sw: GeoPoint, ne: GeoPoint, width: u32, height: u32, max_zoom: u8) -> Viewport {
        let centre_px = |zoom| {
            let (x0, y1) = world_px(sw, zoom);
            let (x1, y0) = world_px(ne, zoom);
            ((x0 + x1) / 2.0, (y0 + y1) / 2.0, x1 - x0, y1 - y0)
        };
        let usable = |side: u32| f64::from(side) * 0.9;
        let zoom = (MIN_ZOOM..=max_zoom.clamp(MIN_ZOOM, MAX_ZOOM))
            .rev()
            .find(|&z| {
                let (_, _, w, h) = centre_px(z);
                w <= usable(width) && h <= usable(height)
            })
            .unwrap_or(MIN_ZOOM);
        let (cx, cy, _, _) = centre_px(zoom);
        Viewport {
            centre: from_world_px(cx, cy, zoom),
            zoom,
            width,
            height,
        }
    }

    /// The box (`sw`, `ne`) at the highest zoom where it fits `max_width` × `max_height`, in a
    /// view cut to it with `margin` pixels around: for a picture in a document, where unused
    /// land would only shrink the map on the page.
    pub fn cropped(
        sw: GeoPoint,
        ne: GeoPoint,
        max_width: u32,
        max_height: u32,
        margin: u32,
        max_zoom: u8,
    ) -> Viewport {
        let fitted = Viewport::fit(sw, ne, max_width, max_height, max_zoom);
        let (x0, y1) = world_px(sw, fitted.zoom);
        let (x1, y0) = world_px(ne, fitted.zoom);
        let side = |extent: f64| (extent.ceil() as u32).saturating_add(2 * margin);
        Viewport {
            width: side(x1 - x0).clamp(2 * margin + 1, max_width),
            height: side(y1 - y0).clamp(2 * margin + 1, max_height),
            ..fitted
        }
    }

    /// The world pixel at the view's top-left corner.
    fn origin(&self) -> (f64, f64) {
        let (cx, cy) = world_px(self.centre, self.zoom);
        (
            cx - f64::from(self.width) / 2.0,
            cy - f64::from(self.height) / 2.0,
        )
    }

    /// `at` in the view's pixels (origin top-left).
    pub fn project(&self, at: GeoPoint) -> (f64, f64) {
        let (x, y) = world_px(at, self.zoom);
        let (ox, oy) = self.origin();
        (x - ox, y - oy)
    }

    /// The point at the view's pixel (`x`, `y`).
    pub fn unproject(&self, x: f64, y: f64) -> GeoPoint {
        let (ox, oy) = self.origin();
        from_world_px(ox + x, oy + y, self.zoom)
    }

    /// The view with its centre moved by (`dx`, `dy`) pixels.
    pub fn panned(&self, dx: f64, dy: f64) -> Viewport {
        Viewport {
            centre: self.unproject(
                f64::from(self.width) / 2.0 + dx,
                f64::from(self.height) / 2.0 + dy,
            ),
            ..*self
        }
    }

    /// The view zoomed by `steps` levels about its centre, kept within the map's levels.
    pub fn zoomed(&self, steps: i8) -> Viewport {
        let zoom = (i16::from(self.zoom) + i16::from(steps))
            .clamp(i16::from(MIN_ZOOM), i16::from(MAX_ZOOM));
        Viewport {
            zoom: zoom as u8,
            ..*self
        }
    }

    /// Metres on the ground per pixel at the centre.
    pub fn metres_per_px(&self) -> f64 {
        const EARTH_CIRCUMFERENCE_M: f64 = 40_075_016.686;
        EARTH_CIRCUMFERENCE_M * self.centre.lat.to_radians().cos() / world_size(self.zoom)
    }
}

/// A cluster: the projects of one grid cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Where it is drawn: the mean of its projects' positions, in view pixels.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// Its projects by standing, in [`Standing::ALL`] order.
    pub by_standing: [u32; 4],
    /// The worst light among them.
    pub light: Light,
    /// The box its projects span: (south-west, north-east).
    pub bounds: (GeoPoint, GeoPoint),
}

impl Cluster {
    /// How many projects it holds.
    pub fn count(&self) -> u32 {
        self.by_standing.iter().sum()
    }
}

/// One mark on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Mark {
    /// A project on its own, with its position in view pixels.
    Project(MapPoint, (f64, f64)),
    /// Several projects close together.
    Cluster(Cluster),
}

/// The marks `view` shows of `points`: the points within it (and half a cell beyond its edges,
/// so marks straddling an edge are drawn) grouped into square cells of `cell_px` pixels; a cell
/// holding one project shows it, a fuller one a [`Cluster`]. At [`MAX_ZOOM`] nothing is
/// grouped. Marks come in a fixed order (cells left to right, top to bottom), so the same
/// inputs always draw the same picture.
pub fn marks(points: &[MapPoint], view: &Viewport, cell_px: f64) -> Vec<Mark> {
    let margin = cell_px / 2.0;
    let (w, h) = (f64::from(view.width), f64::from(view.height));
    let (ox, oy) = view.origin();
    // Each cell (row, column in the world grid) with its points and their view positions.
    type Cells<'a> = BTreeMap<(i64, i64), Vec<(&'a MapPoint, (f64, f64))>>;
    let mut cells: Cells = BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        let (wx, wy) = world_px(p.at, view.zoom);
        let (x, y) = (wx - ox, wy - oy);
        if x < -margin || y < -margin || x > w + margin || y > h + margin {
            continue;
        }
        let key = if view.zoom >= MAX_ZOOM {
            (i as i64, 0)
        } else {
            ((wy / cell_px).floor() as i64, (wx / cell_px).floor() as i64)
        };
        cells.entry(key).or_default().push((p, (x, y)));
    }
    cells
        .into_values()
        .map(|cell| match cell.as_slice() {
            [(p, xy)] => Mark::Project(**p, *xy),
            _ => {
                let n = cell.len() as f64;
                let mut by_standing = [0u32; 4];
                for (p, _) in &cell {
                    by_standing[p.standing.index()] += 1;
                }
                Mark::Cluster(Cluster {
                    x: cell.iter().map(|(_, (x, _))| x).sum::<f64>() / n,
                    y: cell.iter().map(|(_, (_, y))| y).sum::<f64>() / n,
                    by_standing,
                    light: cell
                        .iter()
                        .map(|(p, _)| p.light)
                        .max()
                        .unwrap_or(Light::None),
                    bounds: bounds_of(cell.iter().map(|(p, _)| p.at))
                        .expect("a cell holds at least one point"),
                })
            }
        })
        .collect()
}

/// A headline rate districts can be shaded by (a choropleth), read from their figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shade {
    /// 节点完成率.
    NodeCompletion,
    /// 按期完成率.
    OnTime,
    /// 项目完成率.
    ProjectCompletion,
    /// 投资完成率.
    Investment,
}

impl Shade {
    /// Every rate, in the order the headline cards show them.
    pub const ALL: [Shade; 4] = [
        Shade::ProjectCompletion,
        Shade::NodeCompletion,
        Shade::OnTime,
        Shade::Investment,
    ];

    /// Stable code for URLs.
    pub fn code(self) -> &'static str {
        match self {
            Shade::NodeCompletion => "node_completion",
            Shade::OnTime => "on_time",
            Shade::ProjectCompletion => "project_completion",
            Shade::Investment => "investment",
        }
    }

    /// Parses [`Shade::code`].
    pub fn from_code(code: &str) -> Option<Shade> {
        Shade::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Shade::NodeCompletion => "节点完成率",
            Shade::OnTime => "按期完成率",
            Shade::ProjectCompletion => "项目完成率",
            Shade::Investment => "投资完成率",
        }
    }

    /// The rate in `figures` (the same figures the overview shows), `None` when nothing is
    /// measured.
    pub fn value(self, figures: &Figures) -> Option<f64> {
        match self {
            Shade::NodeCompletion => figures.node_completion.value(),
            Shade::OnTime => figures.on_time.value(),
            Shade::ProjectCompletion => figures.project_completion.value(),
            Shade::Investment => figures.investment.value(),
        }
    }
}

/// How many classes a choropleth has.
pub const SHADE_CLASSES: usize = 5;

/// The classes of a choropleth over `values`: [`SHADE_CLASSES`] equal steps from the lowest
/// value to the highest, each step's lower bound returned lowest first. Equal steps over the
/// districts' own range, not fixed percentages, because early in a year every rate is low and
/// late in it every rate is high: the map is read for who lags whom. `None` with no value.
pub fn shade_breaks(values: impl IntoIterator<Item = f64>) -> Option<[f64; SHADE_CLASSES]> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |b: Option<(f64, f64)>, v| {
            Some(b.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })?;
    let step = (hi - lo) / SHADE_CLASSES as f64;
    Some(std::array::from_fn(|i| lo + step * i as f64))
}

/// The class of `value` among `breaks` (0 lowest).
pub fn shade_class(value: f64, breaks: &[f64; SHADE_CLASSES]) -> usize {
    breaks.iter().rposition(|b| value >= *b).unwrap_or(0)
}

#[cfg(test)]
mod tests;
