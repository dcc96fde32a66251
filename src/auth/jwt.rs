//! HS256 access tokens with issuer, audience, expiry, not-before and issued-at, naming the
//! session they belong to and the user's token generation, and the signing secret.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::domain::Role;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub role: Role,
    pub jti: String,
    /// The session: the refresh-token family this token was issued in. A token dies with it.
    pub sid: String,
    /// The user's token generation when issued: moving it ends every session at once.
    #[serde(rename = "gen")]
    pub generation: i32,
}

/// What an access token is issued for.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    pub user_id: &'a str,
    pub role: Role,
    pub session_id: &'a str,
    pub generation: i32,
}

/// Seconds of clock difference tolerated between servers: a few, never a minute.
pub const LEEWAY_SECS: i64 = 5;

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
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud"]);
        // Times are checked in `verify` against the service's clock (the one sessions and
        // every rule use), not the library's reading of the system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl_secs,
        }
    }

    pub fn issue(&self, grant: Grant<'_>, now: DateTime<Utc>) -> anyhow::Result<String> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: grant.user_id.to_string(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: now.timestamp() + self.ttl_secs,
            role: grant.role,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: grant.session_id.to_string(),
            generation: grant.generation,
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid token; `None` for anything else (the caller answers 401 without
    /// saying why, so probing learns nothing). The library checks the signature, issuer and
    /// audience; the times are checked here, with a few seconds' leeway: not expired, not
    /// before `nbf`, not issued in the future.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let now = now.timestamp();
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
            .filter(|c| {
                now < c.exp + LEEWAY_SECS
                    && c.nbf <= now + LEEWAY_SECS
                    && c.iat <= now + LEEWAY_SECS
            })
    }
}

/// The signing secret: the configured one, else the one kept in `<data_dir>/jwt_secret`,
/// generated on first start (readable only by its owner).
pub fn resolve_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    crate::secrets::configured_or_kept(
        &settings.auth.jwt_secret,
        &settings.server.data_dir.join("jwt_secret"),
        "auth.jwt_secret",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn keys() -> JwtKeys {
        JwtKeys::new(SECRET, "dsr", "dsr-api", 900)
    }

    fn grant(role: Role) -> Grant<'static> {
        Grant {
            user_id: "u1",
            role,
            session_id: "s1",
            generation: 3,
        }
    }

    #[test]
    fn a_fresh_token_verifies_with_its_claims() {
        let now = Utc::now();
        let token = keys().issue(grant(Role::Manager), now).unwrap();
        let claims = keys().verify(&token, now).expect("valid");
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.role, Role::Manager);
        assert_eq!((claims.sid.as_str(), claims.generation), ("s1", 3));
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.nbf, claims.iat);
    }

    #[test]
    fn expired_future_wrong_key_issuer_and_audience_are_refused() {
        let now = Utc::now();
        let cases = [
            (keys(), now - Duration::seconds(1000), "expired"),
            (keys(), now + Duration::seconds(60), "issued in the future"),
            (
                JwtKeys::new(b"ffffffffffffffffffffffffffffffff", "dsr", "dsr-api", 900),
                now,
                "another key",
            ),
            (
                JwtKeys::new(SECRET, "evil", "dsr-api", 900),
                now,
                "another issuer",
            ),
            (
                JwtKeys::new(SECRET, "dsr", "other", 900),
                now,
                "another audience",
            ),
        ];
        for (issuer, at, why) in cases {
            let token = issuer.issue(grant(Role::Admin), at).unwrap();
            assert!(keys().verify(&token, now).is_none(), "{why}");
        }
        let within_leeway = keys()
            .issue(grant(Role::Admin), now + Duration::seconds(LEEWAY_SECS - 1))
            .unwrap();
        assert!(keys().verify(&within_leeway, now).is_some());
    }
}
