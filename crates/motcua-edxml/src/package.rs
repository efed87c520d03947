//! The edXML document package (domain.md §9): header, trace list, manifest and base64
//! attachments; decode with strict validation, encode canonically, digest for idempotency.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest as _, Sha256};

use crate::hex::hex;
use time::{Date, PrimitiveDateTime};

use crate::codes::{BusinessDocType, DocumentKind, Priority, SteeringType, parse_number};
use crate::datetime::{format_date, format_timestamp, parse_date, parse_timestamp};
use crate::error::{EdxmlError, codes};
use crate::limits::Limits;
use crate::organ::{Organ, OrganId};
use crate::parts::{
    ResponseFor, StaffInfo, envelope, open_envelope, read_date, read_organ, read_response_for, read_staff, write_organ,
    write_response_for, write_staff,
};
use crate::tree::{Node, parse};
use crate::writer::Writer;

/// Document number and notation (`Code`: `CodeNumber` số, `CodeNotation` ký hiệu), e.g. `123`
/// and `UBND-VP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCode {
    /// `CodeNumber`.
    pub number: String,
    /// `CodeNotation`.
    pub notation: String,
}

/// Place and date of promulgation (`PromulgationInfo`; date written `yyyy/MM/dd`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromulgationInfo {
    /// `Place` (địa danh), e.g. `Rạch Giá`.
    pub place: String,
    /// `PromulgationDate`.
    pub date: Date,
}

/// `DocumentType`: `Type` (number), `TypeName`, `TypeDetail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentType {
    /// `Type`.
    pub kind: DocumentKind,
    /// `TypeName`, e.g. `Công văn`.
    pub name: String,
    /// `TypeDetail` (free text; meaning UNCONFIRMED).
    pub detail: Option<String>,
}

/// `SignerInfo`: `Competence` (thẩm quyền, e.g. `TM. UBND`), `Position`, `FullName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// `Competence`.
    pub competence: Option<String>,
    /// `Position` (chức vụ).
    pub position: Option<String>,
    /// `FullName` (required when SignerInfo is present).
    pub full_name: String,
}

/// `OtherInfo`: priority, sphere, typer notation, copy and page counts, appendixes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OtherInfo {
    /// `Priority` (độ khẩn), 0 when absent.
    pub priority: Priority,
    /// `SphereOfPromulgation` (phạm vi ban hành).
    pub sphere_of_promulgation: Option<String>,
    /// `TyperNotation` (ký hiệu người đánh máy).
    pub typer_notation: Option<String>,
    /// `PromulgationAmount` (số bản phát hành).
    pub promulgation_amount: Option<u32>,
    /// `PageAmount` (số trang).
    pub page_amount: Option<u32>,
    /// `Appendixes/Appendix`, in order.
    pub appendixes: Vec<String>,
}

/// One hop of the trace list (`TraceHeader`: OrganId, Timestamp `yyyy/MM/dd HH:mm:ss`). Each
/// system that forwards the package appends one (domain.md §9 "trace-header append per hop").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHeader {
    /// `OrganId` of the hop.
    pub organ_id: OrganId,
    /// `Timestamp` (Vietnam local time, UNCONFIRMED).
    pub timestamp: PrimitiveDateTime,
}

/// `Bussiness` (sic, the standard's spelling): what the package does to the document.
/// `BussinessDocumentInfo` and `ReplacementInfoList` are not supported yet and refused with
/// `unsupported_element` rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    /// `BussinessDocType` (0 new, 1 revoke, 2 update, 3 replace).
    pub doc_type: BusinessDocType,
    /// `BussinessDocReason` (why a revoke/update/replace).
    pub reason: Option<String>,
    /// `DocumentId` of the document concerned.
    pub document_id: Option<String>,
    /// `StaffInfo` of the officer in charge.
    pub staff: Option<StaffInfo>,
    /// `Paper` (whether a paper copy follows; meaning UNCONFIRMED, kept as text).
    pub paper: Option<String>,
}

/// The package header: `MessageHeader` plus the `TraceHeaderList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `From`: the sending organ.
    pub from: Organ,
    /// `To` (at least one): the receiving organs. Routing keys on their ids.
    pub to: Vec<Organ>,
    /// `Code`.
    pub code: DocumentCode,
    /// `PromulgationInfo`.
    pub promulgation: PromulgationInfo,
    /// `DocumentType`.
    pub document_type: DocumentType,
    /// `Subject` (trích yếu), required.
    pub subject: String,
    /// `Content`.
    pub content: Option<String>,
    /// `SignerInfo`.
    pub signer: Option<SignerInfo>,
    /// `DueDate` (hạn xử lý).
    pub due_date: Option<Date>,
    /// `ToPlaces/Place` (nơi nhận, as text), in order.
    pub to_places: Vec<String>,
    /// `OtherInfo` (always written; absent reads as the default).
    pub other_info: OtherInfo,
    /// `ResponseFor`: the document this one replies to or updates.
    pub response_for: Option<ResponseFor>,
    /// `SteeringType` (0 when absent).
    pub steering_type: SteeringType,
    /// `TraceHeaderList/TraceHeader`, one per hop, in order.
    pub traces: Vec<TraceHeader>,
    /// `TraceHeaderList/Bussiness`.
    pub business: Option<Business>,
}

impl Header {
    /// `DocumentId` = `{sender OrganId},{yyyy/MM/dd},{number}/{notation}` (domain.md §9). The
    /// exchange keys idempotent re-sends on it; it is written in every package and a received
    /// one must match the header.
    pub fn document_id(&self) -> String {
        format!("{},{},{}/{}", self.from.id, format_date(self.promulgation.date), self.code.number, self.code.notation)
    }
}

/// One attached file. On the wire it appears twice, as the manifest `Reference` (description,
/// name, type, id) and as `AttachmentEncoded/Attachment` (type, id, description, base64 content,
/// name, and Motcua's `ContentHash`); both must agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// `ContentId`, unique in the package; the manifest links it as `cid:{ContentId}`.
    pub content_id: String,
    /// `ContentType` (MIME type), e.g. `application/pdf`.
    pub content_type: String,
    /// `AttachmentName` (file name).
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// The decoded content.
    pub content: Vec<u8>,
}

impl Attachment {
    /// SHA-256 of the content, lowercase hex: the `ContentHash` written with it.
    pub fn sha256_hex(&self) -> String {
        hex(&Sha256::digest(&self.content))
    }
}

/// An edXML document package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Header and trace list.
    pub header: Header,
    /// Attachments, in order.
    pub attachments: Vec<Attachment>,
}

const MESSAGE_HEADER: &[&str] = &[
    "From",
    "Code",
    "PromulgationInfo",
    "DocumentType",
    "Subject",
    "Content",
    "SignerInfo",
    "DueDate",
    "ToPlaces",
    "OtherInfo",
    "ResponseFor",
    "SteeringType",
    "DocumentId",
];

fn unsupported(node: &Node) -> EdxmlError {
    EdxmlError::new(
        &node.path,
        codes::UNSUPPORTED_ELEMENT,
        format!("<{}> is not supported yet", node.name),
        format!("chưa hỗ trợ phần tử <{}>", node.name),
    )
}

fn inconsistent(path: &str, reason: String, reason_vi: String) -> EdxmlError {
    EdxmlError::new(path, codes::INCONSISTENT, reason, reason_vi)
}

/// `DigitalSignature` (domain.md §9): empty, or exactly one XML-DSig `Signature` element (W3C
/// XML-DSig 1.1 §4.1, any prefix). Its content is not read here: [`crate::dsig::verify`] checks
/// it, and the decoded [`Package`] does not carry it (its `to_xml` is the unsigned form).
fn read_digital_signature(sig: &Node) -> Result<(), EdxmlError> {
    sig.container(&["Signature"], &[], &[])?;
    match sig.children.first() {
        Some(child) if !child.dsig => Err(EdxmlError::new(
            &child.path,
            codes::WRONG_NAMESPACE,
            format!("<{}> must be in the XML-DSig namespace {}", child.name, crate::tree::DSIG_NS),
            format!("<{}> phải thuộc không gian tên XML-DSig {}", child.name, crate::tree::DSIG_NS),
        )),
        _ => Ok(()),
    }
}

fn opt_number(node: &Node, name: &str, what: &str, what_vi: &str) -> Result<Option<u32>, EdxmlError> {
    match node.child(name) {
        None => Ok(None),
        Some(child) => match child.leaf()? {
            "" => Ok(None),
            text => parse_number(&child.path, what, what_vi, text).map(Some),
        },
    }
}

fn read_header(env: &Node) -> Result<(Header, Option<(String, String)>), EdxmlError> {
    let header = env.req("edXMLHeader")?;
    header.container(&["MessageHeader", "TraceHeaderList", "DigitalSignature"], &[], &[])?;
    if let Some(sig) = header.child("DigitalSignature") {
        read_digital_signature(sig)?;
    }
    let mh = header.req("MessageHeader")?;
    mh.container(MESSAGE_HEADER, &["To"], &[])?;

    let from = read_organ(mh.req("From")?)?;
    let to = mh.all("To").map(read_organ).collect::<Result<Vec<_>, _>>()?;
    if to.is_empty() {
        mh.req("To")?;
    }

    let code_node = mh.req("Code")?;
    code_node.container(&["CodeNumber", "CodeNotation"], &[], &[])?;
    let code =
        DocumentCode { number: code_node.req_text("CodeNumber")?, notation: code_node.req_text("CodeNotation")? };

    let pi = mh.req("PromulgationInfo")?;
    pi.container(&["Place", "PromulgationDate"], &[], &[])?;
    let promulgation = PromulgationInfo { place: pi.req_text("Place")?, date: read_date(pi, "PromulgationDate")? };

    let dt = mh.req("DocumentType")?;
    dt.container(&["Type", "TypeName", "TypeDetail"], &[], &[])?;
    let type_node = dt.req("Type")?;
    let document_type = DocumentType {
        kind: DocumentKind::parse(&type_node.path, type_node.leaf_nonempty()?)?,
        name: dt.req_text("TypeName")?,
        detail: dt.opt_text("TypeDetail")?,
    };

    let signer = match mh.child("SignerInfo") {
        None => None,
        Some(s) => {
            s.container(&["Competence", "Position", "FullName"], &[], &[])?;
            Some(SignerInfo {
                competence: s.opt_text("Competence")?,
                position: s.opt_text("Position")?,
                full_name: s.req_text("FullName")?,
            })
        }
    };

    let due_date = match mh.child("DueDate") {
        None => None,
        Some(d) => match d.leaf()? {
            "" => None,
            text => Some(parse_date(&d.path, text)?),
        },
    };

    let to_places = match mh.child("ToPlaces") {
        None => Vec::new(),
        Some(tp) => {
            tp.container(&[], &["Place"], &[])?;
            tp.all("Place").map(|p| p.leaf_nonempty().map(str::to_string)).collect::<Result<_, _>>()?
        }
    };

    let other_info = match mh.child("OtherInfo") {
        None => OtherInfo::default(),
        Some(oi) => {
            oi.container(
                &[
                    "Priority",
                    "SphereOfPromulgation",
                    "TyperNotation",
                    "PromulgationAmount",
                    "PageAmount",
                    "Appendixes",
                ],
                &[],
                &[],
            )?;
            let priority = match oi.child("Priority") {
                None => Priority::Normal,
                Some(p) => crate::codes::parse_priority(&p.path, p.leaf()?)?,
            };
            let appendixes = match oi.child("Appendixes") {
                None => Vec::new(),
                Some(a) => {
                    a.container(&[], &["Appendix"], &[])?;
                    a.all("Appendix").map(|p| p.leaf_nonempty().map(str::to_string)).collect::<Result<_, _>>()?
                }
            };
            OtherInfo {
                priority,
                sphere_of_promulgation: oi.opt_text("SphereOfPromulgation")?,
                typer_notation: oi.opt_text("TyperNotation")?,
                promulgation_amount: opt_number(oi, "PromulgationAmount", "number of copies", "số bản")?,
                page_amount: opt_number(oi, "PageAmount", "number of pages", "số trang")?,
                appendixes,
            }
        }
    };

    let response_for = mh.child("ResponseFor").map(read_response_for).transpose()?;
    let steering_type = match mh.child("SteeringType") {
        None => SteeringType::Ordinary,
        Some(s) => SteeringType::parse(&s.path, s.leaf()?)?,
    };

    let (traces, business) = match header.child("TraceHeaderList") {
        None => (Vec::new(), None),
        Some(list) => read_trace_list(list)?,
    };

    let header_value = Header {
        from,
        to,
        code,
        promulgation,
        document_type,
        subject: mh.req_text("Subject")?,
        content: mh.opt_text("Content")?,
        signer,
        due_date,
        to_places,
        other_info,
        response_for,
        steering_type,
        traces,
        business,
    };
    let document_id = mh.child("DocumentId").map(|d| Ok::<_, EdxmlError>((d.path.clone(), d.leaf()?.to_string())));
    Ok((header_value, document_id.transpose()?))
}

fn read_trace_list(list: &Node) -> Result<(Vec<TraceHeader>, Option<Business>), EdxmlError> {
    list.container(&["Bussiness"], &["TraceHeader"], &["id", "version", "mustUnderstand", "actor"])?;
    let mut traces = Vec::new();
    for t in list.all("TraceHeader") {
        t.container(&["OrganId", "Timestamp"], &[], &[])?;
        let id = t.req("OrganId")?;
        let ts = t.req("Timestamp")?;
        traces.push(TraceHeader {
            organ_id: OrganId::parse_at(&id.path, id.leaf_nonempty()?)?,
            timestamp: parse_timestamp(&ts.path, ts.leaf_nonempty()?)?,
        });
    }
    let business = match list.child("Bussiness") {
        None => None,
        Some(b) => {
            b.container(
                &[
                    "BussinessDocType",
                    "BussinessDocReason",
                    "BussinessDocumentInfo",
                    "DocumentId",
                    "StaffInfo",
                    "Paper",
                    "ReplacementInfoList",
                ],
                &[],
                &[],
            )?;
            for name in ["BussinessDocumentInfo", "ReplacementInfoList"] {
                if let Some(n) = b.child(name) {
                    return Err(unsupported(n));
                }
            }
            let t = b.req("BussinessDocType")?;
            Some(Business {
                doc_type: BusinessDocType::parse(&t.path, t.leaf_nonempty()?)?,
                reason: b.opt_text("BussinessDocReason")?,
                document_id: b.opt_text("DocumentId")?,
                staff: b.child("StaffInfo").map(read_staff).transpose()?,
                paper: b.opt_text("Paper")?,
            })
        }
    };
    Ok((traces, business))
}

struct ManifestEntry {
    path: String,
    content_id: String,
    content_type: String,
    name: String,
    description: Option<String>,
}

fn read_manifest(env: &Node) -> Result<Vec<ManifestEntry>, EdxmlError> {
    let Some(body) = env.child("edXMLBody") else { return Ok(Vec::new()) };
    body.container(&["edXMLManifest"], &[], &[])?;
    let Some(manifest) = body.child("edXMLManifest") else { return Ok(Vec::new()) };
    manifest.container(&[], &["Reference"], &["version"])?;
    let mut entries = Vec::new();
    for r in manifest.all("Reference") {
        r.container(&["Description", "AttachmentName", "ContentType", "ContentId"], &[], &["xlink:href"])?;
        let content_id = r.req_text("ContentId")?;
        if let Some(href) = r.attr("xlink:href")
            && href != format!("cid:{content_id}")
        {
            return Err(inconsistent(
                &format!("{}/@xlink:href", r.path),
                format!("xlink:href {href:?} must be \"cid:{content_id}\""),
                format!("xlink:href {href:?} phải là \"cid:{content_id}\""),
            ));
        }
        entries.push(ManifestEntry {
            path: r.path.clone(),
            content_id,
            content_type: r.req_text("ContentType")?,
            name: r.req_text("AttachmentName")?,
            description: r.opt_text("Description")?,
        });
    }
    Ok(entries)
}

fn read_attachment(node: &Node, limits: &Limits) -> Result<Attachment, EdxmlError> {
    node.container(
        &["ContentType", "ContentId", "Description", "ContentTransferEncoded", "AttachmentName", "ContentHash"],
        &[],
        &[],
    )?;
    let encoded_node = node.req("ContentTransferEncoded")?;
    let encoded: String = encoded_node.leaf()?.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if encoded.len() / 4 * 3 > limits.max_attachment_bytes {
        return Err(EdxmlError::new(
            &encoded_node.path,
            codes::ATTACHMENT_TOO_LARGE,
            format!("the attachment is larger than {} bytes", limits.max_attachment_bytes),
            format!("tệp đính kèm lớn hơn {} byte", limits.max_attachment_bytes),
        ));
    }
    let content = BASE64.decode(encoded.as_bytes()).map_err(|e| {
        EdxmlError::new(
            &encoded_node.path,
            codes::BAD_BASE64,
            format!("the content is not valid base64: {e}"),
            format!("nội dung không phải base64 hợp lệ: {e}"),
        )
    })?;
    let attachment = Attachment {
        content_id: node.req_text("ContentId")?,
        content_type: node.req_text("ContentType")?,
        name: node.req_text("AttachmentName")?,
        description: node.opt_text("Description")?,
        content,
    };
    match node.child("ContentHash") {
        None if limits.require_attachment_hash => {
            node.req("ContentHash")?;
        }
        None => {}
        Some(h) => {
            let given = h.leaf_nonempty()?;
            let actual = attachment.sha256_hex();
            if !given.eq_ignore_ascii_case(&actual) {
                return Err(EdxmlError::new(
                    &h.path,
                    codes::HASH_MISMATCH,
                    format!("SHA-256 of the content is {actual}, the package says {given}"),
                    format!("SHA-256 của nội dung là {actual}, gói tin ghi {given}"),
                ));
            }
        }
    }
    Ok(attachment)
}

fn read_attachments(root: &Node, env: &Node, limits: &Limits) -> Result<Vec<Attachment>, EdxmlError> {
    let manifest = read_manifest(env)?;
    let nodes: Vec<&Node> = match root.child("AttachmentEncoded") {
        None => Vec::new(),
        Some(ae) => {
            ae.container(&[], &["Attachment"], &[])?;
            ae.all("Attachment").collect()
        }
    };
    if nodes.len() > limits.max_attachments {
        return Err(EdxmlError::new(
            &nodes[limits.max_attachments].path,
            codes::TOO_MANY_ATTACHMENTS,
            format!("more than {} attachments", limits.max_attachments),
            format!("quá {} tệp đính kèm", limits.max_attachments),
        ));
    }
    let mut attachments: Vec<Attachment> = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let a = read_attachment(node, limits)?;
        if attachments.iter().any(|b| b.content_id == a.content_id) {
            return Err(inconsistent(
                &node.sub("ContentId"),
                format!("ContentId {:?} is used twice", a.content_id),
                format!("ContentId {:?} bị dùng hai lần", a.content_id),
            ));
        }
        attachments.push(a);
    }
    // The manifest lists the same attachments, in the same order, with the same metadata.
    for (i, a) in attachments.iter().enumerate() {
        let Some(m) = manifest.get(i) else {
            return Err(inconsistent(
                &nodes[i].path,
                format!("attachment {:?} is not listed in edXMLBody/edXMLManifest", a.content_id),
                format!("tệp đính kèm {:?} không có trong edXMLBody/edXMLManifest", a.content_id),
            ));
        };
        let mismatch = if m.content_id != a.content_id {
            Some("ContentId")
        } else if m.content_type != a.content_type {
            Some("ContentType")
        } else if m.name != a.name {
            Some("AttachmentName")
        } else if m.description != a.description {
            Some("Description")
        } else {
            None
        };
        if let Some(field) = mismatch {
            return Err(inconsistent(
                &format!("{}/{field}", m.path),
                format!("{field} differs from AttachmentEncoded/Attachment[{}]", i + 1),
                format!("{field} khác với AttachmentEncoded/Attachment[{}]", i + 1),
            ));
        }
    }
    if let Some(extra) = manifest.get(attachments.len()) {
        return Err(inconsistent(
            &extra.path,
            format!("the manifest lists {:?}, which has no encoded attachment", extra.content_id),
            format!("danh mục liệt kê {:?} nhưng không có tệp đính kèm tương ứng", extra.content_id),
        ));
    }
    Ok(attachments)
}

impl Package {
    /// Decodes and validates a package with the default [`Limits`].
    pub fn from_xml(input: &[u8]) -> Result<Package, EdxmlError> {
        Package::from_xml_with(input, &Limits::default())
    }

    /// Decodes and validates a package with the given limits. Never panics.
    pub fn from_xml_with(input: &[u8], limits: &Limits) -> Result<Package, EdxmlError> {
        let root = parse(input, limits)?;
        let env = envelope(&root, &["AttachmentEncoded"])?;
        env.container(&["edXMLHeader", "edXMLBody"], &[], &[])?;
        let (header, document_id) = read_header(env)?;
        if let Some((path, given)) = document_id {
            let expected = header.document_id();
            if given != expected {
                return Err(inconsistent(
                    &path,
                    format!("DocumentId {given:?} must be {expected:?} (sender,date,number/notation)"),
                    format!("DocumentId {given:?} phải là {expected:?} (mã nơi gửi,ngày,số/ký hiệu)"),
                ));
            }
        }
        let attachments = read_attachments(&root, env, limits)?;
        Ok(Package { header, attachments })
    }

    /// The canonical XML: fixed element order, fixed prefixes and indentation, optional elements
    /// written only when they have a value. Equal packages give identical bytes.
    pub fn to_xml(&self) -> String {
        let h = &self.header;
        let mut w = Writer::new();
        open_envelope(&mut w);
        w.open("edXMLHeader");
        w.open("MessageHeader");
        write_organ(&mut w, "From", &h.from);
        for to in &h.to {
            write_organ(&mut w, "To", to);
        }
        w.open("Code");
        w.leaf("CodeNumber", &h.code.number);
        w.leaf("CodeNotation", &h.code.notation);
        w.close("Code");
        w.open("PromulgationInfo");
        w.leaf("Place", &h.promulgation.place);
        w.leaf("PromulgationDate", &format_date(h.promulgation.date));
        w.close("PromulgationInfo");
        w.open("DocumentType");
        w.leaf("Type", &h.document_type.kind.code().to_string());
        w.leaf("TypeName", &h.document_type.name);
        w.opt("TypeDetail", h.document_type.detail.as_deref());
        w.close("DocumentType");
        w.leaf("Subject", &h.subject);
        w.opt("Content", h.content.as_deref());
        if let Some(s) = &h.signer {
            w.open("SignerInfo");
            w.opt("Competence", s.competence.as_deref());
            w.opt("Position", s.position.as_deref());
            w.leaf("FullName", &s.full_name);
            w.close("SignerInfo");
        }
        w.opt("DueDate", h.due_date.map(format_date).as_deref());
        if !h.to_places.is_empty() {
            w.open("ToPlaces");
            for p in &h.to_places {
                w.leaf("Place", p);
            }
            w.close("ToPlaces");
        }
        let oi = &h.other_info;
        w.open("OtherInfo");
        w.leaf("Priority", &oi.priority.code().to_string());
        w.opt("SphereOfPromulgation", oi.sphere_of_promulgation.as_deref());
        w.opt("TyperNotation", oi.typer_notation.as_deref());
        w.opt("PromulgationAmount", oi.promulgation_amount.map(|n| n.to_string()).as_deref());
        w.opt("PageAmount", oi.page_amount.map(|n| n.to_string()).as_deref());
        if !oi.appendixes.is_empty() {
            w.open("Appendixes");
            for a in &oi.appendixes {
                w.leaf("Appendix", a);
            }
            w.close("Appendixes");
        }
        w.close("OtherInfo");
        if let Some(r) = &h.response_for {
            write_response_for(&mut w, r);
        }
        w.leaf("SteeringType", &h.steering_type.code().to_string());
        w.leaf("DocumentId", &h.document_id());
        w.close("MessageHeader");
        if !h.traces.is_empty() || h.business.is_some() {
            w.open("TraceHeaderList");
            for t in &h.traces {
                w.open("TraceHeader");
                w.leaf("OrganId", t.organ_id.as_str());
                w.leaf("Timestamp", &format_timestamp(t.timestamp));
                w.close("TraceHeader");
            }
            if let Some(b) = &h.business {
                w.open("Bussiness");
                w.leaf("BussinessDocType", &b.doc_type.code().to_string());
                w.opt("BussinessDocReason", b.reason.as_deref());
                w.opt("DocumentId", b.document_id.as_deref());
                if let Some(s) = &b.staff {
                    write_staff(&mut w, s);
                }
                w.opt("Paper", b.paper.as_deref());
                w.close("Bussiness");
            }
            w.close("TraceHeaderList");
        }
        w.close("edXMLHeader");
        w.open("edXMLBody");
        w.open_attrs("edXMLManifest", &[("version", "1.0")]);
        for a in &self.attachments {
            w.open_attrs("Reference", &[("xlink:href", &format!("cid:{}", a.content_id))]);
            w.opt("Description", a.description.as_deref());
            w.leaf("AttachmentName", &a.name);
            w.leaf("ContentType", &a.content_type);
            w.leaf("ContentId", &a.content_id);
            w.close("Reference");
        }
        w.close("edXMLManifest");
        w.close("edXMLBody");
        w.close("edXMLEnvelope");
        w.prefix = "";
        if !self.attachments.is_empty() {
            w.open("AttachmentEncoded");
            for a in &self.attachments {
                w.open("Attachment");
                w.leaf("ContentType", &a.content_type);
                w.leaf("ContentId", &a.content_id);
                w.opt("Description", a.description.as_deref());
                w.leaf("ContentTransferEncoded", &BASE64.encode(&a.content));
                w.leaf("AttachmentName", &a.name);
                w.leaf("ContentHash", &a.sha256_hex());
                w.close("Attachment");
            }
            w.close("AttachmentEncoded");
        }
        w.close("edXML");
        w.finish()
    }

    /// SHA-256 of the canonical XML ([`Package::to_xml`]): the idempotency key of a delivery.
    /// Two packages with the same content have the same digest whatever the formatting they
    /// arrived in.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.to_xml().as_bytes()).into()
    }

    /// [`Package::digest`] as lowercase hex.
    pub fn digest_hex(&self) -> String {
        hex(&self.digest())
    }

    /// Checks that this package can be sent: it must read back, under `limits`, as itself.
    /// This refuses what the decoder refuses (empty required text, bad characters, size and
    /// count limits, duplicate content ids, years outside 0–9999) and what would not survive the
    /// trip (an optional text set to `Some("")`, a timestamp with sub-seconds).
    pub fn validate(&self, limits: &Limits) -> Result<(), EdxmlError> {
        let back = Package::from_xml_with(self.to_xml().as_bytes(), limits)?;
        if &back == self {
            Ok(())
        } else {
            Err(inconsistent(
                "",
                "the package does not read back as itself (an empty optional text, a sub-second timestamp or a character XML cannot carry)".into(),
                "gói tin không đọc lại được như cũ (văn bản tùy chọn rỗng, thời điểm có phần lẻ giây hoặc ký tự XML không cho phép)".into(),
            ))
        }
    }
}
