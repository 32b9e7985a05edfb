//! The scoring scheme (考核办法) as data: read from TOML, checked against the indicator
//! dictionary, refused with the line at fault. A scheme is versioned per year; a published month
//! keeps the version it was scored with.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::indicators::{Dictionary, Direction, default_dictionary};
use crate::model::{Portfolio, UnitKind};

/// The scheme the city used in 2021: the three assessments (城乡环境综合整治, 城市功能与品质提升,
/// 城市综合管理) unified into one, weighted 0.3 / 0.5 / 0.2.
pub const DEFAULT_SCHEME_TOML: &str = r#"# 示例市城市建管提升行动月度考评办法（2021 年版）
# 城乡环境综合整治、城市功能与品质提升、城市综合管理三项考核合并为一，按体系加权。
# 指挥部办公室可修改；每次修改请将 version 加 1。已发布的月份沿用其所用版本。
year = 2021
version = 1
name = "2021年度城市建管提升行动月度考评办法"
# 某项指标当月无数据（无应完成节点、未录入等）时：reweight＝按其余指标权重折算；zero＝记 0 分
when_missing = "reweight"
# 结果发布后可提出申诉的天数
objection_window_days = 5

# 各指标先按百分制计分，再乘指标权重与体系权重；权重各自合计须为 1。
# 计分方法：ratio_to_target＝实际值 ÷ 目标值 × 100，封顶 100（越低越好的指标为目标值 ÷ 实际值）；
#           linear＝worst 及以下 0 分、best 及以上 100 分，之间线性；
#           rank＝第 1 名 100 分，每后一名减 step 分（并列同名次）。

[[system]]
code = "environment"
name = "城乡环境综合整治"
weight = 0.3

  [[system.indicator]]
  code = "street_cleaning_marketisation"   # 道路清扫保洁市场化率
  weight = 0.3
  method = "ratio_to_target"
  target = 90
  # 按县区另设目标（单位名称 = 目标值），未列出的用 target：
  # targets = { "示例高新区" = 80 }

  [[system.indicator]]
  code = "mechanised_cleaning"             # 机械化清扫率
  weight = 0.3
  method = "ratio_to_target"
  target = 95

  [[system.indicator]]
  code = "rectification_first_pass"        # 整改一次复查通过率
  weight = 0.4
  method = "linear"
  worst = 60
  best = 100

[[system]]
code = "function_quality"
name = "城市功能与品质提升"
weight = 0.5

  [[system.indicator]]
  code = "node_completion"                 # 节点完成率
  weight = 0.35
  method = "linear"
  worst = 80
  best = 100

  [[system.indicator]]
  code = "on_time"                         # 按期完成率
  weight = 0.25
  method = "linear"
  worst = 60
  best = 100

  [[system.indicator]]
  code = "investment_completion"           # 投资完成率
  weight = 0.25
  method = "ratio_to_target"
  target = 100

  [[system.indicator]]
  code = "new_parking_spaces"              # 新增停车泊位
  weight = 0.15
  method = "rank"
  step = 5

[[system]]
code = "management"
name = "城市综合管理"
weight = 0.2

  [[system.indicator]]
  code = "filing_timeliness"               # 按时填报率
  weight = 0.3
  method = "linear"
  worst = 80
  best = 100

  [[system.indicator]]
  code = "items_overdue"                   # 逾期未办结事项（越少越好）
  weight = 0.3
  method = "linear"
  worst = 10
  best = 0

  [[system.indicator]]
  code = "public_satisfaction"             # 群众满意度
  weight = 0.4
  method = "ratio_to_target"
  target = 90

# 扣分项：每次（份）扣 points 分，最多扣 cap 分
[[deduction]]
code = "warning"
name = "警示扣分"
indicator = "warnings_warning"
points = 0.5
cap = 5

[[deduction]]
code = "supervised"
name = "督办扣分"
indicator = "acts_supervision"
points = 1
cap = 6

[[deduction]]
code = "summoned"
name = "约谈扣分"
indicator = "acts_summons"
points = 2
cap = 6

[[deduction]]
code = "filing_late"
name = "迟报扣分"
indicator = "filings_late"
points = 0.2
cap = 2

[[deduction]]
code = "filing_missing"
name = "漏报扣分"
indicator = "filings_missing"
points = 0.5
cap = 3

# 加分项：每篇（项）加 points 分，最多加 cap 分
[[bonus]]
code = "media_central"
name = "中央媒体报道加分"
indicator = "media_central"
points = 1
cap = 3

[[bonus]]
code = "media_provincial"
name = "省级媒体报道加分"
indicator = "media_provincial"
points = 0.5
cap = 2

[[bonus]]
code = "innovation"
name = "创新经验加分"
indicator = "innovation_recognised"
points = 1
cap = 2

[[bonus]]
code = "info_adopted"
name = "信息采用加分"
indicator = "info_adopted"
points = 0.2
cap = 1

# 等次：按总分（by = "score"，min ≤ 分 < max）或按名次（by = "rank"，first–last 名）划分，
# 从好到差排列，首尾相接、不重叠。
[tiers]
by = "score"

  [[tiers.tier]]
  name = "好"
  min = 90

  [[tiers.tier]]
  name = "较好"
  min = 80
  max = 90

  [[tiers.tier]]
  name = "一般"
  min = 60
  max = 80

  [[tiers.tier]]
  name = "差"
  max = 60

# 奖优罚劣：前 reward_top 名表扬；后 accountability_bottom 名及当月有约谈的单位列入问责名单；
# 当月有约谈的单位不列入表扬名单（名次并列时一并列入）。被排除的名额不由后续名次递补；
# 如需递补，写 reward_top_up = true。
[lists]
reward_top = 3
accountability_bottom = 2
accountability_if = "acts_summons"
reward_excludes_flagged = true
"#;

/// Why a scheme was refused: the line (1-based, when known) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("第{l}行：")).unwrap_or_default())]
pub struct SchemeError {
    /// The line the problem is on.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// What an indicator with no value for a subject (nothing due, nothing entered) scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    /// It leaves the weighting: the other indicators of its system share its weight (and a
    /// system with no value at all leaves the systems' weighting).
    Reweight,
    /// It scores 0 points at its weight.
    Zero,
}

/// How an indicator's value becomes points (0..=100 before weighting).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// value ÷ target × 100, capped at 100 (target ÷ value for a lower-is-better indicator).
    RatioToTarget {
        /// The target (> 0).
        target: f64,
    },
    /// 0 at or beyond `worst`, 100 at or beyond `best`, linear between.
    Linear {
        /// The value scoring 0.
        worst: f64,
        /// The value scoring full points.
        best: f64,
    },
    /// Rank among the subjects: the first 100, each rank down `step` fewer (ties share a rank).
    Rank {
        /// Points lost per rank.
        step: f64,
    },
}

impl Method {
    /// The code used in the scheme file.
    pub fn code(&self) -> &'static str {
        match self {
            Method::RatioToTarget { .. } => "ratio_to_target",
            Method::Linear { .. } => "linear",
            Method::Rank { .. } => "rank",
        }
    }

    /// The Chinese name.
    pub fn label(&self) -> &'static str {
        match self {
            Method::RatioToTarget { .. } => "目标比值法",
            Method::Linear { .. } => "区间线性法",
            Method::Rank { .. } => "排名法",
        }
    }

    /// The value aimed at: the target, or the best bound; none for a rank.
    pub fn target(&self) -> Option<f64> {
        match *self {
            Method::RatioToTarget { target } => Some(target),
            Method::Linear { best, .. } => Some(best),
            Method::Rank { .. } => None,
        }
    }
}

/// A target set for one unit instead of the indicator's default (the best bound for `linear`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetOverride {
    /// The unit's name, as the portfolio spells it.
    pub unit: String,
    /// Its target.
    pub value: f64,
    /// The line of the scheme file that sets it.
    pub line: usize,
}

/// An indicator as a system scores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredIndicator {
    /// The dictionary code.
    pub code: String,
    /// Its name (from the dictionary).
    pub name: String,
    /// Its unit (from the dictionary).
    pub unit: String,
    /// Which way is better (from the dictionary).
    pub direction: Direction,
    /// Its weight within the system.
    pub weight: f64,
    /// How it scores, with the default target.
    pub method: Method,
    /// Targets set per unit.
    pub overrides: Vec<TargetOverride>,
}

impl ScoredIndicator {
    /// The method with the target that applies to the unit named `unit`.
    pub fn method_for(&self, unit: &str) -> Method {
        let Some(o) = self.overrides.iter().find(|o| o.unit == unit) else {
            return self.method;
        };
        match self.method {
            Method::RatioToTarget { .. } => Method::RatioToTarget { target: o.value },
            Method::Linear { worst, .. } => Method::Linear {
                worst,
                best: o.value,
            },
            rank @ Method::Rank { .. } => rank,
        }
    }
}

/// One assessment system (考核体系), e.g. 城乡环境综合整治.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct System {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its weight in the total.
    pub weight: f64,
    /// Its indicators, in the file's order.
    pub indicators: Vec<ScoredIndicator>,
}

/// A deduction (扣分) or bonus (加分): points per unit of a count indicator, up to a cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Stable code (what an objection names).
    pub code: String,
    /// Name, e.g. 警示扣分.
    pub name: String,
    /// The count indicator it applies to.
    pub indicator: String,
    /// That indicator's name.
    pub indicator_name: String,
    /// That indicator's unit (次, 份, 篇 …).
    pub unit: String,
    /// Points per unit counted.
    pub points: f64,
    /// The most points it can take or give.
    pub cap: f64,
}

/// Whether tiers go by score or by rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// By total score.
    Score,
    /// By rank.
    Rank,
}

/// The scores or ranks a tier covers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum TierRange {
    /// `min ≤ total < max`; the best tier has no `max`, the worst no `min`.
    Score {
        /// Least total, inclusive.
        min: Option<f64>,
        /// Total it stays below.
        max: Option<f64>,
    },
    /// Ranks `first..=last`; the worst tier has no `last`.
    Rank {
        /// First rank.
        first: u32,
        /// Last rank, inclusive.
        last: Option<u32>,
    },
}

/// A tier (等次), e.g. 好.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    /// Its name.
    pub name: String,
    /// What it covers.
    pub range: TierRange,
}

impl Tier {
    fn covers(&self, total: f64, rank: u32) -> bool {
        match self.range {
            TierRange::Score { min, max } => {
                min.is_none_or(|m| total >= m) && max.is_none_or(|m| total < m)
            }
            TierRange::Rank { first, last } => rank >= first && last.is_none_or(|l| rank <= l),
        }
    }
}

/// The tiers, best first; they meet end to end and cover every score (or rank).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tiers {
    /// Score or rank.
    pub by: TierBasis,
    /// The tiers, best first.
    pub tiers: Vec<Tier>,
}

impl Tiers {
    /// The tier of a subject with `total` and `rank`.
    pub fn tier_for(&self, total: f64, rank: u32) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.covers(total, rank))
    }
}

/// The reward list (表扬) and accountability list (问责).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lists {
    /// How many of the best are named (ties with the last one included).
    pub reward_top: u32,
    /// How many of the worst are named (ties with the last one included).
    pub accountability_bottom: u32,
    /// A count indicator (e.g. `acts_summons`) that puts any subject with a non-zero count
    /// on the accountability list, whatever its rank.
    pub accountability_if: Option<String>,
    /// Whether a subject flagged by `accountability_if` is left off the reward list.
    pub reward_excludes_flagged: bool,
    /// Whether places left by excluded subjects are filled from lower ranks. Off unless the
    /// scheme says so: "前3名表扬" praises only those of the top three not excluded.
    #[serde(default)]
    pub reward_top_up: bool,
}

/// A scoring scheme, checked: weights add up, every indicator is in the dictionary, tiers meet
/// end to end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    /// The year it applies to.
    pub year: i16,
    /// Its version within the year (raised on each change).
    pub version: u32,
    /// Its title.
    pub name: String,
    /// What a missing value scores.
    pub when_missing: MissingRule,
    /// Days after publication during which a unit may object (7 when the file does not say).
    pub objection_window_days: u32,
    /// The assessment systems.
    pub systems: Vec<System>,
    /// Deductions.
    pub deductions: Vec<Adjustment>,
    /// Bonuses.
    pub bonuses: Vec<Adjustment>,
    /// Tiers.
    pub tiers: Tiers,
    /// Reward and accountability lists.
    pub lists: Lists,
}

/// How far two weights' sum may stray from 1.
const WEIGHT_TOLERANCE: f64 = 1e-9;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    year: Spanned<i64>,
    version: Spanned<i64>,
    name: Spanned<String>,
    when_missing: Option<MissingRule>,
    objection_window_days: Option<Spanned<i64>>,
    #[serde(default)]
    system: Vec<Spanned<RawSystem>>,
    #[serde(default)]
    deduction: Vec<Spanned<RawAdjustment>>,
    #[serde(default)]
    bonus: Vec<Spanned<RawAdjustment>>,
    tiers: Spanned<RawTiers>,
    lists: Spanned<RawLists>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    code: Spanned<String>,
    name: String,
    weight: Spanned<f64>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum MethodKind {
    RatioToTarget,
    Linear,
    Rank,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: Spanned<String>,
    weight: Spanned<f64>,
    method: Spanned<MethodKind>,
    target: Option<Spanned<f64>>,
    worst: Option<Spanned<f64>>,
    best: Option<Spanned<f64>>,
    step: Option<Spanned<f64>>,
    #[serde(default)]
    targets: BTreeMap<String, Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjustment {
    code: Spanned<String>,
    name: String,
    indicator: Spanned<String>,
    points: Spanned<f64>,
    cap: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTiers {
    by: TierBasis,
    #[serde(default)]
    tier: Vec<Spanned<RawTier>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    name: String,
    min: Option<f64>,
    max: Option<f64>,
    first: Option<u32>,
    last: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLists {
    reward_top: u32,
    accountability_bottom: u32,
    accountability_if: Option<Spanned<String>>,
    #[serde(default)]
    reward_excludes_flagged: bool,
    #[serde(default)]
    reward_top_up: bool,
}

/// Reads lines off spans of the scheme's text.
struct Text<'a>(&'a str);

impl Text<'_> {
    fn line_at(&self, offset: usize) -> usize {
        self.0[..offset.min(self.0.len())].matches('\n').count() + 1
    }

    fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.line_at(s.span().start)
    }

    fn refuse<T>(&self, s: &Spanned<T>, message: impl Into<String>) -> SchemeError {
        SchemeError {
            line: Some(self.line(s)),
            message: message.into(),
        }
    }
}

impl Scheme {
    /// Reads and checks a scheme against the [`default_dictionary`].
    pub fn from_toml(text: &str) -> Result<Scheme, SchemeError> {
        Scheme::from_toml_with(text, &default_dictionary())
    }

    /// Reads and checks a scheme against `dictionary`; a refused file names the line and the
    /// reason.
    pub fn from_toml_with(text: &str, dictionary: &Dictionary) -> Result<Scheme, SchemeError> {
        let t = Text(text);
        let raw: RawScheme = toml::from_str(text).map_err(|e| SchemeError {
            line: e.span().map(|s| t.line_at(s.start)),
            message: crate::toml_zh::message(&e),
        })?;
        let year = i16::try_from(*raw.year.get_ref())
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| t.refuse(&raw.year, "year 须为 2000–2100 之间的年份"))?;
        let version = u32::try_from(*raw.version.get_ref())
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| t.refuse(&raw.version, "version 须为正整数"))?;
        if raw.name.get_ref().trim().is_empty() {
            return Err(t.refuse(&raw.name, "name（办法名称）不能为空"));
        }
        let objection_window_days = match &raw.objection_window_days {
            None => 7,
            Some(d) => u32::try_from(*d.get_ref())
                .ok()
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| t.refuse(d, "objection_window_days 须为 1–366 天"))?,
        };

        let systems = check_systems(&t, &raw.system, dictionary)?;
        let mut codes = HashSet::new();
        let deductions = check_adjustments(&t, &raw.deduction, dictionary, &mut codes, "扣分")?;
        let bonuses = check_adjustments(&t, &raw.bonus, dictionary, &mut codes, "加分")?;
        let tiers = check_tiers(&t, &raw.tiers)?;

        let lists = raw.lists.get_ref();
        let accountability_if = match &lists.accountability_if {
            None => None,
            Some(code) => {
                count_indicator(&t, code, dictionary, "accountability_if")?;
                Some(code.get_ref().clone())
            }
        };
        Ok(Scheme {
            year,
            version,
            name: raw.name.get_ref().trim().to_string(),
            when_missing: raw.when_missing.unwrap_or(MissingRule::Reweight),
            objection_window_days,
            systems,
            deductions,
            bonuses,
            tiers,
            lists: Lists {
                reward_top: lists.reward_top,
                accountability_bottom: lists.accountability_bottom,
                accountability_if,
                reward_excludes_flagged: lists.reward_excludes_flagged,
                reward_top_up: lists.reward_top_up,
            },
        })
    }

    /// Every indicator scored, with its system, in the file's order.
    pub fn indicators(&self) -> impl Iterator<Item = (&System, &ScoredIndicator)> {
        self.systems
            .iter()
            .flat_map(|s| s.indicators.iter().map(move |i| (s, i)))
    }

    /// The scored indicator with `code`.
    pub fn indicator(&self, code: &str) -> Option<&ScoredIndicator> {
        self.indicators().map(|(_, i)| i).find(|i| i.code == code)
    }

    /// Checks that every per-unit target names a district or lead unit of `portfolio` (a
    /// misspelt name would otherwise silently fall back to the default target).
    pub fn check_units(&self, portfolio: &Portfolio) -> Result<(), SchemeError> {
        let known: HashSet<&str> = portfolio
            .units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::District | UnitKind::LeadUnit))
            .map(|u| u.name.as_str())
            .collect();
        for (_, indicator) in self.indicators() {
            if let Some(o) = indicator
                .overrides
                .iter()
                .find(|o| !known.contains(o.unit.as_str()))
            {
                return Err(SchemeError {
                    line: Some(o.line),
                    message: format!(
                        "「{}」的分单位目标中的「{}」不是县区或牵头单位",
                        indicator.name, o.unit
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A scheme written back as a TOML file, with the field each line sets: what the scheme form
/// saves, so a form's numbers pass the same reading and checks as a typed file, and a refusal's
/// line names the form field at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeText {
    /// The TOML text.
    pub text: String,
    /// For each line (index 0 is line 1), the field it sets as a dotted path (`system.0.weight`,
    /// `system.1.indicator.2.target`, `deduction.0.cap`, `tiers.1.min`, `lists.reward_top`);
    /// a table's header and its fixed keys name the table (`system.0`, `tiers.1`).
    pub fields: Vec<String>,
}

impl SchemeText {
    /// The field set on `line` (1-based).
    pub fn field_at(&self, line: usize) -> Option<&str> {
        line.checked_sub(1)
            .and_then(|i| self.fields.get(i))
            .map(String::as_str)
    }

    fn line(&mut self, field: impl Into<String>, text: String) {
        self.text.push_str(&text);
        self.text.push('\n');
        self.fields.push(field.into());
    }

    fn blank(&mut self) {
        self.line(String::new(), String::new());
    }
}

/// A TOML basic string literal.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML float literal (`90.0`, `0.35`); the scheme's numbers are finite.
fn float(x: f64) -> String {
    format!("{x:?}")
}

impl Scheme {
    /// The scheme as a file [`Scheme::from_toml`] reads back to the same scheme (per-unit
    /// targets' line numbers aside; comments are not kept).
    pub fn to_toml(&self) -> SchemeText {
        let mut t = SchemeText {
            text: String::new(),
            fields: Vec::new(),
        };
        t.line("year", format!("year = {}", self.year));
        t.line("version", format!("version = {}", self.version));
        t.line("name", format!("name = {}", quoted(&self.name)));
        let missing = match self.when_missing {
            MissingRule::Reweight => "reweight",
            MissingRule::Zero => "zero",
        };
        t.line(
            "when_missing",
            format!("when_missing = {}", quoted(missing)),
        );
        t.line(
            "objection_window_days",
            format!("objection_window_days = {}", self.objection_window_days),
        );
        for (i, s) in self.systems.iter().enumerate() {
            let key = format!("system.{i}");
            t.blank();
            t.line(&key, "[[system]]".into());
            t.line(&key, format!("code = {}", quoted(&s.code)));
            t.line(&key, format!("name = {}", quoted(&s.name)));
            t.line(
                format!("{key}.weight"),
                format!("weight = {}", float(s.weight)),
            );
            for (j, ind) in s.indicators.iter().enumerate() {
                let key = format!("system.{i}.indicator.{j}");
                t.blank();
                t.line(&key, "[[system.indicator]]".into());
                t.line(&key, format!("code = {}", quoted(&ind.code)));
                t.line(
                    format!("{key}.weight"),
                    format!("weight = {}", float(ind.weight)),
                );
                t.line(&key, format!("method = {}", quoted(ind.method.code())));
                let params: Vec<(&str, f64)> = match ind.method {
                    Method::RatioToTarget { target } => vec![("target", target)],
                    Method::Linear { worst, best } => vec![("worst", worst), ("best", best)],
                    Method::Rank { step } => vec![("step", step)],
                };
                for (name, value) in params {
                    t.line(
                        format!("{key}.{name}"),
                        format!("{name} = {}", float(value)),
                    );
                }
                if !ind.overrides.is_empty() {
                    let pairs: Vec<String> = ind
                        .overrides
                        .iter()
                        .map(|o| format!("{} = {}", quoted(&o.unit), float(o.value)))
                        .collect();
                    t.line(
                        format!("{key}.targets"),
                        format!("targets = {{ {} }}", pairs.join(", ")),
                    );
                }
            }
        }
        for (table, list) in [("deduction", &self.deductions), ("bonus", &self.bonuses)] {
            for (i, a) in list.iter().enumerate() {
                let key = format!("{table}.{i}");
                t.blank();
                t.line(&key, format!("[[{table}]]"));
                t.line(&key, format!("code = {}", quoted(&a.code)));
                t.line(&key, format!("name = {}", quoted(&a.name)));
                t.line(&key, format!("indicator = {}", quoted(&a.indicator)));
                t.line(
                    format!("{key}.points"),
                    format!("points = {}", float(a.points)),
                );
                t.line(format!("{key}.cap"), format!("cap = {}", float(a.cap)));
            }
        }
        t.blank();
        t.line("tiers", "[tiers]".into());
        let by = match self.tiers.by {
            TierBasis::Score => "score",
            TierBasis::Rank => "rank",
        };
        t.line("tiers", format!("by = {}", quoted(by)));
        for (i, tier) in self.tiers.tiers.iter().enumerate() {
            let key = format!("tiers.{i}");
            t.blank();
            t.line(&key, "[[tiers.tier]]".into());
            t.line(&key, format!("name = {}", quoted(&tier.name)));
            match tier.range {
                TierRange::Score { min, max } => {
                    if let Some(min) = min {
                        t.line(format!("{key}.min"), format!("min = {}", float(min)));
                    }
                    if let Some(max) = max {
                        t.line(format!("{key}.max"), format!("max = {}", float(max)));
                    }
                }
                TierRange::Rank { first, last } => {
                    t.line(format!("{key}.first"), format!("first = {first}"));
                    if let Some(last) = last {
                        t.line(format!("{key}.last"), format!("last = {last}"));
                    }
                }
            }
        }
        let l = &self.lists;
        t.blank();
        t.line("lists", "[lists]".into());
        t.line("lists.reward_top", format!("reward_top = {}", l.reward_top));
        t.line(
            "lists.accountability_bottom",
            format!("accountability_bottom = {}", l.accountability_bottom),
        );
        if let Some(code) = &l.accountability_if {
            t.line(
                "lists.accountability_if",
                format!("accountability_if = {}", quoted(code)),
            );
        }
        t.line(
            "lists",
            format!("reward_excludes_flagged = {}", l.reward_excludes_flagged),
        );
        t.line("lists", format!("reward_top_up = {}", l.reward_top_up));
        t
    }
}

fn check_systems(
    t: &Text<'_>,
    raw: &[Spanned<RawSystem>],
    dictionary: &Dictionary,
) -> Result<Vec<System>, SchemeError> {
    let Some(first) = raw.first() else {
        return Err(SchemeError {
            line: None,
            message: "至少需要一个考核体系 [[system]]".into(),
        });
    };
    let mut system_codes = HashSet::new();
    let mut indicator_codes = HashSet::new();
    let mut systems = Vec::with_capacity(raw.len());
    for s in raw {
        let r = s.get_ref();
        let code = r.code.get_ref().trim();
        if code.is_empty() {
            return Err(t.refuse(&r.code, "体系 code 不能为空"));
        }
        if !system_codes.insert(code.to_string()) {
            return Err(t.refuse(&r.code, format!("体系「{code}」重复")));
        }
        let weight = *r.weight.get_ref();
        if !(weight > 0.0 && weight <= 1.0) {
            return Err(t.refuse(
                &r.weight,
                format!("体系「{}」的权重须在 0 到 1 之间", r.name),
            ));
        }
        if r.indicator.is_empty() {
            return Err(t.refuse(
                s,
                format!("体系「{}」没有指标 [[system.indicator]]", r.name),
            ));
        }
        let mut indicators = Vec::with_capacity(r.indicator.len());
        for i in &r.indicator {
            indicators.push(check_indicator(t, i, dictionary, &mut indicator_codes)?);
        }
        let sum: f64 = indicators.iter().map(|i| i.weight).sum();
        if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
            return Err(t.refuse(
                s,
                format!(
                    "体系「{}」的指标权重之和为 {}，应为 1（{}）",
                    r.name,
                    round6(sum),
                    join_weights(indicators.iter().map(|i| i.weight))
                ),
            ));
        }
        systems.push(System {
            code: code.to_string(),
            name: r.name.trim().to_string(),
            weight,
            indicators,
        });
    }
    let sum: f64 = systems.iter().map(|s| s.weight).sum();
    if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
        return Err(t.refuse(
            first,
            format!(
                "各考核体系权重之和为 {}，应为 1（{}）",
                round6(sum),
                join_weights(systems.iter().map(|s| s.weight))
            ),
        ));
    }
    Ok(systems)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn join_weights(weights: impl Iterator<Item = f64>) -> String {
    weights
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn check_indicator(
    t: &Text<'_>,
    s: &Spanned<RawIndicator>,
    dictionary: &Dictionary,
    seen: &mut HashSet<String>,
) -> Result<ScoredIndicator, SchemeError> {
    let r = s.get_ref();
    let code = r.code.get_ref();
    let Some(indicator) = dictionary.get(code) else {
        return Err(t.refuse(&r.code, format!("指标库中没有指标「{code}」")));
    };
    if !seen.insert(code.clone()) {
        return Err(t.refuse(&r.code, format!("指标「{code}」在办法中出现了两次")));
    }
    let name = &indicator.name;
    let weight = *r.weight.get_ref();
    if !(weight > 0.0 && weight <= 1.0) {
        return Err(t.refuse(&r.weight, format!("「{name}」的权重须在 0 到 1 之间")));
    }
    let method_name = match r.method.get_ref() {
        MethodKind::RatioToTarget => "ratio_to_target",
        MethodKind::Linear => "linear",
        MethodKind::Rank => "rank",
    };
    // A parameter the method does not use is refused rather than ignored: it says the writer
    // meant another method.
    let unused = |p: &Option<Spanned<f64>>, key: &str| match p {
        Some(v) => Err(t.refuse(v, format!("{method_name} 方法不用 {key}"))),
        None => Ok(()),
    };
    let required = |p: &Option<Spanned<f64>>, key: &str| -> Result<f64, SchemeError> {
        match p {
            Some(v) if v.get_ref().is_finite() => Ok(*v.get_ref()),
            Some(v) => Err(t.refuse(v, format!("「{name}」的 {key} 不是有效数字"))),
            None => Err(t.refuse(
                &r.method,
                format!("「{name}」用 {method_name} 方法，须设 {key}"),
            )),
        }
    };
    let higher = indicator.direction == Direction::HigherIsBetter;
    // The best bound of a linear method must lie on the better side of the worst.
    let best_ok = |worst: f64, best: f64| if higher { best > worst } else { best < worst };
    let best_rule = if higher {
        "越高越好，best 须大于 worst"
    } else {
        "越低越好，best 须小于 worst"
    };
    let method = match r.method.get_ref() {
        MethodKind::RatioToTarget => {
            unused(&r.worst, "worst")?;
            unused(&r.best, "best")?;
            unused(&r.step, "step")?;
            let target = required(&r.target, "target")?;
            if target <= 0.0 {
                return Err(t.refuse(
                    r.target.as_ref().expect("checked by required"),
                    format!("「{name}」的目标值须大于 0"),
                ));
            }
            Method::RatioToTarget { target }
        }
        MethodKind::Linear => {
            unused(&r.target, "target（目标即 best）")?;
            unused(&r.step, "step")?;
            let worst = required(&r.worst, "worst")?;
            let best = required(&r.best, "best")?;
            if !best_ok(worst, best) {
                return Err(t.refuse(
                    r.best.as_ref().expect("checked by required"),
                    format!("「{name}」{best_rule}"),
                ));
            }
            Method::Linear { worst, best }
        }
        MethodKind::Rank => {
            unused(&r.target, "target")?;
            unused(&r.worst, "worst")?;
            unused(&r.best, "best")?;
            let step = required(&r.step, "step")?;
            if !(step > 0.0 && step <= 100.0) {
                return Err(t.refuse(
                    r.step.as_ref().expect("checked by required"),
                    format!("「{name}」的 step 须在 0 到 100 之间"),
                ));
            }
            if let Some((unit, v)) = r.targets.iter().next() {
                return Err(t.refuse(v, format!("排名法没有目标值，不能为「{unit}」另设")));
            }
            Method::Rank { step }
        }
    };
    let mut overrides = Vec::with_capacity(r.targets.len());
    for (unit, v) in &r.targets {
        let value = *v.get_ref();
        let ok = match method {
            Method::RatioToTarget { .. } => value.is_finite() && value > 0.0,
            Method::Linear { worst, .. } => value.is_finite() && best_ok(worst, value),
            Method::Rank { .. } => false,
        };
        if !ok {
            return Err(t.refuse(
                v,
                format!(
                    "「{name}」为「{unit}」设的目标 {value} 无效（{}）",
                    match method {
                        Method::Linear { .. } => best_rule,
                        _ => "须大于 0",
                    }
                ),
            ));
        }
        overrides.push(TargetOverride {
            unit: unit.clone(),
            value,
            line: t.line(v),
        });
    }
    Ok(ScoredIndicator {
        code: code.clone(),
        name: name.clone(),
        unit: indicator.unit.clone(),
        direction: indicator.direction,
        weight,
        method,
        overrides,
    })
}

fn count_indicator<'d>(
    t: &Text<'_>,
    code: &Spanned<String>,
    dictionary: &'d Dictionary,
    key: &str,
) -> Result<&'d super::indicators::Indicator, SchemeError> {
    let Some(indicator) = dictionary.get(code.get_ref()) else {
        return Err(t.refuse(code, format!("指标库中没有指标「{}」", code.get_ref())));
    };
    if !indicator.is_count() {
        return Err(t.refuse(
            code,
            format!(
                "{key} 须是计数指标，「{}」以{}计",
                indicator.name, indicator.unit
            ),
        ));
    }
    Ok(indicator)
}

fn check_adjustments(
    t: &Text<'_>,
    raw: &[Spanned<RawAdjustment>],
    dictionary: &Dictionary,
    codes: &mut HashSet<String>,
    what: &str,
) -> Result<Vec<Adjustment>, SchemeError> {
    let mut out = Vec::with_capacity(raw.len());
    for s in raw {
        let r = s.get_ref();
        let code = r.code.get_ref().trim();
        if code.is_empty() {
            return Err(t.refuse(&r.code, format!("{what}项 code 不能为空")));
        }
        if !codes.insert(code.to_string()) {
            return Err(t.refuse(&r.code, format!("{what}项「{code}」与其他加扣分项重名")));
        }
        let indicator = count_indicator(t, &r.indicator, dictionary, &format!("{what}项"))?;
        let points = *r.points.get_ref();
        if !(points.is_finite() && points >= 0.0) {
            return Err(t.refuse(
                &r.points,
                format!("{what}项「{}」的每次分值不能为负", r.name),
            ));
        }
        let cap = *r.cap.get_ref();
        if !(cap.is_finite() && cap >= 0.0) {
            return Err(t.refuse(&r.cap, format!("{what}项「{}」的封顶分值不能为负", r.name)));
        }
        out.push(Adjustment {
            code: code.to_string(),
            name: r.name.trim().to_string(),
            indicator: indicator.code.clone(),
            indicator_name: indicator.name.clone(),
            unit: indicator.unit.clone(),
            points,
            cap,
        });
    }
    Ok(out)
}

fn check_tiers(t: &Text<'_>, raw: &Spanned<RawTiers>) -> Result<Tiers, SchemeError> {
    let r = raw.get_ref();
    if r.tier.is_empty() {
        return Err(t.refuse(raw, "至少需要一个等次 [[tiers.tier]]"));
    }
    let mut names = HashSet::new();
    let mut tiers: Vec<Tier> = Vec::with_capacity(r.tier.len());
    let n = r.tier.len();
    for (i, s) in r.tier.iter().enumerate() {
        let tier = s.get_ref();
        let refuse = |m: String| Err(t.refuse(s, m));
        let name = tier.name.trim();
        if name.is_empty() || !names.insert(name.to_string()) {
            return refuse(format!("等次名称「{name}」为空或重复"));
        }
        let (best, worst) = (i == 0, i + 1 == n);
        let range = match r.by {
            TierBasis::Score => {
                if tier.first.is_some() || tier.last.is_some() {
                    return refuse(format!(
                        "按分数分档，等次「{name}」用 min/max，不用 first/last"
                    ));
                }
                if tier.min.is_some_and(|m| !m.is_finite())
                    || tier.max.is_some_and(|m| !m.is_finite())
                {
                    return refuse(format!("等次「{name}」的分数界限不是有效数字"));
                }
                match (best, tier.max) {
                    (true, Some(_)) => return refuse(format!("最好的等次「{name}」不设 max")),
                    (false, None) => {
                        return refuse(format!("等次「{name}」须设 max（上一等次的 min）"));
                    }
                    _ => {}
                }
                match (worst, tier.min) {
                    (true, Some(_)) => return refuse(format!("最差的等次「{name}」不设 min")),
                    (false, None) => return refuse(format!("等次「{name}」须设 min")),
                    _ => {}
                }
                if let (Some(min), Some(max)) = (tier.min, tier.max)
                    && min >= max
                {
                    return refuse(format!("等次「{name}」的 min {min} 须小于 max {max}"));
                }
                if let (Some(prev), Some(max)) = (tiers.last(), tier.max) {
                    let TierRange::Score {
                        min: Some(above), ..
                    } = prev.range
                    else {
                        unreachable!("every tier above the worst has a min");
                    };
                    if max > above {
                        return refuse(format!(
                            "等次「{name}」（低于 {max}）与「{}」（{above} 起）重叠",
                            prev.name
                        ));
                    }
                    if max < above {
                        return refuse(format!(
                            "等次「{name}」（低于 {max}）与「{}」（{above} 起）之间有空档",
                            prev.name
                        ));
                    }
                }
                TierRange::Score {
                    min: tier.min,
                    max: tier.max,
                }
            }
            TierBasis::Rank => {
                if tier.min.is_some() || tier.max.is_some() {
                    return refuse(format!(
                        "按名次分档，等次「{name}」用 first/last，不用 min/max"
                    ));
                }
                let Some(first) = tier.first else {
                    return refuse(format!("等次「{name}」须设 first"));
                };
                match (worst, tier.last) {
                    (true, Some(_)) => return refuse(format!("最差的等次「{name}」不设 last")),
                    (false, None) => return refuse(format!("等次「{name}」须设 last")),
                    _ => {}
                }
                if tier.last.is_some_and(|l| l < first) {
                    return refuse(format!("等次「{name}」的 last 须不小于 first"));
                }
                let expected = match tiers.last() {
                    None => 1,
                    Some(Tier {
                        range: TierRange::Rank { last: Some(l), .. },
                        ..
                    }) => l + 1,
                    Some(_) => unreachable!("every tier above the worst has a last"),
                };
                if first < expected {
                    return refuse(format!(
                        "等次「{name}」从第 {first} 名起，与上一等次重叠（应从第 {expected} 名起）"
                    ));
                }
                if first > expected {
                    return refuse(format!(
                        "等次「{name}」从第 {first} 名起，与上一等次之间有空档（应从第 {expected} 名起）"
                    ));
                }
                TierRange::Rank {
                    first,
                    last: tier.last,
                }
            }
        };
        tiers.push(Tier {
            name: name.to_string(),
            range,
        });
    }
    Ok(Tiers { by: r.by, tiers })
}
