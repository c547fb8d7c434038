//! CI failures from gh-watch reports (by category and repo, top fingerprints, flaky against
//! persistent) and fixes from fix reports (applied, verify success rate).

use crate::ci::history::Recurrence;
use crate::fix::outcome::Outcome;
use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::lean;

/// Top fingerprints listed.
const TOP: usize = 5;

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct CiFigures {
    /// Failed runs classified in the window, and the issues found in them.
    pub runs: u64,
    pub issues: u64,
    pub by_category: Vec<CategoryCount>,
    pub top_fingerprints: Vec<FingerprintCount>,
    /// From each issue's `recurrence`: persistent, rerun_candidate (flaky) or new; issues from
    /// reports without it are `unclassified`.
    pub persistent: u64,
    pub flaky: u64,
    pub new: u64,
    pub unclassified: u64,
    pub fixes: FixFigures,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct CategoryCount {
    pub category: String,
    pub repo: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct FingerprintCount {
    pub fingerprint: String,
    pub category: String,
    pub repo: String,
    pub key: Option<String>,
    pub count: u64,
    /// The newest recurrence seen for it.
    pub recurrence: Option<Recurrence>,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub(crate) struct FixFigures {
    pub planned: u64,
    pub applied: u64,
    pub rolled_back: u64,
    pub refused: u64,
    pub skipped: u64,
    /// Applied fixes whose verification ran, and those that passed.
    pub verified: u64,
    pub verify_passed: u64,
    pub verify_success_pct: Option<f64>,
    /// Applied (or applied then rolled back) fixes by recipe, most first.
    pub by_recipe: Vec<RecipeCount>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct RecipeCount {
    pub recipe: String,
    pub applied: u64,
    pub verify_passed: u64,
}

#[derive(Default)]
pub(crate) struct Ci {
    runs: u64,
    issues: u64,
    seen: HashSet<(u64, String)>,
    by_category: BTreeMap<(String, String), u64>,
    prints: BTreeMap<String, FingerprintCount>,
    persistent: u64,
    flaky: u64,
    new: u64,
    unclassified: u64,
    fixes: FixFigures,
    recipes: BTreeMap<String, (u64, u64)>,
}

impl Ci {
    pub(crate) fn push_watch(&mut self, r: lean::GhWatch) {
        for run in r.runs {
            let repo = run.repo.unwrap_or_else(|| "-".into());
            let mut counted = false;
            for issue in run.issues {
                let fingerprint = issue.fingerprint;
                // `gh-watch --all` classifies a run again: count each issue of a run once.
                if let Some(id) = run.run_id
                    && !self.seen.insert((id, fingerprint.clone()))
                {
                    continue;
                }
                counted = true;
                self.issues += 1;
                let category = issue.category;
                *self
                    .by_category
                    .entry((category.clone(), repo.clone()))
                    .or_default() += 1;
                match issue.recurrence {
                    Recurrence::Persistent => self.persistent += 1,
                    Recurrence::RerunCandidate => self.flaky += 1,
                    Recurrence::New => self.new += 1,
                    Recurrence::Other => self.unclassified += 1,
                }
                if !fingerprint.is_empty() {
                    let e = self.prints.entry(fingerprint.clone()).or_insert_with(|| {
                        FingerprintCount {
                            fingerprint,
                            category,
                            repo: repo.clone(),
                            key: issue.key.clone(),
                            count: 0,
                            recurrence: None,
                        }
                    });
                    e.count += 1;
                    if issue.recurrence != Recurrence::Other {
                        e.recurrence = Some(issue.recurrence);
                    }
                }
            }
            self.runs += u64::from(counted);
        }
    }

    pub(crate) fn push_fix(&mut self, r: lean::Fix) {
        for f in r.fixes {
            let fixes = &mut self.fixes;
            match f.outcome {
                Outcome::Planned => fixes.planned += 1,
                Outcome::Applied => fixes.applied += 1,
                Outcome::RolledBack => fixes.rolled_back += 1,
                Outcome::Refused => fixes.refused += 1,
                Outcome::Skipped | Outcome::Other => fixes.skipped += 1,
            }
            // A rolled-back fix was applied first; its verification counts too.
            if matches!(f.outcome, Outcome::Applied | Outcome::RolledBack) {
                let recipe = self
                    .recipes
                    .entry(f.recipe.unwrap_or_else(|| "-".into()))
                    .or_default();
                recipe.0 += 1;
                if let Some(passed) = f.verify_passed {
                    fixes.verified += 1;
                    fixes.verify_passed += u64::from(passed);
                    recipe.1 += u64::from(passed);
                }
            }
        }
    }

    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn finish(self) -> CiFigures {
        let mut by_category: Vec<CategoryCount> = self
            .by_category
            .into_iter()
            .map(|((category, repo), count)| CategoryCount {
                category,
                repo,
                count,
            })
            .collect();
        by_category.sort_by_key(|c| std::cmp::Reverse(c.count));
        let mut prints: Vec<FingerprintCount> = self.prints.into_values().collect();
        prints.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        prints.truncate(TOP);
        let mut fixes = self.fixes;
        fixes.verify_success_pct = (fixes.verified > 0).then(|| {
            super::servers::round1(100.0 * fixes.verify_passed as f64 / fixes.verified as f64)
        });
        let mut recipes: Vec<RecipeCount> = self
            .recipes
            .into_iter()
            .map(|(recipe, (applied, verify_passed))| RecipeCount {
                recipe,
                applied,
                verify_passed,
            })
            .collect();
        recipes.sort_by_key(|r| std::cmp::Reverse(r.applied));
        fixes.by_recipe = recipes;
        CiFigures {
            runs: self.runs,
            issues: self.issues,
            by_category,
            top_fingerprints: prints,
            persistent: self.persistent,
            flaky: self.flaky,
            new: self.new,
            unclassified: self.unclassified,
            fixes,
        }
    }
}
