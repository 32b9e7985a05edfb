use super::*;

fn default_scheme() -> Scheme {
    Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap()
}

fn score_world(w: &World, scheme: &Scheme) -> MonthScores {
    score_month(&w.input(), scheme, SubjectKind::District, october()).unwrap()
}

fn order(s: &MonthScores) -> Vec<(&str, Option<u32>, f64)> {
    s.subjects
        .iter()
        .map(|c| (c.subject.name.as_str(), c.rank, c.total))
        .collect()
}

fn names(list: &[ListEntry]) -> Vec<&str> {
    list.iter().map(|e| e.subject.name.as_str()).collect()
}

#[test]
fn the_explanation_lists_the_records_behind_each_deduction_and_bonus() {
    let w = world();
    let scores = score_world(&w, &default_scheme());
    let periods = october_periods(&w.portfolio);
    let (p21, due21) = periods[1];

    let jia = scores.subject(JIA).unwrap();
    let warning = jia.deduction("warning").unwrap();
    assert_eq!(
        (warning.count, warning.per, warning.points, warning.capped),
        (1.0, 0.5, 0.5, false)
    );
    assert_eq!(
        warning.records,
        [RecordRef::Warning {
            event: 12,
            project: ProjectId(1),
            milestone: MilestoneId(103),
            level: WarningLevel::Warning,
            on: date(2021, 10, 30),
        }]
    );
    let late = jia.deduction("filing_late").unwrap();
    assert_eq!(late.points, 0.2);
    assert_eq!(
        late.records,
        [RecordRef::Filing {
            project: ProjectId(1),
            period: p21,
            seq: 21,
            deadline: due21,
            status: FilingStatus::Late { days: 2 },
        }]
    );
    assert_eq!(
        jia.indicator("items_overdue").unwrap().records,
        [RecordRef::OverdueItem {
            item: ItemId(1),
            deadline: date(2021, 10, 10),
            days: 21,
        }]
    );
    let node = jia.indicator("node_completion").unwrap();
    assert_eq!(node.records.len(), 1);
    assert_eq!(node.target, Some(100.0));
    // Six central media reports, capped at 3 points.
    let media = jia.bonus("media_central").unwrap();
    assert_eq!(
        (media.count, media.points, media.capped, media.records.len()),
        (6.0, 3.0, true, 6)
    );

    let yi = scores.subject(YI).unwrap();
    let summoned = yi.deduction("summoned").unwrap();
    assert_eq!((summoned.count, summoned.points), (1.0, 2.0));
    let ids: Vec<i64> = summoned
        .records
        .iter()
        .map(|r| match r {
            RecordRef::Act { item, .. } => item.0,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, [5]);
    let missing = yi.deduction("filing_missing").unwrap();
    assert_eq!(
        (missing.points, &missing.records[..]),
        (
            0.5,
            &[RecordRef::Filing {
                project: ProjectId(2),
                period: p21,
                seq: 21,
                deadline: due21,
                status: FilingStatus::Missing,
            }][..]
        )
    );
    // 乙县 had a 约谈: accountable with the record named, and not rewarded.
    let entry = scores
        .accountability
        .iter()
        .find(|e| e.subject.id == YI)
        .unwrap();
    assert!(entry.reasons.iter().any(|r| matches!(
        r,
        ListReason::Flagged { indicator, count, records }
            if indicator == "acts_summons" && *count == 1.0 && records == &summoned.records
    )));
    assert!(scores.reward.iter().all(|e| e.subject.id != YI));
    // Every card adds up.
    for c in &scores.subjects {
        assert_eq!(
            c.total,
            ((c.base - c.deducted + c.added) * 100.0).round() / 100.0
        );
        let weighted: f64 = c.systems.iter().map(|s| s.weighted).sum();
        assert!((weighted - c.base).abs() < 0.005, "{}", c.subject.name);
    }
}

#[test]
fn a_missing_indicator_leaves_its_systems_weighting() {
    let w = world();
    let scores = score_world(&w, &default_scheme());
    let jia = scores.subject(JIA).unwrap();
    // 城乡环境综合整治: marketisation 92.9 ≥ 90 and mechanised 98.5 ≥ 95 score full; the
    // rectification rate has nothing to measure, so the two share the system.
    let env = &jia.systems[0];
    assert_eq!(env.subtotal, Some(100.0));
    let weights: Vec<f64> = env.indicators.iter().map(|l| l.effective_weight).collect();
    assert_eq!(weights, [0.5, 0.5, 0.0]);
    assert!(
        jia.missing
            .contains(&"rectification_first_pass".to_string())
    );
    assert!(jia.missing.contains(&"public_satisfaction".to_string()));
    let marketisation = &env.indicators[0];
    assert_eq!(
        (
            marketisation.value,
            marketisation.target,
            marketisation.points
        ),
        (Some(92.9), Some(90.0), Some(100.0))
    );
}

#[test]
fn deductions_and_bonuses_stop_at_their_caps() {
    let m = measured(
        SubjectKind::District,
        &[
            (
                1,
                "甲区",
                &[
                    ("public_satisfaction", Some(85.0)),
                    ("warnings_warning", Some(1.0)),
                    ("media_central", Some(1.0)),
                ],
            ),
            (
                5,
                "乙县",
                &[
                    ("public_satisfaction", Some(85.0)),
                    ("warnings_warning", Some(2.0)),
                    ("media_central", Some(2.0)),
                ],
            ),
            (
                6,
                "丙区",
                &[
                    ("public_satisfaction", Some(85.0)),
                    ("warnings_warning", Some(5.0)),
                    ("media_central", Some(7.0)),
                ],
            ),
        ],
    );
    let s = score_measured(&m, &small_scheme()).unwrap();
    let line = |id: UnitId| {
        let c = s.subject(id).unwrap();
        let d = c.deduction("warning").unwrap();
        let b = c.bonus("media_central").unwrap();
        (d.points, d.capped, b.points, b.capped, c.total)
    };
    assert_eq!(line(JIA), (0.5, false, 1.0, false, 85.5));
    // Exactly at the cap is not "capped".
    assert_eq!(line(YI), (1.0, false, 2.0, false, 86.0));
    assert_eq!(line(BING), (1.0, true, 2.0, true, 86.0));
    // The capped deduction still lists every record counted.
    assert_eq!(
        s.subject(BING)
            .unwrap()
            .deduction("warning")
            .unwrap()
            .records
            .len(),
        5
    );
}

#[test]
fn equal_totals_share_a_rank_listed_by_name_and_the_next_rank_is_skipped() {
    let m = measured(
        SubjectKind::District,
        &[
            (1, "甲区", &[("public_satisfaction", Some(80.0))]),
            (5, "乙县", &[("public_satisfaction", Some(90.0))]),
            (6, "丙区", &[("public_satisfaction", Some(90.0))]),
        ],
    );
    let s = score_measured(&m, &small_scheme()).unwrap();
    // 丙 (U+4E19) sorts before 乙 (U+4E59).
    assert_eq!(
        order(&s),
        [
            ("丙区", Some(1), 90.0),
            ("乙县", Some(1), 90.0),
            ("甲区", Some(3), 80.0)
        ]
    );
    // Ties with the last one rewarded are rewarded too.
    assert_eq!(names(&s.reward), ["丙区", "乙县"]);
    assert_eq!(names(&s.accountability), ["甲区"]);
}

#[test]
fn totals_equal_to_the_hundredth_tie() {
    let m = measured(
        SubjectKind::District,
        &[
            (
                1,
                "甲区",
                &[("public_satisfaction", Some(0.1 + 0.2 + 80.0))],
            ),
            (5, "乙县", &[("public_satisfaction", Some(80.3))]),
        ],
    );
    let s = score_measured(&m, &small_scheme()).unwrap();
    assert_eq!(s.subjects[0].rank, s.subjects[1].rank);
}

#[test]
fn the_rank_method_gives_ties_one_rank_and_a_subject_without_value_no_rank() {
    let text = SMALL_SCHEME.replace(
        "code = \"public_satisfaction\"\n  weight = 1\n  method = \"ratio_to_target\"\n  target = 100",
        "code = \"new_parking_spaces\"\n  weight = 1\n  method = \"rank\"\n  step = 10",
    );
    let scheme = Scheme::from_toml(&text).unwrap();
    let m = measured(
        SubjectKind::District,
        &[
            (1, "甲区", &[("new_parking_spaces", Some(30.0))]),
            (5, "乙县", &[("new_parking_spaces", Some(50.0))]),
            (6, "丙区", &[("new_parking_spaces", Some(50.0))]),
            (7, "丁县", &[("new_parking_spaces", None)]),
        ],
    );
    let s = score_measured(&m, &scheme).unwrap();
    let parking = |id: i64| {
        let l = s
            .subject(UnitId(id))
            .unwrap()
            .indicator("new_parking_spaces")
            .unwrap();
        (l.value_rank, l.points)
    };
    assert_eq!(parking(5), (Some(1), Some(100.0)));
    assert_eq!(parking(6), (Some(1), Some(100.0)));
    assert_eq!(parking(1), (Some(3), Some(80.0)));
    assert_eq!(parking(7), (None, None));
    // 丁县 has no value for any indicator: not ranked, no tier, listed last, on no list.
    let last = s.subjects.last().unwrap();
    assert_eq!(
        (last.subject.id, last.rank, last.tier.as_deref()),
        (UnitId(7), None, None)
    );
    assert!(s.accountability.iter().all(|e| e.subject.id != UnitId(7)));
    assert_eq!(names(&s.accountability), ["甲区"]);
}

#[test]
fn a_tier_covers_its_lower_bound_and_stops_below_its_upper_bound() {
    let m = measured(
        SubjectKind::District,
        &[
            (1, "a", &[("public_satisfaction", Some(100.0))]),
            (2, "b", &[("public_satisfaction", Some(90.0))]),
            (3, "c", &[("public_satisfaction", Some(89.99))]),
            (4, "d", &[("public_satisfaction", Some(80.0))]),
            (5, "e", &[("public_satisfaction", Some(79.99))]),
            (6, "f", &[("public_satisfaction", Some(0.0))]),
        ],
    );
    let s = score_measured(&m, &small_scheme()).unwrap();
    let tiers: Vec<(&str, &str)> = s
        .subjects
        .iter()
        .map(|c| (c.subject.name.as_str(), c.tier.as_deref().unwrap()))
        .collect();
    assert_eq!(
        tiers,
        [
            ("a", "好"),
            ("b", "好"),
            ("c", "较好"),
            ("d", "较好"),
            ("e", "差"),
            ("f", "差")
        ]
    );
    // Deductions can take a total below zero; the worst tier still covers it.
    let scheme = Scheme::from_toml(&SMALL_SCHEME.replace("cap = 1", "cap = 10")).unwrap();
    let m = measured(
        SubjectKind::District,
        &[(
            1,
            "a",
            &[
                ("public_satisfaction", Some(1.0)),
                ("warnings_warning", Some(8.0)),
            ],
        )],
    );
    let s = score_measured(&m, &scheme).unwrap();
    assert_eq!(
        (s.subjects[0].total, s.subjects[0].tier.as_deref()),
        (-3.0, Some("差"))
    );
}

#[test]
fn tiers_by_rank_follow_the_rank() {
    let start = SMALL_SCHEME.find("[tiers]").unwrap();
    let end = SMALL_SCHEME.find("[lists]").unwrap();
    let text = format!(
        r#"{}[tiers]
by = "rank"
[[tiers.tier]]
name = "前列"
first = 1
last = 1
[[tiers.tier]]
name = "其余"
first = 2
{}"#,
        &SMALL_SCHEME[..start],
        &SMALL_SCHEME[end..]
    );
    let scheme = Scheme::from_toml(&text).unwrap();
    let m = measured(
        SubjectKind::District,
        &[
            (1, "a", &[("public_satisfaction", Some(60.0))]),
            (2, "b", &[("public_satisfaction", Some(60.0))]),
            (3, "c", &[("public_satisfaction", Some(50.0))]),
        ],
    );
    let s = score_measured(&m, &scheme).unwrap();
    let tiers: Vec<&str> = s
        .subjects
        .iter()
        .map(|c| c.tier.as_deref().unwrap())
        .collect();
    assert_eq!(tiers, ["前列", "前列", "其余"]);
}

#[test]
fn a_system_without_any_value_leaves_the_weighting_or_scores_zero() {
    let two_systems = SMALL_SCHEME.replace(
        "[[system]]\ncode = \"s\"\nname = \"体系\"\nweight = 1\n",
        r#"[[system]]
code = "b"
name = "环境"
weight = 0.4

  [[system.indicator]]
  code = "mechanised_cleaning"
  weight = 1
  method = "ratio_to_target"
  target = 100

[[system]]
code = "s"
name = "体系"
weight = 0.6
"#,
    );
    let m = measured(
        SubjectKind::District,
        &[
            (
                1,
                "甲区",
                &[
                    ("public_satisfaction", Some(80.0)),
                    ("mechanised_cleaning", Some(50.0)),
                ],
            ),
            (
                5,
                "乙县",
                &[
                    ("public_satisfaction", Some(80.0)),
                    ("mechanised_cleaning", None),
                ],
            ),
        ],
    );
    let reweight = score_measured(&m, &Scheme::from_toml(&two_systems).unwrap()).unwrap();
    assert_eq!(reweight.subject(JIA).unwrap().base, 68.0);
    let yi = reweight.subject(YI).unwrap();
    assert_eq!(yi.base, 80.0);
    assert_eq!(yi.systems[0].subtotal, None);
    assert_eq!(
        (
            yi.systems[0].effective_weight,
            yi.systems[1].effective_weight
        ),
        (0.0, 1.0)
    );
    assert_eq!(yi.missing, ["mechanised_cleaning"]);

    let zero = two_systems.replace(
        "name = \"测试办法\"",
        "name = \"测试办法\"\nwhen_missing = \"zero\"",
    );
    let zero = score_measured(&m, &Scheme::from_toml(&zero).unwrap()).unwrap();
    let yi = zero.subject(YI).unwrap();
    assert_eq!(yi.base, 48.0);
    assert_eq!(yi.systems[0].subtotal, Some(0.0));
    assert_eq!(yi.systems[0].indicators[0].points, None);
}

#[test]
fn the_best_are_rewarded_and_the_worst_and_the_summoned_are_accountable() {
    let m = measured(
        SubjectKind::District,
        &[
            (
                1,
                "甲区",
                &[
                    ("public_satisfaction", Some(95.0)),
                    ("acts_summons", Some(1.0)),
                ],
            ),
            (
                5,
                "乙县",
                &[
                    ("public_satisfaction", Some(90.0)),
                    ("acts_summons", Some(0.0)),
                ],
            ),
            (6, "丙区", &[("public_satisfaction", Some(85.0))]),
            (7, "丁县", &[("public_satisfaction", Some(70.0))]),
            (8, "戊区", &[("public_satisfaction", Some(70.0))]),
        ],
    );
    let s = score_measured(&m, &small_scheme()).unwrap();
    // 甲区 ranks first but had a 约谈: "前1名表扬" praises nobody — its place is not handed
    // down to the next rank.
    assert_eq!(s.subject(JIA).unwrap().rank, Some(1));
    assert!(s.reward.is_empty(), "{:?}", names(&s.reward));
    // The bottom one, with the tie, and 甲区 for its 约谈.
    assert_eq!(names(&s.accountability), ["甲区", "丁县", "戊区"]);
    assert!(matches!(
        &s.accountability[0].reasons[..],
        [ListReason::Flagged { count, records, .. }] if *count == 1.0 && records.len() == 1
    ));
    assert_eq!(
        s.accountability[1].reasons,
        [ListReason::Bottom { rank: 4 }]
    );
    // Without the exclusion 甲区 is rewarded for its score, and stays accountable for its 约谈.
    let text = SMALL_SCHEME.replace(
        "reward_excludes_flagged = true",
        "reward_excludes_flagged = false",
    );
    let s = score_measured(&m, &Scheme::from_toml(&text).unwrap()).unwrap();
    assert_eq!(names(&s.reward), ["甲区"]);
    assert_eq!(names(&s.accountability), ["甲区", "丁县", "戊区"]);
    // Among few subjects, one in the bottom N is not rewarded even if in the top N.
    let text = SMALL_SCHEME.replace("reward_top = 1", "reward_top = 5");
    let s = score_measured(&m, &Scheme::from_toml(&text).unwrap()).unwrap();
    assert_eq!(names(&s.reward), ["乙县", "丙区"]);
    // A scheme that opts in to topping up hands 甲区's place to the best of the rest.
    let text = SMALL_SCHEME.replace(
        "reward_excludes_flagged = true",
        "reward_excludes_flagged = true\nreward_top_up = true",
    );
    let s = score_measured(&m, &Scheme::from_toml(&text).unwrap()).unwrap();
    assert_eq!(names(&s.reward), ["乙县"]);
    assert_eq!(s.reward[0].reasons, [ListReason::Top { rank: 2 }]);
}

#[test]
fn the_top_three_less_the_excluded_are_praised_never_lower_ranks() {
    // Eight districts ranked 1..8 by satisfaction; ranks 2–5 had a 约谈 in the month.
    const NAMES: [&str; 8] = ["区0", "区1", "区2", "区3", "区4", "区5", "区6", "区7"];
    let values: Vec<[(&str, Option<f64>); 2]> = (0..8)
        .map(|i| {
            let summoned = if (1..5).contains(&i) { 1.0 } else { 0.0 };
            [
                ("public_satisfaction", Some(99.0 - i as f64)),
                ("acts_summons", Some(summoned)),
            ]
        })
        .collect();
    let borrowed: Vec<Row<'_>> = (0..8)
        .map(|i| (100 + i as i64, NAMES[i], &values[i][..]))
        .collect();
    let m = measured(SubjectKind::District, &borrowed);
    let text = SMALL_SCHEME.replace("reward_top = 1", "reward_top = 3");
    let s = score_measured(&m, &Scheme::from_toml(&text).unwrap()).unwrap();
    // Only rank 1 of the top three remains; rank 6 is not pulled up into the list.
    assert_eq!(names(&s.reward), ["区0"]);
    assert!(s.reward.iter().all(|e| e.rank.unwrap() <= 3));
    // A top-up field the format does not know is refused, naming it.
    let bad = text.replace("reward_top = 3", "reward_top = 3\nreward_fill = true");
    let err = Scheme::from_toml(&bad).unwrap_err();
    assert!(err.to_string().contains("reward_fill"), "{err}");
    assert!(err.line.is_some());
}

#[test]
fn scoring_twice_or_from_shuffled_records_gives_identical_output() {
    let w = world();
    let scheme = default_scheme();
    let first = score_world(&w, &scheme);
    let second = score_world(&w, &scheme);
    assert_eq!(first, second);
    let json = serde_json::to_string(&first).unwrap();
    assert_eq!(json, serde_json::to_string(&second).unwrap());
    // The records in another order: the same scores to the byte.
    let mut shuffled = world();
    shuffled.portfolio.projects.reverse();
    shuffled.portfolio.units.reverse();
    shuffled.items.reverse();
    shuffled.media.reverse();
    shuffled.warnings = WarningBook::new(w.warnings.events().iter().rev().cloned().collect());
    shuffled.ledger = InvestmentLedger::new(&shuffled.portfolio);
    let third = score_world(&shuffled, &scheme);
    assert_eq!(serde_json::to_string(&third).unwrap(), json);
    // And back from JSON, equal.
    assert_eq!(serde_json::from_str::<MonthScores>(&json).unwrap(), first);
    // Lead units are scored the same way.
    let leads = score_month(&w.input(), &scheme, SubjectKind::LeadUnit, october()).unwrap();
    assert_eq!(leads.subjects.len(), 2);
    assert_eq!(leads.kind, SubjectKind::LeadUnit);
}

#[test]
fn the_trend_compares_with_the_previous_month() {
    let before = measured(
        SubjectKind::District,
        &[
            (1, "甲区", &[("public_satisfaction", Some(80.0))]),
            (5, "乙县", &[("public_satisfaction", Some(90.0))]),
        ],
    );
    let now = measured(
        SubjectKind::District,
        &[
            (1, "甲区", &[("public_satisfaction", Some(95.0))]),
            (5, "乙县", &[("public_satisfaction", Some(90.0))]),
            (6, "丙区", &[("public_satisfaction", Some(90.0))]),
        ],
    );
    let previous = score_measured(&before, &small_scheme()).unwrap();
    let s = score_measured(&now, &small_scheme())
        .unwrap()
        .with_trend(&previous);
    let jia = s.subject(JIA).unwrap().trend.unwrap();
    assert_eq!(
        (
            jia.previous_rank,
            jia.total_change,
            jia.rank_change,
            jia.arrow()
        ),
        (Some(2), 15.0, Some(1), "↑")
    );
    let yi = s.subject(YI).unwrap().trend.unwrap();
    assert_eq!((yi.rank_change, yi.arrow()), (Some(-1), "↓"));
    assert_eq!(s.subject(BING).unwrap().trend, None);
}

#[test]
fn a_scheme_for_another_year_or_naming_an_unknown_unit_is_refused() {
    let mut m = measured(SubjectKind::District, &[(1, "甲区", &[])]);
    m.month = Month::parse("2022-01").unwrap();
    assert_eq!(
        score_measured(&m, &small_scheme()),
        Err(ScoreError::WrongYear {
            scheme: 2021,
            month: m.month
        })
    );
    let w = world();
    let text = DEFAULT_SCHEME_TOML.replace(
        "  # targets = { \"示例高新区\" = 80 }",
        "  targets = { \"丙区\" = 88 }",
    );
    let scores = score_world(&w, &Scheme::from_toml(&text).unwrap());
    let line = |id| {
        let l = scores
            .subject(id)
            .unwrap()
            .indicator("street_cleaning_marketisation")
            .unwrap()
            .clone();
        (l.target, l.points.map(|p| (p * 100.0).round() / 100.0))
    };
    // 丙区's 88 meets its own target; 甲区 is measured against the default 90.
    assert_eq!(line(BING), (Some(88.0), Some(100.0)));
    assert_eq!(line(JIA), (Some(90.0), Some(100.0)));
    assert_eq!(line(YI), (Some(90.0), Some(100.0)));
    let text = text.replace("丙区", "丁区");
    assert!(matches!(
        score_month(
            &w.input(),
            &Scheme::from_toml(&text).unwrap(),
            SubjectKind::District,
            october()
        ),
        Err(ScoreError::Scheme(SchemeError { line: Some(_), .. }))
    ));
}
