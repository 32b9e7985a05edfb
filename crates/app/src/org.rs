//! The organisation: units created, renamed, moved, deactivated and reactivated (never
//! deleted), the office's organisation file imported all-or-nothing, and a unit found by the
//! name a person types. The rules are the domain's ([`jianguan_domain::org`]); every write is
//! one transaction checked against the data version its checks read.

use std::collections::HashMap;

use jianguan_audit::{AuditAction, AuditDraft};
use jianguan_documents::org::{HEADERS, OrgRow, read_org_file};
use jianguan_domain::model::{Unit, UnitId, UnitKind};
use jianguan_domain::org::{self as rules, OrgRefusal};
use jianguan_domain::store::{Store, StoreError, UnitWrite};

use crate::Clock;

/// Why an organisation change was not made.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// A rule refused it; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// The organisation file has bad rows: every one named (row, column, what was expected).
    #[error("组织文件有 {} 处错误，未导入任何单位：{}", .0.len(), .0.join("；"))]
    Rows(Vec<String>),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<OrgRefusal> for OrgError {
    fn from(r: OrgRefusal) -> Self {
        OrgError::Invalid(r.0)
    }
}

/// Every unit, by id.
pub async fn units(store: &dyn Store) -> Result<Vec<Unit>, StoreError> {
    store.load_units().await
}

/// The unit a person means by `text`: its id, or its exact name among the active units (an
/// ambiguous name is refused, listing the candidates with their ids).
pub async fn resolve_unit(store: &dyn Store, text: &str) -> Result<Unit, OrgError> {
    let units = store.load_units().await?;
    Ok(rules::resolve(&units, text)?.clone())
}

/// The kind a person names, by its Chinese name (分指挥部, 牵头单位, 县区, 责任单位,
/// 指挥部办公室) or its code.
pub fn kind_of(text: &str) -> Option<UnitKind> {
    let text = text.trim();
    UnitKind::ALL
        .into_iter()
        .find(|k| k.label() == text || k.code() == text)
}

fn audit(clock: Clock, by: &str, action: AuditAction, unit: UnitId) -> AuditDraft {
    crate::client::draft(clock.now_ms(), by, action, format!("unit:{unit}"))
}

fn created(clock: Clock, by: &str, u: &Unit, units: &[Unit]) -> AuditDraft {
    let mut draft = audit(clock, by, AuditAction::UnitCreate, u.id)
        .change("name", None, &u.name)
        .change("kind", None, u.kind.code());
    if let Some(p) = u.parent {
        draft = draft.change("parent", None, parent_text(units, Some(p)));
    }
    draft
}

fn parent_text(units: &[Unit], parent: Option<UnitId>) -> String {
    match parent {
        None => "（无）".to_string(),
        Some(id) => units
            .iter()
            .find(|u| u.id == id)
            .map_or(format!("编号 {id}"), |u| {
                format!("{}（编号 {id}）", u.name)
            }),
    }
}

/// Creates a unit, checked by [`rules::check_unit`]; audited `unit.create`. Returns its id.
pub async fn create_unit(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    name: &str,
    kind: UnitKind,
    parent: Option<UnitId>,
) -> Result<UnitId, OrgError> {
    let version = store.data_version().await?;
    let units = store.load_units().await?;
    let unit = Unit {
        id: UnitId(units.iter().map(|u| u.id.0).max().unwrap_or(0) + 1),
        kind,
        name: rules::check_name(name)?,
        parent,
        active: true,
    };
    rules::check_unit(&units, &unit)?;
    let draft = created(clock, by, &unit, &units);
    let id = unit.id;
    store
        .save_units(
            &UnitWrite {
                new: vec![unit],
                changed: vec![],
                expected_version: version,
            },
            &[draft],
        )
        .await?;
    Ok(id)
}

async fn change(
    store: &dyn Store,
    id: UnitId,
    edit: impl FnOnce(&[Unit], &mut Unit) -> Result<Option<AuditDraft>, OrgError>,
) -> Result<bool, OrgError> {
    let version = store.data_version().await?;
    let units = store.load_units().await?;
    let mut unit = units
        .iter()
        .find(|u| u.id == id)
        .cloned()
        .ok_or_else(|| OrgError::Invalid(format!("单位：没有编号为 {id} 的单位")))?;
    let Some(draft) = edit(&units, &mut unit)? else {
        return Ok(false);
    };
    store
        .save_units(
            &UnitWrite {
                new: vec![],
                changed: vec![unit],
                expected_version: version,
            },
            &[draft],
        )
        .await?;
    Ok(true)
}

/// Renames a unit; audited `unit.rename` with the names before and after. False when the name
/// is the one it has (nothing written).
pub async fn rename_unit(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    id: UnitId,
    name: &str,
) -> Result<bool, OrgError> {
    let name = rules::check_name(name)?;
    change(store, id, |units, unit| {
        if unit.name == name {
            return Ok(None);
        }
        let before = std::mem::replace(&mut unit.name, name);
        rules::check_unit(units, unit)?;
        Ok(Some(audit(clock, by, AuditAction::UnitRename, id).change(
            "name",
            Some(before),
            &unit.name,
        )))
    })
    .await
}

/// Moves a unit under another parent (or none); audited `unit.move`. False when it is there
/// already.
pub async fn move_unit(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    id: UnitId,
    parent: Option<UnitId>,
) -> Result<bool, OrgError> {
    change(store, id, |units, unit| {
        if unit.parent == parent {
            return Ok(None);
        }
        let before = std::mem::replace(&mut unit.parent, parent);
        rules::check_unit(units, unit)?;
        Ok(Some(audit(clock, by, AuditAction::UnitMove, id).change(
            "parent",
            Some(parent_text(units, before)),
            parent_text(units, parent),
        )))
    })
    .await
}

/// Deactivates (`active` false) or reactivates a unit; audited `unit.deactivate` /
/// `unit.reactivate`. A unit is never deleted: its projects, reports and scores keep naming
/// it. False when it already is so.
pub async fn set_unit_active(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    id: UnitId,
    active: bool,
) -> Result<bool, OrgError> {
    change(store, id, |units, unit| {
        if unit.active == active {
            return Ok(None);
        }
        if active {
            unit.active = true;
            rules::check_unit(units, unit)?;
        } else {
            rules::check_deactivate(units, unit)?;
            unit.active = false;
        }
        let action = if active {
            AuditAction::UnitReactivate
        } else {
            AuditAction::UnitDeactivate
        };
        Ok(Some(audit(clock, by, action, id).change(
            "active",
            Some((!active).to_string()),
            active.to_string(),
        )))
    })
    .await
}

/// What an organisation import did (or, refused, would not do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgImported {
    /// Units created, in file order, as (name, kind, id).
    pub created: Vec<(String, UnitKind, UnitId)>,
    /// Units already stored with the same name and kind, as (name, kind, id).
    pub unchanged: Vec<(String, UnitKind, UnitId)>,
}

/// The kinds an organisation file may name (the HQ office exists already).
const FILE_KINDS: [UnitKind; 4] = [
    UnitKind::SubHq,
    UnitKind::LeadUnit,
    UnitKind::District,
    UnitKind::ResponsibleUnit,
];

/// Plans an import of `rows` against the stored `units`: every bad row named (row number,
/// column, what was expected), or the units to create (ids from above the stored ones, parents
/// before children) and the rows already stored.
pub fn plan_org_import(
    units: &[Unit],
    rows: &[OrgRow],
) -> Result<(Vec<Unit>, OrgImported), Vec<String>> {
    let [col_name, col_kind, col_parent] = HEADERS;
    let mut errors = Vec::new();
    let expected_kinds = FILE_KINDS.map(UnitKind::label).join("、");
    // Pass 1: name and kind of every row; a name once per file.
    let mut parsed: Vec<Option<(String, UnitKind)>> = Vec::with_capacity(rows.len());
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let name = match rules::check_name(&r.name) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(format!(
                    "第 {} 行「{col_name}」：{}",
                    r.row,
                    e.0.trim_start_matches("单位名称：")
                ));
                None
            }
        };
        let kind = match kind_of(&r.kind).filter(|k| FILE_KINDS.contains(k)) {
            Some(k) => Some(k),
            None => {
                errors.push(format!(
                    "第 {} 行「{col_kind}」：应为 {expected_kinds} 之一，实为「{}」",
                    r.row, r.kind
                ));
                None
            }
        };
        if let Some(n) = &name {
            if let Some(&first) = by_name.get(n) {
                errors.push(format!(
                    "第 {} 行「{col_name}」：「{n}」与第 {} 行重复，每个单位在文件中只写一行",
                    r.row, rows[first].row
                ));
            } else {
                by_name.insert(n.clone(), i);
            }
        }
        parsed.push(name.zip(kind));
    }
    // Pass 2: each row is a stored unit (same name and kind) or a new one with the next id.
    let mut next = units.iter().map(|u| u.id.0).max().unwrap_or(0) + 1;
    let mut ids: Vec<Option<(UnitId, bool)>> = Vec::with_capacity(rows.len());
    for (r, p) in rows.iter().zip(&parsed) {
        let Some((name, kind)) = p else {
            ids.push(None);
            continue;
        };
        let stored: Vec<&Unit> = units
            .iter()
            .filter(|u| u.active && &u.name == name && u.kind == *kind)
            .collect();
        match stored.as_slice() {
            [] => {
                ids.push(Some((UnitId(next), true)));
                next += 1;
            }
            [one] => ids.push(Some((one.id, false))),
            many => {
                errors.push(format!(
                    "第 {} 行「{col_name}」：已有 {} 个名为「{name}」的{}（编号 {}），无法确定是哪一个",
                    r.row,
                    many.len(),
                    kind.label(),
                    many.iter().map(|u| u.id.to_string()).collect::<Vec<_>>().join("、")
                ));
                ids.push(None);
            }
        }
    }
    // Pass 3: parents, by name in the file or among the stored active units.
    let mut new: Vec<Unit> = Vec::new();
    let mut report = OrgImported::default();
    for (i, r) in rows.iter().enumerate() {
        let (Some((name, kind)), Some((id, is_new))) = (&parsed[i], ids[i]) else {
            continue;
        };
        let parent = if r.parent.is_empty() {
            None
        } else if let Some(&j) = by_name.get(&r.parent) {
            match ids[j] {
                Some((pid, _)) if j != i => Some(pid),
                Some(_) => {
                    errors.push(format!("第 {} 行「{col_parent}」：不能是本单位", r.row));
                    continue;
                }
                None => continue, // that row's own error is reported
            }
        } else {
            let stored: Vec<&Unit> = units
                .iter()
                .filter(|u| u.active && u.name == r.parent)
                .collect();
            match stored.as_slice() {
                [one] => Some(one.id),
                [] => {
                    errors.push(format!(
                        "第 {} 行「{col_parent}」：「{}」既不在本文件中，也不是已有的在用单位",
                        r.row, r.parent
                    ));
                    continue;
                }
                many => {
                    errors.push(format!(
                        "第 {} 行「{col_parent}」：有 {} 个名为「{}」的单位（编号 {}），无法确定是哪一个",
                        r.row,
                        many.len(),
                        r.parent,
                        many.iter().map(|u| u.id.to_string()).collect::<Vec<_>>().join("、")
                    ));
                    continue;
                }
            }
        };
        if is_new {
            new.push(Unit {
                id,
                kind: *kind,
                name: name.clone(),
                parent,
                active: true,
            });
            report.created.push((name.clone(), *kind, id));
        } else {
            let stored = units.iter().find(|u| u.id == id).expect("matched above");
            if stored.parent != parent {
                errors.push(format!(
                    "第 {} 行「{col_parent}」：已有单位「{name}」的上级是{}，文件写的是「{}」；改上级请在组织页面移动该单位",
                    r.row,
                    parent_text(units, stored.parent),
                    r.parent
                ));
                continue;
            }
            report.unchanged.push((name.clone(), *kind, id));
        }
    }
    // Pass 4: parents before children, each new unit checked against what is there by then.
    let row_of: HashMap<UnitId, usize> = rows
        .iter()
        .zip(&ids)
        .filter_map(|(r, id)| id.map(|(id, _)| (id, r.row)))
        .collect();
    let mut placed: Vec<Unit> = units.to_vec();
    let mut ordered: Vec<Unit> = Vec::with_capacity(new.len());
    let mut pending = new;
    while !pending.is_empty() {
        let (ready, waiting): (Vec<Unit>, Vec<Unit>) = pending
            .into_iter()
            .partition(|u| u.parent.is_none_or(|p| placed.iter().any(|x| x.id == p)));
        if ready.is_empty() {
            for u in &waiting {
                // Parents still pending: a row whose parent row was refused, or a cycle.
                if errors.is_empty() {
                    errors.push(format!(
                        "第 {} 行「{col_parent}」：上级单位之间形成循环",
                        row_of[&u.id]
                    ));
                }
            }
            break;
        }
        for u in ready {
            if let Err(e) = rules::check_unit(&placed, &u) {
                errors.push(format!("第 {} 行：{}", row_of[&u.id], e.0));
            }
            placed.push(u.clone());
            ordered.push(u);
        }
        pending = waiting;
    }
    if errors.is_empty() {
        Ok((ordered, report))
    } else {
        Err(errors)
    }
}

/// Imports an organisation file (.xlsx or .csv; columns 单位名称, 类型, 上级单位): all of it or
/// nothing, in one transaction, every unit created audited `unit.create` and the file
/// `org.import`. Rows naming units already stored (same name and kind, same parent) are
/// reported unchanged, so importing the same file again writes nothing.
pub async fn import_org(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    bytes: &[u8],
    file_name: &str,
) -> Result<OrgImported, OrgError> {
    let rows = read_org_file(bytes, file_name).map_err(|e| OrgError::Rows(vec![e]))?;
    if rows.is_empty() {
        return Err(OrgError::Rows(vec![
            "文件中没有单位（表头下没有数据行）".into(),
        ]));
    }
    let version = store.data_version().await?;
    let units = store.load_units().await?;
    if units.is_empty() {
        return Err(OrgError::Invalid(
            "还没有指挥部办公室：请先用 jianguan init 初始化城市".into(),
        ));
    }
    let (new, report) = plan_org_import(&units, &rows).map_err(OrgError::Rows)?;
    if new.is_empty() {
        return Ok(report);
    }
    let all: Vec<Unit> = units.iter().chain(&new).cloned().collect();
    let mut drafts: Vec<AuditDraft> = new.iter().map(|u| created(clock, by, u, &all)).collect();
    drafts.push(
        crate::client::draft(
            clock.now_ms(),
            by,
            AuditAction::OrgImport,
            format!("file:{file_name}"),
        )
        .change(
            "source",
            None,
            format!("{file_name}（{} 字节）", bytes.len()),
        )
        .change("created", None, report.created.len().to_string())
        .change("unchanged", None, report.unchanged.len().to_string()),
    );
    store
        .save_units(
            &UnitWrite {
                new,
                changed: vec![],
                expected_version: version,
            },
            &drafts,
        )
        .await?;
    Ok(report)
}

/// The organisation as indented text lines: name, kind, id, 已停用 when inactive.
pub fn tree_lines(units: &[Unit]) -> Vec<String> {
    rules::tree(units)
        .into_iter()
        .map(|(depth, u)| {
            format!(
                "{}{}（{}，编号 {}）{}",
                "  ".repeat(depth),
                u.name,
                u.kind.label(),
                u.id,
                if u.active { "" } else { " 〔已停用〕" }
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(row: usize, name: &str, kind: &str, parent: &str) -> OrgRow {
        OrgRow {
            row,
            name: name.into(),
            kind: kind.into(),
            parent: parent.into(),
        }
    }

    fn office() -> Vec<Unit> {
        vec![Unit {
            id: UnitId(1),
            kind: UnitKind::CommandHq,
            name: "指挥部办公室".into(),
            parent: None,
            active: true,
        }]
    }

    #[test]
    fn a_parent_may_come_below_its_child_and_parents_are_written_first() {
        let rows = [
            row(2, "东湖区住建局", "责任单位", "东湖区"),
            row(3, "东湖区", "县区", "指挥部办公室"),
        ];
        let (new, report) = plan_org_import(&office(), &rows).unwrap();
        assert_eq!(new[0].name, "东湖区");
        assert_eq!(new[1].parent, Some(new[0].id));
        assert_eq!(new[0].parent, Some(UnitId(1)));
        assert_eq!(report.created.len(), 2);
    }

    #[test]
    fn every_bad_row_is_named_with_its_column() {
        let rows = [
            row(2, "", "县区", ""),
            row(3, "甲", "街道", ""),
            row(4, "乙", "责任单位", "丙"),
            row(5, "丁", "县区", ""),
            row(6, "丁", "县区", ""),
            row(7, "戊", "县区", "丁"),
        ];
        let errors = plan_org_import(&office(), &rows).unwrap_err();
        let text = errors.join("\n");
        assert!(text.contains("第 2 行「单位名称」：不能为空"), "{text}");
        assert!(
            text.contains(
                "第 3 行「类型」：应为 分指挥部、牵头单位、县区、责任单位 之一，实为「街道」"
            ),
            "{text}"
        );
        assert!(text.contains("第 4 行「上级单位」：「丙」"), "{text}");
        assert!(
            text.contains("第 6 行「单位名称」：「丁」与第 5 行重复"),
            "{text}"
        );
        assert!(text.contains("第 7 行：上级单位：县区的上级应为"), "{text}");
    }
}
