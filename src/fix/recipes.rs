//! From a matched issue to a concrete action in a checkout: file edits computed here, an argv
//! to run there, or a re-run through the API. Every captured value passes its grammar first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use super::workflow;
use crate::types::grammar::Grammar;
pub(crate) use crate::types::recipe::UserRecipe;

/// One file's new content.
#[derive(Debug, Clone)]
pub(crate) struct FileEdit {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Action {
    Edit(Vec<FileEdit>),
    Run(Vec<Vec<String>>),
    Rerun,
}

/// What the recipe may look at.
pub(crate) struct Context<'a> {
    pub checkout: &'a Path,
    pub workflow: Option<&'a str>,
    pub job: Option<&'a str>,
    pub pattern_id: &'a str,
    /// Action → its current major ref, from the `actions` tables.
    pub actions: &'a BTreeMap<String, String>,
    pub max_timeout_minutes: u32,
    pub user: &'a BTreeMap<String, UserRecipe>,
}

/// The issue's recipe request: the recipe, its arguments (captures already substituted by
/// gh-watch) and the issue's key and captures for user placeholders.
pub(crate) struct Request<'a> {
    pub recipe: &'a str,
    pub args: &'a [String],
    pub key: Option<&'a str>,
    pub captures: &'a BTreeMap<String, String>,
    /// The matched line and its neighbours, for recipes that read more than the captures.
    pub context: &'a [String],
}

/// Why a recipe was not planned. `Refused` is a capture that failed its grammar: possibly
/// hostile, never run. `Cannot` is everything else.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotPlanned {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Cannot(String),
}

type Planned = Result<Action, NotPlanned>;

fn arg<'a>(req: &'a Request<'_>, what: &str) -> Result<&'a str, NotPlanned> {
    req.args
        .first()
        .map(String::as_str)
        .or(req.key)
        .ok_or_else(|| {
            NotPlanned::Cannot(format!(
                "{} needs {what}, and the issue has none",
                req.recipe
            ))
        })
}

fn check(g: Grammar, v: &str) -> Result<(), NotPlanned> {
    g.check(v)
        .map(|_| ())
        .map_err(|e| NotPlanned::Refused(format!("refused: {e}")))
}

pub(crate) fn plan(req: &Request<'_>, cx: &Context<'_>) -> Planned {
    match req.recipe {
        "npm-install" => npm_add(req, cx, false),
        "npm-add-dev" => npm_add(req, cx, true),
        "npm-legacy-peer-deps" => legacy_peer_deps(cx),
        "pip-add" => pip_add(req, cx),
        "format" => format(cx),
        "bump-action" => bump_action(req, cx),
        "set-node-version" => set_node_version(req, cx),
        "add-permissions" => add_permissions(req, cx),
        "raise-timeout" => raise_timeout(req, cx),
        "rerun" => Ok(Action::Rerun),
        other => match cx.user.get(other) {
            Some(user) => user_recipe(user, req),
            None => Err(NotPlanned::Cannot(format!(
                "unknown recipe `{other}`: not built in and not in [fix.recipes]"
            ))),
        },
    }
}

/// `lodash/fp` needs `lodash`; `@scope/pkg/sub` needs `@scope/pkg`.
fn npm_root(module: &str) -> &str {
    let mut cut = module.match_indices('/');
    let end = if module.starts_with('@') {
        cut.nth(1)
    } else {
        cut.next()
    };
    end.map_or(module, |(i, _)| &module[..i])
}

const NODE_BUILTINS: &[&str] = &[
    "assert",
    "buffer",
    "child_process",
    "crypto",
    "events",
    "fs",
    "http",
    "https",
    "net",
    "os",
    "path",
    "process",
    "stream",
    "url",
    "util",
    "zlib",
];

fn npm_add(req: &Request<'_>, cx: &Context<'_>, dev: bool) -> Planned {
    let raw = arg(req, "a package name")?;
    check(
        Grammar::NpmPackage,
        npm_root(raw).trim_start_matches("node:"),
    )?;
    let pkg = npm_root(raw);
    if NODE_BUILTINS.contains(&pkg) || raw.starts_with("node:") {
        return Err(NotPlanned::Cannot(format!(
            "`{pkg}` is a Node.js built-in module"
        )));
    }
    if !cx.checkout.join("package.json").is_file() {
        return Err(NotPlanned::Cannot(
            "the checkout has no package.json".into(),
        ));
    }
    let argv: Vec<&str> = if cx.checkout.join("pnpm-lock.yaml").is_file() {
        if dev {
            vec!["pnpm", "add", "--ignore-scripts", "--save-dev", pkg]
        } else {
            vec!["pnpm", "add", "--ignore-scripts", pkg]
        }
    } else if cx.checkout.join("yarn.lock").is_file() {
        if dev {
            vec!["yarn", "add", "--ignore-scripts", "--dev", pkg]
        } else {
            vec!["yarn", "add", "--ignore-scripts", pkg]
        }
    } else {
        let save = if dev { "--save-dev" } else { "--save" };
        vec![
            "npm",
            "install",
            save,
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            pkg,
        ]
    };
    Ok(Action::Run(vec![
        argv.into_iter().map(str::to_owned).collect(),
    ]))
}

/// A file a recipe edits: None when it does not exist. A symlink or anything but a regular file
/// is refused: following it would commit whatever it points at (a home `.npmrc` with a token).
fn read_target(path: &Path) -> Result<Option<String>, NotPlanned> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(NotPlanned::Cannot(format!("cannot read {name}: {e}"))),
        Ok(m) if !m.file_type().is_file() => Err(NotPlanned::Refused(format!(
            "refused: {name} is a symlink or not a regular file; it is not edited"
        ))),
        Ok(_) => std::fs::read_to_string(path)
            .map(Some)
            .map_err(|e| NotPlanned::Cannot(format!("cannot read {name}: {e}"))),
    }
}

fn legacy_peer_deps(cx: &Context<'_>) -> Planned {
    let path = cx.checkout.join(".npmrc");
    let before = read_target(&path)?.unwrap_or_default();
    if before
        .lines()
        .any(|l| l.trim().replace(' ', "") == "legacy-peer-deps=true")
    {
        return Err(NotPlanned::Cannot(
            ".npmrc already sets legacy-peer-deps=true".into(),
        ));
    }
    let mut after = before.clone();
    if !after.is_empty() && !after.ends_with('\n') {
        after.push('\n');
    }
    after.push_str("legacy-peer-deps=true\n");
    Ok(Action::Edit(vec![FileEdit {
        path,
        before,
        after,
    }]))
}

/// Import names whose distribution is called something else.
const PYPI_NAMES: &[(&str, &str)] = &[
    ("attr", "attrs"),
    ("bs4", "beautifulsoup4"),
    ("Crypto", "pycryptodome"),
    ("cv2", "opencv-python"),
    ("dateutil", "python-dateutil"),
    ("docx", "python-docx"),
    ("dotenv", "python-dotenv"),
    ("fitz", "PyMuPDF"),
    ("git", "GitPython"),
    ("google.protobuf", "protobuf"),
    ("jwt", "PyJWT"),
    ("magic", "python-magic"),
    ("MySQLdb", "mysqlclient"),
    ("PIL", "Pillow"),
    ("psycopg2", "psycopg2-binary"),
    ("serial", "pyserial"),
    ("skimage", "scikit-image"),
    ("sklearn", "scikit-learn"),
    ("yaml", "PyYAML"),
    ("zmq", "pyzmq"),
];

fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

fn pip_add(req: &Request<'_>, cx: &Context<'_>) -> Planned {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)").expect("regex"));
    let module = arg(req, "a module name")?;
    check(Grammar::Pypi, module)?;
    let dist = PYPI_NAMES
        .iter()
        .find(|(m, _)| *m == module)
        .or_else(|| {
            let top = module.split('.').next().unwrap_or(module);
            PYPI_NAMES.iter().find(|(m, _)| *m == top)
        })
        .map_or_else(|| module.split('.').next().unwrap_or(module), |(_, d)| *d);
    check(Grammar::Pypi, dist)?;
    let req_txt = cx.checkout.join("requirements.txt");
    if let Some(before) = read_target(&req_txt)? {
        let listed = before
            .lines()
            .filter_map(|l| NAME.captures(l))
            .any(|c| normalise(&c[1]) == normalise(dist));
        if listed {
            return Err(NotPlanned::Cannot(format!(
                "{dist} is already in requirements.txt; the job may install from elsewhere"
            )));
        }
        let mut after = before.clone();
        if !after.is_empty() && !after.ends_with('\n') {
            after.push('\n');
        }
        after.push_str(dist);
        after.push('\n');
        return Ok(Action::Edit(vec![FileEdit {
            path: req_txt,
            before,
            after,
        }]));
    }
    let pyproject = cx.checkout.join("pyproject.toml");
    if let Some(before) = read_target(&pyproject)? {
        let mut doc: toml_edit::DocumentMut = before
            .parse()
            .map_err(|e| NotPlanned::Cannot(format!("pyproject.toml does not parse: {e}")))?;
        let deps = doc
            .get_mut("project")
            .and_then(|p| p.get_mut("dependencies"))
            .and_then(|d| d.as_array_mut())
            .ok_or_else(|| {
                NotPlanned::Cannot("pyproject.toml has no [project] dependencies list".into())
            })?;
        let listed = deps.iter().filter_map(|v| v.as_str()).any(|v| {
            let name = v
                .split(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
                .next();
            name.is_some_and(|n| normalise(n) == normalise(dist))
        });
        if listed {
            return Err(NotPlanned::Cannot(format!(
                "{dist} is already a dependency in pyproject.toml"
            )));
        }
        deps.push(dist);
        return Ok(Action::Edit(vec![FileEdit {
            path: pyproject,
            before,
            after: doc.to_string(),
        }]));
    }
    Err(NotPlanned::Cannot(
        "the checkout has neither requirements.txt nor pyproject.toml".into(),
    ))
}

fn format(cx: &Context<'_>) -> Planned {
    let has = |f: &str| cx.checkout.join(f).is_file();
    let read = |f: &str| std::fs::read_to_string(cx.checkout.join(f)).unwrap_or_default();
    let pyproject = read("pyproject.toml");
    let package = read("package.json");
    let mut found: Vec<(&str, Vec<&str>)> = Vec::new();
    if has("Cargo.toml") {
        found.push(("rustfmt", vec!["cargo", "fmt", "--all"]));
    }
    if has("ruff.toml") || has(".ruff.toml") || pyproject.contains("[tool.ruff") {
        found.push(("ruff", vec!["ruff", "format", "."]));
    } else if pyproject.contains("[tool.black]") {
        found.push(("black", vec!["black", "."]));
    }
    let prettierrc = [
        ".prettierrc",
        ".prettierrc.json",
        ".prettierrc.yaml",
        ".prettierrc.js",
        "prettier.config.js",
    ];
    if prettierrc.iter().any(|f| has(f)) || package.contains("\"prettier\"") {
        found.push((
            "prettier",
            vec!["npx", "--no-install", "prettier", "--write", "."],
        ));
    }
    if package.contains("\"eslint\"") {
        found.push((
            "eslint",
            vec!["npx", "--no-install", "eslint", "--fix", "."],
        ));
    }
    if has("go.mod") {
        found.push(("gofmt", vec!["gofmt", "-w", "."]));
    }
    // The pattern names the tool that complained; run that one when the repo has it.
    let named: Vec<_> = found
        .iter()
        .filter(|(tool, _)| cx.pattern_id.contains(tool))
        .cloned()
        .collect();
    let chosen = if named.is_empty() {
        found.into_iter().filter(|(t, _)| *t != "eslint").collect()
    } else {
        named
    };
    if chosen.is_empty() {
        return Err(NotPlanned::Cannot(
            "no formatter configured in the checkout (Cargo.toml, ruff/black in pyproject, prettier, go.mod)".into(),
        ));
    }
    Ok(Action::Run(
        chosen
            .into_iter()
            .map(|(_, argv)| argv.into_iter().map(str::to_owned).collect())
            .collect(),
    ))
}

fn edits_in(
    files: Vec<PathBuf>,
    what: &str,
    edit: impl Fn(&str) -> Result<Option<String>, workflow::EditError>,
) -> Planned {
    let mut out = Vec::new();
    for path in files {
        let Some(before) = read_target(&path)? else {
            continue;
        };
        let changed = edit(&before).map_err(|e| {
            NotPlanned::Cannot(format!(
                "{}: {e}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ))
        })?;
        if let Some(after) = changed {
            out.push(FileEdit {
                path,
                before,
                after,
            });
        }
    }
    if out.is_empty() {
        return Err(NotPlanned::Cannot(format!("no workflow file {what}")));
    }
    Ok(Action::Edit(out))
}

fn bump_action(req: &Request<'_>, cx: &Context<'_>) -> Planned {
    let raw = arg(req, "an action")?;
    let action = if let Some((name, _)) = raw.split_once('@') {
        check(Grammar::ActionRef, raw)?;
        name
    } else {
        check(Grammar::Action, raw)?;
        raw
    };
    let lower = action.to_ascii_lowercase();
    let Some(target) = cx.actions.get(&lower) else {
        return Err(NotPlanned::Cannot(format!(
            "no current version of {action} is known; add it to an actions.yaml in [github] patterns_dirs"
        )));
    };
    edits_in(
        workflow::files(cx.checkout),
        &format!("uses {action} below {target}"),
        |t| workflow::bump_action(t, action, target),
    )
}

fn failing_workflow(cx: &Context<'_>) -> Result<Vec<PathBuf>, NotPlanned> {
    workflow::find_by_name(cx.checkout, cx.workflow)
        .map(|p| vec![p])
        .ok_or_else(|| {
            NotPlanned::Cannot(format!(
                "cannot tell which file in .github/workflows is the workflow {:?}",
                cx.workflow.unwrap_or("")
            ))
        })
}

fn set_node_version(req: &Request<'_>, cx: &Context<'_>) -> Planned {
    let raw = arg(req, "a Node.js version")?;
    check(Grammar::NodeVersion, raw)?;
    let major: String = raw
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let mut plan = match edits_in(failing_workflow(cx)?, "sets node-version", |t| {
        workflow::set_node_version(t, &major)
    }) {
        Ok(Action::Edit(edits)) => edits,
        Ok(_) => unreachable!("edits_in only edits"),
        Err(e) => return Err(e),
    };
    let package = cx.checkout.join("package.json");
    if let Some(before) = read_target(&package)? {
        static ENGINES: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"("engines"\s*:\s*\{[^{}]*?"node"\s*:\s*")([^"]*)(")"#).expect("regex")
        });
        if let Some(c) = ENGINES.captures(&before) {
            let value = c.get(2).expect("group");
            let wanted = format!(">={major}");
            if value.as_str() != wanted {
                let after = format!(
                    "{}{wanted}{}",
                    &before[..value.start()],
                    &before[value.end()..]
                );
                plan.push(FileEdit {
                    path: package,
                    before,
                    after,
                });
            }
        }
    }
    Ok(Action::Edit(plan))
}

/// REST paths a denied call may name, and the permission each needs.
const SCOPES: &[(&str, &str)] = &[
    ("/issues", "issues: write"),
    ("/labels", "issues: write"),
    ("/pulls", "pull-requests: write"),
    ("/releases", "contents: write"),
    ("/git/refs", "contents: write"),
    ("/contents/", "contents: write"),
    ("/check-runs", "checks: write"),
    ("/check-suites", "checks: write"),
    ("/statuses/", "statuses: write"),
    ("/deployments", "deployments: write"),
    ("/code-scanning/", "security-events: write"),
    ("/pages", "pages: write"),
    ("/actions/", "actions: write"),
];

/// The permissions a denied call needed: the recipe's argument, else GitHub's own
/// `x-accepted-github-permissions` header, else the API path in the lines around the error
/// (octokit prints the request URL and the response headers with the error).
fn wanted_permissions(req: &Request<'_>) -> Option<Vec<String>> {
    if let Some(arg) = req.args.first() {
        return Some(vec![arg.clone()]);
    }
    let by_path = permission_by_path(req);
    if let Some(set) = accepted_permissions(req, by_path.as_deref()) {
        return Some(set);
    }
    by_path.map(|p| vec![p])
}

/// `issues=write; pull_requests=write`: sets of permissions separated by `;`, any one of them
/// enough; the permissions of one set separated by `,`. The set that names the scope of the
/// API path wins, else the first one that a workflow can grant.
fn accepted_permissions(req: &Request<'_>, by_path: Option<&str>) -> Option<Vec<String>> {
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)x-accepted-github-permissions['"]?\s*:\s*['"]?([a-z_]+=[a-z]+(?:\s*[;,]\s*[a-z_]+=[a-z]+)*)"#,
        )
        .expect("regex")
    });
    let value = req.captures.get("accepted").cloned().or_else(|| {
        req.context
            .iter()
            .find_map(|l| HEADER.captures(l).map(|c| c[1].to_owned()))
    })?;
    let sets: Vec<Vec<String>> = value
        .split(';')
        .filter_map(|set| {
            let perms: Vec<String> = set
                .split(',')
                .filter_map(|p| {
                    let (scope, level) = p.trim().split_once('=')?;
                    // Every token may read metadata; a workflow cannot name it.
                    (scope != "metadata")
                        .then(|| format!("{}: {}", scope.replace('_', "-"), level.trim()))
                })
                .collect();
            let grantable =
                !perms.is_empty() && perms.iter().all(|p| Grammar::Permission.check(p).is_ok());
            grantable.then_some(perms)
        })
        .collect();
    let scope_of = |p: &str| p.split(':').next().unwrap_or("").to_owned();
    by_path
        .and_then(|want| {
            sets.iter()
                .find(|set| set.iter().any(|p| scope_of(p) == scope_of(want)))
        })
        .or_else(|| sets.first())
        .cloned()
}

/// The permission the REST path of the denied call needs, when the lines name one path.
fn permission_by_path(req: &Request<'_>) -> Option<String> {
    static PATH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/repos/[^/\s]+/[^/\s]+(/[A-Za-z0-9_/.-]*)").expect("regex"));
    let mut found: Vec<&str> = req
        .context
        .iter()
        .filter_map(|line| PATH.captures(line))
        .filter_map(|c| {
            let path = c.get(1)?.as_str();
            SCOPES
                .iter()
                .find(|(p, _)| path.contains(p))
                .map(|(_, s)| *s)
        })
        .collect();
    found.dedup();
    (found.len() == 1).then(|| found[0].to_owned())
}

fn add_permissions(req: &Request<'_>, cx: &Context<'_>) -> Planned {
    let Some(wanted) = wanted_permissions(req) else {
        return Err(NotPlanned::Cannot(
            "the log does not say which permission is missing; add it to the workflow by hand"
                .into(),
        ));
    };
    for raw in &wanted {
        check(Grammar::Permission, raw)?;
    }
    edits_in(
        failing_workflow(cx)?,
        &format!("lacks {}", wanted.join(", ")),
        |text| {
            let mut current: Option<String> = None;
            for raw in &wanted {
                let (scope, level) = raw.split_once(": ").expect("the grammar has `: `");
                let base = current.as_deref().unwrap_or(text);
                if let Some(next) = workflow::add_permission(base, scope, level)? {
                    current = Some(next);
                }
            }
            Ok(current)
        },
    )
}

fn raise_timeout(req: &Request<'_>, cx: &Context<'_>) -> Planned {
    let raw = arg(req, "the minutes the job ran")?;
    check(Grammar::Minutes, raw)?;
    let minutes: u32 = raw
        .parse()
        .map_err(|_| NotPlanned::Refused(format!("refused: {raw:?} is not a number of minutes")))?;
    edits_in(
        failing_workflow(cx)?,
        &format!("has timeout-minutes: {minutes}"),
        |t| workflow::raise_timeout(t, cx.job, minutes, cx.max_timeout_minutes),
    )
}

fn user_recipe(user: &UserRecipe, req: &Request<'_>) -> Planned {
    static HOLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("regex"));
    let mut argv = Vec::with_capacity(user.argv.len());
    for part in &user.argv {
        let mut problem = None;
        let filled = HOLE.replace_all(part, |c: &regex::Captures<'_>| {
            let name = &c[1];
            let value = if name == "key" {
                req.key.map(str::to_owned)
            } else {
                req.captures.get(name).cloned()
            };
            let grammar = user.placeholders.get(name);
            match (value, grammar) {
                (Some(v), Some(g)) => match g.check(&v) {
                    Ok(_) => v,
                    Err(e) => {
                        problem.get_or_insert(NotPlanned::Refused(format!("refused: {e}")));
                        String::new()
                    }
                },
                (None, _) => {
                    problem.get_or_insert(NotPlanned::Cannot(format!(
                        "the issue has no capture `{name}`"
                    )));
                    String::new()
                }
                (Some(_), None) => {
                    problem.get_or_insert(NotPlanned::Cannot(format!(
                        "placeholder `{name}` has no grammar"
                    )));
                    String::new()
                }
            }
        });
        if let Some(p) = problem {
            return Err(p);
        }
        argv.push(filled.into_owned());
    }
    Ok(Action::Run(vec![argv]))
}

/// A unified diff of the edits, with paths relative to the checkout.
pub(crate) fn diff(checkout: &Path, edits: &[FileEdit]) -> String {
    let mut out = String::new();
    for e in edits {
        let rel = e
            .path
            .strip_prefix(checkout)
            .unwrap_or(&e.path)
            .display()
            .to_string();
        let d = similar::TextDiff::from_lines(&e.before, &e.after);
        out.push_str(
            &d.unified_diff()
                .context_radius(2)
                .header(&format!("a/{rel}"), &format!("b/{rel}"))
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::npm_root;

    #[test]
    fn npm_roots() {
        assert_eq!(npm_root("lodash/fp"), "lodash");
        assert_eq!(npm_root("@types/node/fs"), "@types/node");
        assert_eq!(npm_root("left-pad"), "left-pad");
    }
}
