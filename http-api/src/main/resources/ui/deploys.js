// The Drover dashboard, deploys: the list, one deploy's hosts, actions, the start form (classic scripts loaded in order by index.html; they share
// app.js's constants, state and helpers).

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
