//! The organisation's rules: which kind of unit may sit under which, names, and no cycles. Pure
//! functions over the stored units; the app checks every create, rename, move and import here.

use crate::model::{Unit, UnitId, UnitKind};

/// The longest unit name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A unit change refused by a rule; the text names the field and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OrgRefusal(pub String);

fn refuse(text: impl Into<String>) -> OrgRefusal {
    OrgRefusal(text.into())
}

/// The kinds a unit of `kind` may sit under; `None` in the list means no parent at all.
pub fn allowed_parents(kind: UnitKind) -> &'static [Option<UnitKind>] {
    match kind {
        UnitKind::CommandHq => &[None],
        UnitKind::SubHq | UnitKind::LeadUnit | UnitKind::District => {
            &[None, Some(UnitKind::CommandHq)]
        }
        UnitKind::ResponsibleUnit => &[None, Some(UnitKind::District), Some(UnitKind::LeadUnit)],
    }
}

/// The expected parents of `kind`, as a user reads them, e.g. 「无或县区、牵头单位」.
pub fn expected_parents(kind: UnitKind) -> String {
    let kinds: Vec<&str> = allowed_parents(kind)
        .iter()
        .filter_map(|k| k.map(|k| k.label()))
        .collect();
    if kinds.is_empty() {
        "无上级单位".to_string()
    } else {
        format!("无上级单位或{}", kinds.join("、"))
    }
}

/// Checks a unit's name: trimmed, not empty, at most [`MAX_NAME_CHARS`] characters. Returns
/// the trimmed name.
pub fn check_name(name: &str) -> Result<String, OrgRefusal> {
    let name = name.trim();
    if name.is_empty() {
        return Err(refuse("单位名称：不能为空"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(refuse(format!(
            "单位名称：不能超过 {MAX_NAME_CHARS} 个字（现有 {} 个）",
            name.chars().count()
        )));
    }
    Ok(name.to_string())
}

/// Checks `unit` (new, or a stored one with its new name, parent or active flag) against the
/// stored `units`: its name, its parent's kind, no cycle, and a name unique among the active
/// units of the same kind and parent. `units` may hold the unit's stored self (same id), which
/// is left out of the comparison.
pub fn check_unit(units: &[Unit], unit: &Unit) -> Result<(), OrgRefusal> {
    check_name(&unit.name)?;
    if unit.name.trim() != unit.name {
        return Err(refuse("单位名称：首尾不能有空格"));
    }
    let find = |id: UnitId| units.iter().find(|u| u.id == id);
    let parent = match unit.parent {
        None => None,
        Some(id) if id == unit.id => {
            return Err(refuse("上级单位：不能是本单位"));
        }
        Some(id) => {
            Some(find(id).ok_or_else(|| refuse(format!("上级单位：没有编号为 {id} 的单位")))?)
        }
    };
    if !allowed_parents(unit.kind).contains(&parent.map(|p| p.kind)) {
        return Err(refuse(format!(
            "上级单位：{}的上级应为{}，「{}」是{}",
            unit.kind.label(),
            expected_parents(unit.kind),
            parent.map_or("", |p| p.name.as_str()),
            parent.map_or("", |p| p.kind.label()),
        )));
    }
    if let Some(p) = parent {
        if unit.active && !p.active {
            return Err(refuse(format!("上级单位：「{}」已停用", p.name)));
        }
        // Walk up from the parent: meeting the unit itself would close a cycle.
        let mut seen = 0;
        let mut at = Some(p);
        while let Some(u) = at {
            if u.id == unit.id {
                return Err(refuse("上级单位：不能是本单位的下级单位"));
            }
            seen += 1;
            if seen > units.len() {
                break;
            }
            at = u.parent.and_then(find);
        }
    }
    if unit.kind == UnitKind::CommandHq
        && unit.active
        && units
            .iter()
            .any(|u| u.id != unit.id && u.active && u.kind == UnitKind::CommandHq)
    {
        return Err(refuse("类型：已有指挥部办公室，只能有一个"));
    }
    if unit.active
        && let Some(twin) = units.iter().find(|u| {
            u.id != unit.id
                && u.active
                && u.kind == unit.kind
                && u.parent == unit.parent
                && u.name == unit.name
        })
    {
        return Err(refuse(format!(
            "单位名称：同一上级下已有{}「{}」（编号 {}）",
            twin.kind.label(),
            twin.name,
            twin.id
        )));
    }
    Ok(())
}

/// Checks deactivating `unit`: the HQ office stays, and a unit with active units under it is
/// deactivated after them.
pub fn check_deactivate(units: &[Unit], unit: &Unit) -> Result<(), OrgRefusal> {
    if unit.kind == UnitKind::CommandHq {
        return Err(refuse("指挥部办公室不能停用"));
    }
    let children: Vec<&str> = units
        .iter()
        .filter(|u| u.active && u.parent == Some(unit.id))
        .map(|u| u.name.as_str())
        .collect();
    if !children.is_empty() {
        return Err(refuse(format!(
            "「{}」下还有在用的下级单位（{}），请先停用或移走它们",
            unit.name,
            children.join("、")
        )));
    }
    Ok(())
}

/// The units as a tree: each with its depth, parents before children, siblings by kind then
/// id. Units whose parent is missing are roots.
pub fn tree(units: &[Unit]) -> Vec<(usize, &Unit)> {
    let mut out = Vec::with_capacity(units.len());
    let known = |id: UnitId| units.iter().any(|u| u.id == id);
    let mut roots: Vec<&Unit> = units
        .iter()
        .filter(|u| u.parent.is_none_or(|p| !known(p)))
        .collect();
    roots.sort_by_key(|u| (UnitKind::ALL.iter().position(|k| *k == u.kind), u.id));
    fn walk<'u>(units: &'u [Unit], at: &'u Unit, depth: usize, out: &mut Vec<(usize, &'u Unit)>) {
        if out.iter().any(|(_, u)| u.id == at.id) {
            return;
        }
        out.push((depth, at));
        let mut children: Vec<&Unit> = units.iter().filter(|u| u.parent == Some(at.id)).collect();
        children.sort_by_key(|u| (UnitKind::ALL.iter().position(|k| *k == u.kind), u.id));
        for c in children {
            walk(units, c, depth + 1, out);
        }
    }
    for r in roots {
        walk(units, r, 0, &mut out);
    }
    out
}

/// Finds a unit by what a person typed: an id, or an exact name among the active units.
/// Several active units of that name → refused, listing them with their ids.
pub fn resolve<'u>(units: &'u [Unit], text: &str) -> Result<&'u Unit, OrgRefusal> {
    let text = text.trim();
    if let Ok(id) = text.parse::<i64>()
        && let Some(u) = units.iter().find(|u| u.id == UnitId(id))
    {
        return Ok(u);
    }
    let found: Vec<&Unit> = units
        .iter()
        .filter(|u| u.active && u.name == text)
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(refuse(format!("单位：没有名为「{text}」的在用单位"))),
        many => Err(refuse(format!(
            "单位：有 {} 个名为「{text}」的单位，请用编号指定：{}",
            many.len(),
            many.iter()
                .map(|u| format!("{}（{}，编号 {}）", u.name, u.kind.label(), u.id))
                .collect::<Vec<_>>()
                .join("；")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, kind: UnitKind, name: &str, parent: Option<i64>) -> Unit {
        Unit {
            id: UnitId(id),
            kind,
            name: name.into(),
            parent: parent.map(UnitId),
            active: true,
        }
    }

    fn city() -> Vec<Unit> {
        vec![
            unit(1, UnitKind::CommandHq, "指挥部办公室", None),
            unit(2, UnitKind::District, "东湖区", Some(1)),
            unit(3, UnitKind::ResponsibleUnit, "东湖区住建局", Some(2)),
            unit(4, UnitKind::LeadUnit, "市住建局", None),
        ]
    }

    #[test]
    fn parents_follow_the_command_structure() {
        let units = city();
        assert!(check_unit(&units, &unit(5, UnitKind::SubHq, "城建分指挥部", Some(1))).is_ok());
        assert!(check_unit(&units, &unit(5, UnitKind::ResponsibleUnit, "甲", Some(4))).is_ok());
        let err = check_unit(&units, &unit(5, UnitKind::District, "西山区", Some(2))).unwrap_err();
        assert!(
            err.0
                .starts_with("上级单位：县区的上级应为无上级单位或指挥部办公室"),
            "{err}"
        );
        let err = check_unit(&units, &unit(5, UnitKind::CommandHq, "另一个", None)).unwrap_err();
        assert!(err.0.starts_with("类型："), "{err}");
        assert!(check_unit(&units, &unit(5, UnitKind::CommandHq, "x", Some(1))).is_err());
    }

    #[test]
    fn names_are_checked_and_unique_among_siblings() {
        let units = city();
        assert_eq!(
            check_unit(&units, &unit(5, UnitKind::District, " ", None))
                .unwrap_err()
                .0,
            "单位名称：不能为空"
        );
        let long = "长".repeat(101);
        assert!(
            check_unit(&units, &unit(5, UnitKind::District, &long, None))
                .unwrap_err()
                .0
                .contains("100")
        );
        let err = check_unit(&units, &unit(5, UnitKind::District, "东湖区", Some(1))).unwrap_err();
        assert!(err.0.contains("已有县区「东湖区」（编号 2）"), "{err}");
        // Another parent, or an inactive twin, is fine.
        assert!(check_unit(&units, &unit(5, UnitKind::District, "东湖区", None)).is_ok());
        let mut units = units;
        units[1].active = false;
        assert!(check_unit(&units, &unit(5, UnitKind::District, "东湖区", Some(1))).is_ok());
    }

    #[test]
    fn no_unit_sits_under_itself() {
        let mut units = city();
        units.push(unit(5, UnitKind::LeadUnit, "市城管局", Some(1)));
        // A responsible unit under a district: moving the district under it is a kind error
        // first; a cycle through allowed kinds is caught by the walk.
        let mut moved = units[2].clone();
        moved.parent = Some(UnitId(3));
        assert_eq!(
            check_unit(&units, &moved).unwrap_err().0,
            "上级单位：不能是本单位"
        );
    }

    #[test]
    fn the_office_is_never_deactivated_nor_a_parent_before_its_children() {
        let units = city();
        assert!(check_deactivate(&units, &units[0]).is_err());
        assert!(
            check_deactivate(&units, &units[1])
                .unwrap_err()
                .0
                .contains("东湖区住建局")
        );
        assert!(check_deactivate(&units, &units[2]).is_ok());
    }

    #[test]
    fn units_resolve_by_name_or_id() {
        let mut units = city();
        assert_eq!(resolve(&units, "东湖区住建局").unwrap().id, UnitId(3));
        assert_eq!(resolve(&units, "4").unwrap().id, UnitId(4));
        units.push(unit(5, UnitKind::ResponsibleUnit, "东湖区住建局", Some(4)));
        let err = resolve(&units, "东湖区住建局").unwrap_err();
        assert!(
            err.0.contains("编号 3") && err.0.contains("编号 5"),
            "{err}"
        );
        assert!(resolve(&units, "南区").is_err());
    }

    #[test]
    fn the_tree_puts_children_under_parents() {
        let units = city();
        let t: Vec<(usize, i64)> = tree(&units).iter().map(|(d, u)| (*d, u.id.0)).collect();
        assert_eq!(t, vec![(0, 1), (1, 2), (2, 3), (0, 4)]);
    }
}
