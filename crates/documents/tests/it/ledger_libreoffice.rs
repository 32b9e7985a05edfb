//! The demo city's ledger opened and saved unchanged by LibreOffice (Debian
//! `libreoffice-calc-nogui`, `soffice --headless --convert-to xlsx`) imports with no project
//! updated: what the office does with every ledger it receives.
//!
//! Skipped, with a message saying so, when `soffice` is not installed — unless
//! `JIANGUAN_REQUIRE_LIBREOFFICE` is set (as `.ci/run` does), in which case a missing LibreOffice
//! fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jianguan_documents::ledger::{ImportOptions, import_ledger, latest_progress, ledger_workbook};
use jiff::civil::Date;

/// `soffice` on the PATH, if installed.
fn find_soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file())
}

/// A fresh directory under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens `file` in LibreOffice and saves it as .xlsx into `out` (a private profile, so parallel
/// runs do not share one); the saved file's path. A LibreOffice that hangs is killed after
/// five minutes and the test fails.
fn resave_with_libreoffice(soffice: &Path, file: &Path, profile: &Path, out: &Path) -> PathBuf {
    let mut child = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(out)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run soffice");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for soffice") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("soffice did not finish converting {}", file.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let saved = out.join(file.file_name().expect("a file name"));
    assert!(
        status.success() && saved.is_file(),
        "soffice failed ({status}): {stderr}"
    );
    saved
}

#[test]
fn a_ledger_resaved_by_libreoffice_imports_unchanged() {
    let Some(soffice) = find_soffice() else {
        assert!(
            std::env::var_os("JIANGUAN_REQUIRE_LIBREOFFICE").is_none(),
            "JIANGUAN_REQUIRE_LIBREOFFICE is set but soffice is not installed \
             (apt-get install libreoffice-calc-nogui)"
        );
        eprintln!("SKIPPED LibreOffice round trip: soffice not installed");
        return;
    };
    let city = jianguan_demo::demo_city();
    let bytes = ledger_workbook(
        &city,
        &latest_progress(&city),
        Date::constant(2021, 12, 31),
        jianguan_domain::coords::CoordinateSystem::Wgs84,
    )
    .expect("write the ledger");
    let dir = TempDir::new("jianguan-ledger-lo");
    let file = dir.0.join("台账.xlsx");
    std::fs::write(&file, &bytes).expect("write the ledger file");
    let out = dir.0.join("resaved");
    std::fs::create_dir_all(&out).expect("out dir");
    let saved = resave_with_libreoffice(&soffice, &file, &dir.0.join("profile"), &out);
    let resaved = std::fs::read(&saved).expect("read the re-saved ledger");
    assert_ne!(resaved, bytes, "LibreOffice wrote its own file");
    let plan = import_ledger(
        &resaved,
        "台账.xlsx",
        &city,
        &ImportOptions::default(),
        &|_, _| {},
    )
    .expect("the re-saved ledger imports");
    assert!(
        plan.updated.is_empty(),
        "{} projects updated, e.g. {:?}",
        plan.updated.len(),
        plan.updated
            .iter()
            .take(3)
            .map(|c| (&c.new.code, &c.fields))
            .collect::<Vec<_>>()
    );
    assert!(plan.new.is_empty());
    assert_eq!(plan.unchanged, city.projects.len());
}
