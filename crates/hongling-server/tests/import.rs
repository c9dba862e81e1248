//! Importing the district office's Excel lists through the real server: a preview with a
//! Chinese report per row, nothing half-imported, and an export that reads back the same.

mod common;

use common::{Server, Tablet, login};
use hongling_core::wire::PROTOCOL_HEADER;
use hongling_core::{Organization, RecordKind, Worker};
use serde_json::Value;
use uuid::Uuid;

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Years as numbers, as Excel users type them.
            match cell.parse::<f64>() {
                Ok(n) if cell.len() < 4 => ws.write_number(r as u32, c as u16, n),
                _ => ws.write_string(r as u32, c as u16, *cell),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn count(db: &std::path::Path) -> i64 {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    n
}

#[tokio::test(flavor = "current_thread")]
async fn lists_import_all_or_nothing_with_a_report_and_export_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("import.sqlite");
    let server = Server::start(&db, &[]);
    let base = server.base.clone();
    let admin = login(&base, "quwei", Uuid::new_v4()).await;
    let http = reqwest::Client::new();
    let send = |path: String, body: Vec<u8>, token: String| {
        http.post(format!("{base}/api/v1/admin/{path}"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(token)
            .body(body)
            .send()
    };

    // Organisations as a CSV saved by Excel on Chinese Windows (GB18030).
    let csv = "单位名称,类型,乡镇（街道）,行业,党组织名称\r\n\
               亳州市古井镇福源包装有限公司,非公企业,古井镇,包装,福源包装党支部\r\n\
               亳州市华佗镇中医药协会,社会组织,华佗镇,中医药,中医药协会党支部\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
    let res = send(
        "import/organizations?commit=true".into(),
        gbk.to_vec(),
        admin.token.clone(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let reply: Value = res.json().await.unwrap();
    assert_eq!(reply["imported"], 2, "{reply}");

    // A worker list with bad rows: the preview says what is wrong with each, in Chinese.
    let header: &[&str] = &[
        "姓名",
        "身份证号",
        "类别",
        "单位名称",
        "乡镇（街道）",
        "管理职务",
        "任职年限",
    ];
    let bad = xlsx(&[
        header,
        &[
            "王芳",
            "11010519491231002X",
            "党组织书记",
            "亳州市古井镇福源包装有限公司",
            "古井镇",
            "办公室主任",
            "3",
        ],
        &[
            "赵一",
            "",
            "党组织书记",
            "亳州市古井镇福源包装有限公司",
            "",
            "",
            "1",
        ],
        &[
            "钱二",
            "11010519491231002X",
            "党组织书记",
            "亳州市古井镇福源包装有限公司",
            "古井镇",
            "",
            "1",
        ],
        &[
            "孙三",
            "",
            "党组织书记",
            "亳州市古井镇福源包装有限公司",
            "古井镇",
            "",
            "两年",
        ],
    ]);
    let before = count(&db).await;
    for commit in [false, true] {
        let res = send(
            format!("import/workers?commit={commit}"),
            bad.clone(),
            admin.token.clone(),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 422);
        let reply: Value = res.json().await.unwrap();
        assert_eq!(reply["code"], "import_invalid");
        assert!(
            reply["message"].as_str().unwrap().contains("有 3 行有错误"),
            "{reply}"
        );
        let errors: Vec<String> = reply["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
                    .join("；")
            })
            .collect();
        assert_eq!(errors[0], "");
        assert_eq!(errors[1], "缺少乡镇（街道）");
        assert!(errors[2].contains("身份证号已登记"), "{}", errors[2]);
        assert!(errors[3].contains("任职年限应为整数"), "{}", errors[3]);
        assert_eq!(
            reply["rows"][2]["row"], 4,
            "rows are numbered as Excel shows them"
        );
    }
    assert_eq!(count(&db).await, before, "nothing was imported");

    // Fixed: it all goes in, and every device of the township gets the people.
    let good = xlsx(&[
        header,
        &[
            "王芳",
            "11010519491231002X",
            "党组织书记",
            "亳州市古井镇福源包装有限公司",
            "古井镇",
            "办公室主任",
            "3",
        ],
        &[
            "赵一",
            "",
            "党建工作指导员",
            "亳州市华佗镇中医药协会",
            "华佗镇",
            "",
            "1",
        ],
    ]);
    let res = send(
        "import/workers?commit=true".into(),
        good,
        admin.token.clone(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["imported"], 2);
    let tablet = Tablet::new(&base, "zhidao02").await;
    tablet.sync().await;
    let wang = tablet
        .all::<Worker>(RecordKind::Worker)
        .into_iter()
        .find(|(_, w)| w.name == "王芳")
        .unwrap()
        .1;
    assert_eq!(wang.id_card_masked.as_deref(), Some("**************002X"));
    let orgs = tablet.all::<Organization>(RecordKind::Organization);
    assert!(orgs.iter().any(|(_, o)| o.industry == "包装"));

    // The export has the same columns; the committee's has the full ID number.
    let res = http
        .get(format!("{base}/api/v1/admin/export/workers?format=xlsx"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .unwrap()
        .unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], header);
    assert!(rows.contains(&header_row(&[
        "王芳",
        "11010519491231002X",
        "党组织书记",
        "亳州市古井镇福源包装有限公司",
        "古井镇",
        "办公室主任",
        "3"
    ])));

    // Only the committee imports and exports.
    let res = send(
        "import/workers".into(),
        b"x".to_vec(),
        tablet.transport.token.clone(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 403);
}

fn header_row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// `file` with one more part, `bytes` long, deflated: a zip bomb inside a real list.
fn with_extra_part(file: &[u8], bytes: usize) -> Vec<u8> {
    use std::io::Write;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(file)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        out.raw_copy_file(archive.by_index_raw(i).unwrap()).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    out.start_file("xl/media/image1.bin", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..bytes / zeros.len() {
        out.write_all(&zeros).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "current_thread")]
async fn a_spreadsheet_too_big_to_be_a_list_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limits.sqlite");
    let server = Server::start(&db, &[]);
    let base = server.base.clone();
    let admin = login(&base, "quwei", Uuid::new_v4()).await;
    let http = reqwest::Client::new();
    let preview = |body: Vec<u8>| {
        http.post(format!("{base}/api/v1/admin/import/workers?commit=true"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&admin.token)
            .body(body)
            .send()
    };
    let before = count(&db).await;
    let header: &[&str] = &["姓名", "身份证号", "类别", "所在单位", "乡镇（街道）"];

    // Cells in A1 and XFD1048576: refused on the declared range, nothing allocated.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(1_048_575, 16_383, "远").unwrap();
    let far = book.save_to_buffer().unwrap();
    // Data rows past 20,000, in Excel and in CSV.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, cell) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *cell).unwrap();
    }
    for r in 1..=20_001u32 {
        ws.write_string(r, 0, "张三").unwrap();
    }
    let long = book.save_to_buffer().unwrap();
    let mut csv = header.join(",") + "\n";
    csv.push_str(&"张三,,,,\n".repeat(20_001));
    // A real list with a part that inflates to 65 MiB.
    let bomb = with_extra_part(
        &xlsx(&[header, &["李四", "", "书记", "某公司", "古井镇"]]),
        65 << 20,
    );
    assert!(bomb.len() < 1 << 20, "{} bytes sent", bomb.len());

    for (what, file, code, says) in [
        (
            "A1:XFD1048576",
            far,
            "sheet_too_large",
            "1048576 行、16384 列",
        ),
        (
            "20,001 rows of Excel",
            long,
            "sheet_too_large",
            "20002 行、5 列",
        ),
        (
            "20,001 rows of CSV",
            csv.into_bytes(),
            "file_too_large",
            "最多导入 20000 行",
        ),
        ("a zip bomb", bomb, "file_too_large", "解压后超过 64 MiB"),
    ] {
        let res = preview(file).await.unwrap();
        assert_eq!(res.status(), 422, "{what}");
        let reply: Value = res.json().await.unwrap();
        assert_eq!(reply["code"], code, "{what}: {reply}");
        assert!(
            reply["message"].as_str().unwrap().contains(says),
            "{what}: {reply}"
        );
    }
    assert_eq!(count(&db).await, before, "nothing imported");
    let (status, _) = common::get(&base, "/health", &admin.token).await;
    assert_eq!(status, 200, "the server still answers");
}
