//! The project map of issue 19: `/map` — every located project in the reader's scope and the
//! year, coloured by where it stands (the domain's [`map::standing`]) with its warning light,
//! filtered by category, district, standing and light, gathered into clusters at low zoom — and
//! `/map.svg`, the same map alone, which the page's script fetches as the reader pans and zooms.
//!
//! The map is drawn on the server ([`ProjectMap`]); without script every mark is a link and the
//! buttons around it are links to the neighbouring views, so it works on any browser.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_charts::project_map::{self, PointCard, ProjectMap};
use jianguan_domain::Date;
use jianguan_domain::i18n::Lang;
use jianguan_domain::map::{self, MapFilter, Mark, Shade, Standing, Viewport};
use jianguan_domain::model::{CategoryId, GeoPoint, Project, ProjectId, UnitId, UnitKind};
use jianguan_domain::overview::FigureBook;
use jianguan_domain::warnings::{self, Light};
use jianguan_domain::{acts, rates};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{Fields, FromParams};
use crate::view::{self, Choice, Layout, choices};
use crate::{AppState, Params, Snapshot};

/// The map's size when the request does not say (the page's script asks for its own).
const DEFAULT_WIDTH: u32 = 960;
/// See [`DEFAULT_WIDTH`].
const DEFAULT_HEIGHT: u32 = 600;
/// The side of a cluster's cell in pixels.
const CELL_PX: f64 = 52.0;
/// Fitting the projects never zooms in beyond a few streets.
const FIT_MAX_ZOOM: u8 = 15;
/// The wall display's map size.
const WALL_WIDTH: u32 = 860;
/// See [`WALL_WIDTH`].
const WALL_HEIGHT: u32 = 760;
/// An inset map's size on another page.
const INSET_WIDTH: u32 = 720;
/// See [`INSET_WIDTH`].
const INSET_HEIGHT: u32 = 360;
/// The zoom of an inset centred on one project: its streets and neighbours.
const INSET_FOCUS_ZOOM: u8 = 15;

/// What a map request asks for: the filters, and the view when the reader has moved it.
#[derive(Debug, Clone, Copy)]
struct MapRequest {
    filter: MapFilter,
    /// The rate the districts are shaded by, if any.
    shade: Option<Shade>,
    /// A place to ring (an inset's project; never from the address).
    focus: Option<GeoPoint>,
    centre: Option<GeoPoint>,
    zoom: Option<u8>,
    width: u32,
    height: u32,
}

fn light_from_code(code: &str) -> Option<Light> {
    [Light::Blue, Light::Yellow, Light::Red]
        .into_iter()
        .find(|l| l.code() == code)
}

fn number_within(v: &str, lo: f64, hi: f64) -> Option<f64> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && (lo..=hi).contains(x))
}

impl FromParams for MapRequest {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let lon = f.choice(
            "lon",
            |v| number_within(v, -180.0, 180.0),
            "应为 -180 到 180 之间的经度",
        );
        let lat = f.choice(
            "lat",
            |v| number_within(v, -85.0, 85.0),
            "应为 -85 到 85 之间的纬度",
        );
        let zoom_expected = format!("应为 {} 到 {} 之间的整数", map::MIN_ZOOM, map::MAX_ZOOM);
        let zoom = f.choice(
            "zoom",
            |v| {
                v.parse::<u8>()
                    .ok()
                    .filter(|z| (map::MIN_ZOOM..=map::MAX_ZOOM).contains(z))
            },
            &zoom_expected,
        );
        let size =
            |v: &str, lo: u32, hi: u32| v.parse::<u32>().ok().filter(|n| (lo..=hi).contains(n));
        MapRequest {
            filter: MapFilter {
                category: f.id("category").map(CategoryId),
                district: f.id("district").map(UnitId),
                standing: f.choice(
                    "standing",
                    Standing::from_code,
                    "应为 finished、on_time、overdue 或 suspended",
                ),
                light: f.choice("light", light_from_code, "应为 blue、yellow 或 red"),
            },
            shade: f.choice(
                "shade",
                Shade::from_code,
                "应为 project_completion、node_completion、on_time 或 investment",
            ),
            focus: None,
            centre: lon.zip(lat).map(|(lon, lat)| GeoPoint { lon, lat }),
            zoom,
            width: f
                .choice("w", |v| size(v, 240, 2560), "应为 240 到 2560 之间的像素数")
                .unwrap_or(DEFAULT_WIDTH),
            height: f
                .choice("h", |v| size(v, 200, 1600), "应为 200 到 1600 之间的像素数")
                .unwrap_or(DEFAULT_HEIGHT),
        }
    }
}

impl MapRequest {
    /// The filters and the shading as a query string (empty ones left out).
    fn filter_qs(&self) -> String {
        let f = &self.filter;
        let mut parts = Vec::new();
        if let Some(c) = f.category {
            parts.push(format!("category={}", c.0));
        }
        if let Some(d) = f.district {
            parts.push(format!("district={}", d.0));
        }
        if let Some(s) = f.standing {
            parts.push(format!("standing={}", s.code()));
        }
        if let Some(l) = f.light {
            parts.push(format!("light={}", l.code()));
        }
        if let Some(s) = self.shade {
            parts.push(format!("shade={}", s.code()));
        }
        parts.join("&")
    }
}

/// Whom a map is drawn for: the projects they may see, whether they read warnings (the map's
/// lights), and whether its marks and areas link to the pages behind them (not on a wall opened
/// by a link, whose reader opens no other page).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MapReader {
    pub(crate) visible: jianguan_access::Scope,
    pub(crate) warnings: bool,
    pub(crate) links: bool,
}

impl MapReader {
    /// The signed-in `user`, who may open the pages the map links to.
    pub(crate) fn of(user: &CurrentUser) -> Result<MapReader, AppError> {
        Ok(MapReader {
            visible: user.scope(Resource::Portfolio)?,
            warnings: user.may(Resource::Warning, Action::Read),
            links: true,
        })
    }
}

/// The warning light of each project the reader may see warnings of (none for a reader who may
/// not: the map then shows standings only).
async fn lights(
    state: &AppState,
    warnings: bool,
    as_of: Date,
) -> Result<HashMap<ProjectId, Light>, AppError> {
    if !warnings {
        return Ok(HashMap::new());
    }
    let cadence = crate::cadence_pages::records(state).await?;
    Ok(warnings::project_lights(
        &cadence.warnings.open_on(as_of),
        acts::projects_under_acts(&cadence.items, as_of),
    ))
}

/// The map, drawn, and what the page says around it.
struct Drawn {
    svg: String,
    /// The choropleth's classes, lowest first: (colour, "from – to"), empty without one.
    shading: Vec<(&'static str, String)>,
    view: Viewport,
    /// Projects the filters kept with a location, and without one.
    located: usize,
    unlocated: u64,
    /// Of the located, how many are in the view.
    in_view: u32,
}

/// Everything the drawing needs, moved to the blocking pool.
struct DrawInput {
    snap: Arc<Snapshot>,
    visible: jianguan_access::Scope,
    lights: HashMap<ProjectId, Light>,
    request: MapRequest,
    year: i16,
    as_of: Date,
    /// Where the map's links lead: `/map?…` with the date and filters, without the view.
    base: String,
    /// Whether marks and areas link at all.
    links: bool,
    lang: Lang,
    /// The figure book the overview reads, when districts are shaded: (book, the as-of day's
    /// index in it).
    book: Option<(Arc<FigureBook>, usize)>,
    /// The stored basemap, if any.
    basemap: Option<Arc<jianguan_app::basemap::Basemap>>,
}

fn draw(input: DrawInput) -> Drawn {
    let DrawInput {
        snap,
        visible,
        lights,
        request,
        year,
        as_of,
        base,
        links,
        lang,
        book,
        basemap,
    } = input;
    let p = &snap.portfolio;
    let scoped = p
        .projects
        .iter()
        .map(|p| &**p)
        .filter(|pr| visible.covers(pr));
    let located = map::points(scoped, year, as_of, &request.filter, |id| {
        lights.get(&id).copied().unwrap_or(Light::None)
    });
    let view = match (request.centre, request.zoom) {
        (Some(centre), Some(zoom)) => Viewport {
            centre,
            zoom,
            width: request.width,
            height: request.height,
        },
        _ => {
            // Fit what the filters kept; with nothing kept, the reader's whole scope.
            let bounds = located.bounds().or_else(|| {
                map::bounds_of(
                    p.projects
                        .iter()
                        .filter(|pr| visible.covers(pr))
                        .filter_map(|pr| pr.location),
                )
            });
            match bounds {
                Some((sw, ne)) => {
                    Viewport::fit(sw, ne, request.width, request.height, FIT_MAX_ZOOM)
                }
                None => Viewport {
                    centre: GeoPoint {
                        lon: 104.0,
                        lat: 35.0,
                    },
                    zoom: map::MIN_ZOOM,
                    width: request.width,
                    height: request.height,
                },
            }
        }
    };
    let marks = map::marks(&located.points, &view, CELL_PX);
    let in_view = marks
        .iter()
        .map(|m| match m {
            Mark::Project(..) => 1,
            Mark::Cluster(c) => c.count(),
        })
        .sum();
    // The lone projects' standings (worked out with their points), and their records, found
    // in one pass.
    let alone: HashMap<ProjectId, Standing> = marks
        .iter()
        .filter_map(|m| match m {
            Mark::Project(pt, _) => Some((pt.project, pt.standing)),
            Mark::Cluster(_) => None,
        })
        .collect();
    let by_id: HashMap<ProjectId, &Project> = p
        .projects
        .iter()
        .filter(|pr| alone.contains_key(&pr.id))
        .map(|pr| (pr.id, &**pr))
        .collect();
    let page = |id: ProjectId| {
        if links {
            format!("/projects/{}", id.0)
        } else {
            String::new()
        }
    };
    let card = |id: ProjectId| {
        let Some(pr) = by_id.get(&id) else {
            return PointCard {
                href: page(id),
                name: id.0.to_string(),
                lines: Vec::new(),
            };
        };
        let standing = alone[&id];
        let mut lines = vec![
            pr.code.clone(),
            format!(
                "{} · {}",
                p.unit_name(pr.district),
                p.category_name(pr.category)
            ),
            lang.t(standing.label()).to_string(),
            lang.tn(
                "完成 {n}%",
                format!("{:.0}", rates::percent_complete(pr, as_of) * 100.0),
            ),
        ];
        let overdue = pr
            .milestones
            .iter()
            .filter_map(|m| rates::overdue_days(m, as_of))
            .max();
        if let (Some(days), false) = (overdue, rates::is_suspended(pr, as_of)) {
            lines.push(lang.tn("最长逾期 {n} 天", days));
        }
        if let Some(light) = lights.get(&id).filter(|l| **l != Light::None) {
            lines.push(lang.t(light.label()).to_string());
        }
        PointCard {
            href: page(id),
            name: pr.name.clone(),
            lines,
        }
    };
    let zoom_href = |c: &map::Cluster| {
        if !links {
            return String::new();
        }
        let (sw, ne) = c.bounds;
        let fitted = Viewport::fit(sw, ne, view.width, view.height, map::MAX_ZOOM);
        let target = Viewport {
            zoom: fitted.zoom.max(view.zoom + 1).min(map::MAX_ZOOM),
            ..fitted
        };
        view_href(&base, &target)
    };
    // The rate over the projects the reader may see: the overview's own figures.
    let overview = match (request.shade, book) {
        (Some(shade), Some((book, at))) => {
            Some((shade, book.overview(p, at, |pr| visible.covers(pr))))
        }
        _ => None,
    };
    // A district's page opens to readers who see one of its projects (`pages::district`);
    // the walk over every project is only needed when there are outlines to link.
    let reach =
        (links && visible != jianguan_access::Scope::All && !p.district_boundaries.is_empty())
            .then(|| view::Reach::of(p, &visible));
    let (areas, shading) = jianguan_app::maps::district_areas(
        p,
        overview.as_ref().map(|(shade, o)| (*shade, o)),
        lang,
        &|d| {
            links
                && (visible == jianguan_access::Scope::All
                    || reach.as_ref().is_some_and(|r| r.districts.contains(&d)))
        },
    );
    let title = lang.t("项目地图").to_string();
    let desc = lang.tn2(
        "{n} 个项目有坐标，视野内 {m} 个",
        located.points.len(),
        in_view,
    );
    let base = basemap
        .as_deref()
        .map(|b| jianguan_app::maps::base_drawing(b, &view, lang));
    let svg = ProjectMap {
        base: base.as_ref(),
        title,
        desc,
        view,
        areas: &areas,
        marks: &marks,
        focus: request.focus,
        legend: &[],
        lang,
    }
    .render(card, zoom_href);
    Drawn {
        svg,
        shading,
        view,
        located: located.points.len(),
        unlocated: located.unlocated,
        in_view,
    }
}

/// `base` with `view`'s centre, zoom and size.
fn view_href(base: &str, view: &Viewport) -> String {
    format!(
        "{base}&lon={:.6}&lat={:.6}&zoom={}&w={}&h={}",
        view.centre.lon, view.centre.lat, view.zoom, view.width, view.height
    )
}

/// Draws `request`'s map on the blocking pool; also answers the links' common part (`/map?…`
/// with the date and filters, without the view).
async fn draw_request(
    state: &AppState,
    reader: MapReader,
    snap: Arc<Snapshot>,
    scope: Scope,
    request: MapRequest,
) -> Result<(String, Drawn), AppError> {
    let visible = reader.visible;
    let lights = lights(state, reader.warnings, scope.as_of).await?;
    let mut base = format!("/map?year={}&as_of={}", scope.year, scope.as_of);
    let filters = request.filter_qs();
    if !filters.is_empty() {
        base.push('&');
        base.push_str(&filters);
    }
    // The same days as the overview's, so the book it reads is shared rather than built again.
    let book = match request.shade {
        Some(_) => {
            let mut dates = jianguan_domain::overview::trend_dates(scope.year, scope.as_of);
            if dates.last() != Some(&scope.as_of) {
                dates.push(scope.as_of);
            }
            let at = dates.len() - 1;
            Some((state.app().figure_book(&snap, scope.year, dates), at))
        }
        None => None,
    };
    let basemap = state.app().basemap(&snap).await?;
    let input = DrawInput {
        book,
        basemap,
        snap,
        visible,
        lights,
        request,
        year: scope.year,
        as_of: scope.as_of,
        base: base.clone(),
        links: reader.links,
        lang: crate::i18n::lang(),
    };
    let drawn = tokio::task::spawn_blocking(move || draw(input))
        .await
        .map_err(|e| AppError::internal(format!("map task: {e}")))?;
    Ok((base, drawn))
}

/// Reads a map request and draws it.
async fn drawn(
    state: &Arc<AppState>,
    user: &CurrentUser,
    params: &Params,
) -> Result<(Arc<Snapshot>, Scope, MapRequest, String, Drawn), AppError> {
    let snap = view::snapshot(state).await?;
    let scope = Scope::resolve(params, &snap, state.today())?;
    let request: MapRequest = params.read()?;
    let (base, drawn) =
        draw_request(state, MapReader::of(user)?, snap.clone(), scope, request).await?;
    Ok((snap, scope, request, base, drawn))
}

/// The wall display's map of the projects `filter` keeps, fitted to them, as `reader` sees it:
/// its SVG and how many it shows.
pub(crate) async fn wall_map(
    state: &AppState,
    reader: MapReader,
    snap: &Arc<Snapshot>,
    scope: Scope,
    filter: MapFilter,
) -> Result<(String, usize), AppError> {
    let request = MapRequest {
        filter,
        shade: None,
        focus: None,
        centre: None,
        zoom: None,
        width: WALL_WIDTH,
        height: WALL_HEIGHT,
    };
    let (_, drawn) = draw_request(state, reader, snap.clone(), scope, request).await?;
    Ok((drawn.svg, drawn.located))
}

/// A small map on another page (a district's, a category's, a project's) and where the full
/// map of the same projects is.
pub(crate) struct Inset {
    pub(crate) svg: String,
    pub(crate) href: String,
}

/// The inset map of the projects `filter` keeps, fitted to them, or around `focus` at street
/// level; `None` when none of them has a location.
pub(crate) async fn inset(
    state: &AppState,
    user: &CurrentUser,
    snap: &Arc<Snapshot>,
    scope: Scope,
    filter: MapFilter,
    focus: Option<GeoPoint>,
) -> Result<Option<Inset>, AppError> {
    let request = MapRequest {
        filter,
        shade: None,
        focus,
        centre: focus,
        zoom: focus.map(|_| INSET_FOCUS_ZOOM),
        width: INSET_WIDTH,
        height: INSET_HEIGHT,
    };
    let (base, drawn) =
        draw_request(state, MapReader::of(user)?, snap.clone(), scope, request).await?;
    if drawn.in_view == 0 {
        return Ok(None);
    }
    let href = match focus {
        Some(_) => view_href(&base, &drawn.view),
        None => base,
    };
    Ok(Some(Inset {
        svg: drawn.svg,
        href,
    }))
}

/// `GET /map.svg?…&lon=&lat=&zoom=&w=&h=`: the map alone, for the page's script.
pub(crate) async fn svg(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let (_, _, _, _, drawn) = drawn(&state, &user, &params).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        drawn.svg,
    )
        .into_response())
}

/// One entry of the legend.
struct LegendEntry {
    colour: &'static str,
    label: String,
    /// A ring rather than a dot.
    ring: bool,
}

/// A link around the map: label, where it leads, and the key that moves the same way.
struct Move {
    label: &'static str,
    symbol: &'static str,
    href: String,
    key: &'static str,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    layout: Layout,
    categories: Vec<Choice>,
    districts: Vec<Choice>,
    standings: Vec<Choice>,
    lights: Vec<Choice>,
    shades: Vec<Choice>,
    /// The choropleth's rate and classes (colour, range), when districts are shaded.
    shade_label: Option<String>,
    shading: Vec<(&'static str, String)>,
    /// Whether any district has a stored boundary (else the shading choice is not offered).
    has_boundaries: bool,
    svg: String,
    located: usize,
    unlocated: u64,
    in_view: u32,
    unlocated_href: String,
    moves: Vec<Move>,
    legend: Vec<LegendEntry>,
    /// `/map.svg?…` without the view, for the script.
    svg_base: String,
    /// `/map?…` without the view, for the script's address bar.
    page_base: String,
    reset_href: String,
}

/// `GET /map`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let (snap, scope, request, base, drawn) = drawn(&state, &user, &params).await?;
    let visible = user.scope(Resource::Portfolio)?;
    let p = &snap.portfolio;
    let layout =
        Layout::new("项目地图", "map", scope, &snap, "/map", &user).crumb("项目地图", None);
    let reach = view::Reach::of(p, &visible);
    let f = &request.filter;
    let view_of = &drawn.view;
    let step_x = f64::from(view_of.width) / 3.0;
    let step_y = f64::from(view_of.height) / 3.0;
    let moves = vec![
        Move {
            label: "放大",
            symbol: "＋",
            href: view_href(&base, &view_of.zoomed(1)),
            key: "+",
        },
        Move {
            label: "缩小",
            symbol: "－",
            href: view_href(&base, &view_of.zoomed(-1)),
            key: "-",
        },
        Move {
            label: "向西",
            symbol: "←",
            href: view_href(&base, &view_of.panned(-step_x, 0.0)),
            key: "ArrowLeft",
        },
        Move {
            label: "向北",
            symbol: "↑",
            href: view_href(&base, &view_of.panned(0.0, -step_y)),
            key: "ArrowUp",
        },
        Move {
            label: "向南",
            symbol: "↓",
            href: view_href(&base, &view_of.panned(0.0, step_y)),
            key: "ArrowDown",
        },
        Move {
            label: "向东",
            symbol: "→",
            href: view_href(&base, &view_of.panned(step_x, 0.0)),
            key: "ArrowRight",
        },
    ];
    let lang = crate::i18n::lang();
    let mut legend: Vec<LegendEntry> = Standing::ALL
        .into_iter()
        .map(|s| LegendEntry {
            colour: project_map::standing_colour(s),
            label: lang.t(s.label()).to_string(),
            ring: false,
        })
        .collect();
    if user.may(Resource::Warning, Action::Read) {
        legend.extend(
            [Light::Blue, Light::Yellow, Light::Red]
                .into_iter()
                .filter_map(|l| {
                    Some(LegendEntry {
                        colour: project_map::light_colour(l)?,
                        label: lang.t(l.label()).to_string(),
                        ring: true,
                    })
                }),
        );
    }
    let mut unlocated_href = format!("/projects?{}", layout.qs);
    if let Some(c) = f.category {
        unlocated_href.push_str(&format!("&category={}", c.0));
    }
    if let Some(d) = f.district {
        unlocated_href.push_str(&format!("&district={}", d.0));
    }
    let filters = request.filter_qs();
    let with_filters = |path: &str| {
        if filters.is_empty() {
            format!("{path}?{}", layout.qs)
        } else {
            format!("{path}?{}&{filters}", layout.qs)
        }
    };
    view::render(MapPage {
        categories: choices(
            p.categories
                .iter()
                .filter(|c| reach.categories.contains(&c.id))
                .map(|c| (c.id.0, c.name.as_str())),
            f.category.map(|c| c.0),
        ),
        districts: choices(
            p.units_of(UnitKind::District)
                .filter(|u| reach.districts.contains(&u.id))
                .map(|u| (u.id.0, u.name.as_str())),
            f.district.map(|d| d.0),
        ),
        standings: Standing::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.code().to_string(),
                label: lang.t(s.label()).to_string(),
                selected: f.standing == Some(s),
            })
            .collect(),
        lights: if user.may(Resource::Warning, Action::Read) {
            [
                (Light::Blue, "有灯（蓝灯及以上）"),
                (Light::Yellow, "黄灯及以上"),
                (Light::Red, "红灯"),
            ]
            .into_iter()
            .map(|(l, label)| Choice {
                value: l.code().to_string(),
                label: lang.t(label).to_string(),
                selected: f.light == Some(l),
            })
            .collect()
        } else {
            Vec::new()
        },
        shades: Shade::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.code().to_string(),
                label: lang.t(s.label()).to_string(),
                selected: request.shade == Some(s),
            })
            .collect(),
        shade_label: request.shade.map(|s| lang.t(s.label()).to_string()),
        shading: drawn.shading,
        has_boundaries: !p.district_boundaries.is_empty(),
        svg: drawn.svg,
        located: drawn.located,
        unlocated: drawn.unlocated,
        in_view: drawn.in_view,
        unlocated_href,
        moves,
        legend,
        svg_base: with_filters("/map.svg"),
        page_base: with_filters("/map"),
        reset_href: with_filters("/map"),
        layout,
    })
}
