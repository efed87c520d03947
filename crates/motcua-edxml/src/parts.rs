//! Pieces shared by packages and status messages: organs, staff, the document a message answers,
//! and the envelope around both.

use time::Date;

use crate::datetime::{format_date, parse_date};
use crate::error::{EdxmlError, codes};
use crate::organ::{Organ, OrganId};
use crate::tree::{NS, Node};
use crate::writer::{P, Writer};

/// Person who handles the document (`StaffInfo`, domain.md §9: Department, Staff, Mobile, Email).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaffInfo {
    /// `Department`.
    pub department: Option<String>,
    /// `Staff` (full name).
    pub staff: Option<String>,
    /// `Mobile`.
    pub mobile: Option<String>,
    /// `Email`.
    pub email: Option<String>,
}

/// The document a message replies to or updates (`ResponseFor`, domain.md §9: OrganId, Code,
/// PromulgationDate, DocumentId; Code is "số hiệu, ký hiệu" as one string, e.g. `123/UBND-VP`,
/// per [S26-status]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFor {
    /// `OrganId` of the organ that sent the original document.
    pub organ_id: OrganId,
    /// `Code`: number and notation of the original document, as one string.
    pub code: String,
    /// `PromulgationDate` of the original document.
    pub promulgation_date: Date,
    /// `DocumentId` of the original document (see [`crate::Header::document_id`]).
    pub document_id: String,
}

const ORGAN_CHILDREN: &[&str] =
    &["OrganId", "OrganizationInCharge", "OrganName", "OrganAdd", "Email", "Telephone", "Fax", "Website"];

pub(crate) fn read_organ(node: &Node) -> Result<Organ, EdxmlError> {
    node.container(ORGAN_CHILDREN, &[], &[])?;
    let id_node = node.req("OrganId")?;
    let id = OrganId::parse_at(&id_node.path, id_node.leaf_nonempty()?)?;
    Ok(Organ {
        id,
        organization_in_charge: node.opt_text("OrganizationInCharge")?,
        name: node.req_text("OrganName")?,
        address: node.opt_text("OrganAdd")?,
        email: node.opt_text("Email")?,
        telephone: node.opt_text("Telephone")?,
        fax: node.opt_text("Fax")?,
        website: node.opt_text("Website")?,
    })
}

pub(crate) fn write_organ(w: &mut Writer, name: &str, organ: &Organ) {
    w.open(name);
    w.leaf("OrganId", organ.id.as_str());
    w.opt("OrganizationInCharge", organ.organization_in_charge.as_deref());
    w.leaf("OrganName", &organ.name);
    w.opt("OrganAdd", organ.address.as_deref());
    w.opt("Email", organ.email.as_deref());
    w.opt("Telephone", organ.telephone.as_deref());
    w.opt("Fax", organ.fax.as_deref());
    w.opt("Website", organ.website.as_deref());
    w.close(name);
}

pub(crate) fn read_staff(node: &Node) -> Result<StaffInfo, EdxmlError> {
    node.container(&["Department", "Staff", "Mobile", "Email"], &[], &[])?;
    Ok(StaffInfo {
        department: node.opt_text("Department")?,
        staff: node.opt_text("Staff")?,
        mobile: node.opt_text("Mobile")?,
        email: node.opt_text("Email")?,
    })
}

pub(crate) fn write_staff(w: &mut Writer, staff: &StaffInfo) {
    w.open("StaffInfo");
    w.opt("Department", staff.department.as_deref());
    w.opt("Staff", staff.staff.as_deref());
    w.opt("Mobile", staff.mobile.as_deref());
    w.opt("Email", staff.email.as_deref());
    w.close("StaffInfo");
}

pub(crate) fn read_date(node: &Node, name: &str) -> Result<Date, EdxmlError> {
    let child = node.req(name)?;
    parse_date(&child.path, child.leaf_nonempty()?)
}

pub(crate) fn read_response_for(node: &Node) -> Result<ResponseFor, EdxmlError> {
    node.container(&["OrganId", "Code", "PromulgationDate", "DocumentId"], &[], &[])?;
    let id_node = node.req("OrganId")?;
    Ok(ResponseFor {
        organ_id: OrganId::parse_at(&id_node.path, id_node.leaf_nonempty()?)?,
        code: node.req_text("Code")?,
        promulgation_date: read_date(node, "PromulgationDate")?,
        document_id: node.req_text("DocumentId")?,
    })
}

pub(crate) fn write_response_for(w: &mut Writer, r: &ResponseFor) {
    w.open("ResponseFor");
    w.leaf("OrganId", r.organ_id.as_str());
    w.leaf("Code", &r.code);
    w.leaf("PromulgationDate", &format_date(r.promulgation_date));
    w.leaf("DocumentId", &r.document_id);
    w.close("ResponseFor");
}

/// Checks the root `edXML` and returns its `edXMLEnvelope` and the root itself.
pub(crate) fn envelope<'a>(root: &'a Node, outside: &[&str]) -> Result<&'a Node, EdxmlError> {
    if root.name != "edXML" {
        return Err(EdxmlError::new(
            &root.path,
            codes::WRONG_ROOT,
            format!("the root element must be <edXML>, not <{}>", root.name),
            format!("phần tử gốc phải là <edXML>, không phải <{}>", root.name),
        ));
    }
    let mut allowed = vec!["edXMLEnvelope"];
    allowed.extend_from_slice(outside);
    root.container(&allowed, &[], &[])?;
    root.req("edXMLEnvelope")
}

/// Opens `<edXML xmlns=…><edXML:edXMLEnvelope xmlns:edXML=… xmlns:xlink=…>`.
pub(crate) fn open_envelope(w: &mut Writer) {
    w.prefix = "";
    w.open_attrs("edXML", &[("xmlns", NS)]);
    w.prefix = P;
    w.open_attrs("edXMLEnvelope", &[("xmlns:edXML", NS), ("xmlns:xlink", crate::tree::XLINK_NS)]);
}
