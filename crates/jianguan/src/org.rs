//! `jianguan init` (a city set up in an empty database) and `jianguan org import|show`, over
//! `jianguan_app::setup` and `jianguan_app::org`.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use jianguan_app::Clock;
use jianguan_domain::i18n::Lang;

use crate::backup;
use jianguan_app::org::OrgError;
use jianguan_app::setup::{CityInput, SetupError};

/// `jianguan init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Database: a file path, sqlite://PATH or postgres://…. Created if missing; refused if it
    /// holds campaign data.
    #[arg(long, env = "JIANGUAN_DATABASE_URL")]
    db: String,
    /// The city's name, e.g. 测试市.
    #[arg(long)]
    city: String,
    /// The campaign year: its reporting periods are laid out.
    #[arg(long)]
    year: i16,
    /// The issuing body of documents (default: 「{city}城市建管提升行动指挥部办公室」).
    #[arg(long)]
    issuer: Option<String>,
    /// The document-number prefix (default: 建管办).
    #[arg(long)]
    doc_prefix: Option<String>,
    /// The cryptographic suite, fixed for the database's life: `intl` (SHA-256 audit chain,
    /// AES-256-GCM secrets, HMAC-SHA-256 score integrity codes) or `sm` (商用密码, GB/T 39786:
    /// SM3, SM4-GCM, HMAC-SM3).
    #[arg(long, default_value = "intl", value_parser = parse_suite)]
    crypto: jianguan_audit::CryptoSuite,
    /// Who sets it up (recorded in the audit trail).
    #[arg(long, default_value = "cli")]
    by: String,
}

/// `--crypto`'s value.
pub fn parse_suite(text: &str) -> Result<jianguan_audit::CryptoSuite, String> {
    text.parse()
        .map_err(|e: jianguan_audit::UnknownSuite| e.to_string())
}

/// `jianguan org …`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Import units from an .xlsx or .csv file (columns 单位名称, 类型, 上级单位): all or
    /// nothing; units already stored are reported unchanged.
    Import {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
        /// Who imports (recorded in the audit trail).
        #[arg(long, default_value = "cli")]
        by: String,
        /// The file.
        file: std::path::PathBuf,
    },
    /// Print the organisation as a tree.
    Show {
        /// Database: a file path, sqlite://PATH or postgres://….
        #[arg(long, env = "JIANGUAN_DATABASE_URL")]
        db: String,
    },
}

impl InitArgs {
    /// The database it sets up.
    pub fn db(&self) -> &str {
        &self.db
    }
}

/// Runs `init`, its lines and refusals in `lang`.
pub async fn init(args: InitArgs, lang: Lang) -> Result<()> {
    backup::back_up_if_older(&args.db, lang).await?;
    let store = jianguan_store::open(&args.db)
        .await
        .context("opening the database")?;
    let input = CityInput {
        city: args.city,
        year: args.year,
        issuer: args.issuer,
        doc_prefix: args.doc_prefix,
        crypto: args.crypto,
    };
    let result = jianguan_app::setup::init_city(&store, Clock::system(), &args.by, &input).await;
    store.close().await;
    let city = match result {
        Ok(city) => city,
        Err(SetupError::Store(e)) => return Err(e).context("writing the city"),
        // The refusal is the use case's Chinese sentence, shown in English where the catalogue
        // holds it.
        Err(e) => anyhow::bail!("{}", lang.t(&e.to_string())),
    };
    let s = &city.settings;
    println!("{}", lang.tn2("已初始化 {n}（{m} 年）：", &s.city, s.year));
    println!(
        "{}",
        lang.tn2(
            "  指挥部办公室：{n}（编号 {m}）",
            &city.office.name,
            city.office.id
        )
    );
    println!(
        "{}",
        lang.tn2("  发文机关：{n}；文号前缀：{m}", &s.issuer, &s.doc_prefix)
    );
    println!(
        "{}",
        lang.tn("  密码算法：{n}", lang.t(args.crypto.label_zh()))
    );
    println!(
        "{}{}",
        lang.tn("  项目类别 {n} 个（含节点模板），", city.categories),
        lang.tn2("{n} 年填报期次 {m} 个", s.year, city.periods)
    );
    println!();
    println!("{}", lang.t("下一步："));
    let db = &args.db;
    println!(
        "{}",
        lang.t("  1. 导入组织（分指挥部、牵头单位、县区、责任单位）：")
    );
    println!(
        "{}",
        lang.tn(
            "     jianguan org import --db {n} 组织.xlsx   （列：单位名称、类型、上级单位）",
            db
        )
    );
    println!(
        "{}",
        lang.t("     各类别的分指挥部和牵头单位暂为指挥部办公室，导入后请在「类别」页面重新指定。")
    );
    println!(
        "{}",
        lang.tn(
            "  2. 导入项目台账：jianguan import ledger --db {n} 台账.xlsx",
            db
        )
    );
    println!("{}", lang.t("  3. 审定年度计划（plan approve）"));
    println!(
        "{}",
        lang.tn(
            "  4. 创建账户（密码从标准输入读取）：jianguan user add --db {n} --username 用户名 --name 姓名 --role hq_office --unit 单位名称",
            db
        )
    );
    println!("{}", lang.tn("  5. 启动服务：jianguan serve --db {n}", db));
    Ok(())
}

pub async fn org(command: OrgCommand, lang: Lang) -> Result<()> {
    match command {
        OrgCommand::Import { db, by, file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let store = crate::backup::open_for_writing(&db, lang)
                .await
                .context("opening the database")?;
            let result =
                jianguan_app::org::import_org(&store, Clock::system(), &by, &bytes, &name).await;
            store.close().await;
            let done = match result {
                Ok(done) => done,
                Err(OrgError::Rows(rows)) => {
                    eprintln!(
                        "{}",
                        lang.tn2(
                            "组织文件 {n} 有 {m} 处错误，未导入任何单位：",
                            &name,
                            rows.len()
                        )
                    );
                    for r in &rows {
                        eprintln!("  {r}");
                    }
                    anyhow::bail!("{}", lang.t("组织文件未导入"));
                }
                Err(OrgError::Store(e)) => return Err(e).context("writing the units"),
                Err(e) => anyhow::bail!("{e}"),
            };
            for (n, kind, id) in &done.created {
                println!(
                    "{}",
                    lang.tn2("  新建 {n}（{m}，", n, lang.t(kind.label()))
                        + &lang.tn("编号 {n}）", id)
                );
            }
            for (n, kind, id) in &done.unchanged {
                println!(
                    "{}",
                    lang.tn2("  未变 {n}（{m}，", n, lang.t(kind.label()))
                        + &lang.tn("编号 {n}）", id)
                );
            }
            println!(
                "{}{}",
                lang.tn2("已导入 {n}：新建 {m} 个单位，", &name, done.created.len()),
                lang.tn("{n} 个已有单位未变", done.unchanged.len())
            );
            Ok(())
        }
        OrgCommand::Show { db } => {
            let store = jianguan_store::open_read_only(&db)
                .await
                .context("opening the database")?;
            let units = jianguan_app::org::units(&store).await?;
            store.close().await;
            if units.is_empty() {
                println!(
                    "{}",
                    lang.t("还没有组织单位：请先用 jianguan init 初始化城市。")
                );
            }
            for line in jianguan_app::org::tree_lines(&units) {
                println!("{line}");
            }
            Ok(())
        }
    }
}
