//! The types raft-log stores: our log id, vote and payload, with their on-disk codecs,
//! and the flush callback that acknowledges to openraft only after fsync.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use raft_log::codeq::{Decode, Encode};

use crate::raft_types::{self, LogId, TypeConfig, Vote};

/// raft-log's type parameters for Shuquan's log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WalTypes;

impl raft_log::Types for WalTypes {
    type LogId = WalLogId;
    type LogPayload = WalPayload;
    type Vote = WalVote;
    type UserData = ();
    type Callback = IoCallback;

    fn log_index(log_id: &WalLogId) -> u64 {
        log_id.index
    }

    fn payload_size(payload: &WalPayload) -> u64 {
        payload.0.len() as u64
    }
}

/// A log id as stored: (term, index), ordered like openraft's `LogId` in standard-Raft
/// mode (feature `single-term-leader`: one leader per term, so the term names the leader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WalLogId {
    pub(crate) term: u64,
    pub(crate) index: u64,
}

impl From<&LogId> for WalLogId {
    fn from(id: &LogId) -> Self {
        Self {
            term: id.leader_id.term,
            index: id.index,
        }
    }
}

impl From<&WalLogId> for LogId {
    fn from(id: &WalLogId) -> Self {
        openraft::LogId::new(openraft::CommittedLeaderId::new(id.term, 0), id.index)
    }
}

fn write_u64<W: Write>(w: &mut W, v: u64) -> io::Result<()> {
    w.write_all(&v.to_be_bytes())
}

fn read_u64<R: Read>(r: &mut R) -> io::Result<u64> {
    let mut buf = [0u8; 8];
    r.read_exact(&mut buf)?;
    Ok(u64::from_be_bytes(buf))
}

fn read_flag<R: Read>(r: &mut R) -> io::Result<bool> {
    let mut flag = [0u8; 1];
    r.read_exact(&mut flag)?;
    match flag[0] {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad flag byte {other}"),
        )),
    }
}

impl Encode for WalLogId {
    fn encode<W: Write>(&self, mut w: W) -> io::Result<usize> {
        write_u64(&mut w, self.term)?;
        write_u64(&mut w, self.index)?;
        Ok(16)
    }
}

impl Decode for WalLogId {
    fn decode<R: Read>(mut r: R) -> io::Result<Self> {
        Ok(Self {
            term: read_u64(&mut r)?,
            index: read_u64(&mut r)?,
        })
    }
}

/// A vote as stored.
///
/// raft-log refuses a vote that is not `>=` the stored one, so the order must be total
/// and extend openraft's partial order on standard-Raft votes: by term, then "has voted"
/// over "has not", then committed over uncommitted, then (arbitrarily, for votes openraft
/// finds incomparable and never saves one after the other) the candidate id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WalVote {
    pub(crate) term: u64,
    pub(crate) voted_for: Option<u64>,
    pub(crate) committed: bool,
}

impl WalVote {
    fn key(&self) -> (u64, bool, bool, Option<u64>) {
        (
            self.term,
            self.voted_for.is_some(),
            self.committed,
            self.voted_for,
        )
    }
}

impl Ord for WalVote {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for WalVote {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl From<&Vote> for WalVote {
    fn from(v: &Vote) -> Self {
        Self {
            term: v.leader_id.term,
            voted_for: v.leader_id.voted_for,
            committed: v.committed,
        }
    }
}

impl From<&WalVote> for Vote {
    fn from(v: &WalVote) -> Self {
        openraft::Vote {
            leader_id: openraft::LeaderId {
                term: v.term,
                voted_for: v.voted_for,
            },
            committed: v.committed,
        }
    }
}

impl Encode for WalVote {
    fn encode<W: Write>(&self, mut w: W) -> io::Result<usize> {
        write_u64(&mut w, self.term)?;
        w.write_all(&[u8::from(self.voted_for.is_some())])?;
        write_u64(&mut w, self.voted_for.unwrap_or(0))?;
        w.write_all(&[u8::from(self.committed)])?;
        Ok(18)
    }
}

impl Decode for WalVote {
    fn decode<R: Read>(mut r: R) -> io::Result<Self> {
        let term = read_u64(&mut r)?;
        let has_vote = read_flag(&mut r)?;
        let candidate = read_u64(&mut r)?;
        let committed = read_flag(&mut r)?;
        Ok(Self {
            term,
            voted_for: has_vote.then_some(candidate),
            committed,
        })
    }
}

/// An entry payload as stored: the bincode encoding of openraft's `EntryPayload`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WalPayload(pub(crate) Vec<u8>);

impl Encode for WalPayload {
    fn encode<W: Write>(&self, w: W) -> io::Result<usize> {
        self.0.encode(w)
    }
}

impl Decode for WalPayload {
    fn decode<R: Read>(r: R) -> io::Result<Self> {
        Ok(Self(Vec::<u8>::decode(r)?))
    }
}

/// Tracks what this log has made durable, so a simulated crash can discard the rest.
///
/// Every fsync-completion callback updates it under one lock; once `crashed` is set no
/// further completion is delivered, so nothing acknowledged after the crash instant exists.
#[derive(Debug, Default)]
pub(crate) struct Durability {
    state: Mutex<DurableState>,
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DurableState {
    pub(crate) crashed: bool,
    /// The last log id known to be on stable storage.
    pub(crate) last: Option<WalLogId>,
}

impl Durability {
    /// Start tracking from what is on disk at open: all of it counts as durable.
    pub(crate) fn starting_at(last: Option<WalLogId>) -> Self {
        Self {
            state: Mutex::new(DurableState {
                crashed: false,
                last,
            }),
        }
    }

    /// Stop acknowledging I/O and return what was durable at this instant.
    pub(crate) fn crash(&self) -> DurableState {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.crashed = true;
        *st
    }

    /// The last log id known to be on stable storage.
    pub(crate) fn last(&self) -> Option<WalLogId> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).last
    }

    /// Record a durable state change (called only after fsync), unless crashed.
    /// Returns `false` if the node has crashed and the completion must not be delivered.
    fn record(&self, update: DurableUpdate, deliver: impl FnOnce()) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.crashed {
            return false;
        }
        match update {
            DurableUpdate::None => {}
            DurableUpdate::Appended(id) | DurableUpdate::Purged(id) => {
                st.last = st.last.max(Some(id));
            }
            DurableUpdate::Truncated(keep) => {
                st.last = st.last.min(keep);
            }
        }
        // Deliver under the lock, so a crash cannot fall between recording and delivery.
        deliver();
        true
    }
}

/// What an fsync completion makes durable.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DurableUpdate {
    None,
    Appended(WalLogId),
    Purged(WalLogId),
    Truncated(Option<WalLogId>),
}

/// Where a flush completion goes.
pub(crate) enum Notify {
    /// openraft's append callback.
    Flushed(openraft::storage::LogFlushed<TypeConfig>),
    /// An async waiter (save_vote, truncate, purge).
    Oneshot(tokio::sync::oneshot::Sender<io::Result<()>>),
    /// A blocking waiter (open, crash recovery).
    Blocking(std::sync::mpsc::SyncSender<io::Result<()>>),
}

/// The callback raft-log's flush worker calls after writing (and, for sync flushes, fsyncing).
pub(crate) struct IoCallback {
    pub(crate) notify: Notify,
    pub(crate) durability: Option<(Arc<Durability>, DurableUpdate)>,
}

impl raft_log::Callback for IoCallback {
    fn send(self, res: io::Result<()>) {
        let ok = res.is_ok();
        let notify = self.notify;
        let deliver = move || match notify {
            Notify::Flushed(cb) => cb.log_io_completed(res),
            Notify::Oneshot(tx) => {
                let _ = tx.send(res);
            }
            Notify::Blocking(tx) => {
                // The waiter may have given up; nothing to do then.
                let _ = std::sync::mpsc::SyncSender::send(&tx, res);
            }
        };
        match self.durability {
            None => deliver(),
            Some((d, update)) => {
                // A failed flush makes nothing durable.
                let update = if ok { update } else { DurableUpdate::None };
                let _ = d.record(update, deliver);
            }
        }
    }
}

impl std::fmt::Debug for IoCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IoCallback")
    }
}

/// Encode an openraft entry payload for the log.
pub(crate) fn encode_payload(p: &crate::raft_types::EntryPayload) -> Result<WalPayload, io::Error> {
    raft_types::encode(p)
        .map(WalPayload)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
