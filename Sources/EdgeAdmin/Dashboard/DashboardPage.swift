import NIOHTTP1

/// The status page: one self-contained HTML document (no external assets) that polls `/dashboard/cluster`
/// every 2 s and renders the members table, polls `/dashboard/stats` and draws the graphs (`DashboardCharts`),
/// and posts the purge form to `/dashboard/purge`.
///
/// The members table has stable markup for tests and scripts: `<table id="members">`, one
/// `<tr data-node="NAME" data-role="ROLE" data-state="STATE">` per member, cells with class names
/// (`name`, `role`, `state`, `region`, `location`, `load`, `hit-ratio`, `bytes-served`, `objects`, `uptime`,
/// `pending`). Values are inserted as text, never as HTML, and the script runs under a per-response CSP nonce.
enum DashboardPage {
    static func response(nodeName: String) -> AdminResponse {
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36) + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let html = page(nodeName: nodeName, nonce: nonce)
        let headers: HTTPHeaders = [
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'unsafe-inline'; "
                + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "referrer-policy": "no-referrer",
        ]
        return AdminResponse(status: .ok, headers: headers, body: Array(html.utf8))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func page(nodeName: String, nonce: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>edge cluster: \(escape(nodeName))</title>
        <style>
        :root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7280; --line: #d9dde5; --bg: #f7f8fa;
                --card: #fff; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; --accent: #2563eb; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e5e7eb; --muted: #9ca3af; --line: #374151; --bg: #111827; --card: #1f2937; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; gap: 1rem; align-items: baseline; padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); }
        header h1 { margin: 0; font-size: 1.25rem; }
        header .meta { color: var(--muted); }
        main { padding: 1rem 1.5rem; display: grid; gap: 1.25rem; }
        section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; overflow-x: auto; }
        h2 { margin: 0 0 .75rem; font-size: 1rem; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
        th { color: var(--muted); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .state { font-weight: 600; }
        tr[data-state="alive"] .state { color: var(--ok); }
        tr[data-state="suspect"] .state { color: var(--warn); }
        tr[data-state="dead"] .state, tr[data-state="left"] .state { color: var(--bad); }
        .unreachable td:not(.name):not(.role):not(.state) { color: var(--muted); }
        form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
        input[name="value"] { flex: 1 1 24rem; padding: .4rem; border: 1px solid var(--line); border-radius: 4px;
                              background: var(--bg); color: var(--fg); }
        select, button { padding: .4rem .7rem; border-radius: 4px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        #error { color: var(--bad); margin: .75rem 0 0; }
        #purge-result { white-space: pre-wrap; margin: .75rem 0 0; font-family: ui-monospace, monospace; }
        \(DashboardCharts.style)
        </style>
        </head>
        <body>
        <header>
          <h1>edge cluster</h1>
          <span class="meta">via <span id="asked">\(escape(nodeName))</span></span>
          <span class="meta">updated <span id="updated">never</span></span>
        </header>
        <main>
        \(DashboardCharts.markup)
        <section>
          <h2>Members</h2>
          <table id="members">
            <thead><tr>
              <th>Node</th><th>Role</th><th>State</th><th>Region</th><th>Location</th><th class="num">Load</th>
              <th class="num">Hit ratio</th><th class="num">Bytes served</th><th class="num">Objects</th>
              <th class="num">Uptime</th><th class="num">Pending purges</th>
            </tr></thead>
            <tbody></tbody>
          </table>
          <p id="error" hidden></p>
        </section>
        <section>
          <h2>Purge</h2>
          <form id="purge">
            <select name="scope" aria-label="scope">
              <option value="url">URL</option><option value="prefix">Prefix</option>
              <option value="tag">Tag</option><option value="all">Everything</option>
            </select>
            <input name="value" aria-label="value" placeholder="http://www.cdn.test/path" autocomplete="off">
            <label><input type="checkbox" name="soft"> soft (mark stale, revalidate)</label>
            <button type="submit">Purge</button>
          </form>
          <p id="purge-result"></p>
          \(DashboardCharts.purgeLogMarkup)
        </section>
        </main>
        <script nonce="\(nonce)">
        (function () {
          "use strict";
          var tbody = document.querySelector("#members tbody");
          var errorBox = document.getElementById("error");
          function bytes(n) {
            if (n === null || n === undefined) return "\\u2014";
            var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
            while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
            return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
          }
          function duration(s) {
            if (s === null || s === undefined) return "\\u2014";
            if (s < 120) return Math.round(s) + " s";
            if (s < 7200) return Math.round(s / 60) + " min";
            if (s < 172800) return (s / 3600).toFixed(1) + " h";
            return (s / 86400).toFixed(1) + " d";
          }
          function cell(row, cls, text, numeric) {
            var td = document.createElement("td");
            td.className = cls + (numeric ? " num" : "");
            td.textContent = text;
            row.appendChild(td);
          }
          function render(doc) {
            var rows = [];
            doc.nodes.forEach(function (entry) {
              var m = entry.member, s = entry.status;
              var row = document.createElement("tr");
              row.setAttribute("data-node", m.name);
              row.setAttribute("data-role", m.role);
              row.setAttribute("data-state", m.state);
              if (!s) { row.className = "unreachable"; row.title = entry.error || "no status"; }
              var objects = s ? s.cache.reduce(function (sum, t) { return Math.max(sum, t.objects); }, 0) : null;
              var pending = 0;
              doc.nodes.forEach(function (other) {
                if (other.status && other.status.pending_purges && other.status.pending_purges[m.name]) {
                  pending += other.status.pending_purges[m.name];
                }
              });
              cell(row, "name", m.name);
              cell(row, "role", m.role);
              cell(row, "state", m.state);
              cell(row, "region", m.location ? m.location.region : "\\u2014");
              cell(row, "location", m.location ? m.location.latitude.toFixed(2) + ", " + m.location.longitude.toFixed(2) : "\\u2014");
              cell(row, "load", m.load === null || m.load === undefined ? "\\u2014" : m.load.toFixed(2), true);
              cell(row, "hit-ratio", s && s.hit_ratio !== null && s.hit_ratio !== undefined ? (s.hit_ratio * 100).toFixed(1) + " %" : "\\u2014", true);
              cell(row, "bytes-served", s ? bytes(s.bytes_served) : "\\u2014", true);
              cell(row, "objects", objects === null ? "\\u2014" : String(objects), true);
              cell(row, "uptime", s ? duration(s.uptime_seconds) : "\\u2014", true);
              cell(row, "pending", String(pending), true);
              rows.push(row);
            });
            tbody.replaceChildren.apply(tbody, rows);
          }
          function showError(text) {
            errorBox.textContent = text;
            errorBox.hidden = !text;
          }
          function refresh() {
            fetch("/dashboard/cluster", { credentials: "same-origin", cache: "no-store" })
              .then(function (response) {
                if (response.status === 401) { throw new Error("signed out: open /dashboard?token=\\u2026 again"); }
                if (!response.ok) { throw new Error("status " + response.status); }
                return response.json();
              })
              .then(function (doc) {
                render(doc);
                document.getElementById("updated").textContent = new Date().toLocaleTimeString();
                document.body.setAttribute("data-loaded", "true");
                showError("");
              })
              .catch(function (error) { showError("cannot load the cluster: " + error.message); });
          }
          document.getElementById("purge").addEventListener("submit", function (event) {
            event.preventDefault();
            var form = event.target, scope = form.scope.value, value = form.value.value.trim();
            var body = {};
            if (scope === "all") { body.all = true; } else {
              if (!value) { document.getElementById("purge-result").textContent = "enter a " + scope; return; }
              body[scope] = value;
            }
            if (form.soft.checked) body.soft = true;
            var out = document.getElementById("purge-result");
            out.textContent = "purging\\u2026";
            fetch("/dashboard/purge", {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", "X-Edge-Admin": "1" },
              body: JSON.stringify(body)
            }).then(function (response) {
              return response.json().then(function (json) { return { ok: response.ok, json: json }; });
            }).then(function (result) {
              if (!result.ok) { out.textContent = "refused: " + result.json.error; return; }
              var r = result.json, done = r.nodes.filter(function (n) { return n.status === "ok"; }).length;
              var lines = [r.mode + " purge of " + r.scope + (r.value ? " " + r.value : "") + ": " + done + "/" +
                           r.nodes.length + " nodes in " + r.total_ms.toFixed(1) + " ms"];
              r.nodes.forEach(function (n) {
                lines.push("  " + n.node + " (" + n.role + ") " + n.status + ", removed " + n.removed + ", marked " +
                           n.marked + ", " + n.ms.toFixed(1) + " ms" + (n.error ? " \\u2014 " + n.error : ""));
              });
              out.textContent = lines.join("\\n");
              refresh();
              if (window.edgeRefreshStats) window.edgeRefreshStats();
            }).catch(function (error) { out.textContent = "failed: " + error.message; });
          });
          refresh();
          setInterval(refresh, 2000);
        })();
        </script>
        <script nonce="\(nonce)">
        \(DashboardCharts.script)
        </script>
        </body>
        </html>

        """
    }
}
