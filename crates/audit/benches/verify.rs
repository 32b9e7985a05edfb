//! Verifying a chain of 1,000,000 sealed audit records (generated in memory once), with an
//! anchor every 10,000 records. Run with `cargo bench -p jianguan-audit --bench verify`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jianguan_audit::{
    Anchor, AuditDraft, AuditRecord, CryptoSuite, FieldChange, Outcome, seal, verify,
};

const RECORDS: i64 = 1_000_000;
const ANCHOR_EVERY: i64 = 10_000;

fn draft(i: i64) -> AuditDraft {
    let (action, result, changes) = match i % 4 {
        0 => ("login.failed", Outcome::Failure, vec![]),
        1 => (
            "project.update",
            Outcome::Success,
            vec![
                FieldChange {
                    field: "progress_pct".into(),
                    before: Some(format!("{}", i % 100)),
                    after: Some(format!("{}", (i + 5) % 100)),
                },
                FieldChange {
                    field: "status".into(),
                    before: Some("在建".into()),
                    after: Some("完工".into()),
                },
            ],
        ),
        2 => ("access.denied", Outcome::Denied, vec![]),
        _ => ("export.xlsx", Outcome::Success, vec![]),
    };
    AuditDraft {
        at_ms: 1_700_000_000_000 + i * 1_000,
        actor: format!("user{}", i % 500),
        unit: Some(format!("第{}区指挥部", i % 11)),
        action: action.into(),
        object: format!("project:{}", i % 2_000),
        result,
        client: Some(format!("10.0.{}.{}", i % 250, i % 200)),
        changes,
    }
}

fn chain(suite: CryptoSuite) -> (Vec<AuditRecord>, Vec<Anchor>) {
    let mut records: Vec<AuditRecord> = Vec::with_capacity(RECORDS as usize);
    let mut anchors = Vec::new();
    for i in 0..RECORDS {
        let r = seal(draft(i), records.last(), suite);
        if r.seq % ANCHOR_EVERY == 0 {
            anchors.push(Anchor::of(&r));
        }
        records.push(r);
    }
    (records, anchors)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    // One chain per suite: SHA-256 (`verify_1m_records`, the name earlier figures used) and SM3.
    for (suite, name) in [
        (CryptoSuite::Intl, "verify_1m_records"),
        (CryptoSuite::Sm, "verify_1m_records_sm3"),
    ] {
        let (records, anchors) = chain(suite);
        group.bench_function(name, |b| {
            b.iter(|| {
                let summary =
                    verify(black_box(&records), black_box(&anchors), suite).expect("intact");
                assert_eq!(summary.records, RECORDS as u64);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
