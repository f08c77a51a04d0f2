//! Stable failure codes of rejected transactions, and the reasons that carry them.
//!
//! A code's number and name never change once released: receipts in blocks carry the
//! number, operators and scripts read the name. `rule` names the rule broken (G1–G6, or the
//! payload). A [`Rejection`] is a code, a detail (which of the code's situations) and
//! structured arguments — ids, keys, numbers, code words — which is all a receipt commits;
//! its sentence is rendered from them at the edge ([`Rejection::message`]), so rewording a
//! sentence never changes a block hash. [`reason`] is the catalogue.

pub mod reason;
mod rejection;

use std::fmt;

pub use rejection::{Arg, Rejection};

macro_rules! failure_codes {
    ($( $variant:ident = $num:literal, $name:literal, $rule:literal, $what:literal; )*) => {
        /// Why a transaction was rejected at the API or failed in its block.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FailureCode {
            $(
                #[doc = $what]
                $variant = $num,
            )*
        }

        impl FailureCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [FailureCode] = &[$(FailureCode::$variant),*];

            /// The number stored in receipts.
            pub fn number(self) -> u32 {
                self as u32
            }

            /// The stable snake_case name.
            pub fn name(self) -> &'static str {
                match self { $(FailureCode::$variant => $name,)* }
            }

            /// The rule of docs/DATA-RIGHTS.md it enforces (`G1`..`G6`, or the payload).
            pub fn rule(self) -> &'static str {
                match self { $(FailureCode::$variant => $rule,)* }
            }

            /// A sentence on what it means.
            pub fn description(self) -> &'static str {
                match self { $(FailureCode::$variant => $what,)* }
            }

            /// The code with this number, if any.
            pub fn from_number(n: u32) -> Option<FailureCode> {
                match n { $($num => Some(FailureCode::$variant),)* _ => None }
            }
        }
    };
}

failure_codes! {
    WrongChain = 101, "wrong_chain", "G1", "the transaction is for another chain id";
    Malformed = 102, "malformed", "G1", "the bytes are not a valid transaction encoding";
    NonCanonical = 103, "non_canonical", "G1", "the encoding is not canonical (unknown field, explicit default, over-long varint)";
    UnknownPayload = 104, "unknown_payload", "G1", "the transaction carries no known payload";
    TooLarge = 105, "too_large", "G1", "the transaction is over the size limit";
    InvalidField = 106, "invalid_field", "G1", "a field is missing, out of range or malformed";
    UnknownSigner = 201, "unknown_signer", "G2", "a signer or cosigner key is not an active member's account key";
    BadSignature = 202, "bad_signature", "G2", "a signature does not verify";
    MissingSignature = 203, "missing_signature", "G2", "a signer or cosigner has not signed";
    DuplicateSignature = 204, "duplicate_signature", "G2", "a key signed twice or is listed twice";
    UnexpectedSignature = 205, "unexpected_signature", "G2", "a signature by a key that is neither signer nor cosigner";
    MissingRole = 301, "missing_role", "G3", "the signer lacks the role the payload requires";
    Replay = 401, "replay", "G4", "a transaction with this id is already committed";
    StaleTimestamp = 402, "stale_timestamp", "G4", "timestamp_ms is outside the allowed window around the block time";
    UnknownAsset = 501, "unknown_asset", "G5", "the referenced asset does not exist";
    UnknownGrant = 502, "unknown_grant", "G5", "the referenced grant does not exist";
    UnknownFiling = 503, "unknown_filing", "G5", "the referenced cross-border filing does not exist";
    UnknownSubject = 504, "unknown_subject", "G5", "the referenced subject (asset, grant or filing) does not exist";
    WrongState = 505, "wrong_state", "G5", "the referenced object is in the wrong state for this payload";
    UnknownProposal = 506, "unknown_proposal", "G5", "the referenced governance proposal does not exist";
    UnknownMember = 507, "unknown_member", "G5", "the referenced member does not exist";
    UnknownObjection = 508, "unknown_objection", "G5", "the referenced objection does not exist";
    UnknownRequest = 509, "unknown_request", "G5", "the referenced access request does not exist";
    UnknownListing = 510, "unknown_listing", "G5", "the referenced listing does not exist";
    UnknownOrder = 511, "unknown_order", "G5", "the referenced order does not exist";
    Frozen = 601, "frozen", "G6", "the subject is frozen by a regulator";
    CoreGradeRefused = 701, "core_grade_refused", "RegisterAsset", "core data may not be registered";
    EvidenceRequired = 702, "evidence_required", "RegisterAsset", "personal origin or personal information needs an evidence hash";
    FingerprintTaken = 703, "fingerprint_taken", "RegisterAsset", "another member registered this fingerprint (dispute guard)";
    DeriveNotAllowed = 704, "derive_not_allowed", "RegisterAsset", "the signer holds neither Use nor an active derive grant on a parent";
    GradeBelowParent = 705, "grade_below_parent", "RegisterAsset", "a derived asset may not be graded lower than a parent";
    PiNotCarried = 706, "pi_not_carried", "RegisterAsset", "a derived asset must carry its parents' personal-information flags";
    JurisdictionMismatch = 707, "jurisdiction_mismatch", "RegisterAsset", "an asset is registered in its registrant's jurisdiction, a derived one in its parents'";
    DeriveOutsideGrant = 708, "derive_outside_grant", "RegisterAsset", "a derivation under a grant must name one of its purposes and happen in one of its jurisdictions";
    NotHolder = 801, "not_holder", "TransferRight", "the signer does not hold the right";
    ReceiverInactive = 802, "receiver_inactive", "TransferRight", "the receiver is not an active member";
    ExportNotApproved = 803, "export_not_approved", "TransferRight", "a transfer abroad of important or personal data needs an approved filing that names the asset, the right and the receiver";
    ParentConsentRequired = 804, "parent_consent_required", "TransferRight", "a right of an asset derived under a grant moves only with the parent's Operate holder as cosigner";
    InvalidWindow = 901, "invalid_window", "IssueGrant", "not_before must be before not_after";
    ActionNotDelivered = 902, "action_not_delivered", "IssueGrant", "an action does not fit the asset's delivery modes";
    ImportantReadAbroad = 903, "important_read_abroad", "IssueGrant", "important data may not be read abroad";
    UnknownPurpose = 904, "unknown_purpose", "IssueGrant", "a purpose is not in the genesis purpose list";
    NotOperator = 905, "not_operator", "IssueGrant", "only the Operate holder may grant or revoke";
    GranteeJurisdictionNotNamed = 906, "grantee_jurisdiction_not_named", "IssueGrant", "a grant must name the grantee's own jurisdiction (a foreign party's access is an export)";
    BeyondParentGrant = 907, "beyond_parent_grant", "IssueGrant", "a grant of an asset derived under a grant stays within that grant's purposes, jurisdictions and term unless the parent's Operate holder cosigns";
    NotGrantee = 1001, "not_grantee", "RecordUsage", "only the grantee may record usage or renounce";
    GrantInactive = 1002, "grant_inactive", "RecordUsage", "the grant is not active at block time";
    ActionNotGranted = 1003, "action_not_granted", "RecordUsage", "the action is not granted";
    PurposeNotGranted = 1004, "purpose_not_granted", "RecordUsage", "the purpose is not granted";
    JurisdictionNotGranted = 1005, "jurisdiction_not_granted", "RecordUsage", "the jurisdiction is not granted";
    RecipientNotGranted = 1006, "recipient_not_granted", "RecordUsage", "the recipient system is not granted";
    UsesExhausted = 1007, "uses_exhausted", "RecordUsage", "the grant's max_uses is reached";
    PathInsufficient = 1101, "path_insufficient", "FileCrossBorder", "the chosen path is below the minimum path for this export";
    ExemptReasonRequired = 1102, "exempt_reason_required", "FileCrossBorder", "an exempt filing needs a reason";
    NotExporter = 1103, "not_exporter", "FileCrossBorder", "the signer does not hold the Operate right of every granted asset (or the right a transfer moves)";
    NotCrossBorder = 1104, "not_cross_border", "FileCrossBorder", "a grant or transfer does not export to the filing's destination";
    UnderDeclared = 1105, "under_declared", "FileCrossBorder", "the declaration is below what the covered assets hold (subjects, sensitive personal information, important data)";
    ApprovalTooLong = 1201, "approval_too_long", "DecideCrossBorder", "valid_until must be after block time and within params.max_approval_ms";
    DecisionNotAllowed = 1202, "decision_not_allowed", "DecideCrossBorder", "this decision does not fit the filing's path";
    AttestValidity = 1301, "attest_validity", "Attest", "valid_until must be after block time and within params.max_grant_term_ms";
    KeyInUse = 1401, "key_in_use", "RotateKey", "the new key is, or was, an account key of a member";
    NotCouncil = 1501, "not_council", "Propose", "only a member of the council may propose or vote";
    ActionRefused = 1502, "action_refused", "Propose", "the proposed action cannot be carried out on the chain as it is (checked when proposed and again when it passes)";
    ProposalClosed = 1503, "proposal_closed", "Vote", "the proposal is no longer open (executed, rejected, failed or expired)";
    AlreadyVoted = 1504, "already_voted", "Vote", "this member has voted on the proposal already";
    NotRegistered = 1601, "not_registered", "Registration", "the asset's registration is not in force for this payload (still applied, in review or in notice; rejected, withdrawn, cancelled or expired)";
    WrongStage = 1602, "wrong_stage", "Registration", "the application (or objection) is not at a stage that allows this payload";
    NoticeOver = 1603, "notice_over", "Object", "the public notice has ended: objections are closed";
    ApplicationPending = 1604, "application_pending", "Registration", "something is under way already: an application of the asset (one at a time; Hold does not move meanwhile), or the member's own open objection";
    NotApplicant = 1605, "not_applicant", "Registration", "only the applicant (for a later application: the Hold holder) may do this";
    NotShared = 1701, "not_shared", "RequestAccess", "the asset's sharing class is not-shared: access requests and licence listings are refused";
    MarketClosed = 1702, "market_closed", "Market", "the request, listing or order is no longer open (answered, sold, cancelled or expired)";
    NotParty = 1703, "not_party", "Market", "only its party may do this: the addressee answers a request, the seller accepts, each side confirms its own part, the maker cancels";
    OwnOffer = 1704, "own_offer", "Market", "a member does not request, list to itself or order what it already holds or offers";
    OrderMismatch = 1705, "order_mismatch", "PlaceOrder", "the order does not fit its listing (quantity for the price unit, the buyer's jurisdiction) or its total overflows";
    ListingTerms = 1706, "listing_terms", "CreateListing", "the listing offers what its seller cannot give (a right it does not hold, a delivery mode the asset lacks)";
    OwnCase = 1606, "own_case", "Registration", "a registrar does not decide its own member's application or objection, and files no objection";
}

impl FailureCode {
    /// Whether a transaction with this code is refused whatever the chain's state and
    /// whoever checks it: its encoding (G1) or its signatures (G2, but not "unknown
    /// signer", which depends on membership). A peer that hands one on should have known;
    /// the other codes depend on state or on a clock a peer may see differently.
    pub fn holds_on_any_state(self) -> bool {
        use FailureCode as C;
        matches!(
            self,
            C::WrongChain
                | C::Malformed
                | C::NonCanonical
                | C::UnknownPayload
                | C::TooLarge
                | C::InvalidField
                | C::CoreGradeRefused
                | C::ExemptReasonRequired
                | C::BadSignature
                | C::MissingSignature
                | C::DuplicateSignature
                | C::UnexpectedSignature
        )
    }
}

impl fmt::Display for FailureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {})", self.name(), self.number(), self.rule())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_round_trip() {
        let mut names = std::collections::HashSet::new();
        for &c in FailureCode::ALL {
            assert_eq!(FailureCode::from_number(c.number()), Some(c));
            assert!(names.insert(c.name()), "duplicate name {}", c.name());
        }
        assert_eq!(FailureCode::from_number(0), None);
    }
}
