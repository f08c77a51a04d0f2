//! Nodes in network namespaces, for partitions. `scripts/chaos` creates one namespace per
//! node (`PREFIX-nN`, address `10.77.0.N` on `eth0`) and a hub namespace (`PREFIX-hub`)
//! whose bridge joins them; the chaos driver runs in the hub, so it reaches every node.
//!
//! A cut between two nodes is a permanent neighbour entry, on each side, that points the
//! other's address at a MAC address nobody has: frames still leave, the bridge floods them
//! and nobody takes them, so packets vanish silently in both directions, as on a real
//! partition. Healing deletes the entries and ARP finds the real neighbour again. This
//! needs only iproute2 and no kernel module (this machine's kernel has no `sch_prio`).

use std::process::Command;

use anyhow::{bail, Context};

/// The node subnet inside the namespaces; node `i` is `SUBNET.i`.
pub const SUBNET: &str = "10.77.0";
/// The interface of a node namespace.
pub const DEV: &str = "eth0";
/// A locally administered MAC address no interface has.
const NOWHERE: &str = "02:00:00:5e:00:99";

/// The namespaces of one run.
#[derive(Debug, Clone)]
pub struct Netns {
    /// Name prefix, e.g. `shqc4242`.
    pub prefix: String,
}

impl Netns {
    /// The namespace of node `i` (1-based).
    pub fn ns(&self, i: usize) -> String {
        format!("{}-n{i}", self.prefix)
    }

    /// The address of node `i` (1-based).
    pub fn host(i: usize) -> String {
        format!("{SUBNET}.{i}")
    }

    /// Packets between nodes `a` and `b` vanish, both ways.
    pub fn cut(&self, a: usize, b: usize) -> anyhow::Result<()> {
        for (from, to) in [(a, b), (b, a)] {
            ip(&[
                "-n",
                &self.ns(from),
                "neigh",
                "replace",
                &Self::host(to),
                "lladdr",
                NOWHERE,
                "nud",
                "permanent",
                "dev",
                DEV,
            ])?;
        }
        Ok(())
    }

    /// Undoes [`Netns::cut`].
    pub fn heal(&self, a: usize, b: usize) -> anyhow::Result<()> {
        for (from, to) in [(a, b), (b, a)] {
            ip(&[
                "-n",
                &self.ns(from),
                "neigh",
                "del",
                &Self::host(to),
                "dev",
                DEV,
            ])?;
        }
        Ok(())
    }
}

fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .context("running ip (iproute2)")?;
    if !out.status.success() {
        bail!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
