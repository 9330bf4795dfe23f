// The dashboard page: renders each `state` event from /events, and runs the
// dead-letter triage, the detail panel and the topic browser. Every value that
// comes from a message is set with textContent, never parsed as markup.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 2) =>
  (n === null || n === undefined || Number.isNaN(n)) ? "–" : Number(n).toFixed(digits);
const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });
const stamp = (ms) => new Date(ms).toLocaleString();

let view = null;
/** Hand-picked dead letters, as `partition:offset`. */
const picked = new Set();
/** "Select all matching": the server replays every letter of the DLQ the filter matches. */
let allMatching = false;
/** The message the detail panel shows: { topic, partition, offset } or null. */
let detailOf = null;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/** A cell that never wraps: long text ends in an ellipsis, the whole of it in the tooltip. */
function cell(text, className) {
  const td = el("td", text ?? "–", className);
  if (text !== null && text !== undefined) td.title = String(text);
  return td;
}

/** A GET URL with the token, which reads need off loopback. */
function withToken(path) {
  if (!token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

async function getJson(path) {
  const response = await fetch(withToken(path));
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

async function post(path, body) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-dashboard-token"] = token;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

function fillTable(id, rows, makeRow, columns, emptyText = "no messages yet") {
  const body = $(id).tBodies[0];
  const fresh = rows.map(makeRow);
  if (fresh.length === 0) {
    const empty = el("tr");
    const td = el("td", emptyText, "empty");
    td.colSpan = columns;
    empty.append(td);
    fresh.push(empty);
  }
  body.replaceChildren(...fresh);
}

/** Marks the row the detail panel shows, and opens it on click. */
function openable(tr, topic, row) {
  tr.dataset.topic = topic;
  tr.dataset.position = `${row.partition}:${row.offset}`;
  if (
    detailOf && detailOf.topic === topic && detailOf.partition === row.partition &&
    detailOf.offset === row.offset
  ) tr.classList.add("open");
  tr.addEventListener("click", (event) => {
    if (event.target.closest("input, button, label")) return;
    showDetail(topic, row.partition, row.offset);
  });
  return tr;
}

// ---- charts (uPlot, served by our own server) ----

const charts = {};

function chart(id, label, color) {
  const node = $(id);
  const width = () => Math.max(200, node.clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height: 150,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        {
          stroke: "#6b7385",
          space: 80,
          grid: { stroke: "#eef0f4" },
          ticks: { stroke: "#dde1e8" },
          // 24-hour clock times, as the tables show them (uPlot's default is "10:00am").
          values: (_, ticks) => ticks.map((seconds) => time(seconds * 1000)),
        },
        {
          label,
          stroke: "#6b7385",
          size: 64,
          grid: { stroke: "#eef0f4" },
          ticks: { stroke: "#dde1e8" },
          // As many decimals as the tick step needs: 0, 5000, 10000 or 0.25, 0.50.
          values: (_, ticks) => {
            const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
            return ticks.map((v) => fmt(v, step >= 1 ? 0 : step >= 0.1 ? 1 : 2));
          },
        },
      ],
      series: [{}, { label, stroke: color, width: 2, points: { show: false } }],
    },
    [[], []],
    node,
  );
  new ResizeObserver(() => plot.setSize({ width: width(), height: 150 })).observe(node);
  return plot;
}

function drawCharts(v) {
  if (typeof uPlot === "undefined") return;
  charts.average ??= chart("average-chart", "average", "#2463eb");
  charts.throughput ??= chart("throughput-chart", "orders/s", "#15803d");
  const series = (points) => [points.map(([t]) => t / 1000), points.map(([, y]) => y)];
  charts.average.setData(series(v.history));
  charts.throughput.setData(series(v.throughputHistory));
}

// ---- health ----

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

function renderHealth(v) {
  const pill = $("health");
  pill.textContent = v.consumer.detail;
  pill.title = v.consumer.detail;
  pill.className = `pill ${v.consumer.state}`;
  $("group-state").textContent = v.consumer.groupState
    ? `${v.topics.groupId} · ${v.consumer.groupState}`
    : v.topics.groupId;
  fillTable(
    "members",
    v.consumer.members,
    (m) => {
      const tr = el("tr");
      tr.append(
        cell(m.clientId, "mono"),
        cell(m.host, "mono"),
        cell(m.partitions.length ? m.partitions.join(", ") : "none"),
      );
      return tr;
    },
    3,
    "no consumer in the group",
  );
  fillTable(
    "partitions",
    v.partitions,
    (p) => {
      const tr = el("tr");
      const lag = cell(p.lagGrowing ? `${p.lag} ▲` : p.lag, "num");
      if (p.lagGrowing) {
        lag.classList.add("growing");
        lag.title = "lag is growing";
      }
      tr.append(
        cell(p.partition),
        cell(p.count, "num"),
        cell(fmt(p.average, 4), "num"),
        cell(p.nextOffset ?? "–", "num"),
        cell(p.endOffset, "num"),
        lag,
        cell(
          p.updatedAt ? `${Math.max(0, Math.round((Date.now() - p.updatedAt) / 1000))} s ago` : "–",
        ),
      );
      return tr;
    },
    7,
    "no partitions yet",
  );
}

// ---- orders and retry tables ----

/** A price as given: NaN and infinities stay visible, they are why an order is invalid. */
function price(order) {
  return Number.isFinite(order.price) ? fmt(order.price) : order.priceText;
}

/** The order id a row shows: a blank one says so, an undecodable one falls back to the key. */
function orderId(row) {
  if (!row.order) return row.key ?? "–";
  return row.order.orderId.trim() === "" ? "(blank id)" : row.order.orderId;
}

function orderRow(row) {
  const tr = openable(el("tr"), view.topics.orders, row);
  if (row.error) tr.classList.add("bad");
  if (row.invalid) tr.classList.add("invalid");
  const check = el("td");
  if (row.error || row.invalid) {
    const badge = el("span", row.error ? "undecodable" : "invalid", "badge bad");
    badge.title = row.error ?? row.invalid;
    check.append(badge);
  } else check.append(el("span", "ok", "badge ok"));
  tr.append(
    cell(time(row.timestamp)),
    cell(`${row.partition}@${row.offset}`, "mono"),
    cell(orderId(row), "mono"),
    cell(row.order ? row.order.product : row.error),
    cell(row.order ? price(row.order) : "–", "num"),
    check,
  );
  return tr;
}

function retryRow(row) {
  const tr = openable(el("tr"), view.topics.retry, row);
  const due = row.retry && row.retry.due > 0 ? Math.round((row.retry.due - Date.now()) / 1000) : 0;
  tr.append(
    cell(time(row.timestamp)),
    cell(`${row.partition}@${row.offset}`, "mono"),
    cell(orderId(row), "mono"),
    cell(row.retry ? row.retry.round : "–", "num"),
    cell(row.retry ? (due > 0 ? `${due} s` : "due") : "–", "num"),
    cell(row.retry ? row.retry.attempts : "–", "num"),
  );
  return tr;
}

// ---- dead letters: filter, selection, replay ----

function currentFilter() {
  const form = $("dlq-filter");
  const moment = (input) => input.value ? new Date(input.value).getTime() : undefined;
  const filter = {
    errorClass: form.errorClass.value || undefined,
    errorCode: form.errorCode.value || undefined,
    stage: form.stage.value || undefined,
    since: moment(form.since),
    until: moment(form.until),
    text: form.text.value.trim() || undefined,
  };
  return JSON.parse(JSON.stringify(filter));
}

// The same rules as the server's (pipeline/dashboard/dead_letter_filter.ts), on the rows shown.
function matches(filter, row) {
  if (filter.errorClass && row.errorClass !== filter.errorClass) return false;
  if (filter.errorCode && row.errorCode !== filter.errorCode) return false;
  if (filter.stage && row.stage !== filter.stage) return false;
  if (filter.since !== undefined && row.timestamp < filter.since) return false;
  if (filter.until !== undefined && row.timestamp >= filter.until) return false;
  const text = filter.text?.toLowerCase();
  if (!text) return true;
  return [row.order?.orderId, row.correlationId, row.order?.product, row.errorMessage, row.key]
    .some((field) => field && String(field).toLowerCase().includes(text));
}

function fillOptions(select, values) {
  const chosen = select.value;
  const known = [...select.options].slice(1).map((o) => o.value);
  const all = [...new Set([...known, ...values.filter(Boolean)])].sort();
  if (all.join("\n") === known.join("\n")) return;
  const any = select.options[0];
  select.replaceChildren(any, ...all.map((value) => el("option", value)));
  select.value = chosen;
}

function renderDeadLetters() {
  const rows = view.tables.dlq;
  fillOptions($("dlq-filter").errorCode, rows.map((r) => r.errorCode));
  fillOptions($("dlq-filter").stage, rows.map((r) => r.stage));
  const filter = currentFilter();
  const shown = rows.filter((row) => matches(filter, row));
  $("dlq-count").textContent =
    `${shown.length} of the latest ${rows.length} shown · ${view.stored.dlq} on the topic`;
  fillTable(
    "dlq",
    shown,
    deadLetterRow,
    10,
    rows.length ? "no dead letter matches" : "no dead letters yet",
  );
  const allShown = shown.length > 0 && shown.every((r) => picked.has(`${r.partition}:${r.offset}`));
  $("select-shown").checked = allMatching || allShown;
  renderSelection();
}

function deadLetterRow(row) {
  const tr = openable(el("tr"), view.topics.dlq, row);
  const position = `${row.partition}:${row.offset}`;
  const box = el("input");
  box.type = "checkbox";
  box.checked = allMatching || picked.has(position);
  box.disabled = allMatching;
  box.setAttribute("aria-label", `select dead letter ${position}`);
  box.addEventListener("change", () => {
    if (box.checked) picked.add(position);
    else picked.delete(position);
    renderSelection();
  });
  const check = el("td");
  check.append(box);
  const tries = row.replayCount > 0
    ? `${row.attempts} (${row.replayCount}× replayed)`
    : row.attempts;
  tr.append(
    check,
    cell(time(row.timestamp)),
    cell(`${row.partition}@${row.offset}`, "mono"),
    cell(orderId(row), "mono"),
    cell(row.errorClass, `class-${row.errorClass}`),
    cell(row.errorCode, "mono"),
    cell(row.stage),
    cell(tries, "num"),
    cell(row.errorMessage ?? row.error),
    cell(row.correlationId, "mono"),
  );
  if (picked.has(position) || allMatching) tr.classList.add("picked");
  return tr;
}

function renderSelection() {
  const text = allMatching
    ? "every letter on the topic that matches the filter"
    : `${picked.size} selected`;
  $("selection").textContent = text;
  $("replay-selected").disabled = !allMatching && picked.size === 0;
  $("replay-selected").textContent = allMatching
    ? "Replay all matching…"
    : `Replay ${picked.size || ""} selected…`.replace("  ", " ");
}

let preview = null;

async function openConfirm() {
  const request = allMatching
    ? { filter: currentFilter(), dryRun: true }
    : { positions: [...picked], filter: {}, dryRun: true };
  const to = $("confirm-to").value.trim();
  if (to) request.to = to;
  $("confirm-summary").textContent = "Working out what would be sent (dry run)…";
  $("confirm-table").tBodies[0].replaceChildren();
  $("confirm-go").disabled = true;
  if (!$("confirm").open) $("confirm").showModal();
  try {
    preview = await post("/api/replay", request);
    const { summary, letters } = preview;
    // A replay to a letter's own topic is for its group only; one to another topic, for every reader.
    const targets = [
      ...new Set(
        letters.filter((l) => l.to).map((l) => l.group ? `${l.to} (for group ${l.group})` : l.to),
      ),
    ];
    $("confirm-summary").textContent =
      `Dry run: would send ${summary.sent}, park ${summary.parked} ` +
      `(replayed too often already), skip ${summary.skipped + summary.unreadable}. ` +
      `Target topic: ${targets.join(", ") || "–"}.` +
      (letters.length < summary.sent + summary.parked + summary.unreadable
        ? ` This replay takes the first ${letters.length}; run it again for the rest.`
        : "") +
      (letters.length > 200 ? " The list shows the first 200." : "");
    fillTable(
      "confirm-table",
      letters.slice(0, 200),
      (letter) => {
        const tr = el("tr");
        tr.append(
          cell(letter.dlq, "mono"),
          cell(letter.orderId ?? "–", "mono"),
          cell(letter.to ?? "–", "mono"),
          cell(letter.replays ?? "–", "num"),
          cell(
            letter.type === "would-send" ? "send" : letter.type,
            letter.type === "would-send" ? "" : "warn",
          ),
        );
        return tr;
      },
      5,
      "nothing to replay",
    );
    $("confirm-go").disabled = letters.every((l) => l.type === "unreadable");
  } catch (err) {
    $("confirm-summary").textContent = `The dry run failed: ${err.message}`;
  }
}

async function confirmReplay() {
  if (!preview) return;
  const positions = preview.letters.filter((l) => l.type !== "unreadable").map((l) => l.dlq);
  const to = $("confirm-to").value.trim();
  $("confirm-go").disabled = true;
  try {
    await post("/api/replay", { positions, filter: {}, dryRun: false, ...(to ? { to } : {}) });
    $("confirm").close();
    picked.clear();
    allMatching = false;
    renderDeadLetters();
  } catch (err) {
    $("confirm-summary").textContent = `The replay did not start: ${err.message}`;
    $("confirm-go").disabled = false;
  }
}

function renderReplay(job) {
  const box = $("replay-progress");
  if (!job) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const done = job.sent + job.parked + job.skipped;
  $("replay-bar").max = Math.max(job.total, 1);
  $("replay-bar").value = job.state === "running" ? done : job.total;
  const counts = `sent ${job.sent}, parked ${job.parked}, skipped ${job.skipped}`;
  $("replay-result").textContent = job.state === "running"
    ? `Replaying ${job.total}: ${counts}`
    : job.state === "done"
    ? `Replay done: ${counts}`
    : `Replay failed after ${counts}: ${job.error}`;
  $("replay-result").className = job.state === "failed" ? "small error" : "small";
}

// ---- detail panel ----

async function showDetail(topic, partition, offset) {
  detailOf = { topic, partition, offset };
  markOpenRows();
  $("detail").hidden = false;
  $("detail-title").textContent = `${topic} ${partition}@${offset}`;
  $("detail-body").replaceChildren(el("p", "Loading…", "small"));
  try {
    const detail = await getJson(
      `/api/message?topic=${encodeURIComponent(topic)}&partition=${partition}&offset=${offset}`,
    );
    if (detailOf?.topic === topic && detailOf.offset === offset) renderDetail(detail);
  } catch (err) {
    $("detail-body").replaceChildren(el("p", `Could not load it: ${err.message}`, "error"));
  }
}

function renderDetail(detail, hexFirst = false) {
  detailOf = { topic: detail.topic, partition: detail.partition, offset: detail.offset };
  markOpenRows();
  $("detail").hidden = false;
  $("detail-title").textContent = `${detail.topic} ${detail.partition}@${detail.offset}`;
  const parts = [];
  const facts = el("dl");
  const fact = (name, value) => facts.append(el("dt", name), el("dd", value ?? "–"));
  fact("time", stamp(detail.timestamp));
  fact("key", detail.key);
  fact("decoded as", detail.kind === "raw" ? "not decoded (hex below)" : detail.kind);
  fact("size", `${detail.size} bytes`);
  for (const [name, value] of detail.fields) fact(name, value);
  parts.push(facts);
  if (detail.problem) {
    parts.push(el("h3", detail.kind === "dead-letter" ? "Error" : "Problem"));
    parts.push(el("pre", detail.problem, "problem"));
  }
  if (detail.stack) {
    const stack = el("details");
    stack.append(el("summary", "stack trace"), el("pre", detail.stack));
    parts.push(stack);
  }
  parts.push(el("h3", `Headers (${detail.headers.length})`));
  const headers = el("table", undefined, "compact headers");
  const body = el("tbody");
  for (const [name, value] of detail.headers) {
    const tr = el("tr");
    tr.append(el("td", name, "mono wrap name"), el("td", value, "mono wrap"));
    body.append(tr);
  }
  headers.append(body);
  parts.push(detail.headers.length ? headers : el("p", "none", "small"));
  const hex = el("details");
  hex.open = hexFirst || detail.kind === "raw";
  hex.append(el("summary", "value as hex"), el("pre", detail.hex || "(empty)", "hex"));
  parts.push(hex);
  $("detail-body").replaceChildren(...parts);
}

function markOpenRows() {
  for (const tr of document.querySelectorAll("tr.open")) tr.classList.remove("open");
  if (!detailOf) return;
  const position = `${detailOf.partition}:${detailOf.offset}`;
  for (const tr of document.querySelectorAll(`tr[data-position="${position}"]`)) {
    if (tr.dataset.topic === detailOf.topic) tr.classList.add("open");
  }
}

// ---- topic browser ----

let page = null;

async function browse(params) {
  const form = $("browse");
  const query = new URLSearchParams({
    topic: form.topic.value,
    partition: form.partition.value || "0",
    count: form.count.value,
    ...params,
  });
  $("browse-info").textContent = "Reading…";
  try {
    page = await getJson(`/api/browse?${query}`);
    renderPage();
  } catch (err) {
    $("browse-info").textContent = `Could not read: ${err.message}`;
    $("browse-info").className = "small error";
  }
}

function renderPage() {
  const hex = $("browse").view.value === "hex";
  const first = page.records[0]?.offset ?? page.start;
  const last = page.records.at(-1)?.offset;
  $("browse-info").className = "small";
  $("browse-info").textContent = page.records.length
    ? `${page.topic} partition ${page.partition}: offsets ${first} to ${last} of ${page.low}–${
      BigInt(page.high) - 1n
    }`
    : `${page.topic} partition ${page.partition}: nothing from ${page.start} (offsets ${page.low} to ${
      BigInt(page.high) - 1n
    })`;
  fillTable(
    "browse-table",
    page.records,
    (record) => {
      const tr = el("tr");
      tr.dataset.topic = record.topic;
      tr.dataset.position = `${record.partition}:${record.offset}`;
      tr.addEventListener("click", () => renderDetail(record, hex));
      const summary = hex
        ? record.hex.split("\n")[0]?.slice(10) ?? ""
        : record.kind === "raw"
        ? record.problem
        : record.fields.slice(0, 4).map(([name, value]) => `${name}=${value}`).join("  ");
      tr.append(
        cell(record.offset, "num mono"),
        cell(time(record.timestamp)),
        cell(record.key, "mono"),
        cell(
          record.kind === "raw" ? "not decoded" : record.kind,
          record.kind === "raw" ? "warn" : "",
        ),
        cell(summary, hex ? "mono" : ""),
        cell(record.headers.length, "num"),
      );
      return tr;
    },
    6,
    "no records here",
  );
  $("browse-prev").disabled = BigInt(first) <= BigInt(page.low);
  $("browse-next").disabled = last === undefined || BigInt(last) + 1n >= BigInt(page.high);
  markOpenRows();
}

// ---- the page ----

function render(v) {
  view = v;
  $("topics").textContent = `${v.topics.orders} · group ${v.topics.groupId}`;
  $("orders-topic").textContent = v.topics.orders;
  $("retry-topic").textContent = v.topics.retry;
  $("dlq-topic").textContent = v.topics.dlq;
  const topicSelect = $("browse").topic;
  if (topicSelect.options.length === 0) {
    for (const name of [v.topics.orders, v.topics.retry, v.topics.dlq, v.topics.stats]) {
      topicSelect.append(el("option", name));
    }
  }
  renderReaders(v.readers);
  renderHealth(v);
  $("average").textContent = fmt(v.aggregate.average, 4);
  $("minmax").textContent = v.aggregate.count > 0
    ? `over ${v.aggregate.count} orders · min ${fmt(v.aggregate.min)} · max ${fmt(v.aggregate.max)}`
    : "no orders processed yet";
  $("processed").textContent = v.processed;
  $("throughput").textContent = fmt(v.throughput, 1);
  $("retried").textContent = v.stored.retry;
  $("dead-lettered").textContent = v.stored.dlq;
  $("by-class").textContent = Object.entries(v.deadLetteredByClass).map(([k, n]) => `${k} ${n}`)
    .join(" · ");
  drawCharts(v);
  fillTable("orders", v.tables.orders, orderRow, 6);
  fillTable("retry", v.tables.retry, retryRow, 6);
  renderDeadLetters();
  renderReplay(v.replay);
}

function say(text, isError) {
  $("message").textContent = text;
  $("message").className = isError ? "small error" : "small";
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

$("dlq-filter").addEventListener("input", () => view && renderDeadLetters());
$("dlq-filter").addEventListener("submit", (event) => event.preventDefault());
$("select-shown").addEventListener("change", (event) => {
  if (allMatching && !event.target.checked) allMatching = false;
  const filter = currentFilter();
  for (const row of view?.tables.dlq ?? []) {
    if (!matches(filter, row)) continue;
    const position = `${row.partition}:${row.offset}`;
    if (event.target.checked) picked.add(position);
    else picked.delete(position);
  }
  renderDeadLetters();
});
$("select-matching").addEventListener("click", () => {
  allMatching = true;
  picked.clear();
  renderDeadLetters();
});
$("select-none").addEventListener("click", () => {
  allMatching = false;
  picked.clear();
  renderDeadLetters();
});
$("replay-selected").addEventListener("click", () => void openConfirm());
$("confirm-to").addEventListener("change", () => void openConfirm());
$("confirm-cancel").addEventListener("click", () => $("confirm").close());
$("confirm-go").addEventListener("click", () => void confirmReplay());
$("detail-close").addEventListener("click", () => {
  detailOf = null;
  $("detail").hidden = true;
  markOpenRows();
});
$("browse").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  if (form.time.value) void browse({ time: String(new Date(form.time.value).getTime()) });
  else void browse(form.offset.value ? { offset: form.offset.value } : {});
});
$("browse").view.addEventListener("change", () => page && renderPage());
$("browse-next").addEventListener("click", () => {
  const last = page.records.at(-1);
  if (last) void browse({ offset: String(BigInt(last.offset) + 1n) });
});
$("browse-prev").addEventListener("click", () => {
  const first = BigInt(page.records[0]?.offset ?? page.start);
  const back = first - BigInt($("browse").count.value);
  void browse({ offset: String(back > BigInt(page.low) ? back : BigInt(page.low)) });
});

const source = new EventSource(withToken("/events"));
source.addEventListener("state", (event) => {
  $("connection").textContent = "connected";
  $("connection").className = "status live";
  render(JSON.parse(event.data));
});
source.addEventListener("error", () => {
  $("connection").textContent = "reconnecting…";
  $("connection").className = "status down";
});
