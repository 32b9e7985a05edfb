use super::*;

const PUBLISHED: (i16, i8, i8) = (2021, 11, 5);

fn published_on() -> Date {
    date(PUBLISHED.0, PUBLISHED.1, PUBLISHED.2)
}

fn run_of(w: &World, scheme: &Scheme) -> ScoreRun {
    let m = measure_month(&w.input(), SubjectKind::District, october());
    let scores = score_measured(&m, scheme).unwrap();
    ScoreRun::draft(m, scores).unwrap()
}

fn published_run() -> ScoreRun {
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    run_of(&world(), &scheme).publish(published_on()).unwrap()
}

fn objection(line: DisputedLine, filed_on: Date) -> Objection {
    Objection {
        id: 1,
        subject: JIA,
        kind: SubjectKind::District,
        month: october(),
        run_version: 1,
        line,
        reason: "该节点因征地延期，计划调整已获批".into(),
        evidence: "计划调整批复（附件）".into(),
        filed_on,
        filed_by: "jia-office".into(),
        decision: None,
    }
}

fn decision(accepted: bool, by: UnitId, on: Date) -> Decision {
    Decision {
        accepted,
        on,
        by,
        reason: if accepted {
            "核实属实，撤销该次警示".into()
        } else {
            "调整未经审批".into()
        },
    }
}

#[test]
fn a_published_month_is_rescored_only_with_a_reason() {
    assert_eq!(can_rescore(false, None), Ok(()));
    assert_eq!(can_rescore(true, None), Err(RunError::ReasonRequired));
    assert_eq!(can_rescore(true, Some("  ")), Err(RunError::ReasonRequired));
    assert_eq!(can_rescore(true, Some("采纳甲区申诉")), Ok(()));
}

#[test]
fn a_draft_is_replaced_and_a_correction_is_a_new_published_version() {
    let w = world();
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    let draft = run_of(&w, &scheme);
    assert_eq!(
        (
            draft.version,
            draft.published,
            draft.scheme_year,
            draft.scheme_version
        ),
        (1, false, 2021, 1)
    );
    // A draft is scored again freely, keeping its version.
    let again = draft
        .rescore(
            draft.measurements.clone(),
            draft.scores.clone(),
            None,
            date(2021, 11, 2),
        )
        .unwrap();
    assert_eq!((again.version, again.published), (1, false));

    let published = draft.publish(published_on()).unwrap();
    assert!(matches!(
        published.publish(published_on()),
        Err(RunError::AlreadyPublished { version: 1, .. })
    ));
    assert_eq!(published.objection_deadline(), Some(date(2021, 11, 10)));
    let m = published.measurements.clone();
    let scores = published.scores.clone();
    assert_eq!(
        published.rescore(m.clone(), scores.clone(), None, date(2021, 11, 12)),
        Err(RunError::ReasonRequired)
    );
    let corrected = published
        .rescore(
            m.clone(),
            scores.clone(),
            Some("采纳申诉 #1"),
            date(2021, 11, 12),
        )
        .unwrap();
    assert_eq!(
        (
            corrected.version,
            corrected.published,
            corrected.published_on,
            corrected.correction_reason.as_deref()
        ),
        (2, true, Some(date(2021, 11, 12)), Some("采纳申诉 #1"))
    );
    // The month keeps the scheme version it was published with.
    let v2 = Scheme::from_toml(&DEFAULT_SCHEME_TOML.replace("version = 1", "version = 2")).unwrap();
    let other = score_measured(&m, &v2).unwrap();
    assert_eq!(
        published.rescore(m.clone(), other, Some("新版办法"), date(2021, 11, 12)),
        Err(RunError::SchemeChanged {
            month: october(),
            published: 1,
            used: 2
        })
    );
    // Scores of lead units do not go with measurements of districts.
    let leads = score_month(&w.input(), &scheme, SubjectKind::LeadUnit, october()).unwrap();
    assert!(matches!(
        ScoreRun::draft(m, leads),
        Err(RunError::Mismatch(_))
    ));
}

#[test]
fn a_stored_run_scores_again_identically_from_its_inputs() {
    let run = published_run();
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    assert_eq!(
        score_measured(&run.measurements, &scheme).unwrap(),
        run.scores
    );
    let json = serde_json::to_string(&run).unwrap();
    let back: ScoreRun = serde_json::from_str(&json).unwrap();
    assert_eq!(back, run);
    assert_eq!(
        score_measured(&back.measurements, &scheme).unwrap(),
        run.scores
    );
}

#[test]
fn an_objection_is_filed_against_a_line_of_the_latest_published_version_in_its_window() {
    let run = published_run();
    let o = objection(DisputedLine::Deduction("warning".into()), date(2021, 11, 6));
    assert_eq!(o.check_new(&run, &[]), Ok(()));
    assert_eq!(o.status(), ObjectionStatus::Open);
    for line in [
        DisputedLine::Indicator("node_completion".into()),
        DisputedLine::Bonus("media_central".into()),
    ] {
        assert_eq!(
            objection(line, date(2021, 11, 10)).check_new(&run, &[]),
            Ok(())
        );
    }
    let refused = |o: &Objection| o.check_new(&run, &[]).unwrap_err();
    assert_eq!(
        refused(&objection(
            DisputedLine::Deduction("warning".into()),
            date(2021, 11, 11)
        )),
        ObjectionError::WindowClosed(date(2021, 11, 10))
    );
    assert_eq!(
        refused(&objection(
            DisputedLine::Deduction("warning".into()),
            date(2021, 11, 4)
        )),
        ObjectionError::BeforePublication(published_on())
    );
    // A deduction code named as a bonus is not on the card.
    assert_eq!(
        refused(&objection(
            DisputedLine::Bonus("warning".into()),
            date(2021, 11, 6)
        )),
        ObjectionError::UnknownLine("加分项", "warning".into())
    );
    let mut blank = o.clone();
    blank.evidence = " ".into();
    assert_eq!(refused(&blank), ObjectionError::Empty("佐证材料"));
    let mut stranger = o.clone();
    stranger.subject = UnitId(99);
    assert_eq!(refused(&stranger), ObjectionError::UnknownSubject);
    let mut wrong = o.clone();
    wrong.run_version = 2;
    assert_eq!(refused(&wrong), ObjectionError::NotLatest(1));
    let mut other_month = o.clone();
    other_month.month = Month::parse("2021-09").unwrap();
    assert_eq!(refused(&other_month), ObjectionError::WrongRun);
    // A draft cannot be objected to.
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    assert_eq!(
        o.check_new(&run_of(&world(), &scheme), &[]),
        Err(ObjectionError::NotPublished(october()))
    );
    // One open objection per line; a decided one does not block a new one.
    let mut earlier = o.clone();
    earlier.id = 7;
    assert_eq!(
        o.check_new(&run, std::slice::from_ref(&earlier)),
        Err(ObjectionError::Duplicate("扣分项"))
    );
    let rejected = earlier
        .decide(decision(false, OFFICE, date(2021, 11, 7)))
        .unwrap();
    assert_eq!(o.check_new(&run, &[rejected]), Ok(()));
}

#[test]
fn the_office_accepts_or_rejects_an_open_objection_once_with_a_reason() {
    let o = objection(DisputedLine::Deduction("warning".into()), date(2021, 11, 6));
    assert_eq!(
        o.check(&decision(true, JIA, date(2021, 11, 8))),
        Err(ObjectionError::OwnObjection)
    );
    let mut blank = decision(false, OFFICE, date(2021, 11, 8));
    blank.reason = String::new();
    assert_eq!(o.check(&blank), Err(ObjectionError::Empty("处理理由")));
    assert!(matches!(
        o.check(&decision(false, OFFICE, date(2021, 11, 5))),
        Err(ObjectionError::OutOfOrder { .. })
    ));

    let rejected = o
        .decide(decision(false, OFFICE, date(2021, 11, 8)))
        .unwrap();
    assert_eq!(rejected.status(), ObjectionStatus::Rejected);
    assert_eq!(rejected.correction_reason(), None);
    assert_eq!(
        rejected.decide(decision(true, OFFICE, date(2021, 11, 9))),
        Err(ObjectionError::Decided("已驳回"))
    );

    let accepted = o.decide(decision(true, OFFICE, date(2021, 11, 8))).unwrap();
    assert_eq!(accepted.status(), ObjectionStatus::Accepted);
    let reason = accepted.correction_reason().unwrap();
    assert_eq!(
        reason,
        "采纳申诉 #1（扣分项「warning」）：核实属实，撤销该次警示"
    );
    assert!(matches!(
        accepted.decide(decision(false, OFFICE, date(2021, 11, 9))),
        Err(ObjectionError::Decided("已采纳"))
    ));

    // Accepting leads to a correction; objections then go to the new version.
    let run = published_run();
    let corrected = run
        .rescore(
            run.measurements.clone(),
            run.scores.clone(),
            reason.as_str().into(),
            date(2021, 11, 8),
        )
        .unwrap();
    assert_eq!(corrected.version, 2);
    let late = objection(DisputedLine::Indicator("on_time".into()), date(2021, 11, 9));
    assert_eq!(
        late.check_new(&corrected, &[]),
        Err(ObjectionError::NotLatest(2))
    );
    let json = serde_json::to_string(&accepted).unwrap();
    assert!(
        json.contains("\"kind\":\"deduction\",\"code\":\"warning\""),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Objection>(&json).unwrap(), accepted);
}
