//! `shuquan query` for the market: access requests and answer times, listings, orders,
//! vouchers, price statistics, and the ODRL and PROV-O renderings other systems read.

use anyhow::{anyhow, Context};
use clap::{ArgGroup, Subcommand};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use shuquan_proto::views::{
    AnswerTimesView, AssetView, ListingView, MemberView, OrderView, PricesView, RequestView,
    VoucherView,
};
use shuquan_proto::Hash32;

use crate::market_print as print;
use crate::readable::Readable;
use crate::{output, Ctx};

/// Market queries.
#[derive(Debug, Subcommand)]
pub(crate) enum MarketQueryCmd {
    /// Access requests addressed to a member (`--to me`: the member of --key) or made for
    /// an asset, one page in id order, with status, terms and how long the answer took.
    ///
    /// Example: shuquan --key org1.key query requests --to me
    #[command(group(ArgGroup::new("whose").required(true).args(["to", "asset"])))]
    Requests {
        /// A member (short id, member id or account key), or `me`.
        #[arg(long, value_name = "MEMBER|me")]
        to: Option<String>,
        /// An asset id.
        #[arg(long)]
        asset: Option<String>,
        /// One page after this id (the last of the previous page; a number for vouchers).
        #[arg(long)]
        after: Option<String>,
        /// Items per page (1 to 1000, default 100).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// One access request.
    ///
    /// Example: shuquan query request 9c4e…
    Request { id: String },
    /// How fast each member answers the access requests addressed to it: received,
    /// answered, granted at once, open, expired, median and longest answer time.
    ///
    /// Example: shuquan query answer-times
    AnswerTimes,
    /// Listings, one page in id order: open ones (of an asset, or the whole chain's), or all.
    ///
    /// Example: shuquan query listings --asset 3f2a… --all
    Listings {
        /// Only this asset's.
        #[arg(long)]
        asset: Option<String>,
        /// Also those sold, cancelled or expired.
        #[arg(long)]
        all: bool,
        /// One page after this id (the last of the previous page; a number for vouchers).
        #[arg(long)]
        after: Option<String>,
        /// Items per page (1 to 1000, default 100).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// One listing: what it offers, price, delivery, validity.
    ///
    /// Example: shuquan query listing 5d1b…
    Listing { id: String },
    /// Orders, one page in id order: yours (`--mine`: buyer or seller, the member of --key), a
    /// member's, or a listing's.
    ///
    /// Example: shuquan --key org1.key query orders --mine
    #[command(group(ArgGroup::new("whose").required(true).args(["mine", "member", "listing"])))]
    Orders {
        /// The member of --key.
        #[arg(long)]
        mine: bool,
        /// A member (short id, member id or account key).
        #[arg(long)]
        member: Option<String>,
        /// A listing id.
        #[arg(long)]
        listing: Option<String>,
        /// One page after this id (the last of the previous page; a number for vouchers).
        #[arg(long)]
        after: Option<String>,
        /// Items per page (1 to 1000, default 100).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// One order: parties, total, status, voucher, settlement confirmations, dispute.
    ///
    /// Example: shuquan query order 7a90…
    Order { id: String },
    /// A transaction voucher by its number, printed as a certificate: parties, asset and
    /// registration number, what was transferred or licensed, price, block and transaction.
    ///
    /// Example: shuquan query voucher GX-V-2026-000001
    Voucher { number: String },
    /// Transaction vouchers, in number order, one page.
    Vouchers {
        /// One page after this id (the last of the previous page; a number for vouchers).
        #[arg(long)]
        after: Option<String>,
        /// Items per page (1 to 1000, default 100).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Unit prices of completed trades (count, min, quartiles, median, max) per currency
    /// and price unit, to price by the market.
    ///
    /// Example: shuquan query prices --sector transport --kind licence --since 2026-01-01
    Prices {
        /// The assets' sector, e.g. transport.
        #[arg(long)]
        sector: Option<String>,
        /// hold, use, operate (a right sold) or licence.
        #[arg(long, value_parser = ["hold", "use", "operate", "licence"])]
        kind: Option<String>,
        /// Trades from the start of this day (UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
    },
    /// A grant, or a listing's licence terms, as a W3C ODRL 2.2 policy (JSON-LD).
    ///
    /// Example: shuquan query odrl --grant 6b2d…
    #[command(group(ArgGroup::new("subject").required(true).args(["grant", "listing"])))]
    Odrl {
        /// A grant id.
        #[arg(long)]
        grant: Option<String>,
        /// A licence listing's id.
        #[arg(long)]
        listing: Option<String>,
    },
    /// An asset's history and lineage as W3C PROV-O (JSON-LD).
    ///
    /// Example: shuquan query prov 3f2a…
    Prov { asset: String },
}

/// An id from the command line, checked before it goes into a path.
fn id(s: &str, what: &str) -> anyhow::Result<Hash32> {
    s.parse().with_context(|| format!("{what} {s:?}"))
}

/// The member id (hex) a name stands for: `me` is the member of --key.
fn member_id(ctx: &Ctx, name: &str) -> anyhow::Result<String> {
    let name = if name == "me" {
        ctx.key()
            .context("`me` is the member of --key")?
            .public()
            .to_string()
    } else {
        name.to_string()
    };
    if !(shuquan_proto::gov::is_short_id(&name) || crate::parse::is_id_or_key_hex(&name)) {
        anyhow::bail!("{name:?} names no member: give a short id such as org2, a member id (64 hex) or an account key (64 hex, or 66 for SM2)");
    }
    let m: MemberView = ctx
        .client()
        .get(&format!("/v1/members/{name}"))
        .with_context(|| format!("asking the node which member {name} is"))?;
    Ok(m.member_id)
}

/// Prints `value` as JSON, or as `text` renders it.
fn show<T: Serialize>(ctx: &Ctx, value: &T, text: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
    if ctx.json {
        output::print(ctx, &serde_json::to_value(value)?)
    } else {
        out!("{}", text(value));
        Ok(())
    }
}

/// The chain's time zone for the text tables (asked of the node only when text is shown).
fn zone(ctx: &Ctx) -> Readable {
    Readable::load(ctx, ctx.utc)
}

fn get<T: DeserializeOwned>(ctx: &Ctx, path: &str) -> anyhow::Result<T> {
    ctx.client().get(path)
}

/// `?a=1&b=2` of the pairs that have a value (values are URL-encoded).
fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            q.append_pair(k, v);
        }
    }
    let q = q.finish();
    if q.is_empty() {
        q
    } else {
        format!("?{q}")
    }
}

/// `path` with `after` and `limit` appended as query parameters.
fn paged(path: String, after: &Option<String>, limit: Option<usize>) -> String {
    let extra = query_string(&[
        ("after", after.clone()),
        ("limit", limit.map(|l| l.to_string())),
    ]);
    match extra.strip_prefix('?') {
        Some(e) if path.contains('?') => format!("{path}&{e}"),
        _ => format!("{path}{extra}"),
    }
}

/// Runs a market query.
pub(crate) fn run(ctx: &Ctx, q: &MarketQueryCmd) -> anyhow::Result<()> {
    match q {
        MarketQueryCmd::Requests {
            to,
            asset,
            after,
            limit,
        } => {
            let path = match (to, asset) {
                (Some(m), _) => format!("/v1/requests?to={}", member_id(ctx, m)?),
                (None, Some(a)) => format!("/v1/requests?asset={}", id(a, "--asset")?),
                (None, None) => return Err(anyhow!("give --to MEMBER (or me) or --asset ASSET")),
            };
            let rs: Vec<RequestView> = get(ctx, &paged(path, after, *limit))?;
            show(ctx, &rs, |rs| print::requests(rs))
        }
        MarketQueryCmd::Request { id: r } => {
            let v: RequestView = get(ctx, &format!("/v1/requests/{}", id(r, "request")?))?;
            show(ctx, &v, |v| print::request(&zone(ctx), v))
        }
        MarketQueryCmd::AnswerTimes => {
            let ts: Vec<AnswerTimesView> = get(ctx, "/v1/requests/answer-times")?;
            show(ctx, &ts, |ts| print::answer_times(ts))
        }
        MarketQueryCmd::Listings {
            asset,
            all,
            after,
            limit,
        } => {
            let asset = asset.as_deref().map(|a| id(a, "--asset")).transpose()?;
            let path = format!(
                "/v1/listings{}",
                query_string(&[
                    ("asset", asset.map(|a| a.to_hex())),
                    ("all", all.then(|| "true".to_string())),
                ])
            );
            let ls: Vec<ListingView> = get(ctx, &paged(path, after, *limit))?;
            show(ctx, &ls, |ls| print::listings(&zone(ctx), ls))
        }
        MarketQueryCmd::Listing { id: l } => {
            let v: ListingView = get(ctx, &format!("/v1/listings/{}", id(l, "listing")?))?;
            show(ctx, &v, |v| print::listing(&zone(ctx), v))
        }
        MarketQueryCmd::Orders {
            mine,
            member,
            listing,
            after,
            limit,
        } => {
            let path = match (mine, member, listing) {
                (true, _, _) => format!("/v1/orders?member={}", member_id(ctx, "me")?),
                (_, Some(m), _) => format!("/v1/orders?member={}", member_id(ctx, m)?),
                (_, _, Some(l)) => format!("/v1/listings/{}/orders", id(l, "--listing")?),
                _ => return Err(anyhow!("give --mine, --member MEMBER or --listing LISTING")),
            };
            let os: Vec<OrderView> = get(ctx, &paged(path, after, *limit))?;
            show(ctx, &os, |os| print::orders(os))
        }
        MarketQueryCmd::Order { id: o } => {
            let v: OrderView = get(ctx, &format!("/v1/orders/{}", id(o, "order")?))?;
            show(ctx, &v, |v| print::order(&zone(ctx), v))
        }
        MarketQueryCmd::Voucher { number } => {
            let number = number.trim();
            if number.is_empty()
                || !number
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                anyhow::bail!("{number:?} is not a voucher number like GX-V-2026-000001");
            }
            let v: VoucherView = get(ctx, &format!("/v1/vouchers/{number}"))?;
            show(ctx, &v, |v| {
                let asset: Option<AssetView> = get(ctx, &format!("/v1/assets/{}", v.asset)).ok();
                print::voucher(&zone(ctx), v, asset.as_ref().map(|a| a.name.as_str()))
            })
        }
        MarketQueryCmd::Vouchers { after, limit } => {
            let vs: Vec<VoucherView> = get(ctx, &paged("/v1/vouchers".into(), after, *limit))?;
            show(ctx, &vs, |vs| print::vouchers(vs))
        }
        MarketQueryCmd::Prices {
            sector,
            kind,
            since,
        } => {
            let since = since.as_deref().map(|d| ctx.days()?.start(d)).transpose()?;
            let path = format!(
                "/v1/prices{}",
                query_string(&[
                    ("sector", sector.clone()),
                    ("kind", kind.clone()),
                    ("since", since.map(|t| t.to_string())),
                ])
            );
            let v: PricesView = get(ctx, &path)?;
            show(ctx, &v, |v| print::prices(&zone(ctx), v))
        }
        MarketQueryCmd::Odrl { grant, listing } => {
            let path = match (grant, listing) {
                (Some(g), _) => format!("/v1/grants/{}/odrl", id(g, "--grant")?),
                (None, Some(l)) => format!("/v1/listings/{}/odrl", id(l, "--listing")?),
                (None, None) => return Err(anyhow!("give --grant GRANT or --listing LISTING")),
            };
            json_ld(ctx, &path)
        }
        MarketQueryCmd::Prov { asset } => {
            json_ld(ctx, &format!("/v1/assets/{}/prov", id(asset, "asset")?))
        }
    }
}

/// A JSON-LD document, printed as the node serves it (indented) in either output form.
fn json_ld(ctx: &Ctx, path: &str) -> anyhow::Result<()> {
    let doc: Value = get(ctx, path)?;
    outln!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}
