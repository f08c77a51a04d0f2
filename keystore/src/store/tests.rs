//! Key files on disk: atomic in-place encryption and decryption, refusals, modes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use super::*;

const FAST: Option<u8> = Some(10);

fn env(s: &str) -> Passphrases {
    Passphrases::new(None, Some(Zeroizing::new(s.to_string())), false)
}

fn none() -> Passphrases {
    Passphrases::new(None, None, false)
}

fn plain_file(dir: &Path) -> (PathBuf, Keypair) {
    let path = dir.join("org1.key");
    let key = Keypair::from_seed([9; 32]).unwrap();
    write_new(&path, &key, None).unwrap();
    (path, key)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn encrypt_then_decrypt_in_place_keeps_the_key_the_mode_and_no_stray_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = plain_file(dir.path());
    assert_eq!(protection(&path).unwrap(), Protection::Plain);

    assert_eq!(
        encrypt_file_with(&path, &env("s3cret"), FAST).unwrap(),
        key.public()
    );
    assert_eq!(protection(&path).unwrap(), Protection::Encrypted);
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    assert_eq!(entries(dir.path()), ["org1.key"]);
    let (back, p) = read(&path, &env("s3cret")).unwrap();
    assert_eq!(
        (back.secret_bytes(), p),
        (key.secret_bytes(), Protection::Encrypted)
    );

    assert_eq!(decrypt_file(&path, &env("s3cret")).unwrap(), key.public());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), key.to_key_file());
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    assert_eq!(entries(dir.path()), ["org1.key"]);
}

#[test]
fn encrypting_twice_or_decrypting_a_plain_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = plain_file(dir.path());
    let err = decrypt_file(&path, &env("x")).unwrap_err().to_string();
    assert!(
        err.contains("is not encrypted; nothing was changed"),
        "{err}"
    );
    encrypt_file_with(&path, &env("x"), FAST).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = encrypt_file_with(&path, &env("x"), FAST)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is already encrypted; nothing was changed"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_wrong_passphrase_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = plain_file(dir.path());
    encrypt_file_with(&path, &env("right"), FAST).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = decrypt_file(&path, &env("wrong")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("wrong passphrase for key file {}", path.display())
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_public_key_of_an_encrypted_file_needs_no_passphrase_but_its_secret_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.key");
    let key = Keypair::from_seed([3; 32]).unwrap();
    write_new_with(&path, &key, Some(&env("p")), FAST).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    assert_eq!(public_key(&path, &none()).unwrap(), key.public());
    let err = read(&path, &none()).unwrap_err();
    assert!(matches!(err, Error::NoPassphrase { .. }), "{err:?}");
    assert_eq!(load(&path, &env("p")).unwrap().public(), key.public());
}

#[test]
fn a_new_key_file_never_overwrites_and_an_unreadable_passphrase_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = plain_file(dir.path());
    let err = write_new(&path, &key, None).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let other = dir.path().join("other.key");
    let empty = Passphrases::new(Some(dir.path().join("missing")), None, false);
    assert!(matches!(
        write_new(&other, &key, Some(&empty)).unwrap_err(),
        Error::PassphraseFile { .. }
    ));
    assert!(!other.exists());
}

#[test]
fn a_truncated_encrypted_file_on_disk_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = plain_file(dir.path());
    encrypt_file_with(&path, &env("p"), FAST).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() * 2 / 3]).unwrap();
    let err = read(&path, &env("p")).unwrap_err().to_string();
    assert!(err.contains("is damaged"), "{err}");
}
