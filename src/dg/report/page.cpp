// The report page: static HTML and script; every datum (and so every string from the scan)
// reaches the page only as JSON in <script type="application/json">, which the script reads
// with JSON.parse and puts into the DOM with textContent (never innerHTML).
#include "dg/report/internal/chart_library.hpp"
#include "dg/report/report.hpp"

namespace dg::report {
namespace {

constexpr const char* kHead = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>domaingraph report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1em 2em; color: #222; background: #fafafa; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin: 0 0 .5em; }
.sub { color: #666; margin-top: 0; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1em; margin-bottom: 1em; }
.wide { grid-column: 1 / span 2; }
.kpis { display: flex; flex-wrap: wrap; gap: 1.5em; }
.kpi b { display: block; font-size: 1.4em; }
.chart { position: relative; height: 300px; }
table { border-collapse: collapse; width: 100%; font-size: .85em; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eee; word-break: break-all; }
.scroll { max-height: 320px; overflow: auto; }
.note { color: #666; font-style: italic; }
.warning { color: #b45309; }
</style>
</head>
<body>
<h1 id="title">domaingraph report</h1>
<p class="sub" id="subtitle"></p>
<div class="card"><div class="kpis" id="kpis"></div><p id="coverage-text"></p></div>
<div class="grid">
<div class="card"><h2>Diversity</h2><div class="chart"><canvas id="chart-diversity"></canvas></div><p id="diversity-text"></p></div>
<div class="card"><h2>Organisation shares</h2><div id="orgs"><div class="chart"><canvas id="chart-orgs"></canvas></div></div></div>
<div class="card wide"><h2>AS distribution (share of IP mappings)</h2><div class="chart"><canvas id="chart-asns"></canvas></div></div>
<div class="card wide"><h2>Trends</h2><div id="trends"><div class="chart"><canvas id="chart-trends"></canvas></div></div></div>
<div class="card wide"><h2>Changes since the previous scan of the same names</h2><div id="diff"><p id="diff-text"></p><div class="chart"><canvas id="chart-diff"></canvas></div><div class="scroll"><table id="diff-table"><thead><tr><th>domain</th><th>severity</th><th>change</th></tr></thead><tbody></tbody></table></div></div></div>
<div class="card wide" id="hostnames" hidden><h2 id="hn-title">Router hostnames</h2><p id="hn-text"></p><div class="grid"><div><table id="hn-components"><thead><tr><th>component</th><th>names</th><th>%</th></tr></thead><tbody></tbody></table></div><div class="chart"><canvas id="chart-hn-cdf"></canvas></div></div><h2>City-level topology</h2><p id="hn-map-text"></p><div id="hn-map"></div><div class="scroll"><table id="hn-links"><thead><tr><th>city</th><th>city</th><th>links</th><th>operators</th></tr></thead><tbody></tbody></table></div></div>
<div class="card wide"><h2>Single points of failure</h2><p id="spof-text"></p><div class="scroll"><table id="spof-table"><thead><tr><th>domain</th><th>reason</th><th>AS / address</th><th>NS hosts</th></tr></thead><tbody></tbody></table></div></div>
</div>
<div id="dg-status" data-charts-rendered="0" hidden></div>
<script type="application/json" id="dg-data">)html";

constexpr const char* kLibraryStart = R"html(</script>
<script>
)html";

constexpr const char* kPageScript = R"html(
</script>
<script>
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("dg-data").textContent);
  var S = D.stats;
  var palette = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04",
                 "#db2777", "#4b5563", "#65a30d", "#7c3aed"];
  var expected = [];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function $(id) { return document.getElementById(id); }
  function text(id, s) { $(id).textContent = s; }
  function replaceWithNote(id, s) {
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = s;
    var el = $(id);
    if (el.tagName === "CANVAS") { el = el.parentNode; }
    el.textContent = "";
    el.appendChild(p);
  }
  function row(tbody, cells, cls) {
    var tr = document.createElement("tr");
    if (cls) { tr.className = cls; }
    cells.forEach(function (c) {
      var td = document.createElement("td");
      td.textContent = c === null || c === undefined ? "" : String(c);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }
  function chart(id, config) {
    expected.push(id);
    return new Chart($(id), config);
  }
  function asLabel(a) { return "AS" + a.asn + (a.org ? " " + a.org : ""); }
  function shorten(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  // --- header ---
  text("title", "domaingraph report \u2014 scan " + D.scan.id);
  text("subtitle", "started " + D.scan.started_at + " (" + D.scan.status + ")" +
       (D.scan.notes ? " \u2014 " + D.scan.notes : "") + "; generated " + D.generated_at);
  [["domains", S.total_domains], ["with addresses", S.domains_with_addresses],
   ["unique ASes", S.total_unique_asns], ["IP mappings", S.total_ip_mappings],
   ["unique IPs", S.unique_ips],
   ["top " + S.concentration_top_k + " AS share", S.concentration_ratio + " %"],
   ["single points of failure", S.single_points_of_failure.count]].forEach(function (k) {
    var d = document.createElement("div");
    d.className = "kpi";
    var b = document.createElement("b");
    b.textContent = String(k[1]);
    d.appendChild(b);
    d.appendChild(document.createTextNode(k[0]));
    $("kpis").appendChild(d);
  });
  // coverage: how much of the scan the routing table and the as2org data matched
  var C = D.coverage;
  text("coverage-text", "Coverage: " + C.routed_pct + " % of " + C.ip_mappings +
       " address mappings routed" + (C.orgs_given ? ", " + C.with_org_pct +
       " % of those with an organisation" : " (no as2org data: no organisations)") +
       (C.rpki_checked ? "; RPKI: " + C.rpki_valid_pct + " % valid, " + C.rpki_invalid_pct +
        " % invalid" : "") +
       (C.located ? "; " + C.located_pct + " % located" : "") + ".");
  C.warnings.forEach(function (w) {
    var p = document.createElement("p");
    p.className = "warning";
    p.textContent = "Warning: " + w;
    $("coverage-text").parentNode.appendChild(p);
  });

  // --- diversity gauge ---
  var dv = S.diversity;
  var score = Math.max(0, Math.min(100, dv.diversity_score));
  var level = dv.interpretation.diversity;
  var color = level === "high" ? "#16a34a" : level === "medium" ? "#ca8a04" : "#dc2626";
  chart("chart-diversity", {
    type: "doughnut",
    data: { labels: ["score", ""], datasets: [{ data: [score, 100 - score],
            backgroundColor: [color, "#e5e7eb"], borderWidth: 0 }] },
    options: { rotation: -90, circumference: 180, cutout: "65%",
               plugins: { legend: { display: false }, tooltip: { enabled: false },
                          title: { display: true, text: dv.diversity_score + " / 100 (" + level + ")",
                                   position: "bottom", font: { size: 18 } } } }
  });
  text("diversity-text", "Shannon entropy " + dv.shannon_entropy + " bits over " + dv.units +
       " ASes (normalised " + dv.normalised_entropy + "), Gini " + dv.gini_coefficient +
       " (concentration " + dv.interpretation.concentration + ")." +
       (S.org_diversity ? " Organisation-level score " + S.org_diversity.diversity_score +
        " (" + S.org_diversity.interpretation.diversity + ")." : ""));

  // --- AS distribution ---
  var asns = S.top_asns.slice(0, D.options.top_asns);
  if (asns.length > 0) {
    // every bar gets its label: room for each (24 px a bar) and no skipping of ticks
    $("chart-asns").parentNode.style.height = Math.max(300, 24 * asns.length + 60) + "px";
    chart("chart-asns", {
      type: "bar",
      data: { labels: asns.map(function (a) { return shorten(asLabel(a), 40); }),
              datasets: [{ label: "% of IP mappings", data: asns.map(function (a) { return a.percentage; }),
                           backgroundColor: "#2563eb" }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } },
                 scales: { x: { beginAtZero: true, title: { display: true, text: "% of IP mappings" } },
                           y: { ticks: { autoSkip: false } } } }
    });
  } else {
    replaceWithNote("chart-asns", "No routed IP mappings in this scan.");
  }

  // --- organisations ---
  var orgs = S.organisations.slice(0, D.options.top_orgs);
  if (orgs.length > 0) {
    var shown = 0;
    orgs.forEach(function (o) { shown += o.ip_count; });
    var labels = orgs.map(function (o) { return shorten(o.org, 40); });
    var values = orgs.map(function (o) { return o.ip_count; });
    if (S.organisations_total_ip_count > shown) {
      labels.push("other");
      values.push(S.organisations_total_ip_count - shown);
    }
    chart("chart-orgs", {
      type: "doughnut",
      data: { labels: labels, datasets: [{ data: values, backgroundColor: palette }] },
      options: { plugins: { legend: { position: "right" } } }
    });
  } else {
    replaceWithNote("orgs", "No organisation names in this scan (scan with an as2org dataset).");
  }

  // --- trends ---
  var T = D.trends;
  if (T.points.length >= 2) {
    var sets = T.asns.map(function (a, i) {
      return { label: shorten(asLabel(a), 30) + " % IPs", yAxisID: "y",
               data: T.points.map(function (p) { return p.asn_shares[i]; }),
               borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length] };
    });
    sets.push({ label: "diversity score (right axis)", yAxisID: "y1", borderDash: [6, 4],
                data: T.points.map(function (p) { return p.diversity_score; }),
                borderColor: "#111827", backgroundColor: "#111827" });
    chart("chart-trends", {
      type: "line",
      data: { labels: T.points.map(function (p) { return "#" + p.scan_id + " " + p.date.slice(0, 10); }),
              datasets: sets },
      // shares of the top ASes are a few percent: their own axis, scaled to them; the 0-100
      // diversity score on a second axis at the right
      options: { scales: { y: { beginAtZero: true, suggestedMax: 1,
                                title: { display: true, text: "% of IP mappings" } },
                           y1: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                                 title: { display: true, text: "diversity score (0-100)" } },
                           x: { ticks: { autoSkip: false } } } }
    });
    if (T.scans_are) {
      var note = document.createElement("p");
      note.className = "note";
      note.textContent = "Over the " + T.scans_are + ".";
      $("trends").appendChild(note);
    }
  } else {
    replaceWithNote("trends", "Only this scan in the last " + T.days +
                    " days: trends need two complete scans of the same names.");
  }

  // --- diff ---
  var F = D.diff;
  if (F) {
    var sm = F.summary;
    text("diff-text", "Against scan " + F.previous_scan.id + " (" + F.previous_scan.started_at + ", " +
         F.previous_scan_is + "): " +
         sm.domains_changed + " of " + sm.domains_compared + " domains changed, " +
         sm.domains_only_in_b + " new, " + sm.domains_only_in_a + " gone; " + sm.changes +
         " changes (" + sm.by_severity.warning + " warnings)" +
         (F.changes.length < sm.changes ? ", the first " + F.changes.length + " listed." : "."));
    var types = Object.keys(sm.by_type).filter(function (k) { return sm.by_type[k] > 0; });
    if (types.length === 0) {
      // nothing changed: the sentence says so; an empty 0-1 chart and table would not
      ["chart-diff", "diff-table"].forEach(function (id) {
        var box = $(id).parentNode;
        box.parentNode.removeChild(box);
      });
      F = null;
    }
  }
  if (F) {
    chart("chart-diff", {
      type: "bar",
      data: { labels: types, datasets: [{ label: "changes", backgroundColor: "#9333ea",
              data: types.map(function (k) { return sm.by_type[k]; }) }] },
      options: { plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { autoSkip: false } } } }
    });
    var tb = document.querySelector("#diff-table tbody");
    F.changes.forEach(function (c) {
      row(tb, [c.domain, c.severity, c.description], c.severity === "warning" ? "warning" : "");
    });
  } else if (!D.diff) {
    replaceWithNote("diff", "No earlier complete scan of the same names to compare with.");
  }

  // --- single points of failure ---
  var P = S.single_points_of_failure;
  text("spof-text", P.count === 0 ? "None: every domain's name servers span several addresses and ASes." :
       P.count + " domains whose name servers all sit in one AS or behind one address" +
       (P.domains.length < P.count ? " (the first " + P.domains.length + " listed)." : "."));
  if (P.count === 0) { // no table of nothing under "None"
    var spofBox = $("spof-table").parentNode;
    spofBox.parentNode.removeChild(spofBox);
  }
  var sb = document.querySelector("#spof-table tbody");
  if (sb) P.domains.forEach(function (p) {
    row(sb, [p.domain, p.reason, p.ip !== null ? p.ip : (p.asn !== null ? "AS" + p.asn : ""), p.ns_hosts]);
  });

  // --- router hostnames of a PTR sweep (report --sweep): GINIE's components, the CDF of items
  // per name, and the city map (an SVG made by the binary, shown as an image: no markup enters
  // the page) ---
  var H = D.hostnames;
  if (H) {
    $("hostnames").hidden = false;
    text("hn-title", "Router hostnames — PTR sweep " + H.sweep.id);
    text("hn-text", H.sweep.names + " names of sweep " + H.sweep.id + " (" + H.sweep.source +
         ", started " + H.sweep.started_at + "), decoded by the default method; " +
         H.stats.refused + " refused.");
    var hb = document.querySelector("#hn-components tbody");
    H.stats.components.forEach(function (c) { row(hb, [c.component, c.names, c.percent.toFixed(1)]); });
    chart("chart-hn-cdf", {
      type: "line",
      data: { labels: H.stats.items_cdf.map(function (p) { return String(p.items); }),
              datasets: [{ label: "names with at most N items (%)", stepped: true,
                           data: H.stats.items_cdf.map(function (p) { return p.cumulative_percent; }),
                           borderColor: palette[0] }] },
      options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "% of names" } },
                           x: { title: { display: true, text: "items of information per name" } } } }
    });
    var T = H.topology;
    text("hn-map-text", T.nodes.length + " cities, " + T.edges.length + " links from " + T.pairs +
         " point-to-point pairs (" + T.left_out_low_confidence + " left out: a place missing or unsure; " +
         T.same_city + " inside one city).");
    var map = document.createElement("img");
    map.alt = "city-level topology map";
    map.style.width = "100%";
    map.style.border = "1px solid #ddd";
    map.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(H.map_svg);
    $("hn-map").appendChild(map);
    var lb = document.querySelector("#hn-links tbody");
    T.edges.forEach(function (e) { row(lb, [e.source, e.target, e.links, e.operators.join(", ")]); });
  }

  // --- every chart drew something: said in data attributes of a hidden element, not as text ---
  function drawn(id) {
    var c = $(id);
    if (!c || !c.width || !c.height) { return false; }
    var px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) { return true; } }
    return false;
  }
  var tries = 0;
  function check() {
    var ok = expected.filter(drawn);
    var status = $("dg-status");
    if (ok.length === expected.length) {
      status.setAttribute("data-charts-rendered", String(ok.length));
      status.setAttribute("data-charts", ok.join(" "));
    } else if (++tries < 50) {
      setTimeout(check, 50);
    } else {
      status.setAttribute("data-charts-missing", expected.filter(function (id) { return !drawn(id); }).join(" "));
    }
  }
  check();
})();
</script>
</body>
</html>
)html";

} // namespace

Result<std::string> render_html(const nlohmann::ordered_json& data) {
    const std::string& library = internal::chart_library();
    if (library.empty()) {
        return make_error(ErrorCode::Unavailable,
                          "this binary was built without Chart.js (run scripts/setup, or `npm ci "
                          "--prefix web/report` and rebuild)");
    }
    std::string page = kHead;
    page += script_safe_json(data);
    page += kLibraryStart;
    page += library;
    page += kPageScript;
    return page;
}

} // namespace dg::report
