//! comfy-table defaults shared by every subcommand's terminal view.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

pub fn new(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    table
}
