//! `jianguan backup`, `backup verify`, `restore` and `migrate`: parse, call
//! `jianguan_app::backup`, print. The storage's copy and
//! restore are `jianguan_store::backup::Backups`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use jianguan_app::Clock;
use jianguan_app::backup::SideFiles;
use jianguan_domain::i18n::Lang;
use jianguan_domain::store::Store;
use jianguan_store::backup::SchemaState;

/// `jianguan backup --db URL --out DIR`, or `jianguan backup verify DIR`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    command: Option<BackupCommand>,
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL", required = true)]
    db: Option<String>,
    /// The backup directory: new, or empty.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    #[command(flatten)]
    side: SideArgs,
}

/// Where the photos and the anchors are (defaults beside a SQLite file).
#[derive(Debug, Default, Args)]
pub struct SideArgs {
    /// The photo directory (default: `DB.photos` beside a SQLite file).
    #[arg(long)]
    photos: Option<PathBuf>,
    /// The audit anchor file (default: `DB.anchors` beside a SQLite file).
    #[arg(long)]
    anchors: Option<PathBuf>,
}

impl SideArgs {
    fn files(&self, db: &str) -> SideFiles {
        let anchors = self
            .anchors
            .clone()
            .or_else(|| jianguan_app::audit::default_anchor_path(db));
        SideFiles {
            photos: self
                .photos
                .clone()
                .or_else(|| anchors.as_ref().map(|p| p.with_extension("photos"))),
            anchors,
        }
    }
}

#[derive(Debug, Subcommand)]
enum BackupCommand {
    /// The restore drill: check the manifest, restore into a scratch database, verify the audit
    /// chain against the backed-up anchors and recompute the figures. Exit 0 only if all match.
    Verify {
        /// The backup directory.
        dir: PathBuf,
        /// The source database, to record the drill in its audit trail.
        #[arg(long)]
        db: Option<String>,
        /// An empty scratch database to restore into (required for a PostgreSQL backup; a
        /// temporary SQLite file otherwise).
        #[arg(long, env = "JIANGUAN_SCRATCH_URL")]
        scratch: Option<String>,
    },
}

/// `jianguan restore --from DIR --db URL`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup directory.
    #[arg(long)]
    from: PathBuf,
    /// The target database: a new or empty file, or an empty PostgreSQL schema.
    #[arg(long)]
    db: String,
    #[command(flatten)]
    side: SideArgs,
}

/// `jianguan migrate --db URL`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Database: a file path, sqlite://PATH or postgres://….
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// Where the backup taken first goes (default: `DB.pre-migrate-<version>-<time>/` beside a
    /// SQLite file; required for PostgreSQL).
    #[arg(long)]
    backup_dir: Option<PathBuf>,
    #[command(flatten)]
    side: SideArgs,
}

fn print_manifest(out: &Path, m: &jianguan_app::backup::Manifest, lang: Lang) {
    let bytes: u64 = m.files.iter().map(|f| f.size).sum();
    println!(
        "{}{}{}{}",
        lang.tn2("已备份到 {n}：{m} 数据库", out.display(), &m.backend),
        lang.tn2(
            "（结构版本 {n}，数据版本 {m}），",
            m.schema_version,
            m.data_version
        ),
        lang.tn2("{n} 个文件共 {m} 字节，", m.files.len(), bytes),
        lang.tn(
            "审计链头 {n}",
            m.audit_head
                .as_ref()
                .map_or(lang.t("无").to_string(), |(seq, _)| lang
                    .tn("第 {n} 条", seq))
        )
    );
}

/// `jianguan backup …`.
pub async fn backup(args: BackupArgs, lang: Lang) -> Result<()> {
    match args.command {
        Some(BackupCommand::Verify { dir, db, scratch }) => verify(&dir, db, scratch, lang).await,
        None => {
            let (Some(db), Some(out)) = (args.db, args.out) else {
                anyhow::bail!("--db and --out are required");
            };
            let files = args.side.files(&db);
            let m = take(&db, &out, &files).await?;
            print_manifest(&out, &m, lang);
            Ok(())
        }
    }
}

/// A backup of `db` into `out`, recorded in the database (opened without migrating).
async fn take(db: &str, out: &Path, side: &SideFiles) -> Result<jianguan_app::backup::Manifest> {
    let store = jianguan_store::backup::open_as_is(db)
        .await
        .context("opening the database")?;
    let result = jianguan_app::backup::create(
        &store,
        &jianguan_store::backup::Backups,
        db,
        out,
        side,
        Clock::system(),
        "cli",
    )
    .await;
    store.close().await;
    Ok(result?)
}

async fn verify(dir: &Path, db: Option<String>, scratch: Option<String>, lang: Lang) -> Result<()> {
    let source = match &db {
        Some(url) => Some(
            jianguan_store::open_read_only(url)
                .await
                .context("opening the source database")?,
        ),
        None => None,
    };
    let drill = jianguan_app::backup::verify(
        dir,
        &jianguan_store::backup::Backups,
        scratch.as_deref(),
        source.as_ref().map(|s| s as &dyn Store),
        Clock::system(),
        "cli",
    )
    .await;
    if let Some(s) = source {
        s.close().await;
    }
    let drill = drill?;
    for (what, ok, detail) in &drill.checks {
        println!("{} {what}：{detail}", if *ok { "✓" } else { "✗" });
    }
    let log = dir.join(jianguan_app::backup::DRILLS_LOG);
    anyhow::ensure!(
        drill.passed(),
        "{}",
        lang.tn("恢复演练未通过（记录见 {n}）", log.display())
    );
    println!("{}", lang.tn("恢复演练通过（记录见 {n}）", log.display()));
    Ok(())
}

/// `jianguan restore …`.
pub async fn restore(args: RestoreArgs, lang: Lang) -> Result<()> {
    let side = args.side.files(&args.db);
    let restored = jianguan_app::backup::restore(
        &args.from,
        &jianguan_store::backup::Backups,
        &args.db,
        &side,
        Clock::system(),
        "cli",
    )
    .await?;
    let m = &restored.manifest;
    println!(
        "{}{}{}{}",
        lang.tn2("已从 {n} 恢复 {m} 数据库", args.from.display(), &m.backend),
        lang.tn("（备份于 {n}，", &m.created_at),
        lang.tn2(
            "结构版本 {n}，数据版本 {m}）",
            m.schema_version,
            m.data_version
        ),
        lang.tn("到 {n}", jianguan_store::redact(&args.db))
    );
    if let (n, Some(dir)) = &restored.photos {
        println!("{}", lang.tn2("照片 {n} 个 → {m}", n, dir.display()));
    }
    if let Some(a) = &restored.anchors {
        println!("{}", lang.tn("审计锚点 → {n}", a.display()));
    }
    Ok(())
}

/// Takes a backup first when `db` holds a schema older than this program (never for a missing
/// or empty database); the backup's directory, if one was taken.
pub async fn backup_before_migrating(
    db: &str,
    dir: Option<PathBuf>,
    side: &SideFiles,
    lang: Lang,
) -> Result<Option<PathBuf>> {
    let known = jianguan_store::backup::known_version(db)?;
    let SchemaState::At(found) = jianguan_store::backup::schema_state(db)
        .await
        .context("opening the database")?
    else {
        return Ok(None);
    };
    if found >= known {
        return Ok(None);
    }
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let name = format!("pre-migrate-{found:04}-{stamp}");
    let out = match dir {
        Some(d) => d.join(name),
        None => match jianguan_app::audit::default_anchor_path(db) {
            Some(anchors) => anchors.with_extension(name),
            None => anyhow::bail!(
                "the schema is at version {found}, older than {known}: name where the backup taken before migrating goes (--backup-dir)"
            ),
        },
    };
    let m = take(db, &out, side)
        .await
        .context("backing up before migrating")?;
    print_manifest(&out, &m, lang);
    Ok(Some(out))
}

/// Opens `db` for a command that writes: see [`back_up_if_older`].
pub async fn open_for_writing(db: &str, lang: Lang) -> Result<jianguan_store::Db> {
    back_up_if_older(db, lang).await?;
    // A write may seal a secret or publish scores, whose integrity code is keyed: use the
    // database's key when it has one (never made here: `init`, `serve` and `user add` make it).
    crate::keys::install(db, false, lang)?;
    Ok(jianguan_store::open_existing(db).await?)
}

/// Before a command that writes opens `db` (and so migrates it): a database at an older schema
/// is backed up first, beside a SQLite file with its photos and anchors; a PostgreSQL database
/// is left to `jianguan migrate --backup-dir`, which the error names.
pub async fn back_up_if_older(db: &str, lang: Lang) -> Result<()> {
    backup_before_migrating(db, None, &SideArgs::default().files(db), lang)
        .await
        .with_context(|| {
            format!("the database is older than this program: run `jianguan migrate --db {db} --backup-dir DIR` first")
        })?;
    Ok(())
}

/// `jianguan migrate …`.
pub async fn migrate(args: MigrateArgs, lang: Lang) -> Result<()> {
    let side = args.side.files(&args.db);
    backup_before_migrating(&args.db, args.backup_dir, &side, lang).await?;
    let store = jianguan_store::open_existing(&args.db)
        .await
        .context("migrating the database")?;
    store.close().await;
    println!(
        "{}",
        lang.tn(
            "数据库结构已是最新（版本 {n}）",
            jianguan_store::backup::known_version(&args.db)?
        )
    );
    Ok(())
}
