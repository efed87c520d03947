//! Bytes → a small element tree, with every safety check of the input as a whole: size, UTF-8,
//! no DTD, no unknown entities, namespace, depth and element count, legal XML characters.
//! The mapping to packages then reads the tree with the accessors below, so every error carries
//! the element path.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use crate::error::{EdxmlError, codes};
use crate::limits::Limits;

/// The QCVN 102:2016 namespace (domain.md §9).
pub const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

/// The XML-DSig namespace (W3C XML Signature; an edXML package's `<Signature>` is in it).
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The XLink namespace, for `Reference/@xlink:href` (domain.md §9).
pub const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// Path of the header's `DigitalSignature`: the only place where elements of another namespace
/// (the XML-DSig `Signature`, W3C XML-DSig 1.1 §4.1) are accepted.
pub(crate) const SIGNATURE_PARENT: &str = "edXML/edXMLEnvelope/edXMLHeader/DigitalSignature";

/// Elements that may repeat, with their parent; their paths carry a 1-based index (`To[2]`).
const REPEATABLE: &[(&str, &str)] = &[
    ("MessageHeader", "To"),
    ("ToPlaces", "Place"),
    ("Appendixes", "Appendix"),
    ("TraceHeaderList", "TraceHeader"),
    ("edXMLManifest", "Reference"),
    ("AttachmentEncoded", "Attachment"),
];

/// One element: local name, path, attributes (`xlink:href` when bound to XLink, else the local
/// name), child elements and the concatenated text.
#[derive(Debug)]
pub(crate) struct Node {
    pub name: String,
    pub path: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
    /// In the XML-DSig namespace ([`DSIG_NS`]); only a direct child of
    /// [`SIGNATURE_PARENT`] can be.
    pub dsig: bool,
    /// Inside an XML-DSig `Signature`: descendants may be in any namespace (the decoder does not
    /// read them; [`crate::dsig::verify`] does). Depth, count and text limits still apply.
    pub foreign: bool,
}

/// Is `c` a character XML 1.0 allows (the `Char` production)?
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
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

fn malformed(path: &str, detail: impl std::fmt::Display, position: u64) -> EdxmlError {
    EdxmlError::new(
        path,
        codes::MALFORMED,
        format!("not well-formed XML at byte {position}: {detail}"),
        format!("XML không đúng cú pháp tại byte {position}: {detail}"),
    )
}

/// Parses `input` into its root element.
pub(crate) fn parse(input: &[u8], limits: &Limits) -> Result<Node, EdxmlError> {
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_comments = true;

    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    loop {
        let here = stack.last().map(|n| n.path.clone()).unwrap_or_default();
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(pair) => pair,
            Err(e) => return Err(malformed(&here, e, reader.error_position())),
        };
        let ns_ok = matches!(resolved, ResolveResult::Bound(Namespace(ns)) if ns == NS);
        let ns_dsig = matches!(resolved, ResolveResult::Bound(Namespace(ns)) if ns == DSIG_NS);
        let ns_declared = !matches!(resolved, ResolveResult::Unknown(_));
        let parent_foreign = stack.last().is_some_and(|n| n.foreign);
        let under_signature_parent = stack.last().is_some_and(|n| !n.foreign && n.path == SIGNATURE_PARENT);
        let position = reader.buffer_position();
        let (event, empty) = match event {
            Event::Empty(start) => (Event::Start(start), true),
            other => (other, false),
        };
        match event {
            Event::Start(start) if root.is_none() => {
                let name = start.local_name().as_ref().to_string();
                let path = child_path(stack.last(), &name);
                elements += 1;
                if stack.len() + 1 > limits.max_depth || elements > limits.max_elements {
                    return Err(EdxmlError::new(
                        &path,
                        codes::TOO_COMPLEX,
                        format!("more than {} levels or {} elements", limits.max_depth, limits.max_elements),
                        format!("lồng quá {} cấp hoặc quá {} phần tử", limits.max_depth, limits.max_elements),
                    ));
                }
                let dsig = ns_dsig && under_signature_parent;
                // Inside a signature any namespace is accepted, but a prefix must be declared.
                let foreign = (parent_foreign && ns_declared) || dsig;
                if !ns_ok && !foreign {
                    return Err(EdxmlError::new(
                        &path,
                        codes::WRONG_NAMESPACE,
                        format!("element <{}> is not in the namespace {NS}", start.name().as_ref()),
                        format!("phần tử <{}> không thuộc không gian tên {NS}", start.name().as_ref()),
                    ));
                }
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| malformed(&path, e, position))?;
                    let key = attr.key;
                    if key.as_ref() == "xmlns" || key.prefix().is_some_and(|p| p.as_ref() == "xmlns") {
                        continue;
                    }
                    let (attr_ns, local) = reader.resolver().resolve_attribute(key);
                    let shown = match attr_ns {
                        ResolveResult::Bound(Namespace(ns)) if ns == XLINK_NS => format!("xlink:{}", local.as_ref()),
                        ResolveResult::Unbound => local.as_ref().to_string(),
                        _ => key.as_ref().to_string(),
                    };
                    let apath = format!("{path}/@{shown}");
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| malformed(&apath, e, position))?;
                    check_chars(&apath, &value)?;
                    attrs.push((shown, value.into_owned()));
                }
                let node = Node { name, path, attrs, children: Vec::new(), text: String::new(), dsig, foreign };
                if empty {
                    close(&mut stack, &mut root, node)?;
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(node) => close(&mut stack, &mut root, node)?,
                None => return Err(malformed(&here, "unexpected end tag", position)),
            },
            Event::Start(_) | Event::Empty(_) => {
                return Err(malformed("", "content after the root element", position));
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), position, limits)?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), position, limits)?,
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) | Err(_) => {
                            return Err(malformed(
                                &here,
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
                                &here,
                                codes::UNKNOWN_ENTITY,
                                format!("unknown entity &{other};"),
                                format!("thực thể không xác định &{other};"),
                            ));
                        }
                    }
                };
                if stack.is_empty() {
                    return Err(malformed("", "a reference outside the root element", position));
                }
                push_text(&mut stack, &resolved, position, limits)?;
            }
            Event::DocType(_) => {
                return Err(EdxmlError::new(
                    &here,
                    codes::DTD_REFUSED,
                    "a DOCTYPE (DTD) is not accepted in an edXML package",
                    "gói tin edXML không được chứa khai báo DOCTYPE (DTD)",
                ));
            }
            Event::Decl(decl) => {
                let encoding = decl.encoding().map(|r| r.map(|c| c.into_owned()));
                match encoding {
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
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(malformed(&open.path, format!("<{}> is not closed", open.name), position));
                }
                return root.ok_or_else(|| malformed("", "no root element", position));
            }
        }
    }
}

fn child_path(parent: Option<&Node>, name: &str) -> String {
    let Some(parent) = parent else { return name.to_string() };
    if REPEATABLE.contains(&(parent.name.as_str(), name)) {
        let index = parent.children.iter().filter(|c| c.name == name).count() + 1;
        format!("{}/{name}[{index}]", parent.path)
    } else {
        format!("{}/{name}", parent.path)
    }
}

fn push_text(stack: &mut [Node], s: &str, position: u64, limits: &Limits) -> Result<(), EdxmlError> {
    match stack.last_mut() {
        Some(node) => {
            // Attachment content is bounded by the attachment limit when decoded; the package
            // limit already bounds it here.
            let cap = if node.name == "ContentTransferEncoded" { usize::MAX } else { limits.max_text_bytes };
            if node.text.len() + s.len() > cap {
                return Err(EdxmlError::new(
                    &node.path,
                    codes::TOO_LONG,
                    format!("text longer than {cap} bytes"),
                    format!("nội dung dài quá {cap} byte"),
                ));
            }
            node.text.push_str(s);
            Ok(())
        }
        None if s.chars().all(|c| c.is_ascii_whitespace()) => Ok(()),
        None => Err(malformed("", "text outside the root element", position)),
    }
}

fn close(stack: &mut [Node], root: &mut Option<Node>, node: Node) -> Result<(), EdxmlError> {
    check_chars(&node.path, &node.text)?;
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
    Ok(())
}

impl Node {
    /// Path of a (possibly absent) child.
    pub fn sub(&self, name: &str) -> String {
        format!("{}/{name}", self.path)
    }

    /// Refuses attributes other than `allowed`.
    pub fn attrs_only(&self, allowed: &[&str]) -> Result<(), EdxmlError> {
        match self.attrs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            None => Ok(()),
            Some((k, _)) => Err(EdxmlError::new(
                &format!("{}/@{k}", self.path),
                codes::UNKNOWN_ATTRIBUTE,
                format!("attribute {k} is not expected on <{}>", self.name),
                format!("thuộc tính {k} không hợp lệ trên <{}>", self.name),
            )),
        }
    }

    /// Value of an attribute.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Checks that this is a container: only known children, each non-repeatable one at most
    /// once, no text, no attributes beyond `attrs`.
    pub fn container(&self, allowed: &[&str], repeatable: &[&str], attrs: &[&str]) -> Result<(), EdxmlError> {
        self.attrs_only(attrs)?;
        if !self.text.chars().all(|c| c.is_ascii_whitespace()) {
            return Err(EdxmlError::new(
                &self.path,
                codes::UNEXPECTED_CONTENT,
                format!("<{}> holds elements, not text", self.name),
                format!("<{}> chỉ chứa phần tử con, không chứa văn bản", self.name),
            ));
        }
        for (i, child) in self.children.iter().enumerate() {
            if !allowed.contains(&child.name.as_str()) && !repeatable.contains(&child.name.as_str()) {
                return Err(EdxmlError::new(
                    &child.path,
                    codes::UNKNOWN_ELEMENT,
                    format!("<{}> is not expected inside <{}>", child.name, self.name),
                    format!("phần tử <{}> không hợp lệ trong <{}>", child.name, self.name),
                ));
            }
            if !repeatable.contains(&child.name.as_str()) && self.children[..i].iter().any(|c| c.name == child.name) {
                return Err(EdxmlError::new(
                    &child.path,
                    codes::DUPLICATE_ELEMENT,
                    format!("<{}> appears more than once", child.name),
                    format!("phần tử <{}> xuất hiện nhiều hơn một lần", child.name),
                ));
            }
        }
        Ok(())
    }

    /// A child element, if present.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this name, in document order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// A required child element.
    pub fn req(&self, name: &str) -> Result<&Node, EdxmlError> {
        self.child(name).ok_or_else(|| {
            EdxmlError::new(
                &self.sub(name),
                codes::MISSING_ELEMENT,
                format!("required element <{name}> is missing"),
                format!("thiếu phần tử bắt buộc <{name}>"),
            )
        })
    }

    /// This element's text; it must have no child elements nor attributes.
    pub fn leaf(&self) -> Result<&str, EdxmlError> {
        self.attrs_only(&[])?;
        if let Some(child) = self.children.first() {
            return Err(EdxmlError::new(
                &child.path,
                codes::UNEXPECTED_CONTENT,
                format!("<{}> holds text, not elements", self.name),
                format!("<{}> chỉ chứa văn bản, không chứa phần tử con", self.name),
            ));
        }
        Ok(&self.text)
    }

    /// This element's text, which must not be empty.
    pub fn leaf_nonempty(&self) -> Result<&str, EdxmlError> {
        let text = self.leaf()?;
        if text.is_empty() {
            return Err(EdxmlError::new(
                &self.path,
                codes::EMPTY_ELEMENT,
                format!("<{}> must not be empty", self.name),
                format!("phần tử <{}> không được để trống", self.name),
            ));
        }
        Ok(text)
    }

    /// Text of a required, non-empty child.
    pub fn req_text(&self, name: &str) -> Result<String, EdxmlError> {
        self.req(name)?.leaf_nonempty().map(str::to_string)
    }

    /// Text of an optional child; absent or empty both mean `None`.
    pub fn opt_text(&self, name: &str) -> Result<Option<String>, EdxmlError> {
        match self.child(name) {
            None => Ok(None),
            Some(node) => Ok(Some(node.leaf()?.to_string()).filter(|s| !s.is_empty())),
        }
    }
}
