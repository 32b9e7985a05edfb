use proptest::prelude::*;

use super::*;

fn tags<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    pairs.iter().copied()
}

#[test]
fn roads_fall_into_their_classes_links_with_their_roads() {
    let class = |hw: &str| classify(tags(&[("highway", hw)]), false).map(|c| c.0);
    assert_eq!(class("primary"), Some(Layer::Major));
    assert_eq!(class("trunk_link"), Some(Layer::Major));
    assert_eq!(class("tertiary"), Some(Layer::Secondary));
    assert_eq!(class("residential"), Some(Layer::Minor));
    assert_eq!(class("service"), Some(Layer::Service));
    assert_eq!(class("footway"), Some(Layer::Path));
    assert_eq!(class("bus_stop"), None);
    assert_eq!(class("proposed"), None);
    // A pedestrian square mapped as an area is no line to draw.
    assert_eq!(
        classify(tags(&[("highway", "pedestrian"), ("area", "yes")]), true),
        None
    );
}

#[test]
fn areas_need_a_closed_ring() {
    let water = [("natural", "water")];
    assert_eq!(classify(tags(&water), true), Some((Layer::Water, 0)));
    assert_eq!(classify(tags(&water), false), None);
    let park = [("leisure", "park"), ("name", "中山公园")];
    assert_eq!(classify(tags(&park), true), Some((Layer::Green, 0)));
    assert_eq!(
        classify(tags(&[("landuse", "forest")]), true),
        Some((Layer::Green, 0))
    );
    assert_eq!(
        classify(tags(&[("waterway", "river")]), false),
        Some((Layer::River, 0))
    );
}

#[test]
fn railways_in_tunnels_are_not_drawn() {
    assert_eq!(
        classify(tags(&[("railway", "subway")]), false),
        Some((Layer::Rail, 0))
    );
    assert_eq!(
        classify(tags(&[("railway", "subway"), ("tunnel", "yes")]), false),
        None
    );
    assert_eq!(classify(tags(&[("railway", "abandoned")]), false), None);
}

#[test]
fn places_are_ranked_and_need_a_name() {
    let rank =
        |place: &str| classify(tags(&[("place", place), ("name", "某地")]), false).map(|c| c.1);
    assert_eq!(rank("city"), Some(1));
    assert_eq!(rank("suburb"), Some(2));
    assert_eq!(rank("neighbourhood"), Some(3));
    assert_eq!(rank("hamlet"), Some(4));
    assert_eq!(rank("continent"), None);
    assert_eq!(classify(tags(&[("place", "city")]), false), None);
}

fn line(layer: Layer, points: &[(f64, f64)]) -> Feature {
    Feature {
        layer,
        rank: 0,
        name: None,
        parts: vec![points.to_vec()],
    }
}

fn place(rank: u8, name: &str, at: (f64, f64)) -> Feature {
    Feature {
        layer: Layer::Place,
        rank,
        name: Some(name.into()),
        parts: vec![vec![at]],
    }
}

fn square(layer: Layer, west: f64, south: f64, side: f64) -> Feature {
    let (e, n) = (west + side, south + side);
    line(
        layer,
        &[(west, south), (e, south), (e, n), (west, n), (west, south)],
    )
}

/// A zigzag street 2 km long whose wiggles are about 3 m.
fn wiggly_street() -> Feature {
    let points: Vec<(f64, f64)> = (0..=200)
        .map(|i| {
            let x = 114.30 + f64::from(i) * 0.0001;
            let y = 29.20 + if i % 2 == 0 { 0.0 } else { 0.00003 };
            (x, y)
        })
        .collect();
    line(Layer::Major, &points)
}

fn level(levels: &[Level], zoom: u8) -> &Level {
    levels.iter().find(|l| l.min_zoom == zoom).expect("level")
}

#[test]
fn each_level_keeps_the_layers_and_names_of_its_zooms() {
    let features = vec![
        line(Layer::Path, &[(114.30, 29.20), (114.31, 29.21)]),
        line(Layer::Minor, &[(114.30, 29.20), (114.31, 29.20)]),
        line(Layer::Secondary, &[(114.30, 29.21), (114.31, 29.21)]),
        wiggly_street(),
        place(1, "示例市", (114.35, 29.25)),
        place(3, "某社区", (114.31, 29.21)),
    ];
    let levels = prepare(&features);
    let layers = |zoom| -> Vec<Layer> {
        level(&levels, zoom)
            .features
            .iter()
            .map(|f| f.layer)
            .collect()
    };
    assert_eq!(layers(9), vec![Layer::Major, Layer::Place]);
    assert_eq!(
        layers(12),
        vec![Layer::Secondary, Layer::Major, Layer::Place]
    );
    assert_eq!(
        layers(14),
        vec![
            Layer::Minor,
            Layer::Secondary,
            Layer::Major,
            Layer::Place,
            Layer::Place
        ]
    );
    assert_eq!(
        layers(16),
        vec![
            Layer::Path,
            Layer::Minor,
            Layer::Secondary,
            Layer::Major,
            Layer::Place,
            Layer::Place
        ]
    );
}

#[test]
fn lines_are_simplified_to_about_a_pixel_of_their_level() {
    let levels = prepare(&[wiggly_street()]);
    let points = |zoom| level(&levels, zoom).features[0].parts[0].len();
    // 3 m wiggles vanish at zoom 10's ~130 m pixels and at zoom 14's ~8 m ones, and stay in
    // the top level, simplified to zoom 17's ~1 m.
    assert_eq!(points(9), 2);
    assert_eq!(points(14), 2);
    assert_eq!(points(16), 201);
    // The ends never move.
    let first = &level(&levels, 9).features[0].parts[0];
    assert_eq!(first[0], (114.30, 29.20));
}

#[test]
fn areas_smaller_than_two_pixels_are_dropped_at_coarse_levels() {
    // A 30 m square garden: under two pixels at zoom 10 (~270 m), over two at zoom 14 (~17 m).
    let garden = square(Layer::Green, 114.30, 29.20, 0.0003);
    let levels = prepare(&[garden]);
    assert!(level(&levels, 9).features.is_empty());
    assert!(level(&levels, 12).features.is_empty());
    assert_eq!(level(&levels, 14).features.len(), 1);
    assert_eq!(level(&levels, 14).features[0].parts[0].len(), 5);
}

#[test]
fn a_level_reads_back_as_written_to_a_micro_degree() {
    let features = vec![
        square(Layer::Water, 114.3, 29.2, 0.01),
        wiggly_street(),
        place(2, "武昌区", (114.316_543_21, 29.554_321_09)),
    ];
    let written = Level {
        min_zoom: 16,
        features,
    };
    let read = Level::decode(&written.encode()).expect("decodes");
    assert_eq!(read.min_zoom, 16);
    assert_eq!(read.features.len(), 3);
    for (a, b) in written.features.iter().zip(&read.features) {
        assert_eq!((a.layer, a.rank, &a.name), (b.layer, b.rank, &b.name));
        for (pa, pb) in a.parts.iter().flatten().zip(b.parts.iter().flatten()) {
            assert!((pa.0 - pb.0).abs() <= 5e-7 && (pa.1 - pb.1).abs() <= 5e-7);
        }
    }
    assert_eq!(read.features[2].parts[0][0], (114.316_543, 29.554_321));
}

#[test]
fn a_damaged_level_is_refused_with_a_reason() {
    let bytes = Level {
        min_zoom: 9,
        features: vec![wiggly_street()],
    }
    .encode();
    assert!(Level::decode(&bytes[..bytes.len() - 3]).is_err());
    assert!(
        Level::decode(b"PK\x03\x04\x14\x00")
            .unwrap_err()
            .contains("leading")
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Level::decode(&longer).unwrap_err().contains("left over"));
}

proptest! {
    #[test]
    fn no_bytes_make_decoding_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut framed = MAGIC.to_vec();
        framed.extend(bytes);
        let _ = Level::decode(&framed);
    }
}

#[test]
fn the_index_finds_what_is_in_view_in_drawing_order() {
    let features = vec![
        square(Layer::Water, 114.30, 29.20, 0.01),
        line(Layer::Major, &[(114.40, 29.30), (114.41, 29.30)]),
        line(Layer::Major, &[(114.30, 29.205), (114.32, 29.205)]),
        place(1, "示例市", (114.305, 29.205)),
    ];
    let index = BasemapIndex::new(prepare(&features));
    let found = index.features_in(15, (114.29, 29.19, 114.33, 29.22));
    let layers: Vec<Layer> = found.iter().map(|f| f.layer).collect();
    assert_eq!(layers, vec![Layer::Water, Layer::Major, Layer::Place]);
    // Below the first level's zoom nothing is drawn.
    assert!(
        index
            .features_in(MIN_ZOOM - 1, (114.0, 29.0, 115.0, 30.0))
            .is_empty()
    );
    // The coarsest level serves zoom 9 to 11.
    let coarse = index.features_in(11, (114.0, 29.0, 115.0, 30.0));
    assert_eq!(coarse.len(), 4);
}
