//! The GB/T 9704-2012 page, in the units WordprocessingML counts in.
//!
//! Lengths in the standard are millimetres; Word stores page geometry in twips (1/20 pt,
//! 1/1440 inch), font sizes in half-points and picture extents in EMU (1/36 000 mm). Every
//! conversion here is integer arithmetic so the constants are exact and checked at compile
//! time: a length in millimetres becomes `round(mm × 1440 / 25.4)` twips, rounding halves up
//! (210 mm = 11 905.5 → 11 906, the value Word itself writes for A4).

/// Twips in `mm` millimetres, rounded to the nearest twip (halves up).
pub const fn mm_to_twips(mm: u32) -> u32 {
    (mm * 14_400 + 127) / 254
}

/// EMU (English Metric Units, 36 000 per millimetre) in `mm` millimetres, rounded to the
/// nearest unit.
pub fn mm_to_emu(mm: f64) -> u64 {
    // Picture sizes are small positive numbers; the cast saturates on anything absurd.
    (mm * 36_000.0).round().max(0.0) as u64
}

/// A4 paper width (210 mm): 11 906 twips.
pub const PAGE_WIDTH: u32 = mm_to_twips(210);
/// A4 paper height (297 mm): 16 838 twips.
pub const PAGE_HEIGHT: u32 = mm_to_twips(297);
/// Top margin (天头, 37 mm): 2 098 twips.
pub const MARGIN_TOP: u32 = mm_to_twips(37);
/// Bottom margin (35 mm): 1 984 twips.
pub const MARGIN_BOTTOM: u32 = mm_to_twips(35);
/// Left margin (订口, 28 mm): 1 587 twips.
pub const MARGIN_LEFT: u32 = mm_to_twips(28);
/// Right margin (26 mm): 1 474 twips.
pub const MARGIN_RIGHT: u32 = mm_to_twips(26);
/// Width of the text block (版心, 156 mm): 8 845 twips after rounding the margins.
pub const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Height of the text block (版心, 225 mm): 12 756 twips after rounding the margins.
pub const TEXT_HEIGHT: u32 = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
/// Distance of the footer's bottom from the paper's bottom edge: 25 mm, 1 417 twips.
///
/// GB/T 9704 puts the page number's dashes 7 mm below the text block, i.e. about 28 mm above
/// the paper's edge; a single-spaced 14 pt line is about 6.4 mm high, so its middle sits near
/// 28 mm when the line's bottom is at 25 mm.
pub const FOOTER_DISTANCE: u32 = mm_to_twips(25);
/// Distance of the (empty) header from the paper's top edge: 15 mm, 850 twips.
pub const HEADER_DISTANCE: u32 = mm_to_twips(15);

/// Lines per page (行数).
pub const LINES_PER_PAGE: u32 = 22;
/// Characters per line (字数).
pub const CHARS_PER_LINE: u32 = 28;

/// Body text size, 3号: 16 pt.
pub const BODY_PT: u32 = 16;

/// The document grid's line pitch: the largest whole number of twips of which 22 fit the
/// text block's height (12 756 / 22 = 579.8 → 579, i.e. 28.95 pt, the "固定值 28.95 磅" of
/// the usual templates). Body lines are set to exactly this.
pub const LINE_PITCH: u32 = TEXT_HEIGHT / LINES_PER_PAGE;

/// The character pitch (字距) of body text in twips: the largest whole number of twips of which
/// 28 fit the text block's width (8 845 / 28 = 315.9 → 315, i.e. 15.75 pt).
pub const CHAR_PITCH: u32 = TEXT_WIDTH / CHARS_PER_LINE;

/// The character spacing (`w:spacing` of the runs, in twips) that sets 16 pt characters at
/// [`CHAR_PITCH`]: −5 twips (−0.25 pt).
///
/// The pitch is set by spacing rather than by a `linesAndChars` document grid with a negative
/// `w:charSpace`: Word compresses 3号 text into grid cells narrower than the font, but
/// LibreOffice gives every character wider than a cell two cells (about 14 characters a line),
/// while both set characters at their advance plus the spacing. So the same 28 characters a
/// line show in Word, WPS and LibreOffice.
pub const CHAR_SPACING: i32 = CHAR_PITCH as i32 - (BODY_PT * 20) as i32;

// 22 lines fit at the pitch, and would not at one twip more; so do 28 characters.
const _: () = assert!(
    LINE_PITCH * LINES_PER_PAGE <= TEXT_HEIGHT && (LINE_PITCH + 1) * LINES_PER_PAGE > TEXT_HEIGHT
);
const _: () = assert!(
    CHAR_PITCH * CHARS_PER_LINE <= TEXT_WIDTH && (CHAR_PITCH + 1) * CHARS_PER_LINE > TEXT_WIDTH
);

/// One body character (3号, 16 pt) in twips: the "一字" of indents and page-number offsets.
pub const ONE_CHAR: u32 = BODY_PT * 20;

/// Converts points to half-points, the unit of `w:sz`.
pub const fn half_points(pt: u32) -> u32 {
    pt * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_and_margins_round_to_the_twips_word_writes() {
        assert_eq!((PAGE_WIDTH, PAGE_HEIGHT), (11_906, 16_838));
        assert_eq!(
            (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT),
            (2_098, 1_984, 1_587, 1_474)
        );
        assert_eq!((TEXT_WIDTH, TEXT_HEIGHT), (8_845, 12_756));
    }

    #[test]
    fn grid_fits_exactly_22_lines_and_28_characters() {
        assert_eq!(LINE_PITCH, 579);
        assert_eq!((CHAR_PITCH, CHAR_SPACING), (315, -5));
        // A first line indented two characters (of the font's size) still holds 26.
        const { assert!(2 * ONE_CHAR + 26 * CHAR_PITCH <= TEXT_WIDTH) };
        assert!(28 * (BODY_PT * 20).saturating_add_signed(CHAR_SPACING) <= TEXT_WIDTH);
        const { assert!(29 * CHAR_PITCH > TEXT_WIDTH) };
    }

    #[test]
    fn millimetres_become_emu() {
        assert_eq!(mm_to_emu(150.0), 5_400_000);
        assert_eq!(mm_to_emu(0.5), 18_000);
    }
}
