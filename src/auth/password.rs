//! argon2id password hashing with the crate's defaults (m=19 MiB, t=2, p=1: OWASP's baseline).

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Hashing is deliberately slow: this keeps it off the async workers and outside any
/// transaction.
pub async fn hash_off_thread(password: String) -> Result<String, crate::error::ApiError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(crate::error::ApiError::internal)?
        .map_err(crate::error::ApiError::internal)
}

pub fn verify(stored_hash: &str, password: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies against a throwaway hash so an unknown username costs the same time as a wrong
/// password and does not reveal which usernames exist.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not-a-real-password-for-timing").unwrap_or_default());
    let _ = verify(dummy, password);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify(&a, "correct horse battery"));
        assert!(!verify(&a, "correct horse battery!"));
        assert!(!verify("not a hash", "anything"));
    }
}

/// The longest password taken: hashing is slow by design, so its input is bounded.
pub const MAX_LEN: usize = 128;
pub const MIN_LEN: usize = 12;

/// Whether `password` may be chosen by (or for) the user named in `about` (username, email,
/// display name). NCSC and ASVS: long enough, not common or guessable (zxcvbn, with its
/// bundled lists of common passwords, names and words, below "safely unguessable"), not the
/// user's own name, and no control characters or blank passwords; no composition rules.
pub fn check_new(password: &str, about: &[&str]) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LEN {
        return Err("must be at least 12 characters");
    }
    if length > MAX_LEN {
        return Err("must be at most 128 characters");
    }
    if password.trim().is_empty() {
        return Err("must not be only spaces");
    }
    if password.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    let lower = password.to_lowercase();
    let names: Vec<String> = about
        .iter()
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.chars().count() >= 3)
        .collect();
    if names.iter().any(|name| lower.contains(name.as_str())) {
        return Err("must not contain your username, email or name");
    }
    let inputs: Vec<&str> = names.iter().map(String::as_str).collect();
    if zxcvbn::zxcvbn(password, &inputs).score() < zxcvbn::Score::Three {
        return Err("is too common or too easy to guess: try three or four unrelated words");
    }
    Ok(())
}

#[cfg(test)]
mod strength_tests {
    use super::*;

    #[test]
    fn weak_common_and_personal_passwords_are_refused() {
        let about = ["kim.keyworker", "kim@nhs.net", "Kim Keyworker"];
        let cases: [(&str, bool); 14] = [
            ("aaaaaaaaaaaa", false),
            ("password1234", false),
            ("            ", false),
            ("qwertyuiop12", false),
            ("kim.keyworker", false),
            ("my kim.keyworker pass", false),
            ("Kim Keyworker 2026", false),
            ("short", false),
            ("tab\there and more words", false),
            ("nul\u{0}inside the password", false),
            (&"x".repeat(129), false),
            ("correct horse battery staple", true),
            ("a-long-enough-password", true),
            ("lantern orchid gravel 42", true),
        ];
        for (password, ok) in cases {
            assert_eq!(check_new(password, &about).is_ok(), ok, "{password:?}");
        }
    }
}
