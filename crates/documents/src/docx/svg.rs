//! Charts for Word (feature `svg-png`): Word shows SVG only from Office 2016 on and needs a
//! PNG fallback anyway, so a chart's SVG (from `jianguan-charts`) is rasterised with `resvg`.
//!
//! Text is set with the machine's fonts: the charts name "Microsoft YaHei", "WenQuanYi Micro
//! Hei" and "Noto Sans CJK SC", so a server needs one of them (on Debian: `fonts-wqy-microhei`)
//! or the Chinese labels are left out. The system fonts are scanned once per process.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::{DocxError, Image};

/// Resolution of rasterised charts: 200 dpi, sharp in print, about 1 230 px across the text
/// block.
pub const CHART_DPI: f64 = 200.0;

/// The system fonts, loaded on first use.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            Arc::new(db)
        })
        .clone()
}

/// Rasterises `svg` to a PNG `width_mm` wide on paper at `dpi`, on a white background;
/// the height keeps the drawing's aspect ratio.
///
/// # Errors
///
/// [`DocxError::Svg`] when `svg` cannot be parsed or the picture would be empty or huge.
pub fn svg_to_png(svg: &str, width_mm: f64, dpi: f64) -> Result<Vec<u8>, DocxError> {
    let options = usvg::Options {
        fontdb: fonts(),
        languages: vec!["zh-CN".to_owned(), "en".to_owned()],
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| DocxError::Svg(e.to_string()))?;
    let size = tree.size();
    let width_px = (width_mm / 25.4 * dpi).round();
    if !(1.0..=20_000.0).contains(&width_px) {
        return Err(DocxError::Svg(format!("{width_px} px is no picture width")));
    }
    let scale = width_px / f64::from(size.width());
    let height_px = (f64::from(size.height()) * scale).round().max(1.0);
    let mut pixmap = tiny_skia::Pixmap::new(width_px as u32, height_px as u32)
        .ok_or_else(|| DocxError::Svg("picture too large".to_owned()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let scale = scale as f32;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| DocxError::Svg(e.to_string()))
}

impl Image {
    /// A chart's SVG rasterised at [`CHART_DPI`], `width_mm` wide on paper, its height
    /// keeping the drawing's aspect ratio.
    ///
    /// # Errors
    ///
    /// As [`svg_to_png`].
    pub fn from_svg(svg: &str, width_mm: f64, caption: Option<String>) -> Result<Self, DocxError> {
        let png = svg_to_png(svg, width_mm, CHART_DPI)?;
        Image::from_png(png, width_mm, caption)
    }
}
