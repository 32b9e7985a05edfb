//! The command structure of 示例市: the office, the sub-headquarters, the lead units, the nine
//! districts with their streets, and the responsible units inside each district.

use jianguan_domain::model::{Unit, UnitId, UnitKind};

/// One district of the demo city as the generator needs it. Every name is invented.
pub struct DistrictRow {
    /// The district's name.
    pub name: &'static str,
    /// Its streets (街道) or towns (镇).
    pub streets: [&'static str; 5],
    /// Where its projects lie on the map (lon, lat).
    pub centre: (f64, f64),
    /// How large its share of each category's projects is, relative to the others.
    pub size: f64,
    /// How likely its projects are to be left unfinished, relative to the others.
    pub lag: f64,
}

/// The districts: name, streets, map centre, size, lag. Urban districts take more projects;
/// 望舒县 lags far behind the rest.
#[rustfmt::skip]
pub const DISTRICTS: [DistrictRow; 9] = [
    district("映湖区", ["澄波街道", "桂苑街道", "柳汀街道", "星桥街道", "芸台街道"], (114.40, 29.27), 1.3, 0.5),
    district("青梧区", ["梧岗街道", "学府街道", "藕塘街道", "松风街道", "鹤汀街道"], (114.36, 29.31), 1.2, 0.9),
    district("临岚区", ["岚溪街道", "望亭街道", "枫渡街道", "石坊街道", "翠屿街道"], (114.45, 29.32), 1.1, 1.3),
    district("鹭川区", ["鹭洲街道", "梵音街道", "沙汀街道", "苇塘街道", "芦湾街道"], (114.43, 29.23), 1.0, 1.0),
    district("云麓区", ["翠屏街道", "麓溪街道", "松岭街道", "竹湾街道", "霞坞街道"], (114.34, 29.22), 1.0, 0.7),
    district("望舒县", ["望月街道", "清潭镇", "月溪镇", "桐岭镇", "杉桥镇"], (114.25, 29.15), 1.0, 5.0),
    district("松禾县", ["禾丰街道", "松涛镇", "稻香镇", "麦垄镇", "青禾镇"], (114.55, 29.36), 0.9, 1.5),
    district("白芷县", ["芷兰街道", "药泉镇", "芳洲镇", "香坪镇", "蘅皋镇"], (114.54, 29.14), 0.9, 1.1),
    district("示例高新区", ["创智街道", "云谷街道", "科创街道", "启明街道", "汇智街道"], (114.49, 29.27), 0.7, 0.4),
];

const fn district(
    name: &'static str,
    streets: [&'static str; 5],
    centre: (f64, f64),
    size: f64,
    lag: f64,
) -> DistrictRow {
    DistrictRow {
        name,
        streets,
        centre,
        size,
        lag,
    }
}

/// The county whose attention lags (重视程度不一): its completion rate is the city's lowest.
pub const LAGGING: usize = 5;

/// The district whose toilet programme finishes last, in November.
pub const TOILETS_LAST: usize = 7;

/// The sub-headquarters, one per campaign line.
#[derive(Debug, Clone, Copy)]
pub enum SubHq {
    OldCommunity,
    Alleys,
    Parks,
    Facilities,
    Roads,
    Water,
    Markets,
}

const SUB_HQ_NAMES: [&str; 7] = [
    "老旧小区改造分指挥部",
    "背街小巷整治分指挥部",
    "公园绿地建设分指挥部",
    "公共设施建设分指挥部",
    "交通路网分指挥部",
    "水环境治理分指挥部",
    "市场整治分指挥部",
];

/// The city bureaus and companies that lead categories.
#[derive(Debug, Clone, Copy)]
pub enum Lead {
    Housing,
    Urban,
    Gardens,
    CityInvest,
    Transport,
    Water,
    Commerce,
}

const LEAD_NAMES: [&str; 7] = [
    "市住建局",
    "市城管局",
    "市园林局",
    "市城投公司",
    "市交通局",
    "市水务局",
    "市商务局",
];

/// A district's own bureaus; with the street offices, they are the responsible units.
#[derive(Debug, Clone, Copy)]
pub enum Office {
    Housing,
    Urban,
    Gardens,
    Transport,
    Water,
    Commerce,
}

const OFFICE_NAMES: [&str; 6] = ["住建局", "城管局", "园林所", "交通局", "水务局", "商务局"];

/// A district's unit and the responsible units under it.
pub struct District {
    /// The district itself.
    pub id: UnitId,
    /// Its bureaus, in [`Office`] order.
    pub offices: [UnitId; 6],
    /// Its street offices or town governments, in street order.
    pub street_offices: [UnitId; 5],
}

/// Every unit, with the ids the generator refers to.
pub struct Org {
    /// All units, ids from 1.
    pub units: Vec<Unit>,
    sub_hqs: Vec<UnitId>,
    leads: Vec<UnitId>,
    /// The districts, in [`DISTRICTS`] order.
    pub districts: Vec<District>,
}

impl Org {
    /// The unit of a sub-headquarters.
    pub fn sub_hq(&self, sub_hq: SubHq) -> UnitId {
        self.sub_hqs[sub_hq as usize]
    }

    /// The unit of a lead unit.
    pub fn lead(&self, lead: Lead) -> UnitId {
        self.leads[lead as usize]
    }
}

fn push(units: &mut Vec<Unit>, kind: UnitKind, name: String, parent: Option<UnitId>) -> UnitId {
    let id = UnitId(units.len() as i64 + 1);
    units.push(Unit {
        id,
        kind,
        name,
        parent,
        active: true,
    });
    id
}

/// Builds the organisation: office, sub-HQs, lead units, then each district followed by its
/// responsible units.
pub fn build() -> Org {
    let mut units = Vec::new();
    let hq = push(
        &mut units,
        UnitKind::CommandHq,
        "示例市城市建管提升行动指挥部办公室".into(),
        None,
    );
    let sub_hqs = SUB_HQ_NAMES
        .iter()
        .map(|n| push(&mut units, UnitKind::SubHq, (*n).into(), Some(hq)))
        .collect();
    let leads = LEAD_NAMES
        .iter()
        .map(|n| push(&mut units, UnitKind::LeadUnit, (*n).into(), None))
        .collect();
    let districts = DISTRICTS
        .iter()
        .map(|row| {
            let id = push(&mut units, UnitKind::District, row.name.into(), None);
            let offices = OFFICE_NAMES.map(|office| {
                let name = format!("{}{office}", row.name);
                push(&mut units, UnitKind::ResponsibleUnit, name, Some(id))
            });
            let street_offices = row.streets.map(|street| {
                // A street is run by its 办事处, a town by its 人民政府.
                let suffix = if street.ends_with("街道") {
                    "办事处"
                } else {
                    "人民政府"
                };
                let name = format!("{street}{suffix}");
                push(&mut units, UnitKind::ResponsibleUnit, name, Some(id))
            });
            District {
                id,
                offices,
                street_offices,
            }
        })
        .collect();
    Org {
        units,
        sub_hqs,
        leads,
        districts,
    }
}
