use jiff::civil::date;
use proptest::prelude::*;

use super::*;
use crate::fixture::project;
use crate::model::Project;

fn at(lon: f64, lat: f64) -> GeoPoint {
    GeoPoint { lon, lat }
}

fn located(id: i64, lon: f64, lat: f64, milestones: &[(Date, Option<Date>)]) -> Project {
    let mut p = project(id, milestones);
    p.location = Some(at(lon, lat));
    p
}

fn point(id: i64, lon: f64, lat: f64, standing: Standing, light: Light) -> MapPoint {
    MapPoint {
        project: ProjectId(id),
        at: at(lon, lat),
        standing,
        light,
    }
}

#[test]
fn standing_ranks_suspension_then_a_complete_plan_then_an_overdue_milestone() {
    let as_of = date(2021, 6, 1);
    // Due 10 May, not reached: overdue.
    let overdue = project(1, &[(date(2021, 5, 10), None), (date(2021, 9, 1), None)]);
    assert_eq!(standing(&overdue, 2021, as_of), Standing::Overdue);
    // Due on the day itself: not yet overdue.
    let due_today = project(2, &[(as_of, None)]);
    assert_eq!(standing(&due_today, 2021, as_of), Standing::OnTime);
    // Reached late, but every milestone of the year is reached: finished.
    let finished = project(3, &[(date(2021, 3, 1), Some(date(2021, 4, 1)))]);
    assert_eq!(standing(&finished, 2021, as_of), Standing::Finished);
    // A year with nothing planned in it is not finished (the rates' rule).
    assert_eq!(standing(&finished, 2022, as_of), Standing::OnTime);
    // Suspended outranks overdue, from its day on.
    let mut suspended = overdue.clone();
    suspended.suspended_on = Some(date(2021, 5, 20));
    assert_eq!(standing(&suspended, 2021, as_of), Standing::Suspended);
    assert_eq!(
        standing(&suspended, 2021, date(2021, 5, 19)),
        Standing::Overdue
    );
}

#[test]
fn points_keep_the_year_and_filters_and_count_the_unlocated() {
    let as_of = date(2021, 6, 1);
    let mut other_district = located(3, 120.2, 30.3, &[(date(2021, 9, 1), None)]);
    other_district.district = UnitId(7);
    let mut other_year = located(4, 120.2, 30.3, &[(date(2021, 9, 1), None)]);
    other_year.year_plans[0].year = 2020;
    let projects = [
        located(1, 120.1, 30.2, &[(date(2021, 5, 1), None)]),
        located(2, 120.15, 30.25, &[(date(2021, 9, 1), None)]),
        other_district,
        other_year,
        project(5, &[(date(2021, 5, 1), None)]),
    ];
    let lights = |id: ProjectId| {
        if id.0 == 1 {
            Light::Yellow
        } else {
            Light::None
        }
    };
    let all = points(&projects, 2021, as_of, &MapFilter::default(), lights);
    let ids: Vec<i64> = all.points.iter().map(|p| p.project.0).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(all.unlocated, 1, "project 5 has no location");
    assert_eq!(all.points[0].standing, Standing::Overdue);
    assert_eq!(all.points[0].light, Light::Yellow);

    let district = MapFilter {
        district: Some(UnitId(1)),
        ..MapFilter::default()
    };
    let kept = points(&projects, 2021, as_of, &district, lights);
    assert_eq!(kept.points.len(), 2);
    assert_eq!(kept.unlocated, 1);

    let overdue = MapFilter {
        standing: Some(Standing::Overdue),
        ..MapFilter::default()
    };
    let kept = points(&projects, 2021, as_of, &overdue, lights);
    let ids: Vec<i64> = kept.points.iter().map(|p| p.project.0).collect();
    assert_eq!(ids, [1]);
    assert_eq!(kept.unlocated, 1, "project 5 is overdue too");

    // "Any light" keeps yellow; "red" keeps nothing here.
    let any_light = MapFilter {
        light: Some(Light::Blue),
        ..MapFilter::default()
    };
    assert_eq!(
        points(&projects, 2021, as_of, &any_light, lights)
            .points
            .len(),
        1
    );
    let red = MapFilter {
        light: Some(Light::Red),
        ..MapFilter::default()
    };
    assert!(
        points(&projects, 2021, as_of, &red, lights)
            .points
            .is_empty()
    );
}

#[test]
fn web_mercator_matches_the_published_tile_arithmetic() {
    // Zoom 0 is one 256-pixel tile: the equator and the prime meridian meet in its middle.
    let (x, y) = world_px(at(0.0, 0.0), 0);
    assert!((x - 128.0).abs() < 1e-9 && (y - 128.0).abs() < 1e-9);
    // The OSM wiki's slippy-map example: lon 13.377, lat 52.516 lies in tile (4400, 2686) at
    // zoom 13.
    let (x, y) = world_px(at(13.377, 52.516), 13);
    assert_eq!(((x / 256.0).floor(), (y / 256.0).floor()), (4400.0, 2686.0));
    // The poles are clamped to the projection's edge rather than running to infinity.
    let (_, top) = world_px(at(0.0, 90.0), 4);
    assert!(top.abs() < 1e-6);
}

#[test]
fn fit_holds_the_box_and_picks_the_highest_zoom_that_does() {
    let (sw, ne) = (at(120.0, 30.0), at(120.4, 30.3));
    let view = Viewport::fit(sw, ne, 960, 640, MAX_ZOOM);
    for corner in [sw, ne, at(sw.lon, ne.lat), at(ne.lon, sw.lat)] {
        let (x, y) = view.project(corner);
        assert!(
            (0.0..=960.0).contains(&x) && (0.0..=640.0).contains(&y),
            "{corner:?}"
        );
    }
    let closer = view.zoomed(1);
    let (x0, _) = closer.project(sw);
    let (x1, _) = closer.project(ne);
    assert!(x1 - x0 > 960.0 * 0.9, "one level more would not fit");
    // One point: the highest zoom allowed.
    assert_eq!(Viewport::fit(sw, sw, 960, 640, 16).zoom, 16);
}

#[test]
fn a_cropped_view_holds_the_box_with_its_margin_and_no_more() {
    let (sw, ne) = (at(120.0, 30.0), at(120.4, 30.3));
    let view = Viewport::cropped(sw, ne, 1000, 1000, 20, MAX_ZOOM);
    let (x0, y1) = view.project(sw);
    let (x1, y0) = view.project(ne);
    for (lo, hi, side) in [(x0, x1, view.width), (y0, y1, view.height)] {
        assert!(lo >= 19.0 && hi <= f64::from(side) - 19.0, "{view:?}");
        assert!(
            lo <= 21.5 && hi >= f64::from(side) - 21.5,
            "cut to the box: {view:?}"
        );
    }
}

#[test]
fn panning_moves_the_centre_by_the_pixels_asked_and_zoom_stays_in_range() {
    let view = Viewport {
        centre: at(120.2, 30.25),
        zoom: 12,
        width: 800,
        height: 600,
    };
    let moved = view.panned(100.0, -50.0);
    let (x, y) = view.project(moved.centre);
    assert!((x - 500.0).abs() < 1e-6 && (y - 250.0).abs() < 1e-6);
    assert_eq!(view.zoomed(20).zoom, MAX_ZOOM);
    assert_eq!(view.zoomed(-20).zoom, MIN_ZOOM);
    // About 30 m a pixel at zoom 12 near 30°N (the Web Mercator scale table).
    assert!(
        (view.metres_per_px() - 33.0).abs() < 1.0,
        "{}",
        view.metres_per_px()
    );
}

#[test]
fn marks_group_a_cell_into_a_cluster_and_leave_a_lone_project_alone() {
    let view = Viewport {
        centre: at(120.2, 30.25),
        zoom: 12,
        width: 800,
        height: 600,
    };
    let pts = [
        point(1, 120.2, 30.25, Standing::Overdue, Light::Yellow),
        point(2, 120.2001, 30.2501, Standing::OnTime, Light::None),
        point(3, 120.2002, 30.2499, Standing::Finished, Light::Red),
        // Far away within the view.
        point(4, 120.1, 30.2, Standing::OnTime, Light::None),
        // Outside the view.
        point(5, 121.5, 31.2, Standing::OnTime, Light::None),
    ];
    let marks = marks(&pts, &view, 48.0);
    assert_eq!(marks.len(), 2);
    let cluster = marks
        .iter()
        .find_map(|m| match m {
            Mark::Cluster(c) => Some(c),
            Mark::Project(..) => None,
        })
        .expect("a cluster");
    assert_eq!(cluster.count(), 3);
    assert_eq!(cluster.by_standing, [1, 1, 1, 0]);
    assert_eq!(cluster.light, Light::Red);
    assert!(
        marks
            .iter()
            .any(|m| matches!(m, Mark::Project(p, _) if p.project == ProjectId(4)))
    );
    // At the highest zoom every project stands alone.
    let street = Viewport {
        zoom: MAX_ZOOM,
        ..view
    };
    let alone = marks_at(&pts[..3], &street);
    assert_eq!(alone, 3);
}

#[test]
fn shade_breaks_split_the_districts_range_in_equal_steps() {
    assert_eq!(shade_breaks([]), None);
    let breaks = shade_breaks([0.5, 1.0, 0.75, f64::NAN]).expect("values");
    for (b, want) in breaks.iter().zip([0.5, 0.6, 0.7, 0.8, 0.9]) {
        assert!((b - want).abs() < 1e-12, "{breaks:?}");
    }
    assert_eq!(shade_class(0.5, &breaks), 0);
    assert_eq!(
        shade_class(breaks[1], &breaks),
        1,
        "a bound belongs to the class above it"
    );
    assert_eq!(shade_class(0.79, &breaks), 2);
    assert_eq!(
        shade_class(1.0, &breaks),
        4,
        "the highest value is in the top class"
    );
    // All alike: every district in one class.
    let flat = shade_breaks([0.8, 0.8]).expect("values");
    assert_eq!(shade_class(0.8, &flat), 4);
    assert_eq!(Shade::from_code("on_time"), Some(Shade::OnTime));
}

fn marks_at(pts: &[MapPoint], view: &Viewport) -> usize {
    marks(pts, view, 48.0)
        .iter()
        .filter(|m| matches!(m, Mark::Project(..)))
        .count()
}

proptest! {
    /// Every project in view (with the half-cell margin) is drawn exactly once, alone or in a
    /// cluster.
    #[test]
    fn marks_account_for_every_project_in_view(
        coords in prop::collection::vec((120.0f64..120.6, 30.0f64..30.5), 0..300),
        zoom in 8u8..=MAX_ZOOM,
    ) {
        let pts: Vec<MapPoint> = coords
            .iter()
            .enumerate()
            .map(|(i, &(lon, lat))| point(i as i64, lon, lat, Standing::ALL[i % 4], Light::None))
            .collect();
        let view = Viewport { centre: at(120.3, 30.25), zoom, width: 640, height: 480 };
        let margin = 24.0;
        let in_view = pts
            .iter()
            .filter(|p| {
                let (x, y) = view.project(p.at);
                (-margin..=640.0 + margin).contains(&x) && (-margin..=480.0 + margin).contains(&y)
            })
            .count();
        let drawn: u32 = marks(&pts, &view, 2.0 * margin)
            .iter()
            .map(|m| match m {
                Mark::Project(..) => 1,
                Mark::Cluster(c) => c.count(),
            })
            .sum();
        prop_assert_eq!(drawn as usize, in_view);
    }

    #[test]
    fn projecting_and_back_returns_the_point(
        lon in -179.0f64..179.0, lat in -80.0f64..80.0, zoom in MIN_ZOOM..=MAX_ZOOM,
    ) {
        let (x, y) = world_px(at(lon, lat), zoom);
        let back = from_world_px(x, y, zoom);
        prop_assert!((back.lon - lon).abs() < 1e-9 && (back.lat - lat).abs() < 1e-9);
    }
}
