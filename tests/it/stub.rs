//! Loopback HTTP stand-ins (tests/servers/http_stub.py, github_stub.py) for what the tests
//! cannot reach.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub(crate) struct Stub {
    child: Child,
    pub(crate) url: String,
    log: PathBuf,
}

impl Stub {
    /// Answers every request with `status`; `hang` never answers.
    pub(crate) fn start(dir: &Path, name: &str, status: u16, hang: bool) -> Stub {
        let log = dir.join(format!("{name}.requests.jsonl"));
        let mut args = vec![log.display().to_string(), status.to_string()];
        if hang {
            args.push("hang".into());
        }
        Stub::spawn("http_stub.py", &args, log)
    }

    /// Starts one of tests/servers' loopback servers, which print their port and append one
    /// JSON line per request to `log`.
    pub(crate) fn spawn(script: &str, args: &[String], log: PathBuf) -> Stub {
        let mut child = Command::new("python3")
            .arg(crate::harness::servers_dir().join(script))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Stub {
            child,
            url: format!("http://127.0.0.1:{}", line.trim()),
            log,
        }
    }

    pub(crate) fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
