//! Closed-loop clients against Shuquan nodes: client `c` posts its pre-signed transactions
//! one after another to node `c mod N` (`POST /v1/tx?wait=commit`, protobuf body) and
//! waits for each to commit. Client threads with one kept-alive connection each.

use std::time::{Duration, Instant};

use crate::stats::Sample;

/// Runs every client of `work` for `secs` (or until its transactions run out).
pub fn run(urls: &[String], work: Vec<Vec<Vec<u8>>>, secs: u64) -> Sample {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let workers: Vec<_> = work
        .into_iter()
        .enumerate()
        .map(|(c, txs)| {
            let url = format!(
                "{}/v1/tx?wait=commit",
                urls[c % urls.len()].trim_end_matches('/')
            );
            std::thread::spawn(move || client(&url, txs, deadline))
        })
        .collect();
    let parts: Vec<Sample> = workers
        .into_iter()
        .map(|w| w.join().unwrap_or_default())
        .collect();
    Sample::merge(parts, started.elapsed().min(Duration::from_secs(secs)))
}

fn client(url: &str, txs: Vec<Vec<u8>>, deadline: Instant) -> Sample {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut s = Sample::default();
    for raw in txs {
        if Instant::now() >= deadline {
            break;
        }
        let t = Instant::now();
        let committed = agent
            .post(url)
            .header("content-type", "application/x-protobuf")
            .send(&raw[..])
            .ok()
            .filter(|r| r.status().as_u16() == 200)
            .and_then(|mut r| r.body_mut().read_to_string().ok())
            .is_some_and(|body| body.contains("\"status\":\"committed\""));
        if committed {
            s.latencies.push(t.elapsed());
        } else {
            s.errors += 1;
        }
    }
    s
}
