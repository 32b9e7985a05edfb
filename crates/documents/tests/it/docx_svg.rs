//! Charts rasterised for Word (feature `svg-png`): a bar chart from `jianguan-charts` becomes
//! a PNG of the requested size with its Chinese labels drawn, and goes into a document. The
//! crate's dev-dependency on itself turns the feature on for its tests.

use jianguan_charts::{Bar, BarChart};
use jianguan_documents::docx::{
    Block, CHART_DPI, Image, OfficialDocument, png_size, svg_to_png, to_docx,
};

fn chart() -> String {
    BarChart {
        title: "各区项目完工率".into(),
        bars: ["东城区", "西城区", "南湖区"]
            .iter()
            .enumerate()
            .map(|(i, name)| Bar {
                label: (*name).into(),
                value: 0.9 - i as f64 * 0.1,
                display: format!("{:.1}%", 90.0 - i as f64 * 10.0),
                href: None,
                color: None,
                tooltip: None,
            })
            .collect(),
        max: Some(1.0),
        target: Some((0.85, "目标 85%".into())),
        from: None,
        width: 640,
        lang: jianguan_charts::Lang::Zh,
    }
    .to_svg()
}

#[test]
fn a_chart_becomes_a_png_of_the_requested_width() {
    let png = svg_to_png(&chart(), 150.0, CHART_DPI).unwrap();
    let (w, h) = png_size(&png).unwrap();
    // 150 mm at 200 dpi.
    assert_eq!(w, 1181);
    assert!(h > 100 && h < w, "{w} × {h}");
}

#[test]
fn chinese_labels_are_drawn_when_a_cjk_font_is_installed() {
    // Only the label text differs between the two drawings: if no font could draw the
    // Chinese characters, both would come out the same.
    let label = |text: &str| {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="28" font-size="24" font-family="WenQuanYi Micro Hei,Noto Sans CJK SC,sans-serif">{text}</text></svg>"#
        )
    };
    let a = svg_to_png(&label("完工率"), 50.0, 96.0).unwrap();
    let b = svg_to_png(&label(""), 50.0, 96.0).unwrap();
    assert_ne!(a, b, "no font drew 完工率: install fonts-wqy-microhei");
}

#[test]
fn a_rasterised_chart_goes_into_a_document() {
    let image = Image::from_svg(&chart(), 150.0, Some("图1  各区项目完工率".into())).unwrap();
    assert!((image.width_mm - 150.0).abs() < 1e-9 && image.height_mm > 10.0);
    let doc = OfficialDocument {
        title: "季度分析".into(),
        blocks: vec![Block::Image(image)],
        ..OfficialDocument::default()
    };
    assert!(!to_docx(&doc).unwrap().is_empty());
    assert!(svg_to_png("<svg", 150.0, CHART_DPI).is_err());
}
