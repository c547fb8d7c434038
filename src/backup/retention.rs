//! restic's `forget` semantics, which users already know: rules are ORed; each keeps the newest
//! backup of each of its calendar buckets; a backup kept by several rules counts for each.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::config::Retention;

/// For backups sorted newest first, which to keep. The newest is always kept, and `min_keep`
/// is a floor under everything else.
pub(crate) fn keep(times: &[DateTime<Utc>], policy: &Retention) -> Vec<bool> {
    type Bucket = fn(&DateTime<Utc>) -> i64;
    let rules: [(u32, Bucket); 6] = [
        (policy.keep_last, |_| i64::MIN),
        (policy.keep_hourly, |t| {
            i64::from(t.year()) * 1_000_000 + i64::from(t.ordinal()) * 100 + i64::from(t.hour())
        }),
        (policy.keep_daily, |t| {
            i64::from(t.year()) * 1000 + i64::from(t.ordinal())
        }),
        (policy.keep_weekly, |t| {
            let w = t.iso_week();
            i64::from(w.year()) * 100 + i64::from(w.week())
        }),
        (policy.keep_monthly, |t| {
            i64::from(t.year()) * 100 + i64::from(t.month())
        }),
        (policy.keep_yearly, |t| i64::from(t.year())),
    ];
    let mut left: Vec<u32> = rules.iter().map(|r| r.0).collect();
    let mut last: Vec<Option<i64>> = vec![None; rules.len()];
    let mut kept = vec![false; times.len()];
    for (i, t) in times.iter().enumerate() {
        for (r, (_, bucket)) in rules.iter().enumerate() {
            if left[r] == 0 {
                continue;
            }
            let b = bucket(t);
            // keep_last: every backup is its own bucket.
            if r == 0 || last[r] != Some(b) {
                last[r] = Some(b);
                left[r] -= 1;
                kept[i] = true;
            }
        }
    }
    // Counts left over after the oldest backup: restic keeps the oldest too.
    if left.iter().zip(&rules).any(|(l, r)| *l > 0 && r.0 > 0)
        && let Some(k) = kept.last_mut()
    {
        *k = true;
    }
    let floor = (policy.min_keep as usize).max(1).min(times.len());
    for k in kept.iter_mut().take(floor) {
        *k = true;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn daily_keeps_newest_of_each_day_and_min_keep_is_a_floor() {
        // Three backups a day for 5 days, newest first.
        let times: Vec<_> = (1..=5)
            .rev()
            .flat_map(|d| [at(d, 20), at(d, 12), at(d, 4)])
            .collect();
        let policy = Retention {
            keep_daily: 3,
            ..Retention::default()
        };
        let kept = keep(&times, &policy);
        let kept_times: Vec<_> = times
            .iter()
            .zip(&kept)
            .filter(|(_, k)| **k)
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(kept_times, vec![at(5, 20), at(4, 20), at(3, 20)]);
        let policy = Retention {
            keep_daily: 3,
            min_keep: 5,
            ..Retention::default()
        };
        assert_eq!(keep(&times, &policy).iter().filter(|k| **k).count(), 6);
    }

    #[test]
    fn leftover_counts_keep_the_oldest_and_rules_are_ored() {
        let times = vec![at(3, 1), at(2, 1), at(1, 1)];
        let policy = Retention {
            keep_last: 1,
            keep_monthly: 6,
            ..Retention::default()
        };
        assert_eq!(keep(&times, &policy), vec![true, false, true]);
    }
}
