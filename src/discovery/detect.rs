//! `--from PATH`: which client a file belongs to, by its name, the directories it sits in, and
//! its content. Several clients share a name (`mcp.json`, `settings.json`, `.mcp.json`), so the
//! content decides between them.

use std::path::Path;

use serde_json::Value;

use super::clients::{Client, Shape};
use super::formats::parse_json;
use super::rules::Syntax;

/// The client and shape of a file given with `--from`.
pub(super) fn detect(path: &Path, text: &str) -> (Client, Shape) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "toml" {
        return (Client::Codex, Shape::Codex);
    }
    if matches!(name, "crushrc" | ".crushrc") {
        return (Client::Crush, Shape::CrushScript);
    }
    if matches!(ext, "yaml" | "yml") {
        return yaml(path, text);
    }
    let root = parse_json(text, Syntax::Jsonc, Client::VsCode).ok();
    let obj = root.as_ref().and_then(Value::as_object);
    by_name(name)
        .or_else(|| by_keys(path, name, obj))
        .or_else(|| by_dir(path))
        .unwrap_or_else(|| by_entries(name, obj))
}

/// Names only one client uses.
fn by_name(name: &str) -> Option<(Client, Shape)> {
    Some(match name {
        "claude_desktop_config.json" => (Client::ClaudeDesktop, Shape::McpServers),
        ".claude.json" => (Client::ClaudeCode, Shape::ClaudeJson),
        "cline_mcp_settings.json" => (Client::Cline, Shape::McpServers),
        "mcp_settings.json" => (Client::RooCode, Shape::McpServers),
        "mcp_config.json" => (Client::Windsurf, Shape::McpServers),
        "mcp-config.json" => (Client::CopilotCli, Shape::Copilot),
        "crush.json" | ".crush.json" => (Client::Crush, Shape::Crush),
        "opencode.json" | "opencode.jsonc" => (Client::Opencode, Shape::Opencode),
        _ => return None,
    })
}

/// Keys only one client uses; and `.mcp.json`, which three clients share.
fn by_keys(
    path: &Path,
    name: &str,
    obj: Option<&serde_json::Map<String, Value>>,
) -> Option<(Client, Shape)> {
    let has = |key: &str| obj.is_some_and(|o| o.contains_key(key));
    let schema = obj
        .and_then(|o| o.get("$schema"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if has("amp.mcpServers") {
        return Some((Client::Amp, Shape::Amp));
    }
    if has("context_servers") {
        return Some((Client::Zed, Shape::Zed));
    }
    if has("projects") && has("mcpServers") {
        return Some((Client::ClaudeCode, Shape::ClaudeJson));
    }
    if schema.contains("opencode.ai") {
        return Some((Client::Opencode, Shape::Opencode));
    }
    if schema.contains("charm.land") {
        return Some((Client::Crush, Shape::Crush));
    }
    if let Some(mcp) = obj.and_then(|o| o.get("mcp")).and_then(Value::as_object) {
        if mcp.contains_key("servers") || mcp.contains_key("inputs") {
            return Some((vs_code_build(path), Shape::VsCodeSettings));
        }
        let opencode = mcp.values().any(|e| {
            matches!(
                e.get("type").and_then(Value::as_str),
                Some("local" | "remote")
            ) || e.get("command").is_some_and(Value::is_array)
        });
        return Some(if opencode {
            (Client::Opencode, Shape::Opencode)
        } else {
            (Client::Crush, Shape::Crush)
        });
    }
    if has("servers") {
        let in_vs = path
            .ancestors()
            .skip(1)
            .any(|a| a.file_name().is_some_and(|n| n == ".vs"));
        return Some(if name == ".mcp.json" {
            (Client::VisualStudio, Shape::SharedMcpJson)
        } else if in_vs {
            (Client::VisualStudio, Shape::Servers)
        } else {
            (vs_code_build(path), Shape::Servers)
        });
    }
    if name == ".mcp.json" {
        // Claude Code's and the Copilot CLI's; only Copilot says `local`, or drops the wrapper.
        let local = entries(obj).any(|e| e.get("type").and_then(Value::as_str) == Some("local"));
        return Some(if local || !has("mcpServers") {
            (Client::CopilotCli, Shape::SharedMcpJson)
        } else {
            (Client::ClaudeCode, Shape::SharedMcpJson)
        });
    }
    None
}

/// The directories clients keep their files in, nearest first.
fn by_dir(path: &Path) -> Option<(Client, Shape)> {
    for dir in path.ancestors().skip(1) {
        let Some(d) = dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let found = match d {
            ".cursor" => (Client::Cursor, Shape::McpServers),
            ".roo" | "rooveterinaryinc.roo-cline" => (Client::RooCode, Shape::McpServers),
            ".kiro" => (Client::Kiro, Shape::McpServers),
            ".amazonq" | "amazonq" if dir.join("mcp.json") == path => {
                (Client::AmazonQ, Shape::AmazonQ)
            }
            ".amazonq" | "amazonq" => (Client::AmazonQ, Shape::AmazonQAgent),
            ".junie" => (Client::Junie, Shape::McpServers),
            ".lmstudio" | "lm-studio" => (Client::LmStudio, Shape::McpServers),
            ".continue" => (Client::Continue, Shape::ContinueJson),
            ".gemini" => (Client::Gemini, Shape::McpServers),
            "zed" | ".zed" => (Client::Zed, Shape::Zed),
            ".copilot" | ".github" => (Client::CopilotCli, Shape::Copilot),
            ".amp" | "amp" => (Client::Amp, Shape::Amp),
            ".codeium" => (Client::Windsurf, Shape::McpServers),
            "saoudrizwan.claude-dev" => (Client::Cline, Shape::McpServers),
            "Claude" => (Client::ClaudeDesktop, Shape::McpServers),
            _ => continue,
        };
        return Some(found);
    }
    None
}

/// What the entries say; Claude Desktop's plain `mcpServers` when nothing does.
fn by_entries(name: &str, obj: Option<&serde_json::Map<String, Value>>) -> (Client, Shape) {
    let key = |k: &str| entries(obj).any(|e| e.get(k).is_some());
    let typed = |t: &str| entries(obj).any(|e| e.get("type").and_then(Value::as_str) == Some(t));
    if key("serverUrl") {
        (Client::Windsurf, Shape::McpServers)
    } else if key("httpUrl") || name == "settings.json" {
        (Client::Gemini, Shape::McpServers)
    } else if typed("local") {
        (Client::CopilotCli, Shape::Copilot)
    } else if typed("streamableHttp") || key("autoApprove") && !key("disabledTools") {
        (Client::Cline, Shape::McpServers)
    } else if typed("streamable-http") || key("alwaysAllow") {
        (Client::RooCode, Shape::McpServers)
    } else {
        (Client::ClaudeDesktop, Shape::McpServers)
    }
}

/// The entries of `mcpServers`, whatever they hold.
fn entries(
    obj: Option<&serde_json::Map<String, Value>>,
) -> impl Iterator<Item = &serde_json::Map<String, Value>> {
    obj.and_then(|o| o.get("mcpServers"))
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values().filter_map(Value::as_object))
}

/// Which build of VS Code keeps a file, by its directories; VS Code when none says.
fn vs_code_build(path: &Path) -> Client {
    for dir in path.ancestors().skip(1) {
        match dir.file_name().and_then(|n| n.to_str()) {
            Some("Code - Insiders") => return Client::VsCodeInsiders,
            Some("VSCodium") => return Client::VsCodium,
            Some("Code") => return Client::VsCode,
            _ => {}
        }
    }
    Client::VsCode
}

fn yaml(path: &Path, text: &str) -> (Client, Shape) {
    let root: Option<Value> = serde_saphyr::from_str(text).ok();
    let has = |key: &str| root.as_ref().and_then(|r| r.get(key)).is_some();
    if has("extensions") {
        return (Client::Goose, Shape::Goose);
    }
    if has("mcpServers")
        || path
            .ancestors()
            .any(|a| a.file_name().is_some_and(|n| n == ".continue"))
    {
        return (Client::Continue, Shape::ContinueYaml);
    }
    if path
        .ancestors()
        .any(|a| a.file_name().is_some_and(|n| n == "goose"))
    {
        return (Client::Goose, Shape::Goose);
    }
    (Client::Continue, Shape::ContinueYaml)
}
