/// The console's stylesheet and script, served from the binary: no CDN, no build step.
enum Assets {
    static let css = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
        main { padding: 12px 20px; }
        .bar { display: flex; gap: 20px; align-items: center; background: #1f3a5f; color: #fff; padding: 8px 20px; }
        .bar a { color: #fff; margin-right: 12px; }
        .bar .logout { margin-left: auto; }
        a { color: #1f5fa8; }
        table { border-collapse: collapse; background: #fff; }
        th, td { border: 1px solid #d8dde3; padding: 3px 8px; text-align: left; vertical-align: top; }
        tr.urgent td:first-child { border-left: 4px solid #c62828; }
        .badge { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e3e7ec; font-size: 12px; }
        .badge.needs_review { background: #fff3c4; } .badge.member_not_found, .badge.route_conflict { background: #ffd9d6; }
        .badge.possible_duplicate { background: #e5dcff; } .badge.incomplete { background: #ffe2c2; }
        .status { font-size: 14px; padding: 2px 8px; border-radius: 8px; background: #e3e7ec; }
        .status.verified { background: #c8efcf; } .status.failed { background: #ffd9d6; }
        .item-screen { display: flex; gap: 16px; align-items: flex-start; }
        figure.page { position: relative; margin: 0; flex: 0 0 auto; width: 48%; border: 1px solid #bbb; background: #fff; }
        figure.page img { width: 100%; height: auto; display: block; }
        .zone { position: absolute; border: 1px solid rgba(31, 95, 168, 0.7); }
        .zone.flagged { border: 2px solid #e0a000; background: rgba(255, 200, 0, 0.12); }
        table.fields { flex: 1 1 auto; }
        tr.flagged td { background: #fff8dc; }
        .thumbs { display: flex; flex-wrap: wrap; gap: 8px; }
        .thumbs a { display: flex; flex-direction: column; align-items: center; text-decoration: none; }
        .thumbs img, img.thumb { border: 1px solid #bbb; background: #fff; }
        .columns { display: flex; gap: 24px; } .columns section { flex: 1; }
        .verification .row { display: grid; grid-template-columns: 220px minmax(300px, 640px) 260px 100px; gap: 12px; align-items: center;
          padding: 8px; margin-bottom: 6px; background: #fff; border: 1px solid #d8dde3; }
        .verification .row.active { outline: 3px solid #1f5fa8; }
        .verification .row.settled { opacity: 0.55; } .verification .row.skipped .state { color: #8a6d00; }
        .verification img.crop { max-width: 100%; border: 1px solid #bbb; background: #fff; }
        .verification input.answer { font: 20px/1.2 ui-monospace, monospace; padding: 4px; width: 100%; box-sizing: border-box; }
        .issues { display: block; color: #a33; font-size: 12px; }
        .error { color: #b00020; } .notice { background: #e8f4ff; padding: 6px 10px; }
        .help, .small { color: #555; font-size: 12px; }
        .login { display: flex; justify-content: center; padding-top: 10vh; }
        .card { background: #fff; padding: 20px; border: 1px solid #d8dde3; display: flex; flex-direction: column; gap: 10px; min-width: 300px; }
        form.inline { display: inline; } .filters { margin: 10px 0; } .filters a.selected { font-weight: bold; }
        iframe.report { width: 100%; height: 600px; border: 1px solid #d8dde3; background: #fff; }
        """

    /// The item screen's V shortcut, and keyboard verification: Enter accepts the reading (or saves what was typed), typing corrects, Tab
    /// moves on, Esc skips. A value its validator refuses is shown with the reason; Enter again keeps it.
    static let js = """
        "use strict";
        // The server ends a session after its idle limit; the screen leaves PHI at the same moment, so a
        // console left open shows the login page, not a member's form.
        var idleTimer = null;
        function restartIdleTimer() {
          var seconds = parseInt(document.body.dataset.idleSeconds || "0", 10);
          if (!seconds) return;
          if (idleTimer) clearTimeout(idleTimer);
          idleTimer = setTimeout(function () { window.location = "/login"; }, seconds * 1000);
        }
        restartIdleTimer();
        (function () {
          // The item screen: V opens verification, so a reviewer never needs the mouse.
          var verifyLink = document.getElementById("verify-link");
          if (verifyLink) document.addEventListener("keydown", function (event) {
            var typing = event.target && /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
            if (!typing && !event.altKey && !event.ctrlKey && !event.metaKey && (event.key === "v" || event.key === "V")) {
              event.preventDefault(); window.location = verifyLink.getAttribute("href");
            }
          });
        })();
        (function () {
          var box = document.getElementById("verification");
          if (!box) return;
          var csrf = document.querySelector('meta[name="csrf-token"]').content;
          var rows = Array.prototype.slice.call(box.querySelectorAll(".row"));
          function open(row) { return !row.classList.contains("settled"); }
          function activate(row) {
            rows.forEach(function (r) { r.classList.toggle("active", r === row); });
            if (row) { var input = row.querySelector("input"); input.focus(); input.select(); }
          }
          function nextAfter(row) {
            var i = rows.indexOf(row);
            for (var k = 1; k <= rows.length; k++) { var r = rows[(i + k) % rows.length]; if (open(r)) return r; }
            return null;
          }
          function post(row, body) {
            var url = "/api/items/" + row.dataset.item + "/fields/" + encodeURIComponent(row.dataset.field);
            return fetch(url, { method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) });
          }
          function settle(row) {
            var input = row.querySelector("input"), state = row.querySelector(".state");
            var value = input.value, body;
            if (value === row.dataset.machine) body = { accept: true };
            else body = { value: value, force: row.dataset.refused === value };
            state.textContent = "saving…";
            restartIdleTimer();
            post(row, body).then(function (response) {
              return response.json().then(function (json) { return { status: response.status, json: json }; });
            }).then(function (answer) {
              if (answer.status === 422) {
                row.dataset.refused = value;
                row.querySelector(".issues").textContent = answer.json.issues.join("; ") + " (Enter again keeps it)";
                state.textContent = "check";
                return;
              }
              if (answer.status === 401) { window.location = "/login"; return; }
              if (answer.status !== 200) { state.textContent = "error " + answer.status; return; }
              row.classList.add("settled"); row.classList.remove("skipped");
              state.textContent = body.accept ? "accepted" : "corrected";
              input.readOnly = true;
              if (answer.json.verified && box.dataset.mode === "item") {
                box.dataset.verified = "true";
                window.location = answer.json.next ? "/items/" + answer.json.next + "/verify" : "/items/" + row.dataset.item;
                return;
              }
              var next = nextAfter(row);
              if (next) activate(next); else box.dataset.done = "true";
            });
          }
          rows.forEach(function (row) {
            var input = row.querySelector("input");
            input.addEventListener("focus", function () { rows.forEach(function (r) { r.classList.toggle("active", r === row); }); });
            input.addEventListener("keydown", function (event) {
              if (event.key === "Enter") { event.preventDefault(); if (open(row)) settle(row); }
              else if (event.key === "Escape") {
                event.preventDefault();
                row.classList.add("skipped"); row.querySelector(".state").textContent = "skipped";
                var next = nextAfter(row); if (next) activate(next);
              } else if (event.key === "Tab" && !event.shiftKey) {
                event.preventDefault();
                var after = nextAfter(row); if (after) activate(after);
              }
            });
          });
          activate(rows.filter(open)[0]);
        })();
        """
}
