//! Enum values as the kebab-case words the API and CLI show, and hex helpers.

use crate::pb;

/// `GRADE_IMPORTANT` → `important`: the kebab-case word of a protobuf enum name.
pub fn enum_word(proto_name: &str, prefix: &str) -> String {
    proto_name
        .strip_prefix(prefix)
        .unwrap_or(proto_name)
        .to_ascii_lowercase()
        .replace('_', "-")
}

macro_rules! word_fn {
    ($fn:ident, $ty:ty, $prefix:literal) => {
        /// The kebab-case word of this enum value (`unknown-N` for values this build lacks).
        pub fn $fn(v: i32) -> String {
            <$ty>::try_from(v)
                .map(|e| enum_word(e.as_str_name(), $prefix))
                .unwrap_or_else(|_| format!("unknown-{v}"))
        }
    };
}

word_fn!(grade_word, pb::Grade, "GRADE_");
word_fn!(origin_word, pb::Origin, "ORIGIN_");
word_fn!(delivery_word, pb::DeliveryMode, "DELIVERY_MODE_");
word_fn!(right_word, pb::Right, "RIGHT_");
word_fn!(action_word, pb::Action, "ACTION_");
word_fn!(path_word, pb::ExportPath, "EXPORT_PATH_");
word_fn!(decision_word, pb::Decision, "DECISION_");
word_fn!(attest_kind_word, pb::AttestKind, "ATTEST_KIND_");
word_fn!(attest_result_word, pb::AttestResult, "ATTEST_RESULT_");
word_fn!(role_word, pb::Role, "ROLE_");
word_fn!(member_status_word, pb::MemberStatus, "MEMBER_STATUS_");
word_fn!(grant_status_word, pb::GrantStatus, "GRANT_STATUS_");
word_fn!(filing_status_word, pb::FilingStatus, "FILING_STATUS_");
word_fn!(proposal_status_word, pb::ProposalStatus, "PROPOSAL_STATUS_");
word_fn!(node_role_word, pb::NodeRole, "NODE_ROLE_");
word_fn!(sharing_word, pb::SharingClass, "SHARING_CLASS_");
word_fn!(
    registration_status_word,
    pb::RegistrationStatus,
    "REGISTRATION_STATUS_"
);
word_fn!(
    application_kind_word,
    pb::ApplicationKind,
    "APPLICATION_KIND_"
);
word_fn!(
    application_stage_word,
    pb::ApplicationStage,
    "APPLICATION_STAGE_"
);
word_fn!(review_decision_word, pb::ReviewDecision, "REVIEW_DECISION_");
word_fn!(review_reason_word, pb::ReviewReason, "REVIEW_REASON_");
word_fn!(
    objection_reason_word,
    pb::ObjectionReason,
    "OBJECTION_REASON_"
);
word_fn!(
    objection_status_word,
    pb::ObjectionStatus,
    "OBJECTION_STATUS_"
);
word_fn!(amend_kind_word, pb::AmendKind, "AMEND_KIND_");
word_fn!(decline_reason_word, pb::DeclineReason, "DECLINE_REASON_");
word_fn!(price_unit_word, pb::PriceUnit, "PRICE_UNIT_");
word_fn!(confirm_kind_word, pb::ConfirmKind, "CONFIRM_KIND_");
word_fn!(request_status_word, pb::RequestStatus, "REQUEST_STATUS_");
word_fn!(listing_status_word, pb::ListingStatus, "LISTING_STATUS_");
word_fn!(order_status_word, pb::OrderStatus, "ORDER_STATUS_");

/// A price as `1200.00 CNY` (minor units are hundredths).
pub fn price_text(p: &pb::Price) -> String {
    format!(
        "{}.{:02} {}",
        p.amount_minor / 100,
        p.amount_minor % 100,
        p.currency
    )
}

/// Hex of a byte field, or `None` when it is empty.
pub fn opt_hex(b: &[u8]) -> Option<String> {
    (!b.is_empty()).then(|| hex::encode(b))
}
