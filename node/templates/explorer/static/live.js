// New blocks on the explorer's home page, as /v1/events announces them (server-sent
// events: `event: block`, the block as JSON). Rows are built with text nodes only.
(function () {
  "use strict";
  var table = document.getElementById("blocks");
  if (!table || !window.EventSource) return;
  var body = table.tBodies[0];
  var zone = parseInt(table.dataset.zone, 10) || 0;
  var zoneLabel = table.dataset.zoneLabel || "UTC";
  var keep = parseInt(table.dataset.keep, 10) || 12;
  var names = {};
  try { names = JSON.parse(table.dataset.nodes || "{}"); } catch (e) { names = {}; }

  function time(ms) {
    var d = new Date(ms + zone * 60000).toISOString();
    return d.slice(0, 10) + " " + d.slice(11, 19) + " (" + zoneLabel + ")";
  }
  function cell(row, child) {
    var td = document.createElement("td");
    if (typeof child === "string") td.textContent = child; else td.appendChild(child);
    row.appendChild(td);
    return td;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function proposer(key) {
    var span = document.createElement("span");
    var name = names[key];
    if (name) span.appendChild(link("/explorer/members/" + encodeURIComponent(name), name));
    var k = document.createElement("span");
    k.className = "key";
    k.textContent = (name ? " " : "") + "[" + String(key).slice(0, 8) + "]";
    span.appendChild(k);
    return span;
  }

  var source = new EventSource("/v1/events?from=" + encodeURIComponent(table.dataset.next));
  var live = document.getElementById("live");
  source.onopen = function () { if (live) live.hidden = false; };
  source.onerror = function () { if (live) live.hidden = true; };
  source.addEventListener("block", function (ev) {
    var b;
    try { b = JSON.parse(ev.data); } catch (e) { return; }
    if (body.querySelector('tr[data-height="' + b.height + '"]')) return;
    var txs = b.txs || [];
    var failed = txs.filter(function (t) { return t.result !== "committed"; }).length;
    var row = document.createElement("tr");
    row.dataset.height = String(b.height);
    row.className = "new";
    cell(row, link("/explorer/blocks/" + b.height, String(b.height)));
    cell(row, time(b.timestamp_ms)).className = "time";
    cell(row, String(txs.length));
    if (failed > 0) {
      var badge = document.createElement("span");
      badge.className = "badge s-failed";
      badge.textContent = String(failed);
      cell(row, badge);
    } else {
      cell(row, "0");
    }
    cell(row, proposer(b.proposer));
    body.insertBefore(row, body.firstChild);
    while (body.rows.length > keep) body.deleteRow(body.rows.length - 1);
    var h = document.getElementById("height");
    if (h) h.textContent = String(b.height);
    var t = document.getElementById("last-time");
    if (t) t.textContent = time(b.timestamp_ms);
  });
})();
