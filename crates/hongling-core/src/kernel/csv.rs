//! The one CSV writer of every export: the stipend roster, the office's lists, contest
//! results and the dashboard's tables, on the server and on the tablet.
//!
//! Why here: a name typed on a tablet such as `=HYPERLINK(...)` or `=1+2` must not become
//! a live formula when the office opens the export in Excel or WPS (OWASP's "CSV
//! injection"), so every cell that a spreadsheet would read as a formula is neutralised
//! with a leading `'` — one rule, wherever a CSV is written.

/// Whether a spreadsheet could take `cell` as a formula: it begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return. A plain number such as `-12.5` is a number, not a
/// formula, and stays as it is.
pub fn is_formula_like(cell: &str) -> bool {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    risky && !is_plain_number(cell)
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// One cell as written: neutralised if formula-like, then quoted if it holds a comma, a
/// quote or a line break.
pub fn cell(value: &str) -> String {
    let value = if is_formula_like(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Rows as CSV (RFC 4180, CRLF), with a UTF-8 byte order mark so Excel reads the Chinese.
pub fn write(rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        for risky in [
            "=1+2",
            "+86 123",
            "-cmd",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert!(
                cell(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(cell("=1+2"), "'=1+2");
        assert_eq!(cell("=A1,B1"), "\"'=A1,B1\"");
        assert_eq!(cell("-12.5"), "-12.5");
        assert_eq!(cell("-3"), "-3");
        assert_eq!(cell("- 3"), "'- 3");
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("王芳"), "王芳");
        assert_eq!(cell("说\"明\""), "\"说\"\"明\"\"\"");
    }

    #[test]
    fn rows_are_crlf_with_a_byte_order_mark() {
        let out = write(&[
            vec!["姓名".into(), "金额".into()],
            vec!["=1+2".into(), "300.00".into()],
        ]);
        assert_eq!(out, "\u{feff}姓名,金额\r\n'=1+2,300.00\r\n");
    }
}
