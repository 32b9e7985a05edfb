//! Query strings and forms, parsed at the edge: a malformed field is a 400 that names it (every
//! malformed field of a request at once, each with what was expected), so handlers only ever
//! see valid values.
//!
//! Handlers take [`Params`] (the raw fields, for the few that echo them back into links) or,
//! better, a typed struct through [`Typed`] (query string) or [`TypedForm`] (form body): the
//! struct implements [`FromParams`], reading each field with a [`Fields`] reader, which collects
//! what is wrong instead of stopping at the first.

use std::collections::HashMap;

use axum::extract::{Form, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use jianguan_domain::Date;

use crate::error::{AppError, FieldError};

/// The raw fields of a query string or form: the last value of each name (and every value, for
/// repeated names such as check boxes).
#[derive(Debug, Clone, Default)]
pub struct Params {
    map: HashMap<String, String>,
    all: Vec<(String, String)>,
}

type Result<T> = std::result::Result<T, AppError>;

/// What a year parameter must be.
const YEAR: &str = "应为 2000 至 2100 之间的年份，如 2021";
/// What a date parameter must be.
const DATE: &str = "应为日期，格式 YYYY-MM-DD，如 2021-10-31";
/// What an id parameter must be.
const ID: &str = "应为正整数编号";
/// What a switch must be.
const FLAG: &str = "应为 1 或 0";
/// What a page number must be.
const PAGE: &str = "应为从 1 开始的页码";
/// What a page size must be.
const PER_PAGE: &str = "每页条数应为 20、50 或 100";

fn parse_year(v: &str) -> Option<i16> {
    v.parse::<i16>().ok().filter(|y| (2000..=2100).contains(y))
}

fn parse_id(v: &str) -> Option<i64> {
    v.parse::<i64>().ok().filter(|id| *id > 0)
}

fn parse_flag(v: Option<&str>) -> Option<bool> {
    match v {
        None => Some(false),
        Some("1" | "true" | "on" | "yes") => Some(true),
        Some("0" | "false" | "off" | "no") => Some(false),
        Some(_) => None,
    }
}

fn parse_page(v: &str) -> Option<u32> {
    v.parse::<u32>().ok().filter(|p| *p >= 1)
}

fn parse_per_page(v: &str) -> Option<u32> {
    v.parse::<u32>().ok().filter(|n| [20, 50, 100].contains(n))
}

impl Params {
    /// Wraps already parsed fields (one value per name).
    pub fn new(map: HashMap<String, String>) -> Params {
        let all = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Params { map, all }
    }

    /// The fields in the order they came, repeated names kept.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params {
            map: pairs.iter().cloned().collect(),
            all: pairs,
        }
    }

    /// These fields without `names` (read leniently elsewhere).
    pub(crate) fn without(&self, names: &[&str]) -> Params {
        Params::from_pairs(
            self.all
                .iter()
                .filter(|(k, _)| !names.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }

    /// The parameter's value, trimmed; `None` when absent or blank (an empty filter field).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The parameter's value as sent (untrimmed), `None` when absent.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Every value sent under `name`, in order.
    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.all
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn one<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>> {
        self.get(name)
            .map(|v| parse(v).ok_or_else(|| AppError::bad_parameter(name, expected)))
            .transpose()
    }

    /// A campaign year, 2000..=2100.
    pub fn year(&self, name: &str) -> Result<Option<i16>> {
        self.one(name, parse_year, YEAR)
    }

    /// A date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<Date>> {
        self.one(name, |v| v.parse::<Date>().ok(), DATE)
    }

    /// A positive record id.
    pub fn id(&self, name: &str) -> Result<Option<i64>> {
        self.one(name, parse_id, ID)
    }

    /// A yes/no switch: `1`/`true`/`on` or `0`/`false`/`off`; absent means no.
    pub fn flag(&self, name: &str) -> Result<bool> {
        parse_flag(self.get(name)).ok_or_else(|| AppError::bad_parameter(name, FLAG))
    }

    /// One of a fixed set of codes.
    pub fn choice<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>> {
        self.one(name, parse, expected)
    }

    /// A page number from 1.
    pub fn page(&self, name: &str) -> Result<u32> {
        Ok(self.one(name, parse_page, PAGE)?.unwrap_or(1))
    }

    /// Rows per page: 20, 50 or 100.
    pub fn per_page(&self, name: &str) -> Result<u32> {
        Ok(self.one(name, parse_per_page, PER_PAGE)?.unwrap_or(20))
    }

    /// Reads a typed struct, every malformed field named in one 400 (a field longer than
    /// [`max_chars`] is malformed).
    pub fn read<T: FromParams>(&self) -> Result<T> {
        check_lengths(self.all.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let mut fields = Fields {
            params: self,
            errors: Vec::new(),
        };
        let value = T::from_params(&mut fields);
        fields.finish(value)
    }
}

/// The query string, as [`Params`]. A query string that is not `application/x-www-form-urlencoded`
/// is refused by axum's own rejection, as before.
impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> std::result::Result<Self, Response> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Params::from_pairs(pairs))
    }
}

/// Reads the fields of a typed struct, collecting what is wrong: each reader returns a value
/// (the default when the field is malformed) and remembers the error.
pub struct Fields<'a> {
    params: &'a Params,
    errors: Vec<FieldError>,
}

impl Fields<'_> {
    fn bad(&mut self, name: &str, expected: &str) {
        self.errors.push(FieldError {
            name: name.to_string(),
            expected: expected.to_string(),
        });
    }

    fn one<T>(
        &mut self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let v = self.params.get(name)?;
        let parsed = parse(v);
        if parsed.is_none() {
            self.bad(name, expected);
        }
        parsed
    }

    /// The field's value, trimmed; `None` when absent or blank.
    pub fn text(&mut self, name: &str) -> Option<String> {
        self.params.get(name).map(str::to_string)
    }

    /// The field's value as sent (untrimmed); empty when absent.
    pub fn raw(&mut self, name: &str) -> String {
        self.params.raw(name).unwrap_or_default().to_string()
    }

    /// The field's value as sent, `None` when absent.
    pub fn raw_opt(&mut self, name: &str) -> Option<String> {
        self.params.raw(name).map(str::to_string)
    }

    /// Whether the field was sent at all (blank or not).
    pub fn present(&mut self, name: &str) -> bool {
        self.params.raw(name).is_some()
    }

    /// Every value sent under `name`, in order.
    pub fn all(&mut self, name: &str) -> Vec<String> {
        self.params.all(name).map(str::to_string).collect()
    }

    /// A campaign year, 2000..=2100.
    pub fn year(&mut self, name: &str) -> Option<i16> {
        self.one(name, parse_year, YEAR)
    }

    /// A date `YYYY-MM-DD`.
    pub fn date(&mut self, name: &str) -> Option<Date> {
        self.one(name, |v| v.parse::<Date>().ok(), DATE)
    }

    /// A positive record id.
    pub fn id(&mut self, name: &str) -> Option<i64> {
        self.one(name, parse_id, ID)
    }

    /// A yes/no switch; absent means no.
    pub fn flag(&mut self, name: &str) -> bool {
        match parse_flag(self.params.get(name)) {
            Some(v) => v,
            None => {
                self.bad(name, FLAG);
                false
            }
        }
    }

    /// One of a fixed set of codes.
    pub fn choice<T>(
        &mut self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        self.one(name, parse, expected)
    }

    /// A page number from 1 (1 when absent).
    pub fn page(&mut self, name: &str) -> u32 {
        self.one(name, parse_page, PAGE).unwrap_or(1)
    }

    /// Rows per page: 20, 50 or 100 (20 when absent).
    pub fn per_page(&mut self, name: &str) -> u32 {
        self.one(name, parse_per_page, PER_PAGE).unwrap_or(20)
    }

    /// A field another reader found malformed, with what was expected.
    pub fn refuse(&mut self, name: &str, expected: &str) {
        self.bad(name, expected);
    }

    /// `value`, or the 400 naming every malformed field.
    pub fn finish<T>(self, value: T) -> Result<T> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(AppError::bad_fields(self.errors))
        }
    }
}

/// The longest value a field may have, in characters: names and titles 100 (a login name 64),
/// the configuration texts edited in a page (rules, schemes) and the hidden fields that carry
/// a form's rows bounded only by the body limit, everything else — notes, reasons, minutes —
/// 2,000 (minutes 10,000).
pub fn max_chars(name: &str) -> usize {
    match name {
        "username" => 64,
        "name" | "display_name" | "title" | "code" | "doc_no" | "password" | "totp" => 100,
        "minutes" => 10_000,
        "rules" | "scheme" | "rows" | "milestones" | "next" => crate::MAX_BODY_BYTES,
        _ => 2_000,
    }
}

/// Every field longer than [`max_chars`] allows, named with its limit (a 400 with all of them).
pub fn check_lengths<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in pairs {
        let max = max_chars(name);
        // Counting stops just past the limit: a long value costs no more than a short one.
        if value.chars().take(max + 1).count() > max && !errors.iter().any(|e| e.name == name) {
            errors.push(FieldError {
                name: name.chars().take(64).collect(),
                expected: format!("最多 {max} 个字符"),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::bad_fields(errors))
    }
}

/// A form body as a map of its fields (the last value of each name), each within
/// [`max_chars`], or a 400 naming the fields that are too long.
#[derive(Debug, Clone, Default)]
pub struct CheckedForm(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for CheckedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> std::result::Result<Self, Response> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        check_lengths(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(IntoResponse::into_response)?;
        Ok(CheckedForm(pairs.into_iter().collect()))
    }
}

/// A struct read from a query string or form, field by field.
pub trait FromParams: Sized {
    /// Reads the struct; malformed fields are recorded in `fields` (the value returned for
    /// them does not matter: the request is refused).
    fn from_params(fields: &mut Fields<'_>) -> Self;
}

impl<A: FromParams, B: FromParams> FromParams for (A, B) {
    fn from_params(fields: &mut Fields<'_>) -> Self {
        (A::from_params(fields), B::from_params(fields))
    }
}

/// A typed query string: `T` read from the request's query, or a 400 naming every malformed
/// field (answered in the route's format).
#[derive(Debug, Clone)]
pub struct Typed<T>(pub T);

impl<T: FromParams, S: Send + Sync> FromRequestParts<S> for Typed<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> std::result::Result<Self, Response> {
        let params = Params::from_request_parts(parts, state).await?;
        params
            .read()
            .map(Typed)
            .map_err(IntoResponse::into_response)
    }
}

/// A typed form body (`application/x-www-form-urlencoded`): `T` read from the form, or a 400
/// naming every malformed field. A body that is not a form is refused by axum, as before.
#[derive(Debug, Clone)]
pub struct TypedForm<T>(pub T);

impl<T: FromParams, S: Send + Sync> FromRequest<S> for TypedForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> std::result::Result<Self, Response> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Params::from_pairs(pairs)
            .read()
            .map(TypedForm)
            .map_err(IntoResponse::into_response)
    }
}

/// `year` and `as_of`: the moment of the campaign a page or API answer is about (both
/// optional: [`crate::api::Scope::resolve`] supplies the defaults).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsOfQuery {
    /// The campaign year asked for.
    pub year: Option<i16>,
    /// The as-of date asked for.
    pub as_of: Option<Date>,
}

impl FromParams for AsOfQuery {
    fn from_params(f: &mut Fields<'_>) -> Self {
        AsOfQuery {
            year: f.year("year"),
            as_of: f.date("as_of"),
        }
    }
}

/// Percent-encodes a query value (for links that carry a request's parameters on): everything
/// but RFC 3986's unreserved characters.
pub(crate) fn urlencode(v: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(v, UNRESERVED).to_string()
}

/// A list's `order` parameter: `desc` is descending, `asc` ascending.
pub(crate) fn order_from_code(code: &str) -> Option<bool> {
    match code {
        "asc" => Some(false),
        "desc" => Some(true),
        _ => None,
    }
}
