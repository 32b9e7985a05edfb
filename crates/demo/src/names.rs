//! Invented names that read like ledger entries, and each category's build type, scale and cost.

use std::collections::BTreeMap;

use jianguan_domain::model::{BuildType, Scale};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::catalog::{
    ALLEY, FACADE, MARKET, NEIGHBOURHOOD, OLD, PARK, PARKING, ROAD, TOILET, VILLAGE, WATER,
};
use crate::org::DISTRICTS;

const COMMUNITIES: &str = "\
    桂苑 兰亭 梧桐 红星 建设 光明 纺机 粮苑 供电 教师 幸福 和平 向阳 花园 锦绣 翠竹 丰收 \
    机床厂 棉纺 化工 邮电 税务 农机 印刷厂 水电 林业 文化 友谊 团结 胜利 新华 工农 前进 \
    育才 枫林 杏园 荷塘 石榴 柑橘 电机厂";
const LANES: &str = "\
    槐树 钟楼 染坊 油坊 竹器 铁匠 米市 盐仓 棉花 糖坊 豆腐 石板 井头 书院 文昌 仓前 瓦窑 \
    柴市 磨坊 箍桶 打铜 灯笼 茶亭 鼓楼 府前 花牌 篾匠 香油 水井 仁和 积善 崇德 同仁 福寿 \
    太平 吉祥";
const LANE_KINDS: &str = "巷 里 弄 街";
const PLACES: &str = "\
    体育中心 人民医院 客运站 商贸城 文化广场地下 中医院 实验学校 滨江 行政中心 图书馆 \
    会展中心 妇幼保健院 汽车站 步行街 影剧院 工人文化宫 科技馆 市民中心 老城区 菜市场";
const PARKS: &str = "\
    凤鸣 金桂 玉带 揽月 听涛 白鹭 观澜 青溪 荷风 枫香 竹韵 樱花 银杏 芙蓉 映月 星河 云锦 \
    滨河 湿地 体育 儿童 文化 桃李 紫薇 海棠 丹霞 碧波 松鹤 梨花 望江";
const POCKETS: &str = "口袋公园 小游园 街头绿地 邮票绿地";
const RIVERS: &str = "\
    玉带河 碧溪河 清水渠 澄溪 芦苇港 柳溪河 白沙河 黄泥港 双桥河 小港 杨柳渠 荷花港 \
    青石河 北支渠 南支河 排洪渠 跃进渠 红旗港 桃花溪 蚌湾河";
const ROADS: &str = "\
    迎宾路 朝阳路 建设路 人民路 环城路 滨江路 学院路 文化路 工业大道 新城大道 长虹路 \
    青年路 振兴路 富民路 站前路 沿河路 公园路 健康路 和谐大道 光华路 明德路 金水路 \
    紫荆路 丹桂路 松柏路 玉兰路 育英路 丰泽路 永安路 安康路";
const ROAD_WORKS: &[(&str, BuildType)] = &[
    ("道路改造", BuildType::Renovation),
    ("交通节点改善", BuildType::Renovation),
    ("拓宽改造", BuildType::Renovation),
    ("新建工程", BuildType::New),
];
const MARKETS: &str = "菜篮子 新民 惠民 丰乐 平安 民生 永兴 福民 兴隆 利民 城南 城北";
const VILLAGES: &str = "\
    王家 李家 刘家 陈家 张家 周家 吴家 胡家 徐家 熊家 万家 邓家 罗家 彭家 涂家 程家";

/// A project's name, sub-category, build type, scale and total investment in 万元.
pub struct Detail {
    /// The name, district first.
    pub name: String,
    /// Sub-category, for parks.
    pub sub_category: Option<&'static str>,
    /// New, renovation or remediation.
    pub build_type: BuildType,
    /// Scale figures of the category.
    pub scale: Scale,
    /// Total investment in 万元.
    pub total_wan: i64,
}

/// Hands out names so that no district uses one twice: each district walks each word list from
/// its own starting point, adding a phase (二期, 三期 …) once a list runs out.
#[derive(Default)]
pub struct Namer {
    taken: BTreeMap<(usize, &'static str), usize>,
}

impl Namer {
    fn word(&mut self, district: usize, list: &'static str) -> String {
        let words: Vec<&str> = list.split_whitespace().collect();
        let k = self.taken.entry((district, list)).or_default();
        let word = words[(district * 7 + *k) % words.len()];
        let phase = *k / words.len();
        *k += 1;
        match phase {
            0 => word.to_string(),
            n => format!("{word}{}期", ["二", "三", "四", "五"][(n - 1).min(3)]),
        }
    }

    fn count(&mut self, district: usize, what: &'static str) -> usize {
        let k = self.taken.entry((district, what)).or_default();
        *k += 1;
        *k
    }
}

/// The `nth` word of a list, round and round.
fn nth_word(list: &'static str, nth: usize) -> &'static str {
    let words: Vec<&str> = list.split_whitespace().collect();
    words[nth % words.len()]
}

/// Rounds 万元 as ledgers do: whole 万元 for small works, tens for large ones.
fn round_wan(wan: f64) -> i64 {
    if wan >= 1000.0 {
        (wan / 10.0).round() as i64 * 10
    } else {
        (wan.round() as i64).max(1)
    }
}

/// The details of the `nth` project of category `cat` in `district`, on `street`.
pub fn detail(
    cat: usize,
    nth: usize,
    district: usize,
    street: &str,
    namer: &mut Namer,
    rng: &mut ChaCha8Rng,
) -> Detail {
    let d = DISTRICTS[district].name;
    let short = street.trim_end_matches("街道").trim_end_matches('镇');
    let mut scale = Scale::default();
    let (name, sub_category, build_type, total) = match cat {
        OLD => {
            let households = rng.random_range(180..=1200);
            scale.households = Some(households);
            scale.area_m2 = Some(households * rng.random_range(60..=90));
            let name = format!("{d}{}小区老旧小区改造", namer.word(district, COMMUNITIES));
            let total = households as f64 * rng.random_range(0.9..1.6);
            (name, None, BuildType::Renovation, total)
        }
        ALLEY => {
            let length = rng.random_range(150..=900);
            scale.length_m = Some(length);
            let kind = nth_word(LANE_KINDS, nth);
            let name = format!("{d}{}{kind}背街小巷整治", namer.word(district, LANES));
            let total = length as f64 * rng.random_range(0.24..0.42);
            (name, None, BuildType::Remediation, total)
        }
        TOILET => {
            // 16 of the 161 are renovations, spread evenly through the ledger.
            let renovation = (nth * 16) / 161 != ((nth + 1) * 16) / 161;
            let n = namer.count(district, "公厕");
            scale.toilets = Some(1);
            scale.area_m2 = Some(rng.random_range(60..=160));
            let (build, verb, total) = if renovation {
                (BuildType::Renovation, "改造", rng.random_range(10.0..35.0))
            } else {
                (BuildType::New, "新建", rng.random_range(30.0..90.0))
            };
            (format!("{d}{short}第{n}号公厕{verb}"), None, build, total)
        }
        PARKING => {
            let spaces = rng.random_range(30..=72);
            scale.parking_spaces = Some(spaces);
            scale.area_m2 = Some(spaces * 30);
            let name = if nth % 5 == 4 {
                format!("{d}{}智能立体停车库建设", namer.word(district, ROADS))
            } else {
                format!("{d}{}公共停车场建设", namer.word(district, PLACES))
            };
            let total = spaces as f64 * rng.random_range(1.5..4.0);
            (name, None, BuildType::New, total)
        }
        NEIGHBOURHOOD => {
            scale.area_m2 = Some(rng.random_range(800..=3000));
            let (build, verb) = if nth.is_multiple_of(4) {
                (BuildType::Renovation, "提升改造")
            } else {
                (BuildType::New, "建设")
            };
            let name = format!("{d}{}社区邻里中心{verb}", namer.word(district, COMMUNITIES));
            (name, None, build, rng.random_range(200.0..900.0))
        }
        PARK => park(nth, district, short, namer, &mut scale, rng),
        MARKET => {
            scale.area_m2 = Some(rng.random_range(1500..=8000));
            let name = format!("{d}{}农贸市场提质改造", namer.word(district, MARKETS));
            (
                name,
                None,
                BuildType::Renovation,
                rng.random_range(200.0..1200.0),
            )
        }
        FACADE => {
            let length = rng.random_range(400..=2000);
            scale.length_m = Some(length);
            let name = format!("{d}{}街景立面改造", namer.word(district, ROADS));
            let total = length as f64 * rng.random_range(0.4..1.0);
            (name, None, BuildType::Renovation, total)
        }
        ROAD => {
            let length = rng.random_range(500..=4000);
            scale.length_m = Some(length);
            let (works, build) = ROAD_WORKS[nth % ROAD_WORKS.len()];
            let name = format!("{d}{}{works}", namer.word(district, ROADS));
            (
                name,
                None,
                build,
                length as f64 * rng.random_range(0.8..2.0),
            )
        }
        WATER => {
            let length = rng.random_range(800..=5000);
            scale.length_m = Some(length);
            let name = format!("{d}{}黑臭水体整治", namer.word(district, RIVERS));
            let total = length as f64 * rng.random_range(1.0..2.5);
            (name, None, BuildType::Remediation, total)
        }
        VILLAGE => {
            let households = rng.random_range(150..=900);
            scale.households = Some(households);
            let name = format!("{d}{}村城中村整治", namer.word(district, VILLAGES));
            let total = households as f64 * rng.random_range(2.0..6.0);
            (name, None, BuildType::Remediation, total)
        }
        _ => unreachable!("the catalogue has eleven categories"),
    };
    Detail {
        name,
        sub_category,
        build_type,
        scale,
        total_wan: round_wan(total),
    }
}

/// Parks, greenways and pocket green spaces (3 : 3 : 5).
fn park(
    nth: usize,
    district: usize,
    short: &str,
    namer: &mut Namer,
    scale: &mut Scale,
    rng: &mut ChaCha8Rng,
) -> (String, Option<&'static str>, BuildType, f64) {
    let d = DISTRICTS[district].name;
    match nth % 11 {
        0..=2 => {
            scale.area_m2 = Some(rng.random_range(20_000..=150_000));
            let word = namer.word(district, PARKS);
            let (name, build) = if nth.is_multiple_of(2) {
                (format!("{d}{word}公园提升改造"), BuildType::Renovation)
            } else {
                (format!("{d}{word}公园建设"), BuildType::New)
            };
            (name, Some("公园"), build, rng.random_range(300.0..3000.0))
        }
        3..=5 => {
            let length = rng.random_range(1500..=9000);
            scale.length_m = Some(length);
            let name = format!("{d}{}滨水绿道建设", namer.word(district, RIVERS));
            let total = length as f64 * rng.random_range(0.1..0.16);
            (name, Some("绿道"), BuildType::New, total)
        }
        _ => {
            scale.area_m2 = Some(rng.random_range(800..=6000));
            let kind = nth_word(POCKETS, nth);
            let name = format!("{d}{short}{}{kind}", namer.word(district, PARKS));
            (
                name,
                Some("邮票绿地"),
                BuildType::New,
                rng.random_range(30.0..200.0),
            )
        }
    }
}
