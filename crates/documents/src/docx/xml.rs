//! Escaping text for WordprocessingML.

/// Appends `text` to `out` escaped for XML character data or a double-quoted attribute.
///
/// `&`, `<`, `>` and `"` become entities; characters XML 1.0 does not allow at all (C0
/// controls other than tab, line feed and carriage return, U+FFFE and U+FFFF) are dropped,
/// since Word refuses a file that contains them.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// `text` escaped as by [`escape_into`].
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Appends the run content of `text`: `w:t` elements (spaces preserved), `w:br` for `'\n'`,
/// `w:tab` for `'\t'`. A `'\r'` is dropped.
pub(crate) fn run_text_into(out: &mut String, text: &str) {
    let mut first = true;
    for line in text.split('\n') {
        if !first {
            out.push_str("<w:br/>");
        }
        first = false;
        let mut first_piece = true;
        for piece in line.split('\t') {
            if !first_piece {
                out.push_str("<w:tab/>");
            }
            first_piece = false;
            let piece = piece.replace('\r', "");
            if !piece.is_empty() {
                out.push_str("<w:t xml:space=\"preserve\">");
                escape_into(out, &piece);
                out.push_str("</w:t>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_entities_and_controls_vanish() {
        assert_eq!(
            escape("a & b <c> \"d\"\u{1}"),
            "a &amp; b &lt;c&gt; &quot;d&quot;"
        );
        assert_eq!(escape("〔2021〕12号，“好”"), "〔2021〕12号，“好”");
    }

    #[test]
    fn line_breaks_and_tabs_become_elements() {
        let mut out = String::new();
        run_text_into(&mut out, "一\t二\n三");
        assert_eq!(
            out,
            "<w:t xml:space=\"preserve\">一</w:t><w:tab/><w:t xml:space=\"preserve\">二</w:t>\
             <w:br/><w:t xml:space=\"preserve\">三</w:t>"
        );
    }
}
