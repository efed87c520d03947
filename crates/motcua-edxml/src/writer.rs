//! The canonical writer: one fixed element order, two-space indentation between elements (never
//! inside text), `edXML:` prefix on every child of the envelope (domain.md §9: the VPCP validator
//! rejects un-prefixed children), text escaped so that it reads back byte for byte.

use crate::tree::is_xml_char;

/// Prefix used inside the envelope.
pub(crate) const P: &str = "edXML:";

/// Appends `s` escaped for text or attribute content: `& < > "` as entities, CR, TAB and LF in
/// attributes as character references (so that no normalisation changes them), CR in text as
/// `&#xD;`. A character XML 1.0 cannot carry at all becomes U+FFFD; [`crate::Package::validate`]
/// refuses such values beforehand.
pub(crate) fn escape_into(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\n' if attribute => out.push_str("&#xA;"),
            '\t' if attribute => out.push_str("&#x9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// A string being built, with the current depth.
pub(crate) struct Writer {
    out: String,
    depth: usize,
    /// Prefix written before every element name: [`P`] inside the envelope, empty outside.
    pub prefix: &'static str,
}

impl Writer {
    /// Starts a document with the XML declaration.
    pub fn new() -> Writer {
        Writer { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), depth: 0, prefix: "" }
    }

    fn indent(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Opens `<name attr="v"...>`.
    pub fn open_attrs(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape_into(&mut self.out, v, true);
            self.out.push('"');
        }
        self.out.push('>');
        self.depth += 1;
    }

    /// Opens `<name>`.
    pub fn open(&mut self, name: &str) {
        self.open_attrs(name, &[]);
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes the leaf only when there is a value.
    pub fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// The finished document, ending with a newline.
    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}
