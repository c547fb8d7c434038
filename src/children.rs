//! No process mcpctl starts outlives it. Three layers, because each alone leaks:
//! - every server and command runs in its own process group, killed as a group;
//! - each child gets a parent-death signal, so a SIGKILL of mcpctl still ends it. It is set by
//!   mcpctl itself re-executed as a tiny wrapper (`__exec`) that calls prctl and then execs the
//!   real program: the pid, the group and the environment stay the child's own, and no
//!   `pre_exec` (which is `unsafe`) is needed;
//! - mcpctl is a child subreaper, so a server that double-forks a `setsid()` daemon out of its
//!   group has that daemon reparented to mcpctl, which kills it before exiting.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The hidden first argument of the wrapper. Not a subcommand: clap never sees it.
pub(crate) const EXEC: &str = "__exec";

/// Marks this process as the subreaper of everything it starts. Called once at start.
pub(crate) fn become_subreaper() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::set_child_subreaper(Some(rustix::process::getpid())) {
        tracing::debug!("cannot become a child subreaper: {e}");
    }
}

/// A command that runs `program` (already resolved to a path) with a parent-death signal.
pub(crate) fn command(program: &Path) -> tokio::process::Command {
    match std::env::current_exe() {
        Ok(me) if cfg!(target_os = "linux") => {
            let mut cmd = tokio::process::Command::new(me);
            cmd.arg(EXEC)
                .arg(std::process::id().to_string())
                .arg(program);
            cmd
        }
        _ => tokio::process::Command::new(program),
    }
}

/// The wrapper's whole life: `__exec PARENT PROGRAM ARGS…`. Sets the death signal, checks that
/// the parent did not die before it was set, and becomes PROGRAM. Returns only on failure, with
/// the shell's exit codes (126 not executable, 127 not found).
pub(crate) fn exec(args: &[OsString]) -> u8 {
    use std::os::unix::process::CommandExt;
    let (Some(parent), Some(program)) = (args.first(), args.get(1)) else {
        eprintln!("mcpctl: {EXEC} is internal to mcpctl");
        return 127;
    };
    #[cfg(target_os = "linux")]
    {
        let _ =
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
        let expected = parent.to_str().and_then(|p| p.parse::<i32>().ok());
        let actual = rustix::process::getppid().map(rustix::process::Pid::as_raw_nonzero);
        if expected != actual.map(std::num::NonZero::get) {
            // mcpctl died between fork and prctl: the signal would never come.
            return 1;
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = parent;
    let err = std::process::Command::new(program).args(&args[2..]).exec();
    eprintln!(
        "mcpctl: cannot start {}: {err}",
        Path::new(program).display()
    );
    if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    }
}

/// Finds `program` as a shell would: a path when it holds a `/` (relative to `cwd`), else the
/// first executable of that name on `path`. The errors are spawn's own, so callers say
/// "not found" or "not executable" exactly as before the wrapper existed.
pub(crate) fn resolve(
    program: &str,
    path: Option<&std::ffi::OsStr>,
    cwd: Option<&Path>,
) -> std::io::Result<PathBuf> {
    use std::io::{Error, ErrorKind};
    use std::os::unix::fs::PermissionsExt;
    let executable =
        |p: &Path| std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.contains('/') {
        let p = match cwd {
            Some(dir) if Path::new(program).is_relative() => dir.join(program),
            _ => PathBuf::from(program),
        };
        return match executable(&p) {
            Ok(true) => Ok(p),
            Ok(false) => Err(Error::from(ErrorKind::PermissionDenied)),
            Err(e) => Err(e),
        };
    }
    let mut denied = false;
    for dir in std::env::split_paths(path.unwrap_or_default()) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = dir.join(program);
        match executable(&candidate) {
            Ok(true) => return Ok(candidate),
            Ok(false) => denied = true,
            Err(_) => {}
        }
    }
    Err(Error::from(if denied {
        ErrorKind::PermissionDenied
    } else {
        ErrorKind::NotFound
    }))
}

/// Kills every process that was reparented to mcpctl (a daemon a server left behind) and reaps
/// it. Called when the run's own children are gone, so any child left is an orphan.
pub(crate) fn kill_orphans() {
    #[cfg(target_os = "linux")]
    for pid in orphans() {
        let pid = nix::unistd::Pid::from_raw(pid);
        // Its group too: a daemon's own children are in the group it made with setsid().
        let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
    }
}

/// This process's children, from the kernel's own list per thread (no cost that grows with the
/// machine's process count), or by reading every process's parent where that list is missing
/// (a kernel built without CONFIG_PROC_CHILDREN).
#[cfg(target_os = "linux")]
fn orphans() -> Vec<i32> {
    listed_children().unwrap_or_else(scanned_children)
}

#[cfg(target_os = "linux")]
fn listed_children() -> Option<Vec<i32>> {
    let mut pids = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let list = std::fs::read_to_string(task.path().join("children")).ok()?;
        pids.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<i32>().ok()),
        );
    }
    Some(pids)
}

#[cfg(target_os = "linux")]
fn scanned_children() -> Vec<i32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    // The command may hold spaces and parentheses: fields start after the last ')'.
                    let rest = &stat[stat.rfind(')')? + 2..];
                    rest.split(' ').nth(1)?.parse::<u32>().ok()
                })
                == Some(me)
        })
        .collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_list_and_the_scan_both_find_a_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        let listed = listed_children().expect("this kernel lists children");
        let scanned = scanned_children();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(listed.contains(&pid), "{listed:?} lacks {pid}");
        assert!(scanned.contains(&pid), "{scanned:?} lacks {pid}");
    }
}
