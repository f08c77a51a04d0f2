//! `shuquan catalogue search`: the node's catalogue of assets, filtered, sorted and paged,
//! as a table (or the page as JSON with `--output json`).

use clap::Args;
use serde_json::Value;

use crate::{output, parse, Ctx};

/// Filters of `catalogue search` (every one given narrows the page).
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// Free text over name and description (Chinese works: 公交).
    #[arg(value_name = "TEXT")]
    text: Option<String>,
    /// Sector code, e.g. transport.
    #[arg(long)]
    sector: Option<String>,
    /// general or important.
    #[arg(long)]
    grade: Option<String>,
    /// public, enterprise or personal.
    #[arg(long)]
    origin: Option<String>,
    /// Where the data resides, e.g. CN.
    #[arg(long)]
    jurisdiction: Option<String>,
    /// The Hold holder: a short id (org1) or member id.
    #[arg(long)]
    holder: Option<String>,
    /// applied, in-review, in-notice, registered, rejected, withdrawn, changed, renewed,
    /// cancelled or expired.
    #[arg(long)]
    status: Option<String>,
    /// A delivery mode it offers: download, query, compute or verify.
    #[arg(long)]
    delivery: Option<String>,
    /// unconditional, conditional or not-shared.
    #[arg(long)]
    sharing: Option<String>,
    /// Certified on or after this day (in the chain's time zone; UTC with --utc).
    #[arg(long, value_name = "YYYY-MM-DD")]
    registered_from: Option<String>,
    /// Certified on or before this day (in the chain's time zone; UTC with --utc).
    #[arg(long, value_name = "YYYY-MM-DD")]
    registered_to: Option<String>,
    /// newest (default), oldest or name.
    #[arg(long)]
    sort: Option<String>,
    /// Entries per page (1 to 200; default 20).
    #[arg(long)]
    limit: Option<usize>,
    /// The next page: the cursor the previous page printed.
    #[arg(long)]
    cursor: Option<String>,
}

impl SearchArgs {
    /// The query string of `GET /v1/catalogue`.
    fn query(&self, days: parse::Days) -> anyhow::Result<String> {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let pairs = [
            ("q", &self.text),
            ("sector", &self.sector),
            ("grade", &self.grade),
            ("origin", &self.origin),
            ("jurisdiction", &self.jurisdiction),
            ("holder", &self.holder),
            ("status", &self.status),
            ("delivery", &self.delivery),
            ("sharing", &self.sharing),
            ("sort", &self.sort),
            ("cursor", &self.cursor),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        if let Some(d) = &self.registered_from {
            q.append_pair("registered_from", &days.start(d)?.to_string());
        }
        if let Some(d) = &self.registered_to {
            // Inclusive: up to the last millisecond of that day.
            let end = days.end(d)?.saturating_sub(1);
            q.append_pair("registered_to", &end.to_string());
        }
        if let Some(n) = self.limit {
            q.append_pair("limit", &n.to_string());
        }
        Ok(q.finish())
    }
}

/// Runs `catalogue search`.
pub(crate) fn search(ctx: &Ctx, args: &SearchArgs) -> anyhow::Result<()> {
    // The chain's zone is asked only when a day needs reading.
    let days = if args.registered_from.is_some() || args.registered_to.is_some() {
        ctx.days()?
    } else {
        parse::Days::UTC
    };
    let page: Value = ctx
        .client()
        .get(&format!("/v1/catalogue?{}", args.query(days)?))?;
    if ctx.json {
        return output::print(ctx, &page);
    }
    out!("{}", table(&page));
    Ok(())
}

/// `text` cut and padded to `cols` terminal columns (a Chinese character takes two).
fn fit(text: &str, cols: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cols {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(cols - used));
    out
}

/// The page as aligned text: one line per entry, then the count and the next cursor.
fn table(page: &Value) -> String {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    let mut out = format!(
        "{:<16}  {:<28}  {:<10}  {:<10}  {:<12}  {:<9}  {:<13}  {:<10}  ASSET\n",
        "NUMBER", "NAME", "HOLDER", "STATUS", "SECTOR", "GRADE", "SHARING", "REGISTERED"
    );
    let entries = page["entries"].as_array().cloned().unwrap_or_default();
    for e in &entries {
        let name = fit(&s(&e["name"]), 28);
        let day = e["registered_at_ms"]
            .as_i64()
            .filter(|ms| *ms > 0)
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map_or("-".to_string(), |d| d.format("%Y-%m-%d").to_string());
        out.push_str(&format!(
            "{:<16}  {}  {:<10}  {:<10}  {:<12}  {:<9}  {:<13}  {:<10}  {}\n",
            s(&e["number"]),
            name,
            s(&e["holder_short"]),
            s(&e["status"]),
            s(&e["sector"]),
            s(&e["grade"]),
            s(&e["sharing"]),
            day,
            s(&e["asset"]),
        ));
    }
    if let Some(total) = page["total"].as_u64() {
        out.push_str(&format!("{} of {total} matching", entries.len()));
    } else {
        out.push_str(&format!("{} more", entries.len()));
    }
    out.push_str(&format!(
        " (catalogue at height {})\n",
        page["indexed_height"]
    ));
    if let Some(c) = page["next_cursor"].as_str() {
        out.push_str(&format!("next page: --cursor {c}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: SearchArgs,
    }

    #[test]
    fn names_are_cut_and_padded_to_terminal_columns() {
        assert_eq!(fit("公交客流 2026", 10), "公交客流 2");
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("公交", 3), "公 ");
    }

    #[test]
    fn filters_become_an_encoded_query_and_days_become_inclusive_bounds() {
        let t = T::parse_from([
            "t",
            "公交 GPS",
            "--grade",
            "general",
            "--registered-from",
            "1970-01-02",
            "--registered-to",
            "1970-01-02",
        ]);
        let q = t.a.query(parse::Days::UTC).unwrap_or_default();
        assert!(q.contains("q=%E5%85%AC%E4%BA%A4+GPS"), "{q}");
        assert!(q.contains("grade=general"), "{q}");
        assert!(q.contains("registered_from=86400000"), "{q}");
        assert!(q.contains("registered_to=172799999"), "{q}");
        assert!(T::try_parse_from(["t", "--registered-to", "2026-13-01"])
            .map(|t| t.a.query(parse::Days::UTC).is_err())
            .unwrap_or(true));
    }
}
