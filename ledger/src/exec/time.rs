//! Block time: the leader's clock, bounded by the clocks of the block's own transactions.

/// A block's time: the proposer's clock, held within `skew` of the median timestamp of the
/// block's transactions (signed by their clients, whose clocks a node checked at admission),
/// and never before the previous block. A proposer whose clock runs fast or slow therefore
/// cannot move the chain's time further than `skew` from its clients', nor make their
/// transactions fail their time window.
pub fn block_time(proposed: u64, prev: u64, tx_times: impl Iterator<Item = u64>, skew: u64) -> u64 {
    let mut times: Vec<u64> = tx_times.collect();
    let bounded = if times.is_empty() {
        proposed
    } else {
        let mid = (times.len() - 1) / 2;
        let (_, median, _) = times.select_nth_unstable(mid);
        let median = *median;
        proposed.clamp(median.saturating_sub(skew), median.saturating_add(skew))
    };
    bounded.max(prev)
}
