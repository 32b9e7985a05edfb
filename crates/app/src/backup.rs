//! Backup, restore and the restore drill: a backup directory holds a consistent copy of the
//! database, the photo files, the audit anchors and `manifest.json` (format, backend, schema and
//! data version, the audit chain's head, the headline figures and every file's size and
//! SHA-256). [`create`] writes one (online), [`restore`] puts one into an empty target,
//! [`verify`] restores it into a scratch database and checks the hashes, the audit chain against
//! the backed-up anchors and the figures, and records the drill. [`spawn_scheduled`] runs
//! [`create`] once across nodes on a schedule and keeps the newest few.
//!
//! Copying the database itself is the storage's job, behind [`Databases`] (SQL and the
//! PostgreSQL client programs live in `jianguan-store`); everything here is files and use cases.
//! Every file written is 0600 and every directory 0700.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jianguan_audit::AuditAction;
use jianguan_domain::Date;
use jianguan_domain::overview::Overview;
use jianguan_domain::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Clock;
use crate::portfolio::Stats;

/// The manifest's file name in a backup directory.
pub const MANIFEST: &str = "manifest.json";
/// The drill log's file name in a backup directory: one line per verification.
pub const DRILLS_LOG: &str = "drills.log";
/// The manifest format this program writes and reads.
pub const FORMAT: u32 = 1;
const PHOTOS: &str = "photos";
const ANCHORS: &str = "anchors";

pub use jianguan_domain::store::{DatabaseCopy, Databases};

/// The manifest of a backup directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The schema's migration version.
    pub schema_version: i64,
    /// The PostgreSQL schema dumped.
    pub pg_schema: Option<String>,
    /// When the backup was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The database's data version at the copy.
    pub data_version: i64,
    /// The audit chain's head at the copy: its sequence number and hash.
    pub audit_head: Option<(i64, String)>,
    /// The campaign year of the figures.
    pub year: Option<i16>,
    /// The date the figures are as of.
    pub as_of: Option<String>,
    /// The headline figures (`jianguan stats --json`) at the copy; `None` when this program
    /// cannot read them (a copy taken before migrating an older schema).
    pub figures: Option<serde_json::Value>,
    /// Every file of the backup but the manifest and the drill log.
    pub files: Vec<FileEntry>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its path relative to the backup directory.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// The files beside the database that a backup carries.
#[derive(Debug, Clone, Default)]
pub struct SideFiles {
    /// The photo directory.
    pub photos: Option<PathBuf>,
    /// The audit anchor file.
    pub anchors: Option<PathBuf>,
}

/// Why a backup, restore or verification failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Refused before anything was written.
    #[error("{0}")]
    Refused(String),
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn private_dir(path: &Path) -> Result<(), BackupError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(io_err(path))
}

fn private_file(path: &Path) -> Result<std::fs::File, BackupError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))
}

fn copy_private(from: &Path, to: &Path) -> Result<(), BackupError> {
    let mut input = std::fs::File::open(from).map_err(io_err(from))?;
    let mut output = private_file(to)?;
    std::io::copy(&mut input, &mut output).map_err(io_err(to))?;
    output.sync_all().map_err(io_err(to))
}

fn is_empty_dir(path: &Path) -> Result<bool, BackupError> {
    Ok(std::fs::read_dir(path)
        .map_err(io_err(path))?
        .next()
        .is_none())
}

/// A file's size and SHA-256.
fn hash_file(path: &Path) -> Result<(u64, String), BackupError> {
    let mut file = std::fs::File::open(path).map_err(io_err(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((size, hex))
}

/// The headline figures of `year` as of `as_of` (each defaulting as `jianguan stats` does).
pub async fn figures(
    store: &dyn Store,
    year: Option<i16>,
    as_of: Option<Date>,
) -> Result<Stats, StoreError> {
    let snapshot = crate::Snapshot::load(store).await?;
    let today = crate::clock::today_in_china();
    let year = year.unwrap_or_else(|| snapshot.portfolio.default_year(today));
    let as_of = as_of.unwrap_or_else(|| jianguan_domain::calendar::default_as_of(year, today));
    let overview = Overview::compute_with(&snapshot.portfolio, &snapshot.ledger, year, as_of);
    Ok(Stats::from(&overview))
}

fn timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Writes a backup of the database `url` (open as `store`) and its side files into `out`, which
/// must not exist or be empty; records `backup.create` in the database. Online: the copy is
/// retaken if the data changed while it was made, so the manifest's figures are the copy's.
pub async fn create(
    store: &dyn Store,
    dbs: &dyn Databases,
    url: &str,
    out: &Path,
    side: &SideFiles,
    clock: Clock,
    actor: &str,
) -> Result<Manifest, BackupError> {
    if out.exists() && (!out.is_dir() || !is_empty_dir(out)?) {
        return Err(BackupError::Refused(format!(
            "{} exists and is not an empty directory: back up into a new directory",
            out.display()
        )));
    }
    private_dir(out)?;
    let mut files = Vec::new();
    // The anchors first: every anchor then names a record the copy holds (records appended
    // after it are in the copy, beyond the last anchor, which verification accepts).
    if let Some(anchors) = side.anchors.as_deref() {
        crate::audit::write_anchor(store, anchors).await?;
        if anchors.is_file() {
            let to = out.join(ANCHORS);
            copy_private(anchors, &to)?;
            files.push(to);
        }
    }
    let mut attempt = 0;
    let (copy, data_version, head, stats) = loop {
        attempt += 1;
        let before = store.data_version().await?;
        let head = store.audit_head().await?.map(|h| (h.seq, h.hash));
        let stats = match figures(store, None, None).await {
            Ok(stats) => Some(stats),
            Err(e) => {
                tracing::warn!(error = %e, "the figures could not be read; the backup records none");
                None
            }
        };
        let copy = dbs.dump(url, out).await?;
        let unchanged = store.data_version().await? == before
            && store.audit_head().await?.map(|h| (h.seq, h.hash)) == head;
        if unchanged {
            break (copy, before, head, stats);
        }
        std::fs::remove_file(&copy.file).map_err(io_err(&copy.file))?;
        if attempt == 3 {
            return Err(BackupError::Refused(
                "the database kept changing during three copies; try again".into(),
            ));
        }
    };
    files.insert(0, copy.file.clone());
    if let Some(photos) = side.photos.as_deref().filter(|p| p.is_dir()) {
        let target = out.join(PHOTOS);
        private_dir(&target)?;
        let mut names: Vec<PathBuf> = std::fs::read_dir(photos)
            .map_err(io_err(photos))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        for from in names {
            let to = target.join(from.file_name().unwrap_or_default());
            copy_private(&from, &to)?;
            files.push(to);
        }
    }
    let mut entries = Vec::new();
    for f in &files {
        let (size, sha256) = hash_file(f)?;
        let rel = f
            .strip_prefix(out)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        entries.push(FileEntry {
            path: rel,
            size,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        backend: copy.backend,
        schema_version: copy.schema_version,
        pg_schema: copy.pg_schema,
        created_at: timestamp(clock.now_ms()),
        data_version,
        audit_head: head,
        year: stats.as_ref().map(|s| s.year),
        as_of: stats.as_ref().map(|s| s.as_of.to_string()),
        figures: stats
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| BackupError::Refused(e.to_string()))?,
        files: entries,
    };
    let path = out.join(MANIFEST);
    let mut file = private_file(&path)?;
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|e| BackupError::Refused(e.to_string()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_err(&path))?;
    let record = crate::client::draft(
        clock.now_ms(),
        actor,
        AuditAction::BackupCreate,
        out.display().to_string(),
    )
    .change("data_version", None, data_version.to_string());
    store.append_audit(&record).await?;
    Ok(manifest)
}

/// Reads a backup's manifest and checks every file against it: present, same size, same
/// SHA-256. Returns the manifest and the problems found (none: intact).
pub fn check(dir: &Path) -> Result<(Manifest, Vec<String>), BackupError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| BackupError::Io {
        path: path.display().to_string(),
        message: format!("not a backup manifest: {e}"),
    })?;
    if manifest.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "{}: manifest format {} (this program reads {FORMAT})",
            path.display(),
            manifest.format
        )));
    }
    let mut problems = Vec::new();
    for entry in &manifest.files {
        if entry.path.contains("..") || Path::new(&entry.path).is_absolute() {
            problems.push(format!("{}：路径不在备份目录内", entry.path));
            continue;
        }
        match hash_file(&dir.join(&entry.path)) {
            Err(_) => problems.push(format!("{}：文件缺失或不可读", entry.path)),
            Ok((size, _)) if size != entry.size => problems.push(format!(
                "{}：大小 {size} 字节，清单记为 {}",
                entry.path, entry.size
            )),
            Ok((_, sha)) if sha != entry.sha256 => {
                problems.push(format!("{}：SHA-256 与清单不符", entry.path))
            }
            Ok(_) => {}
        }
    }
    Ok((manifest, problems))
}

fn database_file(dir: &Path, manifest: &Manifest) -> Result<PathBuf, BackupError> {
    manifest
        .files
        .iter()
        .find(|f| !f.path.contains('/') && f.path.starts_with("jianguan."))
        .map(|f| dir.join(&f.path))
        .ok_or_else(|| BackupError::Refused("the manifest names no database file".into()))
}

/// What [`restore`] put back.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The manifest of the backup restored.
    pub manifest: Manifest,
    /// Photo files restored, and where.
    pub photos: (usize, Option<PathBuf>),
    /// Where the anchors went, if the backup had any.
    pub anchors: Option<PathBuf>,
}

/// Restores the backup in `dir` into the empty database `url` and the side files' places (each
/// missing or empty). Checks the manifest's hashes and every target first: a refusal writes
/// nothing. Records `backup.restore` in the restored database.
pub async fn restore(
    dir: &Path,
    dbs: &dyn Databases,
    url: &str,
    side: &SideFiles,
    clock: Clock,
    actor: &str,
) -> Result<Restored, BackupError> {
    let (manifest, problems) = check(dir)?;
    if !problems.is_empty() {
        return Err(BackupError::Refused(format!(
            "the backup does not match its manifest: {}",
            problems.join("; ")
        )));
    }
    if !dbs.target_is_empty(url).await? {
        return Err(BackupError::Refused(format!(
            "the target database is not empty: restore only into a new file or an empty schema ({})",
            redact(url)
        )));
    }
    let photo_entries: Vec<&FileEntry> = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with("photos/"))
        .collect();
    let has_anchors = manifest.files.iter().any(|f| f.path == ANCHORS);
    if let Some(p) = side.photos.as_deref().filter(|_| !photo_entries.is_empty())
        && p.exists()
        && (!p.is_dir() || !is_empty_dir(p)?)
    {
        return Err(BackupError::Refused(format!(
            "the photo directory {} is not empty",
            p.display()
        )));
    }
    if let Some(a) = side.anchors.as_deref().filter(|_| has_anchors)
        && a.metadata().is_ok_and(|m| m.len() > 0)
    {
        return Err(BackupError::Refused(format!(
            "the anchor file {} is not empty",
            a.display()
        )));
    }
    if !photo_entries.is_empty() && side.photos.is_none() {
        return Err(BackupError::Refused(
            "the backup holds photos: name where they go (--photos)".into(),
        ));
    }
    let file = database_file(dir, &manifest)?;
    dbs.restore(url, &file, manifest.pg_schema.as_deref())
        .await?;
    let mut photos = (0, None);
    if let Some(target) = side.photos.as_deref().filter(|_| !photo_entries.is_empty()) {
        private_dir(target)?;
        for entry in &photo_entries {
            let from = dir.join(&entry.path);
            copy_private(&from, &target.join(from.file_name().unwrap_or_default()))?;
        }
        photos = (photo_entries.len(), Some(target.to_path_buf()));
    }
    let mut anchors = None;
    if let Some(target) = side.anchors.as_deref().filter(|_| has_anchors) {
        if target.exists() {
            std::fs::remove_file(target).map_err(io_err(target))?;
        }
        copy_private(&dir.join(ANCHORS), target)?;
        anchors = Some(target.to_path_buf());
    }
    let store = dbs.open(url).await?;
    let record = crate::client::draft(
        clock.now_ms(),
        actor,
        AuditAction::BackupRestore,
        dir.display().to_string(),
    )
    .change("backup_created_at", None, manifest.created_at.clone());
    store.append_audit(&record).await?;
    Ok(Restored {
        manifest,
        photos,
        anchors,
    })
}

fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) if rest.contains('@') => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            format!("{scheme}://***@{host}")
        }
        _ => url.to_string(),
    }
}

/// The outcome of a restore drill: each check and whether it passed.
#[derive(Debug, Clone)]
pub struct Drill {
    /// (what was checked, passed, detail).
    pub checks: Vec<(&'static str, bool, String)>,
}

impl Drill {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|(_, ok, _)| *ok)
    }
}

/// The restore drill: checks the manifest, restores the backup into `scratch` (a new SQLite file
/// when `None` and the backup is SQLite; an empty PostgreSQL schema otherwise), verifies the
/// audit chain against the backed-up anchors and recomputes the figures as of the manifest's
/// date. Appends a line to the backup's `drills.log` and, given the source database, records
/// `backup.verify` there. The scratch SQLite file is removed afterwards.
pub async fn verify(
    dir: &Path,
    dbs: &dyn Databases,
    scratch: Option<&str>,
    source: Option<&dyn Store>,
    clock: Clock,
    actor: &str,
) -> Result<Drill, BackupError> {
    let mut checks = Vec::new();
    let (manifest, problems) = check(dir)?;
    checks.push((
        "清单与文件",
        problems.is_empty(),
        if problems.is_empty() {
            format!("{} 个文件的大小和 SHA-256 一致", manifest.files.len())
        } else {
            problems.join("; ")
        },
    ));
    let temp = std::env::temp_dir().join(format!(
        "jianguan-drill-{}-{}.db",
        std::process::id(),
        clock.now_ms()
    ));
    // A drill into a named PostgreSQL database restores into a schema of its own there, dropped
    // afterwards, so the same scratch database serves every drill.
    let scratch_schema = format!("jianguan_drill_{}_{}", std::process::id(), clock.now_ms());
    let scratch_url = match (scratch, manifest.backend.as_str()) {
        (Some(url), _) if problems.is_empty() => {
            match dbs.create_scratch(url, &scratch_schema).await {
                Ok(made) => made,
                Err(e) => {
                    checks.push(("恢复到临时库", false, e.to_string()));
                    return finish(dir, checks, source, clock, actor).await;
                }
            }
        }
        (Some(url), _) => url.to_string(),
        (None, "sqlite") => temp.display().to_string(),
        (None, other) => {
            return Err(BackupError::Refused(format!(
                "a {other} backup is restored into a scratch database: name an empty one (--scratch)"
            )));
        }
    };
    if problems.is_empty() {
        let drilled = drill(dir, dbs, &manifest, &scratch_url).await;
        match drilled {
            Ok(more) => checks.extend(more),
            Err(e) => checks.push(("恢复到临时库", false, e.to_string())),
        }
    }
    match scratch {
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
            }
        }
        Some(url) => {
            if let Err(e) = dbs.drop_scratch(url, &scratch_schema).await {
                tracing::warn!(error = %e, schema = scratch_schema, "the drill's scratch schema stays");
            }
        }
    }
    finish(dir, checks, source, clock, actor).await
}

/// The drill's verdict: appended to the backup's `drills.log` and, given the source database,
/// recorded there as `backup.verify`.
async fn finish(
    dir: &Path,
    checks: Vec<(&'static str, bool, String)>,
    source: Option<&dyn Store>,
    clock: Clock,
    actor: &str,
) -> Result<Drill, BackupError> {
    let drill = Drill { checks };
    let verdict = if drill.passed() {
        "通过"
    } else {
        "未通过"
    };
    let line = format!(
        "{} 恢复演练{}：{}\n",
        timestamp(clock.now_ms()),
        verdict,
        drill
            .checks
            .iter()
            .map(|(what, ok, detail)| format!("{what}{}（{detail}）", if *ok { "✓" } else { "✗" }))
            .collect::<Vec<_>>()
            .join("；")
    );
    let log = dir.join(DRILLS_LOG);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&log)
        .and_then(|mut f| f.write_all(line.as_bytes()).and_then(|()| f.sync_all()))
        .map_err(io_err(&log))?;
    if let Some(store) = source {
        let record = crate::client::draft(
            clock.now_ms(),
            actor,
            AuditAction::BackupVerify,
            dir.display().to_string(),
        )
        .change(
            "result",
            None,
            if drill.passed() { "passed" } else { "failed" },
        );
        store.append_audit(&record).await?;
    }
    Ok(drill)
}

async fn drill(
    dir: &Path,
    dbs: &dyn Databases,
    manifest: &Manifest,
    scratch: &str,
) -> Result<Vec<(&'static str, bool, String)>, BackupError> {
    let mut checks = Vec::new();
    dbs.restore(
        scratch,
        &database_file(dir, manifest)?,
        manifest.pg_schema.as_deref(),
    )
    .await?;
    let store = dbs.open(scratch).await?;
    checks.push(("恢复到临时库", true, "数据库已恢复并可打开".to_string()));
    let anchors = crate::audit::read_anchors(&dir.join(ANCHORS)).map_err(BackupError::Refused)?;
    let (intact, verdict) = crate::audit::verify_chain(store.as_ref(), &anchors).await?;
    let head = store.audit_head().await?.map(|h| (h.seq, h.hash));
    let head_ok = head == manifest.audit_head;
    checks.push((
        "审计链",
        intact && head_ok,
        if head_ok {
            verdict
        } else {
            format!("{verdict}；链头与清单不符")
        },
    ));
    let version = store.data_version().await?;
    checks.push((
        "数据版本",
        version == manifest.data_version,
        format!("{version}（清单 {}）", manifest.data_version),
    ));
    let (Some(year), Some(as_of), Some(expected)) =
        (manifest.year, &manifest.as_of, &manifest.figures)
    else {
        checks.push((
            "主要指标",
            true,
            "备份未记录指标（迁移前的旧结构备份），未比对".to_string(),
        ));
        return Ok(checks);
    };
    let as_of: Date = as_of
        .parse()
        .map_err(|e| BackupError::Refused(format!("manifest as_of: {e}")))?;
    let stats = figures(store.as_ref(), Some(year), Some(as_of)).await?;
    // Through text, as the manifest's figures were read: a rate parsed back from JSON may
    // differ from the computed one in its last bit.
    let value: serde_json::Value = serde_json::to_string(&stats)
        .and_then(|t| serde_json::from_str(&t))
        .map_err(|e| BackupError::Refused(e.to_string()))?;
    checks.push((
        "主要指标",
        &value == expected,
        format!("{year} 年，截至 {as_of}"),
    ));
    Ok(checks)
}

/// Where a scheduled backup goes and how many are kept.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The directory holding one timestamped backup directory per run.
    pub dir: PathBuf,
    /// Hours between backups.
    pub every_hours: u32,
    /// How many backups are kept (the oldest beyond are deleted).
    pub keep: usize,
}

/// The directory name of a scheduled backup taken at `now_ms`: sortable by time.
pub fn scheduled_name(now_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| t.strftime("jianguan-%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| format!("jianguan-{now_ms}"))
}

/// How old the newest complete backup under `dir` is at `now_ms`, in seconds, by the time its
/// manifest says it was taken (`None` when there is none yet; `/metrics` shows it so an alert
/// can fire when backups stop).
pub fn newest_backup_age_seconds(dir: &Path, now_ms: i64) -> Option<i64> {
    let newest = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join(MANIFEST)).ok()?;
            let manifest: Manifest = serde_json::from_str(&text).ok()?;
            let at: jiff::Timestamp = manifest.created_at.parse().ok()?;
            Some(at.as_millisecond())
        })
        .max()?;
    Some((now_ms - newest).max(0) / 1000)
}

/// Deletes the oldest scheduled backups in `dir` beyond the newest `keep`; the names deleted.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<String>, BackupError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join(MANIFEST).is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("jianguan-"))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    let old: Vec<String> = names.into_iter().take(excess).collect();
    for name in &old {
        let path = dir.join(name);
        std::fs::remove_dir_all(&path).map_err(io_err(&path))?;
    }
    Ok(old)
}

/// Runs one scheduled backup if this node wins the slot (the `every_hours` period `now` falls
/// in): a new timestamped directory under the schedule's, then the oldest beyond `keep` pruned.
pub async fn run_scheduled(
    store: &dyn Store,
    dbs: &dyn Databases,
    url: &str,
    side: &SideFiles,
    schedule: &Schedule,
    clock: Clock,
    node: &str,
) -> Result<crate::jobs::RunOutcome, crate::jobs::JobError> {
    let period_ms = i64::from(schedule.every_hours.max(1)) * 3_600_000;
    let now = clock.now_ms();
    let slot = timestamp(now - now.rem_euclid(period_ms));
    crate::jobs::run_once(store, clock, "backup.scheduled", &slot, node, || async {
        private_dir(&schedule.dir).map_err(|e| e.to_string())?;
        let out = schedule.dir.join(scheduled_name(clock.now_ms()));
        create(store, dbs, url, &out, side, clock, "system")
            .await
            .map_err(|e| e.to_string())?;
        let pruned = prune(&schedule.dir, schedule.keep.max(1)).map_err(|e| e.to_string())?;
        tracing::info!(dir = %out.display(), pruned = pruned.len(), "scheduled backup written");
        Ok(())
    })
    .await
}

/// Runs [`run_scheduled`] every hour for as long as the server runs.
pub fn spawn_scheduled(
    store: Arc<dyn Store>,
    dbs: Arc<dyn Databases>,
    url: String,
    side: SideFiles,
    schedule: Schedule,
    clock: Clock,
    node: String,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let outcome = run_scheduled(
                store.as_ref(),
                dbs.as_ref(),
                &url,
                &side,
                &schedule,
                clock,
                &node,
            )
            .await;
            if let Err(e) = outcome {
                tracing::error!(error = %e, "the scheduled backup failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use jianguan_domain::store::prelude::*;

    #[tokio::test]
    async fn a_scheduled_backup_runs_once_per_slot_is_audited_and_verifies() {
        use crate::jobs::RunOutcome;
        let dir = std::env::temp_dir().join(format!("jianguan-sched-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = dir.join("src.db").display().to_string();
        let store = jianguan_store::open(&url).await.unwrap();
        let side = SideFiles {
            photos: None,
            anchors: Some(dir.join("src.db.anchors")),
        };
        // A period far longer than the test: both runs fall in one slot.
        let schedule = Schedule {
            dir: dir.join("backups"),
            every_hours: 1_000_000,
            keep: 2,
        };
        let clock = Clock::system();
        let first = run_scheduled(
            &store,
            &jianguan_store::backup::Backups,
            &url,
            &side,
            &schedule,
            clock,
            "node-a",
        )
        .await
        .unwrap();
        let second = run_scheduled(
            &store,
            &jianguan_store::backup::Backups,
            &url,
            &side,
            &schedule,
            clock,
            "node-b",
        )
        .await
        .unwrap();
        assert_eq!((first, second), (RunOutcome::Ran, RunOutcome::Skipped));
        let made: Vec<PathBuf> = std::fs::read_dir(&schedule.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(made.len(), 1, "{made:?}");
        let head = store.audit_head().await.unwrap().unwrap();
        assert_eq!(head.action, AuditAction::BackupCreate.code());
        let drill = verify(
            &made[0],
            &jianguan_store::backup::Backups,
            None,
            None,
            clock,
            "test",
        )
        .await
        .unwrap();
        assert!(drill.passed(), "{:?}", drill.checks);
        // What /metrics reports: the newest backup's age by its manifest, and the job's runs.
        let now = clock.now_ms();
        let age = newest_backup_age_seconds(&schedule.dir, now + 90_000).expect("one backup");
        assert!((90..=90 + 600).contains(&age), "{age}");
        assert_eq!(newest_backup_age_seconds(&dir.join("none"), now), None);
        let counts = crate::jobs::job_counts();
        let (_, scheduled) = counts
            .iter()
            .find(|(job, _)| job == "backup.scheduled")
            .expect("the job is counted");
        assert!(
            scheduled.ran >= 1 && scheduled.skipped >= 1,
            "{scheduled:?}"
        );
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn scheduled_names_sort_by_time_and_pruning_keeps_the_newest() {
        assert_eq!(scheduled_name(0), "jianguan-19700101T000000Z");
        let dir = std::env::temp_dir().join(format!("jianguan-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for hour in 0..5 {
            let name = scheduled_name(hour * 3_600_000);
            std::fs::create_dir_all(dir.join(&name)).unwrap();
            std::fs::write(dir.join(&name).join(MANIFEST), "{}").unwrap();
        }
        std::fs::create_dir_all(dir.join("not-a-backup")).unwrap();
        let pruned = prune(&dir, 3).unwrap();
        assert_eq!(
            pruned,
            vec!["jianguan-19700101T000000Z", "jianguan-19700101T010000Z"]
        );
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                "jianguan-19700101T020000Z",
                "jianguan-19700101T030000Z",
                "jianguan-19700101T040000Z",
                "not-a-backup"
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
