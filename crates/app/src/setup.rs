//! A city sets itself up from an empty database: the HQ office, the city's settings, the starter
//! catalogue of categories and the year's reporting periods, in one write (`jianguan init`), and
//! on the first-run page also its three administrators and the office's first account.

use jianguan_access::Role;
use jianguan_access::password::PasswordPolicy;
use jianguan_access::username::Username;
use jianguan_audit::AuditAction;
use jianguan_domain::model::{
    Category, CategoryId, Portfolio, TemplateStep, Unit, UnitId, UnitKind,
};
use jianguan_domain::store::{CityInit, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::Clock;
use crate::accounts::{AccountError, NewAccount, create_account};

/// The setting key of the city's settings (TOML, versioned).
pub const CITY_KEY: &str = "city";

/// The starter catalogue: the campaign's eleven categories with their milestone templates.
pub const STARTER_CATALOGUE_TOML: &str = include_str!("starter_catalogue.toml");

/// The default document-number prefix (文号前缀).
pub const DEFAULT_DOC_PREFIX: &str = "建管办";

/// What a city is called and how its office signs documents, stored as the setting
/// [`CITY_KEY`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitySettings {
    /// The city's name, e.g. 测试市.
    pub city: String,
    /// The campaign year it was set up for.
    pub year: i16,
    /// The issuing body of documents (发文机关).
    pub issuer: String,
    /// The document-number prefix (文号前缀), e.g. 建管办.
    pub doc_prefix: String,
}

impl CitySettings {
    /// The settings as the TOML text stored.
    pub fn to_toml(&self) -> String {
        format!(
            "city = {}\nyear = {}\nissuer = {}\ndoc_prefix = {}\n",
            toml_string(&self.city),
            self.year,
            toml_string(&self.issuer),
            toml_string(&self.doc_prefix)
        )
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What `init` is given.
#[derive(Debug, Clone, Default)]
pub struct CityInput {
    /// The city's name.
    pub city: String,
    /// The campaign year.
    pub year: i16,
    /// The issuing body; default 「{city}城市建管提升行动指挥部办公室」.
    pub issuer: Option<String>,
    /// The document-number prefix; default [`DEFAULT_DOC_PREFIX`].
    pub doc_prefix: Option<String>,
    /// The cryptographic suite: SHA-256/AES (default) or SM3/SM4 (商用密码).
    pub crypto: jianguan_audit::CryptoSuite,
}

/// What a city was set up with.
#[derive(Debug, Clone)]
pub struct CitySetUp {
    /// The settings saved.
    pub settings: CitySettings,
    /// The HQ office unit.
    pub office: Unit,
    /// How many categories the starter catalogue gave.
    pub categories: usize,
    /// How many reporting periods the year has.
    pub periods: usize,
}

/// Why a city was not set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// An input breaks a rule; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// The database already holds campaign data.
    #[error(
        "数据库中已有组织单位或项目，不能再次初始化（初始化只用于空数据库，原有数据未作任何改动）"
    )]
    NotEmpty,
    /// The database refused or failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SetupError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotEmpty => SetupError::NotEmpty,
            other => SetupError::Store(other),
        }
    }
}

impl From<AccountError> for SetupError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(why) => SetupError::Invalid(why),
            AccountError::Store(e) => e.into(),
        }
    }
}

#[derive(Deserialize)]
struct Catalogue {
    category: Vec<StarterCategory>,
}

#[derive(Deserialize)]
struct StarterCategory {
    code: String,
    name: String,
    steps: Vec<TemplateStep>,
}

/// The starter catalogue's categories, ids from 1, each followed and led by `office` until the
/// office assigns them.
pub fn starter_catalogue(office: UnitId) -> Vec<Category> {
    let catalogue: Catalogue =
        toml::from_str(STARTER_CATALOGUE_TOML).expect("the starter catalogue is valid TOML");
    catalogue
        .category
        .into_iter()
        .enumerate()
        .map(|(i, c)| Category {
            id: CategoryId(i as i64 + 1),
            code: c.code,
            name: c.name,
            sub_hq: office,
            lead_unit: office,
            template: c.steps,
            template_version: 1,
        })
        .collect()
}

/// The name of a city's HQ office, and its default issuer of documents.
pub fn office_name(city: &str) -> String {
    format!("{city}城市建管提升行动指挥部办公室")
}

fn text_field(label: &str, value: &str, max: usize) -> Result<String, SetupError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SetupError::Invalid(format!("{label}：不能为空")));
    }
    if value.chars().count() > max {
        return Err(SetupError::Invalid(format!("{label}：不能超过 {max} 个字")));
    }
    Ok(value.to_string())
}

/// Checks the input and fills in the defaults.
pub fn settings_of(input: &CityInput) -> Result<CitySettings, SetupError> {
    let city = text_field("城市名称", &input.city, 40)?;
    if !(2000..=2100).contains(&input.year) {
        return Err(SetupError::Invalid(format!(
            "年度：应为 2000 至 2100 之间的年份，实为 {}",
            input.year
        )));
    }
    let issuer = match &input.issuer {
        Some(s) if !s.trim().is_empty() => text_field("发文机关", s, 100)?,
        _ => office_name(&city),
    };
    let doc_prefix = match &input.doc_prefix {
        Some(s) if !s.trim().is_empty() => text_field("文号前缀", s, 20)?,
        _ => DEFAULT_DOC_PREFIX.to_string(),
    };
    Ok(CitySettings {
        city,
        year: input.year,
        issuer,
        doc_prefix,
    })
}

/// Whether the database still waits for a city to be set up (no units, no projects).
pub async fn needs_setup(store: &dyn Store) -> Result<bool, StoreError> {
    store.is_empty().await
}

/// The city's settings, if it was set up.
pub async fn city_settings(store: &dyn Store) -> Result<Option<CitySettings>, StoreError> {
    match store.setting(CITY_KEY).await? {
        None => Ok(None),
        Some(saved) => toml::from_str(&saved.body)
            .map(Some)
            .map_err(|e| StoreError::Invalid(format!("城市设置无法读取：{e}"))),
    }
}

/// Sets a city up in an empty database, in one write audited as `city.init`: the HQ office
/// unit, the city's settings, the starter catalogue (each category followed and led by the
/// office until it assigns them) and the year's reporting periods from the calendar in force.
/// Refused with [`SetupError::NotEmpty`], nothing written, when the database holds campaign
/// data.
pub async fn init_city(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    input: &CityInput,
) -> Result<CitySetUp, SetupError> {
    let settings = settings_of(input)?;
    if !store.is_empty().await? {
        return Err(SetupError::NotEmpty);
    }
    let office = Unit {
        id: UnitId(1),
        kind: UnitKind::CommandHq,
        name: office_name(&settings.city),
        parent: None,
        active: true,
    };
    let (calendar, _) = crate::cadence::calendar_in_force(store).await?;
    let periods = calendar.periods(settings.year, 1);
    let categories = starter_catalogue(office.id);
    let body = settings.to_toml();
    let (n_categories, n_periods) = (categories.len(), periods.len());
    let city = CityInit {
        records: Portfolio {
            units: vec![office.clone()],
            categories,
            periods,
            ..Default::default()
        },
        settings: vec![(CITY_KEY.to_string(), body)],
        crypto: input.crypto,
    };
    let now_ms = clock.now_ms();
    let audit = vec![
        crate::client::draft(
            now_ms,
            by,
            AuditAction::CityInit,
            format!("setting:{CITY_KEY}"),
        )
        .change("city", None, &settings.city)
        .change("year", None, settings.year.to_string())
        .change("issuer", None, &settings.issuer)
        .change("doc_prefix", None, &settings.doc_prefix)
        .change("crypto_suite", None, input.crypto.as_str())
        .change("categories", None, n_categories.to_string())
        .change("periods", None, n_periods.to_string()),
        crate::client::draft(
            now_ms,
            by,
            AuditAction::UnitCreate,
            format!("unit:{}", office.id),
        )
        .change("name", None, &office.name)
        .change("kind", None, office.kind.code()),
    ];
    store.init_city(&city, by, &audit).await?;
    Ok(CitySetUp {
        settings,
        office,
        categories: n_categories,
        periods: n_periods,
    })
}

/// One of the first accounts the first-run page makes.
#[derive(Debug, Clone)]
pub struct FirstAccount {
    /// Its role: one of the three administrators, or the office.
    pub role: Role,
    /// The user name.
    pub username: String,
    /// The person's name (default: the role's name).
    pub display_name: String,
    /// The initial password.
    pub password: String,
}

/// An account the first-run page made.
#[derive(Debug, Clone)]
pub struct MadeAccount {
    /// Its role.
    pub role: Role,
    /// The user name.
    pub username: String,
    /// The second factor's secret (administrators), shown once.
    pub totp_secret: Option<String>,
}

/// The roles the first-run page makes an account for, in order.
pub const FIRST_ROLES: [Role; 4] = [
    Role::SystemAdmin,
    Role::SecurityAdmin,
    Role::AuditAdmin,
    Role::HqOffice,
];

/// The first-run page's write: checks the four accounts (user names distinct and valid,
/// passwords by the policy), sets the city up ([`init_city`]) and makes the accounts, the
/// office's in the HQ office unit, each administrator with a second-factor secret.
pub async fn set_up_city(
    store: &dyn Store,
    clock: Clock,
    by: &str,
    input: &CityInput,
    accounts: &[FirstAccount],
) -> Result<(CitySetUp, Vec<MadeAccount>), SetupError> {
    settings_of(input)?;
    let mut keys: Vec<(String, Role)> = Vec::new();
    for a in accounts {
        let label = a.role.label();
        let name = Username::parse(&a.username)
            .map_err(|e| SetupError::Invalid(format!("{label}用户名：{e}")))?;
        PasswordPolicy::STANDARD
            .check(&a.password, &name)
            .map_err(|e| SetupError::Invalid(format!("{label}密码：{e}")))?;
        if let Some((_, other)) = keys.iter().find(|(k, _)| k == name.key()) {
            return Err(SetupError::Invalid(format!(
                "{label}用户名：与{}的用户名相同，每个账户的用户名须不同",
                other.label()
            )));
        }
        keys.push((name.key().to_string(), a.role));
    }
    let city = init_city(store, clock, by, input).await?;
    let mut made = Vec::new();
    for a in accounts {
        let totp_secret = if jianguan_access::session::second_factor_required(&[a.role]) {
            Some(
                jianguan_access::totp::TotpSecret::generate()
                    .map_err(|e| SetupError::Invalid(format!("动态口令密钥生成失败：{e}")))?
                    .to_base32(),
            )
        } else {
            None
        };
        let display_name = if a.display_name.trim().is_empty() {
            a.role.label().to_string()
        } else {
            a.display_name.trim().to_string()
        };
        create_account(
            store,
            clock,
            by,
            NewAccount {
                username: &a.username,
                display_name: &display_name,
                unit: (!a.role.is_administrator()).then_some(city.office.id),
                roles: &[a.role],
                password: &a.password,
                totp_secret: totp_secret.clone(),
            },
        )
        .await?;
        made.push(MadeAccount {
            role: a.role,
            username: a.username.clone(),
            totp_secret,
        });
    }
    Ok((city, made))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_catalogue_has_eleven_categories_whose_templates_add_up() {
        let cats = starter_catalogue(UnitId(1));
        assert_eq!(cats.len(), 11);
        assert_eq!(cats[0].code, "old_community");
        assert_eq!(cats[2].template[6].weight, 30);
        for c in &cats {
            assert_eq!(c.template.len(), 10, "{}", c.name);
            assert_eq!(
                c.template.iter().map(|s| s.weight).sum::<u32>(),
                100,
                "{}",
                c.name
            );
            assert_eq!(
                c.template.iter().map(|s| s.share).sum::<u32>(),
                100,
                "{}",
                c.name
            );
            assert_eq!(c.sub_hq, UnitId(1));
        }
    }

    #[test]
    fn defaults_are_filled_and_bad_fields_named() {
        let s = settings_of(&CityInput {
            city: " 测试市 ".into(),
            year: 2026,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.city, "测试市");
        assert_eq!(s.issuer, "测试市城市建管提升行动指挥部办公室");
        assert_eq!(s.doc_prefix, "建管办");
        let err = settings_of(&CityInput {
            city: "".into(),
            year: 2026,
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("城市名称"));
        let err = settings_of(&CityInput {
            city: "x".into(),
            year: 1999,
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("年度"));
    }

    #[test]
    fn settings_round_trip_through_their_toml() {
        let s = CitySettings {
            city: "测\"试\\市".into(),
            year: 2027,
            issuer: "办公室\n".into(),
            doc_prefix: "建管办".into(),
        };
        let back: CitySettings = toml::from_str(&s.to_toml()).unwrap();
        assert_eq!(back, s);
    }
}
