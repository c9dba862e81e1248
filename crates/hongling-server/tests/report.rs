//! The 年度工作报告 as the district office downloads it from the real server: the `.docx`
//! and the XLSX are read back and carry the numbers of the data the test knows (the demo
//! district's certificates issued this year, a training session a tablet synced), and a
//! bad request changes nothing and says why.

mod common;

use std::io::Read;

use common::{Server, Tablet};
use hongling_core::certificate::Certificate;
use hongling_core::training::{TrainingCreateV1, TrainingKind};
use hongling_core::wire::PROTOCOL_HEADER;
use hongling_core::{Op, RecordKind};
use uuid::Uuid;

/// The texts of a Word document's runs, in order, empty ones left out.
fn docx_texts(bytes: &[u8]) -> Vec<String> {
    docx_texts_of(&docx_xml(bytes))
}

/// The document's XML.
fn docx_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The pieces of `xml` between `<{tag}>`/`<{tag} …>` and `</{tag}>`, not nested.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        if !(after.starts_with('>') || after.starts_with(' ')) {
            rest = after;
            continue;
        }
        let end = after.find(&close).unwrap();
        out.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    out
}

/// The value of attribute `attr` of the first `<{tag} …>` in `xml`.
fn attribute<'a>(xml: &'a str, tag: &str, attr: &str) -> Option<&'a str> {
    let at = xml.find(&format!("<{tag} "))?;
    let element = &xml[at..at + xml[at..].find('>')?];
    let from = element.find(&format!("{attr}=\""))? + attr.len() + 2;
    Some(&element[from..from + element[from..].find('"')?])
}

/// One bar of a `.docx` chart: the township it belongs to, its colour, the grid columns
/// it spans (of 50) and the number written after it.
#[derive(Debug)]
struct Bar {
    town: String,
    fill: Option<String>,
    span: usize,
    value: String,
}

/// The bars of every chart in the document, chart by chart (a chart is a table with
/// cells spanning grid columns; a data table spans none), each with the data table that
/// follows it as rows of texts.
fn docx_charts(xml: &str) -> Vec<(Vec<Bar>, Vec<Vec<String>>)> {
    let tables = elements(xml, "w:tbl");
    let texts = |cell: &str| docx_texts_of(cell).join("");
    let mut out = Vec::new();
    for (i, table) in tables.iter().enumerate() {
        if !table.contains("w:gridSpan") || i + 1 == tables.len() {
            continue;
        }
        let mut town = String::new();
        let mut bars = Vec::new();
        for row in elements(table, "w:tr") {
            let cells = elements(row, "w:tc");
            if !texts(cells[0]).is_empty() {
                town = texts(cells[0]);
            }
            let bar = cells[1..cells.len() - 1]
                .iter()
                .find(|c| c.contains("w:fill="));
            bars.push(Bar {
                town: town.clone(),
                fill: bar
                    .and_then(|c| attribute(c, "w:shd", "w:fill"))
                    .map(str::to_owned),
                span: bar
                    .and_then(|c| attribute(c, "w:gridSpan", "w:val"))
                    .map_or(0, |v| v.parse().unwrap()),
                value: texts(cells[cells.len() - 1]),
            });
        }
        let data = elements(tables[i + 1], "w:tr")
            .into_iter()
            .map(|row| elements(row, "w:tc").into_iter().map(texts).collect())
            .collect();
        out.push((bars, data));
    }
    out
}

/// The run texts of a piece of document XML.
fn docx_texts_of(xml: &str) -> Vec<String> {
    elements(xml, "w:t")
        .into_iter()
        .map(|t| t[t.find('>').map_or(0, |i| i + 1)..].trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The cell after `label` in the section whose heading starts with `heading`.
fn after(texts: &[String], heading: &str, label: &str) -> String {
    let at = texts.iter().position(|t| t.starts_with(heading)).unwrap();
    let l = at + texts[at..].iter().position(|t| t == label).unwrap();
    texts[l + 1].clone()
}

#[tokio::test(flavor = "current_thread")]
async fn the_annual_report_reads_back_with_the_numbers_of_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("hongling.sqlite"), &[]);
    let base = server.base.clone();
    let today = hongling_core::china_today(chrono::Utc::now());
    let year = chrono::Datelike::year(&today);

    // A session today, synced from an instructor's tablet.
    let tablet = Tablet::new(&base, "zhidao02").await;
    tablet.sync().await;
    tablet
        .commit(Op::TrainingCreateV1(TrainingCreateV1 {
            id: Uuid::new_v4(),
            kind: TrainingKind::Classroom,
            title: "发展党员工作规范".into(),
            date: today,
            place: "古井镇党群服务中心".into(),
            hours_tenths: 35,
            trainer: "李文华".into(),
        }))
        .await
        .unwrap();
    tablet.sync().await;

    // What the committee's own tablet holds: the certificates issued this year.
    let office = Tablet::new(&base, "quwei").await;
    office.sync().await;
    let issued = office
        .all::<Certificate>(RecordKind::Certificate)
        .into_iter()
        .filter(|(_, c)| chrono::Datelike::year(&c.issued_on) == year)
        .count();
    assert!(
        issued > 0,
        "the demo district's certificates are issued on start"
    );
    let token = office.transport.token.clone();
    let get = |query: String, token: String| {
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}/api/v1/reports/annual?{query}"))
                .header(PROTOCOL_HEADER, "1")
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };

    let res = get(format!("year={year}&format=docx"), token.clone()).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = res.bytes().await.unwrap();
    let texts = docx_texts(&bytes);
    // Each indicator is drawn as a bar chart above its table: one bar per township and
    // column, as long as its number's share of the scale (the largest township's value,
    // or 100 %), in the column's colour, with the number written after it.
    let charts = docx_charts(&docx_xml(&bytes));
    assert!(charts.len() >= 4, "a chart for each indicator table");
    let mut drawn = 0;
    for (bars, data) in &charts {
        let columns = data[0].len() - 1;
        let towns = &data[1..data.len() - 1];
        assert_eq!(data.last().unwrap()[0], "合计");
        assert_eq!(
            bars.len(),
            towns.len() * columns,
            "a bar per township and column"
        );
        let percent = bars.iter().any(|b| b.value.ends_with('%'));
        let number = |v: &str| v.trim_end_matches('%').parse::<i64>().unwrap();
        let max = if percent {
            100
        } else {
            towns
                .iter()
                .flat_map(|r| r[1..].iter().map(|v| number(v)))
                .max()
                .unwrap()
                .max(1)
        };
        for (k, bar) in bars.iter().enumerate() {
            let (row, col) = (&towns[k / columns], k % columns);
            assert_eq!(bar.town, row[0]);
            assert_eq!(number(&bar.value), number(&row[1 + col]), "{bar:?}");
            assert_eq!(
                bar.span as i64,
                50 * number(&row[1 + col]).max(0) / max,
                "{bar:?}"
            );
            let colour = hongling_core::indicators::CHART_COLOURS[col].to_uppercase();
            if bar.span > 0 {
                assert_eq!(bar.fill.as_deref(), Some(colour.as_str()));
                drawn += 1;
            }
        }
    }
    assert!(drawn > 0, "the demo district's numbers draw bars");
    assert_eq!(texts[0], format!("{year} 年度红领认证工作报告"));
    assert_eq!(texts[1], hongling_core::report::ISSUER_ZH);
    assert_eq!(after(&texts, "一、", "持证人数"), issued.to_string());
    assert_eq!(after(&texts, "二、证书发放", "合计"), issued.to_string());
    assert_eq!(after(&texts, "四、", "培训场次"), "1");
    assert_eq!(after(&texts, "四、", "培训时长（小时）"), "3.5");

    let res = get(format!("year={year}&format=xlsx"), token.clone()).await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let cell = |book: &mut calamine::Xlsx<_>, sheet: &str, label: &str, col: usize| {
        let range = calamine::Reader::worksheet_range(book, sheet).unwrap();
        range
            .rows()
            .find(|r| r[0] == label)
            .map(|r| r[col].to_string())
            .unwrap()
    };
    assert_eq!(cell(&mut book, "1", "持证人数", 1), issued.to_string());
    assert_eq!(cell(&mut book, "2", "合计", 2), issued.to_string());
    assert_eq!(cell(&mut book, "4", "培训场次", 1), "1");

    // Bad requests: a clear refusal, as JSON.
    for (query, status, code) in [
        ("year=1999&format=docx".to_owned(), 400, "invalid_year"),
        (
            format!("year={}&format=docx", year + 1),
            400,
            "invalid_year",
        ),
        (format!("year={year}&format=pdf"), 400, "invalid_format"),
    ] {
        let res = get(query, token.clone()).await;
        assert_eq!(res.status(), status);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], code);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{2e80}')
        );
    }
    // Not the committee: refused.
    let res = get(
        format!("year={year}&format=docx"),
        tablet.transport.token.clone(),
    )
    .await;
    assert_eq!(res.status(), 403);
}
