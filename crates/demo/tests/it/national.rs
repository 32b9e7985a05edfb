//! The national-scale ledger through the overview: its parallel pass (taken at this size) gives
//! the figures the single-threaded pass gives district by district.

use jianguan_demo::{NationalSpec, national_base, national_city};
use jianguan_domain::model::{Portfolio, UnitKind};
use jianguan_domain::overview::Overview;
use jianguan_domain::rates::{InvestmentLedger, Ratio};

#[test]
fn the_parallel_overview_equals_the_sum_of_single_threaded_district_overviews() {
    let spec = NationalSpec {
        scale: 0.45,
        seed: 11,
    };
    let mut portfolio: Portfolio = national_base(&spec);
    for city in 0..spec.cities() {
        let chunk = national_city(&spec, &portfolio, city);
        portfolio.projects.extend(chunk.projects);
        portfolio.reports.extend(chunk.reports);
    }
    let ledger = InvestmentLedger::new(&portfolio);
    let (year, as_of) = (2022, jiff::civil::date(2022, 9, 30));
    let whole = Overview::compute_with(&portfolio, &ledger, year, as_of);
    assert_eq!(whole.total.projects, 45_000);
    let (mut node, mut done, mut overdue, mut invested) =
        (Ratio::default(), Ratio::default(), 0, 0);
    for district in portfolio
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::District)
    {
        let part = Overview::compute_filtered(&portfolio, &ledger, year, as_of, |p| {
            p.district == district.id
        });
        node.add(part.total.node_completion);
        done.add(part.total.project_completion);
        overdue += part.total.overdue_milestones;
        invested += part.total.investment.completed.0;
        if part.total.projects > 0 {
            let listed = whole.districts.iter().find(|d| d.id == district.id);
            assert_eq!(listed.map(|d| &d.figures), Some(&part.total));
        }
    }
    assert_eq!(node, whole.total.node_completion);
    assert_eq!(done, whole.total.project_completion);
    assert_eq!(overdue, whole.total.overdue_milestones);
    assert_eq!(invested, whole.total.investment.completed.0);
}
