use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::AuditRow;
use crate::users::model::UserSummary;

/// One read or change of a person's record, as the access log shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub at: DateTime<Utc>,
    /// Who (null for the system, such as the escalation sweep or an import).
    pub actor: Option<UserSummary>,
    /// `read`, `create`, `update`, `export`…
    pub action: String,
    /// `success`, or `failure` for refused access.
    pub outcome: String,
    /// What was read or changed: `person`, `register_list`, `register`, `contact`…
    pub entity_type: String,
    pub entity_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    /// `create`, `update`, `read`, `delete`, `login`, `logout` or `export`.
    pub action: String,
    /// `success` or `failure` (failed logins are audited too).
    pub outcome: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    /// Names of the fields written, never their values.
    pub changed_fields: Vec<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> AuditEntry {
        AuditEntry {
            id: row.id,
            at: row.at.and_utc(),
            actor_id: row.actor_id,
            action: row.action,
            outcome: row.outcome,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            request_id: row.request_id,
            changed_fields: serde_json::from_str(&row.changed_fields).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_id: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    /// Inclusive lower bound: a date (`2026-11-25`) or an RFC 3339 instant.
    pub from: Option<String>,
    /// Exclusive upper bound: a date (the whole day is included) or an RFC 3339 instant.
    pub to: Option<String>,
}
