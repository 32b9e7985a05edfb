//! The office's ledger upload through the real router, on both backends: the exported ledger
//! re-uploaded changes nothing; a changed name is previewed, then imported on confirmation
//! (audited); a file with bad cells is refused with every error listed and an error report to
//! download, and nothing is stored; a district may not import.

use crate::common::*;
use axum::http::StatusCode;

/// The ledger as the page exports it.
async fn exported(app: &App) -> Vec<u8> {
    let r = app.get("office", "/ledger/export.xlsx").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.bytes.starts_with(b"PK"), "an .xlsx (zip)");
    r.bytes
}

/// The ledger's cells as text, sheet by sheet, rebuilt as a CSV the reader accepts (so the
/// test can change a cell without an Excel writer of its own).
fn as_csv(xlsx: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).expect("an xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the ledger sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| {
                    let t = c.to_string();
                    if t.contains([',', '"', '\n']) {
                        format!("\"{}\"", t.replace('"', "\"\""))
                    } else {
                        t
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn upload(app: &App, who: &str, name: &str, bytes: Vec<u8>) -> Reply {
    app.post_multipart(who, "/ledger/import", &[], &[("file", name, bytes)])
        .await
}

async fn the_exported_ledger_imports_unchanged_and_a_change_is_confirmed(app: &App) {
    let xlsx = exported(app).await;
    let r = upload(app, "office", "台账.xlsx", xlsx.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("无需导入"), "{}", r.body);

    let project = &app.project;
    let csv = as_csv(&xlsx);
    assert!(
        csv.contains(&project.name),
        "the ledger lists {}",
        project.name
    );
    let renamed = format!("{}（二期）", project.name);
    let changed = csv.replacen(&project.name, &renamed, 1);
    let r = upload(app, "office", "台账.csv", changed.into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&renamed), "the preview names the change");
    let token = r
        .body
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("a confirmation token")
        .to_string();
    let before = app.store.data_version().await.expect("version");
    let r = app
        .post("office", "/ledger/import/confirm", &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.contains("updated=1"), "{}", r.location);
    assert!(app.store.data_version().await.expect("version") > before);
    let page = app
        .page("office", &format!("/projects/{}", project.id))
        .await;
    assert!(page.contains(&renamed), "the project reads the new name");
    // The token is spent.
    let r = app
        .post("office", "/ledger/import/confirm", &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_ledger_with_bad_cells_is_refused_with_an_error_report(app: &App) {
    let csv = as_csv(&exported(app).await);
    let district = app.city.unit_name(app.project.district).to_string();
    let bad = csv.replacen(&format!(",{district},"), ",不存在区,", 1);
    assert_ne!(bad, csv, "a district cell was changed");
    let before = app.store.data_version().await.expect("version");
    let r = upload(app, "office", "台账.csv", bad.into_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不存在区"), "the bad value is shown");
    assert!(r.body.contains("第"), "the row is named");
    assert_eq!(app.store.data_version().await.expect("version"), before);
    let href = r
        .body
        .split("href=\"/ledger/import/report/")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("an error report link");
    let report = app
        .get("office", &format!("/ledger/import/report/{href}"))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.bytes.starts_with(b"PK"), "an .xlsx");
    // Another account cannot fetch it.
    let r = app
        .get("leader", &format!("/ledger/import/report/{href}"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the leader may not import at all"
    );
    // A district may not upload.
    let r = upload(app, "district", "台账.csv", b"x".to_vec()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_code_less_ledger_for_the_forms_year_lists_made_up_codes_and_new_units(app: &App) {
    let p = &app.project;
    let district = app.city.unit_name(p.district).to_string();
    let unit = app.city.unit_name(p.responsible_unit).to_string();
    let category = app
        .city
        .categories
        .iter()
        .find(|c| c.id == p.category)
        .expect("the project's category")
        .name
        .clone();
    let csv = format!(
        "项目名称,项目类别,所属县区,责任单位,总投资（万元）,计划开工时间,计划完工时间,联系人\n\
         网页导入甲项目,{category},{district},{unit},100,2026-03-05,2026/10/17,张三\n\
         网页导入乙项目,{category},{district},网页测试新建单位,200,2026/04/01,2027-06-30,李四\n"
    );
    let r = app
        .post_multipart(
            "office",
            "/ledger/import",
            &[("year", "2026")],
            &[("file", "台账.csv", csv.into_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"generated-codes\""), "{}", r.body);
    assert!(r.body.contains("JG2026-0001") && r.body.contains("JG2026-0002"));
    assert!(r.body.contains("id=\"new-units\"") && r.body.contains("网页测试新建单位"));
    assert!(r.body.contains("未导入的列：台账: 联系人"), "{}", r.body);
    assert!(r.body.contains("推算"), "the derived milestones are said");
    assert!(r.body.contains("value=\"2026\""), "the form keeps the year");
    let token = r
        .body
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("a confirmation token")
        .to_string();
    let r = app
        .post("office", "/ledger/import/confirm", &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.contains("new=2"), "{}", r.location);
    assert!(r.location.contains("units=1"), "{}", r.location);
    let city = app.store.load_portfolio().await.expect("load");
    let made = city
        .projects
        .iter()
        .find(|x| x.code == "JG2026-0002")
        .expect("the made-up code is stored");
    let new_unit = city
        .units
        .iter()
        .find(|u| u.name == "网页测试新建单位")
        .expect("the new unit is stored");
    assert_eq!(made.responsible_unit, new_unit.id);
    assert_eq!(new_unit.parent, Some(p.district));
    assert_eq!(made.year_plans[0].year, 2026);
    assert_eq!(
        made.year_plans[0].kind,
        jianguan_domain::model::PlanKind::Preliminary
    );
    // A year that is not one is refused before the file is read.
    let r = app
        .post_multipart(
            "office",
            "/ledger/import",
            &[("year", "二〇二六")],
            &[("file", "台账.csv", b"x".to_vec())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("四位年份"), "{}", r.body);
}

async fn a_ledger_in_gcj02_imports_by_its_header_or_the_forms_coordinate_system(app: &App) {
    let r = app
        .get("office", "/ledger/export.xlsx?coordinates=gcj02")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let csv = as_csv(&r.bytes);
    assert!(csv.contains("经度（GCJ-02）"), "the header says GCJ-02");
    // The header says which system: the file imports back unchanged.
    let r = upload(app, "office", "台账.xlsx", r.bytes.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("无需导入"), "{}", r.body);
    // Without the header's word, the form's 坐标系 says it.
    let bare = csv
        .replace("经度（GCJ-02）", "经度")
        .replace("纬度（GCJ-02）", "纬度");
    let with_system = |system: &'static str| {
        let bytes = bare.clone().into_bytes();
        async move {
            app.post_multipart(
                "office",
                "/ledger/import",
                &[("coordinates", system)],
                &[("file", "台账.csv", bytes)],
            )
            .await
        }
    };
    let r = with_system("gcj02").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("无需导入"), "{}", r.body);
    assert!(
        r.body.contains("<option value=\"gcj02\" selected>"),
        "the choice is kept"
    );
    // Taken for WGS-84, every location moves by the GCJ-02 offset.
    let r = with_system("wgs84").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("无需导入"), "{}", r.body);
    let r = with_system("mars").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未知坐标系"), "{}", r.body);
}

scenarios!([
    the_exported_ledger_imports_unchanged_and_a_change_is_confirmed,
    a_ledger_with_bad_cells_is_refused_with_an_error_report,
    a_code_less_ledger_for_the_forms_year_lists_made_up_codes_and_new_units,
    a_ledger_in_gcj02_imports_by_its_header_or_the_forms_coordinate_system,
]);
