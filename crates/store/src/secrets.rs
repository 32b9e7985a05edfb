//! Secrets at rest: the administrators' TOTP seeds are stored sealed with AES-256-GCM — or
//! SM4-GCM in a database set up with the 商用密码 suite (`init --crypto sm`) — under a key kept
//! outside the database (a key file created 0600 at `init`/`demo`, `DB.key` beside a
//! SQLite file, or the environment variable `JIANGUAN_SECRET_KEY`), so a copy of the database
//! alone — a backup, a stolen file — does not give the second factor away.
//!
//! The process installs its key once at start ([`use_key`]); the account rows are sealed when
//! written and opened when read, so nothing above the store sees a sealed value. A value written
//! before there was a key (plain base32) still reads, and [`seal_plain_secrets`] seals those.
//! A sealed value read without the right key is an error naming the key, never garbage.

use std::sync::OnceLock;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use data_encoding::HEXLOWER;
use jianguan_audit::CryptoSuite;
use jianguan_domain::store::StoreError;

/// What a value sealed with AES-256-GCM starts with: the algorithm and this format's version.
pub const SEALED_PREFIX: &str = "aes256gcm1:";
/// What a value sealed with SM4-GCM starts with.
pub const SM4_SEALED_PREFIX: &str = "sm4gcm1:";
const NONCE_BYTES: usize = 12;

/// SM4 (GB/T 32907) in Galois/Counter mode with a 96-bit nonce, as AES-GCM is.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// Whether `stored` is a sealed value (of either suite).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX) || stored.starts_with(SM4_SEALED_PREFIX)
}

/// A 256-bit key. Its `Debug` form hides the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(32 bytes)")
    }
}

impl SecretKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<SecretKey, StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Backend(format!("random source: {e}")))?;
        Ok(SecretKey(bytes))
    }

    /// A key written as 64 hex digits (a key file's content, surrounding whitespace allowed).
    pub fn from_hex(text: &str) -> Result<SecretKey, StoreError> {
        let bytes = HEXLOWER
            .decode(text.trim().to_ascii_lowercase().as_bytes())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                StoreError::Invalid(
                    "密钥应为 64 位十六进制数字 (a key is 64 hex digits)".to_string(),
                )
            })?;
        Ok(SecretKey(bytes))
    }

    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        HEXLOWER.encode(&self.0)
    }

    /// The key's check value under `suite`: shows which key a database's secrets were made with
    /// without giving the key away.
    pub fn check_value(&self, suite: CryptoSuite) -> String {
        HEXLOWER.encode(&suite.subkey(&self.0, "key-check"))
    }

    /// The key's bytes, for the integrity codes (which derive a subkey of their own).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SM4's 128-bit key: the first half of the `secret-seal` subkey (HMAC-SM3), so the 256-bit
    /// key file serves both suites.
    fn sm4_key(&self) -> [u8; 16] {
        let sub = CryptoSuite::Sm.subkey(&self.0, "secret-seal");
        let mut key = [0u8; 16];
        key.copy_from_slice(&sub[..16]);
        key
    }

    /// Seals `plain` with `suite`'s cipher: `aes256gcm1:` (or `sm4gcm1:`) and the hex of a
    /// random nonce and the ciphertext.
    pub fn seal(&self, plain: &str, suite: CryptoSuite) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Backend(format!("random source: {e}")))?;
        let nonce = Nonce::from(nonce);
        let (prefix, sealed) = match suite {
            CryptoSuite::Intl => (
                SEALED_PREFIX,
                Aes256Gcm::new_from_slice(&self.0)
                    .expect("a 32-byte key")
                    .encrypt(&nonce, plain.as_bytes()),
            ),
            CryptoSuite::Sm => (
                SM4_SEALED_PREFIX,
                Sm4Gcm::new_from_slice(&self.sm4_key())
                    .expect("a 16-byte key")
                    .encrypt(&nonce, plain.as_bytes()),
            ),
        };
        let sealed = sealed.map_err(|_| StoreError::Backend("sealing a secret failed".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{prefix}{}", HEXLOWER.encode(&bytes)))
    }

    /// Opens a value [`SecretKey::seal`] made; an error if it was sealed under another key or
    /// changed since.
    pub fn open(&self, sealed: &str) -> Result<String, StoreError> {
        let wrong = || {
            StoreError::Invalid(
                "密钥不对或密文被改动，无法解开已加密的动态口令密钥 (the secret key does not open this value)"
                    .to_string(),
            )
        };
        let (suite, hex) = match sealed.strip_prefix(SEALED_PREFIX) {
            Some(hex) => (CryptoSuite::Intl, hex),
            None => (
                CryptoSuite::Sm,
                sealed.strip_prefix(SM4_SEALED_PREFIX).ok_or_else(wrong)?,
            ),
        };
        let bytes = HEXLOWER.decode(hex.as_bytes()).map_err(|_| wrong())?;
        if bytes.len() <= NONCE_BYTES {
            return Err(wrong());
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| wrong())?;
        let nonce = Nonce::from(nonce);
        let plain = match suite {
            CryptoSuite::Intl => Aes256Gcm::new_from_slice(&self.0)
                .expect("a 32-byte key")
                .decrypt(&nonce, body),
            CryptoSuite::Sm => Sm4Gcm::new_from_slice(&self.sm4_key())
                .expect("a 16-byte key")
                .decrypt(&nonce, body),
        }
        .map_err(|_| wrong())?;
        String::from_utf8(plain).map_err(|_| wrong())
    }
}

static KEY: OnceLock<SecretKey> = OnceLock::new();

/// Installs this process's key (once; a second, different key is refused).
pub fn use_key(key: SecretKey) -> Result<(), StoreError> {
    let installed = KEY.get_or_init(|| key.clone());
    if *installed == key {
        Ok(())
    } else {
        Err(StoreError::Invalid(
            "this process already uses another secret key".into(),
        ))
    }
}

/// Why a write that uses the key was refused: the database's secrets were made with another.
pub(crate) const WRONG_KEY: &str = "密钥与数据库不符：数据库中的加密数据是用另一个密钥生成的。请放回原来的密钥文件（SQLite 默认在数据库旁的 DB.key），或用 JIANGUAN_KEY_FILE / JIANGUAN_SECRET_KEY 指明 (the secret key is not the one this database's secrets were made with)";

/// Whether this process has a key.
pub fn has_key() -> bool {
    KEY.get().is_some()
}

/// This process's key, for the integrity codes of published scores.
pub(crate) fn key() -> Option<&'static SecretKey> {
    KEY.get()
}

/// A secret as stored: sealed with the database's `suite` when the process has a key, as it is
/// otherwise.
pub(crate) fn seal(plain: Option<&str>, suite: CryptoSuite) -> Result<Option<String>, StoreError> {
    match (plain, KEY.get()) {
        (Some(p), Some(key)) if !is_sealed(p) => key.seal(p, suite).map(Some),
        (p, _) => Ok(p.map(str::to_string)),
    }
}

/// A secret as read: opened when sealed (which needs the key), as it is otherwise.
pub(crate) fn open(stored: Option<String>) -> Result<Option<String>, StoreError> {
    match stored {
        Some(s) if is_sealed(&s) => match KEY.get() {
            Some(key) => key.open(&s).map(Some),
            None => Err(StoreError::Invalid(
                "数据库中的动态口令密钥已加密，但未找到密钥：请用 --key-file 指定密钥文件，或设置 JIANGUAN_SECRET_KEY（SQLite 默认读取数据库旁的 DB.key） (the database holds sealed secrets and no key was given)"
                    .to_string(),
            )),
        },
        other => Ok(other),
    }
}

/// Seals every TOTP seed still stored in plain text (written before there was a key), in one
/// transaction with `audit`; how many were sealed. Nothing without a key.
pub async fn seal_plain_secrets(
    db: &crate::Db,
    audit: &jianguan_audit::AuditDraft,
) -> Result<usize, StoreError> {
    match db {
        crate::Db::Sqlite(pool) => {
            crate::codec::sqlite_codec::seal_plain_secrets(pool, audit).await
        }
        crate::Db::Postgres(pool) => {
            crate::codec::postgres_codec::seal_plain_secrets(pool, audit).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_only_and_never_twice_the_same() {
        for (suite, prefix) in [
            (CryptoSuite::Intl, SEALED_PREFIX),
            (CryptoSuite::Sm, SM4_SEALED_PREFIX),
        ] {
            sealing_under(suite, prefix);
        }
    }

    fn sealing_under(suite: CryptoSuite, prefix: &str) {
        let key = SecretKey::generate().unwrap();
        let a = key.seal("JBSWY3DPEHPK3PXP", suite).unwrap();
        let b = key.seal("JBSWY3DPEHPK3PXP", suite).unwrap();
        assert!(a.starts_with(prefix), "{a}");
        assert!(is_sealed(&a));
        assert!(!a.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(key.open(&a).unwrap(), "JBSWY3DPEHPK3PXP");
        let other = SecretKey::generate().unwrap();
        assert!(other.open(&a).is_err(), "another key");
        let mut changed = a.clone().into_bytes();
        let last = changed.len() - 1;
        changed[last] = if changed[last] == b'0' { b'1' } else { b'0' };
        assert!(
            key.open(&String::from_utf8(changed).unwrap()).is_err(),
            "changed"
        );
        assert!(key.open(&format!("{prefix}00")).is_err(), "too short");
        // A value of one suite relabelled as the other's does not open.
        let other_prefix = if prefix == SEALED_PREFIX {
            SM4_SEALED_PREFIX
        } else {
            SEALED_PREFIX
        };
        assert!(
            key.open(&a.replacen(prefix, other_prefix, 1)).is_err(),
            "relabelled"
        );
    }

    #[test]
    fn sm4_is_the_gb_t_32907_cipher() {
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        // GB/T 32907-2016 appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
        let bytes: [u8; 16] = HEXLOWER
            .decode(b"0123456789abcdeffedcba9876543210")
            .unwrap()
            .try_into()
            .unwrap();
        let cipher = sm4::Sm4::new(&bytes.into());
        let mut block = bytes.into();
        cipher.encrypt_block(&mut block);
        assert_eq!(HEXLOWER.encode(&block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn a_key_reads_back_from_its_hex_and_bad_hex_is_refused() {
        let key = SecretKey::generate().unwrap();
        assert_eq!(
            SecretKey::from_hex(&format!(" {}\n", key.to_hex())).unwrap(),
            key
        );
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"g".repeat(64)).is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(32 bytes)");
    }
}
