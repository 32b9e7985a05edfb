use super::*;

fn bar(label: &str, value: f64, display: &str) -> Bar {
    Bar {
        label: label.to_owned(),
        value,
        display: display.to_owned(),
        href: None,
        color: None,
        tooltip: None,
    }
}

fn bar_chart(bars: Vec<Bar>) -> BarChart {
    BarChart {
        title: "各区开工率".to_owned(),
        bars,
        max: Some(1.0),
        target: None,
        from: None,
        width: 480,
        lang: Lang::Zh,
    }
}

fn line_chart(series: Vec<LineSeries>) -> LineChart {
    LineChart {
        title: "开工率走势".to_owned(),
        series,
        y_max: None,
        y_format: ValueFormat::Percent,
        width: 480,
        lang: Lang::Zh,
        height: 240,
    }
}

/// Values of every `name="…"` attribute on `<tag` elements, in document order.
fn attrs(svg: &str, tag: &str, name: &str) -> Vec<String> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|el| {
            let el = format!(" {}", &el[..el.find('>').unwrap_or(el.len())]);
            let start = el.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(el[start..start + el[start..].find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn labels_titles_tooltips_and_links_are_xml_escaped() {
    let mut b = bar("<a&b>", 0.5, "50% \"半\"");
    b.href = Some("/x?a=1&b='2'".to_owned());
    let mut chart = bar_chart(vec![b]);
    chart.title = "A & B <测试>".to_owned();
    let svg = chart.to_svg();
    assert!(svg.contains("&lt;a&amp;b&gt;"));
    assert!(!svg.contains("<a&b>"));
    assert!(svg.contains("A &amp; B &lt;测试&gt;"));
    assert!(svg.contains(r#"href="/x?a=1&amp;b=&#39;2&#39;""#));
    assert!(svg.contains("50% &quot;半&quot;"));
    assert!(!svg.contains('\u{0}'));
}

#[test]
fn control_characters_are_dropped_from_text() {
    let svg = bar_chart(vec![bar("a\u{1}b", 0.5, "50%")]).to_svg();
    assert!(svg.contains(">ab<"));
    assert!(!svg.contains('\u{1}'));
}

#[test]
fn empty_charts_render_a_complete_svg_saying_no_data() {
    let bars = bar_chart(vec![]).to_svg();
    let lines = line_chart(vec![]).to_svg();
    let no_points = line_chart(vec![LineSeries {
        name: "全市".to_owned(),
        color: None,
        points: vec![],
    }])
    .to_svg();
    for svg in [bars, lines, no_points] {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("暂无数据"), "{svg}");
        assert!(svg.contains(r#"role="img""#));
    }
}

#[test]
fn root_svg_is_accessible_and_drawn_at_its_own_width() {
    let svg = bar_chart(vec![
        bar("东城区", 0.9052, "90.52%"),
        bar("西城区", 0.8, "80%"),
    ])
    .to_svg();
    assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 "#));
    // Its own width: a wide page does not enlarge its text past the page's type size.
    assert!(svg.contains(r#"viewBox="0 0 480 "#) && svg.contains(r#" width="480" "#));
    let id = attrs(&svg, "svg", "aria-labelledby").remove(0);
    assert!(svg.contains(&format!(r#"<title id="{id}">各区开工率</title>"#)));
    assert!(svg.contains("<desc id=\"") && svg.contains(">东城区: 90.52%; 西城区: 80%</desc>"));
    assert!(svg.contains(
        r#"font-family='"Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif'"#
    ));
    assert!(!svg.contains("<script") && !svg.contains("url(") && !svg.contains("<image"));
}

#[test]
fn charts_with_different_content_get_different_element_ids() {
    let a = bar_chart(vec![bar("东城区", 0.5, "50%")]).to_svg();
    let b = bar_chart(vec![bar("西城区", 0.5, "50%")]).to_svg();
    assert_ne!(
        attrs(&a, "svg", "aria-labelledby"),
        attrs(&b, "svg", "aria-labelledby")
    );
}

#[test]
fn height_grows_by_one_row_per_bar() {
    let height = |n: usize| {
        let svg = bar_chart((0..n).map(|i| bar(&format!("区{i}"), 0.5, "50%")).collect()).to_svg();
        let view_box = attrs(&svg, "svg", "viewBox").remove(0);
        view_box.rsplit(' ').next().unwrap().parse::<f64>().unwrap()
    };
    assert_eq!(height(5) - height(4), 26.0);
    assert_eq!(height(11) - height(1), 260.0);
}

#[test]
fn bar_above_max_is_clamped_to_the_plot_width() {
    let svg = bar_chart(vec![
        bar("满", 1.0, "100%"),
        bar("超", 3.0, "300%"),
        bar("半", 0.5, "50%"),
        bar("负", -1.0, "-1"),
    ])
    .to_svg();
    let widths: Vec<f64> = attrs(&svg, "rect", "width")
        .iter()
        .map(|w| w.parse().unwrap())
        .collect();
    let x: f64 = attrs(&svg, "rect", "x")[0].parse().unwrap();
    assert_eq!(widths[0], widths[1]);
    assert!((widths[2] - widths[0] / 2.0).abs() <= 0.1);
    assert_eq!(widths[3], 0.0);
    assert!(x + widths[1] < 480.0);
}

#[test]
fn max_defaults_to_the_largest_value() {
    let mut chart = bar_chart(vec![bar("甲", 40.0, "40"), bar("乙", 10.0, "10")]);
    chart.max = None;
    let widths: Vec<f64> = attrs(&chart.to_svg(), "rect", "width")
        .iter()
        .map(|w| w.parse().unwrap())
        .collect();
    assert!((widths[0] - 4.0 * widths[1]).abs() <= 0.2, "{widths:?}");
}

#[test]
fn only_bars_with_href_are_wrapped_in_links() {
    let mut linked = bar("东城区", 0.5, "50%");
    linked.href = Some("/districts/1".to_owned());
    let svg = bar_chart(vec![linked, bar("西城区", 0.5, "50%")]).to_svg();
    assert_eq!(svg.matches("<a ").count(), 1);
    assert!(svg.contains(r#"<a href="/districts/1"><g><title>东城区: 50%</title>"#));
    assert!(svg.contains("<g><title>西城区: 50%</title>"));
}

#[test]
fn custom_tooltip_and_colour_replace_the_defaults() {
    let mut b = bar("东城区", 0.5, "50%");
    b.tooltip = Some("东城区 12/24 项开工".to_owned());
    b.color = Some(status::WARN.to_owned());
    let svg = bar_chart(vec![b]).to_svg();
    assert!(svg.contains("<title>东城区 12/24 项开工</title>"));
    assert_eq!(attrs(&svg, "rect", "fill"), [status::WARN]);
}

#[test]
fn target_line_and_label_appear_only_when_set() {
    let mut chart = bar_chart(vec![bar("东城区", 0.5, "50%")]);
    assert!(!chart.to_svg().contains("stroke-dasharray"));
    chart.target = Some((0.9, "目标 90%".to_owned()));
    let svg = chart.to_svg();
    assert!(svg.contains("stroke-dasharray"));
    assert!(svg.contains(">目标 90%</text>"));
    assert!(svg.contains("; 目标 90%</desc>"));
}

#[test]
fn overlong_labels_are_shortened_but_kept_whole_in_the_tooltip() {
    let long = "某某市某某区某某街道某某社区老旧小区综合整治提升工程";
    let svg = bar_chart(vec![bar(long, 0.5, "50%")]).to_svg();
    assert!(svg.contains(&format!("<title>{long}: 50%</title>")));
    assert!(svg.contains("…</text>"));
}

#[test]
fn coordinates_have_at_most_one_decimal() {
    assert_eq!(num(12.0), "12");
    assert_eq!(num(12.25), "12.2");
    assert_eq!(num(-0.01), "0");
    assert_eq!(num(f64::NAN), "0");
    let svg = line_chart(vec![LineSeries {
        name: "全市".to_owned(),
        color: None,
        points: (1..=7)
            .map(|d| (format!("3/{d}"), f64::from(d) / 7.0))
            .collect(),
    }])
    .to_svg();
    for value in ["x", "y", "cx", "cy", "width"]
        .iter()
        .flat_map(|a| ["text", "circle", "rect", "line"].map(|t| attrs(&svg, t, a)))
        .flatten()
    {
        assert!(
            value.split('.').nth(1).is_none_or(|d| d.len() == 1),
            "{value}"
        );
    }
}

#[test]
fn value_formats_trim_trailing_zeros() {
    assert_eq!(ValueFormat::Percent.format(0.9052), "90.52%");
    assert_eq!(ValueFormat::Percent.format(0.2), "20%");
    assert_eq!(ValueFormat::Count.format(12.0), "12");
    assert_eq!(ValueFormat::Count.format(2.5), "2.5");
}

#[test]
fn palette_wraps_and_every_colour_contrasts_with_white() {
    assert_eq!(palette_color(0), palette_color(12));
    assert_eq!(palette_color(13), PALETTE[1]);
    let statuses = [
        status::NORMAL,
        status::REMIND,
        status::WARN,
        status::SUPERVISE,
        status::SUMMON,
        status::DONE,
        status::SUSPENDED,
    ];
    for color in PALETTE.iter().chain(&statuses) {
        let channel = |i: usize| {
            let c =
                f64::from(u8::from_str_radix(&color[1 + 2 * i..3 + 2 * i], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
        assert!(1.05 / (luminance + 0.05) >= 3.0, "{color}");
    }
    let mut unique = PALETTE.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), PALETTE.len());
}

#[test]
fn crowded_x_labels_are_thinned_out() {
    let points: Vec<(String, f64)> = (1..=60).map(|d| (format!("2025-03-{d:02}"), 0.5)).collect();
    let svg = line_chart(vec![LineSeries {
        name: "全市".to_owned(),
        color: None,
        points,
    }])
    .to_svg();
    let shown = svg.matches(">2025-03-").count();
    assert!(shown > 1 && shown < 15, "{shown}");
    assert!(svg.contains(">2025-03-01</text>"));
    assert_eq!(svg.matches("<circle ").count(), 60);
}

#[test]
fn line_points_are_matched_to_the_first_series_labels() {
    let city = LineSeries {
        name: "全市".to_owned(),
        color: None,
        points: vec![
            ("1月".into(), 0.2),
            ("2月".into(), 0.4),
            ("3月".into(), 0.6),
        ],
    };
    let district = LineSeries {
        name: "东城区".to_owned(),
        color: None,
        points: vec![("3月".into(), 0.6), ("2月".into(), 0.4)],
    };
    let svg = line_chart(vec![city, district]).to_svg();
    let polylines = attrs(&svg, "polyline", "points");
    let city_pts: Vec<&str> = polylines[0].split(' ').collect();
    assert_eq!(polylines[1], city_pts[1..].join(" "));
    assert_eq!(attrs(&svg, "polyline", "stroke"), [PALETTE[0], PALETTE[1]]);
    assert!(svg.contains("<title>东城区 2月: 40%</title>"));
}

#[test]
fn y_axis_tops_out_at_a_round_number_above_the_data() {
    let series = LineSeries {
        name: "开工数".to_owned(),
        color: None,
        points: vec![("周一".into(), 3.0), ("周二".into(), 37.0)],
    };
    let mut chart = line_chart(vec![series]);
    chart.y_format = ValueFormat::Count;
    let svg = chart.to_svg();
    for tick in ["0", "10", "20", "30", "40"] {
        assert!(
            svg.contains(&format!(r#"text-anchor="end">{tick}</text>"#)),
            "{tick}"
        );
    }
    assert!(!svg.contains(r#"text-anchor="end">50</text>"#));
}

#[test]
fn bar_chart_snapshot() {
    let mut linked = bar("东城区", 0.9052, "90.52%");
    linked.href = Some("/districts/1".to_owned());
    let mut chart = bar_chart(vec![
        linked,
        bar("西城区", 0.75, "75%"),
        bar("Tech <Park>", 0.3, "30%"),
    ]);
    chart.target = Some((0.9, "目标 90%".to_owned()));
    insta::assert_snapshot!(chart.to_svg().replace("><", ">\n<"));
}

#[test]
fn line_chart_snapshot() {
    let city = LineSeries {
        name: "全市".to_owned(),
        color: None,
        points: vec![
            ("3/1".into(), 0.42),
            ("3/8".into(), 0.61),
            ("3/15".into(), 0.78),
        ],
    };
    let district = LineSeries {
        name: "东城区".to_owned(),
        color: Some(status::REMIND.to_owned()),
        points: vec![
            ("3/1".into(), 0.5),
            ("3/8".into(), 0.55),
            ("3/15".into(), 0.905),
        ],
    };
    insta::assert_snapshot!(
        line_chart(vec![city, district])
            .to_svg()
            .replace("><", ">\n<")
    );
}

#[test]
fn close_rates_get_an_axis_from_a_tenth_below_marked_as_such() {
    assert_eq!(axis_floor([0.959, 0.998]), Some(0.9));
    assert_eq!(axis_floor([0.921, 0.93]), Some(0.9));
    assert_eq!(
        axis_floor([0.905, 0.99]),
        Some(0.8),
        "room below the smallest"
    );
    assert_eq!(axis_floor([0.4, 0.45]), None, "low values keep zero");
    assert_eq!(axis_floor([0.6, 0.9]), None, "a wide spread keeps zero");
    assert_eq!(axis_floor(Vec::<f64>::new()), None);

    let mut chart = bar_chart(vec![
        bar("甲区", 0.959, "95.90%"),
        bar("乙区", 0.998, "99.80%"),
    ]);
    chart.max = Some(1.0);
    let zero = chart.to_svg();
    chart.from = Some((0.9, "横轴自 90.00% 起，以显示差异".into()));
    let zoomed = chart.to_svg();
    let widths = |svg: &str| -> Vec<f64> {
        attrs(svg, "rect", "width")
            .iter()
            .map(|w| w.parse().unwrap())
            .collect()
    };
    let (z, m) = (widths(&zero), widths(&zoomed));
    // From zero the two bars differ by 4% of their length; from 90% the shorter is 60% of the other.
    assert!(z[0] / z[1] > 0.95, "{z:?}");
    assert!(m[0] / m[1] < 0.65, "{m:?}");
    assert!(zoomed.contains(">横轴自 90.00% 起，以显示差异</text>"));
    assert!(
        zoomed.contains("; 横轴自 90.00% 起，以显示差异</desc>"),
        "the note is in the description"
    );
    assert!(!zero.contains("横轴自"));
}

#[test]
fn a_series_without_a_value_for_a_label_draws_no_point_there_and_the_axis_keeps_the_label() {
    let series = |name: &str, points: &[(&str, f64)]| LineSeries {
        name: name.to_owned(),
        color: None,
        points: points.iter().map(|(l, v)| ((*l).to_owned(), *v)).collect(),
    };
    // The first series has nothing to measure in January; the second has.
    let chart = line_chart(vec![
        series("节点完成率", &[("2月", 0.5), ("3月", 0.8)]),
        series("开工率", &[("1月", 0.1), ("2月", 0.2), ("3月", 0.3)]),
    ]);
    let svg = chart.to_svg();
    let labels: Vec<&str> = ["1月", "2月", "3月"]
        .into_iter()
        .filter(|l| svg.contains(&format!(">{l}</text>")))
        .collect();
    assert_eq!(labels, ["1月", "2月", "3月"], "every month on the axis");
    assert_eq!(
        attrs(&svg, "circle", "cx").len(),
        2 + 3,
        "no point drawn for the gap"
    );
    assert!(
        !svg.contains("节点完成率 1月"),
        "no January point for the first line"
    );
    // The axis order follows the series: January before February.
    let at = |l: &str| svg.find(&format!(">{l}</text>")).unwrap();
    assert!(at("1月") < at("2月") && at("2月") < at("3月"));
}
