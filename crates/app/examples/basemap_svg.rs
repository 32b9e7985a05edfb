//! Draws a view of an OpenStreetMap extract's basemap, as the maps draw it, to look at:
//! `cargo run -p jianguan-app --example basemap_svg -- city.osm.pbf LON LAT ZOOM out.svg`.

use jianguan_app::basemap::{Basemap, OSM_ATTRIBUTION, Prepared};
use jianguan_charts::Lang;
use jianguan_charts::project_map::ProjectMap;
use jianguan_domain::map::Viewport;
use jianguan_domain::model::GeoPoint;
use jianguan_geo::basemap::BasemapIndex;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pbf, lon, lat, zoom, out] = args.as_slice() else {
        anyhow::bail!("usage: basemap_svg city.osm.pbf LON LAT ZOOM out.svg");
    };
    let import = jianguan_geo::osm::read_basemap(std::path::Path::new(pbf))?;
    let prepared = Prepared::new(pbf, &import.features, Vec::new(), Some(OSM_ATTRIBUTION))?;
    let basemap = Basemap {
        index: BasemapIndex::new(prepared.levels),
        attribution: prepared.attribution,
        revision: 0,
        walk: None,
    };
    let view = Viewport {
        centre: GeoPoint {
            lon: lon.parse()?,
            lat: lat.parse()?,
        },
        zoom: zoom.parse()?,
        width: 1200,
        height: 800,
    };
    let base = jianguan_app::maps::base_drawing(&basemap, &view, Lang::Zh);
    let svg = ProjectMap {
        base: Some(&base),
        title: pbf.clone(),
        desc: String::new(),
        view,
        areas: &[],
        marks: &[],
        focus: None,
        legend: &[],
        lang: Lang::Zh,
    }
    .render(|_| unreachable!("no projects are drawn"), |_| String::new());
    std::fs::write(out, &svg)?;
    println!("{out}: {} bytes", svg.len());
    Ok(())
}
