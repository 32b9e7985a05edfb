//! Seeding a database with the demo city (feature `seed`): the records, a year of cadence
//! (warnings, tracked items, dismissed proposals), the monthly assessment (entered values, media
//! register, scores published for January to November, two objections) and one account per
//! role. `jianguan demo` calls [`seed_demo_city`] on an empty database; everything goes through
//! the application's use cases and the store's audited writes.

use jianguan_access::Role;
use jianguan_access::totp::TotpSecret;
use jianguan_app::Clock;
use jianguan_app::accounts::{AccountError, NewAccount, create_account};
use jianguan_app::assessment::{self, AssessmentError, Inputs, change};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange};
use jianguan_domain::Date;
use jianguan_domain::assessment::{
    Decision, DisputedLine, Month, Objection, ScoreRun, SubjectKind,
};
use jianguan_domain::model::{Portfolio, UnitKind};
use jianguan_domain::store::{Actor, CadenceWrite, Progress, Store, StoreError};

use crate::{DEMO_YEAR, demo_assessment, demo_cadence, demo_city};

/// Why seeding failed (nothing is half-written within one step; the database should be
/// discarded and seeded again).
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Scoring the demo's months failed.
    #[error(transparent)]
    Assessment(#[from] AssessmentError),
    /// A demo account could not be made.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The generated city lacks something seeding needs.
    #[error("{0}")]
    Incomplete(String),
    /// The generated district boundaries were refused.
    #[error(transparent)]
    Boundaries(#[from] jianguan_app::districts::DistrictsError),
}

/// The demo's accounts, one per role: (user name, name, role, the kind of unit it belongs to).
pub const DEMO_ACCOUNTS: [(&str, &str, Role, UnitKind); 9] = {
    use Role::*;
    use UnitKind::*;
    [
        ("leader", "指挥部领导", HqLeader, CommandHq),
        ("office", "指挥部办公室", HqOffice, CommandHq),
        ("subhq", "分指挥部联络员", SubHqStaff, SubHq),
        ("bureau", "牵头单位联络员", LeadUnitStaff, LeadUnit),
        ("district", "县区联络员", DistrictStaff, District),
        ("reporter", "责任单位填报员", UnitReporter, ResponsibleUnit),
        ("sysadmin", "系统管理员", SystemAdmin, CommandHq),
        ("secadmin", "安全管理员", SecurityAdmin, CommandHq),
        ("auditor", "审计管理员", AuditAdmin, CommandHq),
    ]
};

/// The demo accounts' password (the demo is for trying out, never for production data).
pub const DEMO_PASSWORD: &str = "Yinghu#Spring2021";

/// One demo account as created.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Its user name.
    pub username: &'static str,
    /// Its role.
    pub role: Role,
    /// Its unit's name (empty for none).
    pub unit: String,
    /// The second factor's secret (administrators).
    pub totp_secret: Option<String>,
}

/// What [`seed_demo_city`] wrote.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The city.
    pub city: Portfolio,
    /// Warning events.
    pub warnings: usize,
    /// Tracked items.
    pub items: usize,
    /// Entered indicator values.
    pub entered: usize,
    /// Media reports.
    pub media: usize,
    /// Score runs stored.
    pub runs: usize,
    /// The accounts.
    pub accounts: Vec<DemoAccount>,
    /// District boundaries stored (the coverage city's cells, one per district).
    pub boundaries: usize,
}

/// Writes the demo city into an empty database (`progress` follows the records' write).
pub async fn seed_demo_city(
    store: &dyn Store,
    clock: Clock,
    progress: Progress<'_>,
) -> Result<Seeded, SeedError> {
    let city = demo_city();
    store
        .create_portfolio(
            &city,
            &Actor {
                name: "demo".into(),
                client: None,
            },
            progress,
        )
        .await?;
    // The districts' outlines: the cells the coverage pages generate from the same projects,
    // so the maps and the coverage pages draw the same lines.
    let boundaries = jianguan_app::districts::store_generated(
        store,
        clock,
        "demo",
        jianguan_app::districts::demo_boundaries(&city),
        "示例市生成（各县区项目平均位置的泰森多边形）",
    )
    .await?;
    let (warnings, items) = write_demo_cadence(store, clock, &city).await?;
    let (entered, media, runs) = write_demo_assessment(store, clock, &city).await?;
    let accounts = create_demo_accounts(store, clock, &city).await?;
    Ok(Seeded {
        city,
        warnings,
        items,
        entered,
        media,
        runs,
        accounts,
        boundaries,
    })
}

/// Writes the demo city's year of cadence (warnings, tracked items) after its records, in one
/// transaction with one audit record.
async fn write_demo_cadence(
    store: &dyn Store,
    clock: Clock,
    city: &Portfolio,
) -> Result<(usize, usize), SeedError> {
    let demo = demo_cadence(city);
    let counts = (demo.warnings.len(), demo.items.len());
    let audit = AuditDraft::new(clock.now_ms(), "demo", AuditAction::CadenceDemo, "cadence")
        .change("warning_events", None, counts.0)
        .change("tracked_items", None, counts.1)
        .change("act_dismissals", None, demo.dismissals.len());
    let write = CadenceWrite {
        warnings: demo.warnings,
        new_items: demo.items,
        item_events: Vec::new(),
        dismissals: demo.dismissals,
    };
    store.record_cadence(&write, &[audit]).await?;
    Ok(counts)
}

fn audit(
    clock: Clock,
    by: &str,
    action: AuditAction,
    object: String,
    changes: Vec<FieldChange>,
) -> AuditDraft {
    let mut record = AuditDraft::new(clock.now_ms(), by, action, object);
    record.changes = changes;
    record
}

/// Writes the demo city's assessment inputs (entered values, media register), the default
/// scheme for its year, then scores every month of the year for districts and lead units and
/// publishes all but December (published on the 5th of the month after), which stays a draft;
/// and two objections of 映湖区 (the demo's district account): one to October, rejected by
/// the office, one to November, open. Returns (entered values, media reports, runs).
async fn write_demo_assessment(
    store: &dyn Store,
    clock: Clock,
    city: &Portfolio,
) -> Result<(usize, usize, usize), SeedError> {
    let demo = demo_assessment(city);
    let by = "demo";
    store
        .enter_values(
            &demo.entered,
            &audit(
                clock,
                by,
                AuditAction::IndicatorEnter,
                "indicator_values".into(),
                vec![change("entries", None, demo.entered.len())],
            ),
        )
        .await?;
    store
        .add_media_reports(
            &demo.media,
            &audit(
                clock,
                by,
                AuditAction::MediaAdd,
                "media_reports".into(),
                vec![change("reports", None, demo.media.len())],
            ),
        )
        .await?;
    assessment::save_default_scheme(store, clock, by).await?;
    let scheme = assessment::default_scheme();

    let inputs = Inputs::load(store).await?;
    let mut runs = 0;
    let mut previous: [Option<ScoreRun>; 2] = [None, None];
    for m in 1..=12 {
        let month = Month::new(DEMO_YEAR, m).expect("a month");
        let filings = inputs.filings(store, month).await?;
        for (k, kind) in SubjectKind::ALL.into_iter().enumerate() {
            let (measured, scores) =
                inputs.score(&filings, &scheme, kind, month, previous[k].as_ref())?;
            let run = ScoreRun::draft(measured, scores).map_err(AssessmentError::from)?;
            store
                .save_draft_run(
                    &run,
                    &audit(
                        clock,
                        by,
                        AuditAction::ScoreDraft,
                        assessment::run_object(month, kind, 1),
                        Vec::new(),
                    ),
                )
                .await?;
            let run = if m < 12 {
                let on = month.next().first_day() + jiff::ToSpan::days(4);
                store
                    .publish_run(
                        month,
                        kind,
                        on,
                        &audit(
                            clock,
                            by,
                            AuditAction::ScorePublish,
                            assessment::run_object(month, kind, 1),
                            vec![change("published_on", None, on)],
                        ),
                    )
                    .await?
            } else {
                run
            };
            runs += 1;
            previous[k] = Some(run);
        }
    }
    demo_objections(store, clock, city).await?;
    Ok((demo.entered.len(), demo.media.len(), runs))
}

/// 映湖区 disputes a 警示 deduction of October (rejected) and a late-filing deduction of
/// November (open).
async fn demo_objections(
    store: &dyn Store,
    clock: Clock,
    city: &Portfolio,
) -> Result<(), SeedError> {
    let missing = |what: &str| SeedError::Incomplete(format!("the demo has no {what}"));
    let district = city
        .units_of(UnitKind::District)
        .next()
        .ok_or_else(|| missing("district"))?
        .id;
    let office = city
        .units_of(UnitKind::CommandHq)
        .next()
        .ok_or_else(|| missing("office"))?
        .id;
    let day = |s: &str| -> Date { s.parse().expect("a date") };
    let objection = |month: &str, line, reason: &str, evidence: &str, filed: &str| Objection {
        id: 0,
        subject: district,
        kind: SubjectKind::District,
        month: Month::parse(month).expect("a month"),
        run_version: 1,
        line,
        reason: reason.into(),
        evidence: evidence.into(),
        filed_on: day(filed),
        filed_by: "district".into(),
        decision: None,
    };
    let filed = |clock| {
        audit(
            clock,
            "district",
            AuditAction::ObjectionFile,
            String::new(),
            Vec::new(),
        )
    };
    let october = objection(
        "2021-10",
        DisputedLine::Deduction("warning".into()),
        "相关节点因管线迁改受阻，已报协调事项，不应计入警示扣分",
        "协调事项办理记录、供电公司复函",
        "2021-11-08",
    );
    let id = store.file_objection(&october, &filed(clock)).await?;
    let decision = Decision {
        accepted: false,
        on: day("2021-11-10"),
        by: office,
        reason: "管线迁改协调不影响节点计划，警示依规则生成，维持原结果".into(),
    };
    store
        .decide_objection(
            id,
            &decision,
            &audit(
                clock,
                "office",
                AuditAction::ObjectionDecide,
                format!("objection:{id}"),
                vec![change("status", Some("open".into()), "rejected")],
            ),
            None,
        )
        .await?;
    let november = objection(
        "2021-11",
        DisputedLine::Deduction("filing_late".into()),
        "第 22 期系统故障导致迟报，已当日补报",
        "信息中心故障说明",
        "2021-12-07",
    );
    store.file_objection(&november, &filed(clock)).await?;
    Ok(())
}

/// Creates the demo's accounts, one per role, in the first unit of the role's kind.
async fn create_demo_accounts(
    store: &dyn Store,
    clock: Clock,
    city: &Portfolio,
) -> Result<Vec<DemoAccount>, SeedError> {
    let mut made = Vec::new();
    for (username, name, role, kind) in DEMO_ACCOUNTS {
        let unit = city.units_of(kind).next().map(|u| (u.id, u.name.clone()));
        let totp_secret = if role.is_administrator() {
            Some(
                TotpSecret::generate()
                    .map_err(|e| SeedError::Incomplete(e.to_string()))?
                    .to_base32(),
            )
        } else {
            None
        };
        create_account(
            store,
            clock,
            "demo",
            NewAccount {
                username,
                display_name: name,
                unit: unit.as_ref().map(|u| u.0),
                roles: &[role],
                password: DEMO_PASSWORD,
                totp_secret: totp_secret.clone(),
            },
        )
        .await?;
        made.push(DemoAccount {
            username,
            role,
            unit: unit.map(|u| u.1).unwrap_or_default(),
            totp_secret,
        });
    }
    Ok(made)
}
