//! Confirmation tokens for the two-step actions: minted by the server with the plan, bound to the
//! action, its target and the plan's digest, single-use, and valid for two minutes. A model
//! cannot make one up, and a token for one plan never confirms another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a plan's token stays good.
pub(crate) const TTL: Duration = Duration::from_secs(120);

/// The token lifetime: [`TTL`], or shorter when `MCPCTL_CONFIRM_TTL` says so (never longer).
pub(crate) fn ttl() -> Duration {
    static TTL_NOW: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *TTL_NOW.get_or_init(|| {
        std::env::var(crate::env_vars::MCPCTL_CONFIRM_TTL)
            .ok()
            .and_then(|v| humantime::parse_duration(&v).ok())
            .map_or(TTL, |d| d.min(TTL))
    })
}
/// Tokens kept at most; the oldest go first, so a client that never confirms cannot grow memory.
const MAX_PENDING: usize = 1024;

struct Pending {
    action: String,
    target: String,
    digest: String,
    expires: Instant,
}

/// Why a presented token was refused. Every refusal uses the token up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Never minted here, already used, or altered.
    Unknown,
    Expired,
    /// Minted for another action or target.
    OtherTarget,
    /// The plan is not the one the token was minted for any more.
    PlanChanged,
}

impl Refused {
    pub(crate) fn explain(&self) -> &'static str {
        match self {
            Refused::Unknown => {
                "the confirmation token is not one this server issued, or it was already used: tokens are single-use; call again without confirmation_token for a new plan"
            }
            Refused::Expired => {
                "the confirmation token has expired (tokens last 2 minutes); call again without confirmation_token for a new plan"
            }
            Refused::OtherTarget => {
                "the confirmation token was issued for another action or target; call again without confirmation_token for a new plan"
            }
            Refused::PlanChanged => {
                "the plan changed since the confirmation token was issued; nothing was done: call again without confirmation_token to see the new plan"
            }
        }
    }

    pub(crate) fn word(&self) -> &'static str {
        match self {
            Refused::Unknown => "token_unknown",
            Refused::Expired => "token_expired",
            Refused::OtherTarget => "token_other_target",
            Refused::PlanChanged => "plan_changed",
        }
    }
}

/// Why no token could be made: the first call is refused rather than offer a plan that can never
/// be confirmed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MintError {
    #[error("no randomness for a token: {0}")]
    Randomness(#[source] getrandom::Error),
    #[error("token store poisoned")]
    Poisoned,
}

#[derive(Default)]
pub(crate) struct Tokens {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Tokens {
    /// A new token for this plan: 128 random bits from the OS, hex.
    pub(crate) fn mint(
        &self,
        action: &str,
        target: &str,
        digest: &str,
    ) -> Result<String, MintError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(MintError::Randomness)?;
        let token = format!("mcpctl-{}", hex::encode(bytes));
        let now = Instant::now();
        let mut pending = self.pending.lock().map_err(|_| MintError::Poisoned)?;
        pending.retain(|_, p| p.expires > now);
        if pending.len() >= MAX_PENDING
            && let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, p)| p.expires)
                .map(|(k, _)| k.clone())
        {
            pending.remove(&oldest);
        }
        pending.insert(
            token.clone(),
            Pending {
                action: action.to_owned(),
                target: target.to_owned(),
                digest: digest.to_owned(),
                expires: now + ttl(),
            },
        );
        Ok(token)
    }

    /// Takes the token out, whatever the verdict: a token is good for one presentation only.
    pub(crate) fn redeem(
        &self,
        token: &str,
        action: &str,
        target: &str,
        digest: &str,
    ) -> Result<(), Refused> {
        let entry = self
            .pending
            .lock()
            .map_err(|_| Refused::Unknown)?
            .remove(token);
        let Some(p) = entry else {
            return Err(Refused::Unknown);
        };
        if Instant::now() >= p.expires {
            return Err(Refused::Expired);
        }
        if p.action != action || p.target != target {
            return Err(Refused::OtherTarget);
        }
        if p.digest != digest {
            return Err(Refused::PlanChanged);
        }
        Ok(())
    }

    /// For tests of expiry: makes every pending token expire now.
    #[cfg(test)]
    pub(crate) fn expire_all(&self) {
        if let Ok(mut pending) = self.pending.lock() {
            let now = Instant::now();
            for p in pending.values_mut() {
                p.expires = now;
            }
        }
    }
}

/// The SHA-256 of the plan as JSON: what a token is bound to.
pub(crate) fn digest(plan: &serde_json::Value) -> String {
    let text = serde_json::to_vec(plan).expect("plans serialize");
    crate::hash::sha256_hex(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_confirms_its_own_plan_once() {
        let t = Tokens::default();
        let token = t.mint("recover", "jira", "d1").unwrap();
        assert_eq!(t.redeem(&token, "recover", "jira", "d1"), Ok(()));
        assert_eq!(
            t.redeem(&token, "recover", "jira", "d1"),
            Err(Refused::Unknown)
        );
    }

    #[test]
    fn another_target_action_or_plan_is_refused_and_uses_the_token_up() {
        let t = Tokens::default();
        let token = t.mint("recover", "jira", "d1").unwrap();
        assert_eq!(
            t.redeem(&token, "recover", "memory", "d1"),
            Err(Refused::OtherTarget)
        );
        assert_eq!(
            t.redeem(&token, "recover", "jira", "d1"),
            Err(Refused::Unknown)
        );
        let token = t.mint("recover", "jira", "d1").unwrap();
        assert_eq!(
            t.redeem(&token, "restore", "jira", "d1"),
            Err(Refused::OtherTarget)
        );
        let token = t.mint("recover", "jira", "d1").unwrap();
        assert_eq!(
            t.redeem(&token, "recover", "jira", "d2"),
            Err(Refused::PlanChanged)
        );
    }

    #[test]
    fn altered_and_expired_tokens_are_refused() {
        let t = Tokens::default();
        let token = t.mint("restore", "env", "d").unwrap();
        let mut altered = token.clone();
        altered.pop();
        altered.push(if token.ends_with('0') { '1' } else { '0' });
        assert_eq!(
            t.redeem(&altered, "restore", "env", "d"),
            Err(Refused::Unknown)
        );
        t.expire_all();
        assert_eq!(
            t.redeem(&token, "restore", "env", "d"),
            Err(Refused::Expired)
        );
    }

    #[test]
    fn tokens_are_random_and_long() {
        let t = Tokens::default();
        let a = t.mint("recover", "s", "d").unwrap();
        let b = t.mint("recover", "s", "d").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), "mcpctl-".len() + 32);
    }
}
