//! The data-rights rules: everything a transaction must satisfy at apply time (G2–G6 and
//! the payload rules of docs/DATA-RIGHTS.md), and the state changes it makes. Plain synchronous code
//! over [`State`]; a rule that fails returns a [`Rejection`], never a storage error.

pub(crate) mod certify;
mod export;
mod gov;
mod grants;
mod market;
mod objections;
mod oversight;
mod register;
mod registry;
mod requests;
mod rights;
pub(crate) mod status;

use shuquan_proto::codes::reason as r;
use shuquan_proto::codes::Rejection;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::DecodedTx;
use shuquan_proto::Hash32;

use crate::error::Error;
use crate::exec::overlay::State;
use crate::keys;

/// Why a transaction did not apply: a rule (a value, recorded in the block) or storage
/// (an error that stops the block).
#[derive(Debug)]
pub(crate) enum Fail {
    Reject(Rejection),
    Store(Error),
}

impl From<Rejection> for Fail {
    fn from(r: Rejection) -> Self {
        Fail::Reject(r)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Store(e)
    }
}

pub(crate) type Outcome<T = ()> = std::result::Result<T, Fail>;

/// Fails the transaction with `r` (a constructor of [`shuquan_proto::codes::reason`]).
pub(crate) fn reject<T>(r: Rejection) -> Outcome<T> {
    Err(Fail::Reject(r))
}

/// Everything a rule may look at.
pub(crate) struct Ctx<'s, 'a> {
    pub(crate) st: &'s mut State<'a>,
    pub(crate) chain_id: &'s str,
    /// The chain's hash function.
    pub(crate) h: shuquan_proto::hash::Hashing,
    pub(crate) params: &'s pb::Params,
    /// Block time.
    pub(crate) now: u64,
    pub(crate) height: u64,
    pub(crate) tx: &'s DecodedTx,
    /// The signer's member record (checked by G2).
    pub(crate) member: pb::Member,
    /// The member id of the signer, then of each cosigner, in order (checked by G2).
    pub(crate) members: Vec<Hash32>,
    /// Assets whose history this transaction extends.
    pub(crate) touched: Vec<Hash32>,
}

impl Ctx<'_, '_> {
    /// The signer's member id: what rights, grants and filings name.
    pub(crate) fn signer(&self) -> &[u8] {
        self.members.first().map_or(&[][..], |m| m.as_bytes())
    }

    pub(crate) fn has_role(&self, role: pb::Role) -> bool {
        self.member.roles.contains(&(role as i32))
    }

    pub(crate) fn touch(&mut self, asset: Hash32) {
        if !self.touched.contains(&asset) {
            self.touched.push(asset);
        }
    }

    /// Loads an asset or fails with `unknown_asset`.
    pub(crate) fn asset(&self, id: &Hash32) -> Outcome<pb::AssetRecord> {
        match self.st.asset(id)? {
            Some(a) => Ok(a),
            None => reject(r::unknown_asset(id)),
        }
    }

    /// Loads a grant or fails with `unknown_grant`.
    pub(crate) fn grant(&self, id: &Hash32) -> Outcome<pb::GrantRecord> {
        match self.st.grant(id)? {
            Some(g) => Ok(g),
            None => reject(r::unknown_grant(id)),
        }
    }

    /// Loads a filing or fails with `unknown_filing`.
    pub(crate) fn filing(&self, id: &Hash32) -> Outcome<pb::FilingRecord> {
        match self.st.filing(id)? {
            Some(f) => Ok(f),
            None => reject(r::unknown_filing(id)),
        }
    }

    /// A grant with its terms, and its asset's id and record.
    pub(crate) fn grant_with_asset(
        &self,
        gid: &Hash32,
    ) -> Outcome<(pb::GrantRecord, pb::IssueGrant, Hash32, pb::AssetRecord)> {
        let grant = self.grant(gid)?;
        let terms = grant.terms.clone().unwrap_or_default();
        let asset_id = id(&terms.asset);
        let asset = self.asset(&asset_id)?;
        Ok((grant, terms, asset_id, asset))
    }

    /// A member by its member id, or `unknown_member`.
    pub(crate) fn member_of(&self, id: &[u8]) -> Outcome<pb::Member> {
        match self.st.member(id)? {
            Some(m) => Ok(m),
            None => reject(r::unknown_member(id)),
        }
    }

    /// Fails with `consent_key_revoked` unless `key`, which signed the earlier request or
    /// order `subject` that stands for a party's consent, is still a key in force.
    pub(crate) fn require_key_in_force(&self, subject: &Hash32, key: &[u8]) -> Outcome {
        match self.st.account(key)? {
            Some(a) if a.revoked_height == 0 => Ok(()),
            _ => reject(r::consent_key_revoked(subject, key)),
        }
    }

    /// Whether member `id` signed this transaction (with any key of its), as signer or
    /// cosigner.
    pub(crate) fn signed_by(&self, id: &[u8]) -> bool {
        self.members.iter().any(|m| m.as_bytes() == id)
    }

    /// A grant's status at block time.
    pub(crate) fn grant_status(&self, g: &pb::GrantRecord) -> Result<pb::GrantStatus, Error> {
        status::grant_status(g, self.now, |f| self.st.filing(f))
    }

    /// A grant's status at block time, or `wrong_state` once it is revoked, exhausted or
    /// expired (nothing more can happen to it).
    pub(crate) fn live_grant_status(
        &self,
        gid: &Hash32,
        g: &pb::GrantRecord,
    ) -> Outcome<pb::GrantStatus> {
        use pb::GrantStatus as S;
        let status = self.grant_status(g)?;
        if matches!(status, S::Revoked | S::Exhausted | S::Expired) {
            return reject(r::grant_over(
                gid,
                shuquan_proto::views::grant_status_word(status as i32),
            ));
        }
        Ok(status)
    }

    /// Whether a grant may be used now: active, not frozen, within its window.
    pub(crate) fn usable_now(&self, g: &pb::GrantRecord) -> Result<bool, Error> {
        let not_before = g.terms.as_ref().map_or(0, |t| t.not_before_ms);
        Ok(!g.frozen && self.now >= not_before && self.grant_status(g)? == pb::GrantStatus::Active)
    }

    /// Fails with `too_far(days)` unless `until` lies after block time and within the
    /// chain's longest term (`params.max_grant_term_ms`, in days).
    pub(crate) fn within_term(&self, until: u64, too_far: fn(u64) -> Rejection) -> Outcome {
        let max = self.params.max_grant_term_ms;
        if until <= self.now || until - self.now > max {
            return reject(too_far(max / 86_400_000));
        }
        Ok(())
    }

    /// The member the payload needs as cosigner (by any key of its), or `missing_signature`.
    pub(crate) fn require_cosigner(&self, id: &[u8], who: &str) -> Outcome {
        if self.members.iter().skip(1).any(|m| m.as_bytes() == id) {
            Ok(())
        } else {
            reject(r::must_cosign(who, id))
        }
    }
}

/// Fails with `frozen` if a grant or its asset is frozen.
pub(crate) fn grant_unfrozen(
    gid: &Hash32,
    grant: &pb::GrantRecord,
    asset: &pb::AssetRecord,
) -> Outcome {
    if grant.frozen || asset.frozen {
        return reject(r::grant_frozen(gid));
    }
    Ok(())
}

/// Who holds `right` of an asset; `None` for an unknown right.
pub(crate) fn holder(asset: &pb::AssetRecord, right: i32) -> Option<&[u8]> {
    match pb::Right::try_from(right) {
        Ok(pb::Right::Hold) => Some(&asset.holder_hold),
        Ok(pb::Right::Use) => Some(&asset.holder_use),
        Ok(pb::Right::Operate) => Some(&asset.holder_operate),
        _ => None,
    }
}

/// A 32-byte id field (length checked statelessly).
pub(crate) fn id(bytes: &[u8]) -> Hash32 {
    Hash32::from_slice(bytes).unwrap_or_default()
}

/// The role a payload requires (G3); `None` for payloads that check roles themselves.
fn required_role(p: &Payload) -> Option<pb::Role> {
    match p {
        Payload::RegisterAsset(_)
        | Payload::TransferRight(_)
        | Payload::IssueGrant(_)
        | Payload::RecordUsage(_)
        | Payload::FileCrossBorder(_)
        | Payload::Amend(_)
        | Payload::RequestAccess(_)
        | Payload::AnswerRequest(_)
        | Payload::CreateListing(_)
        | Payload::PlaceOrder(_)
        | Payload::AcceptOrder(_) => Some(pb::Role::Member),
        Payload::Review(_) | Payload::DecideObjection(_) => Some(pb::Role::Registrar),
        Payload::DecideCrossBorder(_) | Payload::Freeze(_) | Payload::Unfreeze(_) => {
            Some(pb::Role::Regulator)
        }
        Payload::Attest(_) => Some(pb::Role::Auditor),
        // Revoking checks who may itself; key rotation is any member's own; proposals
        // and votes are the council's (a membership, not a role); an applicant answers
        // for its application whatever its roles; any member may object; the parties to a
        // trade confirm, dispute and cancel as parties.
        Payload::Confirm(_) | Payload::Dispute(_) | Payload::Cancel(_) => None,
        Payload::RevokeGrant(_)
        | Payload::SupplyEvidence(_)
        | Payload::Withdraw(_)
        | Payload::Object(_)
        | Payload::RotateKey(_)
        | Payload::Propose(_)
        | Payload::Vote(_) => None,
    }
}

/// Who signed a transaction: the signer's member record, and the member id of the signer
/// and of each cosigner, in order.
pub(crate) struct Signers {
    pub(crate) member: pb::Member,
    pub(crate) ids: Vec<Hash32>,
}

/// G2: the signer and every cosigner are account keys in force (not rotated out or
/// revoked) of active members.
pub(crate) fn check_signers(st: &State<'_>, tx: &DecodedTx) -> Outcome<Signers> {
    let mut signer_member = None;
    let mut ids = Vec::with_capacity(1 + tx.cosigners.len());
    // The key a rotation moves to signs as cosigner before it is any member's key.
    let incoming = match tx.payload() {
        Some(Payload::RotateKey(p)) => Some(&p.new_key[..]),
        _ => None,
    };
    for key in tx.all_signers() {
        if incoming == Some(key.as_bytes()) && key != &tx.signer {
            continue;
        }
        let Some(account) = st.account(key.as_bytes())? else {
            return reject(r::not_a_member(key));
        };
        let Some(m) = st.member(&account.member)? else {
            return reject(r::not_a_member(key));
        };
        if account.revoked_height != 0 {
            return reject(r::key_revoked(key, &m.id, account.revoked_height));
        }
        match pb::MemberStatus::try_from(m.status) {
            Ok(pb::MemberStatus::Active) => {}
            Ok(pb::MemberStatus::Removed) => return reject(r::member_removed(key, m.id)),
            _ => return reject(r::member_inactive(key, m.id)),
        }
        ids.push(id(&account.member));
        if signer_member.is_none() {
            signer_member = Some(m);
        }
    }
    match signer_member {
        Some(member) => Ok(Signers { member, ids }),
        None => reject(r::not_a_member(tx.signer)),
    }
}

/// G3: the signer holds the payload's role.
pub(crate) fn check_role(member: &pb::Member, p: &Payload) -> Outcome {
    let Some(role) = required_role(p) else {
        return Ok(());
    };
    if member.roles.contains(&(role as i32)) {
        return Ok(());
    }
    let roles: Vec<String> = member
        .roles
        .iter()
        .map(|x| shuquan_proto::views::role_word(*x))
        .collect();
    reject(r::missing_role(
        shuquan_proto::tx::payload_kind(p),
        shuquan_proto::views::role_word(role as i32),
        &member.id,
        roles.join(", "),
    ))
}

/// G4, first half: no transaction with this id is committed (admission checks this alone).
pub(crate) fn check_not_committed(st: &State<'_>, tx: &DecodedTx) -> Outcome {
    if st.exists(&keys::tx(&tx.id))? {
        return reject(r::replay(tx.id));
    }
    Ok(())
}

/// Whose time a transaction's timestamp is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// The block's (at apply).
    Block,
    /// The node's (at admission).
    Node,
}

/// G4, second half: the timestamp is within `window` of `now`, the time of `clock`.
pub(crate) fn check_window(
    tx: &DecodedTx,
    now: u64,
    window: u64,
    clock: Clock,
) -> Result<(), Rejection> {
    let ts = tx.body.timestamp_ms;
    let off = ts.abs_diff(now);
    if off <= window {
        return Ok(());
    }
    let reason: fn(u64, u64, u64, u64) -> Rejection = match (clock, ts > now) {
        (Clock::Block, false) => r::behind_block_time,
        (Clock::Block, true) => r::ahead_of_block_time,
        (Clock::Node, false) => r::behind_node_clock,
        (Clock::Node, true) => r::ahead_of_node_clock,
    };
    Err(reason(ts, off, now, window))
}

/// G4: not a replay, and the timestamp is within the window around block time.
pub(crate) fn check_freshness(st: &State<'_>, tx: &DecodedTx, now: u64, window: u64) -> Outcome {
    check_not_committed(st, tx)?;
    check_window(tx, now, window, Clock::Block).map_err(Fail::Reject)
}

/// Applies one transaction that passed the stateless checks and signature verification.
/// Returns the id of what it created, if anything.
pub(crate) fn apply_tx(ctx: &mut Ctx<'_, '_>) -> Outcome<Option<Hash32>> {
    let Some(payload) = ctx.tx.payload().cloned() else {
        return reject(r::no_payload());
    };
    check_role(&ctx.member, &payload)?;
    let created = match &payload {
        Payload::RegisterAsset(p) => Some(register::register(ctx, p)?),
        Payload::TransferRight(p) => {
            rights::transfer(ctx, p)?;
            None
        }
        Payload::IssueGrant(p) => Some(grants::issue(ctx, p)?),
        Payload::RevokeGrant(p) => {
            grants::revoke(ctx, p)?;
            None
        }
        Payload::RecordUsage(p) => {
            grants::usage(ctx, p)?;
            None
        }
        Payload::FileCrossBorder(p) => Some(export::file(ctx, p)?),
        Payload::DecideCrossBorder(p) => {
            export::decide(ctx, p)?;
            None
        }
        Payload::Attest(p) => Some(oversight::attest(ctx, p)?),
        Payload::Freeze(p) => {
            oversight::freeze(ctx, &id(&p.subject), true, &p.reason_hash)?;
            None
        }
        Payload::Unfreeze(p) => {
            oversight::freeze(ctx, &id(&p.subject), false, &[])?;
            None
        }
        Payload::RotateKey(p) => {
            gov::rotate_key(ctx, p)?;
            None
        }
        Payload::Propose(p) => Some(gov::propose(ctx, p)?),
        Payload::Vote(p) => {
            gov::vote(ctx, p)?;
            None
        }
        Payload::Review(p) => {
            registry::review(ctx, p)?;
            None
        }
        Payload::SupplyEvidence(p) => {
            registry::supply(ctx, p)?;
            None
        }
        Payload::Withdraw(p) => {
            registry::withdraw(ctx, p)?;
            None
        }
        Payload::Amend(p) => {
            registry::amend(ctx, p)?;
            None
        }
        Payload::Object(p) => Some(objections::object(ctx, p)?),
        Payload::DecideObjection(p) => {
            objections::decide(ctx, p)?;
            None
        }
        Payload::RequestAccess(p) => Some(requests::request(ctx, p)?),
        Payload::AnswerRequest(p) => requests::answer(ctx, p)?,
        Payload::CreateListing(p) => Some(market::list(ctx, p)?),
        Payload::PlaceOrder(p) => Some(market::order(ctx, p)?),
        Payload::AcceptOrder(p) => market::accept(ctx, p)?,
        Payload::Confirm(p) => {
            market::confirm(ctx, p)?;
            None
        }
        Payload::Dispute(p) => {
            market::dispute(ctx, p)?;
            None
        }
        Payload::Cancel(p) => {
            market::cancel(ctx, p)?;
            None
        }
    };
    extend_histories(ctx)?;
    Ok(created)
}

/// Links this transaction into the history chain of every asset it touched.
fn extend_histories(ctx: &mut Ctx<'_, '_>) -> Outcome {
    for asset_id in ctx.touched.clone() {
        let mut asset = ctx.asset(&asset_id)?;
        let prev = Hash32::from_slice(&asset.history_head).unwrap_or_default();
        asset.history_head = ctx.h.history_link(&prev, &ctx.tx.id).to_vec();
        asset.event_count += 1;
        ctx.st.put(keys::asset(&asset_id), &asset);
    }
    Ok(())
}
