//! Prints the demo city's 2021 figures as the overview computes them: the headline, then each
//! category and district. `cargo run -p jianguan-demo --example figures`

use jianguan_demo::{DEMO_YEAR, demo_city};
use jianguan_domain::overview::{Figures, Overview};
use jiff::civil::date;

fn line(name: &str, f: &Figures) -> String {
    let rate = |v: Option<f64>| v.map_or("—".into(), |v| format!("{:.2}%", v * 100.0));
    format!(
        "{name:<14} 项目{:>5}  完成{:>5}/{:<5} 项目完成率{:>8}  节点完成率{:>8}  逾期节点{:>4}  完成投资{:>10.2}万元",
        f.projects,
        f.finished(),
        f.planned(),
        rate(f.project_completion.value()),
        rate(f.node_completion.value()),
        f.overdue_milestones,
        f.investment.completed.wan(),
    )
}

fn main() {
    let started = std::time::Instant::now();
    let city = demo_city();
    let elapsed = started.elapsed();
    let o = Overview::compute(&city, DEMO_YEAR, date(2021, 12, 31));
    println!(
        "示例市 {DEMO_YEAR}: generated in {elapsed:?}, {} reports",
        city.reports.len()
    );
    println!("{}", line("全市", &o.total));
    for c in &o.categories {
        println!("{}", line(&c.name, &c.figures));
    }
    for d in &o.districts {
        println!("{}", line(&d.name, &d.figures));
    }
}
