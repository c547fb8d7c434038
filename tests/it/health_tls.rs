//! TLS certificate expiry of https servers: a warning `tls_warn_days` ahead, with the date.

use crate::health_doctor::{ca, leaf, tls_server};
use crate::{Run, Test};

#[test]
fn a_certificate_expiring_in_3_days_is_a_warning_with_its_date() {
    let t = Test::new();
    let ca = ca(t.path());
    let (cert, key) = leaf(t.path(), "soon", 3, true, None);
    let (_server, url) = tls_server(t.path(), "ok", &cert, &key);
    let expected = {
        let out = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in"])
            .arg(&cert)
            .output()
            .unwrap();
        // notAfter=2026-12-04 15:00:00Z
        let text = String::from_utf8(out.stdout).unwrap();
        text.trim().trim_start_matches("notAfter=")[..16].to_owned()
    };
    let config = format!(
        "[servers.soon]\nurl = \"{url}\"\n[servers.relaxed]\nurl = \"{url}\"\ntls_warn_days = 2\n"
    );
    let run = t
        .config(&config)
        .env("SSL_CERT_FILE", &ca.display().to_string())
        .args(&["health-check", "--json"])
        .run();
    run.code(1);
    let report = run.json();
    let s = Run::server(&report, "soon");
    assert_eq!(s["status"], "degraded", "{s:#}");
    assert!(s["tls"]["days_left"].as_i64().unwrap() <= 3, "{s:#}");
    assert!(
        s["tls"]["not_after"]
            .as_str()
            .unwrap()
            .starts_with(&expected[..10]),
        "{s:#}"
    );
    let w = s["warnings"][0].as_str().unwrap();
    assert!(
        w.starts_with(&format!("the TLS certificate expires on {expected} UTC")),
        "{w}"
    );
    // tls_warn_days = 2 leaves the same certificate alone.
    let s = Run::server(&report, "relaxed");
    assert_eq!(s["status"], "healthy", "{s:#}");
    assert!(s["tls"]["not_after"].is_string());
}
