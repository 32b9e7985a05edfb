//! A national-scale ledger for load and benchmark work: `scale` × about 100,000 projects across
//! many cities, six milestones each, and about fifty biweekly report versions per project over
//! 2021–2022 (scale 1 ≈ 100,000 projects, 600,000 milestones, 5,000,000 reports).
//!
//! It is generated city by city, each city from its own seeded stream, so a writer can stream
//! the chunks into a database without holding the whole ledger, and the same seed gives the same
//! records on every backend. Unlike [`crate::demo_city`], it reproduces no speech figures.

use std::sync::Arc;

use jianguan_domain::calendar::{CalendarRule, periods_of_year};
use jianguan_domain::model::*;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::catalog::CATEGORIES;

/// The seed `jianguan gen` uses unless told otherwise.
pub const NATIONAL_SEED: u64 = 0x4A47_5343_414C_4531;

/// Projects per unit of scale.
const PROJECTS_PER_SCALE: f64 = 100_000.0;
/// Projects in a full city; fewer cities than this means one smaller city.
const PROJECTS_PER_CITY: usize = 1_370;
const DISTRICTS_PER_CITY: i64 = 9;
const UNITS_PER_DISTRICT: i64 = 4;
/// Unit ids of city `c` start at `CITY_UNIT_BASE * (c + 1)`.
const CITY_UNIT_BASE: i64 = 100;
/// Report ids of city `c` start at `c * REPORT_ID_STRIDE + 1`.
const REPORT_ID_STRIDE: i64 = 1 << 32;

const STEPS: [(&str, u32, Option<ProjectStatus>); 6] = [
    ("方案设计", 10, None),
    ("立项", 10, None),
    ("招标", 10, None),
    ("开工", 20, Some(ProjectStatus::UnderConstruction)),
    ("完工", 30, Some(ProjectStatus::Built)),
    ("竣工验收", 20, Some(ProjectStatus::Accepted)),
];

// Each step's share of a project's duration (the derived dates of a start/end-only ledger): the
// approvals are due by the start, the works take the rest.
const SHARES: [u32; 6] = [0, 0, 0, 0, 85, 15];

const LEADS: [&str; 7] = [
    "住建部门",
    "城管部门",
    "园林部门",
    "城投公司",
    "交通部门",
    "水务部门",
    "商务部门",
];

/// How big a generated ledger is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NationalSpec {
    /// Multiples of about 100,000 projects.
    pub scale: f64,
    /// The random seed.
    pub seed: u64,
}

impl NationalSpec {
    /// Total projects.
    pub fn projects(&self) -> usize {
        ((PROJECTS_PER_SCALE * self.scale).round() as usize).max(1)
    }

    /// Number of cities (chunks).
    pub fn cities(&self) -> usize {
        self.projects().div_ceil(PROJECTS_PER_CITY)
    }

    /// Projects in city `city`.
    fn projects_in(&self, city: usize) -> usize {
        let before = city * PROJECTS_PER_CITY;
        (self.projects() - before).min(PROJECTS_PER_CITY)
    }

    fn stream(&self, city: usize) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.seed ^ (city as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

fn district_id(city: usize, d: i64) -> UnitId {
    UnitId(CITY_UNIT_BASE * (city as i64 + 1) + d)
}

fn responsible_id(city: usize, d: i64, k: i64) -> UnitId {
    UnitId(CITY_UNIT_BASE * (city as i64 + 1) + DISTRICTS_PER_CITY + d * UNITS_PER_DISTRICT + k)
}

/// What every chunk refers to: the organisation of all cities, the categories and the reporting
/// periods of 2021 and 2022. Write it first.
pub fn national_base(spec: &NationalSpec) -> Portfolio {
    let mut units = vec![Unit {
        id: UnitId(1),
        kind: UnitKind::CommandHq,
        name: "全国城市建管提升行动指挥部办公室".into(),
        parent: None,
        active: true,
    }];
    for (i, name) in LEADS.iter().enumerate() {
        units.push(Unit {
            id: UnitId(10 + i as i64),
            kind: UnitKind::LeadUnit,
            name: (*name).into(),
            parent: None,
            active: true,
        });
        units.push(Unit {
            id: UnitId(20 + i as i64),
            kind: UnitKind::SubHq,
            name: format!("{}分指挥部", name.trim_end_matches("部门")),
            parent: Some(UnitId(1)),
            active: true,
        });
    }
    for city in 0..spec.cities() {
        for d in 0..DISTRICTS_PER_CITY {
            units.push(Unit {
                id: district_id(city, d),
                kind: UnitKind::District,
                name: format!("示例{}市{}区", city + 1, d + 1),
                parent: None,
                active: true,
            });
            for k in 0..UNITS_PER_DISTRICT {
                units.push(Unit {
                    id: responsible_id(city, d, k),
                    kind: UnitKind::ResponsibleUnit,
                    name: format!("示例{}市{}区第{}建设单位", city + 1, d + 1, k + 1),
                    parent: Some(district_id(city, d)),
                    active: true,
                });
            }
        }
    }
    let categories = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, row)| Category {
            id: CategoryId(i as i64 + 1),
            code: row.code.into(),
            name: row.name.into(),
            sub_hq: UnitId(20 + (i % LEADS.len()) as i64),
            lead_unit: UnitId(10 + (i % LEADS.len()) as i64),
            template: STEPS
                .iter()
                .zip(SHARES)
                .map(|((name, weight, enters), share)| TemplateStep {
                    name: (*name).into(),
                    weight: *weight,
                    enters: *enters,
                    share,
                })
                .collect(),
            template_version: 1,
        })
        .collect();
    let mut periods = periods_of_year(2021, CalendarRule::default(), 1);
    let next = periods.len() as i64 + 1;
    periods.extend(periods_of_year(2022, CalendarRule::default(), next));
    Portfolio {
        units,
        categories,
        projects: Vec::new(),
        periods,
        reports: Vec::new(),
        district_boundaries: Default::default(),
    }
}

/// Where a national project lies: its city on a 9 × 9 grid across eastern China (about 2° of
/// longitude and 1.8° of latitude apart), its district one of a 3 × 3 block around the city's
/// centre, the project scattered within about 5 km of the district's centre. Derived from the
/// ids by a hash, not drawn from the city's random stream, so every other figure of the
/// national ledger stays as it was before projects had locations.
fn national_location(city: usize, district: i64, project: ProjectId) -> GeoPoint {
    let (row, col) = ((city / 9) as f64, (city % 9) as f64);
    let (dr, dc) = ((district / 3) as f64 - 1.0, (district % 3) as f64 - 1.0);
    // SplitMix64 of the id: two uniform numbers in [-1, 1).
    let mut z = (project.0 as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let unit = |bits: u64| (bits & 0xFFFF_FFFF) as f64 / f64::from(u32::MAX) * 2.0 - 1.0;
    GeoPoint {
        lon: 103.0 + col * 2.0 + dc * 0.12 + unit(z) * 0.05,
        lat: 24.0 + row * 1.8 + dr * 0.1 + unit(z >> 32) * 0.045,
    }
}

/// City `city`'s projects, milestones and report versions (0-based; `spec.cities()` of them).
pub fn national_city(spec: &NationalSpec, base: &Portfolio, city: usize) -> Portfolio {
    let mut rng = spec.stream(city);
    let first_project = (city * PROJECTS_PER_CITY) as i64 + 1;
    let mut next_report = city as i64 * REPORT_ID_STRIDE + 1;
    let mut projects = Vec::new();
    let mut reports = Vec::new();
    let jan1 = Date::new(2021, 1, 1).expect("a date");
    for i in 0..spec.projects_in(city) {
        let id = ProjectId(first_project + i as i64);
        let cat = rng.random_range(0..CATEGORIES.len());
        let d = rng.random_range(0..DISTRICTS_PER_CITY);
        let start = jan1 + rng.random_range(0..90i64).days();
        // A cycle of 16 to 22 months: most projects run into 2022.
        let cycle: i64 = rng.random_range(480..660);
        let unfinished_tail = match rng.random_range(0..100) {
            0..4 => 2,
            4..10 => 1,
            _ => 0,
        };
        let milestones: Vec<Milestone> = STEPS
            .iter()
            .enumerate()
            .map(|(s, (name, weight, enters))| {
                let planned = start + (cycle * s as i64 / 5).days();
                let slip: i64 = rng.random_range(-10..25);
                let reached = s < STEPS.len() - unfinished_tail;
                Milestone {
                    id: MilestoneId(id.0 * 10 + s as i64 + 1),
                    seq: s as u16 + 1,
                    name: (*name).into(),
                    weight: *weight,
                    enters: *enters,
                    planned,
                    actual: reached.then(|| planned + slip.days()),
                    derived: false,
                    adjusted: None,
                }
            })
            .collect();
        let total_wan: i64 = rng.random_range(200..8_000);
        let mut years: Vec<i16> = milestones.iter().map(|m| m.planned.year()).collect();
        years.dedup();
        let share = total_wan / years.len() as i64;
        let year_plans = years
            .iter()
            .map(|y| YearPlan {
                year: *y,
                kind: PlanKind::Construction,
                planned_investment: Money(share * 10_000),
                status: jianguan_domain::model::PlanStatus::Approved,
                adjusted_investment: None,
                cancelled_on: None,
            })
            .collect();
        // Reports from the period of the first milestone to the end of 2022.
        let last_actual = milestones.iter().filter_map(|m| m.actual).max();
        let mut invested = 0i64;
        for period in base.periods.iter().filter(|p| p.end >= start) {
            let reached: Vec<(MilestoneId, Date)> = milestones
                .iter()
                .filter_map(|m| m.actual.map(|a| (m.id, a)))
                .filter(|(_, a)| *a >= period.start && *a <= period.end)
                .collect();
            let target = if last_actual.is_some_and(|l| l <= period.end) && unfinished_tail == 0 {
                total_wan * 10_000
            } else {
                let elapsed = (period.end - start).get_days() as i64;
                (total_wan * 10_000 * elapsed.min(cycle) / cycle).min(total_wan * 9_500)
            };
            invested = invested.max(target);
            let late = rng.random_range(0..100) < 6;
            let filed_on = if late {
                period.deadline + rng.random_range(1..6i64).days()
            } else {
                period.deadline - rng.random_range(0..3i64).days()
            };
            let problems = if rng.random_range(0..200) == 0 {
                vec![Problem {
                    description: "征地拆迁协调未完成".into(),
                    needs_coordination_with: Some("省直单位".into()),
                }]
            } else {
                Vec::new()
            };
            reports.push(ProgressReport {
                id: ReportId(next_report),
                project: id,
                period: period.id,
                version: 1,
                filed_on,
                investment_to_date: Money(invested),
                milestones_reached: reached,
                note: format!("第{}期进展正常", period.seq),
                problems,
                correction_reason: None,
            });
            next_report += 1;
            if rng.random_range(0..400) == 0 {
                reports.push(ProgressReport {
                    id: ReportId(next_report),
                    project: id,
                    period: period.id,
                    version: 2,
                    filed_on: period.deadline + 20.days(),
                    investment_to_date: Money(invested),
                    milestones_reached: Vec::new(),
                    note: format!("第{}期更正", period.seq),
                    problems: Vec::new(),
                    correction_reason: Some("更正填报口径".into()),
                });
                next_report += 1;
            }
        }
        let row = &CATEGORIES[cat];
        projects.push(Project {
            id,
            code: format!("N{:03}-{:06}", city + 1, i + 1),
            name: format!("示例{}市{}区{}项目{}", city + 1, d + 1, row.name, i + 1),
            category: CategoryId(cat as i64 + 1),
            sub_category: None,
            district: district_id(city, d),
            street: format!("第{}街道", rng.random_range(1..8)),
            lead_unit: UnitId(10 + (cat % LEADS.len()) as i64),
            responsible_unit: responsible_id(city, d, rng.random_range(0..UNITS_PER_DISTRICT)),
            sub_hq: UnitId(20 + (cat % LEADS.len()) as i64),
            build_type: if rng.random_range(0..3) == 0 {
                BuildType::New
            } else {
                BuildType::Renovation
            },
            scale: Scale::default(),
            total_investment: Money(total_wan * 10_000),
            funding_source: "财政资金".into(),
            location: Some(national_location(city, d, id)),
            suspended_on: None,
            year_plans,
            milestones,
        });
    }
    Portfolio {
        units: Vec::new(),
        categories: Vec::new(),
        projects: projects.into_iter().map(Arc::new).collect(),
        periods: Vec::new(),
        reports,
        district_boundaries: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_city_and_cities_partition_the_projects() {
        let spec = NationalSpec {
            scale: 0.03,
            seed: NATIONAL_SEED,
        };
        assert_eq!(spec.projects(), 3000);
        assert_eq!(spec.cities(), 3);
        let base = national_base(&spec);
        let a = national_city(&spec, &base, 1);
        assert_eq!(a, national_city(&spec, &base, 1));
        let total: usize = (0..spec.cities())
            .map(|c| national_city(&spec, &base, c).projects.len())
            .sum();
        assert_eq!(total, 3000);
        // Every reference points into the base.
        let units: std::collections::HashSet<_> = base.units.iter().map(|u| u.id).collect();
        for p in &a.projects {
            assert!(units.contains(&p.district) && units.contains(&p.responsible_unit));
            assert_eq!(p.milestones.len(), 6);
        }
        let per_project = a.reports.len() as f64 / a.projects.len() as f64;
        assert!((40.0..=53.0).contains(&per_project), "{per_project}");
    }

    #[test]
    fn reported_investment_never_decreases() {
        let spec = NationalSpec {
            scale: 0.005,
            seed: 7,
        };
        let base = national_base(&spec);
        let city = national_city(&spec, &base, 0);
        let mut last = std::collections::HashMap::new();
        for r in city.reports.iter().filter(|r| r.version == 1) {
            let prev = last
                .insert(r.project, r.investment_to_date)
                .unwrap_or(Money(0));
            assert!(r.investment_to_date >= prev);
        }
    }
}
