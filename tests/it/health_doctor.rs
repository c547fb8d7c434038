//! The connection doctor on loopback: which step failed and what to do, and `--doctor`'s
//! timed steps. Certificates are made in the test with the openssl CLI (faketime for an expired
//! one); servers are tests/servers/tls_mcp.py and http_stub.py.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::stub::Stub;
use crate::{Run, Test};

fn url_config(name: &str, url: &str) -> String {
    format!("[servers.{name}]\nurl = \"{url}\"\ntimeout = \"5s\"\n")
}

fn check(t: Test) -> serde_json::Value {
    let run = t.args(&["health-check", "--json"]).run();
    assert!(run.code == 1 || run.code == 0, "{}", run.peek_stderr());
    // A bad certificate is the report's to tell: no dependency logs it on stderr.
    run.stderr_is_empty();
    run.json()
}

fn error_of<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    &Run::server(report, name)["error"]
}

/// The error failed at `step`, and its message says `says`.
fn assert_step(e: &serde_json::Value, step: &str, says: &str) {
    assert_eq!(e["step"], step, "{e:#}");
    assert!(e["message"].as_str().unwrap().contains(says), "{e:#}");
}

fn openssl(faketime: Option<&str>, args: &[&str]) {
    let mut cmd = match faketime {
        Some(at) => {
            let mut c = Command::new("faketime");
            c.arg(at).arg("openssl");
            c
        }
        None => Command::new("openssl"),
    };
    let out = cmd.args(args).output().expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// A test CA in `dir` (`ca.pem`, `ca.key`), for SSL_CERT_FILE.
pub(crate) fn ca(dir: &Path) -> PathBuf {
    let (cert, key) = (dir.join("ca.pem"), dir.join("ca.key"));
    let subject = format!(
        "/CN=mcpctl test CA {}",
        dir.display().to_string().replace('/', "-")
    );
    openssl(
        None,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            &subject,
            "-days",
            "3650",
            "-keyout",
            &p(&key),
            "-out",
            &p(&cert),
        ],
    );
    cert
}

/// A certificate for 127.0.0.1 and localhost valid `days` from now (or from `faketime`),
/// signed by `dir`'s CA.
pub(crate) fn leaf(
    dir: &Path,
    name: &str,
    days: u32,
    signed: bool,
    faketime: Option<&str>,
) -> (PathBuf, PathBuf) {
    let (cert, key, csr, ext) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.csr")),
        dir.join(format!("{name}.ext")),
    );
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n",
    )
    .unwrap();
    openssl(
        None,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            &p(&key),
            "-out",
            &p(&csr),
        ],
    );
    let days = days.to_string();
    let (csr, ext, out) = (p(&csr), p(&ext), p(&cert));
    let mut args = vec![
        "x509", "-req", "-in", &csr, "-days", &days, "-extfile", &ext, "-out", &out,
    ];
    let (ca_cert, ca_key) = (p(&dir.join("ca.pem")), p(&dir.join("ca.key")));
    let own_key = p(&key);
    if signed {
        args.extend(["-CA", &ca_cert, "-CAkey", &ca_key, "-CAcreateserial"]);
    } else {
        args.extend(["-signkey", &own_key]);
    }
    let args: Vec<&str> = args.iter().map(|s| &**s).collect();
    openssl(faketime, &args);
    (cert, key)
}

pub(crate) fn tls_server(dir: &Path, mode: &str, cert: &Path, key: &Path) -> (Stub, String) {
    let log = dir.join(format!("{mode}.requests.jsonl"));
    let stub = Stub::spawn(
        "tls_mcp.py",
        &[
            mode.into(),
            log.display().to_string(),
            cert.display().to_string(),
            key.display().to_string(),
        ],
        log,
    );
    let url = format!("{}/mcp", stub.url.replace("http://", "https://"));
    (stub, url)
}

#[test]
fn a_closed_port_fails_at_connect() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let report = check(Test::new().config(&url_config(
        "closed",
        &format!("http://127.0.0.1:{port}/mcp"),
    )));
    let e = error_of(&report, "closed");
    assert_eq!(e["step"], "connect", "{e:#}");
    assert_eq!(e["kind"], "connect");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port} refused")),
        "{e:#}"
    );
    assert!(e["hint"].as_str().unwrap().contains("listening"), "{e:#}");
}

#[test]
fn a_name_that_does_not_resolve_fails_at_resolve() {
    let report =
        check(Test::new().config(&url_config("nowhere", "http://mcp.nowhere.invalid/mcp")));
    let e = error_of(&report, "nowhere");
    assert_step(e, "resolve", "cannot resolve mcp.nowhere.invalid");
    assert!(e["hint"].as_str().unwrap().contains("host name"), "{e:#}");
}

#[test]
fn self_signed_and_expired_certificates_fail_at_tls() {
    let t = Test::new();
    let ca = ca(t.path());
    // Signed by a CA nobody trusts: as good as self-signed.
    let other = t.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    crate::health_doctor::ca(&other);
    let (cert, key) = leaf(&other, "self", 30, true, None);
    let (_self_server, self_url) = tls_server(&other, "ok", &cert, &key);
    let (cert, key) = leaf(t.path(), "old", 1, true, Some("2020-01-01 00:00:00"));
    let dir = t.path().join("old");
    std::fs::create_dir_all(&dir).unwrap();
    let (_old_server, old_url) = tls_server(&dir, "ok", &cert, &key);
    let config = format!(
        "{}{}",
        url_config("selfsigned", &self_url),
        url_config("expired", &old_url)
    );
    // The CA is trusted: only the expired certificate's date is wrong.
    let report = check(t.config(&config).env("SSL_CERT_FILE", &p(&ca)));
    let e = error_of(&report, "selfsigned");
    assert_step(e, "tls", "not signed by a trusted CA");
    assert!(
        e["hint"].as_str().unwrap().contains("SSL_CERT_FILE"),
        "{e:#}"
    );
    let e = error_of(&report, "expired");
    assert_step(e, "tls", "expired on 2020-01-02");
    assert!(e["hint"].as_str().unwrap().contains("renew"), "{e:#}");
}

#[test]
fn a_404_fails_at_http_and_an_unknown_version_at_version() {
    let t = Test::new();
    let missing = Stub::start(t.path(), "missing", 404, false);
    let log = t.path().join("version.jsonl");
    let version = Stub::spawn(
        "tls_mcp.py",
        &["version".into(), log.display().to_string()],
        log,
    );
    let log = t.path().join("reject.jsonl");
    let reject = Stub::spawn(
        "tls_mcp.py",
        &["reject".into(), log.display().to_string()],
        log,
    );
    let config = format!(
        "{}{}{}",
        url_config("missing", &format!("{}/mcp", missing.url)),
        url_config("future", &format!("{}/mcp", version.url)),
        url_config("refuses", &format!("{}/mcp", reject.url))
    );
    let report = check(t.config(&config));
    let e = error_of(&report, "missing");
    assert_eq!(e["step"], "http", "{e:#}");
    assert_eq!(e["kind"], "http_status");
    assert!(e["hint"].as_str().unwrap().contains("/mcp"), "{e:#}");
    let e = error_of(&report, "future");
    assert_eq!(e["step"], "version", "{e:#}");
    let e2 = error_of(&report, "refuses");
    assert_eq!(e2["step"], "version", "{e2:#}");
    assert_eq!(e2["kind"], "unsupported_version");
    assert_eq!(
        e2["message"],
        "mcpctl offered 2025-11-25; the server supports only 2099-01-01"
    );
    assert_eq!(e["kind"], "unsupported_version");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("mcpctl offered 2025-11-25")
            && e["message"]
                .as_str()
                .unwrap()
                .contains("the server named 2099-01-01"),
        "{e:#}"
    );
}

#[test]
fn a_command_outside_the_childs_path_fails_at_path_with_the_absolute_path() {
    let t = Test::new().file(
        "tools/bin/my-mcp-server",
        "#!/bin/sh\nexec python3 {servers}/minimal.py\n",
    );
    let bin = t.path().join("tools/bin");
    std::fs::set_permissions(
        bin.join("my-mcp-server"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let t = t
        .config("[servers.cron]\ncommand = \"my-mcp-server\"\nenv = { PATH = \"/usr/bin:/bin\" }\n")
        .env("PATH", &path);
    let report = check(t);
    let e = error_of(&report, "cron");
    assert_eq!(e["step"], "path", "{e:#}");
    let hint = e["hint"].as_str().unwrap();
    let abs = bin.join("my-mcp-server").display().to_string();
    assert!(hint.contains(&format!("command = \"{abs}\"")), "{hint}");
}

#[test]
fn doctor_prints_every_step_with_its_time_fine_or_not() {
    let config = "[servers.ok]\ncommand = \"python3\"\nargs = [\"{servers}/minimal.py\"]\n";
    let run = Test::new()
        .config(config)
        .args(&["health-check", "--doctor", "ok"])
        .run();
    run.code(0);
    for step in ["path", "exec", "version", "handshake"] {
        assert!(run.stdout.contains(step), "{}", run.stdout);
    }
    assert!(run.stdout.contains("2 tools listed"), "{}", run.stdout);
    assert!(!run.stdout.contains("FAILED"), "{}", run.stdout);

    let t = Test::new();
    let ca = ca(t.path());
    let (cert, key) = leaf(t.path(), "web", 30, true, None);
    let (_server, url) = tls_server(t.path(), "ok", &cert, &key);
    let config = format!(
        "{}headers = {{ Authorization = \"Bearer ${{WEB_TOKEN}}\" }}\n",
        url_config("web", &url)
    );
    let run = t
        .config(&config)
        .env("SSL_CERT_FILE", &p(&ca))
        .env("WEB_TOKEN", "canaryDOCTORtoken987")
        .args(&["health-check", "--doctor", "web", "--json", "-vv"])
        .run();
    // -vv asked for the debug log; nothing louder than INFO is said on a healthy run.
    run.code(0)
        .stderr_lines(|l| l.contains(" DEBUG ") || l.contains(" INFO "));
    assert!(!run.stdout.contains("canaryDOCTOR") && !run.peek_stderr().contains("canaryDOCTOR"));
    for f in run.state_files() {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains("canaryDOCTOR"), "{}", f.display());
    }
    let report = run.json();
    let steps: Vec<(String, bool)> = Run::server(&report, "web")["doctor"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    let names: Vec<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "resolve",
            "connect",
            "tls",
            "http",
            "version",
            "auth",
            "handshake"
        ]
    );
    assert!(steps.iter().all(|(_, ok)| *ok), "{report:#}");

    // A failing server: the steps up to the one that failed, and exit by its status.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = Test::new()
        .config(&url_config("down", &format!("http://127.0.0.1:{port}/mcp")))
        .args(&["health-check", "--doctor", "down"])
        .run();
    run.code(1);
    assert!(run.stdout.contains("resolve"), "{}", run.stdout);
    assert!(run.stdout.contains("FAILED"), "{}", run.stdout);
}
