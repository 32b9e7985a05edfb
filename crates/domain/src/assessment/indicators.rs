//! The indicator dictionary (指标库): what can be scored, with its unit, direction, source and
//! the range an entered value must lie in; entered values and the media-coverage register.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::month::Month;
use crate::model::{ProjectId, UnitId};

/// Which way an indicator is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 越高越好.
    HigherIsBetter,
    /// 越低越好.
    LowerIsBetter,
}

impl Direction {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "越高越好",
            Direction::LowerIsBetter => "越低越好",
        }
    }
}

/// An indicator read off jianguan's own records. Each is measured per subject for a month by
/// [`super::measure_month`], through the rates and counts the cadence modules define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComputedIndicator {
    /// 节点完成率 for the month's year as of its last day ([`crate::rates::node_completion`]).
    NodeCompletion,
    /// 按期完成率 ([`crate::rates::on_time`]).
    OnTime,
    /// 项目完成率 ([`crate::rates::annual_plan_complete`] over the annual plan).
    ProjectCompletion,
    /// 投资完成率 ([`crate::rates::investment_completion`]).
    InvestmentCompletion,
    /// 按时填报率 of the reports whose deadline falls in the month.
    FilingTimeliness,
    /// Reports whose deadline falls in the month that were filed late (迟报).
    FilingsLate,
    /// Reports whose deadline falls in the month that were not filed by its end (漏报).
    FilingsMissing,
    /// Warnings that reached 警示 in the month.
    WarningsWarning,
    /// 督办 issued to the subject in the month (decided at a dispatch meeting or issued on a
    /// proposal): acts, each counted once.
    ActsSupervision,
    /// 约谈 of the subject (or one of its units) issued in the month.
    ActsSummons,
    /// Tracked items open past their deadline at the month's end.
    ItemsOverdue,
    /// Share of rectifications first re-checked in the month that passed (一次复查通过率).
    RectificationFirstPass,
    /// Reports by central media in the month (register).
    MediaCentral,
    /// Reports by provincial media in the month (register).
    MediaProvincial,
    /// Reports by city media in the month (register).
    MediaCity,
    /// Plan changes (计划调整) requested in the month for the subject's projects, approved or
    /// not: the speech's "随意调整改造计划".
    PlanChanges,
}

/// Where an indicator's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed from the records.
    Computed(ComputedIndicator),
    /// Entered (or imported) per unit and month.
    Entered,
}

/// The values an indicator can take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ValueRange {
    /// The least value, if bounded below.
    pub min: Option<f64>,
    /// The greatest value, if bounded above.
    pub max: Option<f64>,
    /// Whether only whole numbers make sense (a count).
    pub integer: bool,
}

impl ValueRange {
    /// A rate in percent: 0..=100.
    pub const PERCENT: ValueRange = ValueRange {
        min: Some(0.0),
        max: Some(100.0),
        integer: false,
    };
    /// A rate that may exceed 100 % (investment completed beyond plan).
    pub const PERCENT_OPEN: ValueRange = ValueRange {
        min: Some(0.0),
        max: None,
        integer: false,
    };
    /// A count: a whole number ≥ 0.
    pub const COUNT: ValueRange = ValueRange {
        min: Some(0.0),
        max: None,
        integer: true,
    };

    fn describe(self, unit: &str) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{a}–{b}{unit}"),
            (Some(a), None) => format!("≥ {a}{unit}"),
            (None, Some(b)) => format!("≤ {b}{unit}"),
            (None, None) => "任意值".to_string(),
        }
    }
}

/// One indicator of the dictionary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable code, used in schemes and storage, e.g. `node_completion`.
    pub code: String,
    /// Name shown to users, e.g. 节点完成率.
    pub name: String,
    /// Unit, e.g. `%`, `个`, `篇`.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Where the values come from.
    pub source: Source,
    /// How the value is obtained, in words (the formula or the source).
    pub description: String,
    /// The values it can take (entered values outside are refused).
    pub range: ValueRange,
}

impl Indicator {
    /// Whether the indicator is a count (so it can drive a deduction or bonus).
    pub fn is_count(&self) -> bool {
        self.range.integer
    }

    /// What a rate is the share of, for people: `1,222/1,350` for counts; for investment
    /// completed out of planned (stored in yuan) the amounts in 万元, as tables write money.
    pub fn fraction_text(&self, fraction: super::Fraction) -> String {
        if self.source == Source::Computed(ComputedIndicator::InvestmentCompletion) {
            format!(
                "完成 {} / 计划 {} 万元",
                crate::fmt::wan(crate::model::Money(fraction.numerator)),
                crate::fmt::wan(crate::model::Money(fraction.denominator))
            )
        } else {
            format!(
                "{}/{}",
                crate::fmt::count(fraction.numerator),
                crate::fmt::count(fraction.denominator)
            )
        }
    }

    /// Whether `value` is acceptable for this indicator.
    pub fn check_value(&self, value: f64) -> Result<(), IndicatorError> {
        if !value.is_finite() {
            return Err(IndicatorError::NotFinite {
                code: self.code.clone(),
                name: self.name.clone(),
            });
        }
        let r = self.range;
        if r.min.is_some_and(|m| value < m) || r.max.is_some_and(|m| value > m) {
            return Err(IndicatorError::OutOfRange {
                code: self.code.clone(),
                name: self.name.clone(),
                unit: self.unit.clone(),
                value,
                range: r.describe(&self.unit),
            });
        }
        if r.integer && value.fract() != 0.0 {
            return Err(IndicatorError::NotWhole {
                code: self.code.clone(),
                name: self.name.clone(),
                unit: self.unit.clone(),
                value,
            });
        }
        Ok(())
    }
}

/// Why an indicator value or register entry was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    /// No indicator has the code.
    #[error("指标库中没有指标「{0}」")]
    Unknown(String),
    /// The indicator is computed from the records, not entered.
    #[error("指标「{name}」（{code}）由系统根据台账计算，不能录入")]
    NotEntered {
        /// The code.
        code: String,
        /// The name.
        name: String,
    },
    /// The value lies outside the indicator's range (a rate above 100 %, a negative count).
    #[error("指标「{name}」（{code}）的值 {value}{unit} 超出范围 {range}")]
    OutOfRange {
        /// The code.
        code: String,
        /// The name.
        name: String,
        /// The unit.
        unit: String,
        /// The value refused.
        value: f64,
        /// The range, in words.
        range: String,
    },
    /// A count must be a whole number.
    #[error("指标「{name}」（{code}）以{unit}计，须为整数，不能是 {value}")]
    NotWhole {
        /// The code.
        code: String,
        /// The name.
        name: String,
        /// The unit.
        unit: String,
        /// The value refused.
        value: f64,
    },
    /// Not a number.
    #[error("指标「{name}」（{code}）的值不是有效数字")]
    NotFinite {
        /// The code.
        code: String,
        /// The name.
        name: String,
    },
    /// A required text is empty.
    #[error("{0}不能为空")]
    Empty(&'static str),
}

/// The indicators the office can score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dictionary {
    /// The indicators, computed ones first, in a stable order.
    pub indicators: Vec<Indicator>,
}

impl Dictionary {
    /// The indicator with `code`.
    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    /// The indicator computed as `computed`, if the dictionary has one.
    pub fn computed(&self, computed: ComputedIndicator) -> Option<&Indicator> {
        self.indicators
            .iter()
            .find(|i| i.source == Source::Computed(computed))
    }

    /// The gate of an entered value: a known, entered indicator and a value in its range.
    pub fn check_entry(&self, entry: &EnteredValue) -> Result<&Indicator, IndicatorError> {
        let indicator = self
            .get(&entry.indicator)
            .ok_or_else(|| IndicatorError::Unknown(entry.indicator.clone()))?;
        if indicator.source != Source::Entered {
            return Err(IndicatorError::NotEntered {
                code: indicator.code.clone(),
                name: indicator.name.clone(),
            });
        }
        indicator.check_value(entry.value)?;
        Ok(indicator)
    }
}

/// A value entered (or imported) for an indicator, a unit and a month: e.g. 映湖区's
/// street-cleaning marketisation rate for 2021-10 is 92.9 (%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnteredValue {
    /// Identity (0 before it is stored).
    pub id: i64,
    /// The indicator's code.
    pub indicator: String,
    /// The unit it is for (a district or a lead unit).
    pub subject: UnitId,
    /// The month it is for.
    pub month: Month,
    /// The value, in the indicator's unit (a rate in percent).
    pub value: f64,
    /// Where the figure comes from (e.g. 市城管局报送).
    pub note: String,
}

/// How far a medium reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaLevel {
    /// 中央媒体.
    Central,
    /// 省级媒体.
    Provincial,
    /// 市级媒体.
    City,
}

impl MediaLevel {
    /// Every level, widest first.
    pub const ALL: [MediaLevel; 3] = [
        MediaLevel::Central,
        MediaLevel::Provincial,
        MediaLevel::City,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            MediaLevel::Central => "central",
            MediaLevel::Provincial => "provincial",
            MediaLevel::City => "city",
        }
    }

    /// The level with `code`.
    pub fn from_code(code: &str) -> Option<MediaLevel> {
        MediaLevel::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            MediaLevel::Central => "中央媒体",
            MediaLevel::Provincial => "省级媒体",
            MediaLevel::City => "市级媒体",
        }
    }
}

/// One entry of the media-coverage register (媒体宣传登记): a report about the campaign,
/// credited to a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaReport {
    /// Identity (0 before it is stored).
    pub id: i64,
    /// The outlet, e.g. 人民日报.
    pub outlet: String,
    /// Central, provincial or city.
    pub level: MediaLevel,
    /// The day it ran.
    pub date: Date,
    /// Its title.
    pub title: String,
    /// The projects it covers, if any.
    pub projects: Vec<ProjectId>,
    /// The unit credited (a district counts its own and its responsible units' reports).
    pub unit: UnitId,
}

impl MediaReport {
    /// The gate of a new register entry: an outlet and a title.
    pub fn check(&self) -> Result<(), IndicatorError> {
        if self.outlet.trim().is_empty() {
            return Err(IndicatorError::Empty("媒体名称"));
        }
        if self.title.trim().is_empty() {
            return Err(IndicatorError::Empty("报道标题"));
        }
        Ok(())
    }
}

/// The dictionary every scheme is checked against: the indicators computed from the records,
/// the media counts of the register and the figures the office enters per district and month
/// (the speech's sanitation rates, parking, satisfaction, service-radius coverage, information
/// adopted, innovations recognised).
pub fn default_dictionary() -> Dictionary {
    use ComputedIndicator as C;
    use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};
    let computed =
        |code: &str, name: &str, unit: &str, direction, c, range, description: &str| Indicator {
            code: code.into(),
            name: name.into(),
            unit: unit.into(),
            direction,
            source: Source::Computed(c),
            description: description.into(),
            range,
        };
    let entered =
        |code: &str, name: &str, unit: &str, direction, range, description: &str| Indicator {
            code: code.into(),
            name: name.into(),
            unit: unit.into(),
            direction,
            source: Source::Entered,
            description: description.into(),
            range,
        };
    let pct = ValueRange::PERCENT;
    let count = ValueRange::COUNT;
    Dictionary {
        indicators: vec![
            computed(
                "node_completion",
                "节点完成率",
                "%",
                Higher,
                C::NodeCompletion,
                pct,
                "本年计划节点中截至月末应完成的，月末前已完成的占比",
            ),
            computed(
                "on_time",
                "按期完成率",
                "%",
                Higher,
                C::OnTime,
                pct,
                "截至月末应完成的节点中，在计划日期当日或之前完成的占比",
            ),
            computed(
                "project_completion",
                "项目完成率",
                "%",
                Higher,
                C::ProjectCompletion,
                pct,
                "年度建设项目中，截至月末本年计划节点全部完成的占比",
            ),
            computed(
                "investment_completion",
                "投资完成率",
                "%",
                Higher,
                C::InvestmentCompletion,
                ValueRange::PERCENT_OPEN,
                "本年截至月末完成投资 ÷ 年度计划投资（按各期填报的最新版本）",
            ),
            computed(
                "filing_timeliness",
                "按时填报率",
                "%",
                Higher,
                C::FilingTimeliness,
                pct,
                "截止日在本月的进度填报中，按时填报的份数 ÷ 应报份数",
            ),
            computed(
                "filings_late",
                "迟报",
                "份",
                Lower,
                C::FilingsLate,
                count,
                "截止日在本月、逾期后才填报的进度报告份数",
            ),
            computed(
                "filings_missing",
                "漏报",
                "份",
                Lower,
                C::FilingsMissing,
                count,
                "截止日在本月、至月末仍未填报的进度报告份数",
            ),
            computed(
                "warnings_warning",
                "警示",
                "次",
                Lower,
                C::WarningsWarning,
                count,
                "本月新发或升级至警示的节点预警次数",
            ),
            computed(
                "acts_supervision",
                "督办",
                "次",
                Lower,
                C::ActsSupervision,
                count,
                "本月指挥部签发的督办次数（调度会议定或依建议签发，每次计一次）",
            ),
            computed(
                "acts_summons",
                "约谈",
                "次",
                Lower,
                C::ActsSummons,
                count,
                "本月指挥部约谈的次数（每次计一次）",
            ),
            computed(
                "plan_changes",
                "计划调整",
                "次",
                Lower,
                C::PlanChanges,
                count,
                "本月为本单位项目提出的计划调整申请次数（含驳回的）",
            ),
            computed(
                "items_overdue",
                "逾期未办结事项",
                "项",
                Lower,
                C::ItemsOverdue,
                count,
                "月末仍在办理且已过期限的督办、协调、整改事项数",
            ),
            computed(
                "rectification_first_pass",
                "整改一次复查通过率",
                "%",
                Higher,
                C::RectificationFirstPass,
                pct,
                "本月首次复查的整改事项中，首次复查即通过的占比",
            ),
            computed(
                "media_central",
                "中央媒体报道",
                "篇",
                Higher,
                C::MediaCentral,
                count,
                "媒体宣传登记中本月中央媒体报道篇数",
            ),
            computed(
                "media_provincial",
                "省级媒体报道",
                "篇",
                Higher,
                C::MediaProvincial,
                count,
                "媒体宣传登记中本月省级媒体报道篇数",
            ),
            computed(
                "media_city",
                "市级媒体报道",
                "篇",
                Higher,
                C::MediaCity,
                count,
                "媒体宣传登记中本月市级媒体报道篇数",
            ),
            entered(
                "street_cleaning_marketisation",
                "道路清扫保洁市场化率",
                "%",
                Higher,
                pct,
                "市场化清扫保洁的道路面积 ÷ 城市道路清扫保洁总面积（市城管局报送）",
            ),
            entered(
                "mechanised_cleaning",
                "机械化清扫率",
                "%",
                Higher,
                pct,
                "机械化清扫的道路面积 ÷ 城市道路清扫保洁总面积（市城管局报送）",
            ),
            entered(
                "new_parking_spaces",
                "新增停车泊位",
                "个",
                Higher,
                count,
                "本月新增建成的公共停车泊位数",
            ),
            entered(
                "public_satisfaction",
                "群众满意度",
                "分",
                Higher,
                ValueRange {
                    min: Some(0.0),
                    max: Some(100.0),
                    integer: false,
                },
                "第三方测评的群众满意度得分（百分制）",
            ),
            entered(
                "green_within_200m",
                "200米见绿覆盖率",
                "%",
                Higher,
                pct,
                "沿步行路网 200 米内有绿地的居民占比",
            ),
            entered(
                "park_within_400m",
                "400米见园覆盖率",
                "%",
                Higher,
                pct,
                "沿步行路网 400 米内有公园的居民占比",
            ),
            entered(
                "toilet_circle",
                "10分钟如厕圈覆盖率",
                "%",
                Higher,
                pct,
                "步行 10 分钟内可达公厕的居民占比",
            ),
            entered(
                "info_adopted",
                "信息报送采用",
                "篇",
                Higher,
                count,
                "本月报送的工作动态、亮点被简报采用或报领导、媒体的篇数",
            ),
            entered(
                "innovation_recognised",
                "创新经验获认可",
                "项",
                Higher,
                count,
                "本月创新做法获市级以上推广或肯定的项数",
            ),
            // Service coverage on the walking network, written by `jianguan coverage --enter`
            // from the district rows of its report (the share of residents within reach).
            entered(
                "green_coverage_400m",
                "400米见园覆盖率",
                "%",
                Higher,
                pct,
                "步行 400 米（路网距离）内可达公园绿地的居民占比，由服务覆盖分析（覆盖分析页或命令行）计算后写入",
            ),
            entered(
                "toilet_coverage_10min",
                "10分钟如厕圈覆盖率",
                "%",
                Higher,
                pct,
                "步行 10 分钟（每分钟 80 米）内可达公厕的居民占比，由服务覆盖分析（覆盖分析页或命令行）计算后写入",
            ),
            entered(
                "life_circle_coverage_15min",
                "15分钟生活圈覆盖率",
                "%",
                Higher,
                pct,
                "步行 15 分钟内可达邻里中心的居民占比，由服务覆盖分析（覆盖分析页或命令行）计算后写入",
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::Fraction;

    #[test]
    fn investment_shares_read_in_wan_yuan_and_counts_with_separators() {
        let dictionary = default_dictionary();
        let investment = dictionary
            .computed(ComputedIndicator::InvestmentCompletion)
            .unwrap();
        let yuan = Fraction {
            numerator: 1_118_230_000,
            denominator: 1_132_360_000,
        };
        assert_eq!(
            investment.fraction_text(yuan),
            "完成 111,823.00 / 计划 113,236.00 万元"
        );
        let nodes = dictionary
            .computed(ComputedIndicator::NodeCompletion)
            .unwrap();
        let count = Fraction {
            numerator: 1222,
            denominator: 1350,
        };
        assert_eq!(nodes.fraction_text(count), "1,222/1,350");
    }
}
