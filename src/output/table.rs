//! comfy-table defaults shared by every subcommand's terminal view.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

pub(crate) fn new(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    // A pty that reports no size (script(1), some CI runners) would squeeze every cell to one
    // character per line.
    if table.width().is_none_or(|w| w < 20) {
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
    table
}
