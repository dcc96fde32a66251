use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::users::model::UserView;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 128, message = "must be 1 to 128 characters"))]
    pub username: String,
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    #[schema(write_only)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256, message = "must be 1 to 256 characters"))]
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one and retires this one.
    pub refresh_token: String,
    pub user: UserView,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    #[schema(write_only)]
    pub current_password: String,
    /// At least 12 characters, not common or guessable, not your username or name.
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    #[schema(write_only)]
    pub new_password: String,
}

impl crate::http::DateRules for ChangePasswordRequest {}
impl crate::http::DateRules for LoginRequest {}
impl crate::http::DateRules for RefreshRequest {}
