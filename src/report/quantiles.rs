//! p50/p95 in bounded memory: exact while a server has few samples, then a log-scale histogram
//! (buckets 2% wide) so a year of probes costs the same as a week.

/// Samples kept exactly before switching to the histogram.
const EXACT: usize = 4096;
/// Bucket width: each bucket's upper bound is 2% above its lower bound.
const GROWTH: f64 = 1.02;
/// The smallest latency told apart, in ms; anything below lands in the first bucket.
const FLOOR: f64 = 0.01;
/// Enough buckets to reach about ten minutes.
const BUCKETS: usize = 910;

#[derive(Debug, Default)]
pub(crate) struct Quantiles {
    exact: Vec<f64>,
    histogram: Option<Box<[u32]>>,
    count: u64,
}

impl Quantiles {
    pub(crate) fn push(&mut self, ms: f64) {
        if !ms.is_finite() || ms < 0.0 {
            return;
        }
        self.count += 1;
        if let Some(h) = &mut self.histogram {
            h[bucket(ms)] += 1;
            return;
        }
        self.exact.push(ms);
        if self.exact.len() > EXACT {
            let mut h = vec![0u32; BUCKETS].into_boxed_slice();
            for v in self.exact.drain(..) {
                h[bucket(v)] += 1;
            }
            self.exact = Vec::new();
            self.histogram = Some(h);
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Nearest rank: the smallest sample with at least `p` of all samples at or below it.
    pub(crate) fn quantile(&mut self, p: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let rank = ((p * self.count as f64).ceil() as u64).clamp(1, self.count);
        match &self.histogram {
            None => {
                self.exact.sort_unstable_by(f64::total_cmp);
                let i = usize::try_from(rank - 1).unwrap_or(usize::MAX);
                self.exact.get(i).copied()
            }
            Some(h) => {
                let mut seen = 0u64;
                for (i, n) in h.iter().enumerate() {
                    seen += u64::from(*n);
                    if seen >= rank {
                        return Some(middle(i));
                    }
                }
                None
            }
        }
    }
}

fn bucket(ms: f64) -> usize {
    if ms <= FLOOR {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = ((ms / FLOOR).ln() / GROWTH.ln()) as usize;
    i.min(BUCKETS - 1)
}

/// The geometric middle of bucket `i`: within 1% of any sample in it.
fn middle(i: usize) -> f64 {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
    let exp = i as f64 + 0.5;
    FLOOR * GROWTH.powf(exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_then_histogram_within_two_percent() {
        let mut q = Quantiles::default();
        for v in 1..=100 {
            q.push(f64::from(v));
        }
        assert_eq!(q.quantile(0.5), Some(50.0));
        assert_eq!(q.quantile(0.95), Some(95.0));
        for i in 0..20_000 {
            q.push(f64::from(i % 1000) + 1.0);
        }
        let p95 = q.quantile(0.95).unwrap();
        assert!((p95 - 950.0).abs() / 950.0 < 0.02, "{p95}");
    }
}
