//! The one error type of the domain: every rule that says "no" says it here, in English and
//! Vietnamese, with a stable machine-readable code the HTTP layer passes through.

use serde::Serialize;

/// Why the domain refused something. `kind` tells the HTTP layer which status to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DomainError {
    /// Stable snake_case code, e.g. `invalid_transition`.
    pub code: ErrorCode,
    /// English message.
    pub message: String,
    /// Vietnamese message for the UI.
    pub message_vi: String,
    /// What sort of refusal this is.
    #[serde(skip)]
    pub kind: ErrorKind,
}

/// The family of a refusal, mapped to HTTP status codes by the web layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed or out-of-range input (400).
    Invalid,
    /// The caller may not do this (403).
    Forbidden,
    /// Well-formed but not allowed by the rules in the current state (422).
    Unprocessable,
    /// Nothing the actor may see exists under that name (404).
    NotFound,
}

impl DomainError {
    /// Input that does not parse or is out of range.
    pub fn invalid(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code, message: en.into(), message_vi: vi.into(), kind: ErrorKind::Invalid }
    }
    /// A rule forbids it in the current state.
    pub fn rule(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code, message: en.into(), message_vi: vi.into(), kind: ErrorKind::Unprocessable }
    }
    /// Nothing visible to the actor exists under that name.
    pub fn not_found(en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code: ErrorCode::NotFound, message: en.into(), message_vi: vi.into(), kind: ErrorKind::NotFound }
    }
    /// The actor's role or unit does not allow it.
    pub fn forbidden(en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError {
            code: ErrorCode::Forbidden,
            message: en.into(),
            message_vi: vi.into(),
            kind: ErrorKind::Forbidden,
        }
    }
}

/// Declares [`ErrorCode`], its wire names and the list of all of them from one table, so no code
/// can be returned that [`ErrorCode::ALL`] (and so the OpenAPI document) does not list.
macro_rules! error_codes {
    ($($variant:ident = $name:literal,)*) => {
        /// Every stable, machine-readable error code Motcua answers with (the `code` of an error
        /// body; snake_case on the wire). One enum for the domain, the edXML codec, the store, the
        /// application layer and the adapters; listed in the OpenAPI document's `ErrorBody`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, in wire-name order.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire name, e.g. `invalid_transition`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }
        }
    };
}

error_codes! {
    AccountOutOfScope = "account_out_of_scope",
    AgencyResultAlreadyReceived = "agency_result_already_received",
    AlreadyDigitized = "already_digitized",
    AlreadyExtended = "already_extended",
    AlreadyPaid = "already_paid",
    AlreadyRated = "already_rated",
    AlreadyRevoked = "already_revoked",
    AlreadySubmitted = "already_submitted",
    AssigneeRequired = "assignee_required",
    AttachmentHashMismatch = "attachment_hash_mismatch",
    AttachmentTooLarge = "attachment_too_large",
    BadBase64 = "bad_base64",
    BadCode = "bad_code",
    BadDate = "bad_date",
    BadOrganId = "bad_organ_id",
    CannotDeactivateSelf = "cannot_deactivate_self",
    CommentTooLong = "comment_too_long",
    CommuneRequired = "commune_required",
    Corrupt = "corrupt",
    CounterBusy = "counter_busy",
    DecisionExists = "decision_exists",
    DecisionFailed = "decision_failed",
    DisclosureConflict = "disclosure_conflict",
    DisclosureUnchanged = "disclosure_unchanged",
    DocumentTypeRequired = "document_type_required",
    DocumentsMissing = "documents_missing",
    DossierCodeRequired = "dossier_code_required",
    DossierOtherUnit = "dossier_other_unit",
    DtdRefused = "dtd_refused",
    DueInPast = "due_in_past",
    DuplicateElement = "duplicate_element",
    DuplicateProcedure = "duplicate_procedure",
    EffectiveDateTooEarly = "effective_date_too_early",
    EmptyDecision = "empty_decision",
    EmptyElement = "empty_element",
    ExtensionTooLate = "extension_too_late",
    FeeQuantityRequired = "fee_quantity_required",
    FeeUnpaid = "fee_unpaid",
    FileEmpty = "file_empty",
    FileTooLarge = "file_too_large",
    FileTypeNotAccepted = "file_type_not_accepted",
    FilesTooLarge = "files_too_large",
    Forbidden = "forbidden",
    GrantOutOfScope = "grant_out_of_scope",
    HistoryUnfit = "history_unfit",
    IfMatchRequired = "if_match_required",
    IncompleteGrant = "incomplete_grant",
    Inconsistent = "inconsistent",
    InternalError = "internal_error",
    InvalidAction = "invalid_action",
    InvalidAddress = "invalid_address",
    InvalidAnnouncement = "invalid_announcement",
    InvalidAnswerDays = "invalid_answer_days",
    InvalidApplicantName = "invalid_applicant_name",
    InvalidAssignee = "invalid_assignee",
    InvalidChannel = "invalid_channel",
    InvalidChar = "invalid_char",
    InvalidCodeNumber = "invalid_code_number",
    InvalidCodeTemplate = "invalid_code_template",
    InvalidCounter = "invalid_counter",
    InvalidCredentials = "invalid_credentials",
    InvalidCursor = "invalid_cursor",
    InvalidDate = "invalid_date",
    InvalidDatetime = "invalid_datetime",
    InvalidDecision = "invalid_decision",
    InvalidDirection = "invalid_direction",
    InvalidDocument = "invalid_document",
    InvalidDocuments = "invalid_documents",
    InvalidDossierCode = "invalid_dossier_code",
    InvalidDuration = "invalid_duration",
    InvalidEffectiveDate = "invalid_effective_date",
    InvalidEmail = "invalid_email",
    InvalidFee = "invalid_fee",
    InvalidFeeFacts = "invalid_fee_facts",
    InvalidFeedback = "invalid_feedback",
    InvalidFeedbackAction = "invalid_feedback_action",
    InvalidFormat = "invalid_format",
    InvalidFullName = "invalid_full_name",
    InvalidGroup = "invalid_group",
    InvalidHash = "invalid_hash",
    InvalidIdNumber = "invalid_id_number",
    InvalidItems = "invalid_items",
    InvalidJson = "invalid_json",
    InvalidMultipart = "invalid_multipart",
    InvalidLevel = "invalid_level",
    InvalidLimit = "invalid_limit",
    InvalidMonth = "invalid_month",
    InvalidName = "invalid_name",
    InvalidNationalRecord = "invalid_national_record",
    InvalidNewDueAt = "invalid_new_due_at",
    InvalidOfficeHours = "invalid_office_hours",
    InvalidOptionalStep = "invalid_optional_step",
    InvalidOrgan = "invalid_organ",
    InvalidOrganId = "invalid_organ_id",
    InvalidPackage = "invalid_package",
    InvalidPaymentNotice = "invalid_payment_notice",
    InvalidPeriod = "invalid_period",
    InvalidPhone = "invalid_phone",
    InvalidPrefix = "invalid_prefix",
    InvalidPriority = "invalid_priority",
    InvalidPriorityRun = "invalid_priority_run",
    InvalidProcedure = "invalid_procedure",
    InvalidProcedureCode = "invalid_procedure_code",
    InvalidProcessingTime = "invalid_processing_time",
    InvalidQuery = "invalid_query",
    InvalidRevision = "invalid_revision",
    InvalidScore = "invalid_score",
    InvalidStatus = "invalid_status",
    InvalidStep = "invalid_step",
    InvalidStepUnit = "invalid_step_unit",
    InvalidSubjectKind = "invalid_subject_kind",
    InvalidTicketState = "invalid_ticket_state",
    InvalidToken = "invalid_token",
    InvalidTransferUnit = "invalid_transfer_unit",
    InvalidTransition = "invalid_transition",
    InvalidUnitCode = "invalid_unit_code",
    InvalidUnitName = "invalid_unit_name",
    InvalidUsername = "invalid_username",
    InvalidVoter = "invalid_voter",
    InvalidWorkingDays = "invalid_working_days",
    InvalidYear = "invalid_year",
    JsonRequired = "json_required",
    MalformedXml = "malformed_xml",
    MergeIncomplete = "merge_incomplete",
    MergeIntoItself = "merge_into_itself",
    MergeTargetMerged = "merge_target_merged",
    MergedTwice = "merged_twice",
    MissingElement = "missing_element",
    MissingGroup = "missing_group",
    MonthNotEnded = "month_not_ended",
    NameRequired = "name_required",
    NoElectronicResult = "no_electronic_result",
    NoOpenRecall = "no_open_recall",
    NoStepToComplete = "no_step_to_complete",
    NoStepWaiting = "no_step_waiting",
    NothingToPay = "nothing_to_pay",
    NotFound = "not_found",
    NotApprovalStep = "not_approval_step",
    NotIncoming = "not_incoming",
    NotOutgoing = "not_outgoing",
    NotReceived = "not_received",
    NotThisCounter = "not_this_counter",
    NotUtf8 = "not_utf8",
    NoteRequired = "note_required",
    NoteTooLong = "note_too_long",
    NothingToRehome = "nothing_to_rehome",
    OnlinePaymentNotOffered = "online_payment_not_offered",
    OrganIdRequired = "organ_id_required",
    OtherUnit = "other_unit",
    ParentCycle = "parent_cycle",
    PasswordChangeRequired = "password_change_required",
    PasswordChangedMeanwhile = "password_changed_meanwhile",
    PasswordMismatch = "password_mismatch",
    PasswordUnchanged = "password_unchanged",
    PayloadTooLarge = "payload_too_large",
    PaymentAlreadyRecorded = "payment_already_recorded",
    PaymentAlreadySettled = "payment_already_settled",
    PaymentAmountMismatch = "payment_amount_mismatch",
    PaymentPlatformFailed = "payment_platform_failed",
    PeriodNotMonthly = "period_not_monthly",
    PeriodTooLong = "period_too_long",
    ProcedureAbolished = "procedure_abolished",
    ProcedureExists = "procedure_exists",
    ProcedureNotOnline = "procedure_not_online",
    ProcessExceedsLegalTime = "process_exceeds_legal_time",
    QueueEmpty = "queue_empty",
    ReasonRequired = "reason_required",
    RecallAlreadyRequested = "recall_already_requested",
    ReceivedInFuture = "received_in_future",
    ReceiverStepInParallelGroup = "receiver_step_in_parallel_group",
    RecipientsRequired = "recipients_required",
    RelayNotConfigured = "relay_not_configured",
    RestructureIncomplete = "restructure_incomplete",
    ResultFileRequired = "result_file_required",
    ReuseNotDeclared = "reuse_not_declared",
    RestructureNotYetEffective = "restructure_not_yet_effective",
    RoutingLoop = "routing_loop",
    SameGroup = "same_group",
    ScanRequired = "scan_required",
    SecretRequired = "secret_required",
    SenderRequired = "sender_required",
    SignatureInvalid = "signature_invalid",
    SignatureMalformed = "signature_malformed",
    SignatureUnsupported = "signature_unsupported",
    SigningKeyInvalid = "signing_key_invalid",
    StepAlreadySent = "step_already_sent",
    StepNotRunning = "step_not_running",
    StepsStillOpen = "steps_still_open",
    SubjectRequired = "subject_required",
    SubmissionKeyUsed = "submission_key_used",
    TicketMoved = "ticket_moved",
    TooComplex = "too_complex",
    TooLarge = "too_large",
    TooLong = "too_long",
    TooManyAttachments = "too_many_attachments",
    TooManyFiles = "too_many_files",
    TryAgain = "try_again",
    Unauthenticated = "unauthenticated",
    UnexpectedContent = "unexpected_content",
    UnexpectedDossier = "unexpected_dossier",
    UnexpectedFile = "unexpected_file",
    UnitAlreadyEnded = "unit_already_ended",
    UnitEndedByPlan = "unit_ended_by_plan",
    UnitRequired = "unit_required",
    UnknownAccount = "unknown_account",
    UnknownAction = "unknown_action",
    UnknownAssignee = "unknown_assignee",
    UnknownAttribute = "unknown_attribute",
    UnknownDocument = "unknown_document",
    UnknownDossier = "unknown_dossier",
    UnknownElement = "unknown_element",
    UnknownEntity = "unknown_entity",
    UnknownProcedure = "unknown_procedure",
    UnknownRecipient = "unknown_recipient",
    UnknownUnit = "unknown_unit",
    UnsupportedElement = "unsupported_element",
    UsernameTaken = "username_taken",
    VersionConflict = "version_conflict",
    WeakPassword = "weak_password",
    WrongNamespace = "wrong_namespace",
    WrongPassword = "wrong_password",
    WrongRoot = "wrong_root",
}

impl ErrorCode {
    /// The code with wire name `s`.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Compares with a wire name (tests and logs read codes as text).
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod code_tests {
    use super::ErrorCode;

    #[test]
    fn every_code_has_one_snake_case_wire_name_that_parses_back() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{s}");
            assert!(seen.insert(s), "{s} twice");
            assert_eq!(ErrorCode::parse(s), Some(*c));
            assert_eq!(c.to_string(), s);
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }
}
