//! The second factor: time-based one-time passwords (TOTP, RFC 6238) as authenticator apps
//! compute them, HMAC-SHA1 over 30-second steps, 6 digits.
//!
//! SHA-1 is what every authenticator app supports, and HMAC-SHA1 is not weakened by SHA-1's
//! collision attacks. Secrets are shown to users in base32 (RFC 4648), the form those apps read
//! from the `otpauth://` QR code. The current time is passed in, so that every function here is
//! deterministic and the RFC's test vectors can be checked exactly.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// A shared TOTP secret. Its `Debug` form hides the bytes, so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

/// Why a TOTP secret could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The text is not base32.
    #[error("动态口令密钥不是有效的 base32 编码")]
    NotBase32,
    /// The secret is shorter than RFC 4226 allows.
    #[error("动态口令密钥太短：至少需要 {min} 字节")]
    TooShort {
        /// The minimum length in bytes.
        min: usize,
    },
    /// The operating system's random source failed.
    #[error("无法生成动态口令密钥：{0}")]
    Random(String),
}

impl TotpSecret {
    /// Length of generated secrets: 160 bits, RFC 4226's recommendation and SHA-1's output size.
    pub const GENERATED_BYTES: usize = 20;
    /// The shortest secret accepted: 128 bits, RFC 4226's minimum.
    pub const MIN_BYTES: usize = 16;

    /// A fresh random secret, for enrolling an account.
    pub fn generate() -> Result<TotpSecret, TotpError> {
        // From the operating system's random source: the secret is as good as its
        // unpredictability, and this crate's one outside effect is reading it.
        let mut bytes = vec![0u8; Self::GENERATED_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| TotpError::Random(e.to_string()))?;
        Ok(TotpSecret(bytes))
    }

    /// A secret from raw bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<TotpSecret, TotpError> {
        if bytes.len() < Self::MIN_BYTES {
            return Err(TotpError::TooShort {
                min: Self::MIN_BYTES,
            });
        }
        Ok(TotpSecret(bytes))
    }

    /// Reads base32 as people copy it: any case, with or without `=` padding, spaces or hyphens.
    pub fn from_base32(text: &str) -> Result<TotpSecret, TotpError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '='))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| TotpError::NotBase32)?;
        TotpSecret::from_bytes(bytes)
    }

    /// The secret in unpadded upper-case base32, as authenticator apps expect it.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The raw bytes, for storing.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TotpSecret({} bytes)", self.0.len())
    }
}

/// TOTP parameters: digits per code, seconds per step, and how many steps either side of now a
/// code is still accepted (to allow for clock drift and typing time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totp {
    digits: u32,
    period_secs: u64,
    skew_steps: u64,
}

impl Totp {
    /// What authenticator apps do by default: 6 digits, 30 s steps, accepting one step either
    /// side (a code is good for 60–90 s).
    pub const STANDARD: Totp = Totp::new(6, 30, 1);

    /// Custom parameters.
    ///
    /// # Panics
    ///
    /// If `digits` is outside 6–9 (RFC 4226 needs at least 6; a 31-bit value has at most 10
    /// digits, and the tenth would be mostly 0, 1 or 2) or `period_secs` is 0.
    pub const fn new(digits: u32, period_secs: u64, skew_steps: u64) -> Totp {
        assert!(digits >= 6 && digits <= 9, "TOTP codes have 6 to 9 digits");
        assert!(period_secs > 0, "a TOTP step lasts at least a second");
        Totp {
            digits,
            period_secs,
            skew_steps,
        }
    }

    /// Digits per code.
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// Seconds per step.
    pub fn period_secs(&self) -> u64 {
        self.period_secs
    }

    /// The step (RFC 6238's T) that `unix_time` (seconds since 1970) falls in.
    pub fn step(&self, unix_time: u64) -> u64 {
        unix_time / self.period_secs
    }

    /// The code for one step (RFC 4226's HOTP with the step as counter), zero-padded.
    pub fn code_at_step(&self, secret: &TotpSecret, step: u64) -> String {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks four bytes.
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        let code = binary % 10u32.pow(self.digits);
        format!("{code:0width$}", width = self.digits as usize)
    }

    /// The code at `unix_time`.
    pub fn code(&self, secret: &TotpSecret, unix_time: u64) -> String {
        self.code_at_step(secret, self.step(unix_time))
    }

    /// Checks `code` against the steps from `skew` before to `skew` after `unix_time`'s, and
    /// returns the step it matched.
    ///
    /// The caller stores the step and refuses it next time (see [`Totp::verify_unused`]): a code
    /// seen once, over a shoulder or in a phishing page, must not log in twice. Spaces in the
    /// code are ignored, since apps show it as `123 456`.
    pub fn verify(&self, secret: &TotpSecret, code: &str, unix_time: u64) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != self.digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = self.step(unix_time);
        let first = now.saturating_sub(self.skew_steps);
        let last = now.saturating_add(self.skew_steps);
        // Every candidate is compared, without stopping at a match, and each comparison takes
        // the same time whatever the digits, so timing reveals nothing about the expected code.
        let mut matched = None;
        for step in first..=last {
            let expected = self.code_at_step(secret, step);
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && matched.is_none() {
                matched = Some(step);
            }
        }
        matched
    }

    /// As [`Totp::verify`], refusing a code from a step at or before `last_used_step`, the step
    /// of the account's last accepted code.
    pub fn verify_unused(
        &self,
        secret: &TotpSecret,
        code: &str,
        unix_time: u64,
        last_used_step: Option<u64>,
    ) -> Option<u64> {
        self.verify(secret, code, unix_time)
            .filter(|&step| last_used_step.is_none_or(|last| step > last))
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code, labelled
    /// `issuer:account`.
    pub fn provisioning_uri(&self, secret: &TotpSecret, issuer: &str, account: &str) -> String {
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
            utf8_percent_encode(issuer, UNRESERVED),
            utf8_percent_encode(account, UNRESERVED),
            secret.to_base32(),
            utf8_percent_encode(issuer, UNRESERVED),
            self.digits,
            self.period_secs,
        )
    }
}

/// [`Totp::verify`] with the standard parameters: 6 digits, 30 s, one step either side.
pub fn verify(secret: &TotpSecret, code: &str, unix_time: u64) -> Option<u64> {
    Totp::STANDARD.verify(secret, code, unix_time)
}

/// RFC 3986's unreserved characters: everything else is percent-encoded, so Chinese issuer and
/// account names survive the URI.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 seed of RFC 6238 Appendix B: the ASCII digits "1234567890" twice.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
    }

    const RFC_8_DIGITS: Totp = Totp::new(8, 30, 1);

    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, expected) in vectors {
            assert_eq!(
                RFC_8_DIGITS.code(&rfc_secret(), time),
                expected,
                "T = {time}"
            );
            assert_eq!(
                RFC_8_DIGITS.verify(&rfc_secret(), expected, time),
                Some(time / 30)
            );
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_rfc_vectors() {
        let secret = rfc_secret();
        assert_eq!(Totp::STANDARD.code(&secret, 59), "287082");
        assert_eq!(Totp::STANDARD.code(&secret, 1_111_111_109), "081804");
        assert_eq!(verify(&secret, "287082", 59), Some(1));
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_not_two() {
        let secret = rfc_secret();
        let code = Totp::STANDARD.code(&secret, 1_111_111_109); // step 37037036
        assert!(verify(&secret, &code, 1_111_111_109 - 30).is_some());
        assert!(verify(&secret, &code, 1_111_111_109 + 30).is_some());
        assert_eq!(verify(&secret, &code, 1_111_111_109 + 60), None);
        assert_eq!(verify(&secret, &code, 1_111_111_109 - 60), None);
    }

    #[test]
    fn wrong_short_long_or_non_digit_codes_are_refused() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, "287083", 59), None);
        assert_eq!(verify(&secret, "28708", 59), None);
        assert_eq!(verify(&secret, "2870820", 59), None);
        assert_eq!(verify(&secret, "28708a", 59), None);
        assert_eq!(verify(&secret, "", 59), None);
        // Full-width digits are not ASCII digits; a code is never normalised into a match.
        assert_eq!(verify(&secret, "２８７０８２", 59), None);
    }

    #[test]
    fn spaces_in_a_code_are_ignored() {
        assert_eq!(verify(&rfc_secret(), " 287 082 ", 59), Some(1));
    }

    #[test]
    fn a_code_cannot_be_used_twice() {
        let secret = rfc_secret();
        let t = 1_234_567_890;
        let code = Totp::STANDARD.code(&secret, t);
        let step = Totp::STANDARD
            .verify_unused(&secret, &code, t, None)
            .unwrap();
        assert_eq!(
            Totp::STANDARD.verify_unused(&secret, &code, t + 5, Some(step)),
            None
        );
        // Nor can an older code still inside the window once a newer one was used.
        let older = Totp::STANDARD.code(&secret, t - 30);
        assert_eq!(
            Totp::STANDARD.verify_unused(&secret, &older, t, Some(step)),
            None
        );
        let next = Totp::STANDARD.code(&secret, t + 30);
        assert_eq!(
            Totp::STANDARD.verify_unused(&secret, &next, t + 30, Some(step)),
            Some(step + 1)
        );
    }

    #[test]
    fn the_first_step_has_no_step_before_it() {
        let secret = rfc_secret();
        let code = Totp::STANDARD.code(&secret, 0);
        assert_eq!(verify(&secret, &code, 0), Some(0));
    }

    #[test]
    fn base32_round_trips_and_tolerates_how_people_copy_it() {
        let secret = rfc_secret();
        let text = secret.to_base32();
        assert_eq!(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32(&text), Ok(secret.clone()));
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd-gnbv gy3t qojq"),
            Ok(secret)
        );
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBV!"),
            Err(TotpError::NotBase32)
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(
            TotpSecret::from_bytes(vec![0; 15]),
            Err(TotpError::TooShort { min: 16 })
        );
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBV"),
            Err(TotpError::TooShort { min: 16 })
        );
    }

    #[test]
    fn generated_secrets_are_160_bits_and_differ() {
        let a = TotpSecret::generate().unwrap();
        let b = TotpSecret::generate().unwrap();
        assert_eq!(a.as_bytes().len(), 20);
        assert_ne!(a, b);
    }

    #[test]
    fn debug_output_hides_the_secret() {
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(20 bytes)");
    }

    #[test]
    fn the_provisioning_uri_encodes_chinese_names() {
        let uri = Totp::STANDARD.provisioning_uri(&rfc_secret(), "建管", "zhang.san");
        assert_eq!(
            uri,
            "otpauth://totp/%E5%BB%BA%E7%AE%A1:zhang.san?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=%E5%BB%BA%E7%AE%A1&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn the_provisioning_uri_encodes_all_but_unreserved_characters() {
        let uri = Totp::STANDARD.provisioning_uri(&rfc_secret(), "A&B", "li si:1@x~y-z_w.v");
        assert!(
            uri.starts_with("otpauth://totp/A%26B:li%20si%3A1%40x~y-z_w.v?secret="),
            "{uri}"
        );
        assert!(uri.contains("&issuer=A%26B&"), "{uri}");
    }

    #[test]
    #[should_panic(expected = "6 to 9 digits")]
    fn codes_shorter_than_six_digits_cannot_be_configured() {
        let _ = Totp::new(4, 30, 1);
    }
}
