// The Drover dashboard: one page over the node's HTTP API (/api/v1). The token lives in this
// tab's sessionStorage and goes out as "Authorization: Bearer" on every call (never a cookie,
// never in a URL). Deploys update live from GET /api/v1/events (read with fetch(), since
// EventSource cannot send a header); the other views are read every REFRESH_MS while the tab is
// visible. Everything is built with textContent: nothing from the API is parsed as HTML.
"use strict";

const API = "/api/v1";
const TOKEN_KEY = "drover.token";
const REFRESH_MS = 3000;
const DEPLOYS_SHOWN = 10;
const REVISIONS_OFFERED = 20;
const ENDED = new Set(["succeeded", "failed", "aborted", "reverted"]);
const ROLES = ["viewer", "deployer", "admin"];

const state = {
  token: null,
  me: null, // {name, role}
  timer: null,
  stream: null, // AbortController of the event stream
  lastEventId: null,
  backoffMs: 1000,
  deploys: new Map(), // id -> the deploy as GET /deploys/{id} answers it
  order: [], // deploy ids, newest first
  inFlight: new Map(), // deploy id -> true while fetching; "again" when a step came meanwhile
};

const $ = (id) => document.getElementById(id);

// ---- helpers -------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function td(label, ...children) {
  return el("td", { "data-label": label }, ...children);
}

function short(rev) {
  return rev ? String(rev).slice(0, 12) : "—";
}

function ago(iso) {
  if (!iso) return "";
  const t = typeof iso === "number" ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  const s = Math.round((Date.now() - t) / 1000);
  const abs = Math.abs(s);
  const txt =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` :
    abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return s >= 0 ? `${txt} ago` : `in ${txt}`;
}

function time(iso) {
  return el("time", { datetime: iso || "", title: iso || "" }, ago(iso));
}

function badge(text, kind) {
  return el("span", { class: `badge ${kind || text}` }, text);
}

function allows(role) {
  return state.me && ROLES.indexOf(state.me.role) >= ROLES.indexOf(role);
}

function applyRoles(root) {
  for (const e of (root || document).querySelectorAll("[data-min-role]")) {
    e.hidden = !allows(e.getAttribute("data-min-role"));
  }
}

let noticeTimer = null;

// A line above the views; information fades after 10 s, errors stay until the next notice.
function notice(text, isError) {
  const n = $("notice");
  n.textContent = text;
  n.className = isError ? "notice error" : "notice";
  n.hidden = !text;
  clearTimeout(noticeTimer);
  if (text && !isError) noticeTimer = setTimeout(() => { n.hidden = true; }, 10000);
}

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function problemDetail(resp) {
  try {
    const p = await resp.json();
    return p.detail || p.title || `${resp.status} ${resp.statusText}`;
  } catch (e) {
    return `${resp.status} ${resp.statusText}`;
  }
}

// Every API call. 401 sends the page back to the login form with the server's words.
async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}`, Accept: "application/json" };
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(API + path, init);
  if (resp.status === 401) {
    const detail = await problemDetail(resp);
    logout(`The node refused the token: ${detail}`);
    throw new ApiError(401, detail);
  }
  if (!resp.ok) throw new ApiError(resp.status, await problemDetail(resp));
  if (resp.status === 204) return null;
  return resp.json();
}

// ---- login ---------------------------------------------------------------------------------

async function login(token) {
  state.token = token;
  const resp = await fetch(`${API}/whoami`, {
    headers: { Authorization: `Bearer ${token}` },
    cache: "no-store",
  });
  if (!resp.ok) {
    state.token = null;
    throw new ApiError(resp.status, await problemDetail(resp));
  }
  state.me = await resp.json();
  sessionStorage.setItem(TOKEN_KEY, token);
  $("whoami").textContent = `${state.me.name} (${state.me.role})`;
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  applyRoles();
  refreshAll();
  openStream();
  schedule();
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.me = null;
  clearTimeout(state.timer);
  state.timer = null;
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.lastEventId = null;
  notice("");
  state.deploys.clear();
  state.order = [];
  $("deploys").replaceChildren();
  $("app").hidden = true;
  $("logout").hidden = true;
  $("whoami").textContent = "";
  setLive("offline");
  $("login-view").hidden = false;
  const err = $("login-error");
  err.textContent = message || "";
  err.hidden = !message;
  $("token").value = "";
  $("token").focus();
}

// ---- periodic views ------------------------------------------------------------------------

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    if (!document.hidden && state.token) await refreshAll();
    if (state.token) schedule();
  }, REFRESH_MS);
}

async function refreshAll() {
  if (!state.token) return;
  const jobs = [
    ["sites", () => api("GET", "/sites").then(renderSites)],
    ["hosts", () => api("GET", "/hosts").then(renderHosts)],
    ["members", () => api("GET", "/cluster/members").then(renderMembers)],
    ["cronjobs", () => api("GET", "/cronjobs").then(renderCron)],
    ["singletons", () => api("GET", "/singletons").then(renderSingletons)],
    ["deploys", refreshDeploys],
    ["revisions", () => api("GET", "/revisions").then(renderRevisions)],
  ];
  const results = await Promise.allSettled(jobs.map(([, f]) => f()));
  const failed = results
    .map((r, i) => (r.status === "rejected" && r.reason.status !== 401 ? `${jobs[i][0]}: ${r.reason.message}` : null))
    .filter(Boolean);
  if (!state.token) return;
  $("refreshed").textContent = failed.length
    ? `Last read failed — ${failed.join("; ")}`
    : `Read at ${new Date().toLocaleTimeString()}.`;
}

function renderSites(sites) {
  const rows = sites.map((s) => {
    const st = s.status || {};
    const problems = st.problems || [];
    const rev = s.spec && s.spec.revision;
    const hold = s.deploy && s.deploy.running ? el("span", { class: "muted" }, ` · deploying (${s.deploy.id})`) : null;
    return el(
      "tr",
      { "data-site": s.name, class: st.degraded ? "degraded" : null },
      td("Site", el("strong", {}, s.name)),
      td("Ready", el("span", { class: "ready" }, `${st.ready}/${st.desired}`)),
      td("Hosts", String(st.distinctHosts ?? "")),
      td("Revision", el("code", { title: rev || "" }, short(rev)), hold),
      td("Problems", problems.length ? el("ul", { class: "problems" }, problems.map((p) => el("li", {}, p))) : el("span", { class: "ok" }, "none")),
    );
  });
  $("sites").replaceChildren(...rows);
  $("sites-empty").hidden = rows.length > 0;
}

function renderHosts(hosts) {
  const pools = new Map();
  for (const h of hosts) {
    if (!pools.has(h.pool)) pools.set(h.pool, []);
    pools.get(h.pool).push(h);
  }
  const blocks = [...pools.keys()].sort().map((pool) => {
    const list = pools.get(pool).sort((a, b) => a.name.localeCompare(b.name));
    const max = Math.max(1, ...list.map((h) => h.instanceCount || 0));
    const total = list.reduce((n, h) => n + (h.instanceCount || 0), 0);
    const rows = list.map((h) => {
      const flags = [];
      if (h.reachable === false) flags.push(badge("unreachable", "bad"));
      if (h.draining) flags.push(badge("draining", "warn"));
      else if (h.cordoned) flags.push(badge("cordoned", "warn"));
      if (!flags.length) flags.push(badge("schedulable", "ok"));
      return el(
        "tr",
        { "data-hostname": h.name },
        td("Host", el("strong", {}, h.name)),
        td("Load", el("progress", { max, value: h.instanceCount || 0 }), ` ${h.instanceCount || 0}`),
        td("State", flags),
        td("Address", el("code", {}, h.address || "")),
      );
    });
    return el(
      "div",
      { class: "pool", "data-pool": pool },
      el("h3", {}, `pool ${pool}`, el("span", { class: "muted" }, ` — ${list.length} host${list.length === 1 ? "" : "s"}, ${total} instance${total === 1 ? "" : "s"}`)),
      el("div", { class: "table" }, el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "Host"), el("th", {}, "Instances"), el("th", {}, "State"), el("th", {}, "Address"))),
        el("tbody", {}, rows))),
    );
  });
  $("hosts").replaceChildren(...blocks);
}

function renderMembers(members) {
  const rows = members
    .slice()
    .sort((a, b) => (a.age || 0) - (b.age || 0))
    .map((m) =>
      el(
        "tr",
        { "data-member": m.address },
        td("Address", el("code", {}, m.address), m.self ? badge("this node", "info") : null, m.leader ? badge("leader", "info") : null),
        td("Status", m.status),
        td("Reachable", m.reachable ? badge("reachable", "ok") : badge("unreachable", "bad")),
        td("Roles", (m.roles || []).join(", ")),
        td("Age", m.age === 1 ? "1 (oldest)" : String(m.age ?? "")),
      ),
    );
  $("members").replaceChildren(...rows);
  const self = members.find((m) => m.self);
  $("node").textContent = self ? self.address : "";
}

function renderCron(body) {
  const jobs = body.cronjobs || [];
  const rows = jobs.map((j) => {
    const spec = j.spec || {};
    const runs = (j.runs || []).slice(0, 3).map((r) =>
      el("li", {}, badge(r.state), " ", time(r.startedAt || r.tick), r.host ? ` on ${r.host}` : "", r.manual ? " (manual)" : ""));
    const trigger = el("button", { type: "button", "data-cron-trigger": j.name, "data-min-role": "deployer" }, "Trigger");
    trigger.addEventListener("click", () => triggerCron(j.name, trigger));
    return el(
      "tr",
      { "data-cron": j.name },
      td("Job", el("strong", {}, j.name), spec.suspend ? badge("suspended", "warn") : null, j.running ? badge(`${j.running} running`, "info") : null),
      td("Schedule", el("code", {}, spec.schedule || ""), spec.timezone && spec.timezone !== "UTC" ? ` ${spec.timezone}` : ""),
      td("Next", el("ul", { class: "plain" }, (j.next || []).slice(0, 2).map((n) => el("li", {}, time(n))))),
      td("Last runs", runs.length ? el("ul", { class: "plain" }, runs) : el("span", { class: "muted" }, "none yet")),
      td("", trigger),
    );
  });
  $("cronjobs").replaceChildren(...rows);
  $("cronjobs-empty").hidden = rows.length > 0;
  applyRoles($("cronjobs"));
}

async function triggerCron(name, button) {
  button.disabled = true;
  try {
    const run = await api("POST", `/cronjobs/${encodeURIComponent(name)}/trigger`);
    notice(`Cronjob ${name}: run ${run.run} started on ${run.host || "a host"}.`, false);
    api("GET", "/cronjobs").then(renderCron).catch(() => {});
  } catch (e) {
    if (e.status !== 401) notice(`Cronjob ${name}: ${e.message}`, true);
  } finally {
    button.disabled = false;
  }
}

function renderSingletons(body) {
  const rows = (body.singletons || []).map((s) =>
    el(
      "tr",
      { "data-singleton": s.name },
      td("Singleton", el("strong", {}, s.name)),
      td("Where", s.host || "", s.address ? el("code", { class: "muted small" }, ` ${s.address}`) : null),
      td("Since", time(s.since)),
      td("State", badge(s.state, s.state === "running" ? "ok" : s.state === "unavailable" ? "bad" : "neutral"), s.reason ? ` ${s.reason}` : ""),
    ),
  );
  $("singletons").replaceChildren(...rows);
}

function renderRevisions(revisions) {
  const opts = revisions.slice(0, REVISIONS_OFFERED).map((r) =>
    el("option", { value: r.id, label: `${short(r.id)} · ${r.files} files · ${ago(r.uploadedAtMillis)}` }));
  $("revisions").replaceChildren(...opts);
}

// ---- deploys -------------------------------------------------------------------------------

async function refreshDeploys() {
  const list = (await api("GET", `/deploys?limit=${DEPLOYS_SHOWN}`)).deploys || [];
  state.order = list.map((d) => d.id);
  await Promise.allSettled(
    list
      .filter((d) => !state.deploys.has(d.id) || !ENDED.has(state.deploys.get(d.id).state) || d.state !== state.deploys.get(d.id).state)
      .map((d) => fetchDeploy(d.id)),
  );
  renderDeploys();
}

// One GET /deploys/{id} at a time per deploy; a step that arrives meanwhile asks again after it.
async function fetchDeploy(id) {
  if (state.inFlight.has(id)) {
    state.inFlight.set(id, "again");
    return;
  }
  state.inFlight.set(id, true);
  try {
    do {
      state.inFlight.set(id, true);
      const d = await api("GET", `/deploys/${encodeURIComponent(id)}`);
      state.deploys.set(id, d);
      if (!state.order.includes(id)) state.order.unshift(id);
      renderDeploys();
    } while (state.inFlight.get(id) === "again");
  } finally {
    state.inFlight.delete(id);
  }
}

function renderDeploys() {
  const box = $("deploys");
  const wanted = state.order.slice(0, DEPLOYS_SHOWN).filter((id) => state.deploys.has(id));
  const existing = new Map([...box.children].map((c) => [c.getAttribute("data-deploy"), c]));
  const nodes = wanted.map((id) => {
    const fresh = deployElement(state.deploys.get(id));
    const old = existing.get(id);
    const err = old && old.querySelector(".error");
    if (err && !err.hidden) fresh.querySelector(".error").replaceWith(err);
    return fresh;
  });
  box.replaceChildren(...nodes);
  $("deploys-empty").hidden = nodes.length > 0;
  applyRoles(box);
}

function actionsFor(d) {
  switch (d.state) {
    case "running": return ["pause", "abort", "revert"];
    case "paused": return ["resume", "abort", "revert"];
    case "queued": return ["abort"];
    case "succeeded":
    case "failed":
    case "aborted":
      return d.revertedBy || d.revertOf ? [] : ["revert"];
    default: return [];
  }
}

function deployElement(d) {
  const hosts = d.hosts || [];
  const done = hosts.filter((h) => h.state === "done").length;
  const failed = hosts.filter((h) => h.state === "failed").length;
  const buttons = actionsFor(d).map((a) => {
    const b = el("button", { type: "button", "data-action": a, "data-min-role": "deployer", class: a === "abort" || a === "revert" ? "danger" : null }, a);
    b.addEventListener("click", () => deployAction(d.id, a, b));
    return b;
  });
  const items = hosts.map((h) =>
    el(
      "li",
      { "data-host": h.host, class: `host ${h.state}` },
      el("span", { class: "host-name" }, h.host),
      h.canary ? badge("canary", "info") : null,
      el("span", { class: `host-state badge ${h.state}` }, h.state),
      h.pool ? el("span", { class: "muted small" }, ` ${h.pool}`) : null,
      h.reason ? el("span", { class: "reason" }, h.reason) : null,
    ),
  );
  return el(
    "article",
    { class: `deploy ${d.state}`, "data-deploy": d.id },
    el(
      "header",
      {},
      el("strong", { class: "deploy-id" }, d.id),
      el("span", { class: `state badge ${d.state}` }, d.state),
      el("span", { class: "muted" }, (d.sites || []).join(", "), " → ", el("code", { title: d.revision || "" }, short(d.revision))),
    ),
    el(
      "p",
      { class: "meta muted" },
      d.startedBy ? `by ${d.startedBy} · ` : "",
      d.startedAt || d.createdAt ? time(d.startedAt || d.createdAt) : "",
      d.reason ? ` · “${d.reason}”` : "",
      d.revertOf ? ` · reverts ${d.revertOf}` : "",
      d.revertedBy ? ` · reverted by ${d.revertedBy}` : "",
    ),
    el("div", { class: "progress-line" },
      el("progress", { max: Math.max(1, hosts.length), value: done }),
      el("span", { class: "small" }, ` ${done}/${hosts.length} hosts done${failed ? `, ${failed} failed` : ""}`)),
    items.length ? el("ol", { class: "hosts" }, items) : null,
    d.endReason ? el("p", { class: d.state === "succeeded" ? "end-reason muted" : "end-reason reason" }, d.endReason) : null,
    buttons.length ? el("div", { class: "actions" }, buttons) : null,
    el("p", { class: "error", role: "alert", hidden: true }),
  );
}

async function deployAction(id, action, button) {
  button.disabled = true;
  const box = button.closest("[data-deploy]");
  const err = box && box.querySelector(".error");
  if (err) err.hidden = true;
  if ((action === "abort" || action === "revert") && !window.confirm(`${action} deploy ${id}?`)) {
    button.disabled = false;
    return;
  }
  try {
    const d = await api("POST", `/deploys/${encodeURIComponent(id)}/${action}`);
    if (d && d.id) {
      state.deploys.set(d.id, d);
      if (!state.order.includes(d.id)) state.order.unshift(d.id);
    }
    await fetchDeploy(id);
  } catch (e) {
    if (e.status === 401) return;
    const now = document.querySelector(`[data-deploy="${CSS.escape(id)}"] .error`);
    if (now) {
      now.textContent = `${action}: ${e.message}`;
      now.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
}

async function startDeploy(ev) {
  ev.preventDefault();
  const err = $("deploy-error");
  err.hidden = true;
  const sites = $("deploy-sites").value.split(",").map((s) => s.trim()).filter(Boolean);
  const body = { sites, revision: $("deploy-revision").value.trim() };
  const parallel = parseInt($("deploy-parallel").value, 10);
  if (parallel > 0) body.parallel = parallel;
  const reason = $("deploy-reason").value.trim();
  if (reason) body.reason = reason;
  const button = $("deploy-start");
  button.disabled = true;
  try {
    const d = await api("POST", "/deploys", body);
    state.deploys.set(d.id, d);
    state.order = [d.id, ...state.order.filter((x) => x !== d.id)];
    renderDeploys();
    notice(`Deploy ${d.id} created (${d.state}): its progress is below.`, false);
    $("deploy-revision").value = "";
    $("deploy-reason").value = "";
    fetchDeploy(d.id).catch(() => {});
  } catch (e) {
    if (e.status !== 401) {
      err.textContent = e.message;
      err.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
}

// ---- the event stream ----------------------------------------------------------------------

function setLive(text, cls) {
  const l = $("live");
  l.textContent = text;
  l.className = `live ${cls || ""}`;
}

// Follows GET /api/v1/events; on each step refreshes that deploy and the sites. Reconnects with
// Last-Event-ID after 1 s, 2 s, ... at most 30 s (reset once a stream opens).
async function openStream() {
  if (!state.token) return;
  const ctrl = new AbortController();
  state.stream = ctrl;
  const headers = { Authorization: `Bearer ${state.token}`, Accept: "text/event-stream" };
  if (state.lastEventId) headers["Last-Event-ID"] = state.lastEventId;
  let problem = "the stream ended";
  try {
    const resp = await fetch(`${API}/events`, { headers, signal: ctrl.signal, cache: "no-store" });
    if (resp.status === 401) {
      logout(`The node refused the token: ${await problemDetail(resp)}`);
      return;
    }
    if (!resp.ok || !resp.body) throw new Error(await problemDetail(resp));
    state.backoffMs = 1000;
    setLive("live", "on");
    // A step may have been missed while the stream was down: read the deploys once.
    refreshDeploys().catch(() => {});
    await readEvents(resp.body, onStep);
  } catch (e) {
    if (ctrl.signal.aborted) return;
    problem = e.message;
  }
  if (state.stream !== ctrl || !state.token) return;
  const wait = state.backoffMs;
  state.backoffMs = Math.min(30000, state.backoffMs * 2);
  setLive(`reconnecting in ${Math.round(wait / 1000)} s`, "off");
  $("live").title = problem;
  setTimeout(() => {
    if (state.stream === ctrl && state.token) openStream();
  }, wait);
}

// Server-Sent Events framing: "field: value" lines, a blank line ends an event, ":" a comment.
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let ev = { id: null, event: "message", data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === "\r" && buf[nl + 1] === "\n" ? 2 : 1));
      if (line === "") {
        if (ev.data.length) onEvent(ev.id, ev.event, ev.data.join("\n"));
        ev = { id: null, event: "message", data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? "" : line.slice(colon + 1);
      if (val.startsWith(" ")) val = val.slice(1);
      if (field === "id") ev.id = val;
      else if (field === "event") ev.event = val;
      else if (field === "data") ev.data.push(val);
    }
  }
}

let sitesSoon = null;

function onStep(id, type, data) {
  if (id) state.lastEventId = id;
  let deploy = null;
  try {
    deploy = JSON.parse(data).deploy || null;
  } catch (e) {
    deploy = null;
  }
  if (!deploy && id && id.lastIndexOf(":") > 0) deploy = id.slice(0, id.lastIndexOf(":"));
  if (deploy) fetchDeploy(deploy).catch(() => {});
  if (!sitesSoon) {
    sitesSoon = setTimeout(() => {
      sitesSoon = null;
      api("GET", "/sites").then(renderSites).catch(() => {});
    }, 250);
  }
}

// ---- start ---------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    $("login").disabled = true;
    try {
      await login(token);
      $("login-error").hidden = true;
    } catch (e) {
      logout(e.status === 401 ? `That token is not valid: ${e.message}` : e.status === 403 ? `That token may not use the dashboard: ${e.message}` : `Could not reach the node: ${e.message}`);
    } finally {
      $("login").disabled = false;
    }
  });
  $("logout").addEventListener("click", () => logout("Logged out."));
  $("deploy-form").addEventListener("submit", startDeploy);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && state.token) refreshAll();
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    login(saved).catch((e) => logout(`Please log in again: ${e.message}`));
  } else {
    logout("");
  }
});
