//! Wall links (大屏链接, issue 19 item 5): a link that opens the wall display alone, without a
//! login, for the screen of a command centre or a district's meeting room.
//!
//! A link reads as a reader of its scope would: a city-wide link as the HQ leader (who reads
//! everything and changes nothing), a district's as that district's liaison, a campaign line's
//! or a lead unit's likewise — the first campaign role for that kind of unit that may read the
//! dispatch pack, whose screen the wall is ([`reader_role`]). A responsible unit's reporters do
//! not read the pack, so no link is made for one.
//!
//! The link carries a random token of [`TOKEN_BYTES`] bytes from the operating system; only its
//! SHA-256 is stored (as for session tokens), so the database alone opens nothing. A link opens
//! until it is revoked or its expiry day has passed ([`LinkState`]).

use std::fmt;

use jianguan_domain::Date;
use jianguan_domain::model::{UnitId, UnitKind};
use sha2::{Digest, Sha256};

use crate::policy::{self, Action, Resource};
use crate::roles::Role;
use crate::scope::Scope;

/// The token's length in bytes: 256 bits, as a session token's.
pub const TOKEN_BYTES: usize = 32;

/// A wall link's secret token, as hex. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct WallToken(String);

/// The operating system gave no randomness.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no randomness from the operating system: {0}")]
pub struct NoRandomness(String);

impl WallToken {
    /// A new token of [`TOKEN_BYTES`] random bytes from the operating system.
    pub fn generate() -> Result<WallToken, NoRandomness> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| NoRandomness(e.to_string()))?;
        Ok(WallToken(hex(&bytes)))
    }

    /// The token a link's path carries, if it has the form of one (lowercase hex of
    /// [`TOKEN_BYTES`] bytes); anything else is no token.
    pub fn parse(text: &str) -> Option<WallToken> {
        (text.len() == 2 * TOKEN_BYTES
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| WallToken(text.to_string()))
    }

    /// The token as the link carries it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token, hex: what the database keeps.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for WallToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WallToken(…)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The role a wall link of a unit of `kind` reads as: the first campaign role for that kind of
/// unit (in [`Role::ALL`]'s order, so the HQ leader rather than the office) that may read the
/// dispatch pack. `None` for a responsible unit.
pub fn reader_role(kind: UnitKind) -> Option<Role> {
    Role::ALL.into_iter().find(|&role| {
        role.unit_kind() == Some(kind) && policy::allows(role, Resource::Dispatch, Action::Read)
    })
}

/// The scope of a wall link of `unit`, a unit of `kind` (the whole city for the HQ), and the
/// role it reads as; `None` where no link can be made.
pub fn link_scope(unit: UnitId, kind: UnitKind) -> Option<(Scope, Role)> {
    let role = reader_role(kind)?;
    Some((Scope::for_account(role, unit), role))
}

/// The role a link of `scope` reads as; `None` for a scope no link can have.
pub fn reader_of(scope: Scope) -> Option<Role> {
    let (kind, unit) = match scope {
        Scope::All => (UnitKind::CommandHq, UnitId(0)),
        Scope::Line(u) => (UnitKind::SubHq, u),
        Scope::LeadUnit(u) => (UnitKind::LeadUnit, u),
        Scope::District(u) => (UnitKind::District, u),
        Scope::ResponsibleUnit(_) | Scope::None => return None,
    };
    link_scope(unit, kind)
        .filter(|(s, _)| *s == scope)
        .map(|(_, role)| role)
}

/// Whether a link opens today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It opens.
    Open,
    /// The office revoked it.
    Revoked,
    /// Its last day has passed.
    Expired,
}

impl LinkState {
    /// The state of a link revoked or not, with its last day if any, on `today` (China
    /// Standard Time). A revoked link reads as revoked whatever its expiry.
    pub fn of(revoked: bool, expires_on: Option<Date>, today: Date) -> LinkState {
        if revoked {
            LinkState::Revoked
        } else if expires_on.is_some_and(|last| today > last) {
            LinkState::Expired
        } else {
            LinkState::Open
        }
    }

    /// The state in Chinese, as the office's list shows it.
    pub fn label(self) -> &'static str {
        match self {
            LinkState::Open => "有效",
            LinkState::Revoked => "已撤销",
            LinkState::Expired => "已过期",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_256_random_bits_and_only_its_form_parses() {
        let a = WallToken::generate().unwrap();
        let b = WallToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_eq!(WallToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.as_str());
        assert!(!format!("{a:?}").contains(a.as_str()), "Debug hides it");
        for bad in [
            "",
            "abc",
            &a.as_str().to_uppercase(),
            &format!("{}0", a.as_str()),
            &a.as_str()[1..],
            &"g".repeat(64),
            &format!("../{}", &a.as_str()[3..]),
        ] {
            assert_eq!(WallToken::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_hash_is_sha256_of_the_token_text() {
        let t = WallToken::parse(&"0".repeat(64)).unwrap();
        assert_eq!(
            t.hash(),
            "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
        );
    }

    #[test]
    fn a_link_reads_as_the_reader_of_its_scope() {
        assert_eq!(reader_role(UnitKind::CommandHq), Some(Role::HqLeader));
        assert_eq!(reader_role(UnitKind::District), Some(Role::DistrictStaff));
        assert_eq!(reader_role(UnitKind::SubHq), Some(Role::SubHqStaff));
        assert_eq!(reader_role(UnitKind::LeadUnit), Some(Role::LeadUnitStaff));
        assert_eq!(reader_role(UnitKind::ResponsibleUnit), None);
        let d = UnitId(7);
        assert_eq!(
            link_scope(d, UnitKind::District),
            Some((Scope::District(d), Role::DistrictStaff))
        );
        assert_eq!(
            link_scope(UnitId(1), UnitKind::CommandHq),
            Some((Scope::All, Role::HqLeader))
        );
        for scope in [
            Scope::All,
            Scope::District(d),
            Scope::Line(d),
            Scope::LeadUnit(d),
        ] {
            let role = reader_of(scope).expect("a reader");
            assert!(policy::allows(role, Resource::Dispatch, Action::Read));
            assert!(!role.is_administrator());
        }
        assert_eq!(reader_of(Scope::ResponsibleUnit(d)), None);
        assert_eq!(reader_of(Scope::None), None);
    }

    #[test]
    fn a_link_opens_through_its_last_day_until_revoked() {
        let day = |d| Date::new(2026, 11, d).unwrap();
        assert_eq!(LinkState::of(false, None, day(28)), LinkState::Open);
        assert_eq!(
            LinkState::of(false, Some(day(28)), day(28)),
            LinkState::Open
        );
        assert_eq!(
            LinkState::of(false, Some(day(27)), day(28)),
            LinkState::Expired
        );
        assert_eq!(LinkState::of(true, None, day(28)), LinkState::Revoked);
        assert_eq!(
            LinkState::of(true, Some(day(1)), day(28)),
            LinkState::Revoked
        );
    }
}
