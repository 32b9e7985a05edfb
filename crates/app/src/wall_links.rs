//! Wall links (大屏链接, issue 19 item 5): the office makes a link that opens the wall display
//! alone, without a login, for the whole city or one district, campaign line or lead unit — read
//! as a reader of that scope reads it (`jianguan_access::wall`) — with an optional last day, and
//! revokes it when the screen should go dark. The link's token is shown once, when it is made;
//! the store keeps its hash. Every creation and revocation is one transaction with its audit
//! record (`wall_link.create`, `wall_link.revoke`).
//!
//! Only the office may make or revoke one (`Settings` × `Update` of the policy: the campaign's
//! own configuration, like the warning rules), or the operator at the command line. The
//! administrators see no campaign data, so they hand out no view of it either.

use jianguan_access::policy::{Action, Resource, require};
use jianguan_access::wall::{LinkState, WallToken, link_scope, reader_of};
use jianguan_access::{Role, Scope};
use jianguan_audit::AuditAction;
use jianguan_domain::Date;
use jianguan_domain::model::UnitId;
use jianguan_domain::store::{Store, StoreError, WallLinkRecord};

use crate::Clock;
pub use crate::districts::Requester;

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 50;

/// How often a link's last use is noted: at most once an hour, so a wall refreshing every 30
/// seconds is not a write every 30 seconds.
pub const TOUCH_EVERY_MS: i64 = 60 * 60 * 1000;

/// Why a link was not made or revoked.
#[derive(Debug, thiserror::Error)]
pub enum WallLinkError {
    /// The requester's roles do not allow it.
    #[error("{0}")]
    Denied(String),
    /// A rule refused it; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// The operating system gave no randomness for the token.
    #[error("无法生成链接：{0}")]
    Random(String),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A link to make.
#[derive(Debug, Clone, Copy)]
pub struct NewWallLink<'a> {
    /// What the office calls it, e.g. 指挥中心大屏.
    pub label: &'a str,
    /// The unit whose projects it shows; `None` (or the HQ) for the whole city.
    pub unit: Option<UnitId>,
    /// Its last day, if it expires.
    pub expires_on: Option<Date>,
}

/// A link just made: its id and its token (shown once, never stored).
#[derive(Debug)]
pub struct CreatedLink {
    /// The stored link's id.
    pub id: i64,
    /// The token; the link is `/wall/k/{token}`.
    pub token: WallToken,
}

/// A stored link with what it is today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallLink {
    /// As stored.
    pub record: WallLinkRecord,
    /// Whether it opens today.
    pub state: LinkState,
}

impl WallLink {
    fn of(record: WallLinkRecord, today: Date) -> WallLink {
        let state = LinkState::of(record.revoked_at_ms.is_some(), record.expires_on, today);
        WallLink { record, state }
    }

    /// The projects it shows.
    pub fn scope(&self) -> Scope {
        Scope::from(self.record.scope)
    }
}

/// What a token opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The wall, as `role` reads it over `scope`.
    Wall {
        /// The link.
        link: Box<WallLinkRecord>,
        /// The projects it shows.
        scope: Scope,
        /// The reader it reads as.
        role: Role,
    },
    /// A link the office revoked.
    Revoked,
    /// A link whose last day has passed.
    Expired,
    /// No link: the token is malformed or unknown (the two are not told apart).
    Unknown,
}

fn allowed(by: Requester<'_>) -> Result<(), WallLinkError> {
    if let Requester::Account { roles, .. } = by {
        require(roles, Resource::Settings, Action::Update)
            .map_err(|e| WallLinkError::Denied(e.to_string()))?;
    }
    Ok(())
}

/// Makes a link: the label (trimmed, 1 to [`MAX_LABEL_CHARS`] characters), the unit (active; a
/// district, campaign line or lead unit, or the HQ or none for the whole city), the last day
/// (today or later). Returns its id and token.
pub async fn create(
    store: &dyn Store,
    clock: Clock,
    by: Requester<'_>,
    new: NewWallLink<'_>,
) -> Result<CreatedLink, WallLinkError> {
    allowed(by)?;
    let label = new.label.trim();
    if label.is_empty() {
        return Err(WallLinkError::Invalid("名称：请填写".into()));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(WallLinkError::Invalid(format!(
            "名称：不能超过 {MAX_LABEL_CHARS} 个字"
        )));
    }
    let today = clock.today();
    if let Some(last) = new.expires_on
        && last < today
    {
        return Err(WallLinkError::Invalid(format!(
            "有效期至：不能早于今天（{today}）"
        )));
    }
    let (scope, unit_name) = match new.unit {
        None => (Scope::All, None),
        Some(id) => {
            let units = store.load_units().await?;
            let unit = units
                .iter()
                .find(|u| u.id == id && u.active)
                .ok_or_else(|| {
                    WallLinkError::Invalid(format!("范围：没有编号为 {id} 的在用单位"))
                })?;
            let (scope, _) = link_scope(unit.id, unit.kind).ok_or_else(|| {
                WallLinkError::Invalid(format!(
                    "范围：「{}」是{}，不参加调度，不能开设大屏链接",
                    unit.name,
                    unit.kind.label()
                ))
            })?;
            (scope, (scope != Scope::All).then(|| unit.name.clone()))
        }
    };
    let token = WallToken::generate().map_err(|e| WallLinkError::Random(e.to_string()))?;
    let now = clock.now_ms();
    let record = WallLinkRecord {
        id: 0,
        token_hash: token.hash(),
        label: label.to_string(),
        scope: scope.record_scope(),
        created_by: by.name().to_string(),
        created_at_ms: now,
        expires_on: new.expires_on,
        revoked_at_ms: None,
        revoked_by: None,
        last_used_ms: None,
    };
    let draft = crate::client::draft(now, by.name(), AuditAction::WallLinkCreate, "wall_link")
        .change("label", None, label)
        .change("scope", None, unit_name.unwrap_or_else(|| "全市".into()))
        .change(
            "expires_on",
            None,
            new.expires_on.map_or("长期".into(), |d| d.to_string()),
        );
    let id = store.create_wall_link(&record, &draft).await?;
    Ok(CreatedLink { id, token })
}

/// Every link, newest first, with its state today.
pub async fn list(store: &dyn Store, clock: Clock) -> Result<Vec<WallLink>, StoreError> {
    let today = clock.today();
    Ok(store
        .wall_links()
        .await?
        .into_iter()
        .map(|r| WallLink::of(r, today))
        .collect())
}

/// Revokes link `id`: from now on it answers that it was revoked. Revoking it again is
/// refused (the first revocation stands).
pub async fn revoke(
    store: &dyn Store,
    clock: Clock,
    by: Requester<'_>,
    id: i64,
) -> Result<(), WallLinkError> {
    allowed(by)?;
    let label = store
        .wall_links()
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .map(|l| l.label)
        .ok_or_else(|| StoreError::NotFound(format!("大屏链接（编号 {id}）")))?;
    let now = clock.now_ms();
    let draft = crate::client::draft(now, by.name(), AuditAction::WallLinkRevoke, "wall_link")
        .change("label", None, &label)
        .change("state", Some("有效".into()), "已撤销");
    store.revoke_wall_link(id, by.name(), now, &draft).await?;
    Ok(())
}

/// What the token a link's path carries opens today; a link that opens has its use noted (at
/// most once every [`TOUCH_EVERY_MS`]).
pub async fn open(store: &dyn Store, clock: Clock, token: &str) -> Result<Opened, StoreError> {
    let Some(token) = WallToken::parse(token) else {
        return Ok(Opened::Unknown);
    };
    let Some(record) = store.wall_link_by_token(&token.hash()).await? else {
        return Ok(Opened::Unknown);
    };
    let link = WallLink::of(record, clock.today());
    let scope = link.scope();
    match (link.state, reader_of(scope)) {
        (LinkState::Revoked, _) => Ok(Opened::Revoked),
        (LinkState::Expired, _) => Ok(Opened::Expired),
        // A scope no reader has (never made by `create`) opens nothing.
        (LinkState::Open, None) => Ok(Opened::Unknown),
        (LinkState::Open, Some(role)) => {
            let now = clock.now_ms();
            if link
                .record
                .last_used_ms
                .is_none_or(|at| now - at >= TOUCH_EVERY_MS)
            {
                store.touch_wall_link(link.record.id, now).await?;
            }
            Ok(Opened::Wall {
                link: Box::new(link.record),
                scope,
                role,
            })
        }
    }
}
