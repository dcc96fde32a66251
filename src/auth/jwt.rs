//! HS256 access tokens with issuer, audience, expiry and issued-at, and the signing secret.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::domain::Role;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub role: Role,
    pub jti: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_secs: i64) -> JwtKeys {
        // Only HS256 is accepted: `alg: none` and any other algorithm fail validation.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl_secs,
        }
    }

    pub fn issue(&self, user_id: &str, role: Role, now: DateTime<Utc>) -> anyhow::Result<String> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_secs,
            role,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid token; `None` for anything else (the caller answers 401 without
    /// saying why, so probing learns nothing).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// The signing secret: the configured one, else the one kept in `<data_dir>/jwt_secret`,
/// generated on first start (readable only by its owner).
pub fn resolve_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if !settings.auth.jwt_secret.is_empty() {
        return Ok(settings.auth.jwt_secret.as_bytes().to_vec());
    }
    let path = settings.server.data_dir.join("jwt_secret");
    if path.exists() {
        let secret = std::fs::read_to_string(&path)?.trim().to_string();
        anyhow::ensure!(
            secret.len() >= 32,
            "{} holds a secret under 32 bytes; delete it to have a new one generated",
            path.display()
        );
        return Ok(secret.into_bytes());
    }
    let secret = generate_secret_file(&path)?;
    tracing::warn!(
        path = %path.display(),
        "no auth.jwt_secret configured: generated one and stored it in the data directory; \
         set DSR_AUTH__JWT_SECRET to share one secret between instances"
    );
    Ok(secret.into_bytes())
}

fn generate_secret_file(path: &Path) -> anyhow::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn keys() -> JwtKeys {
        JwtKeys::new(SECRET, "dsr", "dsr-api", 900)
    }

    #[test]
    fn a_fresh_token_verifies_with_its_claims() {
        let now = Utc::now();
        let token = keys().issue("u1", Role::Manager, now).unwrap();
        let claims = keys().verify(&token).expect("valid");
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.role, Role::Manager);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn expired_wrong_key_issuer_and_audience_are_refused() {
        let now = Utc::now();
        let expired = keys()
            .issue("u1", Role::Admin, now - Duration::seconds(1000))
            .unwrap();
        assert!(keys().verify(&expired).is_none());
        let other_key = JwtKeys::new(b"ffffffffffffffffffffffffffffffff", "dsr", "dsr-api", 900);
        assert!(keys()
            .verify(&other_key.issue("u1", Role::Admin, now).unwrap())
            .is_none());
        let other_iss = JwtKeys::new(SECRET, "evil", "dsr-api", 900);
        assert!(keys()
            .verify(&other_iss.issue("u1", Role::Admin, now).unwrap())
            .is_none());
        let other_aud = JwtKeys::new(SECRET, "dsr", "other", 900);
        assert!(keys()
            .verify(&other_aud.issue("u1", Role::Admin, now).unwrap())
            .is_none());
        assert!(keys().verify("not.a.token").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_generated_secret_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("var").join("jwt_secret");
        let secret = generate_secret_file(&path).unwrap();
        assert!(secret.len() >= 32);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(
            generate_secret_file(&path).is_err(),
            "never overwrites a secret"
        );
    }
}
