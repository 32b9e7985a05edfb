//! `jianguan`: the one binary. A thin shell of clap subcommands over the store, the domain, the
//! demo city and the web server; exit codes 0 ok, 1 failure (one line on stderr), 2 usage.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use jianguan_app::Clock;
use jianguan_app::portfolio::Stats;
use jianguan_domain::Date;
use jianguan_domain::fmt;
use jianguan_domain::i18n::Lang;
use jianguan_domain::overview::Overview;
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
use jianguan_web::AppState;

mod assess;
mod backup;
mod basemap;
mod bench;
mod cadence;
mod catch_up;
mod coverage;
mod districts;
mod keys;
mod ledger;
mod org;
mod plan;
mod report;
mod rush;
mod security;
mod todo;

/// jianguan (建管): the command platform of a city's construction & management campaign.
#[derive(Debug, Parser)]
#[command(name = "jianguan", version, about, long_about = None)]
struct Cli {
    /// The language of the messages and the human-readable lines printed: `zh` (中文) or `en`
    /// (English). Data (names, codes) and JSON keys are never translated.
    #[arg(long, global = true, env = "JIANGUAN_LANG", default_value = "zh", value_parser = parse_lang)]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

/// A `--lang` value: `zh` or `en`.
fn parse_lang(code: &str) -> std::result::Result<Lang, String> {
    Lang::from_code(code).ok_or_else(|| format!("`{code}`: use zh or en"))
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the demo city 示例市 (2021) if the database is empty, then serve it.
    Demo {
        /// Database: a file path or sqlite://PATH. Created if missing; never overwritten.
        #[arg(
            long,
            env = "JIANGUAN_DATABASE_URL",
            default_value = "jianguan-demo.db"
        )]
        db: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// File the audit chain's head is appended to (default: `DB.anchors` beside a SQLite file).
        #[arg(long)]
        anchors: Option<std::path::PathBuf>,
        /// A second file every anchor is also appended to: put it where the database host cannot
        /// rewrite it (another machine's mount), so rewriting the database and the anchor file
        /// beside it is still caught (`audit verify --anchors A --anchors B`).
        #[arg(long)]
        anchor_copy: Option<std::path::PathBuf>,
        /// The cryptographic suite of a newly generated demo database: `intl` (SHA-256/AES) or
        /// `sm` (商用密码 SM3/SM4), as `init --crypto`.
        #[arg(long, default_value = "intl", value_parser = org::parse_suite)]
        crypto: jianguan_audit::CryptoSuite,
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        photos: PhotoArgs,
    },
    /// Serve the web UI and the JSON API.
    Serve {
        /// Database: a file path or sqlite://PATH.
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// File the audit chain's head is appended to (default: `DB.anchors` beside a SQLite file).
        #[arg(long)]
        anchors: Option<std::path::PathBuf>,
        /// A second file every anchor is also appended to: put it where the database host cannot
        /// rewrite it (another machine's mount), so rewriting the database and the anchor file
        /// beside it is still caught (`audit verify --anchors A --anchors B`).
        #[arg(long)]
        anchor_copy: Option<std::path::PathBuf>,
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        photos: PhotoArgs,
        #[command(flatten)]
        backups: ScheduleArgs,
    },
    /// Print the headline figures of a year as of a date.
    Stats(StatsArgs),
    /// Back up the database, photos and audit anchors into a new directory with a manifest of
    /// SHA-256 hashes (online); `backup verify DIR` runs the restore drill on one.
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty database (and the photos and anchors beside it).
    Restore(backup::RestoreArgs),
    /// Bring a database's schema up to date, after taking a backup of it.
    Migrate(backup::MigrateArgs),
    /// Generate a deterministic national-scale ledger (scale 1 ≈ 100,000 projects, 600,000
    /// milestones, 5,000,000 report versions) into an empty database.
    Gen {
        /// Multiples of about 100,000 projects (0.01 → 1,000).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Random seed; the same seed gives the same ledger on every backend.
        #[arg(long, default_value_t = jianguan_demo::NATIONAL_SEED)]
        seed: u64,
    },
    /// Set a city up in an empty database: the HQ office, the city's settings, the starter
    /// catalogue of categories and the year's reporting periods. Refused if the database holds
    /// campaign data.
    Init(org::InitArgs),
    /// The organisation: `org import FILE` (.xlsx/.csv: 单位名称, 类型, 上级单位), `org show`.
    Org {
        #[command(subcommand)]
        command: org::OrgCommand,
    },
    /// The districts' boundaries (区划边界): `districts import --file F.geojson [--property name]
    /// [--dry-run]` (GeoJSON, WGS-84; all or nothing), `districts export [--out F.geojson]`.
    Districts {
        #[command(subcommand)]
        command: districts::DistrictsCommand,
    },
    /// The offline basemap (底图) under every map: `basemap --osm city.osm.pbf` (roads,
    /// railways, water, green areas and place names, prepared once and stored) or `--demo`.
    Basemap(basemap::BasemapArgs),
    /// What waits for each user (待办) on a day, as their pages list it.
    Todo(todo::TodoArgs),
    /// Accounts: `user add` creates one (the first account of a production database, too).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The login settings: `security show`, `security set --max-password-age-days N
    /// --max-sessions N --second-factor-for-all true|false`
    Security {
        #[command(subcommand)]
        command: security::SecurityCommand,
    },
    /// The audit trail: verify its hash chain against the anchors written outside the database.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The weekly dispatch pack (一周一调度) of an ISO week, as text or JSON.
    Dispatch {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The week, e.g. 2021-W40.
        #[arg(long)]
        week: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The warnings ladder: `warnings run` runs the daily job for a day (or catches up a range).
    Warnings {
        #[command(subcommand)]
        command: WarningsCommand,
    },
    /// The warning rules (TOML, versioned): `rules show`, `rules set FILE`.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// The reporting calendar (TOML, versioned): `calendar show`, `calendar set FILE`,
    /// `calendar open --year Y` (lays out a year's periods).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The monthly assessment (一月一考评): `score --month 2021-10` scores a month and prints its
    /// league tables (a draft until published; a published month only with --rescore --reason);
    /// `score publish --month 2021-10` publishes it.
    Score(assess::ScoreArgs),
    /// Import records from files (`import ledger FILE [--dry-run]`): all-or-nothing, with an
    /// error report marking the bad cells.
    Import {
        #[command(subcommand)]
        command: ledger::ImportCommand,
    },
    /// The annual plan: `plan show`, `plan approve --year Y [--unit NAME]` (the baseline
    /// frozen), `plan carry-over --from Y` (unfinished projects into the next year).
    Plan {
        #[command(subcommand)]
        command: plan::PlanCommand,
    },
    /// Export records as files (`export ledger --out FILE.xlsx`).
    Export {
        #[command(subcommand)]
        command: ledger::ExportCommand,
    },
    /// Draft an office document from the data: `report summary --period 2021 --out FILE.docx`.
    Report(report::ReportArgs),
    /// Service coverage on the walking network: share of residents within a distance or time
    /// of a facility type, per district, before and after, credited to projects.
    Coverage(Box<coverage::CoverageArgs>),
    /// The scoring scheme (考核办法, TOML, versioned per year): `scheme show`, `scheme set FILE`.
    Scheme {
        #[command(subcommand)]
        command: assess::SchemeCommand,
    },
    /// Entered assessment indicators: `indicator enter`.
    Indicator {
        #[command(subcommand)]
        command: assess::IndicatorCommand,
    },
    /// Measure the dashboard on a database: reading the figures' inputs, computing the overview
    /// (district × category rates and the overdue list) and serving the overview page;
    /// `bench rush --url URL` drives the deadline rush over HTTP against a server on this machine.
    Bench(bench::BenchArgs),
}

/// Where report photos are kept.
#[derive(Debug, Args)]
struct PhotoArgs {
    /// Directory for report photos, each file named by its SHA-256 (default: `DB.photos`
    /// beside a SQLite file; required for PostgreSQL to accept photos).
    #[arg(long)]
    photos: Option<std::path::PathBuf>,
}

impl PhotoArgs {
    fn dir(&self, db: &str) -> Option<std::path::PathBuf> {
        self.photos.clone().or_else(|| {
            jianguan_app::audit::default_anchor_path(db).map(|p| p.with_extension("photos"))
        })
    }
}

/// The scheduled backup of a server.
#[derive(Debug, Args)]
struct ScheduleArgs {
    /// Back up into a new timestamped directory under DIR on a schedule (run once across
    /// nodes); also where the backup taken before a migration goes.
    #[arg(long)]
    backup_dir: Option<std::path::PathBuf>,
    /// Hours between scheduled backups.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..))]
    backup_every: u32,
    /// How many scheduled backups are kept (the oldest beyond are deleted).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    backup_keep: u64,
}

/// Where requests come from and who may reach administrator routes.
#[derive(Debug, Args)]
struct NetworkArgs {
    /// Address ranges that may reach administrator routes (comma-separated).
    #[arg(long, default_value = "127.0.0.0/8,::1/128")]
    admin_from: String,
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated).
    #[arg(long, default_value = "")]
    trusted_proxy: String,
    /// Mark the session cookie Secure (the server is reached over TLS).
    #[arg(long)]
    secure_cookies: bool,
}

impl NetworkArgs {
    fn config(&self) -> Result<jianguan_web::network::NetworkConfig> {
        use jianguan_web::network::parse_ranges;
        Ok(jianguan_web::network::NetworkConfig {
            admin_from: parse_ranges(&self.admin_from)
                .map_err(|e| anyhow::anyhow!("--admin-from: {e}"))?,
            trusted_proxies: parse_ranges(&self.trusted_proxy)
                .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?,
            secure_cookies: self.secure_cookies,
        })
    }
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input (one line), never from the
    /// command line. Administrator roles get a TOTP secret, printed once.
    Add {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// User name (unique after NFKC normalisation and case folding).
        #[arg(long)]
        username: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// Role code: hq_leader, hq_office, sub_hq_staff, lead_unit_staff, district_staff,
        /// unit_reporter, system_admin, security_admin or audit_admin.
        #[arg(long)]
        role: String,
        /// The organisation unit: its exact name or its id (required for campaign roles).
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum WarningsCommand {
    /// Run the daily warning job for `--date` (and each day up to `--to`): records the ladder's
    /// changes and escalates overdue tracked items. Running a day twice records nothing new.
    Run {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        date: Date,
        /// The last day of a range to catch up.
        #[arg(long)]
        to: Option<Date>,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Print the warning rules in force.
    Show {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
    },
    /// Validate a rules file and save it as the new version (refused files change nothing).
    Set {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Who saves it (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
        /// The TOML file.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Print the calendar in force and a year's periods.
    Show {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The year (default: the year being reported on).
        #[arg(long)]
        year: Option<i16>,
    },
    /// Validate a calendar file and save it as the new version.
    Set {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Who saves it (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
        /// The TOML file.
        file: std::path::PathBuf,
    },
    /// Lay out a year's reporting periods from the calendar in force.
    Open {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// The year.
        #[arg(long)]
        year: i16,
        /// Who opens it (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check every audit record's hash and link, and the chain against the anchor file: names
    /// the first edited, deleted, inserted or reordered record, a cut-off tail or a rewritten
    /// chain. Exit 0 when intact, 1 otherwise.
    Verify {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Anchor file; repeat it to check the chain against each copy (default: beside a
        /// SQLite file, `DB.anchors`).
        #[arg(long)]
        anchors: Vec<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// Database: a file path or sqlite://PATH.
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// Campaign year (default: the year being reported on).
    #[arg(long)]
    year: Option<i16>,
    /// As-of date YYYY-MM-DD (default: today, or the year's last day once it is over).
    #[arg(long)]
    as_of: Option<Date>,
    /// Print JSON (the body of GET /api/v1/stats) instead of a table.
    #[arg(long)]
    json: bool,
}

/// See the workspace's Cargo.toml: glibc's allocator kept hundreds of megabytes that the
/// blocking pool's threads had freed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Only a build for the crash test has crash points; elsewhere this does nothing.
    jianguan_store::crash::arm_from_env();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("jianguan: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lang = cli.lang;
    match runtime.block_on(jianguan_app::client::scope(Some(cli_client()), run(cli))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Each cause in the reader's language (the app and the domain write in Chinese).
            let causes: Vec<String> = e
                .chain()
                .map(|cause| lang.message(&cause.to_string()).into_owned())
                .collect();
            eprintln!("jianguan: {}", causes.join(": ").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

/// Where a command-line write comes from, for its audit records (a server's requests carry
/// their own address): the login and host, and the SSH client's address when there is one.
fn cli_client() -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "?".into());
    let host = jianguan_app::jobs::host_name();
    let via = std::env::var("SSH_CLIENT")
        .ok()
        .and_then(|c| c.split_whitespace().next().map(|ip| format!(" ssh {ip}")))
        .unwrap_or_default();
    format!("cli {user}@{host}{via}")
}

async fn run(cli: Cli) -> Result<()> {
    let lang = cli.lang;
    match cli.command {
        Command::Demo {
            db,
            listen,
            anchors,
            anchor_copy,
            crypto,
            network,
            photos,
        } => {
            let anchors = anchors.or_else(|| jianguan_app::audit::default_anchor_path(&db));
            let photos = photos.dir(&db);
            let side = jianguan_app::backup::SideFiles {
                photos: photos.clone(),
                anchors: anchors.clone(),
            };
            backup::backup_before_migrating(&db, None, &side, lang).await?;
            keys::install(&db, true, lang)?;
            let serving = Serving {
                listen,
                anchors,
                anchor_copy,
                photos,
                network: network.config()?,
                backup_dir: None,
                lang,
            };
            demo(&db, crypto, serving).await
        }
        Command::Serve {
            db,
            listen,
            anchors,
            anchor_copy,
            network,
            photos,
            backups,
        } => {
            let network = network.config()?;
            let anchors = anchors.or_else(|| jianguan_app::audit::default_anchor_path(&db));
            let side = jianguan_app::backup::SideFiles {
                photos: photos.dir(&db),
                anchors: anchors.clone(),
            };
            if jianguan_store::backup::schema_state(&db).await?
                != jianguan_store::backup::SchemaState::Missing
            {
                backup::backup_before_migrating(&db, backups.backup_dir.clone(), &side, lang)
                    .await?;
            }
            keys::install(&db, true, lang)?;
            let store = jianguan_store::open_existing(&db)
                .await
                .context("opening the database")?;
            keys::seal_plain(&store, lang).await?;
            let backup_dir = backups.backup_dir.clone();
            if let Some(dir) = backups.backup_dir {
                jianguan_app::backup::spawn_scheduled(
                    Arc::new(store.clone()),
                    Arc::new(jianguan_store::backup::Backups),
                    db.clone(),
                    side,
                    jianguan_app::backup::Schedule {
                        dir,
                        every_hours: backups.backup_every,
                        keep: usize::try_from(backups.backup_keep).unwrap_or(usize::MAX),
                    },
                    Clock::system(),
                    jianguan_app::jobs::node_name(),
                );
            }
            let serving = Serving {
                listen,
                anchors,
                anchor_copy,
                photos: photos.dir(&db),
                network,
                backup_dir,
                lang,
            };
            serve(store, serving).await
        }
        Command::Stats(args) => stats(args, lang).await,
        Command::Backup(args) => backup::backup(args, lang).await,
        Command::Restore(args) => backup::restore(args, lang).await,
        Command::Migrate(args) => backup::migrate(args, lang).await,
        Command::Init(args) => {
            keys::install(args.db(), true, lang)?;
            org::init(args, lang).await
        }
        Command::Org { command } => org::org(command, lang).await,
        Command::Districts { command } => districts::run(command, lang).await,
        Command::Basemap(args) => basemap::run(args, lang).await,
        Command::Todo(args) => todo::run(args, lang).await,
        Command::Gen { scale, db, seed } => gen_ledger(scale, &db, seed, lang).await,
        Command::Security { command } => security::security(command, lang).await,
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    name,
                    role,
                    unit,
                },
        } => {
            keys::install(&db, true, lang)?;
            user_add(&db, &username, &name, &role, unit, lang).await
        }
        Command::Audit {
            command: AuditCommand::Verify { db, anchors },
        } => audit_verify(&db, anchors, lang).await,
        Command::Dispatch { db, week, json } => cadence::dispatch(&db, &week, json, lang).await,
        Command::Warnings {
            command: WarningsCommand::Run { db, date, to },
        } => cadence::warnings_run(&db, date, to, lang).await,
        Command::Rules {
            command: RulesCommand::Show { db },
        } => cadence::rules_show(&db, lang).await,
        Command::Rules {
            command: RulesCommand::Set { db, by, file },
        } => cadence::rules_set(&db, &file, &by, lang).await,
        Command::Calendar { command } => match command {
            CalendarCommand::Show { db, year } => cadence::calendar_show(&db, year, lang).await,
            CalendarCommand::Set { db, by, file } => {
                cadence::calendar_set(&db, &file, &by, lang).await
            }
            CalendarCommand::Open { db, year, by } => {
                cadence::calendar_open(&db, year, &by, lang).await
            }
        },
        Command::Score(args) => assess::score(args, lang).await,
        Command::Report(args) => report::report(args, lang).await,
        Command::Coverage(args) => coverage::run(*args).await,
        Command::Import { command } => ledger::import(command, lang).await,
        Command::Export { command } => ledger::export(command, lang).await,
        Command::Plan { command } => plan::run(command, lang).await,
        Command::Scheme { command } => assess::scheme(command, lang).await,
        Command::Indicator { command } => assess::indicator(command, lang).await,
        Command::Bench(args) => bench::dispatch(args).await,
    }
}

async fn user_add(
    db: &str,
    username: &str,
    name: &str,
    role: &str,
    unit: Option<String>,
    lang: Lang,
) -> Result<()> {
    let role =
        jianguan_access::Role::from_code(role).with_context(|| format!("unknown role `{role}`"))?;
    anyhow::ensure!(
        role.is_administrator() || unit.is_some(),
        "--unit is required for the role {}",
        role.code()
    );
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    backup::back_up_if_older(db, lang).await?;
    let store = jianguan_store::open(db)
        .await
        .context("opening the database")?;
    let unit = match unit {
        None => None,
        Some(text) => match jianguan_app::org::resolve_unit(&store, &text).await {
            Ok(u) => Some(u),
            Err(jianguan_app::org::OrgError::Store(e)) => {
                return Err(e).context("reading the units");
            }
            Err(e) => anyhow::bail!("{}{}", lang.t("--unit："), lang.t(&e.to_string())),
        },
    };
    let totp = if jianguan_access::session::second_factor_required(&[role]) {
        Some(
            jianguan_access::totp::TotpSecret::generate()
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .to_base32(),
        )
    } else {
        None
    };
    let created = jianguan_app::accounts::create_account(
        &store,
        Clock::system(),
        "cli",
        jianguan_app::accounts::NewAccount {
            username,
            display_name: name,
            unit: unit.as_ref().map(|u| u.id),
            roles: &[role],
            password,
            totp_secret: totp.clone(),
        },
    )
    .await;
    store.close().await;
    let id = match created {
        Ok(id) => id,
        Err(jianguan_app::accounts::AccountError::Store(e)) => match jianguan_app::refusal(&e) {
            Some(why) => anyhow::bail!("{}", lang.t(&why)),
            None => return Err(e).context("writing the account"),
        },
        Err(e) => anyhow::bail!("{}", lang.t(&e.to_string())),
    };
    println!(
        "{}{}{}",
        lang.tn2("已创建账户 {n}（编号 {m}，", username, id),
        lang.tn("角色 {n}", lang.t(role.label())),
        unit.map(|u| lang.tn("，单位 {n}", u.name))
            .unwrap_or_default()
            + lang.t("）")
    );
    if let Some(secret) = totp {
        println!(
            "{}",
            lang.tn("动态口令密钥（请录入手机验证器，仅显示一次）：{n}", secret)
        );
    }
    Ok(())
}

async fn audit_verify(db: &str, mut files: Vec<std::path::PathBuf>, lang: Lang) -> Result<()> {
    // The key checks the published scores' keyed integrity codes; without it they are counted
    // as needing the key.
    keys::install(db, false, lang)?;
    let store = jianguan_store::open_read_only(db)
        .await
        .context("opening the database")?;
    if files.is_empty() {
        files.extend(jianguan_app::audit::default_anchor_path(db));
    }
    // The chain alone when no anchor file is known (PostgreSQL without --anchors); else once per
    // file, so a copy kept elsewhere that disagrees with the one beside the database is named.
    let targets: Vec<Option<std::path::PathBuf>> = if files.is_empty() {
        vec![None]
    } else {
        files.into_iter().map(Some).collect()
    };
    let mut failed = Vec::new();
    for path in &targets {
        let anchors = match path {
            Some(p) => jianguan_app::audit::read_anchors(p).map_err(anyhow::Error::msg)?,
            None => Vec::new(),
        };
        let (intact, verdict) = jianguan_app::audit::verify_chain(&store, &anchors).await?;
        let line = format!(
            "{verdict}{}",
            path.as_ref()
                .map(|p| lang.tn("（锚点文件 {n}）", p.display()))
                .unwrap_or_default()
        );
        if intact {
            println!("{line}");
        } else {
            failed.push(line);
        }
    }
    store.close().await;
    anyhow::ensure!(failed.is_empty(), "{}", failed.join(lang.t("；")));
    Ok(())
}

async fn gen_ledger(scale: f64, db: &str, seed: u64, lang: Lang) -> Result<()> {
    anyhow::ensure!(
        scale.is_finite() && scale > 0.0 && scale <= 100.0,
        "--scale must be a number above 0 and at most 100, got {scale}"
    );
    backup::back_up_if_older(db, lang).await?;
    let store = jianguan_store::open(db)
        .await
        .context("opening the database")?;
    anyhow::ensure!(
        store.is_empty().await?,
        "the database already holds campaign data; gen writes only into an empty database"
    );
    let spec = jianguan_demo::NationalSpec { scale, seed };
    let actor = Actor {
        name: "gen".into(),
        client: None,
    };
    let started = std::time::Instant::now();
    let bar = ProgressBar::new(spec.projects() as u64).with_style(
        ProgressStyle::with_template(
            lang.t("{bar:40} {pos}/{len} 个项目 {elapsed} 预计剩余 {eta}"),
        )
        .expect("a valid progress template"),
    );
    let base = jianguan_demo::national_base(&spec);
    store
        .create_portfolio(&base, &actor, &|_, _| {})
        .await
        .context("writing the organisation and calendar")?;
    let (mut milestones, mut reports) = (0usize, 0usize);
    for city in 0..spec.cities() {
        let chunk = jianguan_demo::national_city(&spec, &base, city);
        milestones += chunk
            .projects
            .iter()
            .map(|p| p.milestones.len())
            .sum::<usize>();
        reports += chunk.reports.len();
        store
            .append_portfolio(&chunk, &actor, &|_, _| {})
            .await
            .with_context(|| format!("writing city {} of {}", city + 1, spec.cities()))?;
        bar.inc(chunk.projects.len() as u64);
    }
    bar.finish_and_clear();
    eprintln!(
        "{}{}{}",
        lang.tn2(
            "已生成 {n} 个项目、{m} 个节点、",
            fmt::count(spec.projects() as u64),
            fmt::count(milestones as u64)
        ),
        lang.tn2(
            "{n} 条填报（{m} 个城市），",
            fmt::count(reports as u64),
            spec.cities()
        ),
        lang.tn(
            "用时 {n} 秒",
            format!("{:.1}", started.elapsed().as_secs_f64())
        )
    );
    store.close().await;
    Ok(())
}

async fn demo(db: &str, crypto: jianguan_audit::CryptoSuite, serving: Serving) -> Result<()> {
    let lang = serving.lang;
    let store = jianguan_store::open(db)
        .await
        .context("opening the database")?;
    if store.is_empty().await? {
        store
            .choose_crypto_suite(crypto, "demo", Clock::system().now_ms())
            .await
            .context("recording the crypto suite")?;
        let started = std::time::Instant::now();
        eprintln!(
            "{}",
            lang.tn("正在生成示例市 {n} 年数据 …", jianguan_demo::DEMO_YEAR)
        );
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template(lang.t("{bar:40} {pos}/{len} 条记录 {elapsed}"))
                .expect("a valid progress template"),
        );
        let progress = {
            let bar = bar.clone();
            move |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            }
        };
        let seeded = jianguan_demo::seed::seed_demo_city(&store, Clock::system(), &progress)
            .await
            .context("writing the demo city")?;
        bar.finish_and_clear();
        // The basemap under its maps: its generated streets (apart from the seed, which the
        // tests run many times without maps to look at).
        jianguan_app::basemap::store_demo(&store, Clock::system(), "demo", &seeded.city)
            .await
            .map_err(|e| anyhow::anyhow!("{}", lang.message(&e.to_string())))
            .context("storing the demo city's basemap")?;
        eprintln!(
            "{}{}{}{}{}",
            lang.tn2(
                "已生成示例市：{n} 个项目，{m} 条填报，",
                seeded.city.projects.len(),
                seeded.city.reports.len()
            ),
            lang.tn2(
                "{n} 条警示记录，{m} 件督办/约谈/协调/整改事项，",
                seeded.warnings,
                seeded.items
            ),
            lang.tn2(
                "{n} 条考评指标录入、{m} 篇媒体报道、",
                seeded.entered,
                seeded.media
            ),
            lang.tn("{n} 个月度考评结果（1–11 月已发布），", seeded.runs),
            lang.tn(
                "用时 {n} 秒",
                format!("{:.1}", started.elapsed().as_secs_f64())
            )
        );
        println!(
            "{}",
            lang.tn(
                "示例账户（密码均为 {n}；管理员另需动态口令）：",
                jianguan_demo::seed::DEMO_PASSWORD
            )
        );
        for a in &seeded.accounts {
            println!(
                "  {:<10} {}{}{}",
                a.username,
                lang.t(a.role.label()),
                lang.tn("（{n}）", &a.unit),
                a.totp_secret
                    .as_ref()
                    .map(|t| lang.tn(" 动态口令密钥 {n}", t))
                    .unwrap_or_default()
            );
        }
    } else {
        eprintln!("{}", lang.t("数据库已有数据，直接使用（不会覆盖）。"));
    }
    keys::seal_plain(&store, lang).await?;
    serve(store, serving).await
}

/// How a server runs: where it listens, its files beside the database, its network settings.
struct Serving {
    listen: SocketAddr,
    /// The anchor file the audit pages verify against.
    anchors: Option<std::path::PathBuf>,
    /// A second anchor target (`--anchor-copy`).
    anchor_copy: Option<std::path::PathBuf>,
    photos: Option<std::path::PathBuf>,
    network: jianguan_web::network::NetworkConfig,
    /// Where scheduled backups go (for `/metrics`).
    backup_dir: Option<std::path::PathBuf>,
    /// The language of the start-up lines.
    lang: Lang,
}

/// How often a running server appends the audit chain's head to the anchor file.
const ANCHOR_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

async fn serve(store: jianguan_store::Db, serving: Serving) -> Result<()> {
    let Serving {
        listen,
        anchors,
        anchor_copy,
        photos,
        network,
        backup_dir,
        lang,
    } = serving;
    let anchor_targets: Vec<std::path::PathBuf> =
        anchors.iter().chain(&anchor_copy).cloned().collect();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let state = AppState::new(Arc::new(store.clone()));
    state.set_network(network);
    if let Some(dir) = backup_dir {
        state.watch_backups(dir);
    }
    if let Some(dir) = photos {
        jianguan_store::backup::create_private_dir(&dir)
            .with_context(|| format!("creating the photo directory {}", dir.display()))?;
        state.set_photo_dir(dir);
    }
    // Read the data once before announcing the URL, so the first page is fast and /healthz
    // means ready.
    state.snapshot().await.context("reading the data")?;
    if let Some(path) = &anchors {
        state.set_anchor_path(path.clone());
    }
    if !anchor_targets.is_empty() {
        jianguan_app::audit::spawn_anchor_task(
            Arc::new(store.clone()),
            anchor_targets.clone(),
            ANCHOR_PERIOD,
        );
    }
    jianguan_app::jobs::spawn_daily_jobs(
        Arc::new(store.clone()),
        Clock::system(),
        jianguan_app::jobs::node_name(),
    );
    println!(
        "{}",
        lang.tn("jianguan 已启动：{n}", format!("http://{addr}/"))
    );
    if jianguan_app::setup::needs_setup(&store).await? {
        let token = state.open_setup().context("making the first-run token")?;
        println!(
            "{}",
            lang.tn2(
                "数据库为空：请从管理网络（--admin-from）打开 {n} 初始化城市，一次性口令：{m}",
                format!("http://{addr}/setup"),
                token
            )
        );
        println!(
            "{}",
            lang.t("（也可停止服务后用 jianguan init 初始化；城市建立后该页面和口令即失效。）")
        );
    }
    tracing::info!(%addr, backend = store.backend(), "serving");
    jianguan_web::serve(listener, state).await?;
    for path in &anchor_targets {
        jianguan_app::audit::write_anchor(&store, path).await?;
    }
    store.close().await;
    Ok(())
}

async fn stats(args: StatsArgs, lang: Lang) -> Result<()> {
    let store = jianguan_store::open_read_only(&args.db)
        .await
        .context("opening the database")?;
    let jianguan_app::Snapshot {
        portfolio, ledger, ..
    } = jianguan_app::Snapshot::load(&store).await?;
    let today = jianguan_app::clock::today_in_china();
    let year = args.year.unwrap_or_else(|| portfolio.default_year(today));
    let as_of = args
        .as_of
        .unwrap_or_else(|| jianguan_domain::calendar::default_as_of(year, today));
    let overview = Overview::compute_with(&portfolio, &ledger, year, as_of);
    let stats = Stats::from(&overview);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        print_stats(&stats, lang);
    }
    store.close().await;
    Ok(())
}

fn print_stats(s: &Stats, lang: Lang) {
    println!(
        "{}",
        lang.tn2(
            "{n} 年城市建管提升行动，数据截至 {m}",
            s.year,
            lang.date(s.as_of)
        )
    );
    println!(
        "{}{}",
        lang.tn2(
            "项目 {n}（年度建设 {m}，",
            fmt::count(s.projects),
            fmt::count(s.annual_projects)
        ),
        lang.tn2(
            "前期或跨年 {n}），已开工 {m}",
            fmt::count(s.preliminary_projects),
            fmt::count(s.started_projects)
        )
    );
    println!(
        "{}  {}  {}",
        lang.tn2(
            "项目完成率 {n}（{m}）",
            fmt::rate(s.project_completion_rate),
            format!("{} / {}", s.finished_projects, s.annual_projects)
        ),
        lang.tn2(
            "节点完成率 {n}（{m}）",
            fmt::rate(s.node_completion_rate),
            format!("{} / {}", s.milestones_reached, s.milestones_due)
        ),
        lang.tn("按期完成率 {n}", fmt::rate(s.on_time_rate))
    );
    println!(
        "{}  {}",
        lang.tn2(
            "投资完成率 {n}（{m} 亿元）",
            fmt::rate(s.investment_completion_rate),
            format!(
                "{} / {}",
                fmt::yi(jianguan_domain::model::Money(s.investment_completed)),
                fmt::yi(jianguan_domain::model::Money(s.investment_planned))
            )
        ),
        lang.tn2(
            "逾期节点 {n}（{m} 个项目）",
            s.overdue_milestones,
            s.overdue_projects
        )
    );
    for (title, lines) in [
        (lang.t("类别"), &s.categories),
        (lang.t("县区"), &s.districts),
    ] {
        println!();
        println!(
            "{title:<12}\t{}",
            lang.t("计划\t完工\t项目完成率\t节点完成率\t年度完成投资(万元)")
        );
        for l in lines {
            println!(
                "{:<12}\t{}\t{}\t{}\t{}\t{}",
                l.name,
                l.planned,
                l.finished,
                fmt::rate(l.project_completion_rate),
                fmt::rate(l.node_completion_rate),
                fmt::wan(jianguan_domain::model::Money(l.investment_completed))
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every Chinese string this crate passes to the translator (`.t("…")`, `.tn("…"`,
    /// `.tn2("…"`) has English, so `--lang en` shows none of them in Chinese.
    #[test]
    fn every_message_passed_to_the_translator_has_english() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).expect("the sources") {
            let path = entry.expect("an entry").path();
            let text = std::fs::read_to_string(&path).expect("a source file");
            for call in [".t(", ".tn(", ".tn2("] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let key: String = rest.split('"').next().unwrap_or("").replace("\\t", "\t");
                    if key.chars().any(jianguan_domain::i18n::is_cjk)
                        && !jianguan_domain::i18n::has_entry(&key)
                    {
                        missing.push(format!("{}: {key:?}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no English for:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn lang_is_zh_or_en_and_anything_else_is_a_usage_error() {
        let parse = |args: &[&str]| Cli::try_parse_from(args.iter().copied());
        assert_eq!(
            parse(&["jianguan", "stats", "--db", "x.db"]).unwrap().lang,
            Lang::Zh
        );
        assert_eq!(
            parse(&["jianguan", "--lang", "en", "stats", "--db", "x.db"])
                .unwrap()
                .lang,
            Lang::En
        );
        let err = parse(&["jianguan", "stats", "--db", "x.db", "--lang", "fr"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn ledger_coordinates_take_the_names_people_type_and_refuse_others() {
        let parse = |args: &[&str]| Cli::try_parse_from(args.iter().copied());
        let import = |system: &str| {
            parse(&[
                "jianguan",
                "import",
                "ledger",
                "--db",
                "x.db",
                "--coordinates",
                system,
                "a.xlsx",
            ])
        };
        for (system, shown) in [("gcj02", "Gcj02"), ("高德", "Gcj02"), ("BD-09", "Bd09")] {
            let cli = import(system).unwrap();
            assert!(
                format!("{cli:?}").contains(&format!("coordinates: Some({shown})")),
                "{system}: {cli:?}"
            );
        }
        assert_eq!(import("北京54").unwrap_err().exit_code(), 2);
        let export = |extra: &[&str]| {
            let mut args = vec![
                "jianguan", "export", "ledger", "--db", "x.db", "--out", "o.xlsx",
            ];
            args.extend(extra);
            format!("{:?}", parse(&args).unwrap())
        };
        assert!(export(&[]).contains("coordinates: Wgs84"));
        assert!(export(&["--coordinates", "百度"]).contains("coordinates: Bd09"));
    }

    #[test]
    fn stats_rejects_a_malformed_date_as_a_usage_error() {
        let err =
            Cli::try_parse_from(["jianguan", "stats", "--db", "x.db", "--as-of", "2021-13-01"])
                .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn bench_measures_a_database_or_runs_the_rush_as_a_subcommand() {
        let parse = |args: &[&str]| Cli::try_parse_from(args.iter().copied());
        assert!(parse(&["jianguan", "bench", "--db", "x.db", "--runs", "3"]).is_ok());
        assert!(
            parse(&[
                "jianguan",
                "bench",
                "rush",
                "--url",
                "http://127.0.0.1:8080"
            ])
            .is_ok()
        );
        assert_eq!(parse(&["jianguan", "bench"]).unwrap_err().exit_code(), 2);
        assert_eq!(
            parse(&[
                "jianguan",
                "bench",
                "rush",
                "--url",
                "http://127.0.0.1:1",
                "--read-share",
                "2"
            ])
            .unwrap_err()
            .exit_code(),
            2
        );
    }
}
