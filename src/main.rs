//! The `dsr` command line: serve (default), migrate, openapi, create-user.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use dsr::audit::AuditCtx;
use dsr::config::Settings;
use dsr::db::{migrate, write_transaction, Db};
use dsr::domain::{Role, Username};
use dsr::error::ApiError;
use dsr::startup::Application;
use dsr::users::service::{self, NewUser};
use dsr::users::store as users;

#[derive(Parser)]
#[command(
    name = "dsr",
    version,
    about = "Dynamic Support Register service",
    after_help = CONFIGURATION_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

const CONFIGURATION_HELP: &str = "\
Configuration: settings come from config/default.toml (built in), then the TOML file named by
DSR_CONFIG, then environment variables DSR_<SECTION>__<KEY> (e.g. DSR_SERVER__BIND=0.0.0.0:8080).
Every setting, its default and what it means is in the Configuration table of README.md.
A key or DSR_ variable that names no setting, or a bad value, stops start-up naming it.";

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve HTTP and run the background scheduler (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (YAML).
    Openapi,
    /// Import a spreadsheet register (CSV or XLSX) and print the report as JSON.
    Import {
        /// The .csv or .xlsx file.
        file: std::path::PathBuf,
        /// Check and count, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the valid rows even when some are rejected.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Load a deterministic synthetic register (NHS numbers 999…) into an empty database.
    DemoData {
        /// How many people.
        #[arg(long, default_value_t = 1000)]
        people: usize,
        /// Seed for the random choices: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run one escalation sweep now, send what is due, and print the run as JSON.
    Sweep {
        /// Report what the sweep would do without writing or emailing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The audit's seals: `verify` recomputes them, `seal` seals what is due now.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Create a user; the password is asked for (not echoed) on a terminal, else read from
    /// standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        email: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Username of the line manager (an active user with role manager).
        #[arg(long)]
        manager: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every seal; exit non-zero naming the first missing, added or changed row.
    Verify,
    /// Seal the rows that are due (older than audit.seal_margin_secs) and print how many.
    Seal,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        "must be one of admin, coordinator, keyworker, clinician, manager".to_string()
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", dsr::openapi::yaml());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(err) => {
            eprintln!("dsr: {err}");
            return ExitCode::from(2);
        }
    };
    dsr::telemetry::init(&settings.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => run_migrations(&settings),
        Command::Openapi => unreachable_openapi(),
        Command::Sweep { dry_run } => sweep(settings, dry_run),
        Command::DemoData { people, seed } => demo_data(&settings, people, seed),
        Command::Import {
            file,
            dry_run,
            skip_invalid,
        } => import(&settings, &file, dry_run, skip_invalid),
        Command::Audit { action } => audit(&settings, action),
        Command::CreateUser {
            username,
            role,
            email,
            display_name,
            manager,
        } => create_user(&settings, username, role, email, display_name, manager),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dsr: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn audit(settings: &Settings, action: AuditCommand) -> anyhow::Result<()> {
    use dsr::audit::seal;
    let db = Db::new(&settings.database);
    let mut conn = db.connect_now()?;
    migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = seal::SealKey::resolve(settings)?;
    match action {
        AuditCommand::Seal => {
            let now = chrono::Utc::now().naive_utc();
            let n = seal::seal_due(&mut conn, &key, now, settings.audit.seal_margin_secs)?;
            println!("sealed {n} audit row(s)");
            Ok(())
        }
        AuditCommand::Verify => match seal::verify(&mut conn, &key)? {
            Ok(rows) => {
                println!("audit chain intact ({rows} rows)");
                Ok(())
            }
            Err(broken) => Err(anyhow::anyhow!("audit chain broken: {broken}")),
        },
    }
}

/// An API error as the command line says it: each field and its problem, not "the request
/// has invalid fields".
fn in_words(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Validation(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

fn unreachable_openapi() -> anyhow::Result<()> {
    print!("{}", dsr::openapi::yaml());
    Ok(())
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn sweep(settings: Settings, dry_run: bool) -> anyhow::Result<()> {
    use std::sync::Arc;
    let db = Db::new(&settings.database);
    let mut conn = db.connect_now()?;
    migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(conn);
    db.mark_schema_ready();
    let escalator = dsr::escalation::run::Escalator {
        mailer: dsr::notify::transport::Mailer::from_settings(
            &settings.email,
            &settings.server.data_dir,
        )?,
        db,
        settings: Arc::new(settings),
        clock: Arc::new(dsr::domain::SystemClock),
        instance_id: format!("cli-{}", uuid::Uuid::new_v4()),
    };
    let report = actix_web::rt::System::new().block_on(async move {
        escalator
            .run(dry_run, Some(dsr::escalation::run::LEASE_WAIT))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

fn import(
    settings: &Settings,
    file: &std::path::Path,
    dry_run: bool,
    skip_invalid: bool,
) -> anyhow::Result<()> {
    use dsr::domain::Clock;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let db = Db::new(&settings.database);
    let mut conn = db.connect_now()?;
    migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let clock = dsr::domain::SystemClock;
    let rules = dsr::register::service::Rules::new(settings, clock.today());
    let now = dsr::http::Now {
        today: clock.today(),
        instant: clock.now(),
    };
    let ctx = AuditCtx {
        now: clock.now().naive_utc(),
        ..AuditCtx::default()
    };
    let options = dsr::imports::service::ImportOptions {
        dry_run,
        skip_invalid,
        caps: settings.imports,
    };
    let report = dsr::imports::service::run(&mut conn, &ctx, &bytes, options, rules, now)
        .map_err(in_words)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.rejected_rows > 0 {
        for e in &report.errors {
            eprintln!("row {}: {}: {}", e.row, e.field, e.message);
        }
        if !skip_invalid {
            anyhow::bail!(
                "{} of {} rows were rejected; nothing was written",
                report.rejected_rows,
                report.rows
            );
        }
    }
    Ok(())
}

fn demo_data(settings: &Settings, people: usize, seed: u64) -> anyhow::Result<()> {
    use dsr::domain::Clock;
    let db = Db::new(&settings.database);
    let mut conn = db.connect_now()?;
    migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let clock = dsr::domain::SystemClock;
    let report = dsr::demo::generate(
        &mut conn,
        settings,
        people,
        seed,
        clock.today(),
        clock.now().naive_utc(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!("Sign in as any of these (the password is the same for every demo user):");
    for user in &report.users {
        let password = user
            .password
            .unwrap_or("(its own password: it was already there)");
        eprintln!(
            "  {:<12} {:<26} {password}",
            user.role.as_str(),
            user.username
        );
    }
    Ok(())
}

fn run_migrations(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::new(&settings.database);
    let mut conn = db.connect_now()?;
    let applied = migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("applied {applied} migration(s)");
    Ok(())
}

/// On a terminal, asks twice without echo; otherwise reads one line from standard input
/// (`dsr create-user … < password.txt`).
fn read_password(username: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {username}: "))?;
        let again = rpassword::prompt_password("The same password again: ")?;
        anyhow::ensure!(
            first == again,
            "the two passwords differ; nothing was created"
        );
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    anyhow::ensure!(
        password.chars().count() >= 12,
        "the password must be at least 12 characters"
    );
    Ok(password)
}

fn create_user(
    settings: &Settings,
    username: String,
    role: Role,
    email: String,
    display_name: Option<String>,
    manager: Option<String>,
) -> anyhow::Result<()> {
    let username = Username::parse(&username).map_err(|m| anyhow::anyhow!("--username {m}"))?;
    anyhow::ensure!(
        email.contains('@') && email.len() <= 254,
        "--email must be an email address"
    );
    let password_hash = dsr::auth::password::hash(&read_password(username.as_str())?)?;
    let db = Db::new(&settings.database);
    let mut conn = db.connect_now()?;
    migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let ctx = AuditCtx {
        now: chrono::Utc::now().naive_utc(),
        ..AuditCtx::default()
    };
    let row = write_transaction(&mut conn, |c| {
        let manager_id = match &manager {
            Some(name) => Some(
                users::find_by_username(c, &name.to_lowercase())?
                    .ok_or_else(|| ApiError::validation("manager", "no such user"))?
                    .id,
            ),
            None => None,
        };
        let display_name = display_name.unwrap_or_else(|| username.as_str().to_string());
        service::create(
            c,
            &ctx,
            NewUser {
                username,
                email,
                display_name,
                role,
                manager_id,
                password_hash,
                active: true,
            },
        )
    })
    .map_err(in_words)?;
    println!(
        "created user {} ({}) with id {}",
        row.username, row.role, row.id
    );
    Ok(())
}
