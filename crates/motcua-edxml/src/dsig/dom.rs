//! A small namespace-aware tree of the raw document, for canonicalization (Canonical XML 1.0
//! §2, "XPath data model" input) and for the textual edits of signing. Independent of
//! [`crate::Package`]: foreign signers format and prefix differently, and every byte counts.
//!
//! The tree keeps what canonicalization needs and drops what it discards: comments (only the
//! "without comments" methods are supported), the XML declaration, whitespace outside the root.
//! Text is stored after line-end normalization (XML 1.0 §2.11) with character and predefined
//! entity references expanded and CDATA sections merged in; attribute values after attribute
//! value normalization (XML 1.0 §3.3.3, every attribute being CDATA as there is no DTD). Nodes
//! live in one flat arena, so that neither building, walking nor dropping the tree recurses.

use std::collections::BTreeMap;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::error::{EdxmlError, codes};
use crate::limits::Limits;
use crate::tree::is_xml_char;

/// The namespace bound to the `xml` prefix (Namespaces in XML 1.0 §3).
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Index of a node in [`Doc::nodes`].
pub(crate) type NodeId = usize;

/// In-scope namespaces of an element: prefix (`""` for the default namespace) → URI (`""` when
/// `xmlns=""` undeclared the default). Always holds `xml`.
pub(crate) type Scope = Rc<BTreeMap<String, String>>;

/// One attribute (not a namespace declaration), with its resolved namespace.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub prefix: String,
    pub local: String,
    /// Namespace URI, `""` for an unprefixed attribute.
    pub ns: String,
    /// Normalized value.
    pub value: String,
}

impl Attr {
    /// `prefix:local`, or `local`.
    pub fn qname(&self) -> String {
        qname(&self.prefix, &self.local)
    }
}

/// One element.
#[derive(Debug)]
pub(crate) struct Element {
    pub prefix: String,
    pub local: String,
    /// Namespace URI, `""` when none.
    pub ns: String,
    pub scope: Scope,
    pub attrs: Vec<Attr>,
    pub children: Vec<NodeId>,
    pub parent: Option<NodeId>,
    /// Local names from the root, `/`-separated (for error paths).
    pub path: String,
    /// Byte range of the whole element in the source (from `<` to after the end tag).
    pub span: (usize, usize),
    /// Byte range of the content (between the start and the end tag); `None` for `<x/>`.
    pub content: Option<(usize, usize)>,
}

impl Element {
    /// `prefix:local`, or `local`.
    pub fn qname(&self) -> String {
        qname(&self.prefix, &self.local)
    }

    /// Is this element `{ns}local`?
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// Value of the unprefixed attribute `local`.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns.is_empty() && a.local == local).map(|a| a.value.as_str())
    }
}

pub(crate) fn qname(prefix: &str, local: &str) -> String {
    if prefix.is_empty() { local.to_string() } else { format!("{prefix}:{local}") }
}

/// A node of the tree.
#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    /// Character data (adjacent text, references and CDATA merged).
    Text(String),
    /// A processing instruction: target and data (the whitespace after the target removed).
    Pi {
        target: String,
        data: String,
    },
}

/// A parsed document.
#[derive(Debug)]
pub(crate) struct Doc {
    pub nodes: Vec<Node>,
    /// Processing instructions before the root element.
    pub before: Vec<NodeId>,
    pub root: NodeId,
    /// Processing instructions after the root element.
    pub after: Vec<NodeId>,
}

impl Doc {
    /// The element at `id` (`None` for text and PIs).
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.nodes.get(id) {
            Some(Node::Element(e)) => Some(e),
            _ => None,
        }
    }

    /// Child elements of `id`, with their ids.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = (NodeId, &Element)> + '_ {
        let children: &[NodeId] = self.element(id).map(|e| e.children.as_slice()).unwrap_or(&[]);
        children.iter().filter_map(|&c| self.element(c).map(|e| (c, e)))
    }

    /// The first child element `{ns}local` of `id`.
    pub fn child(&self, id: NodeId, ns: &str, local: &str) -> Option<(NodeId, &Element)> {
        self.child_elements(id).find(|(_, e)| e.is(ns, local))
    }

    /// Concatenated text children of `id`, and whether any child element is present.
    pub fn text(&self, id: NodeId) -> (String, bool) {
        let mut text = String::new();
        let mut elements = false;
        if let Some(e) = self.element(id) {
            for &c in &e.children {
                match &self.nodes[c] {
                    Node::Text(t) => text.push_str(t),
                    Node::Element(_) => elements = true,
                    Node::Pi { .. } => {}
                }
            }
        }
        (text, elements)
    }
}

fn malformed(path: &str, detail: impl std::fmt::Display, position: u64) -> EdxmlError {
    EdxmlError::new(
        path,
        codes::MALFORMED,
        format!("not well-formed XML at byte {position}: {detail}"),
        format!("XML không đúng cú pháp tại byte {position}: {detail}"),
    )
}

fn check_chars(path: &str, s: &str) -> Result<(), EdxmlError> {
    match s.chars().find(|c| !is_xml_char(*c)) {
        None => Ok(()),
        Some(c) => Err(EdxmlError::new(
            path,
            codes::INVALID_CHAR,
            format!("character U+{:04X} is not allowed in XML 1.0", c as u32),
            format!("ký tự U+{:04X} không được phép trong XML 1.0", c as u32),
        )),
    }
}

/// XML 1.0 §2.11 line-end normalization: CR LF and lone CR become LF.
pub(crate) fn normalize_eol(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Checks size and encoding, strips a UTF-8 BOM.
pub(crate) fn as_text<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, EdxmlError> {
    if input.len() > limits.max_package_bytes {
        return Err(EdxmlError::new(
            "",
            codes::TOO_LARGE,
            format!("the package is {} bytes, more than the limit of {}", input.len(), limits.max_package_bytes),
            format!("gói tin dài {} byte, vượt giới hạn {} byte", input.len(), limits.max_package_bytes),
        ));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        EdxmlError::new(
            "",
            codes::NOT_UTF8,
            format!("the input is not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
            format!("dữ liệu không phải UTF-8 (byte sai tại vị trí {})", e.valid_up_to()),
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

struct Builder {
    nodes: Vec<Node>,
    stack: Vec<NodeId>,
    before: Vec<NodeId>,
    after: Vec<NodeId>,
    root: Option<NodeId>,
    elements: usize,
}

impl Builder {
    fn here(&self) -> String {
        self.stack
            .last()
            .and_then(|&id| match &self.nodes[id] {
                Node::Element(e) => Some(e.path.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    fn top(&mut self) -> Option<&mut Element> {
        let id = *self.stack.last()?;
        match self.nodes.get_mut(id) {
            Some(Node::Element(e)) => Some(e),
            _ => None,
        }
    }

    fn push_text(&mut self, s: &str, position: u64) -> Result<(), EdxmlError> {
        let Some(&parent) = self.stack.last() else {
            if s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                return Ok(());
            }
            return Err(malformed("", "text outside the root element", position));
        };
        check_chars(&self.here(), s)?;
        let last = self.top().and_then(|e| e.children.last().copied());
        if let Some(last) = last
            && let Some(Node::Text(t)) = self.nodes.get_mut(last)
        {
            t.push_str(s);
            return Ok(());
        }
        let id = self.nodes.len();
        self.nodes.push(Node::Text(s.to_string()));
        if let Some(Node::Element(e)) = self.nodes.get_mut(parent) {
            e.children.push(id);
        }
        Ok(())
    }

    fn start(
        &mut self,
        start: &BytesStart<'_>,
        span_start: usize,
        span_end: usize,
        empty: bool,
        limits: &Limits,
    ) -> Result<(), EdxmlError> {
        let position = span_start as u64;
        if self.root.is_some() && self.stack.is_empty() {
            return Err(malformed("", "content after the root element", position));
        }
        let name = start.name();
        let raw = name.as_ref().to_string();
        let (prefix, local) = match raw.split_once(':') {
            Some((p, l)) => (p.to_string(), l.to_string()),
            None => (String::new(), raw.clone()),
        };
        let parent = self.stack.last().copied();
        let parent_path = self.here();
        let path = if parent_path.is_empty() { local.clone() } else { format!("{parent_path}/{local}") };
        self.elements += 1;
        if self.stack.len() + 1 > limits.max_depth || self.elements > limits.max_elements {
            return Err(EdxmlError::new(
                &path,
                codes::TOO_COMPLEX,
                format!("more than {} levels or {} elements", limits.max_depth, limits.max_elements),
                format!("lồng quá {} cấp hoặc quá {} phần tử", limits.max_depth, limits.max_elements),
            ));
        }
        let parent_scope: Scope = match parent.and_then(|p| match &self.nodes[p] {
            Node::Element(e) => Some(e.scope.clone()),
            _ => None,
        }) {
            Some(s) => s,
            None => {
                let mut m = BTreeMap::new();
                m.insert("xml".to_string(), XML_NS.to_string());
                Rc::new(m)
            }
        };
        let mut decls: Vec<(String, String)> = Vec::new();
        let mut raw_attrs: Vec<(String, String, String)> = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(&path, e, position))?;
            let key = attr.key.as_ref().to_string();
            let apath = format!("{path}/@{key}");
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| malformed(&apath, e, position))?
                .into_owned();
            check_chars(&apath, &value)?;
            if key == "xmlns" {
                if value == XML_NS || value == XMLNS_NS {
                    return Err(malformed(&apath, "a reserved namespace cannot be the default", position));
                }
                decls.push((String::new(), value));
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                let reserved_ok = (p == "xml") == (value == XML_NS);
                if p.is_empty() || value.is_empty() || p == "xmlns" || value == XMLNS_NS || !reserved_ok {
                    return Err(malformed(&apath, "bad namespace declaration", position));
                }
                decls.push((p.to_string(), value));
            } else {
                let (p, l) = match key.split_once(':') {
                    Some((p, l)) => (p.to_string(), l.to_string()),
                    None => (String::new(), key.clone()),
                };
                raw_attrs.push((p, l, value));
            }
        }
        let scope = if decls.is_empty() {
            parent_scope
        } else {
            let mut m = (*parent_scope).clone();
            for (p, u) in &decls {
                m.insert(p.clone(), u.clone());
            }
            Rc::new(m)
        };
        let resolve = |p: &str, what: &str| -> Result<String, EdxmlError> {
            match scope.get(p) {
                Some(u) => Ok(u.clone()),
                None => Err(malformed(&path, format!("the prefix {p:?} of {what} is not declared"), position)),
            }
        };
        let ns = if prefix.is_empty() { scope.get("").cloned().unwrap_or_default() } else { resolve(&prefix, &raw)? };
        let mut attrs: Vec<Attr> = Vec::with_capacity(raw_attrs.len());
        for (p, l, value) in raw_attrs {
            let ans = if p.is_empty() { String::new() } else { resolve(&p, &l)? };
            if attrs.iter().any(|a| a.ns == ans && a.local == l) {
                return Err(malformed(&path, format!("attribute {l} appears twice"), position));
            }
            attrs.push(Attr { prefix: p, local: l, ns: ans, value });
        }
        let id = self.nodes.len();
        self.nodes.push(Node::Element(Element {
            prefix,
            local,
            ns,
            scope,
            attrs,
            children: Vec::new(),
            parent,
            path,
            span: (span_start, span_end),
            content: if empty { None } else { Some((span_end, span_end)) },
        }));
        match parent {
            Some(p) => {
                if let Some(Node::Element(e)) = self.nodes.get_mut(p) {
                    e.children.push(id);
                }
            }
            None => self.root = Some(id),
        }
        if !empty {
            self.stack.push(id);
        }
        Ok(())
    }
}

/// Parses `input` (size, UTF-8, DTD and depth/count limits as for packages).
pub(crate) fn parse(input: &[u8], limits: &Limits) -> Result<Doc, EdxmlError> {
    let text = as_text(input, limits)?;
    parse_str(text, limits)
}

/// Parses a string already checked by [`as_text`]; spans are offsets into `text`.
pub(crate) fn parse_str(text: &str, limits: &Limits) -> Result<Doc, EdxmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_comments = true;
    reader.config_mut().check_end_names = true;
    let mut b = Builder {
        nodes: Vec::new(),
        stack: Vec::new(),
        before: Vec::new(),
        after: Vec::new(),
        root: None,
        elements: 0,
    };
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => return Err(malformed(&b.here(), e, reader.error_position())),
        };
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let position = before as u64;
        match event {
            Event::Start(s) => b.start(&s, before, after, false, limits)?,
            Event::Empty(s) => b.start(&s, before, after, true, limits)?,
            Event::End(end) => {
                let Some(id) = b.stack.pop() else {
                    return Err(malformed("", "unexpected end tag", position));
                };
                if let Some(Node::Element(e)) = b.nodes.get_mut(id) {
                    if e.qname() != end.name().as_ref() {
                        return Err(malformed(&e.path, "mismatched end tag", position));
                    }
                    e.span.1 = after;
                    if let Some(c) = e.content.as_mut() {
                        c.1 = before;
                    }
                }
            }
            Event::Text(t) => b.push_text(&t.xml10_content(), position)?,
            Event::CData(t) => {
                if b.stack.is_empty() {
                    return Err(malformed("", "CDATA outside the root element", position));
                }
                b.push_text(&t.xml10_content(), position)?
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) | Err(_) => {
                            return Err(malformed(
                                &b.here(),
                                format!("bad character reference &{};", r.as_ref()),
                                position,
                            ));
                        }
                    }
                } else {
                    match r.as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        other => {
                            return Err(EdxmlError::new(
                                &b.here(),
                                codes::UNKNOWN_ENTITY,
                                format!("unknown entity &{other};"),
                                format!("thực thể không xác định &{other};"),
                            ));
                        }
                    }
                };
                if b.stack.is_empty() {
                    return Err(malformed("", "a reference outside the root element", position));
                }
                b.push_text(&resolved, position)?;
            }
            Event::PI(pi) => {
                let target = pi.target().to_string();
                let data = normalize_eol(pi.content().trim_start_matches([' ', '\t', '\r', '\n']));
                check_chars(&b.here(), &data)?;
                let id = b.nodes.len();
                b.nodes.push(Node::Pi { target, data });
                match b.stack.last().copied() {
                    Some(parent) => {
                        if let Some(Node::Element(e)) = b.nodes.get_mut(parent) {
                            e.children.push(id);
                        }
                    }
                    None if b.root.is_none() => b.before.push(id),
                    None => b.after.push(id),
                }
            }
            Event::Comment(_) => {}
            Event::DocType(_) => {
                return Err(EdxmlError::new(
                    &b.here(),
                    codes::DTD_REFUSED,
                    "a DOCTYPE (DTD) is not accepted in an edXML package",
                    "gói tin edXML không được chứa khai báo DOCTYPE (DTD)",
                ));
            }
            Event::Decl(decl) => {
                if b.root.is_some() || !b.before.is_empty() || before != 0 {
                    return Err(malformed("", "the XML declaration must come first", position));
                }
                match decl.encoding() {
                    None => {}
                    Some(Ok(enc)) if enc.eq_ignore_ascii_case("UTF-8") => {}
                    Some(Ok(enc)) => {
                        return Err(EdxmlError::new(
                            "",
                            codes::NOT_UTF8,
                            format!("declared encoding {enc} is not accepted; use UTF-8"),
                            format!("không chấp nhận bảng mã {enc}; dùng UTF-8"),
                        ));
                    }
                    Some(Err(e)) => return Err(malformed("", e, position)),
                }
            }
            Event::Eof => {
                if !b.stack.is_empty() {
                    return Err(malformed(&b.here(), "an element is not closed", position));
                }
                let Some(root) = b.root else {
                    return Err(malformed("", "no root element", position));
                };
                return Ok(Doc { nodes: b.nodes, before: b.before, root, after: b.after });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Doc {
        parse(s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn spans_cover_elements_and_their_content() {
        let s = "<a><b x='1'>t</b><c/></a>";
        let d = doc(s);
        let (b, be) = d.child_elements(d.root).next().unwrap();
        assert_eq!(&s[be.span.0..be.span.1], "<b x='1'>t</b>");
        let (c0, c1) = be.content.unwrap();
        assert_eq!(&s[c0..c1], "t");
        let (_, ce) = d.child_elements(d.root).nth(1).unwrap();
        assert_eq!(&s[ce.span.0..ce.span.1], "<c/>");
        assert_eq!(ce.content, None);
        assert_eq!(d.text(b).0, "t");
    }

    #[test]
    fn namespaces_resolve_and_unbound_prefixes_are_refused() {
        let d = doc("<p:a xmlns:p='urn:p' xmlns='urn:d'><b p:x='1' y='2'/></p:a>");
        let root = d.element(d.root).unwrap();
        assert_eq!(root.ns, "urn:p");
        let (_, b) = d.child_elements(d.root).next().unwrap();
        assert_eq!(b.ns, "urn:d");
        assert_eq!(b.attrs[0].ns, "urn:p");
        assert_eq!(b.attrs[1].ns, "");
        assert!(parse(b"<q:a/>", &Limits::default()).is_err());
        assert!(parse(b"<a xmlns:p=''/>", &Limits::default()).is_err());
        assert!(parse(b"<a xmlns:p='urn:x' xmlns:q='urn:x' p:x='1' q:x='2'/>", &Limits::default()).is_err());
    }

    #[test]
    fn text_is_normalized_and_references_expanded() {
        let d = doc("<a>x\r\ny\rz&amp;&#x41;<![CDATA[<&]]></a>");
        assert_eq!(d.text(d.root).0, "x\ny\nz&A<&");
        let d = doc("<a v='a\r\nb\tc&#x9;&lt;'/>");
        assert_eq!(d.element(d.root).unwrap().attrs[0].value, "a b c\t<");
    }

    #[test]
    fn dtds_unknown_entities_and_depth_are_refused() {
        assert_eq!(parse(b"<!DOCTYPE a><a/>", &Limits::default()).unwrap_err().code, codes::DTD_REFUSED);
        assert_eq!(parse(b"<a>&foo;</a>", &Limits::default()).unwrap_err().code, codes::UNKNOWN_ENTITY);
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(parse(deep.as_bytes(), &Limits::default()).unwrap_err().code, codes::TOO_COMPLEX);
        assert!(parse(b"<a></b>", &Limits::default()).is_err());
        assert!(parse(b"<a/><b/>", &Limits::default()).is_err());
        assert!(parse(b"", &Limits::default()).is_err());
    }
}
