// The aistats-mock dashboard: a plain page over the admin API (spec/admin/openapi.yaml).
// Every value shown comes from the journal or the state, which hold what clients sent:
// it is only ever written with textContent (never innerHTML), so it shows as text.
"use strict";

const API = "/__mock";
const JOURNAL_EVERY_MS = 1000;
const STATE_EVERY_MS = 3000;
// Each poll asks for at most this many entries, the most recent: under a load test the
// page skips what it cannot show rather than fall behind.
const PAGE = 100;
const KEEP_ROWS = 1000;

const entries = new Map(); // seq -> journal entry, oldest first
const costs = new Map(); // generation id -> cost in nanos
let lastSeq = 0;
let selected = null;
let paused = false;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) tr.appendChild(cell instanceof Node ? cell : el("td", cell));
  return tr;
}

// Nano-dollars as exact dollars: every digit that is not a trailing zero, at least two.
function usd(nanos) {
  if (nanos === undefined || nanos === null) return "";
  const amount = Math.abs(nanos);
  const decimals = String(amount % 1e9).padStart(9, "0").replace(/0+$/, "").padEnd(2, "0");
  return (nanos < 0 ? "-$" : "$") + Math.floor(amount / 1e9) + "." + decimals;
}

async function getJson(path) {
  const response = await fetch(API + path, { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

function bodyText(body) {
  if (!body) return "";
  if (body.encoding === "base64") return "(" + body.size + " bytes, base64)\n" + body.base64;
  try {
    return JSON.stringify(JSON.parse(body.text), null, 2);
  } catch (_) {
    return body.text;
  }
}

function parsedBody(entry) {
  if (!entry.body || entry.body.encoding !== "utf-8" || entry.body_truncated) return null;
  try {
    const parsed = JSON.parse(entry.body.text);
    return parsed && typeof parsed === "object" ? parsed : null;
  } catch (_) {
    return null;
  }
}

function modelOf(entry) {
  const body = parsedBody(entry);
  return body && typeof body.model === "string" ? body.model : "";
}

function textOf(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (part && typeof part.text === "string" ? part.text : "")).join(" ");
}

// The last user message of a chat, responses or messages request (else its prompt or input).
function messageOf(entry) {
  const body = parsedBody(entry);
  if (!body) return "";
  const turns = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  for (let i = turns.length - 1; i >= 0; i--) {
    if (turns[i] && turns[i].role === "user") return textOf(turns[i].content);
  }
  for (const name of ["prompt", "input"]) if (typeof body[name] === "string") return body[name];
  return "";
}

function excerpt(text, length) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? flat.slice(0, length - 1) + "…" : flat;
}

function decision(entry) {
  return [entry.scenario, entry.rule, entry.reply].filter(Boolean).join(" / ");
}

function matches(entry, filter) {
  if (!filter) return true;
  const haystack = [entry.method, entry.path, entry.operation_id, modelOf(entry), messageOf(entry), entry.status];
  haystack.push(decision(entry));
  return haystack.join(" ").toLowerCase().includes(filter);
}

function renderJournal() {
  const filter = document.getElementById("filter").value.trim().toLowerCase();
  const tbody = document.querySelector("#journal tbody");
  const rows = [];
  for (const entry of entries.values()) {
    if (!matches(entry, filter)) continue;
    const status = entry.status === null ? (entry.outcome === "pending" ? "…" : entry.outcome) : entry.status;
    const statusCell = el("td", status, entry.status === null ? "spending" : "s" + String(entry.status)[0]);
    const path = el("td", entry.method + " " + entry.path + (entry.query ? "?" + entry.query : ""), "path");
    path.title = (entry.operation_id ? entry.operation_id + ": " : "") + path.textContent;
    const model = el("td", modelOf(entry), "model");
    model.title = model.textContent;
    const tr = row([
      entry.seq,
      new Date(entry.received_at * 1000).toLocaleTimeString([], { hour12: false }),
      path,
      model,
      el("td", excerpt(messageOf(entry), 80), "message"),
      statusCell,
      entry.duration_ms === null ? "" : Math.round(entry.duration_ms),
      el("td", usd(costs.get(entry.generation_id)), "cost"),
      el("td", decision(entry), "decision"),
    ]);
    tr.dataset.seq = entry.seq;
    if (entry.seq === selected) tr.className = "selected";
    tr.addEventListener("click", () => select(entry.seq));
    rows.push(tr);
  }
  rows.reverse(); // newest first
  tbody.replaceChildren(...rows);
  document.getElementById("journal-count").textContent = rows.length + " of " + entries.size + " requests";
}

function headerText(pairs) {
  return (pairs || []).map(([name, value]) => name + ": " + value).join("\n");
}

function renderDetail() {
  const entry = entries.get(selected);
  const detail = document.getElementById("detail");
  if (!entry) {
    detail.hidden = true;
    return;
  }
  detail.hidden = false;
  const answered = entry.status === null ? entry.outcome : entry.status;
  const operation = entry.operation_id ? " (" + entry.operation_id + ")" : "";
  const title = entry.method + " " + entry.path + operation + " → " + answered + " " + decision(entry);
  document.getElementById("detail-title").textContent = "#" + entry.seq + " " + title;
  document.getElementById("request-headers").textContent = headerText(entry.headers);
  const truncated = entry.body_truncated ? "\n… (" + entry.body_bytes + " bytes received, start kept)" : "";
  document.getElementById("request-body").textContent = bodyText(entry.body) + truncated;
  document.getElementById("response-headers").textContent = headerText(entry.response_headers);
  const answer = entry.response_body === null ? "(not finished yet)" : bodyText(entry.response_body);
  const cut = entry.response_body_truncated ? "\n… (" + entry.response_body_bytes + " bytes sent, start kept)" : "";
  document.getElementById("response-body").textContent = answer + cut;
}

function select(seq) {
  selected = seq;
  renderJournal();
  renderDetail();
}

function setStatus(text, className) {
  const node = document.getElementById("status");
  node.textContent = text;
  node.className = "status " + className;
}

// Entries still pending (a long stream) are asked for again until they complete, while
// they are among the last PAGE requests; the rest only once.
function nextSince() {
  for (const entry of entries.values()) {
    if (entry.outcome === "pending" && lastSeq - entry.seq < PAGE) return entry.seq - 1;
  }
  return lastSeq;
}

async function pollJournal() {
  let page = await getJson("/journal?limit=" + PAGE + "&since=" + nextSince());
  for (;;) {
    for (const entry of page.entries) {
      entries.set(entry.seq, entry);
      lastSeq = Math.max(lastSeq, entry.seq);
    }
    if (page.next_cursor === null || page.next_cursor === undefined) break;
    page = await getJson("/journal?cursor=" + page.next_cursor);
  }
  // A Map keeps insertion order, and pages come oldest first: the oldest rows are first.
  for (const seq of entries.keys()) {
    if (entries.size <= KEEP_ROWS) break;
    entries.delete(seq);
  }
  renderJournal();
  renderDetail();
}

function renderState(state) {
  costs.clear();
  for (const generation of state.generations) costs.set(generation.request_id, generation.cost_nanos);
  const wallets = state.wallets.map((w) => row([w.team_id, usd(w.balance_nanos), usd(w.spent_nanos)]));
  if (!wallets.length) wallets.push(row(["(none charged yet)", usd(state.initial_nanos), ""]));
  document.querySelector("#wallets tbody").replaceChildren(...wallets);
  const jobs = state.jobs.map((j) => {
    const id = el("td", j.id, "id");
    id.title = j.id + " (" + j.team_id + ", " + j.model + ")";
    return row([id, j.kind, j.status + " " + j.progress + "%", usd(j.charged_nanos)]);
  });
  document.querySelector("#jobs tbody").replaceChildren(...jobs);
}

function renderList(id, items) {
  document.getElementById(id).textContent = items.length ? JSON.stringify(items, null, 2) : "(none)";
  document.getElementById(id + "-count").textContent = "(" + items.length + ")";
}

async function pollState() {
  const [state, rules, replies] = await Promise.all([getJson("/state"), getJson("/rules"), getJson("/replies")]);
  renderState(state);
  renderList("rules", rules.rules);
  renderList("replies", replies.replies);
  renderJournal();
}

function every(ms, task) {
  let running = false;
  const run = async () => {
    if (paused || running) return;
    running = true;
    try {
      await task();
      setStatus("live (polling every " + JOURNAL_EVERY_MS / 1000 + " s)", "live");
    } catch (error) {
      setStatus("cannot reach the admin API: " + error.message, "down");
    } finally {
      running = false;
    }
  };
  run();
  return setInterval(run, ms);
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("filter").addEventListener("input", renderJournal);
  const pause = document.getElementById("pause");
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "resume" : "pause";
    if (paused) setStatus("paused", "");
  });
  every(JOURNAL_EVERY_MS, pollJournal);
  every(STATE_EVERY_MS, pollState);
});
