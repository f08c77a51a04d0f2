//! Reads and writes of one block's execution: an overlay of the block's pending writes over
//! a [`StateView`], with a nested overlay per transaction so a failed transaction leaves
//! nothing behind. The block's writes are what execution returns.

use prost::Message;
use shuquan_proto::{pb, Hash32};

use crate::error::{Error, Result};
use crate::keys;
use crate::view::{Layered, StateView, Writes};

/// Decodes a stored message; a failure means the data directory is damaged.
pub(crate) fn decode<M: Message + Default>(bytes: &[u8], key: &[u8]) -> Result<M> {
    M::decode(bytes).map_err(|e| {
        Error::Corrupt(format!(
            "value at {:?} does not decode: {e}",
            String::from_utf8_lossy(key)
        ))
    })
}

/// The state as one transaction sees it.
pub(crate) struct State<'a> {
    view: &'a dyn StateView,
    block: &'a mut Writes,
    tx: Writes,
}

impl<'a> State<'a> {
    pub(crate) fn new(view: &'a dyn StateView, block: &'a mut Writes) -> Self {
        State {
            view,
            block,
            tx: Writes::new(),
        }
    }

    /// Keeps this transaction's writes.
    pub(crate) fn commit(&mut self) {
        let tx = std::mem::take(&mut self.tx);
        self.block.extend(tx);
    }

    /// The keys this transaction has written so far.
    pub(crate) fn pending_keys(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.tx.keys()
    }

    /// Drops this transaction's writes.
    pub(crate) fn rollback(&mut self) {
        self.tx.clear();
    }

    pub(crate) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(v) = self.tx.get(key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.block.get(key) {
            return Ok(v.clone());
        }
        self.view.get(key)
    }

    pub(crate) fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.tx.insert(key, Some(value));
    }

    /// Deletes a row.
    pub(crate) fn delete(&mut self, key: Vec<u8>) {
        self.tx.insert(key, None);
    }

    pub(crate) fn msg<M: Message + Default>(&self, key: &[u8]) -> Result<Option<M>> {
        self.get(key)?.map(|v| decode(&v, key)).transpose()
    }

    pub(crate) fn put<M: Message>(&mut self, key: Vec<u8>, m: &M) {
        self.put_raw(key, m.encode_to_vec());
    }

    pub(crate) fn exists(&self, key: &[u8]) -> Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// The record of an account key (rotated-out and revoked keys included).
    pub(crate) fn account(&self, pk: &[u8]) -> Result<Option<pb::AccountRecord>> {
        self.msg(&keys::account(pk))
    }

    /// A member by its member id (`None` for an id of the wrong length).
    pub(crate) fn member(&self, id: &[u8]) -> Result<Option<pb::Member>> {
        match Hash32::from_slice(id) {
            Ok(id) => self.msg(&keys::member(&id)),
            Err(_) => Ok(None),
        }
    }

    /// The member an account key belongs to, or belonged to.
    pub(crate) fn member_of_key(&self, pk: &[u8]) -> Result<Option<pb::Member>> {
        match self.account(pk)? {
            Some(a) => self.member(&a.member),
            None => Ok(None),
        }
    }

    /// The council in force.
    pub(crate) fn council(&self) -> Result<pb::Council> {
        self.msg(keys::COUNCIL)?
            .ok_or_else(|| Error::Corrupt("the ledger holds no council (gov:council)".into()))
    }

    /// The node set the chain decided.
    pub(crate) fn node_set(&self) -> Result<pb::NodeSet> {
        self.msg(keys::NODES)?
            .ok_or_else(|| Error::Corrupt("the ledger holds no node set (gov:nodes)".into()))
    }

    /// The chain parameters in force.
    pub(crate) fn params(&self) -> Result<pb::Params> {
        self.msg(keys::PARAMS)?
            .ok_or_else(|| Error::Corrupt("the ledger holds no parameters (gov:params)".into()))
    }

    pub(crate) fn asset(&self, id: &Hash32) -> Result<Option<pb::AssetRecord>> {
        self.msg(&keys::asset(id))
    }

    pub(crate) fn grant(&self, id: &Hash32) -> Result<Option<pb::GrantRecord>> {
        self.msg(&keys::grant(id))
    }

    pub(crate) fn filing(&self, id: &Hash32) -> Result<Option<pb::FilingRecord>> {
        self.msg(&keys::filing(id))
    }

    pub(crate) fn certificate(&self, asset: &Hash32) -> Result<Option<pb::CertificateRecord>> {
        self.msg(&keys::certificate(asset))
    }

    pub(crate) fn request(&self, id: &Hash32) -> Result<Option<pb::RequestRecord>> {
        self.msg(&keys::request(id))
    }

    pub(crate) fn listing(&self, id: &Hash32) -> Result<Option<pb::ListingRecord>> {
        self.msg(&keys::listing(id))
    }

    pub(crate) fn order(&self, id: &Hash32) -> Result<Option<pb::OrderRecord>> {
        self.msg(&keys::order(id))
    }

    pub(crate) fn objection(&self, id: &Hash32) -> Result<Option<pb::ObjectionRecord>> {
        self.msg(&keys::objection(id))
    }
}

impl State<'_> {
    /// Every key under `prefix`, in order, as this transaction sees them.
    pub(crate) fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        let block = Layered {
            base: self.view,
            top: self.block,
        };
        Layered {
            base: &block,
            top: &self.tx,
        }
        .keys_with_prefix(prefix)
    }

    /// The first `limit` rows under `prefix`, in order, as this transaction sees them.
    pub(crate) fn rows_with_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<crate::view::Row>> {
        let block = Layered {
            base: self.view,
            top: self.block,
        };
        Layered {
            base: &block,
            top: &self.tx,
        }
        .rows_with_prefix(prefix, None, limit)
    }
}
