// The Drover dashboard, the live event stream (GET /api/v1/events) (classic scripts loaded in order by index.html; they share
// app.js's constants, state and helpers).

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
