use super::*;

use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};

#[test]
fn ratio_to_target_scores_the_share_of_the_target_capped_at_full_points() {
    assert_eq!(ratio_points(90.0, 90.0, Higher), 100.0);
    assert_eq!(ratio_points(99.0, 90.0, Higher), 100.0);
    assert_eq!(ratio_points(45.0, 90.0, Higher), 50.0);
    assert_eq!(ratio_points(0.0, 90.0, Higher), 0.0);
    assert_eq!(ratio_points(-5.0, 90.0, Higher), 0.0);
    // Lower is better: target ÷ value; at or under the target (or zero) full points.
    assert_eq!(ratio_points(2.0, 2.0, Lower), 100.0);
    assert_eq!(ratio_points(1.0, 2.0, Lower), 100.0);
    assert_eq!(ratio_points(0.0, 2.0, Lower), 100.0);
    assert_eq!(ratio_points(4.0, 2.0, Lower), 50.0);
}

#[test]
fn linear_scores_zero_at_worst_full_at_best_and_flat_beyond() {
    assert_eq!(linear_points(80.0, 80.0, 100.0), 0.0);
    assert_eq!(linear_points(70.0, 80.0, 100.0), 0.0);
    assert_eq!(linear_points(90.0, 80.0, 100.0), 50.0);
    assert_eq!(linear_points(100.0, 80.0, 100.0), 100.0);
    assert_eq!(linear_points(120.0, 80.0, 100.0), 100.0);
    // Lower is better: best below worst.
    assert_eq!(linear_points(0.0, 10.0, 0.0), 100.0);
    assert_eq!(linear_points(-1.0, 10.0, 0.0), 100.0);
    assert_eq!(linear_points(5.0, 10.0, 0.0), 50.0);
    assert_eq!(linear_points(10.0, 10.0, 0.0), 0.0);
    assert_eq!(linear_points(12.0, 10.0, 0.0), 0.0);
}

#[test]
fn rank_scores_full_for_the_first_and_a_step_less_per_rank_never_below_zero() {
    assert_eq!(rank_points(1, 5.0), 100.0);
    assert_eq!(rank_points(2, 5.0), 95.0);
    assert_eq!(rank_points(9, 5.0), 60.0);
    assert_eq!(rank_points(21, 5.0), 0.0);
    assert_eq!(rank_points(30, 5.0), 0.0);
    // Rank 0 does not occur; it does not score above full.
    assert_eq!(rank_points(0, 5.0), 100.0);
}

#[test]
fn competition_ranks_share_a_rank_on_ties_and_skip_the_next() {
    assert_eq!(
        competition_ranks(&[80.0, 95.0, 80.0, 60.0, 95.0], Higher),
        vec![3, 1, 3, 5, 1]
    );
    assert_eq!(
        competition_ranks(&[3.0, 0.0, 3.0, 1.0], Lower),
        vec![3, 1, 3, 2]
    );
    assert_eq!(competition_ranks(&[0.0, -0.0], Higher), vec![1, 1]);
    assert!(competition_ranks(&[], Higher).is_empty());
}

#[test]
fn a_month_parses_and_knows_its_days() {
    let m = Month::parse("2021-10").unwrap();
    assert_eq!((m.year(), m.month()), (2021, 10));
    assert_eq!(m.first_day(), date(2021, 10, 1));
    assert_eq!(m.last_day(), date(2021, 10, 31));
    assert_eq!(
        Month::parse("2021-2").unwrap().last_day(),
        date(2021, 2, 28)
    );
    assert_eq!(
        Month::parse("2020-02").unwrap().last_day(),
        date(2020, 2, 29)
    );
    assert_eq!(m.to_string(), "2021-10");
    assert_eq!(Month::parse("2021-1").unwrap().to_string(), "2021-01");
    assert_eq!(
        Month::parse("2021-01").unwrap().previous().to_string(),
        "2020-12"
    );
    assert_eq!(
        Month::parse("2021-12").unwrap().next().to_string(),
        "2022-01"
    );
    assert_eq!(Month::of(date(2021, 10, 31)), m);
    assert!(m.contains(date(2021, 10, 1)) && !m.contains(date(2021, 11, 1)));
    for bad in [
        "2021-13",
        "2021-00",
        "2021",
        "21-10",
        "2021-10-01",
        "x-y",
        "",
    ] {
        assert!(Month::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        Month::parse("2021-13").unwrap_err().to_string(),
        "月份「2021-13」应写作 2021-10"
    );
    assert_eq!(serde_json::to_string(&m).unwrap(), "\"2021-10\"");
    assert_eq!(serde_json::from_str::<Month>("\"2021-10\"").unwrap(), m);
    assert!(serde_json::from_str::<Month>("\"2021-13\"").is_err());
}

#[test]
fn an_entered_rate_above_100_percent_is_refused_naming_the_indicator_and_unit() {
    let dict = default_dictionary();
    let mut e = entry(1, "street_cleaning_marketisation", JIA, 92.9);
    assert_eq!(dict.check_entry(&e).unwrap().name, "道路清扫保洁市场化率");
    e.value = 100.0;
    dict.check_entry(&e).unwrap();
    e.value = 0.0;
    dict.check_entry(&e).unwrap();
    e.value = 100.5;
    let err = dict.check_entry(&e).unwrap_err();
    assert!(matches!(err, IndicatorError::OutOfRange { .. }));
    assert_eq!(
        err.to_string(),
        "指标「道路清扫保洁市场化率」（street_cleaning_marketisation）的值 100.5% 超出范围 0–100%"
    );
    e.value = -1.0;
    assert!(matches!(
        dict.check_entry(&e),
        Err(IndicatorError::OutOfRange { .. })
    ));
    e.value = f64::NAN;
    assert!(matches!(
        dict.check_entry(&e),
        Err(IndicatorError::NotFinite { .. })
    ));
}

#[test]
fn an_entered_count_must_be_a_whole_number_not_below_zero() {
    let dict = default_dictionary();
    let mut e = entry(1, "new_parking_spaces", JIA, 420.0);
    dict.check_entry(&e).unwrap();
    e.value = 12.5;
    let err = dict.check_entry(&e).unwrap_err();
    assert!(err.to_string().contains("新增停车泊位"), "{err}");
    assert!(err.to_string().contains("个"), "{err}");
    e.value = -3.0;
    assert!(
        dict.check_entry(&e)
            .unwrap_err()
            .to_string()
            .contains("≥ 0个")
    );
}

#[test]
fn computed_or_unknown_indicators_cannot_be_entered() {
    let dict = default_dictionary();
    let e = entry(1, "node_completion", JIA, 99.0);
    assert!(matches!(
        dict.check_entry(&e),
        Err(IndicatorError::NotEntered { .. })
    ));
    let e = entry(1, "street_cleaning", JIA, 99.0);
    assert_eq!(
        dict.check_entry(&e),
        Err(IndicatorError::Unknown("street_cleaning".into()))
    );
}

#[test]
fn the_dictionary_has_unique_codes_and_every_computed_indicator_once() {
    use ComputedIndicator as C;
    let dict = default_dictionary();
    let mut codes: Vec<&str> = dict.indicators.iter().map(|i| i.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), dict.indicators.len());
    for c in [
        C::NodeCompletion,
        C::OnTime,
        C::ProjectCompletion,
        C::InvestmentCompletion,
        C::FilingTimeliness,
        C::FilingsLate,
        C::FilingsMissing,
        C::WarningsWarning,
        C::ActsSupervision,
        C::ActsSummons,
        C::ItemsOverdue,
        C::RectificationFirstPass,
        C::MediaCentral,
        C::MediaProvincial,
        C::MediaCity,
        C::PlanChanges,
    ] {
        assert_eq!(
            dict.indicators
                .iter()
                .filter(|i| i.source == Source::Computed(c))
                .count(),
            1,
            "{c:?}"
        );
    }
    for code in [
        "street_cleaning_marketisation",
        "mechanised_cleaning",
        "new_parking_spaces",
        "public_satisfaction",
    ] {
        assert_eq!(dict.get(code).unwrap().source, Source::Entered, "{code}");
    }
    // Investment completed beyond the plan is possible, so that rate is open above.
    assert_eq!(dict.get("investment_completion").unwrap().range.max, None);
}

#[test]
fn a_media_report_needs_an_outlet_and_a_title() {
    let mut r = media(1, MediaLevel::Central, date(2021, 10, 1), JIA);
    r.check().unwrap();
    r.title = " ".into();
    assert_eq!(r.check(), Err(IndicatorError::Empty("报道标题")));
    assert_eq!(
        MediaLevel::from_code("provincial"),
        Some(MediaLevel::Provincial)
    );
    assert_eq!(MediaLevel::Central.label(), "中央媒体");
}
