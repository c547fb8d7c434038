//! Flap detection in the manner of Nagios: over a server's last 21 states, the share of the 20
//! transitions that changed state, newer ones weighing more (0.8 to 1.2). Flapping starts above
//! 50 % and stops below 25 %; in between it stays as it was, so it never flaps itself.

use std::collections::VecDeque;

const KEPT: usize = 21;
const START: f64 = 50.0;
const STOP: f64 = 25.0;

#[derive(Debug, Default)]
pub(super) struct Flap {
    states: VecDeque<bool>,
    pub(super) flapping: bool,
}

/// What one observation did to the flapping state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    Same,
    Started,
    Stopped,
}

impl Flap {
    /// Records whether the server was failing in this pass.
    pub(super) fn observe(&mut self, failing: bool) -> Turn {
        if self.states.len() == KEPT {
            self.states.pop_front();
        }
        self.states.push_back(failing);
        let change = self.percent_change();
        match (self.flapping, change) {
            (false, c) if c > START => {
                self.flapping = true;
                Turn::Started
            }
            (true, c) if c < STOP => {
                self.flapping = false;
                Turn::Stopped
            }
            _ => Turn::Same,
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn percent_change(&self) -> f64 {
        let n = self.states.len();
        if n < 2 {
            return 0.0;
        }
        let steps = (KEPT - 1) as f64;
        let (mut changed, mut total) = (0.0, 0.0);
        // Weighted as if the window were full, so a short history is not over-counted.
        for (i, pair) in self
            .states
            .iter()
            .zip(self.states.iter().skip(1))
            .enumerate()
        {
            let age = (KEPT - n + i) as f64;
            let weight = 0.8 + 0.4 * age / (steps - 1.0);
            total += weight;
            if pair.0 != pair.1 {
                changed += weight;
            }
        }
        if n < KEPT {
            // Too little history to call it flapping: scale by how full the window is.
            changed *= (n - 1) as f64 / steps;
        }
        100.0 * changed / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_keeps_changing_flaps_and_settles() {
        let mut f = Flap::default();
        let mut turns = Vec::new();
        for i in 0..30 {
            turns.push(f.observe(i % 2 == 0));
        }
        assert_eq!(turns.iter().filter(|t| **t == Turn::Started).count(), 1);
        assert!(f.flapping);
        for _ in 0..30 {
            turns.push(f.observe(false));
        }
        assert_eq!(turns.iter().filter(|t| **t == Turn::Stopped).count(), 1);
        assert!(!f.flapping);
    }

    #[test]
    fn one_outage_and_its_recovery_is_not_flapping() {
        let mut f = Flap::default();
        for failing in [false, false, true, true, true, false, false, false] {
            assert_eq!(f.observe(failing), Turn::Same);
        }
    }
}
