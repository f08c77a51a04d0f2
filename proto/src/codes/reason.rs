//! The catalogue of rejections: one constructor per situation, each with its failure code,
//! its detail number within the code, and the sentence template its arguments fill. A
//! receipt commits the code, the detail and the arguments; the sentence is rendered from
//! this table wherever a person reads it. Numbers never change once released; a sentence
//! may be reworded freely.

use super::rejection::{Arg, Rejection};
use super::FailureCode;

macro_rules! reasons {
    ($( $(#[$doc:meta])* $name:ident ( $($arg:ident),* ) = $code:ident / $detail:literal : $text:literal ; )*) => {
        $(
            $(#[$doc])*
            #[doc = concat!("\n\n`", stringify!($code), "`/", stringify!($detail), ": \"", $text, "\"")]
            pub fn $name($($arg: impl Into<Arg>),*) -> Rejection {
                Rejection {
                    code: FailureCode::$code,
                    detail: $detail,
                    args: vec![$($arg.into()),*],
                }
            }
        )*

        /// The template of a code's situation, with its argument names in order.
        pub(crate) fn template(code: FailureCode, detail: u32) -> Option<(&'static str, &'static [&'static str])> {
            $(
                if code == FailureCode::$code && detail == $detail {
                    return Some(($text, &[$(stringify!($arg)),*]));
                }
            )*
            None
        }

        /// Every situation: code, detail, template and argument names.
        pub const ALL: &[(FailureCode, u32, &str, &[&str])] = &[
            $((FailureCode::$code, $detail, $text, &[$(stringify!($arg)),*])),*
        ];
    };
}

reasons! {
    // G1: encoding.
    /// The bytes do not decode as the message named.
    malformed(what) = Malformed/0: "the bytes are not a valid {what} encoding";
    /// The encoding is not the canonical one.
    non_canonical(what) = NonCanonical/0: "the {what} encoding is not canonical (unknown field, explicit default, duplicate or over-long varint)";
    /// Over the size limit.
    too_large(bytes, limit) = TooLarge/0: "{bytes} bytes, the limit is {limit}";
    /// The body names another chain.
    wrong_chain(chain) = WrongChain/0: "the transaction names another chain id; this chain is {chain}";
    /// No payload.
    no_payload() = UnknownPayload/0: "the body has no known payload";
    /// A required field is empty.
    field_missing(field) = InvalidField/1: "{field} is missing";
    /// A key field is no public key of either scheme.
    bad_key(field) = InvalidField/2: "{field} is not a valid public key (ed25519: 32 bytes; SM2: 33, compressed)";
    /// A hash field of the wrong length.
    hash_length(field, len) = InvalidField/3: "{field} has {len} bytes, expected a 32-byte hash";
    /// A text field over its limit.
    too_long(field, max) = InvalidField/4: "{field} is longer than {max} characters";
    /// A text field with control characters.
    control_characters(field) = InvalidField/5: "{field} contains control characters";
    /// Not a jurisdiction code.
    not_jurisdiction(field) = InvalidField/6: "{field} is not an ISO 3166-1 alpha-2 code such as CN or VN";
    /// An empty list that may not be.
    empty_list(field) = InvalidField/7: "{field} is empty";
    /// A list over its limit.
    too_many(field, len, max) = InvalidField/8: "{field} has {len} entries, at most {max}";
    /// A list with a duplicate.
    listed_twice(field) = InvalidField/9: "{field} lists an entry twice";
    /// A time past the year 9999.
    time_too_far(field, value) = InvalidField/10: "{field} = {value} is past the year 9999: not a time this chain accepts";
    /// An enum value this chain does not know.
    unknown_value(field, value) = InvalidField/11: "{field} has unknown value {value}";
    /// Not an ISO 4217 currency.
    not_currency() = InvalidField/12: "the price's currency is not an ISO 4217 code such as CNY";
    /// Not a purpose code.
    not_purpose_code(field) = InvalidField/13: "{field} is not a kebab-case purpose code such as academic-research";
    /// An approval without its validity.
    approval_needs_validity() = InvalidField/14: "an approval needs valid_until_ms";
    /// Sensitive PI without PI.
    spi_implies_pi() = InvalidField/15: "contains_sensitive_pi implies contains_pi";
    /// Subjects without PI.
    subjects_imply_pi(subjects) = InvalidField/16: "{subjects} personal-information subjects means the data contains personal information: set contains_pi";
    /// A derivation purpose without parents.
    derive_purpose_without_parent() = InvalidField/17: "derive_purpose is set but derived_from names no parent";
    /// A filing of grants and a transfer at once.
    grants_and_transfer() = InvalidField/18: "a filing names either grants or one transfer, not both: file them apart";
    /// No right named.
    right_missing(field) = InvalidField/19: "{field} is missing";
    /// Not a member short id.
    not_short_id(field) = InvalidField/21: "{field} is not a short id: 1 to 64 lowercase letters, digits, - or _ (like org5)";
    /// Not a multiaddr.
    not_multiaddr(field) = InvalidField/22: "{field} is not a multiaddr such as /ip4/127.0.0.1/tcp/7105";
    /// A reason with an acceptance.
    reason_with_accept() = InvalidField/23: "an acceptance takes no reason: reasons are for rejections and requests for evidence";
    /// A change with a renewal or cancellation.
    change_not_expected() = InvalidField/24: "only a change application carries new values; a renewal or cancellation has none";
    /// A new fingerprint without its size, or a size without a fingerprint.
    fingerprint_with_size() = InvalidField/25: "a new version names both change.fingerprint and change.size_bytes";
    /// A change that changes nothing.
    empty_change() = InvalidField/26: "the change names no new value";
    /// No decision named.
    decision_missing() = InvalidField/20: "decision is missing";
    /// Core data.
    core_refused() = CoreGradeRefused/0: "core data may not be registered on the chain";
    /// A window that ends before it starts.
    window_order(not_before, not_after) = InvalidWindow/1: "not_before_ms {not_before} is not before not_after_ms {not_after}";
    /// An exempt filing without a reason.
    exempt_reason_required() = ExemptReasonRequired/0: "an exempt filing must say why (exempt_reason)";

    // G2: signers and signatures.
    /// Not an account key.
    not_a_member(key) = UnknownSigner/0: "{key} is not the account key of any member";
    /// A key of an inactive member.
    member_inactive(key, member) = UnknownSigner/1: "{key} belongs to member {member}, which is not active";
    /// A key rotated out or revoked.
    key_revoked(key, member, height) = UnknownSigner/2: "{key} was an account key of member {member} until block {height}: it was rotated out or revoked";
    /// A key of a removed member.
    member_removed(key, member) = UnknownSigner/3: "{key} belongs to member {member}, which was removed";
    /// A signature that does not verify.
    bad_signature(key) = BadSignature/0: "the signature by {key} does not verify";
    /// A signature of the wrong length.
    signature_length(key) = BadSignature/1: "the signature by {key} is not 64 bytes";
    /// A signer or cosigner that has not signed.
    not_signed(who, key) = MissingSignature/0: "{who} {key} has not signed";
    /// A cosigner the payload needs is not listed.
    must_cosign(who, key) = MissingSignature/1: "the {who} {key} must cosign this transaction";
    /// A key that signed twice.
    signed_twice(key) = DuplicateSignature/0: "{key} signed twice";
    /// A cosigner listed twice (or as the signer).
    cosigner_twice(key) = DuplicateSignature/1: "cosigner {key} is listed twice";
    /// A signature by a key that is neither signer nor cosigner.
    unexpected_signer(key) = UnexpectedSignature/0: "{key} signed but is neither signer nor cosigner";
    /// A signature naming an invalid key.
    signature_key_invalid() = UnexpectedSignature/1: "a signature names a key that is no valid ed25519 public key";

    // G3: roles.
    /// The signer lacks the payload's role.
    missing_role(payload, role, member, roles) = MissingRole/0: "{payload} needs the {role} role; member {member} has [{roles}]";

    // G4: replay and time.
    /// Committed before.
    replay(tx) = Replay/0: "transaction {tx} is already committed";
    /// Twice in one block.
    twice_in_block() = Replay/1: "the same transaction appears twice in this block";
    /// Before the block's time window.
    behind_block_time(ts, off, now, window) = StaleTimestamp/0: "timestamp {ts} is {off} ms behind the block time ({now}); the window is {window} ms (check the signer's clock)";
    /// After the block's time window.
    ahead_of_block_time(ts, off, now, window) = StaleTimestamp/1: "timestamp {ts} is {off} ms ahead of the block time ({now}); the window is {window} ms (check the signer's clock)";
    /// Before the node's clock window.
    behind_node_clock(ts, off, now, window) = StaleTimestamp/2: "timestamp {ts} is {off} ms behind this node's clock ({now}); the window is {window} ms (check the signer's clock)";
    /// After the node's clock window.
    ahead_of_node_clock(ts, off, now, window) = StaleTimestamp/3: "timestamp {ts} is {off} ms ahead of this node's clock ({now}); the window is {window} ms (check the signer's clock)";

    // G5: references and states.
    /// No such asset.
    unknown_asset(asset) = UnknownAsset/0: "asset {asset} does not exist";
    /// No such grant.
    unknown_grant(grant) = UnknownGrant/0: "grant {grant} does not exist";
    /// No such filing.
    unknown_filing(filing) = UnknownFiling/0: "filing {filing} does not exist";
    /// No such subject.
    unknown_subject(subject) = UnknownSubject/0: "{subject} is not an asset, grant or filing on this chain";
    /// A grant that is over.
    grant_over(grant, status) = WrongState/1: "grant {grant} is already {status}";
    /// A decision that needs an approved filing.
    not_approved(filing, status) = WrongState/2: "filing {filing} is {status}; this decision needs it approved or acknowledged";
    /// A decision that needs a filed filing.
    not_filed(filing, status) = WrongState/3: "filing {filing} is {status}; this decision needs it filed";
    /// The filer no longer holds what it exports.
    exporter_gone(exporter, filing) = WrongState/4: "the exporter {exporter} no longer holds what filing {filing} exports; the current holder files anew";
    /// Freezing what is frozen.
    already_frozen(subject) = WrongState/5: "{subject} is already frozen";
    /// Unfreezing what is not frozen.
    not_frozen(subject) = WrongState/6: "{subject} is not frozen";
    /// No such proposal.
    unknown_proposal(proposal) = UnknownProposal/0: "proposal {proposal} does not exist";
    /// No such member.
    unknown_member(member) = UnknownMember/0: "member {member} does not exist";

    // G6: freezes.
    /// A frozen asset.
    asset_frozen(asset) = Frozen/0: "asset {asset} is frozen: nothing changes on it until a regulator unfreezes it";
    /// A frozen grant, or a grant of a frozen asset.
    grant_frozen(grant) = Frozen/1: "grant {grant} or its asset is frozen: nothing changes on it until a regulator unfreezes it";
    /// A frozen parent.
    parent_frozen(parent) = Frozen/2: "parent asset {parent} is frozen";
    /// A frozen transfer approval.
    approval_frozen(filing) = Frozen/3: "the approval of this transfer (filing {filing}) is frozen";
    /// A frozen filing.
    filing_frozen(filing) = Frozen/4: "filing {filing} is frozen";
    /// A filing about a frozen grant.
    filing_grant_frozen(grant, filing) = Frozen/5: "grant {grant} of filing {filing} is frozen";
    /// A filing about a frozen asset.
    filing_asset_frozen(asset, filing) = Frozen/6: "asset {asset} of filing {filing} is frozen";

    // RegisterAsset.
    /// Personal data without evidence.
    evidence_required() = EvidenceRequired/0: "data of personal origin or with personal information needs an evidence hash (of the consent or collection evidence)";
    /// Another member's fingerprint.
    fingerprint_taken(fingerprint, asset) = FingerprintTaken/0: "fingerprint {fingerprint} is registered by another member as asset {asset}";
    /// Not the registrant's jurisdiction.
    not_at_home(member, home, given) = JurisdictionMismatch/0: "member {member} is in {home}: it registers data in {home}, not {given}";
    /// Not the parents' jurisdiction.
    not_where_parent_is(parent, place) = JurisdictionMismatch/1: "parent {parent} is in {place}: a derived asset keeps its parents' jurisdiction (moving data abroad needs a filing)";
    /// No Use right and no derive grant.
    derive_not_allowed(parent) = DeriveNotAllowed/0: "to derive from {parent} the signer must hold its Use right or an active grant with `derive`";
    /// Graded below a parent.
    grade_below_parent(parent, grade) = GradeBelowParent/0: "parent {parent} is graded {grade}; a derived asset may not be graded lower";
    /// PI flags dropped.
    pi_not_carried(parent) = PiNotCarried/0: "parent {parent} contains personal information; declare it on the derived asset too";
    /// A derivation under a grant without its purpose.
    derive_purpose_needed(parent, grant) = DeriveOutsideGrant/0: "deriving from {parent} under grant {grant} is a use of it: name one of its purposes (derive_purpose)";
    /// A derivation outside the grant.
    derive_outside_grant(grant, parent, purpose, place, home) = DeriveOutsideGrant/1: "grant {grant} does not allow deriving from {parent} for {purpose} in {place} by a member in {home}";

    // TransferRight.
    /// Not the holder of the right.
    not_holder(right, asset, holder) = NotHolder/0: "the {right} right of {asset} is held by {holder}, not the signer";
    /// The receiver cannot hold rights.
    receiver_inactive(receiver) = ReceiverInactive/0: "receiver {receiver} is not an active member with the member role";
    /// The receiver of a filed transfer is no member.
    receiver_unknown(receiver) = ReceiverInactive/1: "receiver {receiver} is not an active member";
    /// No approval names this transfer.
    export_not_approved(place, member, right) = ExportNotApproved/0: "moving important or personal data to {place} (member {member}) needs an approved filing that names this asset, the {right} right and this receiver (tx file-cross-border --transfer-asset)";
    /// The parent's Operate holder did not consent.
    parent_consent_required(asset, parent, grant, holder) = ParentConsentRequired/0: "asset {asset} was derived from {parent} under grant {grant}: its rights move only with the parent's Operate holder ({holder}) as cosigner";

    // IssueGrant.
    /// Outside the time allowed.
    grant_term(days) = InvalidWindow/2: "not_after must be after block time and at most {days} days later (params.max_grant_term_ms)";
    /// A delivery mode the asset lacks.
    action_not_delivered(action) = ActionNotDelivered/0: "action {action} does not fit the asset's delivery modes";
    /// Important data read abroad.
    important_read_abroad(places) = ImportantReadAbroad/0: "important data may not be read in {places}";
    /// A purpose not in the genesis list.
    unknown_purpose(purpose) = UnknownPurpose/0: "purpose {purpose} is not in the genesis purpose list (GET /v1/genesis)";
    /// Not the Operate holder.
    not_operator(holder, asset) = NotOperator/0: "only the Operate holder ({holder}) may grant access to {asset}";
    /// Not allowed to revoke.
    not_revoker() = NotOperator/1: "only the asset's Operate holder, a regulator, or the grantee (renouncing) may revoke a grant";
    /// The grantee's jurisdiction unnamed.
    grantee_place_unnamed(member, place) = GranteeJurisdictionNotNamed/0: "the grantee (member {member}) is in {place}; name {place} among the grant's jurisdictions (access by a party abroad is an export)";
    /// The parent grant is revoked.
    parent_grant_revoked(grant, holder) = BeyondParentGrant/1: "this asset was derived under grant {grant}, which is revoked; the parent's Operate holder ({holder}) may consent by cosigning";
    /// A purpose the parent grant lacks.
    beyond_parent_purpose(grant, purpose, holder) = BeyondParentGrant/2: "this asset was derived under grant {grant}, which does not allow the purpose {purpose}; the parent's Operate holder ({holder}) may consent by cosigning";
    /// A place the parent grant lacks.
    beyond_parent_place(grant, place, holder) = BeyondParentGrant/3: "this asset was derived under grant {grant}, which does not allow use in {place}; the parent's Operate holder ({holder}) may consent by cosigning";
    /// Beyond the parent grant's term.
    beyond_parent_term(grant, end, holder) = BeyondParentGrant/4: "this asset was derived under grant {grant}, which ends at {end} ms; the parent's Operate holder ({holder}) may consent by cosigning";

    // RecordUsage.
    /// Not the grantee.
    not_grantee() = NotGrantee/0: "only the grantee may record usage of a grant";
    /// Not active now.
    grant_inactive(grant, status) = GrantInactive/0: "grant {grant} is {status} at block time";
    /// Not valid yet.
    grant_not_yet_valid(grant) = GrantInactive/1: "grant {grant} is not valid yet at block time";
    /// An action the grant lacks.
    action_not_granted(action) = ActionNotGranted/0: "action {action} is not granted";
    /// A purpose the grant lacks.
    purpose_not_granted() = PurposeNotGranted/0: "the purpose is not granted";
    /// A declared place the grant lacks.
    place_not_granted(place) = JurisdictionNotGranted/0: "use in {place} is not granted";
    /// The grantee's own place the grant lacks.
    grantee_place_not_granted(place) = JurisdictionNotGranted/1: "the grantee is in {place}, which the grant does not name";
    /// A recipient system the grant lacks.
    recipient_not_granted() = RecipientNotGranted/0: "the recipient system is not granted";
    /// Every use recorded.
    uses_exhausted(max) = UsesExhausted/0: "all {max} uses are recorded";

    // FileCrossBorder.
    /// Below the minimum path.
    path_insufficient(min, chosen) = PathInsufficient/0: "this export needs at least the {min} path, not {chosen}";
    /// Below the minimum path with this year's approvals.
    path_insufficient_this_year(min) = PathInsufficient/1: "with this year's approved exports the filing now needs the {min} path";
    /// Not the Operate holder of a granted asset.
    not_exporter_of_grant(asset, grant, holder) = NotExporter/0: "the Operate right of asset {asset} (of grant {grant}) is held by {holder}: its holder files the export";
    /// Not the holder of the transferred right.
    not_exporter_of_right(right, asset, holder) = NotExporter/1: "the {right} right of asset {asset} is held by {holder}: its holder files the export";
    /// A grant that does not export there.
    grant_not_abroad(grant, destination, places) = NotCrossBorder/0: "grant {grant} does not export to {destination} (its jurisdictions: {places})";
    /// A transfer that does not export there.
    transfer_not_abroad(member, place, home, destination) = NotCrossBorder/1: "the receiver (member {member}) is in {place}; the asset is in {home}: this filing's destination {destination} is not its export";
    /// Important data undeclared.
    important_undeclared() = UnderDeclared/0: "the export includes important data: declare it (--important)";
    /// Too few subjects declared.
    subjects_undeclared(held, declared) = UnderDeclared/1: "the covered assets hold {held} personal-information subjects; {declared} are declared";
    /// Sensitive PI undeclared.
    spi_undeclared() = UnderDeclared/2: "a covered asset holds sensitive personal information: declare at least one sensitive-PI subject";

    // DecideCrossBorder.
    /// Outside the approval's longest validity.
    approval_too_long(days) = ApprovalTooLong/0: "valid_until must be after block time and at most {days} days later";
    /// A security assessment acknowledged.
    assessment_needs_approval() = DecisionNotAllowed/0: "a security-assessment filing must be approved (with a validity), not acknowledged";

    // Attest.
    /// Outside the time allowed.
    attest_term(days) = AttestValidity/0: "valid_until must be after block time and at most {days} days later (params.max_grant_term_ms)";

    // RotateKey.
    /// The new key belongs to a member, or did.
    key_in_use(key, member) = KeyInUse/0: "{key} is, or was, an account key of member {member}: a key serves one member once";
    /// Rotating to the same key.
    same_key() = KeyInUse/1: "the new key is the key that signs: rotate to a new one";

    // Propose and Vote.
    /// Not on the council.
    not_council(member) = NotCouncil/0: "member {member} is not on the council";
    /// No longer on the council.
    left_council(member) = NotCouncil/1: "member {member} is no longer on the council";
    /// Admitting an existing member.
    member_exists(member) = ActionRefused/1: "member {member} exists already (ids are never reused)";
    /// A status change that makes no sense.
    status_unchanged(member, status) = ActionRefused/2: "member {member} is {status} already";
    /// Reinstating a removed member.
    member_gone(member) = ActionRefused/3: "member {member} was removed: it is never reinstated; admit it anew under a new id";
    /// Revoking a key the member does not have.
    not_members_key(key, member) = ActionRefused/4: "{key} is not an account key in force of member {member}";
    /// Revoking a member's last key without a replacement.
    last_key(key, member) = ActionRefused/5: "{key} is the last key of member {member}: name a replacement key, or suspend the member";
    /// A parameter a genesis would refuse.
    bad_param(name) = ActionRefused/6: "the new value of {name} is not one a genesis would accept (see the README's parameter ranges)";
    /// A council that cannot work.
    bad_council() = ActionRefused/7: "the new council is not valid: 1 to 64 distinct members, a threshold n/d with n < d <= 100, a voting period of 1 minute to 1 year";
    /// A council member that is not an active member.
    council_member_inactive(member) = ActionRefused/8: "council member {member} is not an active member";
    /// The last council member removed or suspended.
    council_emptied(member) = ActionRefused/9: "member {member} is on the council: change the council first";
    /// A node key in use, or retired.
    node_key_taken(key) = ActionRefused/10: "node key {key} is a node of the chain, or was: a node key serves once";
    /// No such node.
    unknown_node(key) = ActionRefused/11: "{key} is no node of the chain";
    /// Promoting what is no learner.
    not_learner(key) = ActionRefused/12: "node {key} is no learner: only a learner is promoted";
    /// Demoting what is no voter.
    not_voter(key) = ActionRefused/13: "node {key} is no voter: only a voter is demoted";
    /// The last voter.
    last_voter(key) = ActionRefused/14: "node {key} is the last voter: promote another node first";
    /// A node of an inactive member.
    operator_inactive(member) = ActionRefused/15: "member {member} is not an active member: it cannot run a node";
    /// A member running a voter node suspended or removed.
    operates_voter(member, key) = ActionRefused/16: "member {member} runs voter node {key}: demote or remove the node first (a cut-off voter could stop the chain)";
    /// A Raft id taken.
    node_id_taken(key) = ActionRefused/17: "node key {key} gives a Raft id another node has, or had: use another key";
    /// A node's keys do not fit the chain: its node key is no ed25519 key, or an sm3
    /// chain's node names no SM2 certificate key.
    node_keys_unfit(why) = ActionRefused/18: "{why}";
    /// Proposal over.
    proposal_closed(proposal, status) = ProposalClosed/0: "proposal {proposal} is {status}";
    /// Voted twice.
    already_voted(member, proposal) = AlreadyVoted/0: "member {member} has voted on proposal {proposal} already";

    // Registration (docs/REGISTRATION.md).
    /// An objection that does not exist.
    unknown_objection(objection) = UnknownObjection/0: "objection {objection} does not exist";
    /// Rights move, grants issue and derivations start only on a registration in force.
    not_registered(asset, status) = NotRegistered/0: "asset {asset} is {status}: rights move, grants issue and derivations start only once it is registered";
    /// Usage and attestations need an asset that is not struck off.
    struck_off(asset, status) = NotRegistered/1: "asset {asset} is {status}";
    /// A review of no open application.
    no_application(asset) = WrongStage/0: "asset {asset} has no application under way";
    /// A review of an application in notice.
    not_under_review(asset, stage) = WrongStage/1: "the application of asset {asset} is {stage}: a registrar decides an application before its notice";
    /// Evidence nobody asked for.
    evidence_not_requested(asset, stage) = WrongStage/2: "the application of asset {asset} is {stage}: evidence is supplied when a registrar asks for it";
    /// An objection to an application not in notice.
    not_in_notice(asset, stage) = WrongStage/3: "the application of asset {asset} is {stage}: objections are filed during its public notice";
    /// An objection after the notice.
    notice_over(asset, ended_ms) = NoticeOver/0: "the public notice of asset {asset} ended at {ended_ms} (block time): objections are closed";
    /// An objection already decided.
    objection_decided(objection, status) = WrongStage/4: "objection {objection} is already {status}";
    /// A second application.
    application_pending(asset, kind) = ApplicationPending/0: "asset {asset} has a {kind} application under way: one at a time";
    /// Hold moving under a pending application.
    hold_locked_by_application(asset, kind) = ApplicationPending/1: "asset {asset} has a {kind} application under way: its Hold right moves once the application is certified, refused or withdrawn";
    /// A second open objection of one member.
    objection_open(asset, objection) = ApplicationPending/2: "your objection {objection} to the application of asset {asset} is still open: one open objection per member";
    /// A registrar objecting.
    registrar_objects(asset) = OwnCase/1: "a registrar decides objections and does not file one (asset {asset}): a concern of its own is a reason to reject at review";
    /// Only the applicant.
    not_applicant(asset, applicant) = NotApplicant/0: "only the applicant {applicant} may answer for or withdraw the application of asset {asset}";
    /// Only the Hold holder applies for changes.
    not_hold_holder(asset, holder) = NotApplicant/1: "only the Hold holder {holder} applies for a change, renewal or cancellation of asset {asset}";
    /// A registrar deciding its own case.
    own_case(asset) = OwnCase/0: "a registrar does not decide an application of its own member or an objection of its own (asset {asset})";
    /// A later application on an asset not registered.
    amend_unregistered(asset, status) = NotRegistered/2: "asset {asset} is {status}: only a registered asset is changed, renewed or cancelled";

    // The market (docs/MARKET.md).
    /// A payload that is both or neither of its alternatives.
    listing_offer() = InvalidField/27: "a listing offers exactly one of right and licence";
    /// A decline without a reason, or an approval with one.
    answer_reason() = InvalidField/28: "a decline needs a reason code; an approval takes none";
    /// A zero quantity or duration.
    zero_value(field) = InvalidField/29: "{field} must be above zero";
    /// A unit a right listing cannot have.
    right_sold_once() = InvalidField/30: "a right is sold once: its listing's price unit is one-off";
    unknown_request(request) = UnknownRequest/0: "access request {request} does not exist";
    unknown_listing(listing) = UnknownListing/0: "listing {listing} does not exist";
    unknown_order(order) = UnknownOrder/0: "order {order} does not exist";
    /// A subject to cancel that is none of the three.
    unknown_offer(subject) = UnknownRequest/1: "{subject} is no access request, listing or order";
    /// A request to a not-shared asset.
    not_shared(asset) = NotShared/0: "asset {asset} is not shared (its sharing class): it takes no access requests";
    /// A licence listing of a not-shared asset.
    not_shared_licence(asset) = NotShared/1: "asset {asset} is not shared (its sharing class): it is not licensed; a right may still be listed";
    /// A request no longer open.
    request_closed(request, status) = MarketClosed/0: "access request {request} is {status}";
    /// A listing no longer open.
    listing_closed(listing, status) = MarketClosed/1: "listing {listing} is {status}";
    /// An order no longer placed.
    order_closed(order, status) = MarketClosed/2: "order {order} is {status}";
    /// An order not accepted yet (confirmations, disputes).
    order_not_accepted(order, status) = MarketClosed/3: "order {order} is {status}: delivery and payment are confirmed, and disputes raised, once it is accepted";
    /// A consent whose key is no longer in force.
    consent_key_revoked(subject, key) = MarketClosed/5: "{subject} was signed with key {key}, rotated out or revoked since: its consent lapsed; it is made anew with a key in force";
    /// An expiry too far or already past.
    expiry_term(field, days) = MarketClosed/4: "{field} must be after block time and at most {days} days later (params.max_grant_term_ms)";
    /// Someone else answering a request.
    not_addressee(request, holder) = NotParty/0: "only the asset's Operate holder ({holder}) answers access request {request}";
    /// Someone else accepting.
    not_seller(order, seller) = NotParty/1: "only the seller {seller} accepts order {order}";
    /// The wrong side confirming.
    wrong_side(order, kind, party) = NotParty/2: "the {kind} of order {order} is confirmed by {party}";
    /// A stranger disputing.
    not_trader(order) = NotParty/3: "only the buyer or the seller raises a dispute about order {order}";
    /// Someone else cancelling.
    not_maker(subject, maker) = NotParty/4: "only its maker {maker} cancels {subject}";
    /// The buyer field names another member.
    buyer_not_signer(buyer) = NotParty/5: "the order names buyer {buyer}, but the signer is another member: a member orders for itself";
    /// Requesting one's own asset.
    own_asset(asset) = OwnOffer/0: "your member is the Operate holder of asset {asset}: it needs no access";
    /// Ordering one's own listing.
    own_listing(listing) = OwnOffer/1: "listing {listing} is your own member's";
    /// Buying a right one holds.
    holds_already(right, asset) = OwnOffer/2: "your member holds the {right} right of asset {asset} already";
    /// Wrong quantity for the unit.
    quantity_for_unit(unit, quantity) = OrderMismatch/0: "a {unit} price is ordered in quantity {quantity}: one-off takes 1, the others 1 or more";
    /// The total does not fit.
    total_overflows() = OrderMismatch/1: "the order's total (quantity times price) overflows";
    /// The buyer's place is not licensed.
    buyer_place_unlicensed(jurisdiction) = OrderMismatch/2: "the licence does not name the buyer's jurisdiction {jurisdiction}: its grant could not name where the grantee is";
    /// The term the quantity buys is too long.
    licence_term(days) = OrderMismatch/3: "the ordered term is longer than {days} days (params.max_grant_term_ms)";
    /// A right the seller does not hold.
    right_not_held(right, asset) = ListingTerms/0: "the seller does not hold the {right} right of asset {asset}";
    /// A delivery mode the asset lacks.
    mode_not_offered(mode) = ListingTerms/1: "the asset is not delivered by {mode}";
    /// A second settlement confirmation.
    already_confirmed(order, kind) = WrongState/7: "the {kind} of order {order} is confirmed already";
    /// A payment confirmation without a reference.
    payment_ref_missing(order) = WrongState/8: "order {order} carries no payment reference: confirm the payment with its hash";
    /// A dispute already raised.
    already_disputed(order) = WrongState/9: "order {order} is disputed already";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_situation_is_unique_and_its_template_names_exactly_its_arguments() {
        let mut seen = std::collections::HashSet::new();
        for (code, detail, text, names) in ALL {
            assert!(seen.insert((*code, *detail)), "{code}/{detail} twice");
            let mut placeholders: Vec<&str> = text
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n))
                .collect();
            placeholders.sort_unstable();
            placeholders.dedup();
            let mut args: Vec<&str> = names.to_vec();
            args.sort_unstable();
            assert_eq!(placeholders, args, "{code}/{detail}: {text}");
        }
    }

    #[test]
    fn every_failure_code_has_a_situation_and_renders_from_code_and_arguments() {
        for code in FailureCode::ALL {
            assert!(
                ALL.iter().any(|(c, ..)| c == code),
                "{code} has no situation in the catalogue"
            );
        }
        for (code, detail, _, names) in ALL {
            let r = Rejection {
                code: *code,
                detail: *detail,
                args: names.iter().map(|n| Arg::Word(format!("<{n}>"))).collect(),
            };
            let text = r.message();
            assert!(
                !text.contains('{'),
                "{code}/{detail} left a placeholder: {text}"
            );
            for n in *names {
                assert!(
                    text.contains(&format!("<{n}>")),
                    "{code}/{detail} lost {n}: {text}"
                );
            }
        }
        let r = grant_over(crate::Hash32([0xab; 32]), "revoked");
        assert_eq!(
            r.message(),
            format!("grant {} is already revoked", "ab".repeat(32))
        );
        // A receipt carries it all, and renders the same sentence.
        let receipt = r.receipt(&crate::Hash32::ZERO);
        assert_eq!(
            Rejection::of_receipt(&receipt).map(|x| x.message()),
            Some(r.message())
        );
    }
}
