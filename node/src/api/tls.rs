//! TLS for the API (`api.tls_cert`, `api.tls_key`): rustls on ring, the certificate chain
//! and its private key read from PEM files once at start. A file that is missing,
//! unreadable, holds no certificate or key, or a key that does not belong to the
//! certificate stops the node with the setting's name and what to do.

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::ring::default_provider;
use rustls::ServerConfig;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};

fn bad(key: &str, message: String) -> Error {
    Error::Config {
        key: key.into(),
        message,
    }
}

/// Why a PEM file could not be used, in words.
fn pem_problem(path: &Path, what: &str, e: pem::Error) -> String {
    match e {
        pem::Error::Io(e) => format!("cannot read {}: {e}", path.display()),
        pem::Error::NoItemsFound => {
            format!("{} holds no PEM {what}", path.display())
        }
        other => format!("{} is not a PEM {what}: {other}", path.display()),
    }
}

/// The server side of HTTPS for the certificate chain in `cert` and the private key in
/// `key` (PEM: PKCS#8, PKCS#1 or SEC1). HTTP/1.1 is offered through ALPN.
pub(crate) fn config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("api.tls_cert", pem_problem(cert, "certificate", e)))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad("api.tls_cert", pem_problem(cert, "certificate", e)))?;
    if chain.is_empty() {
        return Err(bad(
            "api.tls_cert",
            format!("{} holds no PEM certificate", cert.display()),
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| bad("api.tls_key", pem_problem(key, "private key", e)))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("api.tls_cert", format!("TLS setup failed: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            bad(
                "api.tls_key",
                format!(
                    "{} does not fit the certificate in {}: {e}",
                    key.display(),
                    cert.display()
                ),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn key_of(e: Error) -> String {
        match e {
            Error::Config { key, message } => format!("{key}: {message}"),
            other => format!("not a config error: {other}"),
        }
    }

    #[test]
    fn a_matching_pair_loads_and_every_bad_file_names_its_setting() {
        let dir = tempfile::tempdir().unwrap();
        let one = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert, one.cert.pem()).unwrap();
        std::fs::write(&key, one.key_pair.serialize_pem()).unwrap();
        config(&cert, &key).unwrap();

        let missing = dir.path().join("missing.pem");
        let e = key_of(config(&missing, &key).unwrap_err());
        assert!(
            e.starts_with("api.tls_cert: cannot read") && e.contains("missing.pem"),
            "{e}"
        );
        let e = key_of(config(&cert, &missing).unwrap_err());
        assert!(e.starts_with("api.tls_key: cannot read"), "{e}");
        let e = key_of(config(&key, &key).unwrap_err());
        assert!(
            e.starts_with("api.tls_cert:") && e.contains("no PEM certificate"),
            "{e}"
        );
        let e = key_of(config(&cert, &cert).unwrap_err());
        assert!(
            e.starts_with("api.tls_key:") && e.contains("no PEM private key"),
            "{e}"
        );
        let wrong = dir.path().join("other.pem");
        std::fs::write(&wrong, other.key_pair.serialize_pem()).unwrap();
        let e = key_of(config(&cert, &wrong).unwrap_err());
        assert!(
            e.starts_with("api.tls_key:") && e.contains("does not fit the certificate"),
            "{e}"
        );
    }
}
