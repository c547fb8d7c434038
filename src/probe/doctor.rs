//! The connection doctor: the steps of reaching a server, in order, each timed. For HTTP and
//! SSE: resolve, TCP connect, TLS, then the MCP conversation (HTTP status, version, auth). For
//! stdio: the command on the child's PATH, exec permission and interpreter, the launcher, the
//! handshake. A failed probe asks it which step failed; `health-check --doctor` shows them all.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Failure, FailureKind, Step, ms};

/// One step as the doctor saw it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct StepReport {
    pub step: Step,
    pub ok: bool,
    pub ms: f64,
    pub detail: String,
}

/// A certificate's validity end, as read in the TLS step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CertEnd(pub chrono::DateTime<chrono::Utc>);

/// The network steps to `url` (resolve, connect, and TLS for https), stopping at the first that
/// fails; that failure, with its step, hint and kind `connect`, comes back too.
pub(crate) async fn network(
    url: &reqwest::Url,
    timeout: Duration,
) -> (Vec<StepReport>, Option<Failure>) {
    let mut steps = Vec::new();
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let t = Instant::now();
    let lookup =
        tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port))).await;
    let addrs: Vec<std::net::SocketAddr> = match lookup {
        Ok(Ok(a)) => a.collect(),
        Ok(Err(e)) => {
            return fail(
                steps,
                Step::Resolve,
                t,
                format!("cannot resolve {host}: {e}"),
                "check the host name in `url` and the DNS (/etc/resolv.conf); a mistyped or .invalid name never resolves",
            );
        }
        Err(_) => {
            return fail(
                steps,
                Step::Resolve,
                t,
                format!(
                    "resolving {host} took longer than {}",
                    humantime::format_duration(timeout)
                ),
                "the DNS server does not answer: check /etc/resolv.conf, or use an address in `url`",
            );
        }
    };
    let shown: Vec<String> = addrs.iter().map(ToString::to_string).collect();
    steps.push(StepReport {
        step: Step::Resolve,
        ok: true,
        ms: ms(t.elapsed()),
        detail: format!("{host} → {}", shown.join(", ")),
    });

    let t = Instant::now();
    let (stream, tried) = connect(&addrs, timeout).await;
    let Some(stream) = stream else {
        return fail(
            steps,
            Step::Connect,
            t,
            format!("cannot connect to {host}:{port}: {}", tried.join(", ")),
            "is the server running and listening on that port? refused: nothing listens there; timed out: a firewall drops the packets",
        );
    };
    steps.push(StepReport {
        step: Step::Connect,
        ok: true,
        ms: ms(t.elapsed()),
        detail: tried.join(", "),
    });

    if url.scheme() == "https" {
        let t = Instant::now();
        match tokio::time::timeout(timeout, tls(stream, &host)).await {
            Ok(Ok(end)) => steps.push(StepReport {
                step: Step::Tls,
                ok: true,
                ms: ms(t.elapsed()),
                detail: end.map_or_else(
                    || "certificate verified".to_owned(),
                    |e| {
                        format!(
                            "certificate verified, valid until {}",
                            e.0.format("%Y-%m-%d %H:%M UTC")
                        )
                    },
                ),
            }),
            Ok(Err((message, hint))) => return fail(steps, Step::Tls, t, message, &hint),
            Err(_) => {
                return fail(
                    steps,
                    Step::Tls,
                    t,
                    format!(
                        "no TLS handshake with {host} within {}",
                        humantime::format_duration(timeout)
                    ),
                    "the port may not speak TLS: is `url` https on a plain-HTTP port?",
                );
            }
        }
    }
    (steps, None)
}

/// The first of (at most four) addresses that takes a TCP connection, and what each said.
async fn connect(
    addrs: &[std::net::SocketAddr],
    timeout: Duration,
) -> (Option<tokio::net::TcpStream>, Vec<String>) {
    let mut tried = Vec::new();
    for addr in addrs.iter().take(4) {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                tried.push(format!("{addr} connected"));
                return (Some(s), tried);
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                tried.push(format!("{addr} refused"));
            }
            Ok(Err(e)) => tried.push(format!("{addr}: {e}")),
            Err(_) => tried.push(format!("{addr} timed out")),
        }
    }
    (None, tried)
}

fn fail(
    mut steps: Vec<StepReport>,
    step: Step,
    started: Instant,
    message: String,
    hint: &str,
) -> (Vec<StepReport>, Option<Failure>) {
    steps.push(StepReport {
        step,
        ok: false,
        ms: ms(started.elapsed()),
        detail: message.clone(),
    });
    let f = Failure::new(FailureKind::Connect, message)
        .step(step)
        .hint(hint);
    (steps, Some(f))
}

/// A TLS handshake with the platform's verifier (as the probes' client uses): the peer's
/// certificate end on success, else what is wrong and what to do.
async fn tls(
    stream: tokio::net::TcpStream,
    host: &str,
) -> Result<Option<CertEnd>, (String, String)> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let config = rustls::ClientConfig::with_platform_verifier().map_err(|e| {
        (
            format!("cannot load the system's CA certificates: {e}"),
            "install ca-certificates, or set SSL_CERT_FILE".to_owned(),
        )
    })?;
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| {
        (
            format!("`{host}` is not a TLS server name: {e}"),
            "fix `url`".to_owned(),
        )
    })?;
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    match connector.connect(name, stream).await {
        Ok(s) => Ok(s
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(|c| not_after(c.as_ref()))
            .map(CertEnd)),
        Err(e) => Err(tls_problem(&e, host)),
    }
}

/// What a rustls error in an I/O error (or a reqwest error's chain) means for a person.
pub(crate) fn tls_problem(e: &(dyn std::error::Error + 'static), host: &str) -> (String, String) {
    use rustls::CertificateError as C;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let tls = err.downcast_ref::<rustls::Error>().or_else(|| {
            err.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            return match tls {
                rustls::Error::InvalidCertificate(C::Expired) => (
                    format!("the certificate of {host} has expired"),
                    "renew the server's certificate".into(),
                ),
                rustls::Error::InvalidCertificate(C::ExpiredContext { not_after, .. }) => (
                    format!(
                        "the certificate of {host} expired on {}",
                        unix_date(not_after.as_secs())
                    ),
                    "renew the server's certificate".into(),
                ),
                rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => (
                    format!("the certificate is not valid for the name {host}"),
                    "use the name the certificate is for in `url`, or add this name to the certificate".into(),
                ),
                rustls::Error::InvalidCertificate(C::UnknownIssuer) => (
                    format!("the certificate of {host} is not signed by a trusted CA (self-signed, or a private CA)"),
                    "install the CA in the system's store, or point SSL_CERT_FILE at a bundle that holds it".into(),
                ),
                other => (
                    format!("TLS with {host} failed: {other}"),
                    "check the server's certificate chain (openssl s_client -connect HOST:PORT)".into(),
                ),
            };
        }
        source = err.source();
    }
    (
        format!("TLS with {host} failed: {e}"),
        "check the server's certificate chain (openssl s_client -connect HOST:PORT)".into(),
    )
}

fn unix_date(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || secs.to_string(),
            |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

/// The `notAfter` of a DER certificate: Certificate → tbsCertificate → validity → notAfter.
pub(crate) fn not_after(der: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let (cert, _) = tlv(der, 0x30)?;
    let (mut tbs, _) = tlv(cert, 0x30)?;
    // [0] version, optional.
    if tbs.first() == Some(&0xa0) {
        tbs = skip(tbs)?;
    }
    tbs = skip(tbs)?; // serialNumber
    tbs = skip(tbs)?; // signature
    tbs = skip(tbs)?; // issuer
    let (validity, _) = tlv(tbs, 0x30)?;
    let validity = skip(validity)?; // notBefore
    let tag = *validity.first()?;
    let (time, _) = tlv(validity, tag)?;
    let text = std::str::from_utf8(time).ok()?;
    let text = text.strip_suffix('Z')?;
    let full = match tag {
        0x17 => {
            // UTCTime YYMMDDHHMMSS: 50..99 are 19xx (RFC 5280).
            let yy: u32 = text.get(..2)?.parse().ok()?;
            format!("{}{text}", if yy >= 50 { "19" } else { "20" })
        }
        0x18 => text.to_owned(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The contents of the DER element at the start of `b` if its tag is `tag`, and what follows.
fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *b.first()? != tag {
        return None;
    }
    let first = usize::from(*b.get(1)?);
    let (len, start) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = start.checked_add(len)?;
    Some((b.get(start..end)?, b.get(end..)?))
}

fn skip(b: &[u8]) -> Option<&[u8]> {
    tlv(b, *b.first()?).map(|(_, rest)| rest)
}

/// Where a command the child's PATH lacks is found after all: mcpctl's own PATH and the usual
/// per-user and package-manager directories (cron's short PATH is the classic trap).
pub(crate) fn find_outside(program: &str, child_path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    if program.contains('/') {
        return None;
    }
    let home = crate::config::home_dir();
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for rel in [
        ".local/bin",
        "bin",
        ".cargo/bin",
        ".npm-global/bin",
        ".volta/bin",
        ".bun/bin",
        ".deno/bin",
    ] {
        if let Some(h) = &home {
            dirs.push(h.join(rel));
        }
    }
    for d in [
        "/usr/local/bin",
        "/opt/homebrew/bin",
        "/snap/bin",
        "/usr/bin",
        "/bin",
    ] {
        dirs.push(PathBuf::from(d));
    }
    let inside: Vec<PathBuf> = child_path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    dirs.into_iter()
        .filter(|d| d.is_absolute() && !inside.contains(d))
        .map(|d| d.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The interpreter a script's `#!` line names, when that interpreter does not exist.
pub(crate) fn missing_interpreter(script: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(script).ok()?.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = line.split(|b| *b == b'\n').next()?;
    let text = String::from_utf8_lossy(line);
    let interpreter = text.split_whitespace().next()?.to_owned();
    (!Path::new(&interpreter).exists()).then_some(interpreter)
}

/// Every step for one server, timed, whether it fails or not: the network steps (HTTP/SSE) or
/// the command's resolution (stdio) measured here, then the probe's own outcome per step.
pub(crate) async fn steps(
    target: &super::Target,
    limits: super::Limits,
    probe: &super::Probe,
) -> Vec<StepReport> {
    let failed = probe.failure.as_ref();
    let failed_step = failed.and_then(|f| f.step);
    let mut steps = match target {
        super::Target::Url { url, .. } => url_steps(url, limits, probe).await,
        super::Target::Stdio { .. } => stdio_steps(target, probe),
    };
    if steps.iter().any(|s| !s.ok) {
        return steps;
    }
    let rest = probe.latency.tools_list.unwrap_or(0.0) + probe.latency.ping.unwrap_or(0.0);
    match failed {
        Some(_) if matches!(failed_step, None | Some(Step::Handshake)) => {
            steps.push(failed_report(Step::Handshake, rest, failed));
        }
        _ => steps.push(StepReport {
            step: Step::Handshake,
            ok: failed.is_none(),
            ms: rest,
            detail: probe.tool_names.as_ref().map_or_else(
                || "initialized; no tools capability".to_owned(),
                |t| {
                    format!(
                        "initialized; {} listed",
                        crate::output::plural(t.len(), "tool", "tools")
                    )
                },
            ),
        }),
    }
    steps
}

/// Resolve, connect and TLS measured here; HTTP, version and auth from the probe.
async fn url_steps(url: &str, limits: super::Limits, probe: &super::Probe) -> Vec<StepReport> {
    let failed = probe.failure.as_ref();
    let failed_step = failed.and_then(|f| f.step);
    let mut steps = Vec::new();
    if let Ok(parsed) = reqwest::Url::parse(url) {
        let (network, _) = network(&parsed, limits.timeout).await;
        steps.extend(network);
    }
    if steps.iter().any(|s| !s.ok) {
        return steps;
    }
    let init = probe.latency.initialize.unwrap_or(0.0);
    for step in [Step::Http, Step::Version, Step::Auth] {
        if failed_step == Some(step) {
            steps.push(failed_report(step, init, failed));
            return steps;
        }
        let detail = match step {
            Step::Http => probe.http_status.map_or_else(
                || "answered".to_owned(),
                |s| {
                    let how = if probe.transport == Some(super::Transport::Sse) {
                        "legacy SSE"
                    } else {
                        "Streamable HTTP"
                    };
                    format!("HTTP {s}, {how}")
                },
            ),
            Step::Version => version_detail(probe),
            _ => "no credentials asked for, or the ones sent were taken".to_owned(),
        };
        let ms = if step == Step::Http { init } else { 0.0 };
        steps.push(StepReport {
            step,
            ok: true,
            ms,
            detail,
        });
    }
    steps
}

/// The command on the child's PATH measured here; exec, launcher and version from the probe.
fn stdio_steps(target: &super::Target, probe: &super::Probe) -> Vec<StepReport> {
    let super::Target::Stdio {
        program,
        env,
        cwd,
        launcher,
        ..
    } = target
    else {
        return Vec::new();
    };
    let failed = probe.failure.as_ref();
    let failed_step = failed.and_then(|f| f.step);
    let mut steps = Vec::new();
    let t = Instant::now();
    let path_var = env
        .get("PATH")
        .map(std::ffi::OsString::from)
        .or_else(|| std::env::var_os("PATH"));
    let resolved = crate::children::resolve(program, path_var.as_deref(), cwd.as_deref());
    match (&resolved, failed_step) {
        (_, Some(Step::Path)) | (Err(_), _) => {
            steps.push(failed_report(Step::Path, ms(t.elapsed()), failed));
            return steps;
        }
        (Ok(p), _) => steps.push(StepReport {
            step: Step::Path,
            ok: true,
            ms: ms(t.elapsed()),
            detail: format!("{program} is {}", p.display()),
        }),
    }
    let init = probe.latency.initialize.unwrap_or(0.0);
    let mut later = vec![(Step::Exec, 0.0, "executable; the server started".to_owned())];
    if *launcher {
        later.push((
            Step::Launcher,
            init,
            "the launcher started the server (its fetch, if any, is in this time)".to_owned(),
        ));
    }
    later.push((Step::Version, init, version_detail(probe)));
    for (step, ms, detail) in later {
        if failed_step == Some(step) {
            steps.push(failed_report(step, ms, failed));
            return steps;
        }
        let ok = step != Step::Version || probe.protocol_version.is_some();
        steps.push(StepReport {
            step,
            ok,
            ms,
            detail,
        });
    }
    steps
}

fn version_detail(probe: &super::Probe) -> String {
    match &probe.protocol_version {
        Some(v) => format!(
            "offered {}, the server named {v}",
            super::jsonrpc::OFFERED_VERSION
        ),
        None => "no initialize answer".into(),
    }
}

fn failed_report(step: Step, ms: f64, failure: Option<&Failure>) -> StepReport {
    StepReport {
        step,
        ok: false,
        ms,
        detail: failure.map_or_else(
            || "failed".to_owned(),
            |f| match &f.hint {
                Some(h) => format!("{} (next: {h})", f.message),
                None => f.message.clone(),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_not_after_of_a_der_certificate() {
        // A minimal structure: SEQ { SEQ { [0]{INT 2}, INT 1, SEQ{}, SEQ{}, SEQ{UTCTime, UTCTime} } }
        let nb = b"250101000000Z";
        let na = b"270315120000Z";
        let mut validity = vec![0x30, 2 + 13 + 2 + 13, 0x17, 13];
        validity.extend_from_slice(nb);
        validity.extend_from_slice(&[0x17, 13]);
        validity.extend_from_slice(na);
        let mut tbs_body = vec![0xa0, 3, 0x02, 1, 2, 0x02, 1, 1, 0x30, 0, 0x30, 0];
        tbs_body.extend_from_slice(&validity);
        let mut tbs = vec![0x30, u8::try_from(tbs_body.len()).unwrap()];
        tbs.extend_from_slice(&tbs_body);
        let mut cert = vec![0x30, u8::try_from(tbs.len()).unwrap()];
        cert.extend_from_slice(&tbs);
        let end = super::not_after(&cert).unwrap();
        assert_eq!(end.to_rfc3339(), "2027-03-15T12:00:00+00:00");
    }
}
