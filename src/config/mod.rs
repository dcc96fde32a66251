//! Layered settings: `config/default.toml` (compiled in) < file named by `DSR_CONFIG` <
//! `DSR_<SECTION>__<KEY>` environment variables.
//!
//! Every value is checked here, before anything starts, so a bad value stops start-up with a
//! message naming its key instead of failing later in the middle of a request.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

mod names;

const DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub register: RegisterSettings,
    pub timescales: crate::domain::inpatient::Timescales,
    pub discharge: DischargeSettings,
    pub email: EmailSettings,
    pub escalation: EscalationSettings,
    pub cache: CacheSettings,
    pub log: LogSettings,
    pub imports: crate::imports::caps::ImportCaps,
    pub audit: AuditSettings,
    pub web: WebSettings,
}

/// The pages' sessions (see `web::session`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// A page session ends after this long without a request.
    pub session_idle_secs: i64,
    /// ...and this long after sign-in, however busy.
    pub session_max_secs: i64,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// The key of the audit seals (at least 32 bytes); empty: kept in the data directory.
    pub seal_key: String,
    /// How often the sealer runs (0: never in this process; `dsr audit seal` still does).
    pub seal_interval_secs: u64,
    /// Rows younger than this are left for the next run, so a row still committing is not
    /// passed over.
    pub seal_margin_secs: i64,
}

// Hand-written so the key never reaches a log line through `{:?}`.
impl std::fmt::Debug for AuditSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSettings")
            .field("seal_interval_secs", &self.seal_interval_secs)
            .field("seal_margin_secs", &self.seal_margin_secs)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    pub public_url: String,
    pub body_limit_bytes: usize,
    pub import_limit_bytes: usize,
    pub workers: usize,
    /// Connections the kernel queues before the server accepts them (`listen(2)` backlog).
    pub backlog: u32,
    /// A request whose body stops arriving for this long is answered 408 and closed.
    pub body_timeout_secs: u64,
    pub data_dir: PathBuf,
    /// Reverse proxies whose `X-Forwarded-For` is believed; anyone else's is ignored and the
    /// socket's address is the client's.
    pub trusted_proxies: Vec<IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    pub sqlite_synchronous: SqliteSynchronous,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum SqliteSynchronous {
    Normal,
    Full,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: String,
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl_secs: i64,
    /// A session's idle limit: how long a refresh token lasts unused.
    pub refresh_token_ttl_secs: i64,
    /// A session's absolute lifetime, however often it is refreshed.
    pub session_max_secs: i64,
    pub bootstrap_admin_password: String,
    pub login_max_failures: i64,
    /// Failures for one username from any address within the window.
    pub login_max_failures_per_username: i64,
    /// Failures from one address for any usernames within the window.
    pub login_max_failures_per_address: i64,
    pub login_window_secs: i64,
}

// Hand-written so secrets never reach a log line through `{:?}`.
impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_secs", &self.refresh_token_ttl_secs)
            .field("session_max_secs", &self.session_max_secs)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSettings {
    pub review_cadence_days: crate::domain::ReviewCadence,
    /// The coded reasons for risk a DSR meeting may record, in the order forms list them.
    pub risk_factors: Vec<RiskFactorSetting>,
}

/// One coded reason for risk: a stable `code` (what the API and the data hold) and the
/// label people read, which a local configuration may change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFactorSetting {
    pub code: String,
    pub label: String,
}

impl RegisterSettings {
    /// The label of a configured risk factor code.
    pub fn risk_factor_label(&self, code: &str) -> Option<&str> {
        self.risk_factors
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.label.as_str())
    }

    /// What is wrong with `code` as a risk factor (it is not configured), in the words a
    /// field error carries; `None` when it is one.
    pub fn unknown_risk_factor(&self, code: &str) -> Option<String> {
        if self.risk_factor_label(code).is_some() {
            return None;
        }
        let codes: Vec<&str> = self.risk_factors.iter().map(|f| f.code.as_str()).collect();
        Some(format!("must be one of: {}", codes.join(", ")))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DischargeSettings {
    pub review_cycle_days: u32,
    pub points: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransportKind {
    File,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub transport: EmailTransportKind,
    pub smtp_url: String,
    pub from: String,
    pub include_identifiers: bool,
    pub allowed_domains: Vec<String>,
    /// The most one SMTP send may take, greeting to QUIT; past it the attempt is a failure.
    pub smtp_timeout_secs: u64,
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl EmailSettings {
    /// Refuses SMTP URLs that would send mail in clear text off this machine.
    pub fn check_smtp_url(&self) -> Result<(), String> {
        let email = self;
        if email.transport != EmailTransportKind::Smtp {
            return Ok(());
        }
        if email.smtp_url.is_empty() {
            return Err("is required when email.transport is \"smtp\"".into());
        }
        let url = url::Url::parse(&email.smtp_url).map_err(|e| format!("is not a URL: {e}"))?;
        let host = url.host_str().unwrap_or_default();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        match (url.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required")) => Ok(()),
        ("smtp", _) if is_loopback(host) => Ok(()),
        ("smtp", _) => Err(format!(
            "sends to {host} without TLS: use smtps:// or smtp://…?tls=required (plain SMTP only to a loopback relay)"
        )),
        (scheme, _) => Err(format!("scheme {scheme:?} is not smtp or smtps")),
    }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    pub sweep_interval_secs: u64,
    pub sender_interval_secs: u64,
    pub level2_days: i64,
    pub level3_days: i64,
    pub senior_addresses: Vec<String>,
    /// Kinds that escalate at other levels than `level2_days` and `level3_days`.
    pub kind_levels: Vec<KindLevels>,
    pub lease_secs: i64,
    /// How long a sender's claim on a recipient's notifications lasts (renewed while sending).
    pub claim_secs: i64,
    pub max_attempts: i32,
}

/// One kind's own escalation levels (days overdue at which levels 2 and 3 begin).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindLevels {
    pub kind: crate::domain::alerts::AlertKind,
    pub level2_days: i64,
    pub level3_days: i64,
}

impl EscalationSettings {
    pub fn levels(&self) -> crate::domain::alerts::LevelTable {
        use crate::domain::alerts::{LevelTable, Levels};
        LevelTable {
            default: Levels {
                level2_days: self.level2_days,
                level3_days: self.level3_days,
            },
            by_kind: self
                .kind_levels
                .iter()
                .map(|k| {
                    (
                        k.kind,
                        Levels {
                            level2_days: k.level2_days,
                            level3_days: k.level3_days,
                        },
                    )
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// How often to look for writes by other processes; 0 turns the caches off.
    pub refresh_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

/// Which storage backend a database URL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// The scheme decides, never trial and error: SQLite accepts any string as a file name,
    /// so trying backends in turn would hide PostgreSQL's real connection error.
    pub fn parse(url: &str) -> DatabaseUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseUrl::Postgres(url.to_string())
        } else {
            DatabaseUrl::Sqlite(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration error: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration error: `{key}` {message}")]
    Invalid { key: &'static str, message: String },
    /// A key or variable that names no setting: a typo that would otherwise be ignored.
    #[error(
        "configuration error: {source_name} names no setting{hint}; every setting is listed in \
         the Configuration table of README.md (and in config/default.toml)"
    )]
    Unknown { source_name: String, hint: String },
}

fn invalid(key: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key,
        message: message.into(),
    }
}

/// Risk factor codes are what the data holds, so they must be unique and plain (lowercase,
/// digits and underscores); labels are what people read.
fn check_risk_factors(factors: &[RiskFactorSetting]) -> Result<(), SettingsError> {
    let key = "register.risk_factors";
    if factors.is_empty() || factors.len() > 100 {
        return Err(invalid(key, "must list 1 to 100 risk factors"));
    }
    let plain = |c: &str| {
        (1..=60).contains(&c.len())
            && c.starts_with(|ch: char| ch.is_ascii_lowercase())
            && c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
    };
    let mut seen = std::collections::HashSet::new();
    for f in factors {
        if !plain(&f.code) {
            return Err(invalid(
                key,
                format!(
                    "code {:?} must be 1 to 60 lowercase letters, digits or underscores",
                    f.code
                ),
            ));
        }
        if !seen.insert(f.code.as_str()) {
            return Err(invalid(key, format!("code {:?} is listed twice", f.code)));
        }
        if f.label.trim().is_empty() || f.label.chars().count() > 200 {
            return Err(invalid(
                key,
                format!("the label of {:?} must be 1 to 200 characters", f.code),
            ));
        }
    }
    Ok(())
}

impl Settings {
    /// Loads settings from the defaults, `DSR_CONFIG` and the process environment.
    pub fn load() -> Result<Settings, SettingsError> {
        Self::load_from(std::env::var("DSR_CONFIG").ok(), None)
    }

    /// Loads settings with an explicit config file and, for tests, an explicit environment map
    /// (`None` reads the process environment).
    pub fn load_from(
        config_file: Option<String>,
        env: Option<HashMap<String, String>>,
    ) -> Result<Settings, SettingsError> {
        let env = env.unwrap_or_else(|| {
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect()
        });
        // Only variables that name settings reach the layers (`DSR_CONFIG`, `DSR_TEST_*` and
        // the like are not settings); one shaped like a setting that names none stops here.
        let env = names::settings_variables(env)?;
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(path) = config_file.filter(|p| !p.is_empty()) {
            names::check_file(&path)?;
            builder = builder.add_source(File::with_name(&path).required(true));
        }
        builder = builder.add_source(
            Environment::with_prefix("DSR")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("escalation.senior_addresses")
                .with_list_parse_key("email.allowed_domains")
                .with_list_parse_key("server.trusted_proxies")
                .source(Some(env)),
        );
        let mut settings: Settings = builder.build()?.try_deserialize()?;
        // The database lives with the service's other files unless it is put elsewhere.
        if settings.database.url.trim().is_empty() {
            settings.database.url = settings
                .server
                .data_dir
                .join("dsr.sqlite3")
                .to_string_lossy()
                .into_owned();
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the rules a type alone cannot express.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.cache.refresh_ms > 60_000 {
            return Err(invalid(
                "cache.refresh_ms",
                "must be at most 60000 (one minute); 0 turns the caches off",
            ));
        }
        let secret = &self.auth.jwt_secret;
        if !secret.is_empty() && secret.len() < 32 {
            return Err(invalid(
                "auth.jwt_secret",
                "must be at least 32 bytes (leave it empty to have one generated)",
            ));
        }
        let admin_pw = &self.auth.bootstrap_admin_password;
        if !admin_pw.is_empty() && admin_pw.chars().count() < 12 {
            return Err(invalid(
                "auth.bootstrap_admin_password",
                "must be at least 12 characters",
            ));
        }
        if self.auth.access_token_ttl_secs < 60 || self.auth.access_token_ttl_secs > 3600 {
            return Err(invalid(
                "auth.access_token_ttl_secs",
                "must be between 60 and 3600 seconds",
            ));
        }
        if self.auth.refresh_token_ttl_secs < 300 {
            return Err(invalid(
                "auth.refresh_token_ttl_secs",
                "must be at least 300 seconds",
            ));
        }
        if !self.audit.seal_key.is_empty() && self.audit.seal_key.len() < 32 {
            return Err(invalid("audit.seal_key", "must be at least 32 bytes"));
        }
        if self.audit.seal_margin_secs < 0 {
            return Err(invalid("audit.seal_margin_secs", "must not be negative"));
        }
        if self.web.session_idle_secs < 60 {
            return Err(invalid(
                "web.session_idle_secs",
                "must be at least 60 seconds",
            ));
        }
        if self.web.session_max_secs < self.web.session_idle_secs {
            return Err(invalid(
                "web.session_max_secs",
                "must be at least web.session_idle_secs",
            ));
        }
        if self.auth.session_max_secs < self.auth.refresh_token_ttl_secs {
            return Err(invalid(
                "auth.session_max_secs",
                "must be at least auth.refresh_token_ttl_secs",
            ));
        }
        for (key, value) in [
            ("auth.login_max_failures", self.auth.login_max_failures),
            (
                "auth.login_max_failures_per_username",
                self.auth.login_max_failures_per_username,
            ),
            (
                "auth.login_max_failures_per_address",
                self.auth.login_max_failures_per_address,
            ),
        ] {
            if value < 1 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        if self.auth.login_window_secs < 1 {
            return Err(invalid("auth.login_window_secs", "must be at least 1"));
        }
        if self.database.pool_size == 0 {
            return Err(invalid("database.pool_size", "must be at least 1"));
        }
        if self.server.body_limit_bytes < 1024 {
            return Err(invalid(
                "server.body_limit_bytes",
                "must be at least 1024 bytes",
            ));
        }
        if !(self.server.public_url.starts_with("http://")
            || self.server.public_url.starts_with("https://"))
        {
            return Err(invalid(
                "server.public_url",
                "must start with http:// or https://",
            ));
        }
        if self.email.transport == EmailTransportKind::Smtp && self.email.smtp_url.is_empty() {
            return Err(invalid(
                "email.smtp_url",
                "is required when email.transport is \"smtp\"",
            ));
        }
        let cadence = self.register.review_cadence_days;
        if [cadence.red, cadence.amber, cadence.green, cadence.blue]
            .iter()
            .any(|d| !(1..=366).contains(d))
        {
            return Err(invalid(
                "register.review_cadence_days",
                "each rating's cadence must be 1 to 366 days",
            ));
        }
        let t = self.timescales;
        if [
            t.post_admission_cetr_days,
            t.post_admission_cetr_days_under_18,
            t.repeat_cetr_days_non_secure,
            t.repeat_cetr_days_secure,
            t.repeat_cetr_days_under_18,
            t.community_cetr_days,
            t.oversight_visit_days,
            t.oversight_visit_days_under_18,
            t.discharge_plan_days,
            t.keyworker_days,
            t.referral_contact_working_days,
            t.referral_decision_days,
            t.nhs_number_pending_days,
            t.post_discharge_follow_up_days,
            t.keyworking_referral_days,
        ]
        .iter()
        .any(|d| !(1..=730).contains(d))
        {
            return Err(invalid(
                "timescales",
                "every timescale must be 1 to 730 days",
            ));
        }
        if !(144..=216).contains(&t.transition_plan_from_months) {
            return Err(invalid(
                "timescales.transition_plan_from_months",
                "must be 144 to 216 months (12 to 18 years)",
            ));
        }
        check_risk_factors(&self.register.risk_factors)?;
        let points = &self.discharge.points;
        if points.len() != crate::domain::discharge::POINT_COUNT {
            return Err(invalid(
                "discharge.points",
                format!(
                    "must list exactly 12 discharge plan points (found {}); rename points, do not add or remove them",
                    points.len()
                ),
            ));
        }
        if points
            .iter()
            .any(|p| p.trim().is_empty() || p.chars().count() > 200)
        {
            return Err(invalid(
                "discharge.points",
                "each point needs a title of 1 to 200 characters",
            ));
        }
        if !(1..=365).contains(&self.discharge.review_cycle_days) {
            return Err(invalid(
                "discharge.review_cycle_days",
                "must be 1 to 365 days",
            ));
        }
        let e = &self.escalation;
        let mut kinds = std::collections::HashSet::new();
        for k in &e.kind_levels {
            let rises = 1 <= k.level2_days && k.level2_days < k.level3_days && k.level3_days <= 365;
            if !(rises && kinds.insert(k.kind)) {
                return Err(invalid(
                    "escalation.kind_levels",
                    format!(
                        "{}: each kind once, with 1 <= level2_days < level3_days <= 365",
                        k.kind.as_str()
                    ),
                ));
            }
        }
        if !(1 < e.level2_days && e.level2_days < e.level3_days) {
            return Err(invalid(
                "escalation.level2_days",
                "levels must rise: 1 < level2_days < level3_days",
            ));
        }
        if e.lease_secs < 10 {
            return Err(invalid(
                "escalation.lease_secs",
                "must be at least 10 seconds",
            ));
        }
        if !(10..=3600).contains(&e.claim_secs) {
            return Err(invalid(
                "escalation.claim_secs",
                "must be 10 to 3600 seconds",
            ));
        }
        if !(1..=300).contains(&self.email.smtp_timeout_secs) {
            return Err(invalid(
                "email.smtp_timeout_secs",
                "must be 1 to 300 seconds",
            ));
        }
        if !(1..=3600).contains(&self.server.body_timeout_secs) {
            return Err(invalid(
                "server.body_timeout_secs",
                "must be 1 to 3600 seconds",
            ));
        }
        if !(16..=65535).contains(&self.server.backlog) {
            return Err(invalid("server.backlog", "must be 16 to 65535"));
        }
        if e.max_attempts < 1 {
            return Err(invalid("escalation.max_attempts", "must be at least 1"));
        }
        if e.sender_interval_secs == 0 {
            return Err(invalid(
                "escalation.sender_interval_secs",
                "must be at least 1",
            ));
        }
        if let Some(bad) = e.senior_addresses.iter().find(|a| !a.contains('@')) {
            return Err(invalid(
                "escalation.senior_addresses",
                format!("{bad:?} is not an email address"),
            ));
        }
        if let Err(message) = self.email.check_smtp_url() {
            return Err(invalid("email.smtp_url", message));
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "email.from",
                "must be a mailbox, e.g. DSR <dsr@example.nhs.uk>",
            ));
        }
        if self.log.level.trim().is_empty() {
            return Err(invalid("log.level", "must not be empty"));
        }
        Ok(())
    }

    pub fn database_url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&self.database.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn defaults_load_and_validate() {
        let s = Settings::load_from(None, env(&[])).expect("defaults are valid");
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database.url, "var/dsr.sqlite3");
        assert_eq!(s.email.transport, EmailTransportKind::File);
        assert_eq!(s.escalation.sweep_interval_secs, 900);
        assert_eq!(s.auth.access_token_ttl_secs, 900);
        assert_eq!(
            s.register.review_cadence_days,
            crate::domain::ReviewCadence::default()
        );
    }

    #[test]
    fn environment_overrides_defaults() {
        let s = Settings::load_from(
            None,
            env(&[
                ("DSR_SERVER__BIND", "0.0.0.0:9999"),
                ("DSR_ESCALATION__SWEEP_INTERVAL_SECS", "0"),
                ("DSR_EMAIL__TRANSPORT", "smtp"),
                ("DSR_EMAIL__SMTP_URL", "smtp://127.0.0.1:2525"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.bind.port(), 9999);
        assert_eq!(s.escalation.sweep_interval_secs, 0);
        assert_eq!(s.email.transport, EmailTransportKind::Smtp);
        let s = Settings::load_from(
            None,
            env(&[
                ("DSR_ESCALATION__SENIOR_ADDRESSES", "a@nhs.net,b@nhs.net"),
                ("DSR_EMAIL__ALLOWED_DOMAINS", "nhs.net"),
            ]),
        )
        .unwrap();
        assert_eq!(
            s.escalation.senior_addresses,
            vec!["a@nhs.net", "b@nhs.net"]
        );
        assert_eq!(s.email.allowed_domains, vec!["nhs.net"]);
    }

    #[test]
    fn file_layer_sits_between_defaults_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dsr.toml");
        std::fs::write(
            &path,
            "[server]\nbind = \"127.0.0.1:7000\"\npublic_url = \"https://dsr.example.nhs.uk\"\n",
        )
        .unwrap();
        let file = Some(path.to_string_lossy().into_owned());
        let s = Settings::load_from(file.clone(), env(&[])).unwrap();
        assert_eq!(s.server.bind.port(), 7000);
        assert_eq!(s.server.public_url, "https://dsr.example.nhs.uk");
        let s = Settings::load_from(file, env(&[("DSR_SERVER__BIND", "127.0.0.1:7001")])).unwrap();
        assert_eq!(s.server.bind.port(), 7001);
        assert_eq!(s.server.public_url, "https://dsr.example.nhs.uk");
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases: &[(&str, &str, &str)] = &[
            ("DSR_SERVER__BIND", "not-an-address", "server.bind"),
            ("DSR_DATABASE__POOL_SIZE", "many", "database.pool_size"),
            ("DSR_EMAIL__TRANSPORT", "pigeon", "email.transport"),
            ("DSR_AUTH__JWT_SECRET", "too-short", "auth.jwt_secret"),
            ("DSR_DATABASE__POOL_SIZE", "0", "database.pool_size"),
            ("DSR_SERVER__PUBLIC_URL", "ftp://x", "server.public_url"),
            ("DSR_SERVER__NO_SUCH_KEY", "1", "DSR_SERVER__NO_SUCH_KEY"),
            (
                "DSR_REGISTER__REVIEW_CADENCE_DAYS__RED",
                "0",
                "register.review_cadence_days",
            ),
        ];
        for (var, value, key) in cases {
            let err = Settings::load_from(None, env(&[(var, value)]))
                .expect_err(&format!("{var}={value} must be refused"));
            let msg = err.to_string();
            assert!(
                msg.contains(key),
                "{var}={value}: message {msg:?} names {key}"
            );
        }
    }

    #[test]
    fn risk_factors_and_kind_levels_are_read_from_a_file_and_checked() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.register.risk_factors.len(), 13);
        assert_eq!(
            s.register.risk_factor_label("harm_to_self"),
            Some("Harm to self")
        );
        use crate::domain::alerts::AlertKind;
        let levels = s.escalation.levels();
        assert_eq!(
            levels
                .of(AlertKind::PostDischargeFollowUpOverdue)
                .level2_days,
            1
        );
        assert_eq!(levels.of(AlertKind::DsrReviewOverdue).level2_days, 7);
        let dir = tempfile::tempdir().unwrap();
        // (file, the key its refusal names; "" when accepted)
        let cases = [
            (
                "[register]\nrisk_factors = [{ code = \"housing\", label = \"Housing at risk\" }]\n",
                "",
            ),
            (
                "[register]\nrisk_factors = [{ code = \"Housing!\", label = \"Housing\" }]\n",
                "register.risk_factors",
            ),
            (
                "[register]\nrisk_factors = [{ code = \"a\", label = \"A\" }, { code = \"a\", label = \"B\" }]\n",
                "register.risk_factors",
            ),
            (
                "[escalation]\nkind_levels = [{ kind = \"no_keyworker\", level2_days = 3, level3_days = 5 }]\n",
                "",
            ),
            (
                "[escalation]\nkind_levels = [{ kind = \"no_keyworker\", level2_days = 5, level3_days = 5 }]\n",
                "escalation.kind_levels",
            ),
        ];
        for (n, (text, refused)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("case{n}.toml"));
            std::fs::write(&path, text).unwrap();
            let loaded = Settings::load_from(Some(path.to_string_lossy().into()), env(&[]));
            match (loaded, refused.is_empty()) {
                (Ok(_), true) => {}
                (Err(e), false) => assert!(e.to_string().contains(refused), "{text}: {e}"),
                (other, _) => panic!("{text}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn the_discharge_template_must_have_twelve_points_and_may_be_renamed() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(
            s.discharge.points,
            crate::domain::discharge::DEFAULT_POINTS
                .map(String::from)
                .to_vec()
        );
        let dir = tempfile::tempdir().unwrap();
        let eleven = dir.path().join("eleven.toml");
        let list: Vec<String> = (1..=11).map(|i| format!("\"Point {i}\"")).collect();
        std::fs::write(
            &eleven,
            format!("[discharge]\npoints = [{}]\n", list.join(", ")),
        )
        .unwrap();
        let err = Settings::load_from(Some(eleven.to_string_lossy().into()), env(&[])).unwrap_err();
        assert!(
            err.to_string().contains("discharge.points") && err.to_string().contains("12"),
            "{err}"
        );
        let renamed = dir.path().join("renamed.toml");
        let list: Vec<String> = (1..=12).map(|i| format!("\"Local point {i}\"")).collect();
        std::fs::write(
            &renamed,
            format!("[discharge]\npoints = [{}]\n", list.join(", ")),
        )
        .unwrap();
        let s = Settings::load_from(Some(renamed.to_string_lossy().into()), env(&[])).unwrap();
        assert_eq!(s.discharge.points[11], "Local point 12");
    }

    #[test]
    fn database_url_scheme_selects_backend() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db"),
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db"),
            DatabaseUrl::Postgres("postgresql://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://var/x.db"),
            DatabaseUrl::Sqlite("var/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("var/dsr.sqlite3"),
            DatabaseUrl::Sqlite("var/dsr.sqlite3".into())
        );
    }

    fn email(url: &str) -> EmailSettings {
        EmailSettings {
            transport: EmailTransportKind::Smtp,
            smtp_url: url.into(),
            from: "DSR <dsr@localhost>".into(),
            include_identifiers: false,
            allowed_domains: vec![],
            smtp_timeout_secs: 10,
        }
    }

    #[test]
    fn tls_is_required_except_to_a_loopback_relay() {
        let cases = [
            ("smtp://127.0.0.1:2525", true),
            ("smtp://localhost:25", true),
            ("smtp://[::1]:2525", true),
            ("smtps://smtp.nhs.net:465", true),
            ("smtp://smtp.nhs.net:587?tls=required", true),
            ("smtp://smtp.nhs.net:587", false),
            ("smtp://smtp.nhs.net:587?tls=opportunistic", false),
            ("smtp://10.0.0.5:25", false),
            ("http://example.org", false),
            ("not a url", false),
        ];
        for (url, ok) in cases {
            assert_eq!(email(url).check_smtp_url().is_ok(), ok, "{url}");
        }
    }
}
