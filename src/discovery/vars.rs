//! Each client has its own variable syntax; mcpctl's is `${VAR}` and `${VAR:-default}`, with
//! `$${` for a literal `${`. These rewrites keep a discovered server meaning what its client
//! meant: what the client expands becomes mcpctl's syntax, what it passes as written stays
//! literal, and what only the client can fill in (a VS Code input, a file, a command) is named
//! so the server is reported as needing it. Nothing is ever run or read here.

use super::clients::{Client, Locations};

/// Which part of an entry a string comes from: some clients expand only `env`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Command,
    Args,
    Env,
    Headers,
    Url,
    Cwd,
}

/// How one client reads one file's strings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dialect<'a> {
    pub(super) client: Client,
    pub(super) loc: &'a Locations,
    /// A JSON file in Continue's `mcpServers/`: `${VAR}` is a secret only inside `env`.
    pub(super) continue_json: bool,
}

impl Dialect<'_> {
    /// `${VAR}` and `${VAR:-default}` expand from the environment.
    fn expands_braces(&self, field: Field) -> bool {
        match self.client {
            Client::ClaudeCode
            | Client::Gemini
            | Client::Kiro
            | Client::CopilotCli
            | Client::Crush
            // Not documented: mcpctl keeps its own reading, as before.
            | Client::LmStudio
            | Client::Junie
            | Client::Amp => true,
            Client::Continue => self.continue_json && field == Field::Env,
            _ => false,
        }
    }

    /// `${env:VAR}`.
    fn env_prefix(&self, field: Field) -> bool {
        match self.client {
            Client::Cursor
            | Client::VsCode
            | Client::VsCodeInsiders
            | Client::VsCodium
            | Client::VisualStudio
            | Client::Windsurf
            | Client::Cline
            | Client::RooCode
            | Client::Kiro
            | Client::LmStudio
            | Client::Junie
            | Client::Amp => true,
            Client::AmazonQ => matches!(field, Field::Env | Field::Headers),
            _ => false,
        }
    }

    fn vs_code(&self) -> bool {
        matches!(
            self.client,
            Client::VsCode | Client::VsCodeInsiders | Client::VsCodium | Client::VisualStudio
        )
    }

    /// `${userHome}`, `${workspaceFolder}` and VS Code's other predefined variables.
    fn editor_variable(&self, name: &str) -> Option<String> {
        let workspace = || self.loc.project_dir.display().to_string();
        let vs = self.vs_code() || self.client == Client::Cursor;
        match name {
            "workspaceFolder" if vs || matches!(self.client, Client::RooCode | Client::Kiro) => {
                Some(workspace())
            }
            "userHome" if vs => Some(self.loc.home.display().to_string()),
            "workspaceFolderBasename" if vs => Some(
                self.loc
                    .project_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            "pathSeparator" | "/" if vs => Some("/".to_owned()),
            _ => None,
        }
    }

    /// Rewrites one string; `needs` collects what only the client can fill in.
    pub(super) fn normalise(&self, text: &str, field: Field, needs: &mut Vec<String>) -> String {
        let opencode = self.client == Client::Opencode;
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(pos) = rest.find(|c| c == '$' || (opencode && c == '{')) {
            out.push_str(&rest[..pos]);
            rest = &rest[pos..];
            let used = if rest.starts_with('{') {
                Self::opencode_token(rest, &mut out, needs)
            } else {
                self.dollar(rest, field, &mut out, needs)
            };
            rest = &rest[used..];
        }
        out.push_str(rest);
        out
    }

    /// opencode's `{env:VAR}` and `{file:path}`; returns the bytes used.
    fn opencode_token(rest: &str, out: &mut String, needs: &mut Vec<String>) -> usize {
        if let Some(end) = rest.find('}') {
            let inner = &rest[1..end];
            if let Some(name) = inner.strip_prefix("env:") {
                out.push_str(&format!("${{{name}}}"));
                return end + 1;
            }
            if inner.starts_with("file:") {
                need(
                    needs,
                    "`{file:…}` (opencode reads that file; mcpctl does not)",
                );
                out.push_str(&rest[..=end]);
                return end + 1;
            }
        }
        out.push('{');
        1
    }

    /// From a `$`: the client's references; returns the bytes used.
    fn dollar(&self, rest: &str, field: Field, out: &mut String, needs: &mut Vec<String>) -> usize {
        if self.client == Client::Continue
            && let Some(after) = rest.strip_prefix("${{")
            && let Some(end) = after.find("}}")
        {
            let inner = after[..end].trim();
            if let Some(name) = inner.strip_prefix("secrets.") {
                out.push_str(&format!("${{{}}}", name.trim()));
            } else {
                if let Some(name) = inner.strip_prefix("inputs.") {
                    let what = format!(
                        "the Continue input `{}`, which only Continue can fill in",
                        name.trim()
                    );
                    need(needs, &what);
                }
                out.push('$');
                out.push_str(&rest[..5 + end]);
            }
            return 5 + end;
        }
        if let Some(end) = rest.strip_prefix("${").and_then(|r| r.find('}')) {
            self.braces(&rest[..3 + end], field, out, needs);
            return 3 + end;
        }
        if self.client == Client::Crush && rest.starts_with("$(") {
            let what = "`$(…)` command substitution (Crush runs the command; mcpctl never does)";
            need(needs, what);
            out.push_str("$(");
            return 2;
        }
        let name_len = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - 1);
        let name = &rest[1..=name_len];
        if matches!(self.client, Client::Gemini | Client::Crush)
            && crate::config::valid_env_name(name)
        {
            out.push_str(&format!("${{{name}}}"));
            1 + name_len
        } else {
            out.push('$');
            1
        }
    }

    /// One `${…}`, whole.
    fn braces(&self, whole: &str, field: Field, out: &mut String, needs: &mut Vec<String>) {
        let inner = &whole[2..whole.len() - 1];
        let title = self.client.title();
        if let Some(name) = inner.strip_prefix("env:")
            && self.env_prefix(field)
        {
            out.push_str(&format!("${{{name}}}"));
        } else if let Some(id) = inner.strip_prefix("input:")
            && self.vs_code()
        {
            let what = format!("the {title} input `{id}`, which only {title} can prompt for");
            need(needs, &what);
            out.push_str(whole);
        } else if let Some(value) = self.editor_variable(inner) {
            out.push_str(&value);
        } else if self.expands_braces(field) && is_reference(inner) {
            out.push_str(whole);
        } else {
            if inner.starts_with("file:") && self.client == Client::Windsurf {
                need(
                    needs,
                    "`${file:…}` (Windsurf reads that file; mcpctl does not)",
                );
            }
            // Passed as written by the client: literal for mcpctl too.
            out.push('$');
            out.push_str(whole);
        }
    }
}

fn need(needs: &mut Vec<String>, what: &str) {
    if !needs.iter().any(|n| n == what) {
        needs.push(what.to_owned());
    }
}

/// `NAME` or `NAME:-default`: what mcpctl itself expands.
fn is_reference(inner: &str) -> bool {
    let name = inner.split_once(":-").map_or(inner, |(n, _)| n);
    crate::config::valid_env_name(name)
}

#[cfg(test)]
mod tests {
    use super::{Dialect, Field};
    use crate::discovery::clients::{Client, ClientVars, Locations};

    fn loc() -> Locations {
        Locations {
            home: "/home/me".into(),
            xdg_config_home: "/home/me/.config".into(),
            xdg_data_home: "/home/me/.local/share".into(),
            project_dir: "/work/proj".into(),
            vars: ClientVars::default(),
        }
    }

    fn norm(client: Client, field: Field, text: &str) -> (String, Vec<String>) {
        let loc = loc();
        let d = Dialect {
            client,
            loc: &loc,
            continue_json: false,
        };
        let mut needs = Vec::new();
        (d.normalise(text, field, &mut needs), needs)
    }

    #[test]
    fn each_client_keeps_its_own_meaning() {
        use Client as C;
        use Field::{Args, Env};
        assert_eq!(
            norm(C::Cursor, Env, "${env:K}-${userHome}").0,
            "${K}-/home/me"
        );
        // Cursor passes a plain ${X} as written: literal for mcpctl too.
        assert_eq!(norm(C::Cursor, Env, "${K}").0, "$${K}");
        assert_eq!(
            norm(C::ClaudeCode, Env, "${K:-d} ${env:K}").0,
            "${K:-d} $${env:K}"
        );
        assert_eq!(norm(C::ClaudeDesktop, Args, "${HOME}/x").0, "$${HOME}/x");
        assert_eq!(
            norm(C::Gemini, Env, "$TOKEN and ${T}").0,
            "${TOKEN} and ${T}"
        );
        assert_eq!(norm(C::Opencode, Env, "{env:K} ${K}").0, "${K} $${K}");
        assert_eq!(norm(C::AmazonQ, Env, "${env:K}").0, "${K}");
        assert_eq!(norm(C::AmazonQ, Args, "${env:K}").0, "$${env:K}");
        assert_eq!(norm(C::Continue, Env, "${{ secrets.K }}").0, "${K}");
        assert_eq!(
            norm(C::Cline, Args, "${workspaceFolder}").0,
            "$${workspaceFolder}"
        );
        assert_eq!(
            norm(C::RooCode, Args, "${workspaceFolder}/x").0,
            "/work/proj/x"
        );
        assert_eq!(norm(C::Crush, Env, "$K-${K}").0, "${K}-${K}");
        assert_eq!(norm(C::Codex, Env, "pa$$word $X").0, "pa$$word $X");
    }

    #[test]
    fn what_only_the_client_can_fill_in_is_named() {
        let (text, needs) = norm(Client::VsCode, Field::Env, "${input:api-key}");
        assert_eq!(text, "${input:api-key}");
        assert_eq!(
            needs,
            ["the VS Code input `api-key`, which only VS Code can prompt for"]
        );
        assert_eq!(norm(Client::Crush, Field::Args, "$(cat /k)").1.len(), 1);
        assert_eq!(norm(Client::Opencode, Field::Env, "{file:~/.k}").1.len(), 1);
        assert_eq!(norm(Client::Windsurf, Field::Env, "${file:/k}").1.len(), 1);
        assert_eq!(
            norm(Client::Continue, Field::Env, "${{ inputs.k }}").1,
            ["the Continue input `k`, which only Continue can fill in"]
        );
    }
}
