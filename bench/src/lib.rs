//! Shuquan against etcd, side by side: the clusters under test, the two closed-loop loads,
//! the `/proc` readings and the report. The `shuquan-bench` binary (`scripts/bench`) puts
//! them together.

pub mod etcd_load;
pub mod fill;
pub mod procstat;
pub mod report;
pub mod servers;
pub mod shuquan_load;
pub mod stats;
pub mod workload;
