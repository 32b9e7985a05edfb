use super::*;

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the text"))
        + 1
}

/// The 1-based line of the `n`-th (from 0) line equal to `needle` once trimmed.
fn nth_line(text: &str, needle: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == needle)
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}th `{needle}`"))
        .0
        + 1
}

fn refused(text: &str) -> SchemeError {
    Scheme::from_toml(text).expect_err("the scheme should be refused")
}

#[test]
fn the_default_scheme_is_valid_and_unifies_the_three_systems() {
    let s = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    assert_eq!((s.year, s.version), (2021, 1));
    let systems: Vec<(&str, f64)> = s
        .systems
        .iter()
        .map(|x| (x.name.as_str(), x.weight))
        .collect();
    assert_eq!(
        systems,
        vec![
            ("城乡环境综合整治", 0.3),
            ("城市功能与品质提升", 0.5),
            ("城市综合管理", 0.2)
        ]
    );
    assert_eq!(s.when_missing, MissingRule::Reweight);
    assert_eq!(s.objection_window_days, 5);
    assert_eq!(s.tiers.by, TierBasis::Score);
    let tiers: Vec<&str> = s.tiers.tiers.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tiers, ["好", "较好", "一般", "差"]);
    assert_eq!(s.lists.accountability_if.as_deref(), Some("acts_summons"));
    // Indicators carry the dictionary's name, unit and direction.
    let overdue = s.indicator("items_overdue").unwrap();
    assert_eq!(overdue.direction, Direction::LowerIsBetter);
    assert_eq!(
        overdue.method,
        Method::Linear {
            worst: 10.0,
            best: 0.0
        }
    );
    let warning = &s.deductions[0];
    assert_eq!(
        (warning.indicator_name.as_str(), warning.unit.as_str()),
        ("警示", "次")
    );
    // The default refers to no unit by name, so it scores any portfolio.
    assert!(s.indicators().all(|(_, i)| i.overrides.is_empty()));
    // The scheme is data: it serialises for the scheme viewer and reads back.
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Scheme>(&json).unwrap(), s);
}

#[test]
fn a_typo_in_an_indicator_code_is_refused_naming_its_line() {
    let text = DEFAULT_SCHEME_TOML.replace("code = \"on_time\"", "code = \"on_tiem\"");
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "on_tiem")), "{err}");
    assert!(err.message.contains("on_tiem"), "{err}");
    // A deduction's indicator too.
    let text = DEFAULT_SCHEME_TOML.replace(
        "indicator = \"acts_supervision\"",
        "indicator = \"acts_supervise\"",
    );
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "acts_supervise\"")), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("第{}行：", err.line.unwrap()))
    );
}

#[test]
fn system_weights_that_do_not_sum_to_one_are_refused_at_the_first_system() {
    let text = DEFAULT_SCHEME_TOML.replace("weight = 0.2\n", "weight = 0.25\n");
    let err = refused(&text);
    assert_eq!(err.line, Some(nth_line(&text, "[[system]]", 0)), "{err}");
    assert!(err.message.contains("1.05"), "{err}");
    assert!(err.message.contains("0.3 + 0.5 + 0.25"), "{err}");
}

#[test]
fn indicator_weights_within_a_system_that_do_not_sum_to_one_are_refused_at_that_system() {
    // The second system's on-time weight 0.25 → 0.2: its indicators sum to 0.95.
    let text = DEFAULT_SCHEME_TOML.replacen(
        "code = \"on_time\"                         # 按期完成率\n  weight = 0.25",
        "code = \"on_time\"                         # 按期完成率\n  weight = 0.2",
        1,
    );
    assert_ne!(text, DEFAULT_SCHEME_TOML);
    let err = refused(&text);
    assert_eq!(err.line, Some(nth_line(&text, "[[system]]", 1)), "{err}");
    assert!(err.message.contains("城市功能与品质提升"), "{err}");
    assert!(err.message.contains("0.95"), "{err}");
}

#[test]
fn weights_within_a_billionth_of_one_are_accepted() {
    let text = DEFAULT_SCHEME_TOML.replace(
        "weight = 0.3\n\n  [[system.indicator]]\n  code = \"street",
        "weight = 0.3000000001\n\n  [[system.indicator]]\n  code = \"street",
    );
    assert_ne!(text, DEFAULT_SCHEME_TOML);
    // 1e-10 over: within tolerance.
    Scheme::from_toml(&text).unwrap();
}

#[test]
fn overlapping_and_gapped_tiers_are_refused_at_the_tier() {
    // 一般 reaching up to 85 overlaps 较好 (from 80).
    let text = DEFAULT_SCHEME_TOML.replace("min = 60\n  max = 80", "min = 60\n  max = 85");
    let err = refused(&text);
    assert_eq!(
        err.line,
        Some(nth_line(&text, "[[tiers.tier]]", 2)),
        "{err}"
    );
    assert!(err.message.contains("重叠"), "{err}");
    // 一般 stopping at 75 leaves 75–80 in no tier.
    let text = DEFAULT_SCHEME_TOML.replace("min = 60\n  max = 80", "min = 60\n  max = 75");
    let err = refused(&text);
    assert_eq!(
        err.line,
        Some(nth_line(&text, "[[tiers.tier]]", 2)),
        "{err}"
    );
    assert!(err.message.contains("空档"), "{err}");
    // The best tier has no upper bound; the worst no lower one.
    let text = DEFAULT_SCHEME_TOML.replace(
        "name = \"好\"\n  min = 90",
        "name = \"好\"\n  min = 90\n  max = 100",
    );
    let err = refused(&text);
    assert_eq!(
        err.line,
        Some(nth_line(&text, "[[tiers.tier]]", 0)),
        "{err}"
    );
    let text = DEFAULT_SCHEME_TOML.replace(
        "name = \"差\"\n  max = 60",
        "name = \"差\"\n  min = 0\n  max = 60",
    );
    let err = refused(&text);
    assert_eq!(
        err.line,
        Some(nth_line(&text, "[[tiers.tier]]", 3)),
        "{err}"
    );
}

#[test]
fn tiers_by_rank_meet_end_to_end_from_the_first_rank() {
    let by_rank = |tiers: &str| {
        let start = DEFAULT_SCHEME_TOML.find("[tiers]").unwrap();
        let end = DEFAULT_SCHEME_TOML.find("# 奖优罚劣").unwrap();
        format!(
            "{}[tiers]\nby = \"rank\"\n{tiers}\n{}",
            &DEFAULT_SCHEME_TOML[..start],
            &DEFAULT_SCHEME_TOML[end..]
        )
    };
    let good = by_rank(
        r#"[[tiers.tier]]
name = "好"
first = 1
last = 3
[[tiers.tier]]
name = "一般"
first = 4
last = 6
[[tiers.tier]]
name = "差"
first = 7
"#,
    );
    let s = Scheme::from_toml(&good).unwrap();
    assert_eq!(s.tiers.tier_for(50.0, 3).unwrap().name, "好");
    assert_eq!(s.tiers.tier_for(99.0, 4).unwrap().name, "一般");
    assert_eq!(s.tiers.tier_for(99.0, 40).unwrap().name, "差");

    let gap = by_rank(
        r#"[[tiers.tier]]
name = "好"
first = 1
last = 3
[[tiers.tier]]
name = "差"
first = 5
"#,
    );
    let err = refused(&gap);
    assert_eq!(err.line, Some(nth_line(&gap, "[[tiers.tier]]", 1)), "{err}");
    assert!(err.message.contains("空档"), "{err}");
    let overlap = by_rank(
        r#"[[tiers.tier]]
name = "好"
first = 1
last = 3
[[tiers.tier]]
name = "差"
first = 3
"#,
    );
    let err = refused(&overlap);
    assert_eq!(
        err.line,
        Some(nth_line(&overlap, "[[tiers.tier]]", 1)),
        "{err}"
    );
    assert!(err.message.contains("重叠"), "{err}");
    // Score bounds in a rank scheme are a mix-up.
    let mixed = by_rank("[[tiers.tier]]\nname = \"好\"\nmin = 90\n");
    assert!(refused(&mixed).message.contains("first/last"));
}

#[test]
fn a_negative_cap_is_refused_at_its_line() {
    let text = DEFAULT_SCHEME_TOML.replace("points = 0.5\ncap = 5", "points = 0.5\ncap = -5");
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "cap = -5")), "{err}");
    assert!(err.message.contains("封顶"), "{err}");
    let text = DEFAULT_SCHEME_TOML.replace("points = 0.5\ncap = 5", "points = -0.5\ncap = 5");
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "points = -0.5")), "{err}");
}

#[test]
fn an_unknown_method_or_key_is_refused_at_its_line() {
    let text = DEFAULT_SCHEME_TOML.replacen("method = \"rank\"", "method = \"ranking\"", 1);
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "\"ranking\"")), "{err}");
    assert!(err.message.contains("ranking"), "{err}");
    let text = DEFAULT_SCHEME_TOML.replacen("target = 95", "target = 95\n  traget = 96", 1);
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "traget")), "{err}");
}

#[test]
fn method_parameters_must_fit_the_method_and_the_direction() {
    // linear with best below worst on a higher-is-better indicator.
    let text =
        DEFAULT_SCHEME_TOML.replacen("worst = 80\n  best = 100", "worst = 100\n  best = 80", 1);
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "best = 80")), "{err}");
    assert!(err.message.contains("越高越好"), "{err}");
    // ratio_to_target without a target names the method's line.
    let text = DEFAULT_SCHEME_TOML.replacen("  target = 95\n", "", 1);
    let err = refused(&text);
    let method_line = text
        .lines()
        .enumerate()
        .skip(line_of(&text, "mechanised_cleaning"))
        .find(|(_, l)| l.contains("method"))
        .unwrap()
        .0
        + 1;
    assert_eq!(err.line, Some(method_line), "{err}");
    // A parameter another method uses is refused, not ignored.
    let text = DEFAULT_SCHEME_TOML.replacen("  target = 95\n", "  target = 95\n  step = 5\n", 1);
    let err = refused(&text);
    assert_eq!(err.line, Some(line_of(&text, "step = 5")), "{err}");
    // Zero target.
    let text = DEFAULT_SCHEME_TOML.replacen("target = 95", "target = 0", 1);
    assert_eq!(refused(&text).line, Some(line_of(&text, "target = 0")));
}

#[test]
fn an_indicator_twice_or_a_deduction_on_a_rate_is_refused() {
    let text = DEFAULT_SCHEME_TOML.replacen(
        "code = \"public_satisfaction\"",
        "code = \"node_completion\"",
        1,
    );
    let err = refused(&text);
    assert_eq!(
        err.line,
        Some(line_of(&text, "node_completion\"             # 群众满意度")),
        "{err}"
    );
    assert!(err.message.contains("两次"), "{err}");
    let text = DEFAULT_SCHEME_TOML.replace(
        "indicator = \"filings_late\"",
        "indicator = \"filing_timeliness\"",
    );
    let err = refused(&text);
    assert_eq!(
        err.line,
        Some(line_of(&text, "indicator = \"filing_timeliness\"")),
        "{err}"
    );
    assert!(err.message.contains("计数"), "{err}");
}

#[test]
fn per_unit_targets_must_name_a_district_or_lead_unit_of_the_portfolio() {
    let text = DEFAULT_SCHEME_TOML.replace(
        "  # targets = { \"示例高新区\" = 80 }",
        "  targets = { \"乙县\" = 80, \"丁区\" = 85 }",
    );
    let s = Scheme::from_toml(&text).unwrap();
    let p = world().portfolio;
    let err = s.check_units(&p).unwrap_err();
    assert_eq!(err.line, Some(line_of(&text, "\"丁区\"")), "{err}");
    assert!(err.message.contains("丁区"), "{err}");
    let ok = text.replace(", \"丁区\" = 85", "");
    Scheme::from_toml(&ok).unwrap().check_units(&p).unwrap();
    // A target for a rank is meaningless.
    let text = DEFAULT_SCHEME_TOML.replace("step = 5", "step = 5\n  targets = { \"乙县\" = 3 }");
    assert!(refused(&text).message.contains("排名法"));
}

#[test]
fn a_scheme_without_systems_or_with_a_bad_year_is_refused() {
    let start = DEFAULT_SCHEME_TOML.find("[[system]]").unwrap();
    let end = DEFAULT_SCHEME_TOML.find("# 扣分项").unwrap();
    let text = format!(
        "{}{}",
        &DEFAULT_SCHEME_TOML[..start],
        &DEFAULT_SCHEME_TOML[end..]
    );
    assert!(refused(&text).message.contains("[[system]]"));
    let text = DEFAULT_SCHEME_TOML.replace("year = 2021", "year = 21");
    assert_eq!(refused(&text).line, Some(line_of(&text, "year = 21")));
}

#[test]
fn a_scheme_written_as_toml_reads_back_to_the_same_scheme() {
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    let written = scheme.to_toml();
    assert_eq!(Scheme::from_toml(&written.text).unwrap(), scheme);
    assert_eq!(written.fields.len(), written.text.lines().count());
}

#[test]
fn a_written_schemes_refusal_names_the_field_of_its_line() {
    let mut scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    scheme.deductions[1].cap = -1.0;
    let written = scheme.to_toml();
    let err = Scheme::from_toml(&written.text).unwrap_err();
    assert_eq!(written.field_at(err.line.unwrap()), Some("deduction.1.cap"));
    assert!(err.message.contains("督办扣分"), "{err}");

    let mut scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    scheme.systems[1].indicators[0].method = Method::Linear {
        worst: 100.0,
        best: 80.0,
    };
    let written = scheme.to_toml();
    let err = Scheme::from_toml(&written.text).unwrap_err();
    assert_eq!(
        written.field_at(err.line.unwrap()),
        Some("system.1.indicator.0.best")
    );
}
