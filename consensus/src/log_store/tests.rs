//! Tests of the log store: raft-log really fsyncs before acknowledging, data survives a
//! reopen, and a simulated crash discards exactly what was not yet synced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use raft_log::api::raft_log_writer::RaftLogWriter;
use raft_log::RaftLog;

use super::store::LogStore;
use super::wal_types::{
    DurableUpdate, IoCallback, Notify, WalLogId, WalPayload, WalTypes, WalVote,
};

fn id(index: u64) -> WalLogId {
    WalLogId { term: 1, index }
}

fn open(dir: &std::path::Path) -> RaftLog<WalTypes> {
    RaftLog::open(Arc::new(raft_log::Config::new(dir.to_str().unwrap()))).unwrap()
}

fn flush_and_wait(log: &mut RaftLog<WalTypes>, sync: bool) {
    let (tx, rx) = sync_channel(1);
    log.flush(
        sync,
        Some(IoCallback {
            notify: Notify::Blocking(tx),
            durability: None,
        }),
    )
    .unwrap();
    rx.recv().unwrap().unwrap();
}

/// raft-log's flush worker calls `sync_data` on the chunk files for a batch with
/// `sync = true` before it runs the callbacks (chunked-wal `FlushWorker::run_inner`);
/// its metrics count those synced batches. A no-sync flush must not count as synced.
#[test]
fn raft_log_fsyncs_before_acknowledging_a_sync_flush() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path());

    log.append([(id(1), WalPayload(b"a".to_vec()))]).unwrap();
    flush_and_wait(&mut log, false);
    let before = log.stat().flush_metrics.sync_batch_count;
    assert_eq!(before, 0, "a no-sync flush must not fsync");

    log.save_vote(WalVote {
        term: 3,
        committed: false,
        voted_for: Some(2),
    })
    .unwrap();
    log.append([(id(2), WalPayload(b"b".to_vec()))]).unwrap();
    flush_and_wait(&mut log, true);
    let after = log.stat().flush_metrics.sync_batch_count;
    assert!(
        after > before,
        "a sync flush must fsync before its callback"
    );
    drop(log);

    // Everything flushed is there after reopening.
    let log = open(dir.path());
    let entries: Vec<_> = log.read(0, 10).map(|r| r.unwrap()).collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1], (id(2), WalPayload(b"b".to_vec())));
    assert_eq!(
        log.log_state().vote(),
        Some(&WalVote {
            term: 3,
            committed: false,
            voted_for: Some(2)
        })
    );
}

#[test]
fn crash_discards_entries_written_after_the_last_acknowledged_sync() {
    let dir = tempfile::tempdir().unwrap();
    let store = LogStore::open(dir.path()).unwrap();
    {
        let raw = store.raw_for_tests();
        let mut guard = raw.lock().unwrap();
        let log = guard.as_mut().unwrap();
        log.append((1..=5).map(|i| (id(i), WalPayload(vec![i as u8]))))
            .unwrap();
        let (tx, rx) = sync_channel(1);
        let cb = store.callback_for_tests(Notify::Blocking(tx), DurableUpdate::Appended(id(5)));
        log.flush(true, Some(cb)).unwrap();
        drop(guard);
        rx.recv().unwrap().unwrap();

        // Written, reaches the OS, but never acknowledged as synced.
        let mut guard = raw.lock().unwrap();
        let log = guard.as_mut().unwrap();
        log.append((6..=8).map(|i| (id(i), WalPayload(vec![i as u8]))))
            .unwrap();
        log.flush(false, None).unwrap();
        log.wait_worker_idle().unwrap();
    }
    let kept = store.crash_and_discard_unsynced().unwrap();
    assert_eq!(kept.map(|l| l.index), Some(5));
    drop(store);

    let log = open(dir.path());
    assert_eq!(log.log_state().last(), Some(&id(5)));
    assert_eq!(log.read(0, 100).count(), 5);
}

/// The stored vote order extends openraft's: whenever openraft says `a < b`, so does ours.
#[test]
fn stored_vote_order_extends_openraft_vote_order() {
    use crate::raft_types::Vote;
    let mut votes = Vec::new();
    for term in 0..3 {
        for voted_for in [None, Some(1), Some(2)] {
            for committed in [false, true] {
                votes.push(Vote {
                    leader_id: openraft::LeaderId { term, voted_for },
                    committed,
                });
            }
        }
    }
    // Committed votes always name a candidate, and two committed votes of one term name
    // the same one (openraft panics when asked to compare anything else).
    votes.retain(|v| !v.committed || v.leader_id.voted_for.is_some());
    for a in &votes {
        for b in &votes {
            let same_term = a.leader_id.term == b.leader_id.term;
            if same_term && a.committed && b.committed && a.leader_id != b.leader_id {
                continue;
            }
            if let Some(ord) = a.partial_cmp(b) {
                assert_eq!(WalVote::from(a).cmp(&WalVote::from(b)), ord, "{a} vs {b}");
            }
            assert_eq!(Vote::from(&WalVote::from(a)), *a);
        }
    }
}

/// A node that restarts and crashes again before writing anything keeps what it had.
#[test]
fn second_crash_right_after_restart_keeps_durable_entries() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = LogStore::open(dir.path()).unwrap();
        let raw = store.raw_for_tests();
        let mut guard = raw.lock().unwrap();
        let log = guard.as_mut().unwrap();
        log.append((1..=3).map(|i| (id(i), WalPayload(vec![i as u8]))))
            .unwrap();
        let (tx, rx) = sync_channel(1);
        let cb = store.callback_for_tests(Notify::Blocking(tx), DurableUpdate::Appended(id(3)));
        log.flush(true, Some(cb)).unwrap();
        drop(guard);
        rx.recv().unwrap().unwrap();
        store.crash_and_discard_unsynced().unwrap();
    }
    let store = LogStore::open(dir.path()).unwrap();
    let kept = store.crash_and_discard_unsynced().unwrap();
    assert_eq!(kept.map(|l| l.index), Some(3));
    drop(store);
    assert_eq!(open(dir.path()).log_state().last(), Some(&id(3)));
}

/// Found by t80 seed 75: reading a range whose beginning was purged returned the entries
/// after the purge point, which openraft sent as an AppendEntries not following its
/// `prev_log_id`; the follower panicked. A read returns only the run from `start`.
#[test]
fn reads_of_a_purged_start_return_nothing_not_a_later_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = LogStore::open(dir.path()).unwrap();
    {
        let raw = store.raw_for_tests();
        let mut guard = raw.lock().unwrap();
        let log = guard.as_mut().unwrap();
        let blank =
            super::wal_types::encode_payload(&crate::raft_types::EntryPayload::Blank).unwrap();
        log.append((1..=10).map(|i| (id(i), blank.clone())))
            .unwrap();
        log.purge(id(5)).unwrap();
        flush_and_wait(log, true);
    }
    use openraft::storage::RaftLogReader;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut reader = store.clone();
    let mut read = |a: u64, b: u64| -> Vec<u64> {
        rt.block_on(reader.limited_get_log_entries(a, b))
            .unwrap()
            .iter()
            .map(|e| e.log_id.index)
            .collect()
    };
    assert_eq!(read(3, 8), Vec::<u64>::new());
    assert_eq!(read(6, 9), vec![6, 7, 8]);
    assert_eq!(read(9, 20), vec![9, 10]);
}

/// The log's memory is bounded: entries past the cache (and the open chunk) are dropped
/// from memory and read back from disk when asked for, as a lagging follower would.
#[test]
fn the_log_keeps_a_bounded_cache_and_reads_older_entries_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = LogStore::open(dir.path()).unwrap();
    let raw = store.raw_for_tests();
    let mut guard = raw.lock().unwrap();
    let log = guard.as_mut().unwrap();
    let entry = |i: u64| WalPayload(vec![(i % 251) as u8; 1 << 20]);
    // 80 MiB: past the 32 MiB cache and two 32 MiB chunks.
    // Each append synced before the next, as openraft writes.
    for i in 1..=80 {
        log.append([(id(i), entry(i))]).unwrap();
        flush_and_wait(log, true);
    }
    let stat = log.stat();
    assert_eq!(stat.payload_cache_capacity, 32 << 20);
    assert!(
        stat.payload_cache_size <= 32 << 20,
        "cache holds {} bytes",
        stat.payload_cache_size
    );
    let first: Vec<_> = log.read(1, 3).map(|r| r.unwrap()).collect();
    assert_eq!(first, vec![(id(1), entry(1)), (id(2), entry(2))]);
    assert!(
        log.stat().payload_cache_miss > 0,
        "read from the cache, not disk"
    );
}
