//! Which variables each server takes credentials from, so a recommendation can say
//! "rotate JIRA_API_TOKEN".

use std::collections::BTreeMap;

use crate::config::Settings;

/// The variables a server takes credentials from, for "rotate JIRA_API_TOKEN".
pub(crate) fn secret_names(settings: &Settings) -> BTreeMap<String, Vec<String>> {
    let secretish = |n: &str| {
        let n = n.to_ascii_uppercase();
        ["TOKEN", "KEY", "SECRET", "PASSWORD", "PAT", "AUTH"]
            .iter()
            .any(|w| n.contains(w))
    };
    settings
        .servers
        .iter()
        .map(|s| {
            let mut names: Vec<String> = s.env.keys().filter(|k| secretish(k)).cloned().collect();
            for value in s.headers.values().chain(s.env.values()) {
                let (_, referenced) = crate::config::expand(value, &|_| None);
                names.extend(referenced.into_iter().filter(|v| secretish(v)));
            }
            names.sort();
            names.dedup();
            (s.name.clone(), names)
        })
        .collect()
}
