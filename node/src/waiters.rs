//! `?wait=commit`, correlated by transaction id: a request registers its transaction's id
//! here before admitting it, and applying a block resolves exactly the waiters of the
//! transactions it holds, with their receipts as the block produced them. Nothing is
//! broadcast to every waiter, and nothing is read back from disk after the write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use shuquan_ledger::AppliedBlock;
use shuquan_proto::views::ReceiptView;
use shuquan_proto::Hash32;
use tokio::sync::oneshot;

type Senders = Vec<oneshot::Sender<ReceiptView>>;

/// The transactions clients wait for, by id.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    map: Mutex<HashMap<Hash32, Senders>>,
}

/// One client's wait; dropping it (a timeout, a closed connection) forgets it.
#[derive(Debug)]
pub(crate) struct Waiter {
    waiters: Arc<Waiters>,
    id: Hash32,
    rx: Option<oneshot::Receiver<ReceiptView>>,
}

impl Waiters {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Hash32, Senders>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a wait for transaction `id`.
    pub(crate) fn wait(self: &Arc<Self>, id: Hash32) -> Waiter {
        let (tx, rx) = oneshot::channel();
        self.lock().entry(id).or_default().push(tx);
        Waiter {
            waiters: self.clone(),
            id,
            rx: Some(rx),
        }
    }

    /// Resolves the waiters of every transaction of `block`.
    pub(crate) fn resolve(&self, block: &AppliedBlock) {
        let mut map = self.lock();
        if map.is_empty() {
            return;
        }
        for (index, receipt) in (0u32..).zip(&block.receipts) {
            let Ok(id) = Hash32::from_slice(&receipt.tx_id) else {
                continue;
            };
            if let Some(senders) = map.remove(&id) {
                let view = ReceiptView::new(receipt, block.header.height, index);
                for s in senders {
                    // A waiter that gave up has dropped its receiver: nothing to do.
                    let _ = s.send(view.clone());
                }
            }
        }
    }

    /// Transactions waited for right now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nobody waits.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl Waiter {
    /// The receipt, once a block holds the transaction; `None` if this node stopped first.
    pub(crate) async fn receipt(&mut self) -> Option<ReceiptView> {
        match self.rx.as_mut() {
            Some(rx) => rx.await.ok(),
            None => None,
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut map = self.waiters.lock();
        if let Some(senders) = map.get_mut(&self.id) {
            senders.retain(|s| !s.is_closed());
            if senders.is_empty() {
                map.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use shuquan_proto::pb;

    fn block(ids: &[u8]) -> AppliedBlock {
        AppliedBlock {
            header: pb::BlockHeader {
                height: 7,
                ..Default::default()
            },
            hash: Hash32::ZERO,
            receipts: ids
                .iter()
                .map(|i| pb::Receipt {
                    tx_id: vec![*i; 32],
                    ..Default::default()
                })
                .collect(),
        }
    }

    #[tokio::test]
    async fn a_block_resolves_exactly_the_waiters_of_its_transactions() {
        let w = Arc::new(Waiters::default());
        let mut a = w.wait(Hash32([1; 32]));
        let mut a2 = w.wait(Hash32([1; 32]));
        let b = w.wait(Hash32([2; 32]));
        w.resolve(&block(&[3, 1]));
        let r = a.receipt().await.unwrap();
        assert_eq!((r.height, r.index), (7, 1));
        assert_eq!(a2.receipt().await.unwrap().index, 1);
        assert_eq!(w.len(), 1, "the other transaction still waits");
        drop(b);
        assert!(w.is_empty(), "a waiter that gives up is forgotten");
    }
}
