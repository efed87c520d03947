//! edXML status codes (QCVN 102:2016/BTTTT status messages, domain.md §9) and how the office's
//! internal states map onto them, so the exchange sends exactly one code per state. This is the
//! one list: the edXML codec re-exports [`EdxmlStatus`] as its `StatusCode`.

use serde::{Deserialize, Serialize};

use super::Status;

/// A status code of an edXML status message (domain.md §9 table, [S26-status]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EdxmlStatus {
    /// 01 Đã đến — the package arrived.
    Arrived,
    /// 02 Từ chối tiếp nhận — rejected; a reason is mandatory.
    Rejected,
    /// 03 Đã tiếp nhận — registered in the incoming register.
    Registered,
    /// 04 Đã phân công — assigned to an officer.
    Assigned,
    /// 05 Đang xử lý — in processing.
    Processing,
    /// 06 Đã hoàn thành — completed.
    Completed,
    /// 13 Yêu cầu thu hồi / lấy lại — recall request.
    RecallRequested,
    /// 15 Đồng ý thu hồi / cập nhật — recall or update accepted.
    RecallAccepted,
    /// 16 Từ chối thu hồi / cập nhật — recall or update refused.
    RecallRefused,
}

impl EdxmlStatus {
    pub const ALL: [EdxmlStatus; 9] = [
        EdxmlStatus::Arrived,
        EdxmlStatus::Rejected,
        EdxmlStatus::Registered,
        EdxmlStatus::Assigned,
        EdxmlStatus::Processing,
        EdxmlStatus::Completed,
        EdxmlStatus::RecallRequested,
        EdxmlStatus::RecallAccepted,
        EdxmlStatus::RecallRefused,
    ];

    /// The two-digit code written in `edXML:StatusCode`.
    pub fn code(self) -> &'static str {
        match self {
            EdxmlStatus::Arrived => "01",
            EdxmlStatus::Rejected => "02",
            EdxmlStatus::Registered => "03",
            EdxmlStatus::Assigned => "04",
            EdxmlStatus::Processing => "05",
            EdxmlStatus::Completed => "06",
            EdxmlStatus::RecallRequested => "13",
            EdxmlStatus::RecallAccepted => "15",
            EdxmlStatus::RecallRefused => "16",
        }
    }

    pub fn parse(code: &str) -> Option<EdxmlStatus> {
        EdxmlStatus::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// Whether a reason (`Description`) is mandatory: rejection and refusal (domain.md §9,
    /// "a reason is mandatory in practice"; Motcua extends it to 16, a refusal too).
    pub fn requires_reason(self) -> bool {
        matches!(self, EdxmlStatus::Rejected | EdxmlStatus::RecallRefused)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            EdxmlStatus::Arrived => "Đã đến",
            EdxmlStatus::Rejected => "Từ chối tiếp nhận",
            EdxmlStatus::Registered => "Đã tiếp nhận",
            EdxmlStatus::Assigned => "Đã phân công",
            EdxmlStatus::Processing => "Đang xử lý",
            EdxmlStatus::Completed => "Đã hoàn thành",
            EdxmlStatus::RecallRequested => "Yêu cầu thu hồi",
            EdxmlStatus::RecallAccepted => "Đồng ý thu hồi/cập nhật",
            EdxmlStatus::RecallRefused => "Từ chối thu hồi/cập nhật",
        }
    }
}

/// One line of a document's trace as seen by its sender: local delivery steps (queued, sent,
/// failed) before the recipient answers, then the recipient's edXML status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TraceStatus {
    /// Waiting in the outbox (`send_document` has run; delivery is the exchange's job).
    Queued,
    /// Accepted by the recipient's endpoint (transport level), no status message yet.
    Sent,
    /// Delivery gave up after its retries.
    Failed,
    /// A status message from the recipient.
    Edxml(EdxmlStatus),
}

impl TraceStatus {
    /// Stored in `document_traces.status_code`: `queued`, `sent`, `failed` or the edXML code.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceStatus::Queued => "queued",
            TraceStatus::Sent => "sent",
            TraceStatus::Failed => "failed",
            TraceStatus::Edxml(s) => s.code(),
        }
    }

    pub fn parse(s: &str) -> Option<TraceStatus> {
        match s {
            "queued" => Some(TraceStatus::Queued),
            "sent" => Some(TraceStatus::Sent),
            "failed" => Some(TraceStatus::Failed),
            s => EdxmlStatus::parse(s).map(TraceStatus::Edxml),
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TraceStatus::Queued => "Chờ gửi",
            TraceStatus::Sent => "Đã gửi",
            TraceStatus::Failed => "Gửi không thành công",
            TraceStatus::Edxml(s) => s.label_vi(),
        }
    }
}

impl Status {
    /// The edXML status code an incoming document's state is reported with to its sender: one
    /// code per state (domain.md §9). Outgoing states (draft, issued, sent) are the sender's own
    /// and are never reported, so they have none.
    pub fn edxml_status(self) -> Option<EdxmlStatus> {
        match self {
            Status::Registered => Some(EdxmlStatus::Registered),
            Status::Assigned => Some(EdxmlStatus::Assigned),
            Status::Processing => Some(EdxmlStatus::Processing),
            Status::Completed => Some(EdxmlStatus::Completed),
            Status::Rejected => Some(EdxmlStatus::Rejected),
            Status::Recalled => Some(EdxmlStatus::RecallAccepted),
            Status::Draft | Status::Issued | Status::Sent => None,
        }
    }
}
