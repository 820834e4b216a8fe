/// The graphs part of the dashboard: the markup of its panels and the script that fetches `/dashboard/stats`
/// every 2 s and draws SVG line charts, the member health timeline, top lists, upstream health and the purge log.
///
/// Stable markup for tests: each chart is `<svg class="chart" data-metric="M">` with one
/// `<polyline data-node="NAME" data-points="N">` per node (and `data-node="cluster"` for the cluster line);
/// the purge log is `<ol id="purge-log">` with `<li data-purge-id="ID">`. Raw string literals, so the script
/// needs no Swift escaping.
enum DashboardCharts {
    static let style = #"""
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 1rem; }
    .panel h3 { margin: 0 0 .25rem; font-size: .9rem; }
    .panel .now { color: var(--muted); font-variant-numeric: tabular-nums; font-size: .85rem; }
    svg.chart, svg.timeline { width: 100%; height: auto; display: block; }
    svg text { fill: var(--muted); font-size: 10px; font-family: system-ui, sans-serif; }
    svg .axis { stroke: var(--line); stroke-width: 1; }
    svg polyline { fill: none; stroke-width: 1.5; }
    svg polyline[data-node="cluster"] { stroke-width: 2.5; stroke-dasharray: 4 2; }
    .legend { display: flex; flex-wrap: wrap; gap: .25rem .75rem; font-size: .8rem; color: var(--muted); margin-top: .25rem; }
    .legend i { display: inline-block; width: .8rem; height: .25rem; margin-right: .25rem; vertical-align: middle; }
    #purge-log { margin: .75rem 0 0; padding-left: 1.25rem; font-family: ui-monospace, monospace; font-size: .85rem; }
    #purge-log li { margin-bottom: .4rem; white-space: pre-wrap; }
    .up { color: var(--ok); font-weight: 600; } .down { color: var(--bad); font-weight: 600; }
    """#

    static let markup = #"""
    <section>
      <h2>Traffic <span class="now">(last 15 min, 1 s samples; dashed line = cluster)</span></h2>
      <div class="grid" id="charts"></div>
      <div class="legend" id="legend"></div>
    </section>
    <section>
      <h2>Member health <span class="now">(as seen by this node; ticks mark state changes)</span></h2>
      <svg class="timeline" id="health" viewBox="0 0 760 40"></svg>
    </section>
    <section>
      <h2>Upstream and origin health <span class="now">(each node's view of the upstreams it uses)</span></h2>
      <table id="upstreams"><thead><tr><th>Node</th><th>Upstream</th><th>State</th>
        <th class="num">Consecutive failures</th><th>Down by</th></tr></thead><tbody></tbody></table>
    </section>
    <section class="grid">
      <div><h2>Top URLs <span class="now">(cluster, approximate requests since start)</span></h2>
        <table id="top-urls"><thead><tr><th>URL</th><th class="num">Requests</th></tr></thead><tbody></tbody></table></div>
      <div><h2>Top misses <span class="now">(cluster, approximate misses since start)</span></h2>
        <table id="top-misses"><thead><tr><th>URL</th><th class="num">Misses</th></tr></thead><tbody></tbody></table></div>
    </section>
    """#

    static let purgeLogMarkup = #"""
    <h3>Recent purges <span class="now">(newest first, every coordinating node)</span></h3>
    <ol id="purge-log"></ol>
    """#

    static let script = #"""
    (function () {
      "use strict";
      var WINDOW = 900, W = 380, H = 150, L = 66, R = 8, T = 8, B = 20;
      var COLORS = ["#2563eb", "#16a34a", "#d97706", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];
      var CHARTS = [
        { id: "requests", title: "Requests", unit: "req/s", value: function (s) { return s.requests; } },
        { id: "hit-ratio", title: "Hit ratio", unit: "%", ratio: true,
          parts: function (s) { return [s.hits, s.hits + s.misses]; } },
        { id: "bandwidth", title: "Bandwidth sent", unit: "B/s", bytes: true, value: function (s) { return s.bytes_sent; } },
        { id: "status-4xx", title: "4xx responses", unit: "resp/s", value: function (s) { return s.status_4xx; } },
        { id: "status-5xx", title: "5xx responses", unit: "resp/s", value: function (s) { return s.status_5xx; } },
        { id: "upstream", title: "Upstream requests (cluster line: origin only)", unit: "req/s", origin: true,
          value: function (s) { return s.upstream_requests; } },
        { id: "latency-p50", title: "Upstream latency p50", unit: "ms", max: true,
          value: function (s) { return s.upstream_p50_ms; } },
        { id: "latency-p99", title: "Upstream latency p99", unit: "ms", max: true,
          value: function (s) { return s.upstream_p99_ms; } },
        { id: "memory", title: "Memory tier fill", unit: "B", bytes: true, value: function (s) { return s.memory_bytes; } },
        { id: "disk", title: "Disk tier fill", unit: "B", bytes: true, value: function (s) { return s.disk_bytes; } },
        { id: "objects", title: "Cached objects (memory + disk)", unit: "objects",
          value: function (s) { return s.memory_objects + s.disk_objects; } },
        { id: "evictions", title: "Evictions (memory + disk)", unit: "objects/s",
          value: function (s) { return s.evictions; } }
      ];
      var SVGNS = "http://www.w3.org/2000/svg";
      var nodes = {}, order = [], changes = [], purges = {}, asked = null;

      function el(name, attrs, text) {
        var e = document.createElementNS(SVGNS, name);
        for (var k in attrs) e.setAttribute(k, attrs[k]);
        if (text !== undefined) e.textContent = text;
        return e;
      }
      function scaled(n, unit, base) {
        if (n === null || n === undefined || isNaN(n)) return "\u2014";
        var prefixes = base === 1024 ? ["", "Ki", "Mi", "Gi", "Ti"] : ["", "k", "M", "G", "T"], i = 0;
        while (Math.abs(n) >= base && i < prefixes.length - 1) { n /= base; i++; }
        var digits = n >= 100 || i === 0 && Number.isInteger(n) ? 0 : 1;
        return n.toFixed(digits) + " " + prefixes[i] + unit;
      }
      function format(chart, v) {
        if (v === null || v === undefined) return "\u2014";
        if (chart.bytes) return scaled(v, chart.unit, 1024);
        if (chart.ratio) return v.toFixed(1) + " %";
        return scaled(v, chart.unit, 1000);
      }
      function color(name) { var i = order.indexOf(name); return i < 0 ? "#888" : COLORS[i % COLORS.length]; }

      // Per-node series and the cluster series of one chart, as [t, value] pairs.
      function series(chart, now) {
        var result = [], sums = {}, tops = {};
        order.forEach(function (name) {
          var node = nodes[name], points = [];
          node.samples.forEach(function (s) {
            if (s.t <= now - WINDOW) return;
            var v;
            if (chart.ratio) {
              var p = chart.parts(s);
              if (p[1] > 0) v = 100 * p[0] / p[1];
              var acc = sums[s.t] || [0, 0]; acc[0] += p[0]; acc[1] += p[1]; sums[s.t] = acc;
            } else {
              v = chart.value(s);
              if (v !== null && v !== undefined) {
                if (chart.max) { tops[s.t] = Math.max(tops[s.t] || 0, v); }
                else if (!chart.origin || node.role === "shield" || !hasShield()) { sums[s.t] = (sums[s.t] || 0) + v; }
                else if (!(s.t in sums)) { sums[s.t] = 0; }
              }
            }
            if (v !== null && v !== undefined) points.push([s.t, v]);
          });
          result.push({ name: name, points: points });
        });
        var cluster = [], source = chart.max ? tops : sums;
        Object.keys(source).map(Number).sort(function (a, b) { return a - b; }).forEach(function (t) {
          var v = source[t];
          if (chart.ratio) { if (v[1] > 0) cluster.push([t, 100 * v[0] / v[1]]); } else cluster.push([t, v]);
        });
        if (chart.max) result.push({ name: "cluster", points: cluster, label: "max" });
        else result.push({ name: "cluster", points: cluster });
        return result;
      }
      function hasShield() { return order.some(function (n) { return nodes[n].role === "shield"; }); }

      function drawChart(chart, now) {
        var all = series(chart, now), top = chart.ratio ? 100 : 0;
        all.forEach(function (s) { s.points.forEach(function (p) { if (p[1] > top) top = p[1]; }); });
        if (top <= 0) top = 1;
        var svg = el("svg", { "class": "chart", "data-metric": chart.id, viewBox: "0 0 " + W + " " + H,
                              role: "img", "aria-label": chart.title + " in " + chart.unit });
        var x = function (t) { return L + (W - L - R) * (t - (now - WINDOW)) / WINDOW; };
        var y = function (v) { return T + (H - T - B) * (1 - v / top); };
        svg.appendChild(el("line", { "class": "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }));
        svg.appendChild(el("line", { "class": "axis", x1: L, y1: T, x2: L, y2: H - B }));
        [0, 0.5, 1].forEach(function (f) {
          svg.appendChild(el("text", { x: L - 4, y: y(top * f) + 3, "text-anchor": "end" }, format(chart, top * f)));
        });
        [[WINDOW, "\u221215 min"], [600, "\u221210 min"], [300, "\u22125 min"], [0, "now"]].forEach(function (m) {
          svg.appendChild(el("text", { x: x(now - m[0]), y: H - 6, "text-anchor": m[0] === 0 ? "end" : "middle" }, m[1]));
        });
        all.forEach(function (s) {
          var pts = s.points.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); }).join(" ");
          svg.appendChild(el("polyline", { "data-node": s.name, "data-points": String(s.points.length), points: pts,
                                           stroke: s.name === "cluster" ? "currentColor" : color(s.name) }));
        });
        var panel = document.createElement("div");
        panel.className = "panel";
        var h = document.createElement("h3");
        h.textContent = chart.title + " (" + chart.unit + ")";
        var latest = document.createElement("div");
        latest.className = "now";
        latest.textContent = all.map(function (s) {
          var last = s.points[s.points.length - 1];
          return (s.label ? "cluster " + s.label : s.name) + ": " + format(chart, last ? last[1] : null);
        }).join(" \u00b7 ");
        panel.appendChild(h); panel.appendChild(latest); panel.appendChild(svg);
        return panel;
      }

      function drawHealth(now) {
        var svg = document.getElementById("health");
        var members = asked && nodes[asked] ? nodes[asked].members : [];
        var rowH = 18, width = 760, left = 90, height = Math.max(1, members.length) * rowH + 18;
        svg.setAttribute("viewBox", "0 0 " + width + " " + height);
        var kids = [];
        var x = function (t) { return left + (width - left - 8) * Math.max(0, t - (now - WINDOW)) / WINDOW; };
        var fills = { alive: "var(--ok)", suspect: "var(--warn)", dead: "var(--bad)", left: "var(--bad)" };
        members.forEach(function (m, i) {
          var y = i * rowH;
          kids.push(el("text", { x: 0, y: y + 12 }, m.name));
          var mine = changes.filter(function (c) { return c.member === m.name && c.t > now - WINDOW; });
          var start = now - WINDOW, state = mine.length ? (mine[0].from || "unknown") : m.state;
          mine.concat([{ t: now, to: m.state, end: true }]).forEach(function (c) {
            var r = el("rect", { x: x(start), y: y + 3, width: Math.max(0, x(c.t) - x(start)), height: rowH - 6,
                                 fill: fills[state] || "var(--muted)", "data-member": m.name, "data-state": state });
            r.appendChild(el("title", {}, m.name + " " + state));
            kids.push(r);
            if (!c.end) kids.push(el("line", { x1: x(c.t), y1: y, x2: x(c.t), y2: y + rowH, stroke: "currentColor",
                                               "class": "change", "data-member": m.name }));
            start = c.t; state = c.to;
          });
        });
        var base = members.length * rowH + 14;
        [[WINDOW, "\u221215 min"], [0, "now"]].forEach(function (m) {
          kids.push(el("text", { x: x(now - m[0]), y: base, "text-anchor": m[0] === 0 ? "end" : "start" }, m[1]));
        });
        svg.replaceChildren.apply(svg, kids);
      }

      function row(cells) {
        var tr = document.createElement("tr");
        cells.forEach(function (c) {
          var td = document.createElement("td");
          td.textContent = c[0];
          if (c[1]) td.className = c[1];
          tr.appendChild(td);
        });
        return tr;
      }
      function drawTables(doc) {
        var up = [];
        order.forEach(function (name) {
          (nodes[name].upstreams || []).forEach(function (u) {
            up.push(row([[name], [u.name], [u.available ? "up" : "down", u.available ? "up" : "down"],
                         [String(u.consecutive_failures), "num"], [(u.down_by || []).join(", ") || "\u2014"]]));
          });
        });
        var tb = document.querySelector("#upstreams tbody"); tb.replaceChildren.apply(tb, up);
        [["top-urls", doc.top_urls, "req"], ["top-misses", doc.top_misses, "misses"]].forEach(function (t) {
          var rows = (t[1] || []).map(function (e) {
            return row([[e.key], ["\u2248" + e.count + " " + t[2] + (e.error ? " (\u00b1" + e.error + ")" : ""), "num"]]);
          });
          var body = document.querySelector("#" + t[0] + " tbody"); body.replaceChildren.apply(body, rows);
        });
      }

      function drawPurges() {
        var list = Object.keys(purges).map(function (id) { return purges[id]; });
        list.sort(function (a, b) { return b.issued_at - a.issued_at; });
        var items = list.slice(0, 50).map(function (r) {
          var li = document.createElement("li");
          li.setAttribute("data-purge-id", r.id);
          var ok = r.nodes.filter(function (n) { return n.status === "ok"; }).length;
          var lines = [new Date(r.issued_at * 1000).toLocaleTimeString() + " " + r.mode + " purge of " + r.scope +
                       (r.value ? " " + r.value : "") + ": " + ok + "/" + r.nodes.length + " nodes in " +
                       r.total_ms.toFixed(1) + " ms"];
          r.nodes.forEach(function (n) {
            lines.push("  " + n.node + " (" + n.role + ") " + n.status + ", removed " + n.removed + " objects, marked " +
                       n.marked + ", " + n.ms.toFixed(1) + " ms" + (n.error ? " \u2014 " + n.error : ""));
          });
          li.textContent = lines.join("\n");
          return li;
        });
        var ol = document.getElementById("purge-log"); ol.replaceChildren.apply(ol, items);
      }

      function merge(doc) {
        asked = doc.node;
        doc.nodes.forEach(function (entry) {
          if (order.indexOf(entry.name) < 0) order.push(entry.name);
          var node = nodes[entry.name] || (nodes[entry.name] = { samples: [], members: [], upstreams: [] });
          node.role = entry.role; node.state = entry.state; node.error = entry.error;
          var s = entry.stats;
          if (!s) return;
          var last = node.samples.length ? node.samples[node.samples.length - 1].t : -Infinity;
          s.samples.forEach(function (x) { if (x.t > last) node.samples.push(x); });
          if (node.samples.length > WINDOW) node.samples.splice(0, node.samples.length - WINDOW);
          node.members = s.members; node.upstreams = s.upstreams; node.time = s.time;
          if (entry.name === doc.node) {
            var seen = {};
            changes.forEach(function (c) { seen[c.t + c.member + c.to] = true; });
            s.health_changes.forEach(function (c) { if (!seen[c.t + c.member + c.to]) changes.push(c); });
            if (changes.length > 512) changes.splice(0, changes.length - 512);
          }
          (s.purges || []).forEach(function (p) { purges[p.id] = p; });
        });
      }
      function since() {
        var known = order.map(function (n) {
          var s = nodes[n].samples; return s.length ? s[s.length - 1].t : null;
        });
        if (!known.length || known.some(function (t) { return t === null; })) return "";
        return "?since=" + Math.min.apply(null, known);
      }
      function draw(doc) {
        var now = Math.floor(Date.now() / 1000) - 1;
        order.forEach(function (n) { if (nodes[n].time) now = Math.max(now, nodes[n].time - 1); });
        var charts = document.getElementById("charts");
        charts.replaceChildren.apply(charts, CHARTS.map(function (c) { return drawChart(c, now); }));
        var legend = document.getElementById("legend");
        legend.replaceChildren.apply(legend, order.map(function (n) {
          var span = document.createElement("span"), i = document.createElement("i");
          i.style.background = color(n);
          span.appendChild(i);
          span.appendChild(document.createTextNode(n + " (" + nodes[n].role + ", " + nodes[n].state + ")" +
                                                   (nodes[n].error ? ": " + nodes[n].error : "")));
          return span;
        }));
        drawHealth(now);
        drawTables(doc);
        drawPurges();
        document.body.setAttribute("data-stats-loaded", "true");
      }
      function refresh() {
        fetch("/dashboard/stats" + since(), { credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            if (!response.ok) throw new Error("status " + response.status);
            return response.json();
          })
          .then(function (doc) { merge(doc); draw(doc); })
          .catch(function (error) {
            var box = document.getElementById("error");
            box.textContent = "cannot load the statistics: " + error.message; box.hidden = false;
          });
      }
      window.edgeRefreshStats = refresh;
      refresh();
      setInterval(refresh, 2000);
    })();
    """#
}
