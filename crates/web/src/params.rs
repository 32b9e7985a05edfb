//! Query parameters, parsed at the edge: a malformed one is a 400 that names it, so handlers
//! only ever see valid values.

use std::collections::HashMap;

use jianguan_domain::Date;

use crate::error::{AppError, Format};

/// The query string of one request.
#[derive(Debug, Clone)]
pub struct Params {
    map: HashMap<String, String>,
    format: Format,
}

type Result<T> = std::result::Result<T, AppError>;

impl Params {
    /// Wraps the parsed query string; errors will be answered in `format`.
    pub fn new(map: HashMap<String, String>, format: Format) -> Params {
        Params { map, format }
    }

    /// The parameter's value, trimmed; `None` when absent or blank (an empty filter field).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn bad(&self, name: &str, expected: &str) -> AppError {
        AppError::bad_parameter(self.format, name, expected)
    }

    /// A campaign year, 2000..=2100.
    pub fn year(&self, name: &str) -> Result<Option<i16>> {
        self.get(name)
            .map(|v| {
                v.parse::<i16>()
                    .ok()
                    .filter(|y| (2000..=2100).contains(y))
                    .ok_or_else(|| self.bad(name, "应为 2000 至 2100 之间的年份，如 2021"))
            })
            .transpose()
    }

    /// A date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<Date>> {
        self.get(name)
            .map(|v| {
                v.parse::<Date>()
                    .map_err(|_| self.bad(name, "应为日期，格式 YYYY-MM-DD，如 2021-10-31"))
            })
            .transpose()
    }

    /// A positive record id.
    pub fn id(&self, name: &str) -> Result<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| self.bad(name, "应为正整数编号"))
            })
            .transpose()
    }

    /// A yes/no switch: `1`/`true`/`on` or `0`/`false`/`off`; absent means no.
    pub fn flag(&self, name: &str) -> Result<bool> {
        match self.get(name) {
            None => Ok(false),
            Some("1" | "true" | "on" | "yes") => Ok(true),
            Some("0" | "false" | "off" | "no") => Ok(false),
            Some(_) => Err(self.bad(name, "应为 1 或 0")),
        }
    }

    /// One of a fixed set of codes.
    pub fn choice<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>> {
        self.get(name)
            .map(|v| parse(v).ok_or_else(|| self.bad(name, expected)))
            .transpose()
    }

    /// A page number from 1.
    pub fn page(&self, name: &str) -> Result<u32> {
        match self.get(name) {
            None => Ok(1),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| self.bad(name, "应为从 1 开始的页码")),
        }
    }

    /// Rows per page: 20, 50 or 100.
    pub fn per_page(&self, name: &str) -> Result<u32> {
        match self.get(name) {
            None => Ok(20),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| [20, 50, 100].contains(n))
                .ok_or_else(|| self.bad(name, "每页条数应为 20、50 或 100")),
        }
    }
}
