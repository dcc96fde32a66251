//! Domain enums stored as text columns.
//!
//! Every enum column reads into its enum and writes from it, so a query can say
//! `users::role.eq(Role::Admin)` and a row can hold a `Role`. A stored value that names no
//! variant is a deserialisation error: the request answers 500 and the value is logged,
//! never silently read as some other variant. (The escalation sweep reads such columns as
//! text and skips the row instead, so one bad row cannot stop it; see `escalation::gather`.)

/// Maps an enum with `as_str(self) -> &'static str` and `parse(&str) -> Option<Self>` to a
/// `Text` column on every backend.
macro_rules! text_enum {
    ($($ty:ty),+ $(,)?) => {$(
        impl diesel::expression::AsExpression<diesel::sql_types::Text> for $ty {
            type Expression =
                <&'static str as diesel::expression::AsExpression<diesel::sql_types::Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as diesel::expression::AsExpression<diesel::sql_types::Text>>::as_expression(self.as_str())
            }
        }
        impl diesel::expression::AsExpression<diesel::sql_types::Text> for &$ty {
            type Expression =
                <&'static str as diesel::expression::AsExpression<diesel::sql_types::Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as diesel::expression::AsExpression<diesel::sql_types::Text>>::as_expression(self.as_str())
            }
        }
        impl diesel::expression::AsExpression<diesel::sql_types::Nullable<diesel::sql_types::Text>> for $ty {
            type Expression = <&'static str as diesel::expression::AsExpression<
                diesel::sql_types::Nullable<diesel::sql_types::Text>,
            >>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as diesel::expression::AsExpression<
                    diesel::sql_types::Nullable<diesel::sql_types::Text>,
                >>::as_expression(self.as_str())
            }
        }
        impl diesel::expression::AsExpression<diesel::sql_types::Nullable<diesel::sql_types::Text>> for &$ty {
            type Expression = <&'static str as diesel::expression::AsExpression<
                diesel::sql_types::Nullable<diesel::sql_types::Text>,
            >>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as diesel::expression::AsExpression<
                    diesel::sql_types::Nullable<diesel::sql_types::Text>,
                >>::as_expression(self.as_str())
            }
        }
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                <$ty>::parse(&text).ok_or_else(|| {
                    $crate::db::types::Unknown { kind: stringify!($ty), value: text }.into()
                })
            }
        }
        impl<DB> diesel::deserialize::Queryable<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            $ty: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> diesel::deserialize::Result<Self> {
                Ok(row)
            }
        }
    )+};
}

/// A stored value that names no variant of its enum: data written by something other than
/// this service, or by a version that knew more variants. Logged where it is met.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} {value:?} in the database")]
pub struct Unknown {
    pub kind: &'static str,
    pub value: String,
}

use crate::domain::alerts::{AlertKind, AlertStatus, NotificationStatus};
use crate::domain::discharge::PointStatus;
use crate::domain::inpatient::{
    ActionSource, ActionStatus, CetrKind, DischargeDestination, LaepOutcome, Setting,
};
use crate::domain::inpatient_data::{AdmissionReason, Advocacy, LegalStatusCode, WardType};
use crate::domain::keyworking::KeyworkingStatus;
use crate::domain::person::{ConsentStatus, ContactKind, InvolvementRole, NhsNumberStatus};
use crate::domain::referral::ReferralStatus;
use crate::domain::register::{ClosureReason, EntryStatus};
use crate::domain::session::SessionKind;
use crate::domain::{Rag, Role};

text_enum!(
    Role,
    Rag,
    EntryStatus,
    ClosureReason,
    ConsentStatus,
    ContactKind,
    Setting,
    DischargeDestination,
    CetrKind,
    LaepOutcome,
    ActionStatus,
    ActionSource,
    PointStatus,
    AlertKind,
    AlertStatus,
    NotificationStatus,
    SessionKind,
    InvolvementRole,
    ReferralStatus,
    NhsNumberStatus,
    KeyworkingStatus,
    WardType,
    LegalStatusCode,
    AdmissionReason,
    Advocacy,
);

/// Rows a safety job (the escalation sweep) met with an unknown value and skipped, by
/// column. Served at `/metrics` as `dsr_unreadable_rows_total`; any rise wants a person.
pub static UNREADABLE_ROWS: std::sync::LazyLock<prometheus::IntCounterVec> =
    std::sync::LazyLock::new(|| {
        prometheus::IntCounterVec::new(
            prometheus::Opts::new(
                "dsr_unreadable_rows_total",
                "Rows the escalation sweep skipped because a column held an unknown value",
            ),
            &["column"],
        )
        .expect("static metric definition is valid")
    });

/// Logs and counts a row a safety job skips instead of failing on it. The value is cut
/// short: it is not free text in a healthy database, but a broken one could hold anything.
pub fn skip_unreadable(column: &'static str, row_id: &str, value: &str) {
    let shown: String = value.chars().take(40).collect();
    tracing::error!(column, row_id, value = %shown, "unknown stored value: row skipped");
    UNREADABLE_ROWS.with_label_values(&[column]).inc();
}
