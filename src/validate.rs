//! Does a config file still parse? Used by health-check (config_files), backup (refuse to save a
//! corrupted file) and restore (never write one back).

use std::path::Path;

use crate::config::FileFormat;

/// The format a file's name suggests; `Raw` when nothing does.
pub fn guess(path: &Path) -> FileFormat {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "json" => FileFormat::Json,
        "toml" => FileFormat::Toml,
        "yaml" | "yml" => FileFormat::Yaml,
        "env" => FileFormat::Dotenv,
        _ if name.starts_with(".env") => FileFormat::Dotenv,
        _ => FileFormat::Raw,
    }
}

/// The configured format, or for `Auto` the one the file's name suggests.
pub fn effective(format: FileFormat, path: &Path) -> FileFormat {
    if format == FileFormat::Auto {
        guess(path)
    } else {
        format
    }
}

/// `Err` says where the file stops parsing. Messages carry positions, never content: these
/// files hold secrets.
pub fn check(format: FileFormat, path: &Path, bytes: &[u8]) -> Result<(), String> {
    let format = effective(format, path);
    if matches!(format, FileFormat::Raw | FileFormat::Auto) {
        return Ok(());
    }
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    match format {
        // MCP client configs (VS Code, Zed) allow comments and trailing commas.
        FileFormat::Json => jsonc_parser::parse_to_serde_value::<Option<serde_json::Value>>(
            text,
            &jsonc_parser::ParseOptions::default(),
        )
        .map_err(|e| e.to_string())
        .and_then(|v| v.map(drop).ok_or_else(|| "the file is empty".to_owned())),
        FileFormat::StrictJson => serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map(drop)
            .map_err(|e| e.to_string()),
        FileFormat::Toml => toml::from_str::<toml::Table>(text).map(drop).map_err(|e| {
            let (line, col) = e
                .span()
                .map_or((1, 1), |s| crate::config::line_col(text, s.start));
            format!("line {line} column {col}: {}", e.message())
        }),
        FileFormat::Yaml => serde_saphyr::from_str::<serde_json::Value>(text)
            .map(drop)
            .map_err(|e| first_line(&e.to_string())),
        FileFormat::Dotenv => {
            dotenvy::from_read_iter(bytes)
                .find_map(Result::err)
                .map_or(Ok(()), |e| {
                    Err(match e {
                        dotenvy::Error::LineParse(_, i) => format!("syntax error at character {i}"),
                        _ => "invalid content".to_owned(),
                    })
                })
        }
        FileFormat::Raw | FileFormat::Auto => Ok(()),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}
