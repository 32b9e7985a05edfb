//! Access rules of jianguan (建管): who an account is, what it may do, and over which projects.
//!
//! The campaign's scores and warnings decide rewards and accountability, so these rules are part
//! of the product and are built to GB/T 22239-2019 level 3 (等保三级) at the application level and
//! OWASP ASVS 5.0 level 2. Everything here is a pure function over plain values, so that the
//! storage and web crates enforce one set of rules and the rules can be tested exhaustively:
//!
//! - [`roles`]: the roles, including the three separated administrators (三员分立);
//! - [`policy`]: the one declaration of which role may do which action on which resource;
//! - [`scope`]: which projects an account's unit covers, as a predicate and as a SQL filter;
//! - [`password`]: the password rules and the hashing interface (Argon2id today);
//! - [`username`]: usernames that collide after Unicode normalisation and case folding;
//! - [`totp`]: the RFC 6238 second factor;
//! - [`session`]: session timeouts, dormant and expired accounts, the security settings;
//! - [`throttle`]: login throttling and lockout per (user name, source address);
//! - [`wall`]: wall links — their tokens, the reader a link reads as, when one opens.
//!
//! The only outside effect is reading OS randomness for salts, TOTP secrets and wall tokens; there is no
//! database, network or async runtime here (a test in `tests/it/purity.rs` keeps it so).

pub mod password;
pub mod policy;
pub mod roles;
pub mod scope;
pub mod session;
pub mod throttle;
pub mod totp;
pub mod username;
pub mod wall;

pub use policy::{Action, Resource, Rule};
pub use roles::{AccessError, Role};
pub use scope::Scope;
