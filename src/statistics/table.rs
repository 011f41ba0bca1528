//! The open data behind each table: CSV (UTF-8 with a byte-order mark, so spreadsheet
//! programs read Vietnamese correctly) and JSON, with numbers in machine form (`12.5`).

use serde_json::{Map, Value as Json};

/// A cell of a downloadable table.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Text(String),
    Number(Option<f64>),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(Some(n)) => number(*n),
            Cell::Number(None) => String::new(),
        }
    }

    fn json(&self) -> Json {
        match self {
            Cell::Text(t) => Json::String(t.clone()),
            Cell::Number(Some(n)) if n.fract() == 0.0 && n.abs() < 1e15 => Json::from(*n as i64),
            Cell::Number(Some(n)) => {
                serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number)
            }
            Cell::Number(None) => Json::Null,
        }
    }
}

/// A number without float noise: `12.5`, `5100`, `99.72`.
fn number(n: f64) -> String {
    let rounded = (n * 10_000.0).round() / 10_000.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

/// A table: column names and rows.
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    pub(super) columns: Vec<&'static str>,
    pub(super) rows: Vec<Vec<Cell>>,
}

impl Table {
    pub(super) fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// CSV with a byte-order mark, comma-separated, quoted where needed.
    pub(super) fn to_csv(&self) -> Vec<u8> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut out);
            // Writing to memory cannot fail.
            let _ = w.write_record(&self.columns);
            for row in &self.rows {
                let _ = w.write_record(row.iter().map(Cell::csv));
            }
            let _ = w.flush();
        }
        out
    }

    /// JSON: an array of objects keyed by column.
    pub(super) fn to_json(&self) -> Vec<u8> {
        let rows: Vec<Json> = self
            .rows
            .iter()
            .map(|row| {
                let mut m = Map::new();
                for (c, cell) in self.columns.iter().zip(row) {
                    m.insert((*c).to_owned(), cell.json());
                }
                Json::Object(m)
            })
            .collect();
        let mut bytes = serde_json::to_vec_pretty(&rows).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_bom_and_quotes() {
        let mut t = Table::new(&["ten", "gia_tri"]);
        t.rows.push(vec![
            Cell::Text("Xã Hóa Thượng, \"A\"".into()),
            Cell::Number(Some(12.5)),
        ]);
        t.rows
            .push(vec![Cell::Text("B".into()), Cell::Number(None)]);
        let csv = String::from_utf8(t.to_csv()).unwrap();
        assert_eq!(
            csv,
            "\u{feff}ten,gia_tri\r\n\"Xã Hóa Thượng, \"\"A\"\"\",12.5\r\nB,\r\n"
        );
        let json: Json = serde_json::from_slice(&t.to_json()).unwrap();
        assert_eq!(json[0]["gia_tri"], 12.5);
        assert_eq!(json[1]["gia_tri"], Json::Null);
        assert_eq!(number(99.72000000001), "99.72");
        assert_eq!(number(5100.0), "5100");
    }
}
