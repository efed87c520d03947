//! The edXML status message (domain.md §9): the receiver tells the sender what became of a
//! document — arrived, rejected (with a reason), received, assigned, processing, completed, and
//! the recall answers. Element order follows [S26-status]: ResponseFor, From, StatusCode,
//! Description, Timestamp, StaffInfo, inside `edXMLHeader/Status`.

use sha2::{Digest as _, Sha256};
use time::PrimitiveDateTime;

use crate::codes::StatusCode;
use crate::datetime::{format_timestamp, parse_timestamp};
use crate::error::{EdxmlError, codes};
use crate::hex::hex;
use crate::limits::Limits;
use crate::organ::Organ;
use crate::parts::{
    ResponseFor, StaffInfo, envelope, open_envelope, read_organ, read_response_for, read_staff, write_organ,
    write_response_for, write_staff,
};
use crate::tree::parse;
use crate::writer::Writer;

/// A status message about a document received earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// `ResponseFor`: the document the status is about.
    pub response_for: ResponseFor,
    /// `From`: the organ reporting the status.
    pub from: Organ,
    /// `StatusCode`.
    pub status: StatusCode,
    /// `Description`: message or reason; required for 02 (rejected) and 16 (refused).
    pub description: Option<String>,
    /// `Timestamp` (`yyyy/MM/dd HH:mm:ss`, Vietnam local time — UNCONFIRMED).
    pub timestamp: PrimitiveDateTime,
    /// `StaffInfo`: the officer in charge.
    pub staff: Option<StaffInfo>,
}

impl StatusMessage {
    /// Decodes and validates a status message with the default [`Limits`].
    pub fn from_xml(input: &[u8]) -> Result<StatusMessage, EdxmlError> {
        StatusMessage::from_xml_with(input, &Limits::default())
    }

    /// Decodes and validates a status message with the given limits. Never panics.
    pub fn from_xml_with(input: &[u8], limits: &Limits) -> Result<StatusMessage, EdxmlError> {
        let root = parse(input, limits)?;
        let env = envelope(&root, &[])?;
        env.container(&["edXMLHeader", "edXMLBody"], &[], &[])?;
        if let Some(body) = env.child("edXMLBody") {
            body.container(&[], &[], &[])?;
        }
        let header = env.req("edXMLHeader")?;
        header.container(&["Status"], &[], &[])?;
        let st = header.req("Status")?;
        st.container(&["ResponseFor", "From", "StatusCode", "Description", "Timestamp", "StaffInfo"], &[], &[])?;
        let code_node = st.req("StatusCode")?;
        let status = crate::codes::parse_status(&code_node.path, code_node.leaf_nonempty()?)?;
        let description = st.opt_text("Description")?;
        if status.requires_reason() && description.as_deref().is_none_or(|d| d.trim().is_empty()) {
            return Err(EdxmlError::new(
                &st.sub("Description"),
                codes::MISSING_ELEMENT,
                format!("status {} ({}) needs a reason in <Description>", status.code(), status.label_vi()),
                format!("trạng thái {} ({}) phải ghi lý do trong <Description>", status.code(), status.label_vi()),
            ));
        }
        let ts = st.req("Timestamp")?;
        Ok(StatusMessage {
            response_for: read_response_for(st.req("ResponseFor")?)?,
            from: read_organ(st.req("From")?)?,
            status,
            description,
            timestamp: parse_timestamp(&ts.path, ts.leaf_nonempty()?)?,
            staff: st.child("StaffInfo").map(read_staff).transpose()?,
        })
    }

    /// The canonical XML (fixed order and formatting, optional elements only when set).
    pub fn to_xml(&self) -> String {
        let mut w = Writer::new();
        open_envelope(&mut w);
        w.open("edXMLHeader");
        w.open("Status");
        write_response_for(&mut w, &self.response_for);
        write_organ(&mut w, "From", &self.from);
        w.leaf("StatusCode", self.status.code());
        w.opt("Description", self.description.as_deref());
        w.leaf("Timestamp", &format_timestamp(self.timestamp));
        if let Some(s) = &self.staff {
            write_staff(&mut w, s);
        }
        w.close("Status");
        w.close("edXMLHeader");
        w.close("edXMLEnvelope");
        w.prefix = "";
        w.close("edXML");
        w.finish()
    }

    /// SHA-256 of the canonical XML, lowercase hex: the idempotency key of a status delivery.
    pub fn digest_hex(&self) -> String {
        hex(&Sha256::digest(self.to_xml().as_bytes()))
    }

    /// Checks that this message can be sent: it must read back as itself (see
    /// [`crate::Package::validate`]), which also enforces the reason for 02 and 16.
    pub fn validate(&self, limits: &Limits) -> Result<(), EdxmlError> {
        let back = StatusMessage::from_xml_with(self.to_xml().as_bytes(), limits)?;
        if &back == self {
            Ok(())
        } else {
            Err(EdxmlError::new(
                "",
                codes::INCONSISTENT,
                "the status message does not read back as itself (an empty optional text or a sub-second timestamp)",
                "thông điệp trạng thái không đọc lại được như cũ (văn bản tùy chọn rỗng hoặc thời điểm có phần lẻ giây)",
            ))
        }
    }
}
