//! The demo city reproduces the speech's figures and patterns, measured through the domain's
//! overview and rates rather than the generator's own tables.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use jianguan_demo::{DEMO_YEAR, demo_city};
use jianguan_domain::model::{Money, PlanKind, Portfolio, Project, UnitKind};
use jianguan_domain::overview::{Figures, Overview};
use jianguan_domain::rates;
use jiff::civil::{Date, date};

static CITY: LazyLock<Portfolio> = LazyLock::new(demo_city);
static OVERVIEW: LazyLock<Overview> =
    LazyLock::new(|| Overview::compute(&CITY, DEMO_YEAR, year_end()));

fn year_end() -> Date {
    date(2021, 12, 31)
}

fn category(name_part: &str) -> &'static Figures {
    let found: Vec<_> = OVERVIEW
        .categories
        .iter()
        .filter(|c| c.name.contains(name_part))
        .collect();
    assert_eq!(found.len(), 1, "one category named like {name_part}");
    &found[0].figures
}

fn project_named(name_part: &str) -> &'static Project {
    CITY.projects
        .iter()
        .find(|p| p.name.contains(name_part))
        .unwrap_or_else(|| panic!("a project named like {name_part}"))
}

fn milestone_date(project: &Project, name: &str) -> (Date, Option<Date>) {
    let m = project
        .milestones
        .iter()
        .find(|m| m.name == name)
        .expect("milestone");
    (m.planned, m.actual)
}

fn percent(value: f64) -> f64 {
    (value * 10_000.0).round() / 100.0
}

#[test]
fn the_city_has_1362_projects_all_started_with_12_preliminary() {
    let total = &OVERVIEW.total;
    assert_eq!(total.projects, 1362);
    assert_eq!(total.preliminary_projects, 12);
    assert_eq!(total.started_projects, 1362);
    assert_eq!(total.suspended_projects, 0);
}

#[test]
fn project_completion_is_1222_of_1350_or_90_52_percent() {
    let rate = OVERVIEW.total.project_completion;
    assert_eq!((rate.numerator, rate.denominator), (1222, 1350));
    assert_eq!(percent(rate.value().unwrap()), 90.52);
}

#[test]
fn node_completion_rounds_to_99_percent() {
    let value = OVERVIEW.total.node_completion.value().unwrap();
    assert!((0.985..0.995).contains(&value), "node completion {value}");
    assert_eq!((value * 100.0).round(), 99.0);
}

#[test]
fn each_category_plans_and_finishes_what_the_speech_says() {
    let expected = [
        ("老旧小区", 158, 156),
        ("背街小巷", 186, 156),
        ("公厕", 161, 161),
        ("停车场", 85, 85),
        ("邻里中心", 136, 136),
        ("邮票绿地", 220, 210),
        ("农贸市场", 60, 46),
        ("街景立面", 120, 100),
        ("道路交通", 140, 108),
        ("黑臭水体", 44, 36),
        ("城中村", 40, 28),
    ];
    for (name, planned, finished) in expected {
        let f = category(name);
        assert_eq!((f.planned(), f.finished()), (planned, finished), "{name}");
    }
    assert_eq!(OVERVIEW.categories.len(), 11);
}

#[test]
fn alleys_invested_exactly_3_13_yi_yuan() {
    assert_eq!(
        category("背街小巷").investment.completed,
        Money(313_000_000)
    );
}

#[test]
fn toilets_are_145_new_and_16_renovated() {
    let f = category("公厕");
    assert_eq!(f.finished_by_build_type.new, 145);
    assert_eq!(f.finished_by_build_type.renovation, 16);
    assert_eq!(f.finished_scale.toilets, 161);
}

#[test]
fn car_parks_exceed_the_4000_space_target() {
    let f = category("停车场");
    assert_eq!(f.finished(), 85);
    assert!(
        f.finished_scale.parking_spaces > 4000,
        "{}",
        f.finished_scale.parking_spaces
    );
}

#[test]
fn the_lagging_county_has_the_lowest_district_completion_rate() {
    let rate = |name: &str| {
        let d = OVERVIEW
            .districts
            .iter()
            .find(|d| d.name == name)
            .expect("district");
        d.figures.project_completion.value().unwrap()
    };
    let lagging = rate("望舒县");
    assert_eq!(OVERVIEW.districts.len(), 9);
    for d in OVERVIEW.districts.iter().filter(|d| d.name != "望舒县") {
        let other = d.figures.project_completion.value().unwrap();
        assert!(
            lagging + 0.05 < other,
            "望舒县 {lagging} against {} {other}",
            d.name
        );
    }
    let overdue = |name: &str| {
        OVERVIEW
            .districts
            .iter()
            .find(|d| d.name == name)
            .unwrap()
            .figures
            .overdue_milestones
    };
    let most_elsewhere = OVERVIEW
        .districts
        .iter()
        .filter(|d| d.name != "望舒县")
        .map(|d| d.figures.overdue_milestones)
        .max()
        .unwrap();
    assert!(overdue("望舒县") > most_elsewhere);
}

#[test]
fn the_lagging_county_reports_late_and_blames_institutional_reform() {
    let county = CITY.units.iter().find(|u| u.name == "望舒县").unwrap().id;
    let in_county: HashSet<_> = CITY
        .projects
        .iter()
        .filter(|p| p.district == county)
        .map(|p| p.id)
        .collect();
    let deadline: HashMap<_, _> = CITY.periods.iter().map(|p| (p.id, p.deadline)).collect();
    let late_share = |inside: bool| {
        let filed: Vec<_> = CITY
            .reports
            .iter()
            .filter(|r| r.version == 1 && in_county.contains(&r.project) == inside)
            .collect();
        filed
            .iter()
            .filter(|r| r.filed_on > deadline[&r.period])
            .count() as f64
            / filed.len() as f64
    };
    assert!(late_share(true) > 3.0 * late_share(false));
    // Some of its reports were never filed: a gap between a project's first and last period.
    let mut seqs: BTreeMap<_, Vec<u16>> = BTreeMap::new();
    let seq: HashMap<_, _> = CITY.periods.iter().map(|p| (p.id, p.seq)).collect();
    for r in CITY.reports.iter().filter(|r| r.version == 1) {
        seqs.entry((in_county.contains(&r.project), r.project))
            .or_default()
            .push(seq[&r.period]);
    }
    let gaps = |inside: bool| {
        seqs.iter()
            .filter(|((i, _), _)| *i == inside)
            .map(|(_, s)| usize::from(s[s.len() - 1] - s[0]) + 1 - s.len())
            .sum::<usize>()
    };
    assert!(gaps(true) > 0);
    assert_eq!(gaps(false), 0);
    assert!(
        CITY.reports
            .iter()
            .any(|r| in_county.contains(&r.project) && r.note.contains("机构改革、人员变动"))
    );
}

#[test]
fn the_black_odorous_water_project_finished_five_months_late_after_a_provincial_warning() {
    let p = project_named("梵音河黑臭水体整治");
    let (planned, actual) = milestone_date(p, "竣工验收");
    assert_eq!(planned, date(2021, 5, 31));
    assert_eq!(actual, Some(date(2021, 10, 28)));
    let m = p.milestones.iter().find(|m| m.name == "竣工验收").unwrap();
    let late = rates::days_late(m, year_end()).unwrap();
    assert!((140..=160).contains(&late), "{late} days late");
    assert!(rates::annual_plan_complete(p, DEMO_YEAR, year_end()));
    let warned = CITY
        .reports
        .iter()
        .filter(|r| r.project == p.id)
        .filter(|r| {
            r.problems
                .iter()
                .any(|q| q.description.contains("省住建厅警示提醒"))
        })
        .count();
    assert!(warned >= 5, "warned in {warned} reports");
}

#[test]
fn one_districts_toilets_finish_last_in_november_and_everyone_elses_by_october() {
    let toilets = CITY
        .categories
        .iter()
        .find(|c| c.name.contains("公厕"))
        .unwrap()
        .id;
    let mut last: BTreeMap<&str, Date> = BTreeMap::new();
    let by_district: Vec<_> = CITY
        .units_of(UnitKind::District)
        .map(|d| {
            let only = Portfolio {
                projects: CITY
                    .projects
                    .iter()
                    .filter(|p| p.category == toilets && p.district == d.id)
                    .cloned()
                    .collect(),
                ..Portfolio::default()
            };
            let figures = Overview::compute(&only, DEMO_YEAR, year_end()).total;
            (
                d.name.as_str(),
                figures.all_finished_on.expect("all toilets finished"),
            )
        })
        .collect();
    last.extend(by_district);
    let november: Vec<_> = last.iter().filter(|(_, d)| d.month() == 11).collect();
    assert_eq!(november.len(), 1, "{last:?}");
    for (name, day) in &last {
        if *name != *november[0].0 {
            assert!(*day <= date(2021, 10, 31), "{name} finished {day}");
        }
    }
}

#[test]
fn the_city_investment_park_spent_half_its_cycle_in_preliminary_work() {
    let p = project_named("翠屏公园（第三期）");
    let lead = CITY.unit_name(p.lead_unit);
    assert_eq!(lead, "市城投公司");
    let share = rates::preliminary_share(p, year_end()).unwrap();
    assert!((0.45..0.6).contains(&share), "preliminary share {share}");
}

#[test]
fn blocked_roads_raise_problems_needing_military_and_railway_coordination() {
    let bodies = |p: &Project| -> Vec<String> {
        CITY.reports
            .iter()
            .filter(|r| r.project == p.id)
            .flat_map(|r| {
                r.problems
                    .iter()
                    .filter_map(|q| q.needs_coordination_with.clone())
            })
            .collect()
    };
    let roads = CITY
        .categories
        .iter()
        .find(|c| c.name.contains("道路交通"))
        .unwrap()
        .id;
    let army: Vec<_> = CITY
        .projects
        .iter()
        .filter(|p| p.category == roads && bodies(p).iter().any(|b| b == "部队"))
        .collect();
    assert_eq!(army.len(), 1);
    assert!(!rates::annual_plan_complete(army[0], DEMO_YEAR, year_end()));
    assert!(bodies(army[0]).len() >= 3, "raised over several periods");
    let stuck = CITY
        .reports
        .iter()
        .filter(|r| r.project == army[0].id)
        .flat_map(|r| &r.problems)
        .any(|q| q.description.contains("征地拆迁"));
    assert!(stuck);
    assert!(
        CITY.projects
            .iter()
            .any(|p| bodies(p).iter().any(|b| b == "铁路"))
    );
}

#[test]
fn inspections_find_work_deviating_from_the_design() {
    let problems: Vec<&str> = CITY
        .reports
        .iter()
        .flat_map(|r| &r.problems)
        .map(|q| q.description.as_str())
        .collect();
    assert!(
        problems
            .iter()
            .any(|d| d.contains("材质选择、色彩搭配与设计有出入"))
    );
    let garden = project_named("白芷县芷兰小游园");
    assert!(
        CITY.reports
            .iter()
            .filter(|r| r.project == garden.id)
            .any(|r| r
                .problems
                .iter()
                .any(|q| q.description.contains("施工与设计方案有出入")))
    );
}

#[test]
fn the_demo_city_is_the_same_on_every_call() {
    assert_eq!(demo_city(), *CITY);
}

#[test]
fn reports_name_real_milestones_and_investment_never_goes_down() {
    let milestones: HashMap<_, _> = CITY
        .projects
        .iter()
        .flat_map(|p| p.milestones.iter().map(move |m| (m.id, (p.id, m.actual))))
        .collect();
    let period_end: HashMap<_, _> = CITY.periods.iter().map(|p| (p.id, p.end)).collect();
    let mut latest: BTreeMap<_, (u16, Money)> = BTreeMap::new();
    for r in &CITY.reports {
        for (m, on) in &r.milestones_reached {
            let (project, actual) = milestones.get(m).expect("milestone exists");
            assert_eq!(*project, r.project);
            assert_eq!(*actual, Some(*on));
        }
        let key = (r.project, period_end[&r.period]);
        let entry = latest
            .entry(key)
            .or_insert((r.version, r.investment_to_date));
        if r.version >= entry.0 {
            *entry = (r.version, r.investment_to_date);
        }
    }
    let mut previous: Option<(_, Money)> = None;
    for ((project, _), (_, money)) in latest {
        if let Some((p, m)) = previous
            && p == project
        {
            assert!(money >= m, "investment fell for project {project}");
        }
        previous = Some((project, money));
    }
}

#[test]
fn every_milestone_reached_is_reported_once() {
    let reported: Vec<_> = CITY
        .reports
        .iter()
        .filter(|r| r.version == 1)
        .flat_map(|r| r.milestones_reached.iter().map(|(m, _)| *m))
        .collect();
    let unique: HashSet<_> = reported.iter().collect();
    assert_eq!(unique.len(), reported.len());
    let reached = CITY
        .projects
        .iter()
        .flat_map(|p| &p.milestones)
        .filter(|m| m.actual.is_some())
        .count();
    assert_eq!(reported.len(), reached);
}

#[test]
fn corrections_are_later_versions_filed_after_the_deadline_with_a_reason() {
    let deadline: HashMap<_, _> = CITY.periods.iter().map(|p| (p.id, p.deadline)).collect();
    let corrections: Vec<_> = CITY.reports.iter().filter(|r| r.version > 1).collect();
    assert!((15..=25).contains(&corrections.len()));
    for c in corrections {
        assert!(
            c.correction_reason
                .as_deref()
                .is_some_and(|r| !r.is_empty())
        );
        assert!(c.filed_on > deadline[&c.period]);
        let original = CITY
            .reports
            .iter()
            .find(|r| r.project == c.project && r.period == c.period && r.version == 1)
            .expect("the original is kept");
        assert_ne!(original.investment_to_date, c.investment_to_date);
    }
    assert!(
        CITY.reports
            .iter()
            .filter(|r| r.version == 1)
            .all(|r| r.correction_reason.is_none())
    );
}

#[test]
fn ids_and_codes_are_unique_and_references_resolve() {
    let units: HashSet<_> = CITY.units.iter().map(|u| u.id).collect();
    assert_eq!(units.len(), CITY.units.len());
    let codes: HashSet<_> = CITY.projects.iter().map(|p| &p.code).collect();
    assert_eq!(codes.len(), CITY.projects.len());
    let names: HashSet<_> = CITY.projects.iter().map(|p| &p.name).collect();
    assert_eq!(names.len(), CITY.projects.len());
    let milestones: HashSet<_> = CITY
        .projects
        .iter()
        .flat_map(|p| &p.milestones)
        .map(|m| m.id)
        .collect();
    assert_eq!(milestones.len(), CITY.projects.len() * 10);
    let reports: HashSet<_> = CITY.reports.iter().map(|r| r.id).collect();
    assert_eq!(reports.len(), CITY.reports.len());
    for p in &CITY.projects {
        for unit in [p.district, p.lead_unit, p.responsible_unit, p.sub_hq] {
            assert!(units.contains(&unit));
        }
        let responsible = CITY.unit(p.responsible_unit).unwrap();
        assert_eq!(
            responsible.parent,
            Some(p.district),
            "{} builds in its district",
            p.name
        );
        assert!(p.suspended_on.is_none());
        assert!(p.milestones.windows(2).all(|w| w[0].planned < w[1].planned));
    }
}

#[test]
fn annual_projects_plan_all_milestones_within_2021_and_cross_year_ones_start_in_it() {
    for p in &CITY.projects {
        let plan = p
            .plan_for(DEMO_YEAR)
            .expect("every project is in the 2021 campaign");
        let in_year = p
            .milestones
            .iter()
            .filter(|m| m.planned.year() == DEMO_YEAR)
            .count();
        match plan.kind {
            PlanKind::Construction => assert_eq!(in_year, 10, "{}", p.name),
            PlanKind::Preliminary => {
                assert_eq!(in_year, 6, "{}", p.name);
                assert!(
                    p.plan_for(DEMO_YEAR + 1)
                        .is_some_and(|y| y.kind == PlanKind::Construction)
                );
            }
        }
        assert!(
            p.milestones
                .iter()
                .filter_map(|m| m.actual)
                .all(|a| a <= year_end())
        );
    }
}

#[test]
fn no_real_place_names_appear() {
    let real = [
        "青云谱",
        "东湖",
        "西湖",
        "大梵寺",
        "红谷滩",
        "滕王阁",
        "象湖",
        "艾溪湖",
        "赣江",
        "南昌",
    ];
    let names = CITY
        .units
        .iter()
        .map(|u| u.name.as_str())
        .chain(
            CITY.projects
                .iter()
                .flat_map(|p| [p.name.as_str(), p.street.as_str()]),
        )
        .chain(CITY.reports.iter().map(|r| r.note.as_str()));
    for name in names {
        for place in real {
            assert!(!name.contains(place), "{name} contains {place}");
        }
    }
}

#[test]
fn generation_is_fast() {
    let started = std::time::Instant::now();
    demo_city();
    // Generous for debug builds; in release it takes a few tens of milliseconds.
    assert!(started.elapsed().as_secs() < 5);
}
