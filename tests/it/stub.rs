//! A loopback HTTP receiver (tests/servers/http_stub.py) for APIs the tests cannot reach.

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
        let mut cmd = Command::new("python3");
        cmd.arg(crate::harness::servers_dir().join("http_stub.py"))
            .arg(&log)
            .arg(status.to_string());
        if hang {
            cmd.arg("hang");
        }
        let mut child = cmd.stdout(Stdio::piped()).spawn().expect("python3");
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
