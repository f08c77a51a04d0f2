//! Registration status as a pure function of an asset's record and a time, shared by the
//! ledger's rules, its queries and the offline auditor (which reads it from a proven record).

use crate::pb::{self, RegistrationStatus as S};

/// An asset's registration status at `at`: the stored status, turned `expired` once its
/// certificate's validity has passed.
pub fn registration_status(a: &pb::AssetRecord, at: u64) -> S {
    let stored = S::try_from(a.status).unwrap_or(S::Unspecified);
    match stored {
        S::Registered | S::Changed | S::Renewed
            if a.valid_until_ms != 0 && at >= a.valid_until_ms =>
        {
            S::Expired
        }
        s => s,
    }
}

/// Whether a registration status lets rights move, grants issue and derivations start.
pub fn in_force(s: S) -> bool {
    matches!(s, S::Registered | S::Changed | S::Renewed)
}

/// Whether an asset in this status holds a certificate (it was certified once).
pub fn certified(s: S) -> bool {
    in_force(s) || matches!(s, S::Cancelled | S::Expired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_expires_at_its_validity_end_and_only_a_certified_status_does() {
        let a = |status: S, until: u64| pb::AssetRecord {
            status: status as i32,
            valid_until_ms: until,
            ..Default::default()
        };
        assert_eq!(
            registration_status(&a(S::Registered, 100), 99),
            S::Registered
        );
        assert_eq!(registration_status(&a(S::Registered, 100), 100), S::Expired);
        assert_eq!(registration_status(&a(S::Renewed, 0), u64::MAX), S::Renewed);
        assert_eq!(registration_status(&a(S::InNotice, 100), 200), S::InNotice);
        assert_eq!(
            registration_status(&a(S::Cancelled, 100), 200),
            S::Cancelled
        );
        assert!(!in_force(S::Expired) && certified(S::Expired));
        assert!(!certified(S::Rejected) && !certified(S::InNotice));
    }
}
