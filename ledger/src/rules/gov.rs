//! Governance: a member rotating its own key, and the council's proposals and votes that
//! admit, suspend, reinstate and remove members, revoke keys, change parameters and change
//! the council itself. A proposal passes in the block whose vote takes it past the council's
//! threshold and is executed there; its action is checked when proposed and again when it
//! passes (then a refusal marks it `failed`, with the reason, and changes nothing else).

use shuquan_proto::codes::reason as r;
use shuquan_proto::gov::{cannot_pass, check_council, passes, set_param};
use shuquan_proto::pb::{self, propose::Action};
use shuquan_proto::views::{member_status_word, proposal_status_word};
use shuquan_proto::{Hash32, PublicKey};

use super::{id, reject, Ctx, Fail, Outcome};
use crate::keys;

/// `RotateKey`: the signing key makes way for `new_key`, which cosigns.
pub(super) fn rotate_key(ctx: &mut Ctx<'_, '_>, p: &pb::RotateKey) -> Outcome {
    let old = ctx.tx.signer.to_vec();
    if p.new_key == old {
        return reject(r::same_key());
    }
    if !ctx
        .tx
        .cosigners
        .iter()
        .any(|c| c.as_bytes() == &p.new_key[..])
    {
        return reject(r::must_cosign("new key", &p.new_key));
    }
    key_is_new(ctx, &p.new_key)?;
    let member_id = id(ctx.signer());
    replace_key(ctx, &member_id, &old, Some(&p.new_key))
}

/// Fails with `key_in_use` if `key` is, or was, any member's account key, and with
/// `node_key_taken` if it is, or was, a node's key: a key serves once, for one purpose.
fn key_is_new(ctx: &Ctx<'_, '_>, key: &[u8]) -> Outcome {
    if let Some(a) = ctx.st.account(key)? {
        let owner = ctx.st.member(&a.member)?.map(|m| m.id).unwrap_or_default();
        return reject(r::key_in_use(key, owner));
    }
    let set = ctx.st.node_set()?;
    if set
        .nodes
        .iter()
        .any(|n| n.node_key == key || n.cert_key == key)
        || set.retired_keys.iter().any(|k| k == key)
    {
        return reject(r::node_key_taken(key));
    }
    Ok(())
}

/// Revokes `old` of member `mid` from this block on and puts `new` in its place.
fn replace_key(ctx: &mut Ctx<'_, '_>, mid: &Hash32, old: &[u8], new: Option<&[u8]>) -> Outcome {
    let mut member = ctx.member_of(mid.as_bytes())?;
    let mut account = ctx.st.account(old)?.unwrap_or_default();
    account.revoked_height = ctx.height;
    ctx.st.put(keys::account(old), &account);
    member.account_keys.retain(|k| k != old);
    member.former_keys.push(old.to_vec());
    if let Some(new) = new {
        member.account_keys.push(new.to_vec());
        put_account(ctx, mid, new);
    }
    ctx.st.put(keys::member(mid), &member);
    Ok(())
}

/// Records `key` as an account key of member `mid` from this block on.
fn put_account(ctx: &mut Ctx<'_, '_>, mid: &Hash32, key: &[u8]) {
    let account = pb::AccountRecord {
        member: mid.to_vec(),
        added_height: ctx.height,
        revoked_height: 0,
    };
    ctx.st.put(keys::account(key), &account);
}

/// `Propose`: a council member proposes an action; its own yes vote comes with it.
pub(super) fn propose(ctx: &mut Ctx<'_, '_>, p: &pb::Propose) -> Outcome<Hash32> {
    let council = ctx.st.council()?;
    on_council(ctx, &council)?;
    let Some(action) = &p.action else {
        return reject(r::field_missing("action"));
    };
    carry_out(ctx, action, false)?;
    let pid = ctx.h.proposal_id(ctx.chain_id, &ctx.tx.id);
    let mut record = pb::ProposalRecord {
        id: pid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        propose: Some(p.clone()),
        proposer: ctx.signer().to_vec(),
        created_height: ctx.height,
        expires_at_ms: ctx.now.saturating_add(council.voting_period_ms),
        council: Some(council),
        votes: vec![pb::VoteRecord {
            member: ctx.signer().to_vec(),
            approve: true,
            height: ctx.height,
        }],
        status: pb::ProposalStatus::Open as i32,
        ..Default::default()
    };
    decide(ctx, &mut record)?;
    ctx.st.put(keys::proposal(&pid), &record);
    Ok(pid)
}

/// `Vote`: a member of the council that the proposal was made to votes once, while it is
/// open.
pub(super) fn vote(ctx: &mut Ctx<'_, '_>, p: &pb::Vote) -> Outcome {
    let pid = id(&p.proposal);
    let Some(mut record) = ctx.st.msg::<pb::ProposalRecord>(&keys::proposal(&pid))? else {
        return reject(r::unknown_proposal(pid));
    };
    let mut status = record.status;
    if status == pb::ProposalStatus::Open as i32 && ctx.now >= record.expires_at_ms {
        status = pb::ProposalStatus::Expired as i32;
    }
    if status != pb::ProposalStatus::Open as i32 {
        return reject(r::proposal_closed(pid, proposal_status_word(status)));
    }
    let council = record.council.clone().unwrap_or_default();
    on_council(ctx, &council)?;
    // A member voted off the council since the proposal votes no more.
    if !ctx.st.council()?.members.iter().any(|m| m == ctx.signer()) {
        return reject(r::left_council(&ctx.member.id));
    }
    if record.votes.iter().any(|v| v.member == ctx.signer()) {
        return reject(r::already_voted(&ctx.member.id, pid));
    }
    record.votes.push(pb::VoteRecord {
        member: ctx.signer().to_vec(),
        approve: p.approve,
        height: ctx.height,
    });
    decide(ctx, &mut record)?;
    ctx.st.put(keys::proposal(&pid), &record);
    Ok(())
}

fn on_council(ctx: &Ctx<'_, '_>, council: &pb::Council) -> Outcome {
    if council.members.iter().any(|m| m == ctx.signer()) {
        Ok(())
    } else {
        reject(r::not_council(&ctx.member.id))
    }
}

/// Passes (and executes) or rejects the proposal once its votes decide it.
fn decide(ctx: &mut Ctx<'_, '_>, record: &mut pb::ProposalRecord) -> Outcome {
    let council = record.council.clone().unwrap_or_default();
    let voters = council.members.len();
    let yes = record.votes.iter().filter(|v| v.approve).count();
    let no = record.votes.len() - yes;
    if passes(&council, yes, voters) {
        record.decided_height = ctx.height;
        let action = record.propose.as_ref().and_then(|p| p.action.clone());
        let Some(action) = action else {
            return reject(r::field_missing("action"));
        };
        match carry_out(ctx, &action, true) {
            Ok(()) => record.status = pb::ProposalStatus::Executed as i32,
            Err(Fail::Reject(why)) => {
                record.status = pb::ProposalStatus::Failed as i32;
                let receipt = why.receipt(&Hash32::ZERO);
                record.failure_code = receipt.code;
                record.failure_detail = receipt.detail;
                record.failure_args = receipt.args;
            }
            Err(e) => return Err(e),
        }
    } else if cannot_pass(&council, no, voters) {
        record.decided_height = ctx.height;
        record.status = pb::ProposalStatus::Rejected as i32;
    }
    Ok(())
}

/// Checks `action` against the state and, when `write`, carries it out. Every check comes
/// before the first write, so a refusal leaves nothing behind.
fn carry_out(ctx: &mut Ctx<'_, '_>, action: &Action, write: bool) -> Outcome {
    match action {
        Action::AdmitMember(m) => admit(ctx, m, write),
        Action::SetMemberStatus(s) => member_status(ctx, s, write),
        Action::RevokeKey(k) => revoke_key(ctx, k, write),
        Action::SetParam(change) => {
            let params = ctx.st.params()?;
            let Ok(new) = set_param(&params, change) else {
                return reject(r::bad_param(&change.name));
            };
            if write {
                ctx.st.put(keys::PARAMS.to_vec(), &new);
            }
            Ok(())
        }
        Action::AddNode(n) => add_node(ctx, n, write),
        Action::PromoteNode(n) => node_role(ctx, &n.node_key, NodeChange::Promote, write),
        Action::DemoteNode(n) => node_role(ctx, &n.node_key, NodeChange::Demote, write),
        Action::RemoveNode(n) => node_role(ctx, &n.node_key, NodeChange::Remove, write),
        Action::SetCouncil(c) => {
            if check_council(c).is_err() {
                return reject(r::bad_council());
            }
            for m in &c.members {
                let active = ctx
                    .st
                    .member(m)?
                    .is_some_and(|x| x.status == pb::MemberStatus::Active as i32);
                if !active {
                    return reject(r::council_member_inactive(m));
                }
            }
            if write {
                ctx.st.put(keys::COUNCIL.to_vec(), c);
            }
            Ok(())
        }
    }
}

fn admit(ctx: &mut Ctx<'_, '_>, m: &pb::AdmitMember, write: bool) -> Outcome {
    let mid = ctx.h.member_id(ctx.chain_id, &m.id);
    if ctx.st.member(mid.as_bytes())?.is_some() {
        return reject(r::member_exists(&m.id));
    }
    for k in &m.account_keys {
        key_is_new(ctx, k)?;
    }
    if !write {
        return Ok(());
    }
    let member = pb::Member {
        id: m.id.clone(),
        name: m.name.clone(),
        org_code: m.org_code.clone(),
        jurisdiction: m.jurisdiction.clone(),
        roles: m.roles.clone(),
        account_keys: m.account_keys.clone(),
        is_ciio: m.is_ciio,
        status: pb::MemberStatus::Active as i32,
        ..Default::default()
    };
    ctx.st.put(keys::member(&mid), &member);
    for k in &m.account_keys {
        put_account(ctx, &mid, k);
    }
    Ok(())
}

fn member_status(ctx: &mut Ctx<'_, '_>, s: &pb::SetMemberStatus, write: bool) -> Outcome {
    let mut member = ctx.member_of(&s.member)?;
    if member.status == pb::MemberStatus::Removed as i32 {
        return reject(r::member_gone(&member.id));
    }
    if member.status == s.status {
        return reject(r::status_unchanged(
            &member.id,
            member_status_word(s.status),
        ));
    }
    let council = ctx.st.council()?;
    if s.status != pb::MemberStatus::Active as i32 && council.members.contains(&s.member) {
        return reject(r::council_emptied(&member.id));
    }
    if s.status != pb::MemberStatus::Active as i32 {
        let set = ctx.st.node_set()?;
        if let Some(n) = set
            .nodes
            .iter()
            .find(|n| n.operator == s.member && n.role == pb::NodeRole::Voter as i32)
        {
            return reject(r::operates_voter(&member.id, &n.node_key));
        }
    }
    if write {
        member.status = s.status;
        ctx.st.put(keys::member(&id(&s.member)), &member);
    }
    Ok(())
}

fn revoke_key(ctx: &mut Ctx<'_, '_>, k: &pb::RevokeKey, write: bool) -> Outcome {
    let member = ctx.member_of(&k.member)?;
    let in_force = ctx
        .st
        .account(&k.key)?
        .is_some_and(|a| a.member == k.member && a.revoked_height == 0);
    if !in_force {
        return reject(r::not_members_key(&k.key, &member.id));
    }
    let replacement = (!k.replacement_key.is_empty()).then_some(&k.replacement_key[..]);
    match replacement {
        Some(new) => key_is_new(ctx, new)?,
        None if member.account_keys.len() <= 1 => return reject(r::last_key(&k.key, &member.id)),
        None => {}
    }
    if write {
        replace_key(ctx, &id(&k.member), &k.key, replacement)?;
    }
    Ok(())
}

fn add_node(ctx: &mut Ctx<'_, '_>, n: &pb::AddNode, write: bool) -> Outcome {
    let operator = ctx.member_of(&n.operator)?;
    if operator.status != pb::MemberStatus::Active as i32 {
        return reject(r::operator_inactive(&operator.id));
    }
    let key = |b: &[u8]| {
        (!b.is_empty())
            .then(|| PublicKey::from_slice(b).ok())
            .flatten()
    };
    if let Err(why) = shuquan_proto::genesis::check_node_keys(
        ctx.h.function(),
        key(&n.node_key),
        key(&n.cert_key),
    ) {
        return reject(r::node_keys_unfit(why));
    }
    let mut set = ctx.st.node_set()?;
    for k in [&n.node_key, &n.cert_key] {
        let taken = !k.is_empty()
            && (set
                .nodes
                .iter()
                .any(|x| x.node_key == *k || x.cert_key == *k)
                || set.retired_keys.contains(k)
                || ctx.st.account(k)?.is_some());
        if taken {
            return reject(r::node_key_taken(k));
        }
    }
    let id = shuquan_proto::gov::node_id(&n.node_key);
    let id_taken = set.nodes.iter().any(|x| x.id == id)
        || set
            .retired_keys
            .iter()
            .any(|k| shuquan_proto::gov::node_id(k) == id);
    if id_taken {
        return reject(r::node_id_taken(&n.node_key));
    }
    if write {
        set.nodes.push(pb::NodeRecord {
            id,
            node_key: n.node_key.clone(),
            cert_key: n.cert_key.clone(),
            addr: n.addr.clone(),
            operator: n.operator.clone(),
            role: pb::NodeRole::Learner as i32,
            added_height: ctx.height,
        });
        ctx.st.put(keys::NODES.to_vec(), &set);
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeChange {
    Promote,
    Demote,
    Remove,
}

fn node_role(ctx: &mut Ctx<'_, '_>, key: &[u8], change: NodeChange, write: bool) -> Outcome {
    let mut set = ctx.st.node_set()?;
    let Some(i) = set.nodes.iter().position(|x| x.node_key == key) else {
        return reject(r::unknown_node(key));
    };
    let voter = set.nodes[i].role == pb::NodeRole::Voter as i32;
    let voters = set
        .nodes
        .iter()
        .filter(|x| x.role == pb::NodeRole::Voter as i32)
        .count();
    if change == NodeChange::Promote {
        let operator = set.nodes[i].operator.clone();
        let active = ctx
            .st
            .member(&operator)?
            .is_some_and(|m| m.status == pb::MemberStatus::Active as i32);
        if !active {
            let name = ctx.st.member(&operator)?.map(|m| m.id).unwrap_or_default();
            return reject(r::operator_inactive(name));
        }
    }
    match change {
        NodeChange::Promote if voter => return reject(r::not_learner(key)),
        NodeChange::Demote if !voter => return reject(r::not_voter(key)),
        NodeChange::Demote | NodeChange::Remove if voter && voters <= 1 => {
            return reject(r::last_voter(key))
        }
        _ => {}
    }
    if !write {
        return Ok(());
    }
    match change {
        NodeChange::Promote => set.nodes[i].role = pb::NodeRole::Voter as i32,
        NodeChange::Demote => set.nodes[i].role = pb::NodeRole::Learner as i32,
        NodeChange::Remove => {
            let gone = set.nodes.remove(i);
            set.retired_keys.push(gone.node_key);
            // Its certificate key too: it signed blocks, so it never serves again.
            if !gone.cert_key.is_empty() {
                set.retired_keys.push(gone.cert_key);
            }
        }
    }
    ctx.st.put(keys::NODES.to_vec(), &set);
    Ok(())
}
