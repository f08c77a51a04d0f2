//! Peer-to-peer networking between member nodes (libp2p). Placeholder while it is written.
