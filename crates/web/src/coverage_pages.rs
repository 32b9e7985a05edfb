//! The coverage pages of issue 8: `/coverage` — for one facility type and walking threshold,
//! coverage per district at the start of the campaign year and on the as-of day, the
//! residents each new facility alone brought within reach, and an offline SVG map of residents
//! coloured by walking distance — and `/api/v1/coverage`, the report's rows as JSON.
//!
//! Coverage is of residents, so its figures are citywide whatever the reader's scope (as the
//! assessment's lines are); the list of projects credited is narrowed to the projects the
//! reader may open.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use jianguan_access::policy::Resource;
use jianguan_domain::Date;
use jianguan_domain::model::{Portfolio, ProjectId};
use jianguan_geo::Report;
use jianguan_geo::report::{ChangeRow, CreditRow};
use jianguan_geo::svgmap::{self, MapLayers};
use serde::Serialize;

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::coverage::{
    self, CUTOFF_M, City, FacilityType, THRESHOLDS_M, TYPES, WALKING_SPEED_M_PER_MIN,
    threshold_label,
};
use crate::error::AppError;
use crate::params::{Fields, FromParams};
use crate::view::{self, Choice, Layout};
use crate::{AppState, Params, Snapshot, fmt};

/// How many credited projects the page lists.
const CREDIT_ROWS: usize = 20;

/// The map's width in pixels.
const MAP_WIDTH: u32 = 720;

/// What a request asks for: the type, the threshold and optionally one district.
pub(crate) struct Selection {
    kind: &'static FacilityType,
    threshold_m: f64,
    district: Option<i64>,
    /// A project whose newly covered residents the map frames.
    project: Option<i64>,
}

fn selection(params: &Params) -> Result<Selection, AppError> {
    params.read()
}

/// The facility type, walking threshold and district a coverage request asks for.
impl FromParams for Selection {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let kind = f
            .choice("type", coverage::facility_type, &type_expectation())
            .unwrap_or(&TYPES[0]);
        let threshold_m = f
            .choice(
                "threshold",
                |v| {
                    jianguan_geo::parse_threshold(v, WALKING_SPEED_M_PER_MIN)
                        .ok()
                        .filter(|m| THRESHOLDS_M.contains(m))
                },
                "应为 200、300、400、500、800、1000、1200（米）或 10min、15min",
            )
            .unwrap_or(400.0);
        Selection {
            kind,
            threshold_m,
            district: f.id("district"),
            project: f.id("project"),
        }
    }
}

fn type_expectation() -> String {
    let codes: Vec<&str> = TYPES.iter().map(|t| t.kind).collect();
    format!("应为 {}", codes.join("、"))
}

/// The coverage at the request's dates: the city (if any) and its report.
struct Computed {
    coverage: Arc<coverage::Coverage>,
    report: Option<Arc<Report>>,
    /// The state at the baseline (facilities open then), for the map and the bands before.
    before: Option<Arc<Report>>,
    baseline: Date,
}

impl Computed {
    fn city(&self) -> Option<&City> {
        self.coverage.city.as_ref()
    }
}

/// The first day of the campaign year, or the as-of day if it is earlier.
fn baseline_of(scope: Scope) -> Date {
    Date::new(scope.year, 1, 1)
        .unwrap_or(scope.as_of)
        .min(scope.as_of)
}

async fn computed(
    state: &AppState,
    snap: &Arc<Snapshot>,
    scope: Scope,
) -> Result<Computed, AppError> {
    let internal = |e: coverage::CoverageError| AppError::internal(e.to_string());
    let coverage = state.coverage(snap).await.map_err(internal)?;
    let baseline = baseline_of(scope);
    let report = coverage
        .report(baseline, scope.as_of)
        .await
        .map_err(internal)?;
    let before = coverage
        .report(baseline, baseline)
        .await
        .map_err(internal)?;
    Ok(Computed {
        coverage,
        report,
        before,
        baseline,
    })
}

/// The number of residents as the page writes it.
fn people(n: f64) -> String {
    fmt::count(n.round() as i64)
}

/// One line of the district table.
struct DistrictRow {
    name: String,
    href: Option<String>,
    current: bool,
    total: String,
    before: String,
    before_share: String,
    after: String,
    after_share: String,
    change: String,
    gain: String,
}

fn share(covered: f64, total: f64) -> Option<f64> {
    (total > 0.0).then(|| covered / total)
}

fn district_row(c: &ChangeRow, name: String, href: Option<String>, current: bool) -> DistrictRow {
    let (a, b) = (
        share(c.covered_before, c.population_total),
        share(c.covered_after, c.population_total),
    );
    DistrictRow {
        name,
        href,
        current,
        total: people(c.population_total),
        before: people(c.covered_before),
        before_share: fmt::rate(a),
        after: people(c.covered_after),
        after_share: fmt::rate(b),
        change: fmt::points(a, b),
        gain: people(c.gain),
    }
}

/// One project credited with residents it alone brought within reach.
struct CreditLine {
    href: String,
    /// The coverage page with this project's newly covered residents framed.
    map_href: String,
    code: String,
    name: String,
    district: String,
    since: String,
    newly: String,
}

/// A type's headline: "136个邻里中心新增15分钟覆盖居民X人".
struct Headline {
    href: String,
    text: String,
    current: bool,
}

/// A legend entry of the map.
struct LegendEntry {
    colour: &'static str,
    label: String,
}

/// A walking threshold in the reader's language: 400米 or 400 m, 10分钟 or 10 min.
fn threshold_text(metres: f64) -> String {
    let label = threshold_label(metres);
    match crate::i18n::lang() {
        crate::i18n::Lang::Zh => label,
        crate::i18n::Lang::En => {
            if let Some(n) = label.strip_suffix("分钟") {
                format!("{n} min")
            } else if let Some(n) = label.strip_suffix('米') {
                format!("{n} m")
            } else {
                label
            }
        }
    }
}

/// A map cell's tooltip words in the reader's language.
fn cell_words() -> svgmap::CellWords {
    let lang = crate::i18n::lang();
    let chinese = svgmap::CellWords::default();
    svgmap::CellWords {
        people: lang.t(&chinese.people).to_string(),
        distance: lang.t(&chinese.distance).to_string(),
        unreachable: lang.t(&chinese.unreachable).to_string(),
    }
}

fn legend() -> Vec<LegendEntry> {
    let lang = crate::i18n::lang();
    let mut from = 0.0;
    let mut out = Vec::new();
    for (limit, colour) in svgmap::BANDS {
        let to = if limit.is_finite() { limit } else { CUTOFF_M };
        let minutes = to / WALKING_SPEED_M_PER_MIN;
        out.push(LegendEntry {
            colour,
            label: if from == 0.0 {
                lang.tn2(
                    "{n}米以内（步行约 {m} 分钟）",
                    format!("{to:.0}"),
                    format!("{minutes:.1}").trim_end_matches(".0"),
                )
            } else {
                lang.tn2(
                    "{n}米（步行约 {m} 分钟）",
                    format!("{from:.0}–{to:.0}"),
                    format!("{minutes:.1}").trim_end_matches(".0"),
                )
            },
        });
        from = to;
    }
    out.push(LegendEntry {
        colour: svgmap::UNREACHED_COLOUR,
        label: lang.tn("{n}米以外或不可达", format!("{CUTOFF_M:.0}")),
    });
    out
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    layout: Layout,
    available: bool,
    kind_label: &'static str,
    threshold: String,
    district_name: Option<String>,
    types: Vec<Choice>,
    thresholds: Vec<Choice>,
    district_value: String,
    /// The whole city's page at the same type and threshold (on a district's page).
    city_href: Option<String>,
    baseline_cn: String,
    as_of_cn: String,
    headlines: Vec<Headline>,
    rows: Vec<DistrictRow>,
    city: Option<DistrictRow>,
    credits: Vec<CreditLine>,
    credited_total: usize,
    narrowed: bool,
    /// The map at the baseline and at the as-of day, side by side.
    map_before: String,
    map: String,
    legend: Vec<LegendEntry>,
    /// Residents by walking distance band, before and now (readable without the map).
    bands: Vec<BandRow>,
    /// The project whose newly covered residents the map frames.
    framed: Option<Framed>,
    unplaced: String,
    /// Where the network, residents and original facilities come from (a sentence).
    origin: String,
    /// The side of a population cell in metres.
    cell_m: String,
}

/// A project whose newly covered residents are framed on the map.
struct Framed {
    name: String,
    href: String,
    /// Residents framed.
    people: String,
    /// The same page without the frame.
    clear: String,
}

/// Residents in one distance band of the legend, at the baseline and now.
struct BandRow {
    colour: &'static str,
    label: String,
    before: String,
    before_share: String,
    after: String,
    after_share: String,
}

/// Residents of the chosen area (`district`: one district's cells) per band of `legend`,
/// from a report's distances to `kind` (the last band: beyond the cutoff or unreachable).
fn band_counts(city: &City, report: &Report, kind: &str, district: Option<usize>) -> Vec<f64> {
    let distances = report.points.of_type(kind).unwrap_or_default();
    let pop = &city.population;
    let mut counts = vec![0.0; svgmap::BANDS.len() + 1];
    for (i, pt) in pop.points.iter().enumerate() {
        if district.is_some_and(|d| pop.district[i] != Some(d as u32)) {
            continue;
        }
        let band = match distances.get(i).copied().flatten() {
            Some(d) => svgmap::BANDS
                .iter()
                .position(|(limit, _)| d <= *limit)
                .unwrap_or(svgmap::BANDS.len()),
            None => svgmap::BANDS.len(),
        };
        counts[band] += pt.population;
    }
    counts
}

/// The query string that selects `kind`, `threshold` and `district` at the layout's dates.
fn link(qs: &str, kind: &str, threshold_m: f64, district: Option<i64>) -> String {
    let mut s = format!("/coverage?{qs}&type={kind}&threshold={threshold_m:.0}");
    if let Some(d) = district {
        s.push_str(&format!("&district={d}"));
    }
    s
}

/// `GET /coverage?type=park&threshold=400[&district=ID]`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let sel = selection(&params)?;
    let computed = computed(&state, &snap, scope).await?;
    let p = &snap.portfolio;
    let mut layout = Layout::new("服务覆盖", "coverage", scope, &snap, "/coverage", &user);
    let lang = crate::i18n::lang();
    let qs = layout.qs.clone();
    // On a district's page the first crumb leads back to the whole city.
    let city_link = sel
        .district
        .map(|_| link(&qs, sel.kind.kind, sel.threshold_m, None));
    layout = layout.crumb("覆盖", city_link.clone());
    layout.keep = vec![
        ("type", sel.kind.kind.to_string()),
        ("threshold", format!("{:.0}", sel.threshold_m)),
    ];
    if let Some(d) = sel.district {
        layout.keep.push(("district", d.to_string()));
    }
    let district_index = match (computed.city(), sel.district) {
        (Some(city), Some(id)) => Some(
            city.district_index(jianguan_domain::model::UnitId(id))
                .ok_or_else(|| AppError::not_found("该县区的覆盖数据"))?,
        ),
        _ => None,
    };
    let district_name =
        district_index.and_then(|i| computed.city().map(|c| c.districts[i].name.clone()));
    if let Some(name) = &district_name {
        layout = layout.crumb(name.clone(), None);
    }
    let types = TYPES
        .iter()
        .map(|t| Choice {
            value: t.kind.to_string(),
            label: lang.t(t.label).to_string(),
            selected: t.kind == sel.kind.kind,
        })
        .collect();
    let thresholds = THRESHOLDS_M
        .iter()
        .map(|&m| Choice {
            value: format!("{m:.0}"),
            label: match threshold_label(m) {
                l if l.ends_with("分钟") => {
                    lang.tn2("{n}米（{m}）", format!("{m:.0}"), threshold_text(m))
                }
                _ => threshold_text(m),
            },
            selected: m == sel.threshold_m,
        })
        .collect();
    let mut page = CoveragePage {
        available: false,
        kind_label: lang.t(sel.kind.label),
        threshold: threshold_text(sel.threshold_m),
        district_name,
        types,
        thresholds,
        district_value: sel.district.map(|d| d.to_string()).unwrap_or_default(),
        city_href: city_link,
        baseline_cn: lang.date(computed.baseline),
        as_of_cn: lang.date(scope.as_of),
        headlines: Vec::new(),
        rows: Vec::new(),
        city: None,
        credits: Vec::new(),
        credited_total: 0,
        narrowed: !matches!(visible, jianguan_access::Scope::All),
        map_before: String::new(),
        map: String::new(),
        legend: legend(),
        bands: Vec::new(),
        framed: None,
        unplaced: String::new(),
        origin: String::new(),
        cell_m: String::new(),
        layout,
    };
    let (Some(city), Some(report)) = (computed.city(), computed.report.as_ref()) else {
        return view::render(page);
    };
    page.available = true;
    page.origin = match &city.origin {
        coverage::Origin::Generated => lang
            .t("路网、居民与原有设施为示例市生成数据，新增设施为已完工项目。")
            .to_string(),
        coverage::Origin::Stored {
            network,
            population,
        } => lang.tn2(
            "步行路网与原有设施取自 OpenStreetMap 文件 {n}，居民取自 {m}；新增设施为已完工项目。",
            network,
            population,
        ),
    };
    page.cell_m = format!("{:.0}", city.cell_m);
    let kind = sel.kind.kind;
    let at = |c: &&ChangeRow| c.threshold_m == sel.threshold_m;

    page.headlines = TYPES
        .iter()
        .filter_map(|t| {
            let c = report
                .before_after
                .iter()
                .find(|c| c.kind == t.kind && at(c) && c.district.is_none())?;
            Some(Headline {
                href: link(&qs, t.kind, sel.threshold_m, sel.district),
                text: match lang {
                    crate::i18n::Lang::Zh => format!(
                        "{}{}{}新增{}覆盖居民{}人",
                        fmt::count(c.new_facilities as i64),
                        t.measure,
                        t.label,
                        threshold_label(sel.threshold_m),
                        people(c.gain)
                    ),
                    crate::i18n::Lang::En => format!(
                        "{} new {}: {} more residents within {}",
                        fmt::count(c.new_facilities as i64),
                        lang.t(t.label),
                        people(c.gain),
                        threshold_text(sel.threshold_m),
                    ),
                },
                current: t.kind == kind,
            })
        })
        .collect();

    for c in report
        .before_after
        .iter()
        .filter(|c| c.kind == kind && at(c))
    {
        match &c.district {
            None => page.city = Some(district_row(c, lang.t("全市").into(), None, false)),
            Some(name) => {
                let i = city.districts.iter().position(|d| &d.name == name);
                let unit = i.map(|i| city.district_units[i].0);
                page.rows.push(district_row(
                    c,
                    name.clone(),
                    unit.map(|u| link(&qs, kind, sel.threshold_m, Some(u))),
                    i.is_some() && i == district_index,
                ));
            }
        }
    }

    let by_id: HashMap<ProjectId, &jianguan_domain::model::Project> =
        p.projects.iter().map(|pr| (pr.id, &**pr)).collect();
    let district_unit = district_index.map(|i| city.district_units[i]);
    let mut credited: Vec<(&CreditRow, &jianguan_domain::model::Project)> = report
        .credit
        .iter()
        .filter(|c| c.kind == kind && c.threshold_m == sel.threshold_m)
        .filter_map(|c| Some((c, *by_id.get(&coverage::project_of(&c.facility)?)?)))
        .filter(|(_, pr)| visible.covers(pr))
        .filter(|(_, pr)| district_unit.is_none_or(|d| pr.district == d))
        .collect();
    credited.sort_by(|a, b| {
        b.0.newly_covered
            .total_cmp(&a.0.newly_covered)
            .then(a.1.id.cmp(&b.1.id))
    });
    page.credited_total = credited.len();
    page.credits = credited
        .into_iter()
        .take(CREDIT_ROWS)
        .map(|(c, pr)| CreditLine {
            href: format!("/projects/{}?{qs}", pr.id),
            map_href: format!(
                "{}&project={}#map",
                link(&qs, kind, sel.threshold_m, sel.district),
                pr.id
            ),
            code: pr.code.clone(),
            name: pr.name.clone(),
            district: p.unit_name(pr.district).to_string(),
            since: c.since.map(|d| d.to_string()).unwrap_or_default(),
            newly: people(c.newly_covered),
        })
        .collect();

    // A chosen project (one the reader may open): the residents within the threshold of it
    // who were not at the start of the year, framed on the map of now.
    let chosen = sel
        .project
        .and_then(|id| by_id.get(&ProjectId(id)).copied())
        .filter(|pr| visible.covers(pr));
    let framed: Option<Vec<bool>> = match (chosen, computed.before.as_deref()) {
        (Some(pr), Some(before)) => {
            let was = before.points.of_type(kind).unwrap_or_default();
            city.within_reach_of(pr.id, kind, sel.threshold_m)
                .map(|reach| {
                    reach
                        .iter()
                        .enumerate()
                        .map(|(i, near)| {
                            *near
                                && was
                                    .get(i)
                                    .copied()
                                    .flatten()
                                    .is_none_or(|d| d > sel.threshold_m)
                        })
                        .collect()
                })
        }
        _ => None,
    };
    if let (Some(pr), Some(f)) = (chosen, framed.as_ref()) {
        let people_framed: f64 = city
            .population
            .points
            .iter()
            .zip(f)
            .filter(|(_, f)| **f)
            .map(|(pt, _)| pt.population)
            .sum();
        page.framed = Some(Framed {
            name: pr.name.clone(),
            href: format!("/projects/{}?{qs}", pr.id),
            people: people(people_framed),
            clear: link(&qs, kind, sel.threshold_m, sel.district) + "#map",
        });
    }
    let basemap = state.app().basemap(&snap).await?;
    let view_at = |as_of, framed, focus| MapView {
        kind: sel.kind,
        as_of,
        district: district_index,
        portfolio: p,
        visible: &visible,
        framed,
        focus,
        basemap: basemap.as_deref(),
    };
    let ring = chosen.and_then(|pr| pr.location).map(|at| (at.lon, at.lat));
    page.map = map(city, report, &view_at(scope.as_of, framed.as_deref(), ring));
    if let Some(before) = computed.before.as_deref() {
        page.map_before = map(city, before, &view_at(computed.baseline, None, None));
        let (was, now) = (
            band_counts(city, before, kind, district_index),
            band_counts(city, report, kind, district_index),
        );
        let (total_was, total_now): (f64, f64) = (was.iter().sum(), now.iter().sum());
        page.bands = page
            .legend
            .iter()
            .zip(was.iter().zip(&now))
            .map(|(entry, (&b, &a))| BandRow {
                colour: entry.colour,
                label: entry.label.clone(),
                before: people(b),
                before_share: fmt::rate(share(b, total_was)),
                after: people(a),
                after_share: fmt::rate(share(a, total_now)),
            })
            .collect();
    }
    let w = &report.warnings;
    if w.population_unsnapped > 0.0 {
        page.unplaced = lang.tn(
            "{n} 名居民无法接入路网，计为未覆盖。",
            people(w.population_unsnapped),
        );
    }
    view::render(page)
}

/// What a facility's marker says: a project's name if the reader may open it, else only what
/// it is (a project outside the reader's scope is not named).
fn marker_name(
    f: &jianguan_geo::Facility,
    label: &str,
    portfolio: &Portfolio,
    visible: &jianguan_access::Scope,
) -> String {
    match coverage::project_of(&f.id) {
        None => format!("{label}（原有）"),
        Some(id) => match portfolio.projects.iter().find(|p| p.id == id) {
            Some(p) if visible.covers(p) => p.name.clone(),
            _ => format!("{label}（新建项目）"),
        },
    }
}

/// What the map shows: a type as of a day, in one district or the whole city, for a reader.
struct MapView<'a> {
    kind: &'static FacilityType,
    as_of: Date,
    district: Option<usize>,
    portfolio: &'a Portfolio,
    visible: &'a jianguan_access::Scope,
    /// Residents to frame, in the order of the city's population.
    framed: Option<&'a [bool]>,
    /// The place to ring (the chosen project's).
    focus: Option<(f64, f64)>,
    /// The basemap to draw under the cells, if one is stored.
    basemap: Option<&'a jianguan_app::basemap::Basemap>,
}

/// The SVG map: residents coloured by walking distance to the type as of the day, its open
/// facilities and the district outlines (one district's when a district is chosen). Markers
/// name only the projects the reader may open.
fn map(city: &City, report: &Report, view: &MapView<'_>) -> String {
    let MapView {
        kind,
        as_of,
        district,
        portfolio,
        visible,
        framed,
        focus,
        basemap,
    } = *view;
    let label = kind.label;
    let kind = kind.kind;
    let distances = report.points.of_type(kind).unwrap_or_default();
    let pop = &city.population;
    let shown = |i: &usize| district.is_none_or(|d| pop.district[*i] == Some(d as u32));
    let cells: Vec<(jianguan_geo::PopulationPoint, Option<f64>)> = pop
        .points
        .iter()
        .enumerate()
        .filter(|(i, _)| shown(i))
        .map(|(i, pt)| (pt.clone(), distances.get(i).copied().flatten()))
        .collect();
    let framed: Option<Vec<bool>> = framed.map(|f| {
        f.iter()
            .enumerate()
            .filter(|(i, _)| shown(i))
            .map(|(_, f)| *f)
            .collect()
    });
    let outlines = match district {
        Some(d) => &city.districts[d..=d],
        None => &city.districts[..],
    };
    // A district's map marks only the facilities inside it.
    let inside = jianguan_geo::inputs::DistrictIndex::new(outlines);
    let facilities: Vec<jianguan_geo::Facility> = city
        .facilities
        .iter()
        .filter(|f| f.kind == kind && f.open_on(Some(as_of)))
        .filter(|f| {
            district.is_none()
                || f.points
                    .first()
                    .is_some_and(|&(lon, lat)| inside.locate(lon, lat).is_some())
        })
        .map(|f| jianguan_geo::Facility {
            name: Some(marker_name(f, label, portfolio, visible)),
            ..f.clone()
        })
        .collect();
    let words = cell_words();
    let layers = MapLayers {
        population: &cells,
        facilities: &facilities,
        districts: outlines,
        cell_m: city.cell_m,
        framed: framed.as_deref(),
        focus,
        words: &words,
        underlay: None,
        overlay: None,
    };
    let under = basemap
        .zip(svgmap::frame(&layers, MAP_WIDTH))
        .map(|(b, f)| basemap_for(b, &f));
    svgmap::render(
        &MapLayers {
            underlay: under.as_ref().map(|u| u.0.as_str()),
            overlay: under.as_ref().map(|u| u.1.as_str()),
            ..layers
        },
        MAP_WIDTH,
    )
}

/// The basemap under a coverage map's `frame`, and its credit: drawn at the highest zoom at
/// which the frame's box fits the map's width, then scaled up to the map's pixels.
fn basemap_for(
    basemap: &jianguan_app::basemap::Basemap,
    frame: &svgmap::Frame,
) -> (String, String) {
    use jianguan_domain::map::{MAX_ZOOM, MIN_ZOOM, Viewport, from_world_px, world_px};
    use jianguan_domain::model::GeoPoint;
    let nw = GeoPoint {
        lon: frame.west,
        lat: frame.north,
    };
    let se = GeoPoint {
        lon: frame.east,
        lat: frame.south,
    };
    let zoom = (MIN_ZOOM..=MAX_ZOOM)
        .rev()
        .find(|&z| world_px(se, z).0 - world_px(nw, z).0 <= frame.width)
        .unwrap_or(MIN_ZOOM);
    let ((x0, y0), (x1, y1)) = (world_px(nw, zoom), world_px(se, zoom));
    let view = Viewport {
        centre: from_world_px((x0 + x1) / 2.0, (y0 + y1) / 2.0, zoom),
        zoom,
        width: (x1 - x0).ceil().max(1.0) as u32,
        height: (y1 - y0).ceil().max(1.0) as u32,
    };
    let drawing = jianguan_app::maps::base_drawing(basemap, &view, crate::i18n::lang());
    let (px, py) = view.project(nw);
    let (sx, sy) = (
        frame.width / (x1 - x0).max(1e-9),
        frame.height / (y1 - y0).max(1e-9),
    );
    (
        drawing.underlay(zoom, (sx, sy, -px * sx, -py * sy)),
        drawing.credit(frame.width as u32, frame.height as u32),
    )
}

/// One coverage row of the API, with its district's unit id.
#[derive(Serialize)]
struct ApiRow<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    threshold_m: f64,
    district: Option<&'a str>,
    district_id: Option<i64>,
    population_covered: f64,
    population_total: f64,
    share: f64,
    covered_before: Option<f64>,
    gain: Option<f64>,
}

/// One credited project of the API.
#[derive(Serialize)]
struct ApiCredit<'a> {
    project_id: i64,
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    since: Option<Date>,
    threshold_m: f64,
    newly_covered: f64,
}

/// `GET /api/v1/coverage[?type=park][&threshold=400]`: the coverage rows (every type and
/// threshold unless narrowed), with the baseline figures and the credited projects the reader
/// may open.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = state.snapshot().await.map_err(AppError::store)?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let kind = params.choice("type", coverage::facility_type, &type_expectation())?;
    let threshold = match params.get("threshold") {
        None => None,
        Some(_) => Some(selection(&params)?.threshold_m),
    };
    let computed = computed(&state, &snap, scope).await?;
    let keep =
        |k: &str, t: f64| kind.is_none_or(|x| x.kind == k) && threshold.is_none_or(|x| x == t);
    let (rows, credit) = match (computed.city(), computed.report.as_ref()) {
        (Some(city), Some(report)) => (
            api_rows(city, report, &keep),
            api_credit(&snap.portfolio, report, &visible, &keep),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    Ok(Json(serde_json::json!({
        "year": scope.year,
        "as_of": scope.as_of,
        "baseline": computed.baseline,
        "available": computed.city().is_some(),
        // Where the network and residents come from: the city's own (the files named) or
        // generated around the projects.
        "network": computed.city().map(|c| match &c.origin {
            coverage::Origin::Generated => serde_json::json!({ "generated": true }),
            coverage::Origin::Stored { network, population } => serde_json::json!({
                "generated": false,
                "osm": network,
                "population": population,
            }),
        }),
        "walking_speed_m_per_min": WALKING_SPEED_M_PER_MIN,
        "coverage": rows,
        "credit": credit,
    }))
    .into_response())
}

fn api_rows<'a>(
    city: &'a City,
    report: &'a Report,
    keep: &impl Fn(&str, f64) -> bool,
) -> Vec<ApiRow<'a>> {
    report
        .coverage
        .iter()
        .filter(|r| keep(&r.kind, r.threshold_m))
        .map(|r| {
            let change = report.before_after.iter().find(|c| {
                c.kind == r.kind && c.threshold_m == r.threshold_m && c.district == r.district
            });
            ApiRow {
                kind: &r.kind,
                threshold_m: r.threshold_m,
                district: r.district.as_deref(),
                district_id: r.district.as_ref().and_then(|name| {
                    let i = city.districts.iter().position(|d| &d.name == name)?;
                    Some(city.district_units[i].0)
                }),
                population_covered: r.population_covered,
                population_total: r.population_total,
                share: r.share,
                covered_before: change.map(|c| c.covered_before),
                gain: change.map(|c| c.gain),
            }
        })
        .collect()
}

fn api_credit<'a>(
    portfolio: &Portfolio,
    report: &'a Report,
    visible: &jianguan_access::Scope,
    keep: &impl Fn(&str, f64) -> bool,
) -> Vec<ApiCredit<'a>> {
    let by_id: HashMap<ProjectId, &jianguan_domain::model::Project> =
        portfolio.projects.iter().map(|p| (p.id, &**p)).collect();
    report
        .credit
        .iter()
        .filter(|c| keep(&c.kind, c.threshold_m))
        .filter_map(|c| {
            let id = coverage::project_of(&c.facility)?;
            let project = by_id.get(&id)?;
            visible.covers(project).then_some(ApiCredit {
                project_id: id.0,
                name: c.name.as_deref(),
                kind: &c.kind,
                since: c.since,
                threshold_m: c.threshold_m,
                newly_covered: c.newly_covered,
            })
        })
        .collect()
}
