/* The staff console: a page per hash (#queue, #case/N, #supervision, ...).
   Every permission is the services' (a page shown is not a right granted). */
"use strict";
(() => {
  const { api, session, signIn, signOut, el, clear, showError, clearErrors, localTime, download, forgetPartial } = Console;
  const $ = (id) => document.getElementById(id);
  const BUREAU = ["bureau_supervisor", "bureau_admin"];
  const { t, named } = I18n;
  // A code's word in the text tables (c.GROUP.CODE), or the code itself.
  const word = (group, code) => { const key = `c.${group}.${code}`; const w = t(key); return w === key ? code : w; };
  const STATUSES = ["submitted", "routed", "accepted", "returned", "transferring", "replied", "concluded",
    "rejected", "declined"];
  const TRACKS = ["standard", "immediate", "special_case"];
  const ROLES = ["handler", "unit_leader", "bureau_supervisor", "bureau_admin", "grid_agent"];
  const PAGE = 20;
  const state = { queue: "", offset: 0, orderStatus: "" };
  let workflows = null, openapi = null, units = null, reference = null;

  const actor = () => session() && session().actor;
  const isBureau = () => actor() && BUREAU.includes(actor().role);

  async function once(loader, cache) { return cache || loader(); }
  async function loadUnits() { units = await once(() => api("GET", "/units"), units); return units; }
  async function loadReference() {
    if (!reference) {
      const [categories, areas] = await Promise.all([api("GET", "/categories"), api("GET", "/areas")]);
      reference = { categories, areas };
    }
    return reference;
  }
  // a unit's name in the language shown (the directory's, once read), else ``fallback``
  const unitName = (code, fallback) => named((units || []).find((u) => u.code === code)) || fallback || code || "";
  // a category's name in the language shown (the reference, once read), else its code
  const categoryName = (code) => named(reference && reference.categories.find((c) => c.code === code)) || code;
  // a step's name in English (texts.json c.step.*), or null for a kind that is no step
  const stepEnglish = (kind) => { const key = "c.step." + kind; return t(key) === key ? null : t(key); };
  // what a clock runs for: a co-handling part's unit, a supervision order's number
  const clockSubject = (d) => (!d.subject ? "" : d.kind === "part" ? unitName(d.subject)
    : d.kind === "supervision_answer" ? t("c.clock.order", { id: d.subject }) : d.subject);
  const options = (select, items, blank) => clear(select,
    ...(blank ? [el("option", { value: "", text: blank })] : []),
    ...items.map(([value, text]) => el("option", { value, text })));

  // a table in a region that scrolls sideways on a narrow screen (reachable by
  // keyboard); ``headers``: keys of the text tables
  function table(keys, rows) {
    const headers = keys.map((key) => t(key));
    return el("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": headers.join(t("c.list_sep")) },
      el("table", {}, el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c)))))));
  }
  const caseLink = (n) => el("a", { href: "#case/" + n, text: n });

  // --- routing between views ---------------------------------------------
  const VIEWS = { queue: showQueue, case: showCase, supervision: showSupervision, units: showUnits,
    checks: showChecks, rules: showRules, accounts: showAccounts, reads: showReads,
    bulletins: showBulletins, dashboard: showDashboard };

  async function route() {
    const [name, arg] = location.hash.slice(1).split("/");
    document.querySelectorAll("main > section").forEach((s) => { s.hidden = true; });
    forgetPartial();  // what this page's answers leave out, once they come
    if (!actor()) { $("view-sign-in").hidden = false; $("nav").hidden = true; return; }
    const a = actor();
    $("who").textContent = `${unitName(a.unit_code, a.unit_name)} · ${a.username}`;
    $("nav").hidden = false;
    document.querySelectorAll("[data-bureau]").forEach((n) => { n.hidden = !isBureau(); });
    const view = VIEWS[name] ? name : "queue";
    document.querySelectorAll("nav a").forEach((link) => {
      if (link.getAttribute("href") === "#" + view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    $("view-" + view).hidden = false;
    document.title = $("view-" + view).querySelector("h2").textContent + " · " + t("c.site");
    await VIEWS[view](arg && decodeURIComponent(arg));
  }
  window.addEventListener("hashchange", route);
  // Another language: the page's own texts at once, what it built by reading again.
  $("lang-switch").addEventListener("click", I18n.toggle);
  I18n.onLanguage(() => { fillChoices(); route(); });

  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.target.querySelector("button");
    button.disabled = true;
    try {
      await signIn($("username").value.trim(), $("password").value);
      $("password").value = "";
      clear($("sign-in-error"));
      location.hash = "#queue";
      await route();
      $("main").focus();
    } catch (error) {
      showError($("sign-in-error"), error, event.target);
    } finally { button.disabled = false; }
  });
  $("sign-out").addEventListener("click", signOut);

  // --- the work queue --------------------------------------------------------
  // the choices that are the page's own words
  function fillChoices() {
    const keep = (select, fill) => { const chosen = select.value; fill(); select.value = chosen; };
    keep($("q-status"), () => options($("q-status"), STATUSES.map((s) => [s, word("status", s)]), t("c.status.all")));
    keep($("rule-track"), () => options($("rule-track"), TRACKS.map((k) => [k, word("track", k)])));
    if (units) {
      keep($("q-unit"), () => options($("q-unit"), units.map((u) => [u.code, named(u)]), t("c.unit.all")));
    }
  }
  document.querySelectorAll("[data-queue]").forEach((button) => button.addEventListener("click", () => {
    state.queue = button.dataset.queue; state.offset = 0;
    document.querySelectorAll("[data-queue]").forEach((b) =>
      b.setAttribute("aria-pressed", String(b === button)));
    loadQueue();
  }));
  $("queue-form").addEventListener("submit", (event) => { event.preventDefault(); state.offset = 0; loadQueue(); });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadQueue(); });
  $("next").addEventListener("click", () => { state.offset += PAGE; loadQueue(); });

  async function showQueue() {
    await loadUnits();
    if (isBureau()) {
      if ($("q-unit").options.length <= 1) fillChoices();
    } else {
      await showOpenOrders();
    }
    await loadQueue();
  }

  // A unit's open supervision orders come first: the bureau waits on their answers.
  async function showOpenOrders() {
    try {
      const orders = await api("GET", "/supervision?status=open");
      $("open-orders").hidden = !orders.length;
      clear($("open-orders-list"), table(["c.order", "c.case", "c.kind", "c.order.reason", "c.answer_due"],
        orders.map((o) => [String(o.id), caseLink(o.case_number), o.kind,
          [o.reason, o.instructions].filter(Boolean).join("；"), o.answer_due])));
    } catch (error) { showError($("queue-error"), error); }
  }

  // What the filters match in all, and each tab's count (same unit and search).
  async function loadTotals(params) {
    ["limit", "offset", "sort"].forEach((k) => params.delete(k));
    const totals = await api("GET", "/cases/totals?" + params);
    const all = Object.values(totals.by_status).reduce((a, b) => a + b, 0);
    document.querySelectorAll("[data-count]").forEach((n) => {
      n.textContent = t("c.count", { n: n.dataset.count ? totals.by_queue[n.dataset.count] : all });
    });
    $("queue-totals").textContent = t("c.totals", { n: totals.matching }) + Object.entries(totals.by_status)
      .map(([s, n]) => t("c.totals.status", { status: word("status", s), n })).join(t("c.list_sep"));
    return totals.matching;
  }

  async function loadQueue() {
    const params = new URLSearchParams({ limit: PAGE, offset: state.offset, sort: $("q-sort").value });
    if (state.queue) params.set("queue", state.queue);
    if ($("q-status").value) params.set("status", $("q-status").value);
    if ($("q-search").value.trim()) params.set("search", $("q-search").value.trim());
    if (isBureau() && $("q-unit").value) params.set("unit_code", $("q-unit").value);
    const body = $("queue-table").tBodies[0];
    try {
      const [cases, matching] = await Promise.all([api("GET", "/cases?" + params),
        loadTotals(new URLSearchParams(params))]);
      clear($("queue-error"));
      clear(body, ...cases.map((c) => el("tr", { "data-case": c.case_number },
        el("td", {}, caseLink(c.case_number)), el("td", { text: c.title || "" }),
        el("td", { "data-status": c.status, text: word("status", c.status) }),
        el("td", { text: unitName(c.unit_code, c.unit_name) }), el("td", { text: c.due_date || "" }),
        el("td", {}, c.overdue ? el("span", { class: "badge overdue", text: t("c.badge.overdue") }) : null,
          c.supervision_open ? el("span", { class: "badge supervised", text: t("c.badge.supervised") }) : null,
          c.extension_state === "requested" ? el("span", { class: "badge", text: t("c.badge.extension") }) : null))));
      if (!cases.length) body.append(el("tr", {}, el("td", { colspan: 6, text: t("c.queue.none") })));
      const first = cases.length ? state.offset + 1 : 0;
      $("page-info").textContent = t("c.page.info", { first, last: state.offset + cases.length, n: matching });
      $("queue-caption").textContent = t("c.page.caption", { page: Math.floor(state.offset / PAGE) + 1 });
      $("prev").disabled = state.offset === 0;
      $("next").disabled = state.offset + cases.length >= matching;
    } catch (error) { showError($("queue-error"), error, $("queue-form"), "q-"); }
  }

  // --- the case page -----------------------------------------------------------
  async function showCase(caseNumber) {
    $("case-title").textContent = t("c.case.title", { number: caseNumber, title: "" });
    delete $("view-case").dataset.loaded;
    try {
      [workflows, openapi] = await Promise.all([
        once(() => api("GET", "/workflows"), workflows), once(() => api("GET", "/openapi.json"), openapi)]);
      await Promise.all([loadUnits(), loadReference()]);
      const c = await api("GET", "/cases/" + encodeURIComponent(caseNumber));
      clear($("case-error"));
      clear($("message-result"));
      renderCase(c);
      await renderCorrespondence(c);
      $("view-case").dataset.loaded = c.case_number;
    } catch (error) { showError($("case-error"), error); }
  }

  function facts(dl, pairs) {
    clear(dl, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .flatMap(([k, v, id]) => [el("dt", { text: t(k) }), el("dd", { id, text: v })]));
  }

  function renderCase(c) {
    $("case-title").textContent = t("c.case.title", { number: c.case_number, title: c.title });
    facts($("case-facts"), [
      ["c.status", word("status", c.status), "case-status"], ["c.unit", unitName(c.unit_code, c.unit_name)],
      ["c.track", word("track", c.track)], ["c.category", categoryName(c.category)], ["c.area", c.area_code],
      ["c.submitted_at", localTime(c.submitted_at)], ["c.accept_due", c.accept_due], ["c.due_date", c.due_date],
      ["c.extension", c.extension_state !== "none" ? `${word("extension", c.extension_state)}${c.extension_requested_until ? t("c.extension.until", { day: c.extension_requested_until }) : ""}` : null, "case-extension"],
      ["c.badge.supervised", c.supervision_open ? t("c.supervision.open", { reason: c.supervision_reason || "" }) : null, "case-supervision"],
      ["c.review", c.review_state !== "none" ? word("review", c.review_state) : null],
      ["c.routing_reason", c.routing_reason], ["c.instructions", c.instructions], ["c.field.report", c.report_back],
      ["c.content", c.content], ["c.address", c.address], ["c.reply", c.reply, "case-reply"],
      ["c.channel", t(c.channel === "proxy" ? "c.channel.proxy" : "c.channel.online")]]);
    const p = c.petitioner || {};
    facts($("petitioner"), [["c.name", p.name, "p-name"], ["c.id_number", p.id_number, "p-id"], ["c.phone", p.phone, "p-phone"]]);
    // shown masked again (a step re-renders the case): the reveal must be asked again
    clear($("reveal-result"));
    $("reveal").onclick = () => reveal(c.case_number);
    renderSteps(c);
    clear($("orders"), c.orders.length ? table(["c.order", "c.kind", "c.status", "c.order.reason", "c.field.answer", "c.answer_due"],
      c.orders.map((o) => [String(o.id), word("order_kind", o.kind), word("order", o.status),
        [o.reason, o.instructions].filter(Boolean).join("；"), o.answer || "", o.answer_due])) : el("p", { class: "muted", text: t("c.none") }));
    clear($("parts"), c.parts.length ? table(["c.part.unit", "c.deadline", "c.status", "c.field.opinion"],
      c.parts.map((p2) => [unitName(p2.unit_code, p2.unit_name), p2.due, word("part", p2.status) + (p2.late ? t("c.late") : ""), p2.content || ""])) : el("p", { class: "muted", text: t("c.none") }));
    clear($("deadlines"), table(["c.deadline", "c.subject", "c.account.unit", "c.date", "c.status"],
      c.deadlines.map((d) => [word("clock", d.kind), clockSubject(d), unitName(d.unit_code), d.due,
        t(d.open ? "c.clock.running" : "c.clock.ended")])));
    // the unit's request for material, beside the files: what, by when, answered or not
    clear($("material-request"), c.material_state !== "none" ? el("p", {},
      el("strong", { text: t("c.material") + t("colon") }), el("span", { id: "case-material",
        text: t("c.material.state", { state: word("material", c.material_state), what: c.material_request,
          due: c.material_due }) })) : null);
    // in English, the entry's English with the Chinese record under it (I18n.said);
    // a staff-only step has no public English: its step's name stands for it
    clear($("timeline"), ...c.timeline.map((entry) => {
      const said = I18n.said(entry.text, entry.text_en || stepEnglish(entry.kind));
      return el("li", {}, el("strong", { text: localTime(entry.at) }), " ", said.text,
        entry.detail ? el("span", { class: "muted", text: "（" + entry.detail + "）" }) : null,
        entry.public ? null : el("span", { class: "badge", text: t("c.internal") }),
        said.record ? el("span", { class: "record", lang: "zh-CN", text: said.record }) : null);
    }));
  }

  // The case's files and messages (留言): intake's, every read audited there.
  // Only the handling unit answers: the form is shown to it alone (intake decides).
  let shownCase = null;
  async function renderCorrespondence(c) {
    shownCase = c;
    const path = "/cases/" + encodeURIComponent(c.case_number);
    $("message-form").hidden = c.unit_code !== actor().unit_code;
    try {
      const files = await api("GET", path + "/attachments");
      clear($("materials-error"));
      clear($("materials"), files.length ? table(["c.file", "c.file.size", "c.file.added_by", "c.file.added_at"],
        files.map((f) => [el("button", { type: "button", class: "secondary", "data-attachment": f.id, text: f.filename,
          "aria-label": t("c.file.download", { file: f.filename }),
          onclick: () => download(`${path}/attachments/${f.id}`, f.filename).catch((error) => showError($("materials-error"), error)) }),
        `${Math.ceil(f.size / 1024)} KiB`, side(f.added_by, f.unit_code), localTime(f.added_at)]))
        : el("p", { class: "muted", text: t("c.materials.none") }));
    } catch (error) { showError($("materials-error"), error); }
    try {
      const thread = await api("GET", path + "/messages");
      clear($("messages-error"));
      clear($("messages"), ...(thread.length ? thread.map((m) => el("li", { class: m.written_by, "data-side": m.written_by },
        el("strong", { text: side(m.written_by, m.unit_code, m.author) }), " ",
        el("span", { class: "muted", text: localTime(m.written_at) }),
        el("p", { text: m.text === null ? t("c.message.erased") : m.text })))
        : [el("li", { text: t("c.messages.none") })]));
    } catch (error) { showError($("messages-error"), error); }
  }
  // who wrote or added: the petitioner (never by name here), or a unit and its member of staff
  const side = (by, unitCode, author) => (by === "staff"
    ? [unitName(unitCode), author].filter(Boolean).join(" · ") : t("c.side.petitioner"));

  $("message-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", `/cases/${encodeURIComponent(shownCase.case_number)}/messages`, { text: $("message-text").value });
      form.reset();
      clearErrors($("message-form-error"), form);
      await renderCorrespondence(shownCase);
      clear($("message-result"), el("p", { class: "ok", text: t("c.message.sent") }));
      $("message-result").focus();
    } catch (error) {
      showError($("message-form-error"), error, form, "message-");
    } finally { button.disabled = false; }
  });

  async function reveal(caseNumber) {
    try {
      const shown = await api("POST", `/cases/${encodeURIComponent(caseNumber)}/petitioner/reveal`);
      $("p-name").textContent = shown.name;
      $("p-id").textContent = shown.id_number;
      $("p-phone").textContent = shown.phone;
      clear($("reveal-result"), el("p", { class: "ok", text: t("c.revealed") }));
    } catch (error) { showError($("reveal-result"), error); }
  }

  // Which steps this person could take now: the workflow tables' states and
  // roles. The service decides; a refused step shows its reason.
  function stateOf(workflow, c, me) {
    switch (workflow.state_of) {
      case "case.status": return c.status;
      case "case.extension_state": return c.extension_state;
      case "case.review_state": return c.review_state;
      case "order": { const o = c.orders[c.orders.length - 1]; return o ? o.status : "none"; }
      case "part": { const p = c.parts.find((x) => x.unit_code === me.unit_code); return p ? p.status : null; }
      default: return undefined;
    }
  }

  function related(step, c, me) {
    return { unit: c.unit_code === me.unit_code, co_unit: c.parts.some((p) => p.unit_code === me.unit_code),
      reviewing_unit: c.reviewing_unit_code === me.unit_code, bureau: true, city_bureau: true }[step.who];
  }

  function renderSteps(c) {
    const me = actor();
    const available = [];
    for (const workflow of workflows) {
      const current = stateOf(workflow, c, me);
      for (const step of workflow.steps) {
        if (!step.roles.includes(me.role) || !related(step, c, me)) continue;
        if (current !== undefined && !step.from_states.includes(current)) continue;
        if (step.case_states && !step.case_states.includes(c.status)) continue;
        available.push(step);
      }
    }
    clear($("steps"), ...(available.length ? available.map((step) => stepForm(step, c))
      : [el("p", { class: "muted", text: t("c.steps.none") })]));
  }

  function bodySchema(action) {
    const op = openapi.paths[`/api/v1/cases/{case_number}/${action}`].post;
    const ref = op.requestBody && op.requestBody.content["application/json"].schema.$ref;
    return ref ? resolve(ref) : null;
  }
  const resolve = (ref) => openapi.components.schemas[ref.split("/").pop()];

  function stepForm(step, c) {
    const schema = bodySchema(step.action);
    const form = el("form", { id: "step-" + step.action, novalidate: true, "data-action": step.action });
    const box = el("div", { role: "alert", tabindex: "-1" });
    if (schema) {
      for (const [name, prop] of Object.entries(schema.properties)) {
        form.append(field(step.action + "-" + name, name, prop, (schema.required || []).includes(name)));
      }
    }
    form.append(el("p", {}, el("button", { type: "submit", text: t("c.step.confirm", { step: stepName(step) }) })), box);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await api("POST", `/cases/${encodeURIComponent(c.case_number)}/${step.action}`,
          schema ? collect(form, step.action + "-", schema) : {});
        renderCase(await api("GET", "/cases/" + encodeURIComponent(c.case_number)));
        clear($("step-result"), el("p", { class: "ok", text: t("c.step.done", { step: stepName(step) }) }));
        $("step-result").focus();
      } catch (error) {
        showError(box, error, form, step.action + "-");
      } finally { button.disabled = false; }
    });
    return el("details", { class: "step" }, el("summary", { text: stepName(step) }), form);
  }
  // the workflow table names a step in Chinese; the text tables in English
  const stepName = (step) => (I18n.lang === "en" && word("step", step.action) !== step.action
    ? word("step", step.action) : step.name_zh);

  function field(id, name, prop, required) {
    const label = word("field", name);
    const wrap = el("div", {});
    if (prop.type === "boolean") {
      return el("div", { class: "check" }, el("input", { type: "checkbox", id }), el("label", { for: id, text: label }));
    }
    let input;
    if (prop.type === "array" && prop.items.$ref) {
      // rows of a nested schema (协办单位: a unit and its own deadline)
      const item = resolve(prop.items.$ref);
      const rows = el("div", { id, "data-rows": "" });
      const addRow = () => {
        const n = rows.children.length;
        rows.append(el("fieldset", {}, el("legend", { text: `${label} ${n + 1}` }),
          ...Object.entries(item.properties).map(([k, p]) => field(`${id}-${n}-${k}`, k, p, true))));
      };
      addRow();
      return el("div", {}, rows, el("button", { type: "button", class: "secondary", onclick: addRow, text: t("c.add_row") }));
    }
    if (name === "unit_code" || (prop.type === "array" && name === "coordinating_units")) {
      input = el("select", { id, multiple: prop.type === "array" || undefined },
        el("option", { value: "", text: t("c.unit.choose") }),
        (units || []).map((u) => el("option", { value: u.code, text: named(u) })));
    } else if (prop.enum) {
      const names = Object.fromEntries((prop.description || "").split(",").map((s) => s.split(":").map((x) => x.trim())));
      input = el("select", { id }, prop.enum.map((v) => el("option", { value: v, text: names[v] || v })));
    } else if (prop.format === "date") {
      input = el("input", { id, type: "date" });
    } else if (prop.type === "integer") {
      input = el("input", { id, type: "number", min: 0 });
    } else if ((prop.maxLength || 0) > 200) {
      input = el("textarea", { id, maxlength: prop.maxLength });
    } else {
      input = el("input", { id, type: "text", maxlength: prop.maxLength });
    }
    if (required) input.setAttribute("aria-required", "true");
    wrap.append(el("label", { for: id, text: label + (required ? t("required") : "") }), input);
    return wrap;
  }

  function collect(form, prefix, schema) {
    const body = {};
    for (const [name, prop] of Object.entries(schema.properties)) {
      const node = form.querySelector(`[id="${prefix}${name}"]`);
      if (prop.type === "boolean") body[name] = node.checked;
      else if (prop.type === "array" && prop.items.$ref) {
        const item = resolve(prop.items.$ref);
        body[name] = [...node.children].map((_, n) => collect(form, `${prefix}${name}-${n}-`, item));
      } else if (node.multiple) body[name] = [...node.selectedOptions].map((o) => o.value).filter(Boolean);
      else if (node.value !== "") body[name] = prop.type === "integer" ? Number(node.value) : node.value;
    }
    return body;
  }

  // --- supervision -------------------------------------------------------------
  document.querySelectorAll("[data-order-status]").forEach((button) => button.addEventListener("click", () => {
    state.orderStatus = button.dataset.orderStatus;
    document.querySelectorAll("[data-order-status]").forEach((b) =>
      b.setAttribute("aria-pressed", String(b === button)));
    showSupervision();
  }));

  async function showSupervision() {
    try {
      await loadUnits();
      const orders = await api("GET", "/supervision" + (state.orderStatus ? "?status=" + state.orderStatus : ""));
      clear($("supervision-list"), orders.length ? table(["c.order", "c.case", "c.account.unit", "c.kind", "c.status", "c.answer_due", "c.counted"],
        orders.map((o) => [String(o.id), caseLink(o.case_number), unitName(o.unit_code), o.kind,
          word("order", o.status), o.answer_due, t(o.counted_against_unit ? "yes" : "no")]))
        : el("p", { class: "muted", text: t("c.orders.none") }));
      const record = await api("GET", "/supervision/units");
      clear($("supervision-units"), table(["c.account.unit", "c.order.open", "c.order.answered", "c.order.escalated", "c.order.closed", "c.counted_late"],
        record.map((r) => [unitName(r.unit_code), String(r.open), String(r.answered), String(r.escalated),
          String(r.closed), String(r.counted_against_unit)])));
      clear($("supervision-error"));
    } catch (error) { showError($("supervision-error"), error); }
  }

  // --- every unit's queue (bureau) ------------------------------------------------
  async function showUnits() {
    try {
      await loadUnits();
      const rows = [];
      for (const u of units) {
        const link = el("a", { href: "#queue", text: named(u), onclick: () => {
          $("q-unit").value = u.code; state.offset = 0; } });
        rows.push([link, u.code, u.kind]);
      }
      clear($("units-list"), table(["c.account.unit", "c.code", "c.kind"], rows));
      clear($("units-error"));
    } catch (error) { showError($("units-error"), error); }
  }

  // --- return visits and spot checks (bureau) ----------------------------------------
  async function showChecks() {
    try {
      await loadUnits();
      if (!$("draw-unit_code").options.length) {
        options($("draw-unit_code"), units.map((u) => [u.code, named(u)]));
      }
      const replied = await api("GET", "/cases?status=replied&limit=50");
      clear($("visit-list"), replied.length ? table(["c.case", "c.title", "c.unit"],
        replied.map((c) => [caseLink(c.case_number), c.title, unitName(c.unit_code, c.unit_name)]))
        : el("p", { class: "muted", text: t("c.checks.none") }));
    } catch (error) { showError($("draw-error"), error); }
  }

  function showSpotCheck(check) {
    clear($("draw-result"), el("p", { class: check.reproduced ? "ok" : "error",
      text: t("c.draw.result", { id: check.id, seed: check.seed, from: check.population.length, n: check.drawn.length }) +
        t(check.reproduced ? "c.draw.same" : "c.draw.different") }),
      el("ul", {}, check.drawn.map((n) => el("li", {}, caseLink(n)))));
  }

  $("draw-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { unit_code: $("draw-unit_code").value, period_start: $("draw-period_start").value,
      period_end: $("draw-period_end").value, size: Number($("draw-size").value) };
    if ($("draw-seed").value) body.seed = Number($("draw-seed").value);
    try { showSpotCheck(await api("POST", "/spot-checks", body)); clear($("draw-error")); }
    catch (error) { showError($("draw-error"), error, event.target, "draw-"); }
  });
  $("redraw-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try { showSpotCheck(await api("GET", "/spot-checks/" + Number($("redraw-id").value))); clear($("draw-error")); }
    catch (error) { showError($("draw-error"), error, event.target, "redraw-"); }
  });

  // --- routing rules (bureau) -------------------------------------------------------
  async function showRules() {
    try {
      const [{ categories, areas }] = await Promise.all([loadReference(), loadUnits()]);
      if (!$("rule-category").options.length) {
        options($("rule-category"), categories.map((c) => [c.code, named(c)]));
        options($("rule-area_code"), areas.map((a) => [a.code, named(a)]));
        options($("rule-unit_code"), units.map((u) => [u.code, named(u)]));
      }
      const rules = await api("GET", "/routing/rules");
      const name = (list, code) => named(list.find((x) => x.code === code)) || code;
      clear($("rules-list"), table(["c.category", "c.area", "c.unit", "c.track"],
        rules.map((r) => [name(categories, r.category), name(areas, r.area_code), unitName(r.unit_code), word("track", r.track)])));
      const changes = await api("GET", "/routing/rules/changes");
      clear($("rule-changes"), changes.length ? table(["c.at", "c.changed_by", "c.category", "c.area", "c.rule.before", "c.rule.after"],
        changes.map((ch) => [localTime(ch.at), ch.changed_by, name(categories, ch.category), name(areas, ch.area_code),
          ch.before ? `${unitName(ch.before.unit_code)}（${word("track", ch.before.track)}）` : t("c.rule.none"),
          `${unitName(ch.after.unit_code)}（${word("track", ch.after.track)}）`]))
        : el("p", { class: "muted", text: t("c.changes.none") }));
      clear($("rule-error"));
    } catch (error) { showError($("rule-error"), error); }
  }

  $("rule-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(["category", "area_code", "unit_code", "track"].map((k) => [k, $("rule-" + k).value]));
    try {
      await api("PUT", "/routing/rules", body);
      clear($("rule-result"), el("p", { class: "ok", text: t("c.rule.saved") }));
      await showRules();
    } catch (error) { showError($("rule-error"), error, event.target, "rule-"); }
  });

  // --- staff accounts (bureau administrator: /staff) ---------------------------------

  async function showAccounts() {
    try {
      const [accounts] = await Promise.all([api("GET", "/staff"), loadUnits()]);
      if (!$("account-unit_code").options.length) {
        const unitChoices = units.map((u) => [u.code, named(u)]);
        const roleChoices = ROLES.map((r) => [r, word("role", r)]);
        options($("account-unit_code"), unitChoices, t("c.unit.choose"));
        options($("account-role"), roleChoices, t("c.role.choose"));
        options($("move-unit_code"), unitChoices, t("c.unchanged"));
        options($("move-role"), roleChoices, t("c.unchanged"));
      }
      const chosen = $("move-username").value;
      options($("move-username"), accounts.map((a) => [a.username, a.username]), t("c.account.choose"));
      $("move-username").value = chosen;
      clear($("accounts-list"), table(["c.username", "c.account.unit", "c.role", "c.status", "c.actions"],
        accounts.map((a) => [a.username, unitName(a.unit_code), word("role", a.role),
          t(a.active ? "c.account.active" : "c.account.disabled") + (a.must_change_password ? t("c.account.must_change") : ""),
          el("span", { class: "actions" },
            el("button", { type: "button", class: "secondary", "data-account": a.username,
              "data-do": a.active ? "disable" : "enable", text: t(a.active ? "c.account.disable" : "c.account.enable"),
              "aria-label": t(a.active ? "c.account.disable.label" : "c.account.enable.label", { user: a.username }),
              onclick: () => changeAccount(a.username, { active: !a.active },
                a.active ? "c.account.disabled.done" : "c.account.enabled.done") }),
            el("button", { type: "button", class: "secondary", "data-account": a.username, "data-do": "reset",
              text: t("c.account.reset"), "aria-label": t("c.account.reset.label", { user: a.username }),
              onclick: () => resetPassword(a.username) }))])));
      const changes = await api("GET", "/staff/changes");
      clear($("account-changes"), changes.length ? table(["c.at", "c.changed_by", "c.account", "c.change", "c.detail"],
        changes.map((ch) => [localTime(ch.at), ch.actor, ch.username, word("change", ch.change), ch.detail]))
        : el("p", { class: "muted", text: t("c.changes.none") }));
      clear($("accounts-error"));
    } catch (error) { showError($("accounts-error"), error); }
  }

  // What was done, said where the focus goes; the lists read again.
  async function accountDone(text, ...more) {
    await showAccounts();
    clear($("account-result"), el("p", { class: "ok", text }), ...more);
    $("account-result").focus();
  }
  const oneTimePassword = (shown) => el("p", {}, t("c.account.one_time"),
    el("strong", { class: "secret", id: "one-time-password", text: shown.one_time_password }));

  async function changeAccount(username, change, done) {
    try {
      await api("PATCH", "/staff/" + encodeURIComponent(username), change);
      await accountDone(t(done, { user: username }));
    } catch (error) { showError($("accounts-error"), error); }
  }

  async function resetPassword(username) {
    try {
      const shown = await api("POST", `/staff/${encodeURIComponent(username)}/password`);
      await accountDone(t("c.account.reset.done", { user: username }), oneTimePassword(shown));
    } catch (error) { showError($("accounts-error"), error); }
  }

  $("account-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(["username", "unit_code", "role"].map((k) => [k, $("account-" + k).value.trim()]));
    try {
      const shown = await api("POST", "/staff", body);
      event.target.reset();
      await accountDone(t("c.account.created", { user: shown.username }), oneTimePassword(shown));
    } catch (error) { showError($("accounts-error"), error, event.target, "account-"); }
  });

  $("move-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const change = {};
    for (const k of ["unit_code", "role"]) if ($("move-" + k).value) change[k] = $("move-" + k).value;
    const username = $("move-username").value;
    if (!username) { showError($("accounts-error"), { message: t("c.account.choose"), details: {} }); return; }
    try {
      await api("PATCH", "/staff/" + encodeURIComponent(username), change);
      event.target.reset();
      await accountDone(t("c.account.moved", { user: username }));
    } catch (error) { showError($("accounts-error"), error, event.target, "move-"); }
  });

  // --- the audit log of personal-data reads (bureau) ------------------------------------

  async function showReads() {
    const params = new URLSearchParams();
    for (const k of ["case_number", "reader"]) if ($("reads-" + k).value.trim()) params.set(k, $("reads-" + k).value.trim());
    try {
      const reads = await api("GET", "/audit/personal-data-reads?" + params);
      clear($("reads-list"), reads.length ? table(["c.at", "c.reads.reader", "c.reads.petitioner", "c.case", "c.reads.how"],
        reads.map((r) => [localTime(r.at), r.reader, r.petitioner, caseLink(r.case_number), word("read", r.action)]))
        : el("p", { class: "muted", text: t("c.reads.none") }));
      clear($("reads-error"));
    } catch (error) { showError($("reads-error"), error, $("reads-form"), "reads-"); }
  }
  $("reads-form").addEventListener("submit", (event) => { event.preventDefault(); showReads(); });

  // --- bulletins (bureau) ------------------------------------------------------------
  async function showBulletins() {
    try {
      const list = await api("GET", "/reports/bulletins");
      clear($("bulletins-list"), list.length ? table(["c.period", "c.bulletin.span", "c.bulletin.format", "c.bulletin.made", "c.bulletin.download"],
        list.map((b) => [t(b.period === "month" ? "c.bulletin.month" : "c.bulletin.quarter"), t("c.from_to", { from: b.from, to: b.to }), b.format.toUpperCase(),
          b.generated_at, el("button", { type: "button", class: "secondary",
            onclick: () => download("/reports/bulletins/" + b.id, b.filename), text: t("c.bulletin.download.file", { file: b.filename }) })]))
        : el("p", { class: "muted", text: t("c.bulletins.none") }));
      clear($("bulletins-error"));
    } catch (error) { showError($("bulletins-error"), error); }
  }
  for (const format of ["xlsx", "pdf"]) {
    $("bulletin-now-" + format).addEventListener("click", () =>
      download("/reports/bulletin." + format + "?period=month", "bulletin." + format)
        .catch((error) => showError($("bulletins-error"), error)));
  }

  // --- the dashboard -----------------------------------------------------------------
  const charts = {};
  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), { ...config, options: { responsive: true, maintainAspectRatio: false,
      animation: false, ...(config.options || {}) } });
  }
  // a row of the figures by unit: the unit's name in the language shown
  const unitLabel = (row) => unitName(row.key, row.name);
  const pct = (rate) => (rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%");
  const num = (n) => String(n ?? 0);

  async function showDashboard() {
    const period = $("dash-period").value;
    try {
      const q = (extra) => api("GET", "/reports/" + extra + (extra.includes("?") ? "&" : "?") + "period=" + period);
      const [total, byUnit, online, proxy, byCategory, caseload] = await Promise.all([
        q("figures"), q("figures?by=unit"), q("figures?by=day&channel=online"),
        q("figures?by=day&channel=proxy"), q("figures?by=category"), api("GET", "/reports/caseload")]);
      const statuses = Object.entries(caseload.by_status);
      chart("c-status", { type: "bar", data: { labels: statuses.map(([s]) => word("status", s)),
        datasets: [{ label: t("c.cases"), data: statuses.map(([, n]) => n), backgroundColor: "#8a1c1c" }] } });
      clear($("t-status"), table(["c.status", "c.cases"], statuses.map(([s, n]) => [word("status", s), num(n)])));
      const tracks = Object.entries(caseload.by_track);
      chart("c-track", { type: "doughnut", data: { labels: tracks.map(([k]) => word("track", k)),
        datasets: [{ data: tracks.map(([, n]) => n), backgroundColor: ["#8a1c1c", "#1f4fbf", "#1d5e20", "#7a4100"] }] } });
      clear($("t-track"), table(["c.track", "c.cases"], tracks.map(([k, n]) => [word("track", k), num(n)])));
      chart("c-rates", { type: "bar", data: { labels: byUnit.map((r) => unitLabel(r)),
        datasets: [{ label: t("board.on_time"), data: byUnit.map((r) => r.on_time_rate === null ? null : r.on_time_rate * 100), backgroundColor: "#1f4fbf" },
          { label: t("board.satisfaction"), data: byUnit.map((r) => r.satisfaction_rate === null ? null : r.satisfaction_rate * 100), backgroundColor: "#1d5e20" }] },
        options: { scales: { y: { min: 0, max: 100 } } } });
      clear($("t-rates"), table(["c.account.unit", "c.received", "board.concluded", "board.on_time", "board.satisfaction"],
        [[t("c.dash.all", { unit: unitName(actor().unit_code) }), num(total[0] && total[0].received), num(total[0] && total[0].concluded),
          pct(total[0] && total[0].on_time_rate), pct(total[0] && total[0].satisfaction_rate)],
        ...byUnit.map((r) => [unitLabel(r), num(r.received), num(r.concluded), pct(r.on_time_rate), pct(r.satisfaction_rate)])]));
      const days = online.map((r) => r.key);
      const proxyOf = Object.fromEntries(proxy.map((r) => [r.key, r.received]));
      chart("c-daily", { type: "line", data: { labels: days, datasets: [
        { label: t("c.channel.online"), data: online.map((r) => r.received), borderColor: "#8a1c1c" },
        { label: t("c.channel.proxy"), data: days.map((d) => proxyOf[d] || 0), borderColor: "#1f4fbf" }] } });
      clear($("t-daily"), table(["c.date", "c.channel.online", "c.channel.proxy"],
        online.filter((r) => r.received || proxyOf[r.key]).map((r) => [r.key, num(r.received), num(proxyOf[r.key])])));
      const hot = [...byCategory].sort((a, b) => b.received - a.received).slice(0, 10);
      await loadReference();
      chart("c-hot", { type: "bar", data: { labels: hot.map((r) => categoryName(r.key)),
        datasets: [{ label: t("c.received"), data: hot.map((r) => r.received), backgroundColor: "#7a4100" }] },
        options: { indexAxis: "y" } });
      clear($("t-hot"), table(["c.category", "c.received"], hot.map((r) => [categoryName(r.key), num(r.received)])));
      clear($("dash-error"));
    } catch (error) { showError($("dash-error"), error); }
  }
  $("dash-form").addEventListener("submit", (event) => { event.preventDefault(); showDashboard(); });

  I18n.apply();  // the texts in the language chosen, then the page (route)
})();
