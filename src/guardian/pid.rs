//! `--while-pid`: the watch ends when the process it guards does. A zombie counts as ended: it
//! has exited, only its parent has not read its status yet.

use std::time::Duration;

const POLL: Duration = Duration::from_millis(200);

/// Resolves once `pid` has exited.
pub(crate) async fn gone(pid: u32) {
    while alive(pid) {
        tokio::time::sleep(POLL).await;
    }
}

pub(crate) fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name, which is in parentheses and may hold anything.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|state| state != "Z" && state != "X")
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_is_alive_and_an_unused_pid_is_not() {
        assert!(super::alive(std::process::id()));
        assert!(!super::alive(4_000_000));
    }
}
