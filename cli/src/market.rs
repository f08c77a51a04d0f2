//! The market commands of `shuquan tx` (README, "Market"): access requests and their
//! answers, listings, orders, their acceptance, the settlement confirmations and disputes.
//! What each transaction made is named after it commits: the request (or the grant an
//! unconditional asset gives at once), the listing, the order, the grant and the voucher.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::{ArgGroup, Subcommand};
use serde_json::{json, Value};
use shuquan_proto::hash::Hashing;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::views::{OrderView, ReceiptView, RequestView};
use shuquan_proto::Hash32;

use crate::fingerprint::Fingerprinter;
use crate::parse::{self as p, ACTIONS, DECLINE_REASONS, DELIVERY, PRICE_UNITS, RIGHTS};
use crate::payload::Submit;
use crate::Ctx;

/// Market payloads.
#[derive(Debug, Subcommand)]
pub(crate) enum MarketCmd {
    /// Ask an asset's Operate holder for access on your terms; prints the request id.
    ///
    /// Your signature is your consent to the grant, so an approval needs nothing more
    /// from you. An asset shared
    /// `unconditional` grants it in the same block when every jurisdiction is the asset's
    /// own; a `conditional` one waits for `approve-request`; a `not-shared` one refuses
    /// (not_shared, 1701). A request lapses unanswered at --expires.
    ///
    /// Example: shuquan --key org3.key tx request --asset 3f2a… --actions compute --purposes transport-planning --jurisdictions CN --duration 90d --message-file letter.txt --wait
    #[command(group(ArgGroup::new("term").args(["duration", "until"])))]
    #[command(group(ArgGroup::new("message").args(["message_hash", "message_file"])))]
    Request {
        /// The asset id.
        #[arg(long)]
        asset: String,
        /// read, query, compute, verify, derive (comma-separated).
        #[arg(long)]
        actions: String,
        /// Purpose codes from the genesis list, e.g. academic-research (comma-separated).
        #[arg(long)]
        purposes: String,
        /// Where you will use it, e.g. CN; it must include your member's own jurisdiction.
        #[arg(long)]
        jurisdictions: String,
        /// How long the grant runs from the block that issues it: 90d, 12h, 1y (default 90d).
        #[arg(long, value_name = "SPAN")]
        duration: Option<String>,
        /// Or: until the end of this day (UTC), counted from now.
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<String>,
        /// Most uses (default: unlimited).
        #[arg(long, default_value_t = 0)]
        max_uses: u64,
        /// The hash of your message (the chain's hash function) (reasons, contact): prose stays off chain.
        #[arg(long, value_name = "HEX")]
        message_hash: Option<String>,
        /// Or the message file, hashed here with the chain's hash function.
        #[arg(long, value_name = "FILE")]
        message_file: Option<PathBuf>,
        /// The request lapses unanswered after this: a span (30d) or a day (2027-06-30).
        #[arg(long, value_name = "SPAN|DATE", default_value = "30d")]
        expires: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the asset's Operate holder, approve an open access request; prints the grant id.
    ///
    /// The grant is issued on the request's terms, running --duration from this block
    /// (pending export where the export rules say so).
    ///
    /// Example: shuquan --key org1.key tx approve-request --request 9c4e… --wait
    ApproveRequest {
        /// The request id (from `tx request` or `query requests --to me`).
        #[arg(long)]
        request: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the asset's Operate holder, decline an open access request with a reason code.
    ///
    /// Example: shuquan --key org1.key tx decline-request --request 9c4e… --reason scope-too-broad --wait
    DeclineRequest {
        /// The request id.
        #[arg(long)]
        request: String,
        /// purpose-not-supported, scope-too-broad, security, legal-restriction,
        /// not-available or other.
        #[arg(long, value_name = "CODE")]
        reason: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Offer a right or a licence at a price; prints the listing id.
    ///
    /// A right you hold is sold once (one-off); as the Operate holder you may list a
    /// licence: a grant on its terms to every buyer you accept (not of a not-shared asset).
    ///
    /// Example: shuquan --key org1.key tx list --asset 3f2a… --licence --actions query,compute --purposes transport-planning --jurisdictions CN,VN --duration 365d --price 1200.00CNY --unit one-off --delivery query,compute --valid-until 30d --wait
    #[command(group(ArgGroup::new("offer").required(true).args(["right", "licence"])))]
    List {
        /// The asset id.
        #[arg(long)]
        asset: String,
        /// Sell a right: hold, use or operate (its price unit is one-off).
        #[arg(long)]
        right: Option<String>,
        /// Sell a licence on the terms of --actions, --purposes, --jurisdictions,
        /// --duration and --max-uses.
        #[arg(long, requires_all = ["actions", "purposes", "jurisdictions"])]
        licence: bool,
        /// The licence's actions: read, query, compute, verify, derive.
        #[arg(long, requires = "licence")]
        actions: Option<String>,
        /// The licence's purpose codes.
        #[arg(long, requires = "licence")]
        purposes: Option<String>,
        /// Where licensees may use it; a buyer's own jurisdiction must be among them.
        #[arg(long, requires = "licence")]
        jurisdictions: Option<String>,
        /// How long each licence grant runs (per-month and per-year: the months or years
        /// bought instead).
        #[arg(
            long,
            value_name = "SPAN",
            default_value = "365d",
            requires = "licence"
        )]
        duration: String,
        /// Most uses of each licence grant (per-use: the uses bought instead; default
        /// unlimited).
        #[arg(long, default_value_t = 0, requires = "licence")]
        max_uses: u64,
        /// The unit price, e.g. 1200.00CNY.
        #[arg(long)]
        price: String,
        /// one-off, per-use, per-month or per-year (a right: one-off).
        #[arg(long, default_value = "one-off")]
        unit: String,
        /// How it is delivered, among the asset's modes: download,query,compute,verify.
        #[arg(long)]
        delivery: String,
        /// Open for orders until: a day (2027-06-30) or a span from now (30d).
        #[arg(long, value_name = "DATE|SPAN")]
        valid_until: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Order from an open listing; prints the order id.
    ///
    /// The buyer is your member: your signature is its consent to the transfer or the
    /// grant. The total is --quantity times the listing's price.
    ///
    /// Example: shuquan --key org2.key tx order --listing 5d1b… --payment-ref "CNAPS 2026-0042" --wait
    #[command(group(ArgGroup::new("payment").args(["payment_ref", "payment_ref_hash"])))]
    Order {
        /// The listing id (from `tx list` or `query listings`).
        #[arg(long)]
        listing: String,
        /// Units of the listing's price: 1 for one-off; uses, months or years otherwise.
        #[arg(long, default_value_t = 1)]
        quantity: u64,
        /// Your payment's reference (hashed here with the chain's hash function; only the hash goes on chain).
        #[arg(long, value_name = "TEXT")]
        payment_ref: Option<String>,
        /// Or the reference's hash.
        #[arg(long, value_name = "HEX")]
        payment_ref_hash: Option<String>,
        /// The order lapses unaccepted after this: a span (7d) or a day (2027-06-30).
        #[arg(long, value_name = "SPAN|DATE", default_value = "7d")]
        expires: String,
        /// The buying member (default: the member of the signing key, asked from the node;
        /// give it with `tx build --genesis` offline).
        #[arg(long, value_name = "MEMBER")]
        buyer: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the seller, accept a placed order; prints the voucher number.
    ///
    /// Its block transfers the right or issues the grant (and prints it) at the listed
    /// price under every rule a direct transfer or grant obeys, and issues the transaction
    /// voucher. Of two orders for one right, the first accepted wins; the listing is then
    /// sold and the other fails (market_closed, 1702).
    ///
    /// Example: shuquan --key org1.key tx accept-order --order 7a90… --wait
    AcceptOrder {
        /// The order id (from `tx order` or `query orders --mine`).
        #[arg(long)]
        order: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Confirm your side of an accepted order's settlement off chain.
    ///
    /// The buyer confirms the delivery, the seller the payment (with its reference, unless
    /// the order carries one). Both confirmed: the order is `settled`.
    ///
    /// Example: shuquan --key org1.key tx confirm --order 7a90… --payment --ref "CNAPS 2026-0042" --wait
    #[command(group(ArgGroup::new("side").required(true).args(["delivery", "payment"])))]
    #[command(group(ArgGroup::new("confirm_ref").args(["reference", "ref_hash"])))]
    Confirm {
        /// The order id.
        #[arg(long)]
        order: String,
        /// As the buyer: the data was delivered.
        #[arg(long)]
        delivery: bool,
        /// As the seller: the payment arrived (needs a reference unless the order has one).
        #[arg(long)]
        payment: bool,
        /// The payment reference or delivery receipt (hashed here with the chain's hash function).
        #[arg(long = "ref", value_name = "TEXT")]
        reference: Option<String>,
        /// Or its hash.
        #[arg(long, value_name = "HEX")]
        ref_hash: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// As buyer or seller, raise a dispute about an accepted order for the regulator.
    ///
    /// Only the hash of your evidence goes on chain; the order reads `disputed`.
    ///
    /// Example: shuquan --key org2.key tx dispute --order 7a90… --evidence-file complaint.pdf --wait
    #[command(group(ArgGroup::new("proof").required(true).args(["evidence", "evidence_file"])))]
    Dispute {
        /// The order id.
        #[arg(long)]
        order: String,
        /// The evidence's hash (the chain's hash function).
        #[arg(long, value_name = "HEX")]
        evidence: Option<String>,
        /// Or the evidence file, hashed here with the chain's hash function.
        #[arg(long, value_name = "FILE")]
        evidence_file: Option<PathBuf>,
        #[command(flatten)]
        submit: Submit,
    },
}

/// A hash given as hex, or of a file.
fn hash_or_file(
    hex: Option<&str>,
    file: Option<&PathBuf>,
    flag: &str,
    fp: Fingerprinter,
) -> anyhow::Result<Vec<u8>> {
    match (hex, file) {
        (Some(h), _) => p::hash(h, flag),
        (None, Some(f)) => Ok(fp.of_file(f)?.0.to_vec()),
        (None, None) => Ok(Vec::new()),
    }
}

/// A hash given as hex, or of a text.
fn hash_or_text(
    hex: Option<&str>,
    text: Option<&str>,
    flag: &str,
    fp: Fingerprinter,
) -> anyhow::Result<Vec<u8>> {
    match (hex, text) {
        (Some(h), _) => p::hash(h, flag),
        (None, Some(t)) => Ok(fp.of_text(t)),
        (None, None) => Ok(Vec::new()),
    }
}

impl MarketCmd {
    pub(crate) fn submit(&self) -> &Submit {
        match self {
            MarketCmd::Request { submit, .. }
            | MarketCmd::ApproveRequest { submit, .. }
            | MarketCmd::DeclineRequest { submit, .. }
            | MarketCmd::List { submit, .. }
            | MarketCmd::Order { submit, .. }
            | MarketCmd::AcceptOrder { submit, .. }
            | MarketCmd::Confirm { submit, .. }
            | MarketCmd::Dispute { submit, .. } => submit,
        }
    }

    /// The payload. `signer` is the signing key (an order's buyer is its member unless
    /// --buyer says otherwise); `member` turns a flag's member into a member id; `now` is
    /// the time spans count from; `days` reads days in the chain's time zone.
    pub(crate) fn payload(
        &self,
        fp: Fingerprinter,
        signer: &[u8],
        member: &dyn Fn(&str, &str) -> anyhow::Result<Vec<u8>>,
        now: u64,
        days: p::Days,
    ) -> anyhow::Result<Payload> {
        Ok(match self {
            MarketCmd::Request {
                asset,
                actions,
                purposes,
                jurisdictions,
                duration,
                until,
                max_uses,
                message_hash,
                message_file,
                expires,
                ..
            } => {
                let duration_ms = match (duration, until) {
                    (Some(d), _) => p::duration(d, "--duration")?,
                    (None, Some(u)) => days
                        .end(u)?
                        .checked_sub(now)
                        .filter(|d| *d > 0)
                        .ok_or_else(|| {
                            anyhow!("--until {u} is past: give a later day or --duration 90d")
                        })?,
                    (None, None) => p::duration("90d", "--duration")?,
                };
                Payload::RequestAccess(pb::RequestAccess {
                    asset: p::hash(asset, "--asset")?,
                    actions: p::words(actions, "--actions", ACTIONS)?,
                    purposes: p::purposes(purposes)?,
                    jurisdictions: p::jurisdictions(jurisdictions)?,
                    duration_ms,
                    max_uses: *max_uses,
                    message_hash: hash_or_file(
                        message_hash.as_deref(),
                        message_file.as_ref(),
                        "--message-hash",
                        fp,
                    )?,
                    expires_ms: days.deadline(expires, "--expires", now)?,
                })
            }
            MarketCmd::ApproveRequest { request, .. } => {
                Payload::AnswerRequest(pb::AnswerRequest {
                    request: p::hash(request, "--request")?,
                    approve: true,
                    reason: 0,
                })
            }
            MarketCmd::DeclineRequest {
                request, reason, ..
            } => Payload::AnswerRequest(pb::AnswerRequest {
                request: p::hash(request, "--request")?,
                approve: false,
                reason: p::word(reason, "--reason", DECLINE_REASONS)?,
            }),
            MarketCmd::List {
                asset,
                right,
                licence,
                actions,
                purposes,
                jurisdictions,
                duration,
                max_uses,
                price,
                unit,
                delivery,
                valid_until,
                ..
            } => {
                let licence = if *licence {
                    Some(pb::Licence {
                        actions: p::words(actions.as_deref().unwrap_or(""), "--actions", ACTIONS)?,
                        purposes: p::purposes(purposes.as_deref().unwrap_or(""))?,
                        jurisdictions: p::jurisdictions(jurisdictions.as_deref().unwrap_or(""))?,
                        duration_ms: p::duration(duration, "--duration")?,
                        max_uses: *max_uses,
                    })
                } else {
                    None
                };
                let right = match right {
                    Some(r) => p::word(r, "--right", RIGHTS)?,
                    None => 0,
                };
                if right == 0 && licence.is_none() {
                    bail!("give --right RIGHT or --licence with its terms");
                }
                Payload::CreateListing(pb::CreateListing {
                    asset: p::hash(asset, "--asset")?,
                    right,
                    licence,
                    price: Some(p::price(price)?),
                    unit: p::word(unit, "--unit", PRICE_UNITS)?,
                    delivery_modes: p::words(delivery, "--delivery", DELIVERY)?,
                    valid_until_ms: days.deadline(valid_until, "--valid-until", now)?,
                })
            }
            MarketCmd::Order {
                listing,
                quantity,
                payment_ref,
                payment_ref_hash,
                expires,
                buyer,
                ..
            } => {
                let buyer = match buyer {
                    Some(b) => member(b, "--buyer")?,
                    None => member(&hex::encode(signer), "--key").context(
                        "finding the member of the signing key (the buyer); offline, give --buyer MEMBER",
                    )?,
                };
                Payload::PlaceOrder(pb::PlaceOrder {
                    listing: p::hash(listing, "--listing")?,
                    buyer,
                    quantity: *quantity,
                    payment_ref_hash: hash_or_text(
                        payment_ref_hash.as_deref(),
                        payment_ref.as_deref(),
                        "--payment-ref-hash",
                        fp,
                    )?,
                    expires_ms: days.deadline(expires, "--expires", now)?,
                })
            }
            MarketCmd::AcceptOrder { order, .. } => Payload::AcceptOrder(pb::AcceptOrder {
                order: p::hash(order, "--order")?,
            }),
            MarketCmd::Confirm {
                order,
                delivery,
                reference,
                ref_hash,
                ..
            } => Payload::Confirm(pb::Confirm {
                order: p::hash(order, "--order")?,
                kind: if *delivery {
                    pb::ConfirmKind::Delivery
                } else {
                    pb::ConfirmKind::Payment
                } as i32,
                ref_hash: hash_or_text(
                    ref_hash.as_deref(),
                    reference.as_deref(),
                    "--ref-hash",
                    fp,
                )?,
            }),
            MarketCmd::Dispute {
                order,
                evidence,
                evidence_file,
                ..
            } => Payload::Dispute(pb::Dispute {
                order: p::hash(order, "--order")?,
                evidence_hash: hash_or_file(
                    evidence.as_deref(),
                    evidence_file.as_ref(),
                    "--evidence",
                    fp,
                )?,
            }),
        })
    }
}

/// What a market transaction creates, named by its id before it commits (a request's
/// grant, an approval's grant and an acceptance's voucher are known after).
pub(crate) fn created(
    h: Hashing,
    chain_id: &str,
    tx: &Hash32,
    payload: &Payload,
) -> Option<(&'static str, Hash32)> {
    match payload {
        Payload::RequestAccess(_) => Some(("request", h.request_id(chain_id, tx))),
        Payload::CreateListing(_) => Some(("listing", h.listing_id(chain_id, tx))),
        Payload::PlaceOrder(_) => Some(("order", h.order_id(chain_id, tx))),
        _ => None,
    }
}

/// Adds to a committed market transaction's output what its block made: the grant a
/// request or approval issued, an accepted order's voucher, and what comes next.
pub(crate) fn after_commit(
    ctx: &Ctx,
    h: Hashing,
    chain_id: &str,
    payload: &Payload,
    receipt: &ReceiptView,
    out: &mut Value,
) -> anyhow::Result<()> {
    let tx = receipt.tx_id;
    match payload {
        Payload::RequestAccess(_) => {
            let rid = h.request_id(chain_id, &tx);
            let view: RequestView = ctx.client().get(&format!("/v1/requests/{rid}"))?;
            out["request_status"] = json!(view.status);
            if let Some(g) = view.grant {
                out["grant"] = json!(g);
                out["granted"] = json!("at once: the asset is shared unconditionally");
            } else {
                out["next"] = json!(format!(
                    "its Operate holder answers: shuquan --key HOLDER.key tx approve-request --request {rid} (or decline-request --reason CODE)"
                ));
            }
        }
        Payload::AnswerRequest(a) if a.approve => {
            out["grant"] = json!(receipt
                .created
                .clone()
                .unwrap_or_else(|| h.grant_id(chain_id, &tx).to_hex()));
        }
        Payload::PlaceOrder(_) => {
            out["next"] = json!(format!(
                "the seller accepts: shuquan --key SELLER.key tx accept-order --order {}",
                h.order_id(chain_id, &tx)
            ));
        }
        Payload::AcceptOrder(a) => {
            let oid = Hash32::from_slice(&a.order).context("the order id")?;
            let view: OrderView = ctx.client().get(&format!("/v1/orders/{oid}"))?;
            if let Some(v) = &view.voucher {
                out["voucher"] = json!(v);
            }
            if let Some(g) = &view.grant {
                out["grant"] = json!(g);
            }
            out["next"] = json!(format!(
                "settle off chain, then the buyer confirms the delivery (tx confirm --order {oid} --delivery) and the seller the payment (tx confirm --order {oid} --payment --ref TEXT)"
            ));
        }
        Payload::Confirm(c) => {
            if let Ok(oid) = Hash32::from_slice(&c.order) {
                let view: OrderView = ctx.client().get(&format!("/v1/orders/{oid}"))?;
                out["order_status"] = json!(view.status);
            }
        }
        _ => {}
    }
    Ok(())
}
