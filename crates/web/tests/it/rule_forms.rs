//! The office's forms over the warning rules and the scoring scheme (issue 17, item 4): labelled
//! fields instead of TOML, saved as a new version through the same use cases the TOML path
//! uses, refused beside the field with every typed value kept, and previewed without saving.

use crate::common::*;
use axum::http::StatusCode;
use jianguan_app::cadence::WARNING_RULES_KEY;

scenarios!([
    the_rules_form_saves_a_new_version_the_toml_export_shows,
    a_bad_number_in_the_rules_form_is_refused_beside_its_field_and_kept,
    the_rules_preview_counts_today_under_both_rule_sets_and_saves_nothing,
    the_scheme_reads_as_tables_and_its_toml_stays_in_the_details,
    the_scheme_form_previews_rank_moves_and_saves_a_new_version,
    a_bad_weight_in_the_scheme_form_is_refused_and_kept,
]);

/// The rules form's fields as the page fills them from the default rules.
fn default_rules_form() -> Vec<(&'static str, String)> {
    [
        ("overdue.0.days", "1"),
        ("overdue.0.level", "reminder"),
        ("overdue.1.days", "15"),
        ("overdue.1.level", "warning"),
        ("overdue.2.days", ""),
        ("overdue.2.level", "warning"),
        ("repeat.on", "on"),
        ("repeat.count", "2"),
        ("repeat.from", "warning"),
        ("repeat.within_days", "60"),
        ("repeat.level", "warning"),
        ("at_risk.on", "on"),
        ("at_risk.within_days", "14"),
        ("at_risk.min_predicted_days", "7"),
        ("lights.red_share", "5"),
        ("lights.yellow_share", "15"),
        ("proposals.quiet_days", "30"),
        ("proposals.supervision.0.when", "milestone_overdue"),
        ("proposals.supervision.0.days", "30"),
        ("proposals.supervision.1.when", "repeated_warnings"),
        ("proposals.supervision.1.count", "3"),
        ("proposals.supervision.1.within_days", "90"),
        ("proposals.summons.0.when", "district_warnings"),
        ("proposals.summons.0.count", "35"),
        ("proposals.summons.1.when", "repeated_supervision"),
        ("proposals.summons.1.count", "5"),
        ("proposals.summons.1.within_days", "90"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn with<'a>(
    form: &'a [(&'static str, String)],
    changes: &[(&'static str, &'a str)],
) -> Vec<(&'static str, &'a str)> {
    let mut out: Vec<(&'static str, &'a str)> = form
        .iter()
        .map(|(k, v)| {
            let v = changes
                .iter()
                .find(|(c, _)| c == k)
                .map_or(v.as_str(), |(_, v)| *v);
            (*k, v)
        })
        .collect();
    for (k, v) in changes {
        if !out.iter().any(|(o, _)| o == k) {
            out.push((k, v));
        }
    }
    out
}

/// The text of the page's `<details>` … `</details>` and the rest.
fn split_details(page: &str, id: &str) -> (String, String) {
    let start = page
        .find(&format!("<details id=\"{id}\""))
        .unwrap_or_else(|| panic!("no details {id}"));
    let end = page[start..].find("</details>").expect("its end") + start;
    (
        page[start..end].to_string(),
        format!("{}{}", &page[..start], &page[end..]),
    )
}

async fn the_rules_form_saves_a_new_version_the_toml_export_shows(app: &App) {
    let page = app.page("office", "/settings/warnings").await;
    assert!(
        page.contains("第 2 级：逾期天数 ≥")
            && page.contains("<option value=\"warning\" selected>警示</option>")
    );
    assert!(
        page.contains("name=\"overdue.1.days\" value=\"15\""),
        "{page}"
    );
    let (details, rest) = split_details(&page, "rules-toml");
    assert!(details.contains("高级：TOML 导入/导出") && details.contains("[[overdue]]"));
    assert!(!rest.contains("[[overdue]]"), "no TOML outside the details");

    let form = default_rules_form();
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &with(&form, &[("overdue.1.days", "20"), ("action", "save")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = app
        .store
        .setting(WARNING_RULES_KEY)
        .await
        .expect("reads")
        .expect("saved");
    assert_eq!(saved.saved_by, "office");
    let rules = jianguan_domain::warnings::WarningRules::from_toml(&saved.body).expect("valid");
    assert_eq!((rules.version, rules.overdue[1].days), (2, 20));
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "settings.warning_rules")
    );
    // The TOML export shows the new version; the form shows the new number.
    let page = app.page("office", "/settings/warnings").await;
    let (details, _) = split_details(&page, "rules-toml");
    assert!(
        details.contains("version = 2") && details.contains("days = 20"),
        "{details}"
    );
    assert!(page.contains("name=\"overdue.1.days\" value=\"20\""));
    assert!(page.contains("逾期 ≥ 20 天"));
    // Only the office may post the form.
    let r = app
        .post("district", "/settings/warnings", &with(&form, &[]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_bad_number_in_the_rules_form_is_refused_beside_its_field_and_kept(app: &App) {
    let form = default_rules_form();
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &with(
                &form,
                &[
                    ("overdue.1.days", "十五"),
                    ("at_risk.within_days", "21"),
                    ("action", "save"),
                ],
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("逾期天数须为整数，填写的是「十五」"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"f-overdue.1.days-error\""));
    assert!(r.body.contains("name=\"overdue.1.days\" value=\"十五\""));
    assert!(r.body.contains("name=\"at_risk.within_days\" value=\"21\""));
    // A number the domain refuses: rungs out of order, named at the rung's row.
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &with(&form, &[("overdue.1.days", "1"), ("action", "save")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("逾期规则须按天数和等级递增"), "{}", r.body);
    assert!(r.body.contains("id=\"f-overdue.1.days-error\""));
    // A share beyond 100%.
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &with(&form, &[("lights.red_share", "150"), ("action", "save")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("占比须在 0% 到 100% 之间"), "{}", r.body);
    assert!(r.body.contains("name=\"lights.red_share\" value=\"150\""));
    assert!(
        app.store
            .setting(WARNING_RULES_KEY)
            .await
            .expect("reads")
            .is_none(),
        "nothing saved"
    );
}

/// The preview table's row for `level`: (rules in force, edited).
fn preview_row(body: &str, level: &str) -> (u64, u64) {
    let start = body
        .find("id=\"rules-preview\"")
        .expect("the preview table");
    let table = &body[start..];
    let row = &table[table
        .find(&format!("<th scope=\"row\">{level}</th>"))
        .expect("the level's row")..];
    let nums: Vec<u64> = row
        .split("<td class=\"num\">")
        .skip(1)
        .take(2)
        .map(|c| c[..c.find('<').unwrap()].parse().expect("a count"))
        .collect();
    (nums[0], nums[1])
}

async fn the_rules_preview_counts_today_under_both_rule_sets_and_saves_nothing(app: &App) {
    let form = default_rules_form();
    let versions = app.versions().await;
    // The demo's year is over: its unreached milestones are years overdue. Moving 警示 to 3,000
    // days turns them back into 提醒.
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &with(&form, &[("overdue.1.days", "3000"), ("action", "preview")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("尚未保存"));
    let (warning_now, warning_after) = preview_row(&r.body, "警示");
    let (reminder_now, reminder_after) = preview_row(&r.body, "提醒");
    assert!(warning_now > 0, "{}", r.body);
    assert!(warning_after < warning_now);
    assert!(reminder_after > reminder_now);
    assert_eq!(warning_now + reminder_now, warning_after + reminder_after);
    // The typed values stay in the form, and nothing was stored.
    assert!(r.body.contains("name=\"overdue.1.days\" value=\"3000\""));
    assert_eq!(app.versions().await, versions);
    assert!(
        app.store
            .setting(WARNING_RULES_KEY)
            .await
            .expect("reads")
            .is_none()
    );
}

async fn the_scheme_reads_as_tables_and_its_toml_stays_in_the_details(app: &App) {
    let page = app.page("office", "/assessment/scheme?year=2021").await;
    assert!(page.contains("class=\"scheme-system\""));
    for name in ["节点完成率", "按期完成率", "机械化清扫率", "警示扣分"] {
        assert!(page.contains(name), "{name}");
    }
    let (details, rest) = split_details(&page, "scheme-toml");
    assert!(details.contains("[[system.indicator]]"));
    for raw in ["[[system", "method = ", "code = ", "[tiers]"] {
        assert!(!rest.contains(raw), "raw TOML `{raw}` outside the details");
    }
    assert!(rest.contains("增删考核体系或指标"));
    assert!(
        rest.contains("name=\"system.1.indicator.0.weight\" value=\"35\""),
        "{rest}"
    );
    // A district reads the tables, without the form.
    let page = app.page("district", "/assessment/scheme?year=2021").await;
    assert!(page.contains("节点完成率") && !page.contains("scheme-form"));
}

/// The scheme form's values as the page fills them (read off the page).
fn form_values(page: &str) -> Vec<(String, String)> {
    let start = page.find("id=\"scheme-form\"").expect("the form");
    let end = page[start..].find("</form>").unwrap() + start;
    let form = &page[start..end];
    form.split("<input ")
        .skip(1)
        .filter_map(|tag| {
            let attr = |name: &str| {
                let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
                Some(tag[at..at + tag[at..].find('"')?].to_string())
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}

async fn the_scheme_form_previews_rank_moves_and_saves_a_new_version(app: &App) {
    let page = app.page("office", "/assessment/scheme?year=2021").await;
    let mut values = form_values(&page);
    assert!(values.len() > 20, "{values:?}");
    for (k, v) in &mut values {
        match k.as_str() {
            "system.0.weight" => *v = "98".into(),
            "system.1.weight" | "system.2.weight" => *v = "1".into(),
            _ => {}
        }
    }
    let fields = |action: &'static str| -> Vec<(String, String)> {
        let mut f = values.clone();
        f.push(("action".into(), action.into()));
        f
    };
    let post = |f: Vec<(String, String)>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post("office", "/assessment/scheme", &pairs).await
    };
    let r = post(fields("preview")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"ranks-preview\""), "{}", r.body);
    let start = r.body.find("id=\"ranks-preview\"").unwrap();
    let table = &r.body[start..start + r.body[start..].find("</table>").unwrap()];
    let district = app
        .city
        .units
        .iter()
        .find(|u| u.kind == jianguan_domain::model::UnitKind::District)
        .expect("a district");
    assert!(table.contains(&district.name), "{table}");
    assert!(table.contains("第 1 名"));
    assert!(table.contains('↑') || table.contains('↓'), "{table}");
    assert!(
        app.store
            .scheme_versions(2021)
            .await
            .expect("reads")
            .is_empty(),
        "the preview saves nothing"
    );
    let r = post(fields("save")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let versions = app.store.scheme_versions(2021).await.expect("reads");
    assert_eq!(versions.iter().map(|v| v.version).max(), Some(2));
    let page = app.page("office", "/assessment/scheme?year=2021").await;
    let (details, _) = split_details(&page, "scheme-toml");
    assert!(
        details.contains("version = 2") && details.contains("weight = 0.98"),
        "{details}"
    );
    // Only the office may post.
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post("district", "/assessment/scheme", &pairs).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_bad_weight_in_the_scheme_form_is_refused_and_kept(app: &App) {
    let page = app.page("office", "/assessment/scheme?year=2021").await;
    let mut values = form_values(&page);
    for (k, v) in &mut values {
        if k == "system.1.indicator.0.weight" {
            *v = "50".into();
        }
        if k == "deduction.0.points" {
            *v = "半分".into();
        }
    }
    values.push(("action".into(), "save".into()));
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post("office", "/assessment/scheme", &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("须为数字，填写的是「半分」"), "{}", r.body);
    assert!(
        r.body
            .contains("name=\"deduction.0.points\" value=\"半分\"")
    );
    // With the number fixed, the weights' sum is refused at its system, the typed 50 kept.
    for (k, v) in &mut values {
        if k == "deduction.0.points" {
            *v = "0.5".into();
        }
    }
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post("office", "/assessment/scheme", &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("指标权重之和为 1.15，应为 1"), "{}", r.body);
    assert!(
        r.body
            .contains("name=\"system.1.indicator.0.weight\" value=\"50\"")
    );
    assert!(
        app.store
            .scheme_versions(2021)
            .await
            .expect("reads")
            .is_empty(),
        "nothing saved"
    );
}
