//! Finds the elements signing and verifying work on in the raw tree: the envelope header
//! (`edXML/edXMLEnvelope/edXMLHeader`, domain.md §9), its `TraceHeaderList` with the
//! `TraceHeader` hops, and `DigitalSignature` with its XML-DSig `Signature`.

use super::DSIG_NS;
use super::dom::{Doc, NodeId};
use crate::error::{EdxmlError, codes};
use crate::tree::NS;

/// Path of the header.
pub(crate) const HEADER: &str = "edXML/edXMLEnvelope/edXMLHeader";

/// The header elements of a package.
pub(crate) struct Located {
    pub header: NodeId,
    pub trace_list: Option<NodeId>,
    /// `TraceHeaderList/TraceHeader`, in document order.
    pub trace_headers: Vec<NodeId>,
    pub digital_signature: Option<NodeId>,
    /// The first XML-DSig `Signature` element child of `DigitalSignature`.
    pub signature: Option<NodeId>,
}

fn missing(path: &str, name: &str) -> EdxmlError {
    EdxmlError::new(
        path,
        codes::MISSING_ELEMENT,
        format!("required element <{name}> is missing"),
        format!("thiếu phần tử bắt buộc <{name}>"),
    )
}

fn single(doc: &Doc, parent: NodeId, local: &str, path: &str) -> Result<Option<NodeId>, EdxmlError> {
    let mut found = doc.child_elements(parent).filter(|(_, e)| e.is(NS, local));
    let first = found.next().map(|(id, _)| id);
    if found.next().is_some() {
        return Err(EdxmlError::new(
            &format!("{path}/{local}"),
            codes::DUPLICATE_ELEMENT,
            format!("<{local}> appears more than once"),
            format!("phần tử <{local}> xuất hiện nhiều hơn một lần"),
        ));
    }
    Ok(first)
}

/// Locates the header elements; the root must be the edXML root with its envelope and header.
pub(crate) fn locate(doc: &Doc) -> Result<Located, EdxmlError> {
    let root = doc.root;
    match doc.element(root) {
        Some(e) if e.is(NS, "edXML") => {}
        Some(e) => {
            return Err(EdxmlError::new(
                &e.local,
                codes::WRONG_ROOT,
                format!("the root element must be <edXML> in {NS}, not <{}>", e.qname()),
                format!("phần tử gốc phải là <edXML> thuộc {NS}, không phải <{}>", e.qname()),
            ));
        }
        None => return Err(missing("edXML", "edXML")),
    }
    let env =
        single(doc, root, "edXMLEnvelope", "edXML")?.ok_or_else(|| missing("edXML/edXMLEnvelope", "edXMLEnvelope"))?;
    let header =
        single(doc, env, "edXMLHeader", "edXML/edXMLEnvelope")?.ok_or_else(|| missing(HEADER, "edXMLHeader"))?;
    let trace_list = single(doc, header, "TraceHeaderList", HEADER)?;
    let trace_headers = match trace_list {
        Some(list) => doc.child_elements(list).filter(|(_, e)| e.is(NS, "TraceHeader")).map(|(id, _)| id).collect(),
        None => Vec::new(),
    };
    let digital_signature = single(doc, header, "DigitalSignature", HEADER)?;
    let signature = digital_signature
        .and_then(|ds| doc.child_elements(ds).find(|(_, e)| e.is(DSIG_NS, "Signature")).map(|(id, _)| id));
    Ok(Located { header, trace_list, trace_headers, digital_signature, signature })
}
