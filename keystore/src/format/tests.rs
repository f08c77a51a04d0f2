//! The key file formats: round trips, wrong passphrases, damaged and hostile files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use age::secrecy::SecretString;

use super::*;

/// A cheap scrypt work factor: these tests are about the format, not the KDF's cost.
const FAST: Option<u8> = Some(10);

fn pass(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

fn encrypted(k: &Keypair, passphrase: &str) -> String {
    encrypt("k.key", k, pass(passphrase), FAST).unwrap()
}

fn open(text: &str, passphrase: &str) -> Result<Keypair> {
    match parse("k.key", text.as_bytes())? {
        Parsed::Encrypted { public, age } => decrypt("k.key", age, public, pass(passphrase)),
        Parsed::Plain(_) => panic!("parsed as plain"),
    }
}

#[test]
fn an_encrypted_key_round_trips_and_names_its_public_key_in_the_clear() {
    let k = key(7);
    let text = encrypted(&k, "correct horse battery staple");
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("# Shuquan key file, encrypted"));
    assert_eq!(
        lines.next().unwrap(),
        format!("# public_key: {}", k.public())
    );
    assert_eq!(lines.next().unwrap(), "-----BEGIN AGE ENCRYPTED FILE-----");
    assert!(
        text.ends_with("-----END AGE ENCRYPTED FILE-----\n"),
        "{text}"
    );
    assert!(!text.contains(&hex::encode(k.secret_bytes())));
    let back = open(&text, "correct horse battery staple").unwrap();
    assert_eq!(back.public(), k.public());
    assert_eq!(back.secret_bytes(), k.secret_bytes());
}

#[test]
fn a_wrong_passphrase_is_refused_by_name() {
    let text = encrypted(&key(1), "right");
    let err = open(&text, "wrong").unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase { .. }), "{err:?}");
    assert_eq!(err.to_string(), "wrong passphrase for key file k.key");
}

#[test]
fn a_truncated_file_is_damaged_not_a_wrong_passphrase() {
    let text = encrypted(&key(2), "p");
    for cut in [text.len() / 2, text.len() - 40] {
        let err = open(&text[..cut], "p").unwrap_err();
        assert!(
            matches!(err, Error::Damaged { .. }),
            "cut at {cut}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("key file k.key is damaged"),
            "{err}"
        );
    }
}

#[test]
fn an_altered_payload_is_damaged() {
    let text = encrypted(&key(3), "p");
    let lines: Vec<&str> = text.lines().collect();
    // The armor's second-to-last base64 line is inside the encrypted payload.
    let i = lines.len() - 3;
    let mut line: Vec<u8> = lines[i].bytes().collect();
    line[10] = if line[10] == b'A' { b'B' } else { b'A' };
    let mut altered: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    altered[i] = String::from_utf8(line).unwrap();
    let err = open(&(altered.join("\n") + "\n"), "p").unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
}

#[test]
fn a_header_naming_another_public_key_is_caught_on_decryption() {
    let text = encrypted(&key(4), "p");
    let forged = text.replace(&key(4).public().to_hex(), &key(5).public().to_hex());
    let err = open(&forged, "p").unwrap_err().to_string();
    assert!(err.contains("header was altered"), "{err}");
}

#[test]
fn plain_key_files_and_garbage_are_told_apart() {
    let plain = key(6).to_key_file();
    let parsed = parse("k.key", plain.as_bytes()).unwrap();
    assert_eq!(parsed.protection(), Protection::Plain);
    let err = parse("k.key", b"hello").unwrap_err().to_string();
    assert!(err.contains("neither a plain key file"), "{err}");
    let err = parse(
        "k.key",
        b"# public_key: zz\n-----BEGIN AGE ENCRYPTED FILE-----\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("the header's public key"), "{err}");
}

#[test]
fn an_age_file_for_a_recipient_key_is_not_a_passphrase_file() {
    let identity = age::x25519::Identity::generate();
    let ct = age::encrypt(&identity.to_public(), key(8).to_key_file().as_bytes()).unwrap();
    let err = open_bytes(&ct, "p").unwrap_err();
    assert!(matches!(err, Error::NotPassphrase { .. }), "{err:?}");
}

fn open_bytes(bytes: &[u8], passphrase: &str) -> Result<Keypair> {
    match parse("k.key", bytes)? {
        Parsed::Encrypted { public, age } => decrypt("k.key", age, public, pass(passphrase)),
        Parsed::Plain(_) => panic!("parsed as plain"),
    }
}

#[test]
fn a_file_asking_for_excessive_scrypt_work_is_refused_before_the_work() {
    let mut r = age::scrypt::Recipient::new(pass("p"));
    r.set_work_factor(10);
    let ct = age::encrypt(&r, b"{}").unwrap();
    // The binary header is text: `-> scrypt SALT 10`.
    let text = String::from_utf8_lossy(&ct).into_owned();
    let at = text.find(" 10\n").expect("the work factor in the stanza");
    let mut hostile = ct.clone();
    hostile[at + 1..at + 3].copy_from_slice(b"60");
    let err = open_bytes(&hostile, "p").unwrap_err();
    assert!(
        matches!(err, Error::ExcessiveWork { required: 60, .. }),
        "{err:?}"
    );
}
