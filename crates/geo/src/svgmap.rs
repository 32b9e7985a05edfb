//! Offline SVG maps of coverage: population cells coloured by walking distance, facilities as
//! markers, district outlines. No tiles and no server: a fixed equirectangular projection of
//! the area's bounding box, coordinates written with fixed decimals, so the same inputs always
//! give the same bytes (pages can be snapshot-tested).

use std::fmt::Write;

use geo::MultiPolygon;

use crate::inputs::{District, Facility, PopulationPoint};

/// Distance bands and their colours (green near → red far; grey: beyond / unsnapped).
pub const BANDS: [(f64, &str); 5] = [
    (200.0, "#1a9850"),
    (400.0, "#91cf60"),
    (800.0, "#fee08b"),
    (1200.0, "#fc8d59"),
    (f64::INFINITY, "#d73027"),
];

/// Colour for unreachable or unsnapped residents.
pub const UNREACHED_COLOUR: &str = "#9e9e9e";

/// What to draw.
#[derive(Debug, Clone, Copy)]
pub struct MapLayers<'a> {
    /// Residents, with their distance in metres (`None`: beyond the cutoff or unsnapped).
    pub population: &'a [(PopulationPoint, Option<f64>)],
    /// Facilities to mark.
    pub facilities: &'a [Facility],
    /// District outlines.
    pub districts: &'a [District],
    /// Side of a population cell in metres (drawn as a square).
    pub cell_m: f64,
    /// Cells to frame (aligned with `population`): e.g. the residents a project newly brought
    /// within reach.
    pub framed: Option<&'a [bool]>,
    /// A place to ring (lon, lat): the facility whose reach is framed.
    pub focus: Option<(f64, f64)>,
    /// The words of a cell's tooltip, in the reader's language.
    pub words: &'a CellWords,
    /// SVG drawn first, in the map's pixels (see [`frame`]): a basemap. The cells are then
    /// drawn translucent so its streets and water show through.
    pub underlay: Option<&'a str>,
    /// SVG drawn last, in the map's pixels: e.g. the basemap's credit.
    pub overlay: Option<&'a str>,
}

/// The box a map shows and its size in pixels: what an underlay must be drawn for. The map is
/// an equirectangular projection of the box scaled by the cosine of its middle latitude, so
/// over a city it matches a Web Mercator drawing of the same box to a fraction of a pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// West, south, east and north edges (degrees).
    pub west: f64,
    /// South edge.
    pub south: f64,
    /// East edge.
    pub east: f64,
    /// North edge.
    pub north: f64,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
}

/// A cell's tooltip words: templates with `{n}` (and `{m}`) for the numbers. The crate knows
/// no languages; the caller passes them translated ([`CellWords::default`] is Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellWords {
    /// Residents: `{n}` people.
    pub people: String,
    /// A walk: `{n}` metres, about `{m}` minutes.
    pub distance: String,
    /// Beyond the cutoff or not on the network.
    pub unreachable: String,
}

impl Default for CellWords {
    fn default() -> Self {
        CellWords {
            people: "{n} 人".into(),
            distance: "{n} 米，步行约 {m} 分钟".into(),
            unreachable: "不可达".into(),
        }
    }
}

struct Projection {
    x0: f64,
    y1: f64,
    scale_x: f64,
    scale_y: f64,
}

impl Projection {
    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.x0) * self.scale_x,
            (self.y1 - lat) * self.scale_y,
        )
    }
}

fn colour(d: Option<f64>) -> &'static str {
    match d {
        None => UNREACHED_COLOUR,
        Some(d) => BANDS
            .iter()
            .find(|(limit, _)| d <= *limit)
            .map_or(UNREACHED_COLOUR, |b| b.1),
    }
}

fn outline(out: &mut String, area: &MultiPolygon<f64>, p: &Projection) {
    for poly in &area.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for (k, c) in ring.0.iter().enumerate() {
                let (x, y) = p.xy(c.x, c.y);
                let _ = write!(out, "{}{x:.1},{y:.1}", if k == 0 { "M" } else { "L" });
            }
            out.push('Z');
        }
    }
}

/// The box and size of the map [`render`] draws of `layers` at `width` (`None`: nothing to
/// draw).
pub fn frame(layers: &MapLayers<'_>, width: u32) -> Option<Frame> {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut grow = |lon: f64, lat: f64| {
        b = (b.0.min(lon), b.1.min(lat), b.2.max(lon), b.3.max(lat));
    };
    for (p, _) in layers.population {
        grow(p.lon, p.lat);
    }
    for d in layers.districts {
        for poly in &d.area.0 {
            for c in &poly.exterior().0 {
                grow(c.x, c.y);
            }
        }
    }
    if b.0 > b.2 {
        return None;
    }
    let mid_lat = (b.1 + b.3) / 2.0;
    let kx = mid_lat.to_radians().cos();
    let span_x = ((b.2 - b.0) * kx).max(1e-9);
    let span_y = (b.3 - b.1).max(1e-9);
    let w = f64::from(width);
    Some(Frame {
        west: b.0,
        south: b.1,
        east: b.2,
        north: b.3,
        width: w,
        height: (w * span_y / span_x).round().max(1.0),
    })
}

/// Renders the map as an SVG document `width` pixels wide (height from the area's aspect).
pub fn render(layers: &MapLayers<'_>, width: u32) -> String {
    let Some(frame) = frame(layers, width) else {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"1\"/>"
        );
    };
    let (w, h) = (frame.width, frame.height);
    let span_y = (frame.north - frame.south).max(1e-9);
    let p = Projection {
        x0: frame.west,
        y1: frame.north,
        scale_x: w / (frame.east - frame.west).max(1e-9),
        scale_y: h / span_y,
    };
    // Pixels per metre, to size the cells.
    let px_per_m = h / (span_y.to_radians() * crate::network::EARTH_RADIUS_M);
    let side = (layers.cell_m * px_per_m).max(1.0);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" class=\"coverage-map\">"
    );
    if let Some(under) = layers.underlay {
        out.push_str(under);
        out.push_str("<g class=\"cells\" stroke=\"none\" fill-opacity=\"0.72\">");
    } else {
        out.push_str("<g class=\"cells\" stroke=\"none\">");
    }
    let words = layers.words;
    for (pt, d) in layers.population {
        let (x, y) = p.xy(pt.lon, pt.lat);
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{side:.1}\" height=\"{side:.1}\" fill=\"{}\"><title>{} · {} · {}</title></rect>",
            x - side / 2.0,
            y - side / 2.0,
            colour(*d),
            escape(&pt.id),
            escape(&words.people.replace("{n}", &pt.population.to_string())),
            escape(&d.map_or(words.unreachable.clone(), |d| {
                let minutes = (d / crate::coverage::DEFAULT_WALKING_SPEED_M_PER_MIN).ceil();
                words
                    .distance
                    .replace("{n}", &format!("{d:.0}"))
                    .replace("{m}", &format!("{minutes:.0}"))
            }))
        );
    }
    if let Some(framed) = layers.framed {
        out.push_str("</g><g class=\"framed\" fill=\"none\" stroke=\"#000\" stroke-width=\"3\">");
        for ((pt, _), _) in layers.population.iter().zip(framed).filter(|(_, f)| **f) {
            let (x, y) = p.xy(pt.lon, pt.lat);
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{side:.1}\" height=\"{side:.1}\"/>",
                x - side / 2.0,
                y - side / 2.0,
            );
        }
    }
    out.push_str("</g><g class=\"districts\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\">");
    for d in layers.districts {
        let mut path = String::new();
        outline(&mut path, &d.area, &p);
        let _ = write!(
            out,
            "<path d=\"{path}\"><title>{}</title></path>",
            escape(&d.name)
        );
    }
    out.push_str("</g>");
    // Each district's name at a point inside it (its largest part's), so the map reads without
    // hovering.
    out.push_str("<g class=\"district-names\" font-size=\"22\" text-anchor=\"middle\" fill=\"#1f2937\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\" pointer-events=\"none\">");
    for d in layers.districts {
        use geo::InteriorPoint;
        if let Some(at) = d.area.interior_point() {
            let (x, y) = p.xy(at.x(), at.y());
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\">{}</text>",
                y + 5.0,
                escape(&d.name)
            );
        }
    }
    out.push_str(
        "</g><g class=\"facilities\" fill=\"#08519c\" stroke=\"#fff\" stroke-width=\"0.8\">",
    );
    for f in layers.facilities {
        let Some(&(lon, lat)) = f.points.first() else {
            continue;
        };
        let (x, y) = p.xy(lon, lat);
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"><title>{}</title></circle>",
            escape(f.name.as_deref().unwrap_or(&f.id))
        );
    }
    out.push_str("</g>");
    if let Some((lon, lat)) = layers.focus {
        let (x, y) = p.xy(lon, lat);
        let _ = write!(
            out,
            "<circle class=\"focus\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"10\" fill=\"none\" stroke=\"#000\" stroke-width=\"3\"/>"
        );
    }
    if let Some(over) = layers.overlay {
        out.push_str(over);
    }
    out.push_str("</svg>");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
