use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use super::store::UserRow;
use crate::domain::{Role, Username};
use crate::http::{double_option, not_blank};

/// A staff account as the API shows it (never with its password hash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The line manager, who receives level-2 escalations.
    pub manager_id: Option<String>,
    pub active: bool,
    /// An admin reset the password: until the user chooses a new one (`POST /me/password`)
    /// the API answers 403 to everything but `/me`, `/me/password` and `/auth/*`.
    pub must_change_password: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> UserView {
        UserView {
            role: row.role,
            id: row.id,
            username: row.username,
            email: row.email,
            display_name: row.display_name,
            manager_id: row.manager_id,
            active: row.active,
            must_change_password: row.must_change_password,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// The short form of a user embedded in other resources (keyworker, owner, assignee).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl From<&UserRow> for UserSummary {
    fn from(row: &UserRow) -> UserSummary {
        UserSummary {
            id: row.id.clone(),
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            role: row.role,
        }
    }
}

fn valid_username(value: &str) -> Result<(), ValidationError> {
    Username::parse(value)
        .map(|_| ())
        .map_err(|msg| ValidationError::new("username").with_message(msg.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 3 to 64 characters: a-z, 0-9, `.`, `_`, `-` (stored lower-case).
    #[validate(custom(function = "valid_username"))]
    pub username: String,
    #[validate(
        email(message = "must be an email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    pub email: String,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub display_name: String,
    pub role: Role,
    /// An active user with role `manager`.
    pub manager_id: Option<Uuid>,
    /// Write-only; at least 12 characters.
    #[validate(length(min = 12, max = 1024, message = "must be 12 to 1024 characters"))]
    #[schema(write_only, min_length = 12)]
    pub password: String,
    /// Defaults to true.
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[validate(
        email(message = "must be an email address"),
        length(max = 254, message = "must be at most 254 characters")
    )]
    pub email: Option<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// `null` removes the line manager.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub manager_id: Option<Option<Uuid>>,
    #[validate(length(min = 12, max = 1024, message = "must be 12 to 1024 characters"))]
    #[schema(write_only, min_length = 12)]
    pub password: Option<String>,
    /// `false` deactivates: the user cannot log in and their tokens stop working.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

impl crate::http::DateRules for CreateUserRequest {}
impl crate::http::DateRules for UpdateUserRequest {}
