use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{audit_log, audit_subjects};
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
    /// An attempt the service refused (a role without the permission, a record outside the
    /// caller's caseload): recorded with outcome `failure` and the reason.
    Refused,
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
            AuditAction::Refused => "refused",
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
    /// The people this read or write was about (every person a list returned).
    pub subjects: Vec<String>,
}

impl<'a> AuditEvent<'a> {
    pub fn new(action: AuditAction, entity_type: &'a str, entity_id: Option<&'a str>) -> Self {
        AuditEvent {
            action,
            entity_type,
            entity_id,
            changed_fields: Vec::new(),
            outcome: AuditOutcome::Success,
            subjects: Vec::new(),
        }
    }

    /// About this person.
    pub fn about(mut self, person_id: &str) -> Self {
        self.subjects.push(person_id.to_string());
        self
    }

    /// About each of these people (a list read: every person it returned).
    pub fn about_all<I, S>(mut self, person_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.subjects.extend(person_ids.into_iter().map(Into::into));
        self
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
    /// The set of people the row is about (see `subject_set`), if any.
    pub subject_set: Option<String>,
}

/// One audit row as written. `None` is written as NULL, never as DEFAULT, so a batch is one
/// multi-row INSERT on SQLite too (which has no DEFAULT in VALUES; diesel would otherwise
/// insert row by row inside a transaction).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct NewAuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: &'static str,
    pub outcome: &'static str,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    pub changed_fields: String,
    pub subject_set: Option<String>,
}

/// The name of a set of people: a digest of their sorted ids. Every read showing the same
/// people (a cached triage page, one person's record) names the same set, whose members are
/// stored once.
pub fn subject_set(sorted_ids: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(sorted_ids.join(",").as_bytes());
    hex::encode(&digest[..16])
}

/// An audit row with the people it is about.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub row: NewAuditRow,
    pub subjects: Vec<String>,
}

impl AuditRecord {
    pub fn new(ctx: &AuditCtx, event: AuditEvent<'_>) -> AuditRecord {
        let mut subjects = event.subjects.clone();
        subjects.sort();
        subjects.dedup();
        let mut row = NewAuditRow::new(ctx, event);
        row.subject_set = (!subjects.is_empty()).then(|| subject_set(&subjects));
        AuditRecord { row, subjects }
    }
}

impl NewAuditRow {
    pub fn new(ctx: &AuditCtx, event: AuditEvent<'_>) -> NewAuditRow {
        NewAuditRow {
            id: uuid::Uuid::now_v7().to_string(),
            at: ctx.now,
            actor_id: ctx.actor_id.clone(),
            action: event.action.as_str(),
            outcome: match event.outcome {
                AuditOutcome::Success => "success",
                AuditOutcome::Failure => "failure",
            },
            entity_type: event.entity_type.to_string(),
            entity_id: event.entity_id.map(String::from),
            request_id: ctx.request_id.clone(),
            changed_fields: serde_json::to_string(&event.changed_fields)
                .unwrap_or_else(|_| "[]".into()),
            subject_set: None,
        }
    }
}

pub fn record(conn: &mut AnyConnection, ctx: &AuditCtx, event: AuditEvent<'_>) -> QueryResult<()> {
    insert_many(
        conn,
        &[AuditRecord::new(ctx, event)],
        &mut KnownSets::default(),
    )
}

/// Subject sets this writer has stored already (and seen committed), so a page served again
/// and again writes its members once. Bounded: forgetting only costs a repeated
/// `ON CONFLICT DO NOTHING`.
#[derive(Debug, Default)]
pub struct KnownSets(std::collections::HashSet<String>);

impl KnownSets {
    const MAX: usize = 100_000;

    /// Remembers sets whose members are committed.
    pub fn remember(&mut self, records: &[AuditRecord]) {
        if self.0.len() > Self::MAX {
            self.0.clear();
        }
        self.0
            .extend(records.iter().filter_map(|r| r.row.subject_set.clone()));
    }
}

/// Many rows, and the members of any set they name that is not known yet, all or none.
pub fn insert_many(
    conn: &mut AnyConnection,
    records: &[AuditRecord],
    known: &mut KnownSets,
) -> QueryResult<()> {
    let _writer = crate::db::sqlite_writer(conn);
    let mut members: Vec<(String, String)> = Vec::new();
    let mut fresh = std::collections::HashSet::new();
    for r in records {
        let Some(set) = &r.row.subject_set else {
            continue;
        };
        if known.0.contains(set) || !fresh.insert(set.clone()) {
            continue;
        }
        members.extend(r.subjects.iter().map(|p| (p.clone(), set.clone())));
    }
    match conn {
        AnyConnection::Postgresql(pg) => {
            let rows: Vec<NewAuditRow> = records.iter().map(|r| r.row.clone()).collect();
            if members.is_empty() {
                insert_many_pg(pg, &rows)
            } else {
                pg.transaction(|pg| {
                    insert_many_pg(pg, &rows)?;
                    insert_members_pg(pg, &members)
                })
            }
        }
        // SQLite: the one-row INSERT, kept prepared, once per row inside one transaction. A
        // multi-row VALUES list is a new statement for every batch size, parsed each time.
        // A lone row with nothing new to store (a quiet server) needs no transaction.
        AnyConnection::Sqlite(c) => match records {
            [record] if members.is_empty() => insert_one(c, &record.row),
            _ => c.transaction(|c| {
                records.iter().try_for_each(|r| insert_one(c, &r.row))?;
                insert_members_sqlite(c, &members)
            }),
        },
    }
}

/// A set's members in as few statements as SQLite's parameter limit allows; a set already
/// stored (by another writer, or before a restart) is left as it is.
fn insert_members_sqlite(
    conn: &mut diesel::SqliteConnection,
    members: &[(String, String)],
) -> QueryResult<()> {
    members.chunks(1000).try_for_each(|chunk| {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(person, set)| {
                (
                    audit_subjects::person_id.eq(person),
                    audit_subjects::subject_set.eq(set),
                )
            })
            .collect();
        diesel::insert_into(audit_subjects::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(conn)
            .map(drop)
    })
}

/// Every member row in one statement (two arrays), however many people a set holds.
fn insert_members_pg(
    conn: &mut diesel::PgConnection,
    members: &[(String, String)],
) -> QueryResult<()> {
    use diesel::sql_types::{Array, Text};
    let (people, sets): (Vec<&str>, Vec<&str>) = members
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .unzip();
    diesel::sql_query(
        "INSERT INTO audit_subjects (person_id, subject_set) \
         SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
    )
    .bind::<Array<Text>, _>(people)
    .bind::<Array<Text>, _>(sets)
    .execute(conn)
    .map(drop)
}

fn insert_one(conn: &mut diesel::SqliteConnection, row: &NewAuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// PostgreSQL: nine arrays through `unnest`, so the statement text is the same for any number
/// of rows and diesel keeps it prepared (`sql_query` is never kept, so it was parsed and
/// planned for every batch). A multi-row VALUES list was worse still: 288 parameters for 32
/// rows, a new statement each time.
fn insert_many_pg(conn: &mut diesel::PgConnection, rows: &[NewAuditRow]) -> QueryResult<()> {
    UnnestAudit {
        id: crate::db::column(rows, |r| r.id.clone()),
        at: crate::db::column(rows, |r| r.at),
        actor_id: crate::db::column(rows, |r| r.actor_id.clone()),
        action: crate::db::column(rows, |r| r.action),
        outcome: crate::db::column(rows, |r| r.outcome),
        entity_type: crate::db::column(rows, |r| r.entity_type.clone()),
        entity_id: crate::db::column(rows, |r| r.entity_id.clone()),
        request_id: crate::db::column(rows, |r| r.request_id.clone()),
        changed_fields: crate::db::column(rows, |r| r.changed_fields.clone()),
        subject_set: crate::db::column(rows, |r| r.subject_set.clone()),
    }
    .execute(conn)
    .map(drop)
}

/// The read-audit INSERT as a query diesel may prepare once per connection.
struct UnnestAudit {
    id: Vec<String>,
    at: Vec<NaiveDateTime>,
    actor_id: Vec<Option<String>>,
    action: Vec<&'static str>,
    outcome: Vec<&'static str>,
    entity_type: Vec<String>,
    entity_id: Vec<Option<String>>,
    request_id: Vec<Option<String>>,
    changed_fields: Vec<String>,
    subject_set: Vec<Option<String>>,
}

impl diesel::query_builder::QueryId for UnnestAudit {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for UnnestAudit {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Nullable, Text, Timestamp};
        out.push_sql(
            "INSERT INTO audit_log (id, at, actor_id, action, outcome, entity_type, entity_id, \
             request_id, changed_fields, subject_set) SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.id)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.at)?;
        out.push_sql("::timestamp[], ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.actor_id)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.action)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.outcome)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.entity_type)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.entity_id)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.request_id)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.changed_fields)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.subject_set)?;
        out.push_sql("::text[])");
        Ok(())
    }
}

impl RunQueryDsl<diesel::PgConnection> for UnnestAudit {}

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

/// Rows about the person: every row whose subject set holds them (lists, exports, reads and
/// writes of their records, refusals). Newest first. Two indexed steps: the sets they are in
/// (by person), then the rows naming those sets (by set).
pub fn about_person(
    conn: &mut AnyConnection,
    person_ids: &[String],
    page: Page,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let query = || {
        let sets = audit_subjects::table
            .filter(audit_subjects::person_id.eq_any(person_ids))
            .select(audit_subjects::subject_set.nullable());
        audit_log::table
            .filter(audit_log::subject_set.eq_any(sets))
            .into_boxed::<<AnyConnection as diesel::Connection>::Backend>()
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
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
