//! What the PROV rendering of an asset reads from the ledger: the asset, its history and
//! lineage, the assets at the other end of each edge with their registrations, and the
//! members (to name who signed). The API and the `jsonld-sample` example both use it.

use serde_json::Value;
use shuquan_ledger::{Ledger, Result};
use shuquan_proto::Hash32;

use super::prov::{asset_provenance, AssetProv, Related};
use super::Iris;

/// The PROV-O document of asset `id`, or `None` if there is no such asset.
pub fn asset_prov(ledger: &Ledger, iris: &Iris, id: &Hash32) -> Result<Option<Value>> {
    let q = ledger.queries();
    let (Some(asset), Some(lineage)) = (q.asset(id)?, q.lineage(id)?) else {
        return Ok(None);
    };
    let history = q.history(id)?;
    let mut related = Vec::new();
    for edge in lineage.parents.iter().chain(&lineage.children) {
        if related.iter().any(|r: &Related| r.asset.id == edge.asset) {
            continue;
        }
        if let Some(other) = q.asset(&edge.asset)? {
            let registration = q.history(&edge.asset)?.into_iter().next();
            related.push(Related {
                asset: other,
                registration,
            });
        }
    }
    let members = q.members()?;
    Ok(Some(asset_provenance(
        iris,
        &AssetProv {
            asset: &asset,
            history: &history,
            lineage: &lineage,
            related: &related,
            members: &members,
        },
    )))
}
