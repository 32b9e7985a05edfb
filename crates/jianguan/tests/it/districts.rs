//! `jianguan districts import|export` on a city set up from nothing: a dry run writes nothing,
//! an import names what it holds (holes, islands), the export imports back unchanged, and bad
//! files (an unknown district, projected coordinates, a bow-tie) are refused with the feature
//! named and the stored set left as it was.

use std::process::{Command, Output};

fn jianguan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(args)
        .env_remove("JIANGUAN_DATABASE_URL")
        .env_remove("JIANGUAN_LANG")
        .env("RUST_LOG", "off")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `args`, asserting success; returns standard output.
fn ok(args: &[&str]) -> String {
    let out = jianguan(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Runs `args`, asserting exit code 1; returns standard error.
fn refused(args: &[&str]) -> String {
    let out = jianguan(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

const ORG_CSV: &str = "单位名称,类型,上级单位
市住建局,牵头单位,
东湖区,县区,
西山区,县区,
";

/// 东湖区 with an enclave cut out; 西山区 as two islands, named by `NAME`, in EPSG:4326.
const DISTRICTS: &str = r#"{
  "type": "FeatureCollection",
  "crs": { "type": "name", "properties": { "name": "EPSG:4326" } },
  "features": [
    { "type": "Feature", "properties": { "NAME": "东湖区" },
      "geometry": { "type": "Polygon", "coordinates": [
        [[114.0, 29.0], [114.3, 29.0], [114.3, 29.3], [114.0, 29.3], [114.0, 29.0]],
        [[114.1, 29.1], [114.15, 29.1], [114.15, 29.15], [114.1, 29.15], [114.1, 29.1]] ] } },
    { "type": "Feature", "properties": { "NAME": "西山区" },
      "geometry": { "type": "MultiPolygon", "coordinates": [
        [[[113.6, 29.0], [113.9, 29.0], [113.9, 29.3], [113.6, 29.3]]],
        [[[113.5, 29.0], [113.55, 29.0], [113.55, 29.05], [113.5, 29.05], [113.5, 29.0]]] ] } }
  ]
}"#;

#[test]
fn boundaries_import_export_round_trip_and_bad_files_are_refused_naming_the_feature() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.db").display().to_string();
    ok(&["init", "--db", &db, "--city", "测试市", "--year", "2021"]);
    let org = dir.path().join("org.csv");
    std::fs::write(&org, ORG_CSV).unwrap();
    ok(&["org", "import", "--db", &db, org.to_str().unwrap()]);
    let file = dir.path().join("districts.geojson");
    std::fs::write(&file, DISTRICTS).unwrap();
    let file = file.to_str().unwrap();
    let empty = "{\"type\":\"FeatureCollection\",\"features\":[\n\n]}\n";
    assert_eq!(ok(&["districts", "export", "--db", &db]), empty);

    // A dry run checks and reports, and writes nothing.
    let dry = ok(&[
        "districts",
        "import",
        "--db",
        &db,
        "--file",
        file,
        "--property",
        "NAME",
        "--dry-run",
    ]);
    assert!(
        dry.contains("试导入 districts.geojson：2 个县区的边界可以导入（未写入）"),
        "{dry}"
    );
    assert_eq!(ok(&["districts", "export", "--db", &db]), empty);

    let done = ok(&[
        "districts",
        "import",
        "--db",
        &db,
        "--file",
        file,
        "--property",
        "NAME",
    ]);
    assert!(
        done.contains("  东湖区（1 块多边形，10 个点；含 1 个内洞）"),
        "{done}"
    );
    assert!(
        done.contains(
            "  西山区（2 块多边形，9 个点；含 1 个飞地/岛；1 个环首尾未闭合，已自动闭合）"
        ),
        "{done}"
    );
    assert!(
        done.contains("已导入 districts.geojson：2 个县区的边界"),
        "{done}"
    );

    // The export reads back unchanged.
    let out = dir.path().join("export.geojson");
    let out = out.to_str().unwrap();
    ok(&["districts", "export", "--db", &db, "--out", out]);
    let first = std::fs::read_to_string(out).unwrap();
    assert!(first.contains(r#""name":"东湖区""#), "{first}");
    assert!(first.contains(r#""unit_id":"#), "{first}");
    ok(&["districts", "import", "--db", &db, "--file", out]);
    assert_eq!(ok(&["districts", "export", "--db", &db]), first);

    // A district the city does not have: refused, the known ones listed, nothing written.
    let unknown = dir.path().join("unknown.geojson");
    std::fs::write(&unknown, DISTRICTS.replace("西山区", "南山区")).unwrap();
    let err = refused(&[
        "districts",
        "import",
        "--db",
        &db,
        "--file",
        unknown.to_str().unwrap(),
        "--property",
        "NAME",
    ]);
    assert!(
        err.contains("第 2 个要素「南山区」：属性「NAME」为「南山区」，不是已有的县区；已有县区：东湖区、西山区"),
        "{err}"
    );
    assert!(err.contains("边界文件未导入"), "{err}");

    // Web Mercator metres under a projected crs: refused as not WGS-84.
    let projected = dir.path().join("projected.geojson");
    std::fs::write(
        &projected,
        r#"{"type":"FeatureCollection",
            "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},
            "features":[{"type":"Feature","properties":{"name":"东湖区"},
              "geometry":{"type":"Polygon","coordinates":[[[12690000,3380000],[12700000,3380000],[12700000,3390000],[12690000,3380000]]]}}]}"#,
    )
    .unwrap();
    let err = refused(&[
        "districts",
        "import",
        "--db",
        &db,
        "--file",
        projected.to_str().unwrap(),
    ]);
    assert!(
        err.contains("坐标参考系为「urn:ogc:def:crs:EPSG::3857」：边界须为 WGS-84 经纬度"),
        "{err}"
    );
    // The same metres without a crs: named as looking projected.
    std::fs::write(
        &projected,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"东湖区"},
              "geometry":{"type":"Polygon","coordinates":[[[12690000,3380000],[12700000,3380000],[12700000,3390000],[12690000,3380000]]]}}]}"#,
    )
    .unwrap();
    let err = refused(&[
        "districts",
        "import",
        "--db",
        &db,
        "--file",
        projected.to_str().unwrap(),
    ]);
    assert!(
        err.contains("第 1 个要素「东湖区」：第 1 块多边形的外环的坐标（12690000, 3380000）超出经纬度范围，像是投影坐标（米）"),
        "{err}"
    );
    assert_eq!(ok(&["districts", "export", "--db", &db]), first);
}

/// A tiny extract: a primary road and a street crossing it (at node 9), a park and a suburb's
/// name, all `around` (lon, lat).
fn tiny_extract(path: &std::path::Path, around: (f64, f64)) {
    let (x, y) = around;
    let tags = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let nodes = vec![
        (1, x, y, vec![]),
        (2, x + 0.02, y, vec![]),
        (3, x + 0.01, y - 0.01, vec![]),
        (4, x + 0.01, y + 0.01, vec![]),
        (5, x + 0.002, y + 0.002, vec![]),
        (6, x + 0.008, y + 0.002, vec![]),
        (7, x + 0.008, y + 0.008, vec![]),
        (
            8,
            x + 0.005,
            y + 0.005,
            tags(&[("place", "suburb"), ("name", "东湖街道")]),
        ),
        (9, x + 0.01, y, vec![]),
    ];
    let ways = vec![
        (10, vec![1, 9, 2], tags(&[("highway", "primary")])),
        (11, vec![3, 9, 4], tags(&[("highway", "residential")])),
        (12, vec![5, 6, 7, 5], tags(&[("leisure", "park")])),
    ];
    let mut file = std::fs::File::create(path).unwrap();
    jianguan_geo::pbf_write::write_pbf(&mut file, &nodes, &ways).unwrap();
}

#[tokio::test]
async fn a_basemap_is_prepared_from_the_citys_extract_and_another_citys_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.db").display().to_string();
    ok(&["init", "--db", &db, "--city", "测试市", "--year", "2021"]);
    let org = dir.path().join("org.csv");
    std::fs::write(&org, ORG_CSV).unwrap();
    ok(&["org", "import", "--db", &db, org.to_str().unwrap()]);
    let districts = dir.path().join("districts.geojson");
    std::fs::write(&districts, DISTRICTS).unwrap();
    ok(&[
        "districts",
        "import",
        "--db",
        &db,
        "--file",
        districts.to_str().unwrap(),
        "--property",
        "NAME",
    ]);
    let pbf = dir.path().join("city.osm.pbf");
    tiny_extract(&pbf, (114.1, 29.1));
    let pbf = pbf.to_str().unwrap();

    // A dry run prepares and reports, and writes nothing.
    let dry: serde_json::Value = serde_json::from_str(&ok(&[
        "basemap",
        "--db",
        &db,
        "--osm",
        pbf,
        "--dry-run",
        "--json",
    ]))
    .expect("JSON");
    assert_eq!(dry["written"], false);
    for (layer, n) in [("major", 1), ("minor", 1), ("green", 1), ("place", 1)] {
        assert_eq!(dry["features"][layer], n, "{layer}: {dry}");
    }
    assert_eq!(dry["levels"].as_array().map(Vec::len), Some(4), "{dry}");
    let store = jianguan_store::open(&db).await.unwrap();
    use jianguan_domain::store::prelude::*;
    assert_eq!(store.basemap_info().await.unwrap(), None);

    let stored = ok(&["basemap", "--db", &db, "--osm", pbf]);
    assert!(stored.contains("已存入底图"), "{stored}");
    assert!(stored.contains("主干道 1"), "{stored}");
    let info = store.basemap_info().await.unwrap().expect("stored");
    assert_eq!(info.revision, 1);
    assert!(info.source.starts_with("city.osm.pbf"), "{}", info.source);
    assert_eq!(store.basemap_levels().await.unwrap().len(), 4);

    // Porto Alegre's box, not this city's: refused naming both, the stored basemap kept.
    let elsewhere = dir.path().join("poa.osm.pbf");
    tiny_extract(&elsewhere, (-51.2, -30.0));
    let err = refused(&["basemap", "--db", &db, "--osm", elsewhere.to_str().unwrap()]);
    assert!(
        err.contains("poa.osm.pbf") && err.contains("不重叠") && err.contains("-51.200"),
        "{err}"
    );
    // And in English.
    let out = Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args(["--lang", "en", "basemap", "--db", &db, "--osm"])
        .arg(&elsewhere)
        .arg("--dry-run")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let en = text(&out.stderr);
    assert!(
        en.contains("does not overlap the city's district boundaries"),
        "{en}"
    );
    // A file that is not PBF at all.
    let fake = dir.path().join("fake.osm.pbf");
    std::fs::write(&fake, "<osm/>").unwrap();
    let err = refused(&["basemap", "--db", &db, "--osm", fake.to_str().unwrap()]);
    assert!(err.contains("fake.osm.pbf") && err.contains("PBF"), "{err}");
    assert_eq!(store.basemap_info().await.unwrap(), Some(info.clone()));
    assert_eq!(store.basemap_walk_city().await.unwrap(), None);

    // Residents with their latitude and longitude swapped: refused, naming the file and the
    // likely cause; nothing written.
    let swapped = dir.path().join("swapped.csv");
    std::fs::write(&swapped, "lon,lat,population\n29.1,114.105,120\n").unwrap();
    let err = refused(&[
        "basemap",
        "--db",
        &db,
        "--osm",
        pbf,
        "--population",
        swapped.to_str().unwrap(),
    ]);
    assert!(
        err.contains("swapped.csv") && err.contains("经纬度填反"),
        "{err}"
    );
    assert_eq!(store.basemap_info().await.unwrap(), Some(info));

    // With the city's residents, the extract's walking network and its park are stored too.
    let residents = dir.path().join("residents.csv");
    std::fs::write(
        &residents,
        "lon,lat,population\n114.111,29.1005,120\n114.1195,29.1,80\n114.9,29.9,5\n",
    )
    .unwrap();
    let walked: serde_json::Value = serde_json::from_str(&ok(&[
        "basemap",
        "--db",
        &db,
        "--osm",
        pbf,
        "--population",
        residents.to_str().unwrap(),
        "--json",
    ]))
    .expect("JSON");
    let walk = &walked["walk"];
    // The two roads, crossing: five nodes, four edges.
    assert_eq!(
        (walk["nodes"].as_u64(), walk["edges"].as_u64()),
        (Some(5), Some(4)),
        "{walk}"
    );
    assert_eq!(walk["facilities"]["park"], 1, "{walk}");
    assert_eq!(walk["population_source"], "residents.csv");
    assert_eq!(walk["population_points"], 3);
    assert_eq!(walk["people"], 205.0);
    assert_eq!(
        walk["people_unplaced"], 5.0,
        "the one far off is counted, not placed"
    );
    let body = store.basemap_walk_city().await.unwrap().expect("stored");
    let city = jianguan_geo::walk_city::WalkCity::decode(&body).unwrap();
    assert_eq!(city.population.len(), 3);
    assert_eq!(store.basemap_info().await.unwrap().unwrap().revision, 2);
    store.close().await;
}
