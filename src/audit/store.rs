use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::AnyConnection;
use crate::http::Page;

/// Who is acting and under which request; built once per request by the handler.
#[derive(Debug, Clone, Default)]
pub struct AuditCtx {
    pub actor_id: Option<String>,
    pub request_id: Option<String>,
    pub now: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Create,
    Update,
    Read,
    Delete,
    Login,
    Logout,
    Export,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Read => "read",
            AuditAction::Delete => "delete",
            AuditAction::Login => "login",
            AuditAction::Logout => "logout",
            AuditAction::Export => "export",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    Failure,
}

#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub action: AuditAction,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub changed_fields: Vec<&'a str>,
    pub outcome: AuditOutcome,
}

impl<'a> AuditEvent<'a> {
    pub fn new(action: AuditAction, entity_type: &'a str, entity_id: Option<&'a str>) -> Self {
        AuditEvent {
            action,
            entity_type,
            entity_id,
            changed_fields: Vec::new(),
            outcome: AuditOutcome::Success,
        }
    }

    pub fn fields(mut self, fields: Vec<&'a str>) -> Self {
        self.changed_fields = fields;
        self
    }

    pub fn failed(mut self) -> Self {
        self.outcome = AuditOutcome::Failure;
        self
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    pub changed_fields: String,
}

pub fn record(conn: &mut AnyConnection, ctx: &AuditCtx, event: AuditEvent<'_>) -> QueryResult<()> {
    // Reads are audited outside any transaction: this insert is then a write of its own.
    let _writer = crate::db::sqlite_writer(conn);
    let changed = serde_json::to_string(&event.changed_fields).unwrap_or_else(|_| "[]".into());
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(uuid::Uuid::now_v7().to_string()),
            audit_log::at.eq(ctx.now),
            audit_log::actor_id.eq(ctx.actor_id.as_deref()),
            audit_log::action.eq(event.action.as_str()),
            audit_log::outcome.eq(match event.outcome {
                AuditOutcome::Success => "success",
                AuditOutcome::Failure => "failure",
            }),
            audit_log::entity_type.eq(event.entity_type),
            audit_log::entity_id.eq(event.entity_id),
            audit_log::request_id.eq(ctx.request_id.as_deref()),
            audit_log::changed_fields.eq(changed),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

fn filtered<'a>(
    filter: &'a AuditFilter,
) -> audit_log::BoxedQuery<'a, <AnyConnection as diesel::Connection>::Backend> {
    let mut query = audit_log::table.into_boxed();
    if let Some(v) = &filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(v));
    }
    if let Some(v) = &filter.entity_type {
        query = query.filter(audit_log::entity_type.eq(v));
    }
    if let Some(v) = &filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(v));
    }
    if let Some(v) = &filter.action {
        query = query.filter(audit_log::action.eq(v));
    }
    if let Some(v) = filter.from {
        query = query.filter(audit_log::at.ge(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(audit_log::at.lt(v));
    }
    query
}

/// Newest first; `id` (UUIDv7, time-ordered) breaks ties so paging is stable.
pub fn list(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    page: Page,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
