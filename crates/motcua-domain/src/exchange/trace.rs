//! The sender's view of a package it sent: every delivery attempt and every status message is a
//! trace row (history, never rewritten), and the package's *current* state is the furthest one
//! reached. Status messages can arrive out of order or twice (each is delivered at least once,
//! domain.md §9 status table), so a late "03 registered" after "06 completed" never moves the
//! state back, and "02 rejected" is final.

/// What the sender knows about one delivery of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeliveryState {
    /// Built and stored, not yet released (a liên thông package waits for its dossier event).
    Draft,
    /// Waiting in the outbox.
    Queued,
    /// Given up after the retries, or refused as invalid by the recipient (4xx).
    Failed,
    /// Accepted by the recipient's endpoint (2xx).
    Sent,
    /// 01 Đã đến.
    Arrived,
    /// 03 Đã tiếp nhận.
    Registered,
    /// 04 Đã phân công.
    Assigned,
    /// 05 Đang xử lý.
    Processing,
    /// 06 Đã hoàn thành.
    Completed,
    /// 02 Từ chối tiếp nhận (with a reason).
    Rejected,
}

impl DeliveryState {
    /// Stable name stored and shown by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Draft => "draft",
            DeliveryState::Queued => "queued",
            DeliveryState::Failed => "failed",
            DeliveryState::Sent => "sent",
            DeliveryState::Arrived => "arrived",
            DeliveryState::Registered => "registered",
            DeliveryState::Assigned => "assigned",
            DeliveryState::Processing => "processing",
            DeliveryState::Completed => "completed",
            DeliveryState::Rejected => "rejected",
        }
    }

    /// Parses [`DeliveryState::as_str`].
    pub fn parse(s: &str) -> Option<DeliveryState> {
        use DeliveryState::*;
        [Draft, Queued, Failed, Sent, Arrived, Registered, Assigned, Processing, Completed, Rejected]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    /// The state a status message's two-digit code announces (01–06; recall codes are kept in
    /// the trace but move no state).
    pub fn from_status_code(code: &str) -> Option<DeliveryState> {
        match code {
            "01" => Some(DeliveryState::Arrived),
            "02" => Some(DeliveryState::Rejected),
            "03" => Some(DeliveryState::Registered),
            "04" => Some(DeliveryState::Assigned),
            "05" => Some(DeliveryState::Processing),
            "06" => Some(DeliveryState::Completed),
            _ => None,
        }
    }

    /// The state after `next` happens in state `self`: the furthest of the two, except that
    /// rejection and completion are final, and a failure never hides a later success.
    pub fn advance(self, next: DeliveryState) -> DeliveryState {
        match self {
            DeliveryState::Rejected | DeliveryState::Completed => self,
            _ => self.max(next),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryState::{self, *};

    #[test]
    fn statuses_never_move_back_and_rejection_is_final() {
        assert_eq!(Sent.advance(Registered).advance(Assigned), Assigned);
        assert_eq!(Completed.advance(Registered), Completed);
        assert_eq!(Rejected.advance(Completed), Rejected);
        assert_eq!(Failed.advance(Sent), Sent);
        assert_eq!(Queued.advance(Failed), Failed);
        assert_eq!(Sent.advance(Rejected), Rejected);
    }

    #[test]
    fn codes_map_to_states_and_names_round_trip() {
        for (code, s) in [
            ("01", Arrived),
            ("02", Rejected),
            ("03", Registered),
            ("04", Assigned),
            ("05", Processing),
            ("06", Completed),
        ] {
            assert_eq!(DeliveryState::from_status_code(code), Some(s));
            assert_eq!(DeliveryState::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeliveryState::from_status_code("13"), None);
    }
}
