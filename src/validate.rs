//! Does a config file still parse? Used by health-check (config_files), backup (refuse to save a
//! corrupted file) and restore (never write one back).

use std::path::Path;

use crate::config::FileFormat;

/// The format a file's name suggests; `Raw` when nothing does.
pub(crate) fn guess(path: &Path) -> FileFormat {
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
pub(crate) fn effective(format: FileFormat, path: &Path) -> FileFormat {
    if format == FileFormat::Auto {
        guess(path)
    } else {
        format
    }
}

/// Where a file stops parsing. Positions, never content: these files hold secrets.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Invalid {
    #[error("not UTF-8 at byte {0}")]
    NotUtf8(usize),
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    Json(#[source] jsonc_parser::errors::ParseError),
    #[error("{0}")]
    StrictJson(#[source] serde_json::Error),
    #[error("line {line} column {col}: {message}")]
    Toml {
        line: usize,
        col: usize,
        message: String,
    },
    /// Its first line: later ones quote the file.
    #[error("{}", first_line(&.0.to_string()))]
    Yaml(#[source] serde_saphyr::Error),
    #[error("syntax error at character {0}")]
    Dotenv(usize),
    #[error("invalid content")]
    DotenvContent,
}

/// `Err` says where the file stops parsing.
pub(crate) fn check(format: FileFormat, path: &Path, bytes: &[u8]) -> Result<(), Invalid> {
    let format = effective(format, path);
    if matches!(format, FileFormat::Raw | FileFormat::Auto) {
        return Ok(());
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Invalid::NotUtf8(e.valid_up_to()))?;
    match format {
        // MCP client configs (VS Code, Zed) allow comments and trailing commas.
        FileFormat::Json => jsonc_parser::parse_to_serde_value::<Option<serde_json::Value>>(
            text,
            &jsonc_parser::ParseOptions::default(),
        )
        .map_err(Invalid::Json)
        .and_then(|v| v.map(drop).ok_or(Invalid::Empty)),
        FileFormat::StrictJson => serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map(drop)
            .map_err(Invalid::StrictJson),
        FileFormat::Toml => toml::from_str::<toml::Table>(text).map(drop).map_err(|e| {
            let (line, col) = e
                .span()
                .map_or((1, 1), |s| crate::config::line_col(text, s.start));
            Invalid::Toml {
                line,
                col,
                message: e.message().to_owned(),
            }
        }),
        FileFormat::Yaml => serde_saphyr::from_str::<serde_json::Value>(text)
            .map(drop)
            .map_err(Invalid::Yaml),
        FileFormat::Dotenv => {
            dotenvy::from_read_iter(bytes)
                .find_map(Result::err)
                .map_or(Ok(()), |e| {
                    Err(match e {
                        dotenvy::Error::LineParse(_, i) => Invalid::Dotenv(i),
                        _ => Invalid::DotenvContent,
                    })
                })
        }
        FileFormat::Raw | FileFormat::Auto => Ok(()),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}
