//! The demo city's assessment inputs for 2021: the figures the office enters per district and
//! month, and the media-coverage register, consistent with the speech — street-cleaning
//! marketisation 92.9 % and mechanised cleaning 98.5 % across the city at the year's end, 168
//! reports by central media over the year — and with the city's own records (new parking
//! spaces are those of the car parks finished that month; reports cover projects that had just
//! reached a milestone).
//!
//! Everything is drawn from its own random streams, so the portfolio's and the cadence's draws
//! stay as they were.

use std::collections::HashMap;

use jianguan_domain::assessment::{EnteredValue, MediaLevel, MediaReport, Month};
use jianguan_domain::model::{Portfolio, Project, ProjectStatus, UnitId, UnitKind};
use jiff::ToSpan;
use jiff::civil::Date;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{CATEGORIES, PARKING};
use crate::org::DISTRICTS;
use crate::{DEMO_YEAR, stream};

/// The street-cleaning marketisation rate across the city at the end of 2021 (the mean of the
/// districts' December values), in percent.
pub const MARKETISATION_RATE: f64 = 92.9;

/// The mechanised cleaning rate across the city at the end of 2021, in percent.
pub const MECHANISED_RATE: f64 = 98.5;

/// Reports by central media over 2021.
pub const CENTRAL_REPORTS: usize = 168;

/// Central media reports per month, January first: coverage grows as projects finish.
const CENTRAL_BY_MONTH: [usize; 12] = [6, 8, 10, 12, 14, 15, 15, 16, 17, 18, 17, 20];

/// The demo city's entered indicator values and media register for [`DEMO_YEAR`].
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAssessment {
    /// Values entered per district (and lead unit) and month, by month, unit and indicator;
    /// ids 0 (the store assigns them).
    pub entered: Vec<EnteredValue>,
    /// The media-coverage register, by date; ids 0.
    pub media: Vec<MediaReport>,
}

/// The assessment inputs of `portfolio` (the demo city): the same on every call.
pub fn demo_assessment(portfolio: &Portfolio) -> DemoAssessment {
    DemoAssessment {
        entered: entered_values(portfolio, &mut stream(7)),
        media: media_register(portfolio, &mut stream(8)),
    }
}

fn months() -> impl Iterator<Item = Month> {
    (1..=12).map(|m| Month::new(DEMO_YEAR, m).expect("a month of the year"))
}

/// The districts in id order with how far each lags (the organisation's table).
fn districts(portfolio: &Portfolio) -> Vec<(UnitId, f64)> {
    let lag: HashMap<&str, f64> = DISTRICTS.iter().map(|d| (d.name, d.lag)).collect();
    let mut list: Vec<(UnitId, f64)> = portfolio
        .units_of(UnitKind::District)
        .map(|u| (u.id, lag.get(u.name.as_str()).copied().unwrap_or(1.0)))
        .collect();
    list.sort_by_key(|d| d.0);
    list
}

/// Year-end values in tenths of a percent, one per district, whose mean is exactly
/// `mean_tenths`: drawn within `spread` tenths either side, lower where a district lags
/// (`lag_weight` tenths per unit of lag above 1), never above `max_tenths`.
fn year_end_tenths(
    rng: &mut ChaCha8Rng,
    lags: &[f64],
    mean_tenths: i64,
    spread: i64,
    lag_weight: f64,
    max_tenths: i64,
) -> Vec<i64> {
    let raw: Vec<i64> = lags
        .iter()
        .map(|lag| {
            rng.random_range(-spread..=spread) - (lag_weight * (lag - 1.0).clamp(-1.0, 4.0)) as i64
        })
        .collect();
    let n = raw.len() as i64;
    let shift = mean_tenths - raw.iter().sum::<i64>() / n;
    let mut values: Vec<i64> = raw.iter().map(|r| (r + shift).min(max_tenths)).collect();
    // Settle the remainder a tenth at a time on the districts with room, so the mean is exact.
    let mut residual = mean_tenths * n - values.iter().sum::<i64>();
    let mut i = 0;
    while residual != 0 {
        let step = residual.signum();
        if values[i] + step <= max_tenths {
            values[i] += step;
            residual -= step;
        }
        i = (i + 1) % values.len();
    }
    values
}

fn tenths(t: i64) -> f64 {
    t as f64 / 10.0
}

/// The month a project's car park opened: the milestone that completes its facilities.
fn opened(project: &Project) -> Option<Month> {
    project
        .milestones
        .iter()
        .find(|m| m.enters == Some(ProjectStatus::Built))
        .and_then(|m| m.actual)
        .filter(|d| d.year() == DEMO_YEAR)
        .map(Month::of)
}

fn entered_values(portfolio: &Portfolio, rng: &mut ChaCha8Rng) -> Vec<EnteredValue> {
    let districts = districts(portfolio);
    let lags: Vec<f64> = districts.iter().map(|d| d.1).collect();
    let market = year_end_tenths(rng, &lags, 929, 25, 12.0, 1000);
    let mechanised = year_end_tenths(rng, &lags, 985, 6, 3.0, 1000);
    // Monthly gains towards the year's end, in tenths: marketisation was still being
    // tendered early in the year; mechanised cleaning was nearly complete already.
    let market_gain: Vec<i64> = lags.iter().map(|_| rng.random_range(3..=8)).collect();
    let mechanised_gain: Vec<i64> = lags.iter().map(|_| rng.random_range(0..=3)).collect();
    let satisfaction_base: Vec<i64> = lags
        .iter()
        .map(|lag| rng.random_range(860..=905) - (15.0 * (lag - 1.0).clamp(0.0, 4.0)) as i64)
        .collect();

    let parking_category = portfolio
        .categories
        .iter()
        .find(|c| c.code == CATEGORIES[PARKING].code)
        .map(|c| c.id);
    let mut parking: HashMap<(UnitId, Month), i64> = HashMap::new();
    for p in portfolio
        .projects
        .iter()
        .filter(|p| Some(p.category) == parking_category)
    {
        if let (Some(month), Some(spaces)) = (opened(p), p.scale.parking_spaces) {
            *parking.entry((p.district, month)).or_default() += spaces;
        }
    }

    let mut leads: Vec<UnitId> = portfolio
        .units_of(UnitKind::LeadUnit)
        .map(|u| u.id)
        .collect();
    leads.sort();

    let value = |indicator: &str, subject, month, value, note: &str| EnteredValue {
        id: 0,
        indicator: indicator.into(),
        subject,
        month,
        value,
        note: note.into(),
    };
    let mut out = Vec::new();
    for month in months() {
        let left = i64::from(12 - month.month());
        for (i, &(district, _)) in districts.iter().enumerate() {
            out.push(value(
                "street_cleaning_marketisation",
                district,
                month,
                tenths(market[i] - market_gain[i] * left),
                "市城管局报送",
            ));
            out.push(value(
                "mechanised_cleaning",
                district,
                month,
                tenths(mechanised[i] - mechanised_gain[i] * left),
                "市城管局报送",
            ));
            let satisfaction =
                satisfaction_base[i] + 3 * i64::from(month.month()) - 6 + rng.random_range(-8..=8);
            out.push(value(
                "public_satisfaction",
                district,
                month,
                tenths(satisfaction.min(1000)),
                "第三方测评（百分制）",
            ));
            out.push(value(
                "new_parking_spaces",
                district,
                month,
                parking.get(&(district, month)).copied().unwrap_or(0) as f64,
                "当月配套完工停车场的泊位（项目台账）",
            ));
            out.push(value(
                "info_adopted",
                district,
                month,
                f64::from(rng.random_range(0..=4u8)),
                "市指挥部办公室信息简报采用",
            ));
            if rng.random_range(0..100) < 8 {
                out.push(value(
                    "innovation_recognised",
                    district,
                    month,
                    1.0,
                    "经验做法获省、市推广",
                ));
            }
        }
        for &lead in &leads {
            out.push(value(
                "info_adopted",
                lead,
                month,
                f64::from(rng.random_range(0..=3u8)),
                "市指挥部办公室信息简报采用",
            ));
            if rng.random_range(0..100) < 5 {
                out.push(value(
                    "innovation_recognised",
                    lead,
                    month,
                    1.0,
                    "经验做法获省、市推广",
                ));
            }
        }
    }
    out
}

const CENTRAL_OUTLETS: [&str; 8] = [
    "人民日报",
    "新华社",
    "中央广播电视总台",
    "光明日报",
    "经济日报",
    "中国建设报",
    "人民网",
    "新华网",
];
const PROVINCIAL_OUTLETS: [&str; 4] = [
    "示例省日报",
    "示例省广播电视台",
    "示例省新闻网",
    "示例省建设报",
];
const CITY_OUTLETS: [&str; 5] = [
    "示例日报",
    "示例晚报",
    "示例广播电视台",
    "示例发布",
    "示例新闻网",
];

/// How a headline ends, by how far the project has come.
const UNDER_WAY: [&str; 4] = ["加快推进", "跑出加速度", "按下快进键", "施工正酣"];
const FINISHED: [&str; 4] = ["建成投用", "顺利完工", "惠及周边群众", "换新颜"];

fn media_register(portfolio: &Portfolio, rng: &mut ChaCha8Rng) -> Vec<MediaReport> {
    let mut reports = Vec::new();
    for (m, month) in months().enumerate() {
        let central = CENTRAL_BY_MONTH[m];
        let counts = [
            (MediaLevel::Central, central),
            (MediaLevel::Provincial, central * 5 / 2),
            (MediaLevel::City, central * 4),
        ];
        let last = i64::from(month.last_day().day());
        for (level, count) in counts {
            for _ in 0..count {
                let date = month.first_day() + rng.random_range(0..last).days();
                reports.push(report(portfolio, level, date, rng));
            }
        }
    }
    // By date; reports of one day keep the order they were drawn in.
    reports.sort_by_key(|r| r.date);
    reports
}

/// One report on `date`: about a project that reached a milestone in the month before (any
/// project with a plan for the year when none did), credited to its district or, now and then,
/// its lead unit.
fn report(
    portfolio: &Portfolio,
    level: MediaLevel,
    date: Date,
    rng: &mut ChaCha8Rng,
) -> MediaReport {
    let since = date - 30.days();
    let recent = |p: &&Project| {
        p.milestones
            .iter()
            .any(|m| m.actual.is_some_and(|a| a > since && a <= date))
    };
    let mut candidates: Vec<&Project> = portfolio
        .projects
        .iter()
        .map(|p| &**p)
        .filter(recent)
        .collect();
    if candidates.is_empty() {
        candidates = portfolio
            .projects
            .iter()
            .map(|p| &**p)
            .filter(|p| p.plan_for(DEMO_YEAR).is_some())
            .collect();
    }
    let project = candidates[rng.random_range(0..candidates.len())];
    let mut projects = vec![project.id];
    // Some reports cover two projects of one district.
    if rng.random_range(0..100) < 20 {
        let neighbours: Vec<&&Project> = candidates
            .iter()
            .filter(|p| p.district == project.district && p.id != project.id)
            .collect();
        if !neighbours.is_empty() {
            projects.push(neighbours[rng.random_range(0..neighbours.len())].id);
        }
    }
    let outlets: &[&str] = match level {
        MediaLevel::Central => &CENTRAL_OUTLETS,
        MediaLevel::Provincial => &PROVINCIAL_OUTLETS,
        MediaLevel::City => &CITY_OUTLETS,
    };
    let finished = project
        .milestones
        .iter()
        .filter(|m| m.enters == Some(ProjectStatus::Built))
        .any(|m| m.actual.is_some_and(|a| a <= date));
    let endings: &[&str] = if finished { &FINISHED } else { &UNDER_WAY };
    let unit = if rng.random_range(0..100) < 30 {
        project.lead_unit
    } else {
        project.district
    };
    MediaReport {
        id: 0,
        outlet: outlets[rng.random_range(0..outlets.len())].into(),
        level,
        date,
        // Project names begin with their district: "示例市映湖区…公共停车场建成投用".
        title: format!(
            "示例市{}{}",
            project.name.trim_end_matches("建设"),
            endings[rng.random_range(0..endings.len())]
        ),
        projects,
        unit,
    }
}
