//! Each client has its own variable syntax; mcpctl's is `${VAR}` and `${VAR:-default}`. These
//! rewrites keep a pasted or discovered server meaning what its client meant.

use super::{Client, Locations};

/// Rewrites `${env:X}` to `${X}`, fills `${userHome}` and `${workspaceFolder}`, keeps
/// `${input:id}` (recording the id), and for Gemini turns bare `$X` into `${X}`.
pub(super) fn normalise(
    text: &str,
    client: Client,
    loc: &Locations,
    inputs: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if let Some(end) = rest.strip_prefix("${").and_then(|r| r.find('}')) {
            let inner = &rest[2..2 + end];
            match inner.split_once(':') {
                Some(("env", name)) => out.push_str(&format!("${{{name}}}")),
                Some(("input", id)) => {
                    if !inputs.iter().any(|i| i == id) {
                        inputs.push(id.to_owned());
                    }
                    out.push_str(&rest[..3 + end]);
                }
                _ if inner == "userHome" => out.push_str(&loc.home.display().to_string()),
                _ if inner == "workspaceFolder" => {
                    out.push_str(&loc.project_dir.display().to_string());
                }
                _ => out.push_str(&rest[..3 + end]),
            }
            rest = &rest[3 + end..];
            continue;
        }
        let name_len = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - 1);
        let name = &rest[1..=name_len];
        if client == Client::Gemini && crate::config::valid_env_name(name) {
            out.push_str(&format!("${{{name}}}"));
            rest = &rest[1 + name_len..];
        } else {
            out.push('$');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}
