//! Tamper cases against `verify`: each kind of attack on a stored chain is detected and the
//! first bad record is named; intact chains pass.

use jianguan_audit::{
    Anchor, AuditDraft, AuditRecord, CryptoSuite, FieldChange, GENESIS_PREV_HASH, Outcome,
    VerifyError, VerifySummary, anchor_line, parse_anchor_file, record_hash, seal, verify,
    verify_after,
};

/// The tamper cases run on the international suite; `an_sm3_chain_…` below runs the same kind of
/// case on SM3.
const SUITE: CryptoSuite = CryptoSuite::Intl;

fn draft(i: i64) -> AuditDraft {
    let actions = [
        "login.failed",
        "project.update",
        "report.create",
        "access.denied",
        "export.xlsx",
        "role.grant",
    ];
    let action = actions[(i as usize) % actions.len()];
    AuditDraft {
        at_ms: 1_700_000_000_000 + i * 997,
        actor: if i % 7 == 0 {
            "system".into()
        } else {
            format!("user{}", i % 13)
        },
        unit: (i % 3 != 0).then(|| format!("区{}", i % 5)),
        action: action.into(),
        object: format!("project:{}", 100 + i),
        result: Outcome::ALL[(i as usize) % 3],
        client: (i % 4 != 0).then(|| format!("192.0.2.{}", i % 250)),
        changes: (0..i % 3)
            .map(|k| FieldChange {
                field: format!("field{k}"),
                before: (k != 0).then(|| format!("{}", i * 10 + k)),
                after: Some(format!("{}", i * 10 + k + 1)),
            })
            .collect(),
    }
}

/// A chain of `n` sealed records, seq 1..=n.
fn chain(n: i64) -> Vec<AuditRecord> {
    let mut out: Vec<AuditRecord> = Vec::new();
    for i in 0..n {
        let r = seal(draft(i), out.last(), SUITE);
        out.push(r);
    }
    out
}

/// Anchors on the records with the given seqs.
fn anchors_at(records: &[AuditRecord], seqs: &[i64]) -> Vec<Anchor> {
    seqs.iter()
        .map(|s| Anchor::of(&records[(*s - 1) as usize]))
        .collect()
}

/// What an attacker with the database does to hide a change: recompute `prev_hash` and `hash`
/// of every record from index `from` on.
fn rehash_from(records: &mut [AuditRecord], from: usize) {
    for i in from..records.len() {
        records[i].prev_hash = if i == 0 {
            GENESIS_PREV_HASH.to_owned()
        } else {
            records[i - 1].hash.clone()
        };
        records[i].hash = record_hash(&records[i], SUITE);
    }
}

fn fails(records: &[AuditRecord], anchors: &[Anchor]) -> VerifyError {
    verify(records, anchors, SUITE).expect_err("tampering must be detected")
}

// ---- intact chains ----

#[test]
fn intact_chain_passes_without_anchors() {
    let records = chain(50);
    assert_eq!(
        verify(&records, &[], SUITE),
        Ok(VerifySummary {
            records: 50,
            first_seq: Some(1),
            last_seq: Some(50),
            anchors_checked: 0,
        })
    );
}

#[test]
fn intact_chain_passes_with_anchors_given_in_any_order() {
    let records = chain(50);
    let anchors = anchors_at(&records, &[50, 10, 30, 30, 1]);
    let summary = verify(&records, &anchors, SUITE).expect("intact");
    assert_eq!(summary.records, 50);
    assert_eq!(summary.anchors_checked, 5);
}

#[test]
fn owned_records_from_an_iterator_verify_like_borrowed_ones() {
    let records = chain(20);
    let anchors = anchors_at(&records, &[20]);
    assert_eq!(
        verify(records.clone(), &anchors, SUITE),
        verify(&records, &anchors, SUITE)
    );
    assert!(verify(records.into_iter(), &anchors, SUITE).is_ok());
}

#[test]
fn empty_chain_without_anchors_passes() {
    assert_eq!(
        verify(Vec::<AuditRecord>::new(), &[], SUITE),
        Ok(VerifySummary {
            records: 0,
            first_seq: None,
            last_seq: None,
            anchors_checked: 0,
        })
    );
}

#[test]
fn empty_chain_with_an_anchor_is_a_tail_cut_off_from_record_1() {
    let anchors = anchors_at(&chain(3), &[3]);
    assert_eq!(
        fails(&[], &anchors),
        VerifyError::Truncated {
            seq: 1,
            anchor_seq: 3
        }
    );
}

#[test]
fn seal_numbers_from_1_and_chains_each_record_to_the_previous_hash() {
    let records = chain(3);
    assert_eq!(records[0].seq, 1);
    assert_eq!(records[0].prev_hash, GENESIS_PREV_HASH);
    assert_eq!(records[1].seq, 2);
    assert_eq!(records[1].prev_hash, records[0].hash);
    assert_eq!(records[2].prev_hash, records[1].hash);
    assert_eq!(records[2].draft(), draft(2));
    for r in &records {
        assert_eq!(r.hash, record_hash(r, SUITE));
    }
}

#[test]
fn anchor_file_written_line_by_line_reads_back_and_verifies() {
    let records = chain(30);
    let mut file = String::new();
    for r in records.iter().filter(|r| r.seq % 10 == 0) {
        file.push_str(&anchor_line(r));
        file.push('\n');
    }
    let anchors = parse_anchor_file(&file).expect("well-formed");
    assert_eq!(anchors.len(), 3);
    assert_eq!(
        verify(&records, &anchors, SUITE)
            .expect("intact")
            .anchors_checked,
        3
    );
}

// ---- edited records ----

#[test]
fn editing_any_field_is_reported_as_altered_at_that_record() {
    type Edit = fn(&mut AuditRecord);
    let edits: [(&str, Edit); 16] = [
        ("at_ms", |r| r.at_ms += 1),
        ("actor", |r| r.actor.push('x')),
        ("unit set", |r| r.unit = Some("越秀区".into())),
        ("unit cleared", |r| r.unit = None),
        ("unit emptied", |r| r.unit = Some(String::new())),
        ("action", |r| r.action = "project.delete".into()),
        ("object", |r| r.object = "project:999".into()),
        ("result", |r| r.result = Outcome::Success),
        ("client set", |r| r.client = Some("203.0.113.9".into())),
        ("client cleared", |r| r.client = None),
        ("change field", |r| r.changes[0].field.push('x')),
        ("change before", |r| r.changes[0].before = Some("0".into())),
        ("change after", |r| r.changes[0].after = None),
        ("change added", |r| {
            r.changes.push(FieldChange {
                field: "owner".into(),
                before: None,
                after: Some("李四".into()),
            });
        }),
        ("change removed", |r| {
            r.changes.pop();
        }),
        ("hash", |r| r.hash = record_hash(&chain(1)[0], SUITE)),
    ];
    // Record 6 (index 5) has a unit, a client, two changes and a non-success result, so every
    // edit below really changes something.
    let base = chain(10);
    let target = &base[5];
    assert!(target.unit.is_some() && target.client.is_some() && target.changes.len() == 2);
    assert_ne!(target.result, Outcome::Success);
    for (name, edit) in edits {
        let mut records = base.clone();
        edit(&mut records[5]);
        assert_ne!(records[5], base[5], "{name} changed nothing");
        assert_eq!(
            fails(&records, &[]),
            VerifyError::Altered { seq: 6 },
            "edit of {name}"
        );
    }
}

#[test]
fn editing_prev_hash_breaks_the_link_at_that_record() {
    let mut records = chain(10);
    records[5].prev_hash = records[3].hash.clone();
    assert_eq!(fails(&records, &[]), VerifyError::BrokenLink { seq: 6 });
}

#[test]
fn editing_seq_is_named_at_the_record_whose_place_it_left() {
    let mut records = chain(10);
    records[5].seq = 60;
    assert_eq!(fails(&records, &[]).seq(), 6);
}

#[test]
fn editing_a_record_and_rehashing_it_alone_is_caught_by_the_next_link() {
    let mut records = chain(10);
    records[5].actor = "王五".into();
    records[5].hash = record_hash(&records[5], SUITE);
    assert_eq!(fails(&records, &[]), VerifyError::Replaced { seq: 6 });
}

#[test]
fn first_record_not_chained_to_genesis_is_a_broken_link_at_record_1() {
    let mut records = chain(5);
    records[0].prev_hash = records[4].hash.clone();
    records[0].hash = record_hash(&records[0], SUITE);
    assert_eq!(fails(&records, &[]), VerifyError::BrokenLink { seq: 1 });
}

// ---- deleted records ----

#[test]
fn deleting_the_first_record_is_reported_missing_at_record_1() {
    let mut records = chain(10);
    records.remove(0);
    assert_eq!(
        fails(&records, &[]),
        VerifyError::Missing { seq: 1, found: 2 }
    );
}

#[test]
fn deleting_a_middle_record_is_reported_missing_at_its_seq() {
    let mut records = chain(10);
    records.remove(4);
    assert_eq!(
        fails(&records, &[]),
        VerifyError::Missing { seq: 5, found: 6 }
    );
}

#[test]
fn deleting_several_middle_records_names_the_first_missing_one() {
    let mut records = chain(10);
    records.drain(3..6);
    assert_eq!(
        fails(&records, &[]),
        VerifyError::Missing { seq: 4, found: 7 }
    );
}

#[test]
fn deleting_the_last_record_is_caught_by_an_anchor_on_it() {
    let mut records = chain(10);
    let anchors = anchors_at(&records, &[5, 10]);
    records.pop();
    assert_eq!(
        fails(&records, &anchors),
        VerifyError::Truncated {
            seq: 10,
            anchor_seq: 10
        }
    );
}

#[test]
fn deleting_records_after_the_last_anchor_goes_unnoticed_by_design() {
    // The limit of any anchoring scheme: what was never anchored can be cut off.
    let mut records = chain(10);
    let anchors = anchors_at(&records, &[5]);
    records.truncate(7);
    assert!(verify(&records, &anchors, SUITE).is_ok());
}

#[test]
fn deleting_a_record_and_renumbering_the_rest_breaks_the_link_there() {
    let mut records = chain(10);
    records.remove(4);
    for r in &mut records[4..] {
        r.seq -= 1;
    }
    assert_eq!(fails(&records, &[]), VerifyError::BrokenLink { seq: 5 });
}

// ---- inserted records ----

/// A forged record sealed onto record `after` (1-based), as an attacker who knows the scheme
/// would make it.
fn forged_after(records: &[AuditRecord], after: usize) -> AuditRecord {
    seal(
        AuditDraft {
            at_ms: records[after - 1].at_ms + 1,
            actor: "attacker".into(),
            unit: None,
            action: "role.grant".into(),
            object: "user:attacker".into(),
            result: Outcome::Success,
            client: None,
            changes: vec![],
        },
        Some(&records[after - 1]),
        SUITE,
    )
}

#[test]
fn inserting_a_forged_record_with_a_repeated_seq_is_a_duplicate() {
    let mut records = chain(10);
    let forged = forged_after(&records, 5);
    records.insert(5, forged);
    assert_eq!(fails(&records, &[]), VerifyError::Duplicate { seq: 6 });
}

#[test]
fn inserting_a_forged_record_and_renumbering_the_rest_breaks_the_link_after_it() {
    let mut records = chain(10);
    let forged = forged_after(&records, 5);
    records.insert(5, forged);
    for r in &mut records[6..] {
        r.seq += 1;
    }
    assert_eq!(fails(&records, &[]), VerifyError::BrokenLink { seq: 7 });
}

#[test]
fn inserting_a_record_and_rehashing_the_tail_is_caught_by_the_next_anchor() {
    let mut records = chain(20);
    let anchors = anchors_at(&records, &[4, 15]);
    let forged = forged_after(&records, 5);
    records.insert(5, forged);
    for r in &mut records[6..] {
        r.seq += 1;
    }
    rehash_from(&mut records, 6);
    assert!(
        verify(&records, &[], SUITE).is_ok(),
        "undetectable without anchors"
    );
    assert_eq!(
        fails(&records, &anchors),
        VerifyError::Rewritten { seq: 15, from: 5 }
    );
}

// ---- reordered records ----

#[test]
fn swapping_two_adjacent_records_is_reported_reordered() {
    let mut records = chain(10);
    records.swap(3, 4);
    assert_eq!(
        fails(&records, &[]),
        VerifyError::Reordered { seq: 4, found: 5 }
    );
}

#[test]
fn swapping_two_distant_records_is_reported_reordered_at_the_first() {
    let mut records = chain(12);
    records.swap(2, 9);
    assert_eq!(
        fails(&records, &[]),
        VerifyError::Reordered { seq: 3, found: 10 }
    );
}

#[test]
fn swapping_the_last_two_records_is_reported_reordered() {
    let mut records = chain(6);
    records.swap(4, 5);
    assert_eq!(
        fails(&records, &[]),
        VerifyError::Reordered { seq: 5, found: 6 }
    );
}

#[test]
fn swapping_contents_but_keeping_seqs_in_place_is_caught() {
    let mut records = chain(10);
    records.swap(3, 4);
    records[3].seq = 4;
    records[4].seq = 5;
    assert_eq!(fails(&records, &[]).seq(), 4);
}

// ---- cut-off tail ----

#[test]
fn truncating_the_tail_past_an_anchor_names_the_first_missing_record() {
    let mut records = chain(100);
    let anchors = anchors_at(&records, &[25, 50, 75]);
    records.truncate(60);
    assert_eq!(
        fails(&records, &anchors),
        VerifyError::Truncated {
            seq: 61,
            anchor_seq: 75
        }
    );
}

// ---- rewritten chain ----

#[test]
fn rewriting_the_chain_from_the_middle_is_caught_by_the_anchor() {
    let mut records = chain(100);
    let anchors = anchors_at(&records, &[25, 50, 75, 100]);
    records[59].result = Outcome::Success;
    records[59].changes.clear();
    rehash_from(&mut records, 59);
    assert!(
        verify(&records, &[], SUITE).is_ok(),
        "self-consistent without anchors"
    );
    let err = fails(&records, &anchors);
    assert_eq!(err, VerifyError::Rewritten { seq: 75, from: 51 });
    assert_eq!(err.seq(), 75);
}

#[test]
fn rewriting_the_whole_chain_is_caught_by_the_first_anchor() {
    let mut records = chain(30);
    let anchors = anchors_at(&records, &[10, 20]);
    records[0].actor = "someone-else".into();
    rehash_from(&mut records, 0);
    assert_eq!(
        fails(&records, &anchors),
        VerifyError::Rewritten { seq: 10, from: 1 }
    );
}

#[test]
fn rewriting_and_shortening_the_chain_below_an_anchor_is_a_cut_off_tail() {
    let mut records = chain(30);
    let anchors = anchors_at(&records, &[10, 30]);
    records.remove(15);
    for r in &mut records[15..] {
        r.seq -= 1;
    }
    rehash_from(&mut records, 15);
    assert_eq!(
        fails(&records, &anchors),
        VerifyError::Truncated {
            seq: 30,
            anchor_seq: 30
        }
    );
}

#[test]
fn a_forged_anchor_disagreeing_with_a_genuine_one_fails_verification() {
    let records = chain(10);
    let mut anchors = anchors_at(&records, &[5, 5]);
    anchors[1].hash = records[0].hash.clone();
    assert_eq!(
        fails(&records, &anchors),
        VerifyError::Rewritten { seq: 5, from: 1 }
    );
}

// ---- pruned chains ----

#[test]
fn pruned_chain_verifies_after_its_base_anchor() {
    let records = chain(40);
    let anchors = anchors_at(&records, &[10, 20, 30]);
    let base = anchors[1].clone();
    let summary = verify_after(&base, &records[20..], &anchors, SUITE).expect("intact after 20");
    assert_eq!(summary.first_seq, Some(21));
    assert_eq!(summary.records, 20);
    assert_eq!(summary.anchors_checked, 1);
}

#[test]
fn pruned_chain_missing_the_record_after_its_base_is_caught() {
    let records = chain(40);
    let base = Anchor::of(&records[19]);
    assert_eq!(
        verify_after(&base, &records[21..], &[], SUITE),
        Err(VerifyError::Missing { seq: 21, found: 22 })
    );
}

// ---- messages ----

#[test]
fn error_messages_name_the_record_in_chinese_and_english() {
    assert_eq!(
        VerifyError::Altered { seq: 1234 }.to_string(),
        "第 1234 条审计记录被修改 (record 1234 was altered)"
    );
    let all = [
        VerifyError::BrokenLink { seq: 1234 },
        VerifyError::Replaced { seq: 1234 },
        VerifyError::Missing {
            seq: 1234,
            found: 1240,
        },
        VerifyError::Reordered {
            seq: 1234,
            found: 1240,
        },
        VerifyError::Duplicate { seq: 1234 },
        VerifyError::Truncated {
            seq: 1234,
            anchor_seq: 2000,
        },
        VerifyError::Rewritten {
            seq: 1234,
            from: 1001,
        },
    ];
    for e in all {
        let msg = e.to_string();
        assert_eq!(e.seq(), 1234);
        assert!(msg.contains("第 1234 条"), "{msg}");
        assert!(
            msg.contains("record 1234") || msg.contains("records from 1234"),
            "{msg}"
        );
        assert!(msg.contains("审计"), "{msg}");
    }
    assert!(
        VerifyError::Replaced { seq: 1234 }
            .to_string()
            .contains("record 1235 does not chain")
    );
}

#[test]
fn outcome_names_round_trip_and_unknown_names_are_rejected() {
    for o in Outcome::ALL {
        assert_eq!(o.as_str().parse::<Outcome>(), Ok(o));
        assert_eq!(o.to_string(), o.as_str());
    }
    assert!("ok".parse::<Outcome>().is_err());
    assert_eq!(Outcome::Denied.label_zh(), "拒绝");
}

// ---- randomized ----

/// SplitMix64: a small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_single_tampering_is_always_detected_at_the_expected_record() {
    let mut rng = Rng(0x6a69_616e_6775_616e);
    let master = chain(64);
    for round in 0..2_000 {
        let n = 2 + rng.below(62);
        let mut records = master[..n].to_vec();
        let i = rng.below(n);
        let seq = (i + 1) as i64;
        let op = rng.below(6);
        let mut anchors = Vec::new();
        let expected = match op {
            0 => {
                records[i].at_ms ^= 1 << rng.below(40);
                VerifyError::Altered { seq }
            }
            1 => {
                let s = &mut records[i].object;
                let at = rng.below(s.len());
                s.replace_range(at..=at, "#");
                VerifyError::Altered { seq }
            }
            2 if i + 1 < n => {
                records.remove(i);
                VerifyError::Missing {
                    seq,
                    found: seq + 1,
                }
            }
            3 if i + 1 < n => {
                let j = i + 1 + rng.below(n - i - 1);
                records.swap(i, j);
                VerifyError::Reordered {
                    seq,
                    found: (j + 1) as i64,
                }
            }
            4 => {
                let copy = records[i].clone();
                records.insert(i + 1, copy);
                VerifyError::Duplicate { seq }
            }
            _ => {
                anchors = anchors_at(&records, &[n as i64]);
                records.truncate(i);
                VerifyError::Truncated {
                    seq,
                    anchor_seq: n as i64,
                }
            }
        };
        assert_eq!(
            verify(&records, &anchors, SUITE),
            Err(expected),
            "round {round}: n={n} i={i} op={op}"
        );
    }
}

#[test]
fn an_sm3_chain_verifies_under_its_own_suite_only_and_shows_tampering() {
    let mut records: Vec<AuditRecord> = Vec::new();
    for i in 0..40 {
        let r = seal(draft(i), records.last(), CryptoSuite::Sm);
        records.push(r);
    }
    let anchors = anchors_at(&records, &[10, 40]);
    let summary = verify(&records, &anchors, CryptoSuite::Sm).expect("intact under SM3");
    assert_eq!(summary.records, 40);
    assert_eq!(summary.anchors_checked, 2);
    // Read with the wrong suite, the very first record does not match its hash.
    assert_eq!(
        verify(&records, &anchors, CryptoSuite::Intl),
        Err(VerifyError::Altered { seq: 1 })
    );
    // An edit, and an edit hidden by recomputing every SM3 hash after it.
    let mut edited = records.clone();
    edited[14].actor = "mallory".into();
    assert_eq!(
        verify(&edited, &anchors, CryptoSuite::Sm),
        Err(VerifyError::Altered { seq: 15 })
    );
    for i in 14..edited.len() {
        edited[i].prev_hash = edited[i - 1].hash.clone();
        edited[i].hash = record_hash(&edited[i], CryptoSuite::Sm);
    }
    assert_eq!(
        verify(&edited, &anchors, CryptoSuite::Sm),
        Err(VerifyError::Rewritten { seq: 40, from: 11 })
    );
}

#[test]
fn a_chain_switching_to_sm3_at_a_record_verifies_only_with_that_switch() {
    use jianguan_audit::ChainSuite;
    let switch = ChainSuite {
        suite: CryptoSuite::Sm,
        from_seq: 4,
    };
    let mut records: Vec<AuditRecord> = Vec::new();
    for i in 0..10 {
        let r = seal(draft(i), records.last(), switch);
        records.push(r);
    }
    // The first three are SHA-256 records, the rest SM3.
    let sha = seal(draft(0), None, CryptoSuite::Intl);
    assert_eq!(records[0].hash, sha.hash);
    assert!(verify(&records, &[], switch).is_ok());
    assert_eq!(
        verify(&records, &[], CryptoSuite::Sm),
        Err(VerifyError::Altered { seq: 1 })
    );
    assert_eq!(
        verify(&records, &[], CryptoSuite::Intl),
        Err(VerifyError::Altered { seq: 4 })
    );
    let later = ChainSuite {
        from_seq: 5,
        ..switch
    };
    assert_eq!(
        verify(&records, &[], later),
        Err(VerifyError::Altered { seq: 4 })
    );
}
