//! A server's structural snapshot (tools canonicalised, descriptions hashed, prompts and
//! resources by name) and the comparison of two snapshots.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Changed, ListDrift, Renamed, What};

/// What is compared of one server. Stored in the state dir as the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub tools: BTreeMap<String, Tool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<BTreeSet<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeSet<String>>,
}

/// One tool: its schemas without `title` and `description` (SDKs derive titles from function
/// names), its annotations as listed, and a hash of its description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tool {
    pub input_schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
    /// SHA-256 of the description text ("" when it has none).
    pub description: String,
}

impl Snapshot {
    pub(crate) fn of(inventory: &crate::probe::Inventory) -> Self {
        let tools = inventory
            .tools
            .iter()
            .filter_map(|t| {
                let name = t.get("name")?.as_str()?.to_owned();
                let schema = |key: &str| t.get(key).map(|s| canonical(&strip_schema(s)));
                Some((
                    name,
                    Tool {
                        input_schema: schema("inputSchema").unwrap_or(Value::Null),
                        output_schema: schema("outputSchema"),
                        annotations: t.get("annotations").map(canonical),
                        description: crate::hash::sha256_hex(
                            t.get("description")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .as_bytes(),
                        ),
                    },
                ))
            })
            .collect();
        Self {
            tools,
            prompts: inventory
                .prompts
                .as_ref()
                .map(|p| p.iter().cloned().collect()),
            resources: inventory
                .resources
                .as_ref()
                .map(|r| r.iter().cloned().collect()),
        }
    }

    /// A short, stable digest: the same snapshot always has the same one.
    pub(crate) fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("a snapshot serializes");
        crate::hash::sha256_hex(&bytes)[..16].to_owned()
    }
}

/// Which parts `drift_ignore` leaves out.
pub(super) struct Ignore {
    tools: Vec<(glob::Pattern, Option<What>)>,
    prompts: bool,
    resources: bool,
}

impl Ignore {
    pub(super) fn new(entries: &[String]) -> Self {
        let mut ignore = Ignore {
            tools: Vec::new(),
            prompts: false,
            resources: false,
        };
        for e in entries {
            match e.as_str() {
                "@prompts" => ignore.prompts = true,
                "@resources" => ignore.resources = true,
                _ => {
                    let (tool, part) = match e.split_once('#') {
                        Some((t, "description")) => (t, Some(What::Description)),
                        Some((t, "annotations")) => (t, Some(What::Annotations)),
                        Some((t, _)) => (t, Some(What::Schema)),
                        None => (e.as_str(), None),
                    };
                    if let Ok(p) = glob::Pattern::new(tool) {
                        ignore.tools.push((p, part));
                    }
                }
            }
        }
        ignore
    }

    fn tool(&self, name: &str) -> bool {
        self.tools
            .iter()
            .any(|(p, part)| part.is_none() && p.matches(name))
    }

    fn part(&self, name: &str, what: What) -> bool {
        self.tools
            .iter()
            .any(|(p, part)| *part == Some(what) && p.matches(name))
    }
}

/// What changed from `base` to `now`; all empty when nothing did.
pub(super) struct Difference {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub renamed: Vec<Renamed>,
    pub changed: Vec<Changed>,
    pub prompts: ListDrift,
    pub resources: ListDrift,
}

impl Difference {
    pub(super) fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
            && self.prompts.is_empty()
            && self.resources.is_empty()
    }
}

pub(super) fn compare(base: &Snapshot, now: &Snapshot, ignore: &Ignore) -> Difference {
    let kept = |s: &Snapshot| -> BTreeSet<String> {
        s.tools
            .keys()
            .filter(|n| !ignore.tool(n))
            .cloned()
            .collect()
    };
    let (before, after) = (kept(base), kept(now));
    let mut removed: Vec<String> = before.difference(&after).cloned().collect();
    let mut added: Vec<String> = after.difference(&before).cloned().collect();
    // A removed tool and an added one with the same schemas: a rename.
    let mut renamed = Vec::new();
    removed.retain(|from| {
        let old = &base.tools[from];
        let Some(i) = added.iter().position(|to| {
            let new = &now.tools[to];
            new.input_schema == old.input_schema && new.output_schema == old.output_schema
        }) else {
            return true;
        };
        renamed.push(Renamed {
            from: from.clone(),
            to: added.remove(i),
        });
        false
    });
    let mut changed = Vec::new();
    for name in before.intersection(&after) {
        let (old, new) = (&base.tools[name], &now.tools[name]);
        if !ignore.part(name, What::Schema) {
            let mut lines = Vec::new();
            diff_values(
                "inputSchema",
                &old.input_schema,
                &new.input_schema,
                &mut lines,
            );
            let null = Value::Null;
            diff_values(
                "outputSchema",
                old.output_schema.as_ref().unwrap_or(&null),
                new.output_schema.as_ref().unwrap_or(&null),
                &mut lines,
            );
            if !lines.is_empty() {
                changed.push(Changed {
                    tool: name.clone(),
                    what: What::Schema,
                    diff: compact(lines),
                });
            }
        }
        if !ignore.part(name, What::Description) && old.description != new.description {
            changed.push(Changed {
                tool: name.clone(),
                what: What::Description,
                diff: format!(
                    "description sha256 {} → {}",
                    &old.description[..12.min(old.description.len())],
                    &new.description[..12.min(new.description.len())]
                ),
            });
        }
        if !ignore.part(name, What::Annotations) {
            let null = Value::Null;
            let mut lines = Vec::new();
            diff_values(
                "annotations",
                old.annotations.as_ref().unwrap_or(&null),
                new.annotations.as_ref().unwrap_or(&null),
                &mut lines,
            );
            if !lines.is_empty() {
                changed.push(Changed {
                    tool: name.clone(),
                    what: What::Annotations,
                    diff: compact(lines),
                });
            }
        }
    }
    let lists = |a: &Option<BTreeSet<String>>, b: &Option<BTreeSet<String>>, skip: bool| {
        if skip {
            return ListDrift::default();
        }
        let empty = BTreeSet::new();
        let (a, b) = (a.as_ref().unwrap_or(&empty), b.as_ref().unwrap_or(&empty));
        ListDrift {
            added: b.difference(a).cloned().collect(),
            removed: a.difference(b).cloned().collect(),
        }
    };
    Difference {
        added,
        removed,
        renamed,
        changed,
        prompts: lists(&base.prompts, &now.prompts, ignore.prompts),
        resources: lists(&base.resources, &now.resources, ignore.resources),
    }
}

/// At most this many differences are spelled out per tool and part.
const MAX_DIFF_LINES: usize = 8;
const MAX_VALUE_CHARS: usize = 80;

fn compact(lines: Vec<String>) -> String {
    let more = lines.len().saturating_sub(MAX_DIFF_LINES);
    let mut text = lines
        .into_iter()
        .take(MAX_DIFF_LINES)
        .collect::<Vec<_>>()
        .join("; ");
    if more > 0 {
        text.push_str(&format!("; … {more} more"));
    }
    text
}

fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("{cut}…")
}

/// One line per difference, as `path: old → new`, `+path: new` or `-path`.
fn diff_values(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(before), Value::Object(after)) => {
            let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for key in keys {
                let here = format!("{path}/{key}");
                match (before.get(key), after.get(key)) {
                    (Some(was), Some(is)) => diff_values(&here, was, is, out),
                    (Some(_), None) => out.push(format!("-{here}")),
                    (None, Some(is)) => out.push(format!("+{here}: {}", shown(is))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(before), Value::Array(after)) if before.len() == after.len() => {
            for (i, (was, is)) in before.iter().zip(after).enumerate() {
                diff_values(&format!("{path}/{i}"), was, is, out);
            }
        }
        _ if old != new => out.push(format!("{path}: {} → {}", shown(old), shown(new))),
        _ => {}
    }
}

/// Keys whose values are data, never schemas: nothing is stripped inside them.
const DATA_KEYS: &[&str] = &["default", "examples", "const", "enum", "example"];
/// Keys whose values map names to schemas: the names are kept, whatever they are.
const MAP_KEYS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// A JSON Schema without its `title` and `description` annotations, at every level.
fn strip_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, val) in map {
                if matches!(k.as_str(), "title" | "description") && val.is_string() {
                    continue;
                }
                let val = if DATA_KEYS.contains(&k.as_str()) {
                    val.clone()
                } else if MAP_KEYS.contains(&k.as_str()) {
                    match val {
                        Value::Object(named) => Value::Object(
                            named
                                .iter()
                                .map(|(n, s)| (n.clone(), strip_schema(s)))
                                .collect(),
                        ),
                        other => strip_schema(other),
                    }
                } else {
                    strip_schema(val)
                };
                out.insert(k.clone(), val);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strip_schema).collect()),
        other => other.clone(),
    }
}

/// The same value with every object's keys in sorted order.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(tools: &Value) -> Snapshot {
        Snapshot::of(&crate::probe::Inventory {
            tools: tools.as_array().unwrap().clone(),
            prompts: None,
            resources: None,
        })
    }

    #[test]
    fn titles_and_descriptions_inside_schemas_do_not_count_but_a_property_named_title_does() {
        let a = snap(
            &json!([{"name": "t", "description": "x", "inputSchema": {"title": "TArgs", "type": "object",
            "properties": {"title": {"type": "string", "description": "the title"}}}}]),
        );
        let b = snap(
            &json!([{"name": "t", "description": "x", "inputSchema": {"type": "object", "title": "Other",
            "properties": {"title": {"type": "string"}}}}]),
        );
        assert!(compare(&a, &b, &Ignore::new(&[])).is_empty());
        let c = snap(
            &json!([{"name": "t", "description": "x", "inputSchema": {"type": "object",
            "properties": {"name": {"type": "string"}}}}]),
        );
        let d = compare(&a, &c, &Ignore::new(&[]));
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            d.changed[0].diff,
            "+inputSchema/properties/name: {\"type\":\"string\"}; -inputSchema/properties/title"
        );
    }

    #[test]
    fn a_rename_is_a_removed_and_an_added_tool_with_the_same_schema() {
        let a = snap(
            &json!([{"name": "get_time", "inputSchema": {"type": "object"}},
                             {"name": "other", "inputSchema": {"type": "object", "required": ["x"]}}]),
        );
        let b = snap(
            &json!([{"name": "current_time", "inputSchema": {"type": "object"}},
                             {"name": "new", "inputSchema": {"type": "object", "required": ["y"]}}]),
        );
        let d = compare(&a, &b, &Ignore::new(&[]));
        assert_eq!(d.renamed.len(), 1);
        assert_eq!(
            (d.renamed[0].from.as_str(), d.renamed[0].to.as_str()),
            ("get_time", "current_time")
        );
        assert_eq!(d.added, ["new"]);
        assert_eq!(d.removed, ["other"]);
    }

    #[test]
    fn ignored_tools_and_parts_are_left_out() {
        let a = snap(
            &json!([{"name": "x_1", "inputSchema": {}}, {"name": "k", "description": "a", "inputSchema": {}}]),
        );
        let b = snap(&json!([{"name": "k", "description": "b", "inputSchema": {}}]));
        let ignore = Ignore::new(&["x_*".into(), "k#description".into()]);
        assert!(compare(&a, &b, &ignore).is_empty());
    }
}
