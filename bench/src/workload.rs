//! The Shuquan workload: transactions of realistic size, signed before the clock starts,
//! spread over many member keys. Each client works through assets of its own, and each
//! asset is a short life: `RegisterAsset` by its holder, an `IssueGrant` to another member
//! (cosigned by the grantee), then three `RecordUsage` by the grantee — 20% registrations,
//! 20% grants, 60% usage records. Ids are derived from transaction ids, so a whole life can
//! be signed in advance; a client sends its transactions in order and waits for each to
//! commit, so every reference is to something already committed.

use prost::Message;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::ChainRef;
use shuquan_proto::{Error, Hash32, Keypair};

/// Transactions per asset life.
pub const PER_ASSET: usize = 5;

/// Pre-signed transactions, one list per client.
#[derive(Debug)]
pub struct Workload {
    /// `per_client[c]` is client `c`'s transactions, in order.
    pub per_client: Vec<Vec<Vec<u8>>>,
}

impl Workload {
    /// Mean encoded transaction size, bytes.
    pub fn mean_bytes(&self) -> usize {
        let (n, bytes) = self
            .per_client
            .iter()
            .flatten()
            .fold((0usize, 0usize), |(n, b), tx| (n + 1, b + tx.len()));
        bytes / n.max(1)
    }
}

/// What the lives need to know about the chain.
#[derive(Clone, Copy, Debug)]
pub struct Chain<'a> {
    /// The chain the transactions are signed for.
    pub id: &'a ChainRef,
    /// Where the members are: the data is registered, granted and used there.
    pub home: &'a str,
    /// The transactions' timestamp.
    pub now_ms: u64,
    /// Makes fingerprints unique between runs.
    pub seed: u64,
}

fn id_of(chain: &ChainRef, raw: &[u8]) -> Hash32 {
    // Our own freshly signed bytes: they decode.
    let body = pb::TxRaw::decode(raw).map(|r| r.body).unwrap_or_default();
    chain.hash.tx_id(&chain.id, &body)
}

fn fp(chain: &ChainRef, parts: &str) -> Vec<u8> {
    chain.hash.fingerprint(parts.as_bytes()).to_vec()
}

/// A member institution the workload signs for: its account key and its member id (what
/// grants name).
#[derive(Clone)]
pub struct Member {
    /// Its account key.
    pub key: Keypair,
    /// Its member id.
    pub id: Vec<u8>,
}

impl Member {
    /// The member `short_id` of `chain`, signing with `key`.
    pub fn new(chain: &ChainRef, short_id: &str, key: Keypair) -> Self {
        let id = chain.hash.member_id(&chain.id, short_id).to_vec();
        Member { key, id }
    }
}

/// One asset's life: register, grant, three usage records.
pub fn life(
    c: &Chain<'_>,
    holder: &Member,
    grantee: &Member,
    tag: &str,
) -> Result<Vec<Vec<u8>>, Error> {
    let (holder, grantee_id, grantee) = (&holder.key, &grantee.id, &grantee.key);
    let sign = |signer: &Keypair, cosigners: &[&Keypair], p: Payload| {
        shuquan_proto::tx::sign_all(c.id, c.now_ms, signer, cosigners, p)
    };
    let register = sign(
        holder,
        &[],
        Payload::RegisterAsset(pb::RegisterAsset {
            fingerprint: fp(c.id, &format!("bench {} {tag}", c.seed)),
            size_bytes: 48 << 20,
            name: format!("Logistics waybills, Q3, batch {tag}"),
            description: "Anonymised waybill records of a regional carrier, daily extract".into(),
            sector: "transport".into(),
            grade: pb::Grade::General as i32,
            origin: pb::Origin::Enterprise as i32,
            evidence_hash: fp(c.id, &format!("evidence {tag}")),
            jurisdiction: c.home.into(),
            delivery_modes: vec![pb::DeliveryMode::Compute as i32],
            sharing: pb::SharingClass::Conditional as i32,
            ..Default::default()
        }),
    )?;
    let asset = c.id.hash.asset_id(&c.id.id, &id_of(c.id, &register));
    let grant = sign(
        holder,
        &[grantee],
        Payload::IssueGrant(pb::IssueGrant {
            asset: asset.to_vec(),
            grantee: grantee_id.clone(),
            actions: vec![pb::Action::Compute as i32],
            purposes: vec!["academic-research".into()],
            not_before_ms: 0,
            not_after_ms: c.now_ms + 30 * 86_400_000,
            jurisdictions: vec![c.home.into()],
            ..Default::default()
        }),
    )?;
    let grant_ref = c.id.hash.grant_id(&c.id.id, &id_of(c.id, &grant));
    let mut out = vec![register, grant];
    for u in 0..PER_ASSET - 2 {
        out.push(sign(
            grantee,
            &[],
            Payload::RecordUsage(pb::RecordUsage {
                grant: grant_ref.to_vec(),
                action: pb::Action::Compute as i32,
                purpose: "academic-research".into(),
                jurisdiction: c.home.into(),
                recipient_system: "sandbox-7".into(),
                output_fingerprint: fp(c.id, &format!("output {tag} {u}")),
            }),
        )?);
    }
    Ok(out)
}

/// Signs `per_client` transactions (rounded up to whole lives) for each of `clients`,
/// with holders and grantees taken in turn from `keys` (at least two). Uses two threads.
pub fn build(
    chain: &ChainRef,
    home: &str,
    keys: &[Member],
    clients: usize,
    per_client: usize,
) -> Result<Workload, Error> {
    let c = Chain {
        id: chain,
        home,
        now_ms: now_ms(),
        seed: now_ms(),
    };
    let lives = per_client.div_ceil(PER_ASSET);
    let m = keys.len().max(1);
    let client = |k: usize| -> Result<Vec<Vec<u8>>, Error> {
        let mut txs = Vec::new();
        for j in 0..lives {
            let h = (k + j * clients) % m;
            let g = (h + 1 + j % (m - 1).max(1)) % m;
            txs.extend(life(&c, &keys[h], &keys[g], &format!("{k}-{j}"))?);
        }
        Ok(txs)
    };
    let per_client = std::thread::scope(|s| {
        let odd = s.spawn(|| {
            (1..clients)
                .step_by(2)
                .map(client)
                .collect::<Result<Vec<_>, _>>()
        });
        let even = (0..clients)
            .step_by(2)
            .map(client)
            .collect::<Result<Vec<_>, _>>()?;
        let odd = odd
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        let mut all = Vec::with_capacity(clients);
        let (mut e, mut o) = (even.into_iter(), odd.into_iter());
        for k in 0..clients {
            let next = if k % 2 == 0 { e.next() } else { o.next() };
            all.push(next.unwrap_or_default());
        }
        Ok::<_, Error>(all)
    })?;
    Ok(Workload { per_client })
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
