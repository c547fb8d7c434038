//! The figures as one self-contained HTML page: the tables, and per server an uptime timeline
//! and a latency sparkline drawn into inline SVG by a small inline script from the figures
//! embedded as JSON. Nothing is fetched from the network.

use super::markdown::duration;
use super::{Figures, age};

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v}{unit}"))
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
th{background:#f3f3f3}td.n{text-align:right}.stale{color:#b00020;font-weight:600}\
svg.timeline{width:600px;height:16px;display:block;shape-rendering:crispEdges}svg.spark{width:160px;height:24px;display:block}\
.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}";

const SCRIPT: &str = r"(function () {
  var data = JSON.parse(document.getElementById('figures').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var colors = { U: '#2e9d4e', W: '#e0b000', D: '#d64040', '.': '#d0d0d0' };
  var drawn = 0;
  document.querySelectorAll('svg.timeline').forEach(function (svg) {
    var s = data.servers[Number(svg.dataset.index)];
    var w = 600 / s.timeline.length;
    for (var i = 0; i < s.timeline.length; i++) {
      var r = document.createElementNS(NS, 'rect');
      r.setAttribute('class', 'bin');
      r.setAttribute('x', (i * w).toFixed(2));
      r.setAttribute('y', '0');
      r.setAttribute('width', w.toFixed(2));
      r.setAttribute('height', '16');
      r.setAttribute('fill', colors[s.timeline[i]] || '#d0d0d0');
      svg.appendChild(r);
    }
    drawn++;
  });
  document.querySelectorAll('svg.spark').forEach(function (svg) {
    var bins = data.servers[Number(svg.dataset.index)].latency_bins_ms;
    var max = 0;
    bins.forEach(function (v) { if (v !== null && v > max) { max = v; } });
    var pts = [];
    bins.forEach(function (v, i) {
      if (v !== null) {
        pts.push((i * 160 / (bins.length - 1)).toFixed(1) + ',' + (22 - (max ? v / max : 0) * 20).toFixed(1));
      }
    });
    if (pts.length === 0) { return; }
    var line = document.createElementNS(NS, 'polyline');
    line.setAttribute('class', 'spark');
    line.setAttribute('points', pts.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#3465a4');
    line.setAttribute('stroke-width', '1.5');
    svg.appendChild(line);
    drawn++;
  });
  document.body.setAttribute('data-charts', String(drawn));
})();";

/// The page; `refresh` makes it reload itself every that many seconds.
pub(crate) fn render(f: &Figures, title: &str, summary: &str, refresh: Option<u32>) -> String {
    let refresh = refresh
        .map(|s| format!("<meta http-equiv=\"refresh\" content=\"{s}\">"))
        .unwrap_or_default();
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n<p>{s}</p>\n",
        t = esc(title),
        s = esc(summary)
    );
    if !f.recommendations.is_empty() {
        h.push_str("<h2>Recommendations</h2><ul>");
        for r in &f.recommendations {
            h.push_str(&format!("<li>{}</li>", esc(r)));
        }
        h.push_str("</ul>\n");
    }
    servers(f, &mut h);
    backups(f, &mut h);
    ci(f, &mut h);
    emergency(f, &mut h);
    drift(f, &mut h);
    // `<` escaped so no string in the figures can close the script element.
    let json = serde_json::to_string(f)
        .expect("figures serialize")
        .replace('<', "\\u003c");
    h.push_str(&format!(
        "<script type=\"application/json\" id=\"figures\">{json}</script>\n<script>{SCRIPT}</script>\n</body></html>\n"
    ));
    h
}

fn drift(f: &Figures, h: &mut String) {
    if !f.drift_events.is_empty() {
        h.push_str("<h2>Tool drift</h2>\n<table><tr><th>Server</th><th>When</th><th>Drift</th><th>What changed</th></tr>\n");
        for e in &f.drift_events {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&e.server),
                esc(&e.when()),
                e.how(),
                esc(&e.line)
            ));
        }
        h.push_str("</table>\n");
    }
}

fn servers(f: &Figures, h: &mut String) {
    if !f.servers.is_empty() {
        h.push_str(&format!(
            "<h2>Servers</h2><p class=\"legend\">{} to {}, one bar per {}:<span style=\"background:#2e9d4e\"></span>up\
             <span style=\"background:#e0b000\"></span>degraded<span style=\"background:#d64040\"></span>down\
             <span style=\"background:#d0d0d0\"></span>unknown</p>\n<table><tr><th>Server</th><th>Timeline</th><th>Uptime</th>\
             <th>Unknown</th><th>Failures</th><th>Incidents</th><th>MTTR</th><th>Recoveries</th><th>Breaker</th>\
             <th>Top error</th><th>p50</th><th>p95</th><th>Latency</th></tr>\n",
            f.window.from.format("%Y-%m-%d %H:%M"),
            f.window.to.format("%Y-%m-%d %H:%M UTC"),
            duration(Some(f.window.bin_s))
        ));
        for (i, s) in f.servers.iter().enumerate() {
            let recoveries = s.recoveries_text(", ");
            h.push_str(&format!(
                "<tr><td>{name}</td><td><svg class=\"timeline\" data-index=\"{i}\" viewBox=\"0 0 600 16\" role=\"img\" aria-label=\"uptime timeline of {name}\"></svg></td>\
                 <td class=\"n\">{up}</td><td class=\"n\">{unk}%</td><td class=\"n\">{fail}</td><td class=\"n\">{inc}</td>\
                 <td class=\"n\">{mttr}</td><td>{rec}</td><td class=\"n\">{brk}</td><td>{kind}</td><td class=\"n\">{p50}</td>\
                 <td class=\"n\">{p95}</td><td><svg class=\"spark\" data-index=\"{i}\" viewBox=\"0 0 160 24\" role=\"img\" aria-label=\"latency of {name}\"></svg></td></tr>\n",
                name = if s.removed {
                    format!("{} (removed)", esc(&s.name))
                } else {
                    esc(&s.name)
                },
                up = opt(s.uptime_pct, "%"),
                unk = s.unknown_pct,
                fail = s.failures,
                inc = s.incidents,
                mttr = duration(s.mttr_s),
                rec = esc(&recoveries),
                brk = s.breaker_openings,
                kind = s
                    .error_kinds
                    .first()
                    .map_or_else(|| "–".into(), |k| format!("{} ×{}", esc(k.kind.as_str()), k.count)),
                p50 = opt(s.latency_ms.p50, " ms"),
                p95 = opt(s.latency_ms.p95, " ms"),
            ));
        }
        h.push_str("</table>\n");
    }
}

fn backups(f: &Figures, h: &mut String) {
    let b = &f.backups;
    if !b.locations.is_empty() || !b.unprotected.is_empty() {
        h.push_str("<h2>Backups</h2><table><tr><th>Target</th><th>Location</th><th>Newest verified</th><th>Age</th><th></th></tr>\n");
        for l in &b.locations {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td{}>{}</td></tr>\n",
                esc(&l.target),
                esc(&l.location),
                esc(l.backup.as_deref().unwrap_or("–")),
                age(l.age_s),
                if l.stale { " class=\"stale\"" } else { "" },
                if l.stale { "stale" } else { "ok" }
            ));
        }
        for t in &b.unprotected {
            h.push_str(&format!(
                "<tr><td>{}</td><td>–</td><td>none</td><td>–</td><td class=\"stale\">unprotected</td></tr>\n",
                esc(t)
            ));
        }
        h.push_str("</table>\n");
    }
}

fn ci(f: &Figures, h: &mut String) {
    let ci = &f.ci;
    if ci.issues > 0 || ci.fixes.applied + ci.fixes.planned + ci.fixes.refused > 0 {
        h.push_str(&format!(
            "<h2>CI</h2><p>{}, {}: {} persistent, {} flaky, {} new. Fixes: {} applied, {} rolled back, verify success {}.</p>\n",
            super::markdown::count(ci.runs, "failed run", "failed runs"),
            super::markdown::count(ci.issues, "issue", "issues"),
            ci.persistent, ci.flaky, ci.new, ci.fixes.applied, ci.fixes.rolled_back,
            opt(ci.fixes.verify_success_pct, "%")
        ));
        h.push_str("<table><tr><th>Category</th><th>Repo</th><th>Failures</th></tr>\n");
        for c in &ci.by_category {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
                esc(&c.category),
                esc(&c.repo),
                c.count
            ));
        }
        h.push_str("</table>\n");
    }
}

fn emergency(f: &Figures, h: &mut String) {
    if !f.emergency.periods.is_empty() {
        h.push_str(
            "<h2>Fallback mode</h2><table><tr><th>Start</th><th>End</th><th>Servers</th></tr>\n",
        );
        for p in &f.emergency.periods {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                p.start.format("%Y-%m-%d %H:%M"),
                p.end.map_or_else(
                    || "ongoing".into(),
                    |e| e.format("%Y-%m-%d %H:%M").to_string()
                ),
                esc(&p.servers.join(", "))
            ));
        }
        h.push_str("</table>\n");
    }
}
