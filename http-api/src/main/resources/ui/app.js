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
