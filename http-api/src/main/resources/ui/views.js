// The Drover dashboard, the views read every REFRESH_MS (classic scripts loaded in order by index.html; they share
// app.js's constants, state and helpers).

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
