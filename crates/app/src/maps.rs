//! Maps as the pages and the documents draw them (issue 19): the districts' stored boundaries as
//! areas, shaded by a headline rate when asked (a choropleth), and the two pictures the dispatch
//! pack and the quarterly analysis carry — the districts by project completion and the overdue
//! projects — drawn once here for the web's downloads and the command line's `report` alike.

use std::collections::HashMap;

use jianguan_charts::Lang;
use jianguan_charts::basemap::{BaseDrawing, BaseStyle};
use jianguan_charts::project_map::{self, MapArea, PointCard, ProjectMap};
use jianguan_domain::Date;
use jianguan_domain::map::{self, MapFilter, Mark, Shade, Standing, Viewport};
use jianguan_domain::model::GeoPoint;
use jianguan_domain::model::{Portfolio, Project, ProjectId, UnitId, UnitKind};
use jianguan_domain::overview::Overview;
use jianguan_domain::warnings::Light;
use jianguan_geo::basemap::Layer;

use crate::basemap::Basemap;

/// A choropleth's classes, lowest first: (colour, "from – to").
pub type Shading = Vec<(&'static str, String)>;

/// The districts with a stored boundary as map areas, each linking to its district's page when
/// `opens` says the reader may open it;
/// with `shade`, filled by the rate in the overview's district rows (a district without
/// projects there is outlined only), with the classes for the legend (over the districts drawn;
/// none when no district has a boundary).
pub fn district_areas(
    portfolio: &Portfolio,
    shade: Option<(Shade, &Overview)>,
    lang: Lang,
    opens: &dyn Fn(UnitId) -> bool,
) -> (Vec<MapArea>, Shading) {
    let rates: HashMap<UnitId, f64> = match shade {
        Some((shade, overview)) => overview
            .districts
            .iter()
            .filter(|d| d.figures.projects > 0 && portfolio.boundary(d.id).is_some())
            .filter_map(|d| Some((d.id, shade.value(&d.figures)?)))
            .collect(),
        None => HashMap::new(),
    };
    let breaks = map::shade_breaks(rates.values().copied());
    let areas = portfolio
        .units_of(UnitKind::District)
        .filter_map(|u| {
            let boundary = portfolio.boundary(u.id)?;
            let rings = boundary
                .polygons
                .iter()
                .flat_map(|poly| std::iter::once(&poly.exterior).chain(&poly.holes))
                .cloned()
                .collect();
            let rate = rates.get(&u.id).copied();
            let fill = rate
                .zip(breaks)
                .map(|(r, b)| project_map::SHADES[map::shade_class(r, &b)].to_string());
            let title = match (shade, rate) {
                (Some((shade, _)), Some(r)) => {
                    format!("{} {} {}", u.name, lang.t(shade.label()), pct(r))
                }
                _ => u.name.clone(),
            };
            Some(MapArea {
                name: u.name.clone(),
                rings,
                fill,
                title,
                href: opens(u.id).then(|| format!("/districts/{}", u.id.0)),
            })
        })
        .collect();
    let shading = breaks
        .map(|b| {
            let top = rates.values().copied().fold(f64::MIN, f64::max);
            (0..map::SHADE_CLASSES)
                .map(|i| {
                    let upper = b.get(i + 1).copied().unwrap_or(top);
                    (
                        project_map::SHADES[i],
                        format!("{} – {}", pct(b[i]), pct(upper)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (areas, shading)
}

/// The basemap under `view`: what falls in it (and a margin, so lines leaving the view are
/// not cut at its edge), projected to its pixels, its credit in `lang`.
pub fn base_drawing(basemap: &Basemap, view: &Viewport, lang: Lang) -> BaseDrawing {
    const MARGIN_PX: f64 = 32.0;
    let (w, h) = (f64::from(view.width), f64::from(view.height));
    let nw = view.unproject(-MARGIN_PX, -MARGIN_PX);
    let se = view.unproject(w + MARGIN_PX, h + MARGIN_PX);
    let features = basemap
        .index
        .features_in(view.zoom, (nw.lon, se.lat, se.lon, nw.lat));
    let project = |&(lon, lat): &(f64, f64)| view.project(GeoPoint { lon, lat });
    let mut drawing = BaseDrawing {
        attribution: basemap
            .attribution
            .as_deref()
            .map(|a| lang.t(a).to_string()),
        ..BaseDrawing::default()
    };
    for f in features {
        let style = match f.layer {
            Layer::Water => BaseStyle::Water,
            Layer::Green => BaseStyle::Green,
            Layer::River => BaseStyle::River,
            Layer::Rail => BaseStyle::Rail,
            Layer::Path => BaseStyle::Path,
            Layer::Service => BaseStyle::Service,
            Layer::Minor => BaseStyle::Minor,
            Layer::Secondary => BaseStyle::Secondary,
            Layer::Major => BaseStyle::Major,
            Layer::Place => {
                if let (Some(name), Some(at)) = (&f.name, f.parts.first().and_then(|p| p.first())) {
                    let (x, y) = project(at);
                    drawing.names.push((name.clone(), x, y));
                }
                continue;
            }
        };
        let parts = f.parts.iter().map(|p| p.iter().map(project).collect());
        match drawing.layers.last_mut() {
            Some((last, lines)) if *last == style => lines.extend(parts),
            _ => drawing.layers.push((style, parts.collect())),
        }
    }
    drawing
}

/// A rate as the pages write it (two decimals, a percent sign).
fn pct(rate: f64) -> String {
    jianguan_domain::fmt::rate(Some(rate))
}

/// A map for a document: its SVG and its caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// The map.
    pub svg: String,
    /// What it shows, under it.
    pub caption: String,
}

/// A document map's largest size in pixels. Drawn 156 mm wide, 720 px make the map's 13 px
/// type about 8 pt on paper.
const PICTURE_SIZE: (u32, u32) = (720, 600);

/// The two maps of the weekly dispatch pack and the quarterly analysis, over the projects
/// `covers` keeps in `year` as of `as_of`: the districts shaded by project completion (the
/// overview's figures; only when boundaries are stored), and the overdue projects with their
/// lights (`lights`), in clusters where they crowd. Fitted to the city's boundaries, else to the
/// projects; none when nothing is located.
pub fn document_pictures(
    portfolio: &Portfolio,
    basemap: Option<&Basemap>,
    overview: &Overview,
    lights: &HashMap<ProjectId, Light>,
    year: i16,
    as_of: Date,
    covers: impl Fn(&Project) -> bool,
) -> Vec<Picture> {
    let lang = Lang::Zh;
    let light_of = |id: ProjectId| lights.get(&id).copied().unwrap_or(Light::None);
    let scoped = || {
        portfolio
            .projects
            .iter()
            .map(|p| &**p)
            .filter(|p| covers(p))
    };
    let all = map::points(scoped(), year, as_of, &MapFilter::default(), light_of);
    let bounds = portfolio
        .city_bounds()
        .map(|(x0, y0, x1, y1)| {
            (
                jianguan_domain::model::GeoPoint { lon: x0, lat: y0 },
                jianguan_domain::model::GeoPoint { lon: x1, lat: y1 },
            )
        })
        .or_else(|| all.bounds());
    let Some((sw, ne)) = bounds else {
        return Vec::new();
    };
    let (w, h) = PICTURE_SIZE;
    let view = Viewport::cropped(sw, ne, w, h, 24, 15);
    let date = jianguan_domain::fmt::date_cn(as_of);
    let mut pictures = Vec::new();

    let (shaded, shading) =
        // Pictures in a document link nowhere.
        district_areas(
            portfolio,
            Some((Shade::ProjectCompletion, overview)),
            lang,
            &|_| false,
        );
    if !shading.is_empty() {
        let legend: Vec<(String, String)> = shading
            .iter()
            .map(|(colour, range)| (colour.to_string(), range.clone()))
            .collect();
        pictures.push(Picture {
            svg: ProjectMap {
                base: None,
                title: "各县区项目完成率".into(),
                desc: format!("截至{date}，各县区项目完成率分五档着色"),
                view,
                areas: &shaded,
                marks: &[],
                focus: None,
                legend: &legend,
                lang,
            }
            .render(no_card, no_zoom),
            caption: format!("各县区项目完成率（截至{date}；红色最低，绿色最高）"),
        });
    }

    let overdue = MapFilter {
        standing: Some(Standing::Overdue),
        ..MapFilter::default()
    };
    let late = map::points(scoped(), year, as_of, &overdue, light_of);
    let (outlines, _) = district_areas(portfolio, None, lang, &|_| false);
    let marks = map::marks(&late.points, &view, 44.0);
    let base = basemap.map(|b| base_drawing(b, &view, lang));
    let legend: Vec<(String, String)> = [Light::Blue, Light::Yellow, Light::Red]
        .into_iter()
        .filter_map(|l| {
            Some((
                project_map::light_colour(l)?.to_string(),
                format!("{}（圈）", l.label()),
            ))
        })
        .chain(std::iter::once((
            project_map::standing_colour(Standing::Overdue).to_string(),
            "逾期项目".to_string(),
        )))
        .collect();
    let names: HashMap<ProjectId, &str> = {
        let alone: std::collections::HashSet<ProjectId> = marks
            .iter()
            .filter_map(|m| match m {
                Mark::Project(p, _) => Some(p.project),
                Mark::Cluster(_) => None,
            })
            .collect();
        portfolio
            .projects
            .iter()
            .filter(|p| alone.contains(&p.id))
            .map(|p| (p.id, p.name.as_str()))
            .collect()
    };
    pictures.push(Picture {
        svg: ProjectMap {
            base: base.as_ref(),
            title: "逾期项目分布".into(),
            desc: format!("截至{date}，{} 个项目有逾期节点", late.points.len()),
            view,
            areas: &outlines,
            marks: &marks,
            focus: None,
            legend: &legend,
            lang,
        }
        .render(
            |id| PointCard {
                href: format!("/projects/{}", id.0),
                name: names.get(&id).copied().unwrap_or_default().to_string(),
                lines: Vec::new(),
            },
            no_zoom,
        ),
        caption: format!(
            "逾期项目分布（截至{date}，共 {} 个；圆圈内数字为相邻项目数，外圈颜色为亮灯）",
            late.points.len()
        ),
    });
    pictures
}

fn no_card(id: ProjectId) -> PointCard {
    PointCard {
        href: format!("/projects/{}", id.0),
        name: String::new(),
        lines: Vec::new(),
    }
}

fn no_zoom(_: &map::Cluster) -> String {
    String::new()
}

/// [`document_pictures`] with the lights of `warnings` and `items` on `as_of`, as the pages
/// light projects.
pub fn pictures_as_of(
    portfolio: &Portfolio,
    basemap: Option<&Basemap>,
    overview: &Overview,
    warnings: &jianguan_domain::warnings::WarningBook,
    items: &[jianguan_domain::followup::TrackedItem],
    as_of: Date,
    covers: impl Fn(&Project) -> bool,
) -> Vec<(String, String)> {
    let lights = jianguan_domain::warnings::project_lights(
        &warnings.open_on(as_of),
        jianguan_domain::acts::projects_under_acts(items, as_of),
    );
    document_pictures(
        portfolio,
        basemap,
        overview,
        &lights,
        overview.year,
        as_of,
        covers,
    )
    .into_iter()
    .map(|p| (p.svg, p.caption))
    .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jianguan_domain::rates::InvestmentLedger;

    use super::*;

    #[test]
    fn the_documents_get_the_districts_shaded_and_the_overdue_projects() {
        let mut city = jianguan_demo::demo_city();
        let as_of = jiff::civil::date(2021, 6, 30);
        let ledger = InvestmentLedger::default();
        let overview = Overview::compute_filtered(&city, &ledger, 2021, as_of, |_| true);
        let lights = HashMap::new();

        // Without boundaries: only the overdue projects, fitted to them.
        let pictures = document_pictures(&city, None, &overview, &lights, 2021, as_of, |_| true);
        assert_eq!(pictures.len(), 1);
        let overdue = city
            .projects
            .iter()
            .filter(|p| p.plan_for(2021).is_some() && p.location.is_some())
            .filter(|p| map::standing(p, 2021, as_of) == Standing::Overdue)
            .count();
        assert!(overdue > 0, "the demo has overdue projects in June");
        assert!(
            pictures[0].caption.contains(&format!("共 {overdue} 个")),
            "{}",
            pictures[0].caption
        );

        // With them: the districts shaded first, every district named and filled.
        city.district_boundaries = crate::districts::demo_boundaries(&city)
            .into_iter()
            .map(|(unit, b)| (unit, Arc::new(b)))
            .collect();
        let pictures = document_pictures(&city, None, &overview, &lights, 2021, as_of, |_| true);
        assert_eq!(pictures.len(), 2);
        assert!(pictures[0].caption.contains("各县区项目完成率"));
        for d in city.units_of(UnitKind::District) {
            assert!(pictures[0].svg.contains(&d.name), "{} named", d.name);
        }
        let districts = city.units_of(UnitKind::District).count();
        assert_eq!(
            pictures[0].svg.matches("fill-opacity=\"0.75\"").count(),
            districts,
            "every district filled"
        );
        assert_eq!(
            pictures[1].svg.matches("class=\"area\"").count(),
            districts,
            "the overdue map outlines the districts"
        );
        // A reader's scope narrows the projects drawn.
        let one = city.projects[0].district;
        let own = city
            .projects
            .iter()
            .filter(|p| p.district == one && p.plan_for(2021).is_some() && p.location.is_some())
            .filter(|p| map::standing(p, 2021, as_of) == Standing::Overdue)
            .count();
        assert!(own < overdue);
        let narrowed = document_pictures(&city, None, &overview, &lights, 2021, as_of, |p| {
            p.district == one
        });
        assert!(
            narrowed[1].caption.contains(&format!("共 {own} 个")),
            "{}",
            narrowed[1].caption
        );
    }
}
