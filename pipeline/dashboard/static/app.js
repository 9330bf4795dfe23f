// The dashboard page: renders each `state` event from /events. Every value
// that comes from a message is set with textContent, never parsed as markup.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 2) =>
  (n === null || n === undefined || Number.isNaN(n)) ? "–" : Number(n).toFixed(digits);
const time = (ms) => new Date(ms).toLocaleTimeString();

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function headersCell(headers) {
  const td = el("td");
  if (headers.length === 0) return td;
  const details = el("details");
  details.append(el("summary", `${headers.length} header${headers.length === 1 ? "" : "s"}`));
  for (const [name, value] of headers) details.append(el("div", `${name}: ${value}`));
  td.append(details);
  return td;
}

function fillTable(id, rows, makeRow, columns) {
  const body = $(id).tBodies[0];
  const fresh = rows.map(makeRow);
  if (fresh.length === 0) {
    const empty = el("tr");
    const td = el("td", "no messages yet", "empty");
    td.colSpan = columns;
    empty.append(td);
    fresh.push(empty);
  }
  body.replaceChildren(...fresh);
}

function messageRow(row) {
  const tr = el("tr");
  if (row.error) tr.className = "bad";
  tr.dataset.offset = `${row.partition}@${row.offset}`;
  tr.append(
    el("td", time(row.timestamp), "nowrap"),
    el("td", `${row.partition}@${row.offset}`, "mono nowrap"),
    el("td", row.order ? row.order.orderId : row.key ?? "–", "nowrap"),
    el("td", row.order ? row.order.product : row.error),
    el("td", row.order ? fmt(row.order.price) : "–"),
    el("td", row.correlationId ?? "–", "mono"),
    headersCell(row.headers),
  );
  return tr;
}

function deadLetterRow(row) {
  const tr = el("tr");
  tr.dataset.offset = `${row.partition}@${row.offset}`;
  const button = el("button", "Replay");
  button.type = "button";
  button.addEventListener("click", () => replay(row, button));
  const action = el("td");
  action.append(button);
  const error = row.errorCode ? `${row.errorCode}: ${row.errorMessage ?? ""}` : row.error;
  tr.append(
    el("td", time(row.timestamp), "nowrap"),
    el("td", `${row.partition}@${row.offset}`, "mono nowrap"),
    el("td", row.original ?? "–", "mono"),
    el("td", row.order ? row.order.orderId : row.key ?? "–"),
    el("td", row.order ? row.order.product : "–"),
    el("td", row.errorClass ?? "–", "nowrap"),
    el("td", error),
    el("td", row.replayCount > 0 ? `${row.attempts} (replayed ${row.replayCount}×)` : row.attempts),
    el("td", row.correlationId ?? "–", "mono"),
    headersCell(row.headers),
    action,
  );
  return tr;
}

function drawChart(history) {
  const svg = $("chart");
  const ns = "http://www.w3.org/2000/svg";
  const parts = [];
  if (history.length > 0) {
    const values = history.map(([, v]) => v);
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (hi - lo < 1e-9) {
      lo -= 1;
      hi += 1;
    }
    const pad = (hi - lo) * 0.1;
    lo -= pad;
    hi += pad;
    const t0 = history[0][0];
    const t1 = Math.max(history[history.length - 1][0], t0 + 1);
    const x = (t) => ((t - t0) / (t1 - t0)) * 600;
    const y = (v) => 175 - ((v - lo) / (hi - lo)) * 170;
    for (const v of [hi - pad, lo + pad]) {
      const line = document.createElementNS(ns, "line");
      line.setAttribute("x1", "0");
      line.setAttribute("x2", "600");
      line.setAttribute("y1", String(y(v)));
      line.setAttribute("y2", String(y(v)));
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", "4");
      label.setAttribute("y", String(y(v) - 3));
      label.textContent = fmt(v);
      parts.push(line, label);
    }
    const polyline = document.createElementNS(ns, "polyline");
    const points = history.length === 1 ? [[t0, values[0]], [t1, values[0]]] : history;
    polyline.setAttribute(
      "points",
      points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "),
    );
    parts.push(polyline);
    $("chart-from").textContent = time(t0);
    $("chart-to").textContent = time(t1);
  }
  svg.replaceChildren(...parts);
}

function renderReaders(readers) {
  const waiting = Object.entries(readers).filter(([, status]) => status.state !== "tailing");
  const banner = $("readers");
  banner.hidden = waiting.length === 0;
  banner.replaceChildren(...waiting.map(([topic, status]) =>
    el(
      "div",
      status.state === "waiting"
        ? `${topic}: waiting for the broker since ${
          time(status.since)
        } (attempt ${status.attempts}: ${status.reason})`
        : `${topic}: connecting…`,
    )
  ));
}

function render(view) {
  renderReaders(view.readers);
  $("topics").textContent = `${view.topics.orders} · group ${view.topics.groupId}`;
  $("orders-topic").textContent = view.topics.orders;
  $("retry-topic").textContent = view.topics.retry;
  $("dlq-topic").textContent = view.topics.dlq;
  $("average").textContent = fmt(view.aggregate.average, 4);
  $("minmax").textContent = view.aggregate.count > 0
    ? `over ${view.aggregate.count} orders · min ${fmt(view.aggregate.min)} · max ${
      fmt(view.aggregate.max)
    }`
    : "no orders processed yet";
  $("processed").textContent = view.processed;
  $("throughput").textContent = fmt(view.throughput, 1);
  $("retried").textContent = view.stored.retry;
  $("dead-lettered").textContent = view.stored.dlq;
  $("by-class").textContent = Object.entries(view.deadLetteredByClass).map(([k, n]) => `${k} ${n}`)
    .join(" · ");
  drawChart(view.history);
  fillTable("partitions", view.partitions, (p) => {
    const tr = el("tr");
    tr.append(
      el("td", p.partition),
      el("td", p.count),
      el("td", fmt(p.average, 4)),
      el("td", p.nextOffset ?? "–"),
      el("td", p.endOffset),
      el("td", p.lag),
    );
    return tr;
  }, 6);
  fillTable("orders", view.tables.orders, messageRow, 7);
  fillTable("retry", view.tables.retry, messageRow, 7);
  fillTable("dlq", view.tables.dlq, deadLetterRow, 11);
}

function say(text, isError) {
  $("message").textContent = text;
  $("message").className = isError ? "small error" : "small";
}

async function post(path, body) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-dashboard-token"] = token;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

async function replay(row, button) {
  button.disabled = true;
  try {
    const done = await post("/api/replay", { partition: row.partition, offset: row.offset });
    say(`Replayed ${row.partition}@${row.offset} to ${done.topic} (replay ${done.replayCount})`);
  } catch (err) {
    say(`Replay failed: ${err.message}`, true);
    button.disabled = false;
  }
}

$("produce").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector("button");
  button.disabled = true;
  say("Producing…");
  try {
    const count = Number(form.count.value);
    const badRate = form.badRate.value === "" ? 0 : Number(form.badRate.value);
    const done = await post("/api/produce", { count, badRate });
    say(`Produced ${done.sent} orders`);
  } catch (err) {
    say(`Produce failed: ${err.message}`, true);
  } finally {
    button.disabled = false;
  }
});

const source = new EventSource("/events");
source.addEventListener("state", (event) => {
  $("connection").textContent = "live";
  $("connection").className = "status live";
  render(JSON.parse(event.data));
});
source.addEventListener("error", () => {
  $("connection").textContent = "reconnecting…";
  $("connection").className = "status down";
});
