//! Canonicalization of the raw document: Canonical XML 1.0 (W3C REC 15 March 2001, inclusive,
//! without comments) and Exclusive XML Canonicalization 1.0 (W3C REC 18 July 2002, without
//! comments, with the optional `InclusiveNamespaces PrefixList`).
//!
//! Input is a [`Doc`] (the XPath data model of the document) and a document subset: either the
//! whole document or one element's subtree (the apex), minus at most one excluded element (the
//! `ds:Signature` removed by the enveloped-signature transform, XML-DSig 1.1 §6.6.4). Output
//! follows the specs' rules:
//!
//! - no XML declaration nor DOCTYPE; processing instructions outside the root element are
//!   followed (before the root) or preceded (after it) by `#xA`; whitespace outside the root is
//!   dropped; comments are dropped;
//! - elements are written as start and end tags (never `<x/>`), namespace declarations first
//!   (sorted by prefix, the default namespace first), then attributes sorted by (namespace URI,
//!   local name), unqualified attributes first;
//! - text escapes `& < >` and CR (`&#xD;`); attribute values escape `& < "`, TAB, LF and CR
//!   (`&#x9; &#xA; &#xD;`); everything else is written as is, in UTF-8;
//! - namespace declarations: Canonical XML renders every in-scope namespace that the nearest
//!   output ancestor does not already have with the same value; Exclusive Canonicalization
//!   renders only the namespaces visibly utilized by the element (its own prefix, its
//!   attributes' prefixes) plus those of the PrefixList, when the nearest output ancestor did not
//!   render the same; `xmlns=""` is written only to undo a non-empty default namespace rendered
//!   by an output ancestor;
//! - Canonical XML (not Exclusive) copies the `xml:*` attributes of the apex's ancestors onto
//!   the apex of a subtree (Canonical XML 1.0 §2.4).
//!
//! The walk is iterative (no recursion on element depth).

use std::collections::BTreeMap;
use std::rc::Rc;

use super::dom::{Attr, Doc, Node, NodeId, XML_NS};

/// A canonicalization method (the `Algorithm` of `CanonicalizationMethod` or of a c14n
/// `Transform`, W3C XML-DSig 1.1 §6.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum C14nMethod {
    /// Canonical XML 1.0 without comments, `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`.
    Inclusive,
    /// Exclusive XML Canonicalization 1.0 without comments,
    /// `http://www.w3.org/2001/10/xml-exc-c14n#`; `inclusive_prefixes` is the
    /// `InclusiveNamespaces/@PrefixList` (`#default` written as `""`).
    Exclusive {
        /// Prefixes treated as in Canonical XML (`""` for the default namespace).
        inclusive_prefixes: Vec<String>,
    },
}

impl C14nMethod {
    /// Exclusive XML Canonicalization 1.0 with an empty PrefixList: what Motcua signs with
    /// (domain.md §9 "exc-c14n").
    pub fn exclusive() -> C14nMethod {
        C14nMethod::Exclusive { inclusive_prefixes: Vec::new() }
    }

    /// The algorithm URI (W3C XML-DSig 1.1 §6.5).
    pub fn uri(&self) -> &'static str {
        match self {
            C14nMethod::Inclusive => super::C14N_10,
            C14nMethod::Exclusive { .. } => super::EXC_C14N,
        }
    }
}

/// Canonical bytes, with the byte ranges of the marked elements (see [`canonicalize`]).
pub(crate) struct Output {
    pub bytes: Vec<u8>,
    pub marks: Vec<(usize, usize)>,
}

/// Namespaces rendered by the output ancestors: prefix → URI.
type Rendered = Rc<BTreeMap<String, String>>;

enum Work {
    Enter(NodeId, Rendered),
    Leave(NodeId, Option<usize>),
}

/// Canonicalizes the whole document (`apex = None`) or the subtree of `apex`, leaving out the
/// subtree of `exclude`. The output ranges of the elements in `mark` are returned in document
/// order (a marked element's subtree can then be cut from the output: removing an element from
/// the node-set changes nothing else in either method).
pub(crate) fn canonicalize(
    doc: &Doc,
    method: &C14nMethod,
    apex: Option<NodeId>,
    exclude: Option<NodeId>,
    mark: &[NodeId],
) -> Output {
    let mut out = Output { bytes: Vec::new(), marks: Vec::new() };
    let mut mark = mark.to_vec();
    mark.sort_unstable();
    let whole = apex.is_none();
    if whole {
        for &pi in &doc.before {
            write_pi(&mut out.bytes, doc, pi);
            out.bytes.push(b'\n');
        }
    }
    let top = apex.unwrap_or(doc.root);
    let mut work = vec![Work::Enter(top, Rc::new(BTreeMap::new()))];
    while let Some(item) = work.pop() {
        match item {
            Work::Leave(id, start) => {
                if let Some(Node::Element(e)) = doc.nodes.get(id) {
                    out.bytes.extend_from_slice(b"</");
                    out.bytes.extend_from_slice(e.qname().as_bytes());
                    out.bytes.push(b'>');
                }
                if let Some(start) = start {
                    out.marks.push((start, out.bytes.len()));
                }
            }
            Work::Enter(id, rendered) => {
                if Some(id) == exclude {
                    continue;
                }
                match doc.nodes.get(id) {
                    Some(Node::Text(t)) => escape_text(&mut out.bytes, t),
                    Some(Node::Pi { .. }) => write_pi(&mut out.bytes, doc, id),
                    Some(Node::Element(e)) => {
                        let start = mark.binary_search(&id).is_ok().then_some(out.bytes.len());
                        let is_apex = id == top && !whole;
                        let mine = start_tag(&mut out.bytes, doc, id, method, &rendered, is_apex);
                        work.push(Work::Leave(id, start));
                        let rendered = match mine {
                            Some(r) => r,
                            None => rendered,
                        };
                        for &child in e.children.iter().rev() {
                            work.push(Work::Enter(child, rendered.clone()));
                        }
                    }
                    None => {}
                }
            }
        }
    }
    if whole {
        for &pi in &doc.after {
            out.bytes.push(b'\n');
            write_pi(&mut out.bytes, doc, pi);
        }
    }
    out
}

/// Writes the start tag of element `id`; returns the namespaces rendered so far for its
/// children when it rendered any.
fn start_tag(
    out: &mut Vec<u8>,
    doc: &Doc,
    id: NodeId,
    method: &C14nMethod,
    rendered: &Rendered,
    is_apex: bool,
) -> Option<Rendered> {
    let Some(Node::Element(e)) = doc.nodes.get(id) else { return None };
    // Candidate namespace prefixes, each with its in-scope URI ("" = no default namespace).
    let mut candidates: Vec<(String, String)> = Vec::new();
    let mut add = |p: &str| {
        if p == "xml" || candidates.iter().any(|(q, _)| q == p) {
            return;
        }
        match e.scope.get(p) {
            Some(u) => candidates.push((p.to_string(), u.clone())),
            None if p.is_empty() => candidates.push((String::new(), String::new())),
            None => {}
        }
    };
    match method {
        C14nMethod::Inclusive => {
            add("");
            for p in e.scope.keys() {
                add(p);
            }
        }
        C14nMethod::Exclusive { inclusive_prefixes } => {
            add(&e.prefix);
            for a in &e.attrs {
                if !a.prefix.is_empty() {
                    add(&a.prefix);
                }
            }
            for p in inclusive_prefixes {
                add(p);
            }
        }
    }
    let mut decls: Vec<(String, String)> = Vec::new();
    for (p, u) in candidates {
        let shown = rendered.get(&p);
        let render =
            if p.is_empty() && u.is_empty() { shown.is_some_and(|v| !v.is_empty()) } else { shown != Some(&u) };
        if render {
            decls.push((p, u));
        }
    }
    decls.sort();

    let mut attrs: Vec<&Attr> = e.attrs.iter().collect();
    let inherited: Vec<Attr>;
    if is_apex && *method == C14nMethod::Inclusive {
        // Canonical XML 1.0 §2.4: xml:* attributes of ancestors not in the node-set appear on
        // the apex unless it has its own.
        let mut found: Vec<Attr> = Vec::new();
        let mut up = e.parent;
        while let Some(pid) = up {
            let Some(p) = doc.element(pid) else { break };
            for a in &p.attrs {
                if a.ns == XML_NS
                    && !e.attrs.iter().any(|b| b.ns == XML_NS && b.local == a.local)
                    && !found.iter().any(|b| b.local == a.local)
                {
                    found.push(a.clone());
                }
            }
            up = p.parent;
        }
        inherited = found;
        attrs.extend(inherited.iter());
    }
    attrs.sort_by(|a, b| (a.ns.as_str(), a.local.as_str()).cmp(&(b.ns.as_str(), b.local.as_str())));

    out.push(b'<');
    out.extend_from_slice(e.qname().as_bytes());
    for (p, u) in &decls {
        if p.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attr(out, u);
        out.push(b'"');
    }
    for a in attrs {
        out.push(b' ');
        out.extend_from_slice(a.qname().as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attr(out, &a.value);
        out.push(b'"');
    }
    out.push(b'>');
    if decls.is_empty() {
        return None;
    }
    let mut next = (**rendered).clone();
    for (p, u) in decls {
        next.insert(p, u);
    }
    Some(Rc::new(next))
}

fn write_pi(out: &mut Vec<u8>, doc: &Doc, id: NodeId) {
    if let Some(Node::Pi { target, data }) = doc.nodes.get(id) {
        out.extend_from_slice(b"<?");
        out.extend_from_slice(target.as_bytes());
        if !data.is_empty() {
            out.push(b' ');
            out.extend_from_slice(data.as_bytes());
        }
        out.extend_from_slice(b"?>");
    }
}

/// Text node escaping (Canonical XML 1.0 §2.3).
fn escape_text(out: &mut Vec<u8>, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// Attribute value escaping (Canonical XML 1.0 §2.3).
fn escape_attr(out: &mut Vec<u8>, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\t' => out.extend_from_slice(b"&#x9;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Expected outputs are written by hand from the rules of the two specs.
    use super::*;
    use crate::dsig::dom::parse;
    use crate::limits::Limits;

    fn c14n(input: &str, method: &C14nMethod) -> String {
        let doc = parse(input.as_bytes(), &Limits::default()).unwrap();
        String::from_utf8(canonicalize(&doc, method, None, None, &[]).bytes).unwrap()
    }

    fn both(input: &str) -> (String, String) {
        (c14n(input, &C14nMethod::Inclusive), c14n(input, &C14nMethod::exclusive()))
    }

    fn subtree(input: &str, local: &str, method: &C14nMethod) -> String {
        let doc = parse(input.as_bytes(), &Limits::default()).unwrap();
        let id = (0..doc.nodes.len()).find(|&i| doc.element(i).is_some_and(|e| e.local == local)).unwrap();
        String::from_utf8(canonicalize(&doc, method, Some(id), None, &[]).bytes).unwrap()
    }

    #[test]
    fn declaration_doctype_free_prolog_and_outside_whitespace() {
        let input = "<?xml version=\"1.0\"?>\n<?pi  some data?>\n<!-- c -->\n<a/>\n<?end?>\n<!-- d -->\n";
        let (inc, exc) = both(input);
        assert_eq!(inc, "<?pi some data?>\n<a></a>\n<?end?>");
        assert_eq!(exc, inc);
    }

    #[test]
    fn empty_elements_become_start_and_end_tags_and_comments_go() {
        let (inc, _) = both("<a><b/><!-- x --><c>t</c><?p?></a>");
        assert_eq!(inc, "<a><b></b><c>t</c><?p?></a>");
    }

    #[test]
    fn text_escaping_and_expansion() {
        let (inc, exc) = both("<a>&lt;&gt;&amp;&quot;&apos;&#65;&#xD;\r\n\t\"'<![CDATA[<x>&]]></a>");
        assert_eq!(inc, "<a>&lt;&gt;&amp;\"'A&#xD;\n\t\"'&lt;x&gt;&amp;</a>");
        assert_eq!(exc, inc);
    }

    #[test]
    fn attribute_escaping_and_normalization() {
        let (inc, _) = both("<a v=\"&lt;&gt;&amp;&quot;'&#x9;&#xA;&#xD;\t\r\nx\"/>");
        assert_eq!(inc, "<a v=\"&lt;>&amp;&quot;'&#x9;&#xA;&#xD;  x\"></a>");
        let (inc, _) = both("<a v='\"'/>");
        assert_eq!(inc, "<a v=\"&quot;\"></a>");
    }

    #[test]
    fn attributes_sort_by_namespace_uri_then_local_name() {
        let input = "<a xmlns:z='urn:a' xmlns:b='urn:b' b:x='1' z:y='2' c='3' a='4'/>";
        let (inc, exc) = both(input);
        // Unqualified first (empty URI), then urn:a (prefix z), then urn:b.
        assert_eq!(inc, "<a xmlns:b=\"urn:b\" xmlns:z=\"urn:a\" a=\"4\" c=\"3\" z:y=\"2\" b:x=\"1\"></a>");
        assert_eq!(exc, inc);
    }

    #[test]
    fn inclusive_renders_in_scope_namespaces_once() {
        let input =
            "<a xmlns='urn:d' xmlns:p='urn:p' xmlns:u='urn:u'><p:b xmlns:p='urn:p'><c xmlns:p='urn:q'/></p:b></a>";
        assert_eq!(
            c14n(input, &C14nMethod::Inclusive),
            "<a xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:u=\"urn:u\"><p:b><c xmlns:p=\"urn:q\"></c></p:b></a>"
        );
    }

    #[test]
    fn exclusive_renders_only_visibly_utilized_namespaces() {
        let input = "<a xmlns='urn:d' xmlns:p='urn:p' xmlns:u='urn:u'><p:b><c u:x='1'/><p:d/></p:b></a>";
        assert_eq!(
            c14n(input, &C14nMethod::exclusive()),
            "<a xmlns=\"urn:d\"><p:b xmlns:p=\"urn:p\"><c xmlns:u=\"urn:u\" u:x=\"1\"></c><p:d></p:d></p:b></a>"
        );
        // The PrefixList brings u in where it is in scope, like Canonical XML.
        let m = C14nMethod::Exclusive { inclusive_prefixes: vec!["u".into()] };
        assert_eq!(
            c14n(input, &m),
            "<a xmlns=\"urn:d\" xmlns:u=\"urn:u\"><p:b xmlns:p=\"urn:p\"><c u:x=\"1\"></c><p:d></p:d></p:b></a>"
        );
    }

    #[test]
    fn empty_default_namespace_only_undoes_a_rendered_one() {
        let input = "<a xmlns='urn:d'><b xmlns=''><c/></b></a>";
        let (inc, exc) = both(input);
        assert_eq!(inc, "<a xmlns=\"urn:d\"><b xmlns=\"\"><c></c></b></a>");
        assert_eq!(exc, inc);
        // Nothing to undo: xmlns="" is superfluous.
        let (inc, exc) = both("<a xmlns=''><b/></a>");
        assert_eq!(inc, "<a><b></b></a>");
        assert_eq!(exc, inc);
        // Exclusive: the prefixed parent renders no default, so the child needs no xmlns="".
        let input = "<p:a xmlns:p='urn:p' xmlns='urn:d'><b xmlns=''/></p:a>";
        assert_eq!(c14n(input, &C14nMethod::exclusive()), "<p:a xmlns:p=\"urn:p\"><b></b></p:a>");
        assert_eq!(
            c14n(input, &C14nMethod::Inclusive),
            "<p:a xmlns=\"urn:d\" xmlns:p=\"urn:p\"><b xmlns=\"\"></b></p:a>"
        );
    }

    #[test]
    fn subtree_apex_gets_ancestor_namespaces_and_xml_attributes() {
        let input = "<r xmlns='urn:r' xmlns:p='urn:p' xml:lang='vi' xml:space='preserve'><s xml:lang='en'><p:t a='1'><u/></p:t></s></r>";
        assert_eq!(
            subtree(input, "t", &C14nMethod::Inclusive),
            "<p:t xmlns=\"urn:r\" xmlns:p=\"urn:p\" a=\"1\" xml:lang=\"en\" xml:space=\"preserve\"><u></u></p:t>"
        );
        assert_eq!(
            subtree(input, "t", &C14nMethod::exclusive()),
            "<p:t xmlns:p=\"urn:p\" a=\"1\"><u xmlns=\"urn:r\"></u></p:t>"
        );
    }

    #[test]
    fn excluded_subtree_and_marks() {
        let input = "<a><b>x</b><sig><c/></sig><d/></a>";
        let doc = parse(input.as_bytes(), &Limits::default()).unwrap();
        let find = |l: &str| (0..doc.nodes.len()).find(|&i| doc.element(i).is_some_and(|e| e.local == l)).unwrap();
        let out = canonicalize(&doc, &C14nMethod::exclusive(), None, Some(find("sig")), &[find("b"), find("d")]);
        let s = String::from_utf8(out.bytes).unwrap();
        assert_eq!(s, "<a><b>x</b><d></d></a>");
        assert_eq!(out.marks, vec![(3, 11), (11, 18)]);
    }

    #[test]
    fn prefixes_are_kept_and_redundant_declarations_dropped() {
        let a = "<e:a xmlns:e='urn:e' xmlns:x='urn:x'><e:b xmlns:e='urn:e'  k = 'v' /></e:a>";
        let b = "<e:a xmlns:x='urn:x' xmlns:e=\"urn:e\"><e:b k=\"v\"></e:b></e:a>";
        assert_eq!(c14n(a, &C14nMethod::Inclusive), c14n(b, &C14nMethod::Inclusive));
        assert_eq!(c14n(a, &C14nMethod::exclusive()), c14n(b, &C14nMethod::exclusive()));
        assert_eq!(c14n(a, &C14nMethod::exclusive()), "<e:a xmlns:e=\"urn:e\"><e:b k=\"v\"></e:b></e:a>");
    }

    #[test]
    fn a_default_namespace_comes_back_after_being_undone() {
        let (inc, exc) = both("<a xmlns='u'><b xmlns=''><c xmlns='u'/></b></a>");
        assert_eq!(inc, "<a xmlns=\"u\"><b xmlns=\"\"><c xmlns=\"u\"></c></b></a>");
        assert_eq!(exc, inc);
    }

    #[test]
    fn exclusive_renders_again_on_each_sibling() {
        let input = "<r xmlns:p='urn:p'><a p:x='1'/><b p:y='2'/></r>";
        assert_eq!(
            c14n(input, &C14nMethod::exclusive()),
            "<r><a xmlns:p=\"urn:p\" p:x=\"1\"></a><b xmlns:p=\"urn:p\" p:y=\"2\"></b></r>"
        );
        assert_eq!(c14n(input, &C14nMethod::Inclusive), "<r xmlns:p=\"urn:p\"><a p:x=\"1\"></a><b p:y=\"2\"></b></r>");
    }

    #[test]
    fn the_xml_namespace_is_never_declared() {
        let (inc, exc) = both("<a xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='vi'><b/></a>");
        assert_eq!(inc, "<a xml:lang=\"vi\"><b></b></a>");
        assert_eq!(exc, inc);
    }

    #[test]
    fn processing_instructions_keep_their_data_with_normalized_line_ends() {
        let (inc, _) = both("<a><?p  x\r\ny <&> ?><?q?></a>");
        assert_eq!(inc, "<a><?p x\ny <&> ?><?q?></a>");
    }

    #[test]
    fn namespace_uris_are_escaped_like_attributes() {
        let (inc, exc) = both("<a xmlns='urn:x?a=1&amp;b=&quot;2&quot;'/>");
        assert_eq!(inc, "<a xmlns=\"urn:x?a=1&amp;b=&quot;2&quot;\"></a>");
        assert_eq!(exc, inc);
    }

    #[test]
    fn prefix_list_default_on_a_subtree_apex() {
        let input = "<r xmlns='urn:r' xmlns:u='urn:u'><p:t xmlns:p='urn:p'/></r>";
        let m = C14nMethod::Exclusive { inclusive_prefixes: vec![String::new()] };
        assert_eq!(subtree(input, "t", &m), "<p:t xmlns=\"urn:r\" xmlns:p=\"urn:p\"></p:t>");
        assert_eq!(subtree(input, "t", &C14nMethod::exclusive()), "<p:t xmlns:p=\"urn:p\"></p:t>");
    }
}
