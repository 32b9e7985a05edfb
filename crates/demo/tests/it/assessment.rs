//! The demo city's assessment inputs: the speech's year-end sanitation rates and central media
//! count, values every district has for every month, all accepted by the indicator
//! dictionary's gate, parking consistent with the car parks built — and a month scored from
//! them through the domain's own scheme.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use jianguan_demo::{
    CENTRAL_REPORTS, DEMO_YEAR, DemoAssessment, MARKETISATION_RATE, MECHANISED_RATE,
    demo_assessment, demo_cadence, demo_city,
};
use jianguan_domain::assessment::{
    AssessmentInput, DEFAULT_SCHEME_TOML, MediaLevel, Month, Scheme, SubjectKind,
    default_dictionary, score_month,
};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::model::{Portfolio, ProjectStatus, UnitKind};
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::warnings::WarningBook;

static CITY: LazyLock<Portfolio> = LazyLock::new(demo_city);
static DEMO: LazyLock<DemoAssessment> = LazyLock::new(|| demo_assessment(&CITY));

fn month(m: i8) -> Month {
    Month::new(DEMO_YEAR, m).unwrap()
}

/// The mean of the districts' values of `indicator` in `month`.
fn citywide_mean(indicator: &str, month: Month) -> f64 {
    let values: Vec<f64> = DEMO
        .entered
        .iter()
        .filter(|e| e.indicator == indicator && e.month == month)
        .map(|e| e.value)
        .collect();
    assert_eq!(
        values.len(),
        9,
        "{indicator} {month}: one value per district"
    );
    values.iter().sum::<f64>() / values.len() as f64
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[test]
fn the_inputs_are_the_same_on_every_call() {
    assert_eq!(demo_assessment(&CITY), *DEMO);
}

#[test]
fn the_year_ends_at_the_speech_s_sanitation_rates() {
    let december = month(12);
    let market = citywide_mean("street_cleaning_marketisation", december);
    let mechanised = citywide_mean("mechanised_cleaning", december);
    assert_eq!(one_decimal(market), MARKETISATION_RATE);
    assert_eq!(one_decimal(mechanised), MECHANISED_RATE);
    assert_eq!((MARKETISATION_RATE, MECHANISED_RATE), (92.9, 98.5));
    // The rates rose through the year towards those figures.
    assert!(citywide_mean("street_cleaning_marketisation", month(1)) < market - 2.0);
    assert!(citywide_mean("mechanised_cleaning", month(1)) <= mechanised);
}

#[test]
fn every_district_has_every_month_and_every_value_passes_the_gate() {
    let dictionary = default_dictionary();
    for e in &DEMO.entered {
        dictionary
            .check_entry(e)
            .unwrap_or_else(|err| panic!("{e:?}: {err}"));
        assert_eq!(e.id, 0, "the store assigns ids");
    }
    let districts: Vec<_> = CITY.units_of(UnitKind::District).map(|u| u.id).collect();
    for indicator in [
        "street_cleaning_marketisation",
        "mechanised_cleaning",
        "public_satisfaction",
        "new_parking_spaces",
    ] {
        for m in 1..=12 {
            for &d in &districts {
                let n = DEMO
                    .entered
                    .iter()
                    .filter(|e| e.indicator == indicator && e.month == month(m) && e.subject == d)
                    .count();
                assert_eq!(n, 1, "{indicator} {} {d}", month(m));
            }
        }
    }
    // Lead units enter what they can be credited with.
    let leads: HashSet<_> = CITY.units_of(UnitKind::LeadUnit).map(|u| u.id).collect();
    assert!(
        DEMO.entered
            .iter()
            .any(|e| leads.contains(&e.subject) && e.indicator == "info_adopted")
    );
}

#[test]
fn new_parking_spaces_are_those_of_the_car_parks_built_each_month() {
    let entered: i64 = DEMO
        .entered
        .iter()
        .filter(|e| e.indicator == "new_parking_spaces")
        .map(|e| e.value as i64)
        .sum();
    let parking = CITY
        .categories
        .iter()
        .find(|c| c.name == "停车场建设")
        .unwrap()
        .id;
    let mut built = 0;
    let mut by_month: BTreeMap<Month, i64> = BTreeMap::new();
    for p in CITY.projects.iter().filter(|p| p.category == parking) {
        let done = p
            .milestones
            .iter()
            .find(|m| m.enters == Some(ProjectStatus::Built))
            .and_then(|m| m.actual)
            .filter(|d| d.year() == DEMO_YEAR);
        if let Some(d) = done {
            built += p.scale.parking_spaces.unwrap();
            *by_month.entry(Month::of(d)).or_default() += p.scale.parking_spaces.unwrap();
        }
    }
    assert_eq!(entered, built);
    assert!(
        built > 4000,
        "85 car parks with more than 4,000 spaces: {built}"
    );
    for (m, spaces) in by_month {
        let entered: i64 = DEMO
            .entered
            .iter()
            .filter(|e| e.indicator == "new_parking_spaces" && e.month == m)
            .map(|e| e.value as i64)
            .sum();
        assert_eq!(entered, spaces, "{m}");
    }
}

#[test]
fn the_register_holds_168_central_reports_about_the_city_s_projects() {
    let count = |level| DEMO.media.iter().filter(|r| r.level == level).count();
    assert_eq!(count(MediaLevel::Central), CENTRAL_REPORTS);
    assert_eq!(CENTRAL_REPORTS, 168);
    assert!(count(MediaLevel::Provincial) > CENTRAL_REPORTS);
    assert!(count(MediaLevel::City) > count(MediaLevel::Provincial));
    let projects: HashSet<_> = CITY.projects.iter().map(|p| p.id).collect();
    let credited: HashSet<_> = CITY
        .units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::District | UnitKind::LeadUnit))
        .map(|u| u.id)
        .collect();
    assert!(DEMO.media.windows(2).all(|w| w[0].date <= w[1].date));
    for r in &DEMO.media {
        r.check().unwrap();
        assert_eq!(r.date.year(), DEMO_YEAR);
        assert!(!r.projects.is_empty() && r.projects.iter().all(|p| projects.contains(p)));
        assert!(credited.contains(&r.unit), "{r:?}");
        assert!(r.title.starts_with("示例市"), "{}", r.title);
    }
    // Every month has central coverage, and lead units are credited too.
    for m in 1..=12 {
        assert!(
            DEMO.media
                .iter()
                .any(|r| r.level == MediaLevel::Central && month(m).contains(r.date))
        );
    }
    let leads: HashSet<_> = CITY.units_of(UnitKind::LeadUnit).map(|u| u.id).collect();
    assert!(DEMO.media.iter().any(|r| leads.contains(&r.unit)));
}

#[test]
fn october_scored_from_the_demo_names_districts_on_both_lists() {
    let cadence = demo_cadence(&CITY);
    let ledger = InvestmentLedger::new(&CITY);
    let filings = ReportIndex::of_reports(&CITY.reports);
    let warnings = WarningBook::new(cadence.warnings);
    let dictionary = default_dictionary();
    let input = AssessmentInput {
        portfolio: &CITY,
        ledger: &ledger,
        filings: &filings,
        warnings: &warnings,
        items: &cadence.items,
        entered: &DEMO.entered,
        media: &DEMO.media,
        dictionary: &dictionary,
        plan_changes: &[],
    };
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    let scores = score_month(&input, &scheme, SubjectKind::District, month(10)).unwrap();
    assert_eq!(scores.subjects.len(), 9);
    assert!(scores.subjects.iter().all(|s| s.rank.is_some()));
    // Every entered indicator of the scheme has a value for every district.
    for s in &scores.subjects {
        for code in [
            "street_cleaning_marketisation",
            "mechanised_cleaning",
            "public_satisfaction",
            "new_parking_spaces",
        ] {
            assert!(!s.missing.contains(&code.to_string()), "{code}");
        }
    }
    assert!(!scores.reward.is_empty() && !scores.accountability.is_empty());
    // The county whose attention lags is among the worst.
    let last = scores
        .accountability
        .iter()
        .map(|e| e.subject.name.as_str());
    assert!(
        last.clone().any(|n| n == "望舒县"),
        "{:?}",
        last.collect::<Vec<_>>()
    );
    let leads = score_month(&input, &scheme, SubjectKind::LeadUnit, month(10)).unwrap();
    assert_eq!(leads.subjects.len(), 7);
}
