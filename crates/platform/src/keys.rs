//! Each process's own Ed25519 key pair, and the public keys of the system's services.
//!
//! One key pair per process signs both the internal tokens it sends ([`crate::identity`])
//! and the events it publishes ([`crate::events`]); nobody else holds its private key, so
//! no process can speak for another. The private key is a PKCS#8 PEM file (what
//! `openssl genpkey -algorithm ed25519` writes); the trusted public keys are a directory of
//! `<service>.pem` files, each with one or more `PUBLIC KEY` blocks: during a rotation the
//! new key is added beside the old one, which is removed once nothing signed by it is left
//! to verify (docs/security.md). A key is named by its id, the first 8 bytes of the SHA-256
//! of the public key in hex, carried with every signature.
//!
//! The directory is read again when a signature names a key not yet known (at most once a
//! second), so keys added while the system runs (a rotation, a service started later in
//! `make run`) are found without a restart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::config::IdentitySettings;

/// The name the gateway's key is trusted under: the one process that authenticates people.
pub const GATEWAY: &str = "gateway";

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("platform.identity.key_file is not set: every process signs with its own key")]
    NoKeyFile,
    #[error("platform.identity.trust_dir is not set: the public keys of the services are needed")]
    NoTrustDir,
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not an Ed25519 key in PEM: {reason}")]
    Pem { path: PathBuf, reason: String },
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error("no key {kid} of {service} is trusted")]
    UnknownKey { service: String, kid: String },
    #[error("the signature is not valid for key {kid} of {service}")]
    BadSignature { service: String, kid: String },
    #[error("the signature is malformed")]
    Malformed,
}

/// The id of a public key: the first 8 bytes of its SHA-256, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// This process's key and the keys it trusts.
pub struct Keyring {
    service: String,
    signing: SigningKey,
    kid: String,
    trust_dir: PathBuf,
    trusted: RwLock<HashMap<(String, String), VerifyingKey>>,
    last_reload: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("service", &self.service).field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// How often the trusted keys may be read again when an unknown key is named.
const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(1);

impl Keyring {
    /// Loads `service`'s key and the trusted keys; in dev mode (`generate`), a missing key
    /// is made (mode 0600) and its public key published into the trust directory.
    pub fn load(service: &str, settings: &IdentitySettings) -> Result<Arc<Keyring>, KeyError> {
        let key_file = settings.key_file.clone().ok_or(KeyError::NoKeyFile)?;
        let trust_dir = settings.trust_dir.clone().ok_or(KeyError::NoTrustDir)?;
        let signing = match std::fs::read_to_string(&key_file) {
            Ok(pem) => SigningKey::from_pkcs8_pem(&pem)
                .map_err(|e| KeyError::Pem { path: key_file.clone(), reason: e.to_string() })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && settings.generate => {
                let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
                write_private(&key_file, &key)?;
                key
            }
            Err(source) => return Err(KeyError::Io { path: key_file, source }),
        };
        if settings.generate {
            publish(&trust_dir, service, &signing.verifying_key())?;
        }
        let ring = Keyring {
            service: service.to_string(),
            kid: key_id(&signing.verifying_key()),
            signing,
            trust_dir,
            trusted: RwLock::new(HashMap::new()),
            last_reload: Mutex::new(None),
        };
        ring.reload()?;
        Ok(Arc::new(ring))
    }

    /// A fresh key that trusts only itself, kept in memory (unit tests, one-off tools).
    pub fn ephemeral(service: &str) -> Arc<Keyring> {
        let signing = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
        let kid = key_id(&signing.verifying_key());
        let trusted = HashMap::from([((service.to_string(), kid.clone()), signing.verifying_key())]);
        Arc::new(Keyring {
            service: service.to_string(),
            signing,
            kid,
            trust_dir: PathBuf::new(),
            trusted: RwLock::new(trusted),
            last_reload: Mutex::new(Some(Instant::now())),
        })
    }

    /// The service this process is.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The id of this process's current key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key as PKCS#8 DER, for the token signer.
    pub fn pkcs8_der(&self) -> Vec<u8> {
        self.signing.to_pkcs8_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The trusted key `kid` of `service`, reading the directory again if it is not known.
    pub fn public_key(&self, service: &str, kid: &str) -> Result<VerifyingKey, VerifyError> {
        let lookup = |ring: &Keyring| {
            ring.trusted.read().ok().and_then(|t| t.get(&(service.to_string(), kid.to_string())).copied())
        };
        if let Some(k) = lookup(self) {
            return Ok(k);
        }
        // The directory is read under the lock: a caller that arrives while another reads it
        // waits and then finds the key too. (Checking the time under the lock but reading
        // after it let the second of two concurrent first calls from a newly started
        // gateway be refused: its reload was "not due" and the first one's not done yet.)
        if let Ok(mut last) = self.last_reload.lock() {
            if let Some(k) = lookup(self) {
                return Ok(k);
            }
            if last.is_none_or(|t| t.elapsed() >= RELOAD_AT_MOST_EVERY) {
                *last = Some(Instant::now());
                if let Err(e) = self.reload() {
                    tracing::warn!(error = %e, "trusted keys could not be read again");
                }
            }
        }
        lookup(self).ok_or_else(|| VerifyError::UnknownKey { service: service.into(), kid: kid.into() })
    }

    /// Checks that `signature` over `message` was made by key `kid` of `service`.
    pub fn verify(&self, service: &str, kid: &str, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        let key = self.public_key(service, kid)?;
        let signature = Signature::from_slice(signature).map_err(|_| VerifyError::Malformed)?;
        key.verify(message, &signature)
            .map_err(|_| VerifyError::BadSignature { service: service.into(), kid: kid.into() })
    }

    fn reload(&self) -> Result<(), KeyError> {
        if self.trust_dir.as_os_str().is_empty() {
            return Ok(()); // an ephemeral ring
        }
        let keys = read_trust_dir(&self.trust_dir)?;
        if let Ok(mut t) = self.trusted.write() {
            *t = keys;
        }
        Ok(())
    }
}

/// Every `<service>.pem` of `dir`: (service, key id) → key.
fn read_trust_dir(dir: &Path) -> Result<HashMap<(String, String), VerifyingKey>, KeyError> {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
        move |source| KeyError::Io { path: path.to_path_buf(), source }
    }
    let mut keys = HashMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(keys),
        Err(e) => return Err(io(dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(io(dir))?.path();
        let Some(service) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".pem")) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        for key in public_keys(&text).map_err(|reason| KeyError::Pem { path: path.clone(), reason })? {
            keys.insert((service.to_string(), key_id(&key)), key);
        }
    }
    Ok(keys)
}

const END: &str = "-----END PUBLIC KEY-----";

/// The `PUBLIC KEY` blocks of a PEM text.
fn public_keys(text: &str) -> Result<Vec<VerifyingKey>, String> {
    text.split_inclusive(END)
        .filter(|block| block.contains(END))
        .map(|block| VerifyingKey::from_public_key_pem(block.trim()).map_err(|e| e.to_string()))
        .collect()
}

fn write_private(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Pem { path: path.to_path_buf(), reason: e.to_string() })?;
    write_file(path, pem.as_bytes(), 0o600)
}

/// Adds `key` to `<dir>/<service>.pem` unless it is there.
fn publish(dir: &Path, service: &str, key: &VerifyingKey) -> Result<(), KeyError> {
    let path = dir.join(format!("{service}.pem"));
    let existing = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(KeyError::Io { path, source }),
    };
    if public_keys(&existing).unwrap_or_default().contains(key) {
        return Ok(());
    }
    let pem = key
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Pem { path: path.clone(), reason: e.to_string() })?;
    // The newest key first; older ones stay for what they signed.
    write_file(&path, format!("{pem}{existing}").as_bytes(), 0o644)
}

/// Writes through a temporary file and a rename, so a reader never sees half a key.
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io = |source| KeyError::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
        set_mode(dir, 0o700).map_err(io)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    set_mode(&tmp, mode).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Dev-mode settings for `service` under `dir`.
    pub fn settings(dir: &Path, service: &str) -> IdentitySettings {
        IdentitySettings {
            key_file: Some(dir.join(format!("{service}.key"))),
            trust_dir: Some(dir.join("trusted")),
            generate: true,
        }
    }

    pub fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("onething-keys-{}", uuid_like()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn uuid_like() -> String {
        hex::encode(rand::random::<[u8; 8]>())
    }

    #[test]
    fn a_generated_key_is_private_published_and_verifies_only_its_own_signatures() {
        let dir = temp_dir();
        let hrss = Keyring::load("hrss", &settings(&dir, "hrss")).unwrap();
        let gateway = Keyring::load(GATEWAY, &settings(&dir, GATEWAY)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("hrss.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sig = hrss.sign(b"permit-approved");
        // The gateway started later: hrss's key is found by reading the directory again.
        assert_eq!(gateway.verify("hrss", hrss.kid(), b"permit-approved", &sig), Ok(()));
        assert!(matches!(
            gateway.verify("hrss", hrss.kid(), b"permit-refused", &sig),
            Err(VerifyError::BadSignature { .. })
        ));
        // hrss's key does not speak for the gateway.
        assert!(matches!(
            gateway.verify(GATEWAY, hrss.kid(), b"permit-approved", &sig),
            Err(VerifyError::UnknownKey { .. })
        ));
        // Loading again keeps the same key.
        assert_eq!(Keyring::load("hrss", &settings(&dir, "hrss")).unwrap().kid(), hrss.kid());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn concurrent_first_calls_of_a_process_started_later_are_all_verified() {
        let dir = temp_dir();
        let hrss = Keyring::load("hrss", &settings(&dir, "hrss")).unwrap();
        // Reading the directory for an unknown key just now: the next reload is "not due".
        assert!(hrss.public_key(GATEWAY, "none").is_err());
        std::thread::sleep(RELOAD_AT_MOST_EVERY);
        let gateway = Keyring::load(GATEWAY, &settings(&dir, GATEWAY)).unwrap();
        let kid = gateway.kid().to_string();
        let found: Vec<bool> = std::thread::scope(|s| {
            let calls: Vec<_> = (0..16).map(|_| s.spawn(|| hrss.public_key(GATEWAY, &kid).is_ok())).collect();
            calls.into_iter().map(|c| c.join().unwrap()).collect()
        });
        assert!(found.iter().all(|ok| *ok), "{found:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn after_a_rotation_old_and_new_keys_both_verify() {
        let dir = temp_dir();
        let old = Keyring::load("hrss", &settings(&dir, "hrss")).unwrap();
        let old_sig = old.sign(b"x");
        std::fs::remove_file(dir.join("hrss.key")).unwrap();
        let new = Keyring::load("hrss", &settings(&dir, "hrss")).unwrap();
        assert_ne!(old.kid(), new.kid());
        let text = std::fs::read_to_string(dir.join("trusted/hrss.pem")).unwrap();
        assert_eq!(public_keys(&text).unwrap().len(), 2);
        assert_eq!(new.verify("hrss", old.kid(), b"x", &old_sig), Ok(()));
        assert_eq!(new.verify("hrss", new.kid(), b"x", &new.sign(b"x")), Ok(()));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn without_dev_mode_a_missing_key_stops_the_process() {
        let dir = temp_dir();
        let s = IdentitySettings { generate: false, ..settings(&dir, "hrss") };
        assert!(matches!(Keyring::load("hrss", &s), Err(KeyError::Io { .. })));
        let none = IdentitySettings { key_file: None, ..s };
        assert!(matches!(Keyring::load("hrss", &none), Err(KeyError::NoKeyFile)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
