/* The staff console: a page per hash (#queue, #case/N, #supervision, ...).
   Every permission is the services' (a page shown is not a right granted). */
"use strict";
(() => {
  const { api, session, signIn, signOut, el, clear, showError, localTime, download } = Console;
  const $ = (id) => document.getElementById(id);
  const BUREAU = ["bureau_supervisor", "bureau_admin"];
  const STATUS = { submitted: "已提交", routed: "待受理", accepted: "办理中", returned: "已退回",
    transferring: "转办中", replied: "已答复", concluded: "已办结", rejected: "不予受理（分派时）",
    declined: "不予受理" };
  const TRACK = { standard: "普通程序", immediate: "即时办理", special_case: "专案专办" };
  const ORDER = { open: "待答复", answered: "已答复", escalated: "已升级", closed: "已办结" };
  const LABELS = { reason: "理由", reply: "答复意见", note: "说明", unit_code: "单位",
    instructions: "要求", co_units: "协办单位及期限", due_date: "期限", plan: "方案",
    coordinating_units: "协调单位", report: "办理结果报告", until: "延期至", content: "协办意见",
    kind: "类型", answer_due: "答复期限", answer: "督办答复", reached: "已联系上信访人",
    view: "群众意见", satisfied: "群众满意", finding: "结论", spot_check_id: "抽查编号",
    opinion: "意见", what: "所需材料", working_days: "补充期限（工作日数，与期限二选一）" };
  const MATERIAL = { requested: "已要求补充", answered: "已补充", lapsed: "逾期未补充" };
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
  const unitName = (code) => ((units || []).find((u) => u.code === code) || {}).name_zh || code || "";
  const options = (select, items, blank) => clear(select,
    ...(blank ? [el("option", { value: "", text: blank })] : []),
    ...items.map(([value, text]) => el("option", { value, text })));

  // a table in a region that scrolls sideways on a narrow screen (reachable by keyboard)
  function table(headers, rows) {
    return el("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": headers.join("、") },
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
    if (!actor()) { $("view-sign-in").hidden = false; $("nav").hidden = true; return; }
    const a = actor();
    $("who").textContent = `${a.unit_name} · ${a.username}`;
    $("nav").hidden = false;
    document.querySelectorAll("[data-bureau]").forEach((n) => { n.hidden = !isBureau(); });
    const view = VIEWS[name] ? name : "queue";
    document.querySelectorAll("nav a").forEach((link) => {
      if (link.getAttribute("href") === "#" + view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    $("view-" + view).hidden = false;
    document.title = $("view-" + view).querySelector("h2").textContent + " · 网上信访工作台";
    await VIEWS[view](arg && decodeURIComponent(arg));
  }
  window.addEventListener("hashchange", route);

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
  options($("q-status"), Object.entries(STATUS), "全部状态");
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
    if (isBureau()) {
      await loadUnits();
      if ($("q-unit").options.length <= 1) {
        options($("q-unit"), units.map((u) => [u.code, u.name_zh]), "全部单位");
      }
    }
    await loadQueue();
  }

  async function loadQueue() {
    const params = new URLSearchParams({ limit: PAGE, offset: state.offset, sort: $("q-sort").value });
    if (state.queue) params.set("queue", state.queue);
    if ($("q-status").value) params.set("status", $("q-status").value);
    if ($("q-search").value.trim()) params.set("search", $("q-search").value.trim());
    if (isBureau() && $("q-unit").value) params.set("unit_code", $("q-unit").value);
    const body = $("queue-table").tBodies[0];
    try {
      const cases = await api("GET", "/cases?" + params);
      clear($("queue-error"));
      clear(body, ...cases.map((c) => el("tr", { "data-case": c.case_number },
        el("td", {}, caseLink(c.case_number)), el("td", { text: c.title || "" }),
        el("td", { "data-status": c.status, text: STATUS[c.status] || c.status }),
        el("td", { text: c.unit_name || "" }), el("td", { text: c.due_date || "" }),
        el("td", {}, c.overdue ? el("span", { class: "badge overdue", text: "超期" }) : null,
          c.supervision_open ? el("span", { class: "badge supervised", text: "督办" }) : null,
          c.extension_state === "requested" ? el("span", { class: "badge", text: "申请延期" }) : null))));
      if (!cases.length) body.append(el("tr", {}, el("td", { colspan: 6, text: "没有符合条件的案件" })));
      const first = cases.length ? state.offset + 1 : 0;
      $("page-info").textContent = `第 ${first}–${state.offset + cases.length} 件`;
      $("queue-caption").textContent = `工作队列，第 ${Math.floor(state.offset / PAGE) + 1} 页`;
      $("prev").disabled = state.offset === 0;
      $("next").disabled = cases.length < PAGE;
    } catch (error) { showError($("queue-error"), error, $("queue-form"), "q-"); }
  }

  // --- the case page -----------------------------------------------------------
  async function showCase(caseNumber) {
    $("case-title").textContent = "案件 " + caseNumber;
    delete $("view-case").dataset.loaded;
    clear($("reveal-result"));
    try {
      [workflows, openapi] = await Promise.all([
        once(() => api("GET", "/workflows"), workflows), once(() => api("GET", "/openapi.json"), openapi)]);
      await loadUnits();
      const c = await api("GET", "/cases/" + encodeURIComponent(caseNumber));
      clear($("case-error"));
      renderCase(c);
      $("view-case").dataset.loaded = c.case_number;
    } catch (error) { showError($("case-error"), error); }
  }

  function facts(dl, pairs) {
    clear(dl, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .flatMap(([k, v, id]) => [el("dt", { text: k }), el("dd", { id, text: v })]));
  }

  function renderCase(c) {
    $("case-title").textContent = `案件 ${c.case_number}：${c.title}`;
    facts($("case-facts"), [
      ["状态", STATUS[c.status] || c.status, "case-status"], ["承办单位", c.unit_name],
      ["办理方式", TRACK[c.track] || c.track], ["类别", c.category], ["地区", c.area_code],
      ["提交时间", localTime(c.submitted_at)], ["受理期限", c.accept_due], ["办理期限", c.due_date],
      ["延期", c.extension_state !== "none" ? `${c.extension_state}${c.extension_requested_until ? "（申请至" + c.extension_requested_until + "）" : ""}` : null, "case-extension"],
      ["督办", c.supervision_open ? "督办中：" + (c.supervision_reason || "") : null, "case-supervision"],
      ["复查/复核", c.review_state !== "none" ? c.review_state : null],
      ["补充材料", c.material_state !== "none" ? `${MATERIAL[c.material_state] || c.material_state}：${c.material_request}（期限${c.material_due}，办理期限不变）` : null, "case-material"],
      ["分派理由", c.routing_reason], ["交办要求", c.instructions], ["办理结果报告", c.report_back],
      ["内容", c.content], ["地址", c.address], ["答复", c.reply, "case-reply"],
      ["渠道", c.channel === "proxy" ? "代理员代为提交" : "网上"]]);
    const p = c.petitioner || {};
    facts($("petitioner"), [["姓名", p.name, "p-name"], ["身份证号", p.id_number, "p-id"], ["手机号", p.phone, "p-phone"]]);
    $("reveal").onclick = () => reveal(c.case_number);
    renderSteps(c);
    clear($("orders"), c.orders.length ? table(["编号", "类型", "状态", "原因/要求", "答复", "答复期限"],
      c.orders.map((o) => [String(o.id), o.kind, ORDER[o.status] || o.status,
        [o.reason, o.instructions].filter(Boolean).join("；"), o.answer || "", o.answer_due])) : el("p", { class: "muted", text: "无" }));
    clear($("parts"), c.parts.length ? table(["协办单位", "期限", "状态", "意见"],
      c.parts.map((p2) => [p2.unit_name, p2.due, p2.status + (p2.late ? "（逾期）" : ""), p2.content || ""])) : el("p", { class: "muted", text: "无" }));
    clear($("deadlines"), table(["期限", "对象", "单位", "日期", "状态"],
      c.deadlines.map((d) => [d.kind, d.subject, unitName(d.unit_code), d.due, d.open ? "计时中" : "已结束"])));
    clear($("timeline"), ...c.timeline.map((t) => el("li", {},
      el("strong", { text: localTime(t.at) }), " ", t.text,
      t.detail ? el("span", { class: "muted", text: "（" + t.detail + "）" }) : null,
      t.public ? null : el("span", { class: "badge", text: "内部" }))));
  }

  async function reveal(caseNumber) {
    try {
      const shown = await api("POST", `/cases/${encodeURIComponent(caseNumber)}/petitioner/reveal`);
      $("p-name").textContent = shown.name;
      $("p-id").textContent = shown.id_number;
      $("p-phone").textContent = shown.phone;
      clear($("reveal-result"), el("p", { class: "ok", text: "已显示完整信息；本次查阅已记录。" }));
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
      : [el("p", { class: "muted", text: "当前没有可办理的操作" })]));
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
    form.append(el("p", {}, el("button", { type: "submit", text: "确认" + step.name_zh })), box);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await api("POST", `/cases/${encodeURIComponent(c.case_number)}/${step.action}`,
          schema ? collect(form, step.action + "-", schema) : {});
        renderCase(await api("GET", "/cases/" + encodeURIComponent(c.case_number)));
        clear($("step-result"), el("p", { class: "ok", text: `已完成：${step.name_zh}` }));
        $("step-result").focus();
      } catch (error) {
        showError(box, error, form, step.action + "-");
      } finally { button.disabled = false; }
    });
    return el("details", { class: "step" }, el("summary", { text: step.name_zh }), form);
  }

  function field(id, name, prop, required) {
    const label = LABELS[name] || name;
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
      return el("div", {}, rows, el("button", { type: "button", class: "secondary", onclick: addRow, text: "增加一行" }));
    }
    if (name === "unit_code" || (prop.type === "array" && name === "coordinating_units")) {
      input = el("select", { id, multiple: prop.type === "array" || undefined },
        el("option", { value: "", text: "请选择单位" }),
        (units || []).map((u) => el("option", { value: u.code, text: u.name_zh })));
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
    wrap.append(el("label", { for: id, text: label + (required ? "（必填）" : "") }), input);
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
      clear($("supervision-list"), orders.length ? table(["督办单", "案件", "单位", "类型", "状态", "答复期限", "计入考核"],
        orders.map((o) => [String(o.id), caseLink(o.case_number), unitName(o.unit_code), o.kind,
          ORDER[o.status] || o.status, o.answer_due, o.counted_against_unit ? "是" : "否"]))
        : el("p", { class: "muted", text: "没有督办单" }));
      const record = await api("GET", "/supervision/units");
      clear($("supervision-units"), table(["单位", "待答复", "已答复", "已升级", "已办结", "逾期计入考核"],
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
        const link = el("a", { href: "#queue", text: u.name_zh, onclick: () => {
          $("q-unit").value = u.code; state.offset = 0; } });
        rows.push([link, u.code, u.kind]);
      }
      clear($("units-list"), table(["单位", "代码", "类型"], rows));
      clear($("units-error"));
    } catch (error) { showError($("units-error"), error); }
  }

  // --- return visits and spot checks (bureau) ----------------------------------------
  async function showChecks() {
    try {
      await loadUnits();
      if (!$("draw-unit_code").options.length) {
        options($("draw-unit_code"), units.map((u) => [u.code, u.name_zh]));
      }
      const replied = await api("GET", "/cases?status=replied&limit=50");
      clear($("visit-list"), replied.length ? table(["案件", "标题", "承办单位"],
        replied.map((c) => [caseLink(c.case_number), c.title, c.unit_name || ""]))
        : el("p", { class: "muted", text: "没有已答复的案件" }));
    } catch (error) { showError($("draw-error"), error); }
  }

  function showSpotCheck(check) {
    clear($("draw-result"), el("p", { class: check.reproduced ? "ok" : "error",
      text: `抽查 ${check.id}：种子 ${check.seed}，从 ${check.population.length} 件中抽取 ${check.drawn.length} 件；` +
        (check.reproduced ? "重新抽取结果一致" : "重新抽取结果不一致") }),
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
        options($("rule-category"), categories.map((c) => [c.code, c.name_zh]));
        options($("rule-area_code"), areas.map((a) => [a.code, a.name_zh]));
        options($("rule-unit_code"), units.map((u) => [u.code, u.name_zh]));
      }
      const rules = await api("GET", "/routing/rules");
      const name = (list, code) => (list.find((x) => x.code === code) || {}).name_zh || code;
      clear($("rules-list"), table(["类别", "地区", "承办单位", "办理方式"],
        rules.map((r) => [name(categories, r.category), name(areas, r.area_code), r.unit_name, TRACK[r.track] || r.track])));
      const changes = await api("GET", "/routing/rules/changes");
      clear($("rule-changes"), changes.length ? table(["时间", "修改人", "类别", "地区", "原规则", "新规则"],
        changes.map((ch) => [localTime(ch.at), ch.changed_by, name(categories, ch.category), name(areas, ch.area_code),
          ch.before ? `${unitName(ch.before.unit_code)}（${TRACK[ch.before.track] || ch.before.track}）` : "（无）",
          `${unitName(ch.after.unit_code)}（${TRACK[ch.after.track] || ch.after.track}）`]))
        : el("p", { class: "muted", text: "尚无修改" }));
      clear($("rule-error"));
    } catch (error) { showError($("rule-error"), error); }
  }

  $("rule-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(["category", "area_code", "unit_code", "track"].map((k) => [k, $("rule-" + k).value]));
    try {
      await api("PUT", "/routing/rules", body);
      clear($("rule-result"), el("p", { class: "ok", text: "规则已保存" }));
      await showRules();
    } catch (error) { showError($("rule-error"), error, event.target, "rule-"); }
  });

  // --- staff accounts (bureau administrator: GET /staff) -----------------------------
  async function showAccounts() {
    try {
      const accounts = await api("GET", "/staff");
      clear($("accounts-list"), table(["用户名", "单位", "角色", "状态"],
        accounts.map((a) => [a.username, a.unit_name || a.unit_code, a.role, a.active ? "启用" : "已停用"])));
      clear($("accounts-error"));
    } catch (error) { showError($("accounts-error"), error); }
  }

  // --- the audit log of personal-data reads (bureau) ------------------------------------
  const READ_ACTION = { read_by_query_code: "信访人凭查询码查阅", read_by_staff: "工作人员查阅（已遮蔽）",
    revealed_to_staff: "工作人员显示完整信息" };

  async function showReads() {
    const params = new URLSearchParams();
    for (const k of ["case_number", "reader"]) if ($("reads-" + k).value.trim()) params.set(k, $("reads-" + k).value.trim());
    try {
      const reads = await api("GET", "/audit/personal-data-reads?" + params);
      clear($("reads-list"), reads.length ? table(["时间", "查阅人", "被查阅人", "案件", "方式"],
        reads.map((r) => [localTime(r.at), r.reader, r.petitioner, caseLink(r.case_number), READ_ACTION[r.action] || r.action]))
        : el("p", { class: "muted", text: "没有记录" }));
      clear($("reads-error"));
    } catch (error) { showError($("reads-error"), error, $("reads-form"), "reads-"); }
  }
  $("reads-form").addEventListener("submit", (event) => { event.preventDefault(); showReads(); });

  // --- bulletins (bureau) ------------------------------------------------------------
  async function showBulletins() {
    try {
      const list = await api("GET", "/reports/bulletins");
      clear($("bulletins-list"), list.length ? table(["周期", "起止", "格式", "生成时间", "下载"],
        list.map((b) => [b.period === "month" ? "月度" : "季度", `${b.from} 至 ${b.to}`, b.format.toUpperCase(),
          b.generated_at, el("button", { type: "button", class: "secondary",
            onclick: () => download("/reports/bulletins/" + b.id, b.filename), text: "下载 " + b.filename })]))
        : el("p", { class: "muted", text: "尚无按期生成的通报" }));
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
      chart("c-status", { type: "bar", data: { labels: statuses.map(([s]) => STATUS[s] || s),
        datasets: [{ label: "件数", data: statuses.map(([, n]) => n), backgroundColor: "#8a1c1c" }] } });
      clear($("t-status"), table(["状态", "件数"], statuses.map(([s, n]) => [STATUS[s] || s, num(n)])));
      const tracks = Object.entries(caseload.by_track);
      chart("c-track", { type: "doughnut", data: { labels: tracks.map(([t]) => TRACK[t] || t),
        datasets: [{ data: tracks.map(([, n]) => n), backgroundColor: ["#8a1c1c", "#1f4fbf", "#1d5e20", "#7a4100"] }] } });
      clear($("t-track"), table(["办理方式", "件数"], tracks.map(([t, n]) => [TRACK[t] || t, num(n)])));
      chart("c-rates", { type: "bar", data: { labels: byUnit.map((r) => r.name || r.key),
        datasets: [{ label: "按期办理率", data: byUnit.map((r) => r.on_time_rate === null ? null : r.on_time_rate * 100), backgroundColor: "#1f4fbf" },
          { label: "群众满意率", data: byUnit.map((r) => r.satisfaction_rate === null ? null : r.satisfaction_rate * 100), backgroundColor: "#1d5e20" }] },
        options: { scales: { y: { min: 0, max: 100 } } } });
      clear($("t-rates"), table(["单位", "受理", "办结", "按期办理率", "群众满意率"],
        [[("全部（" + (actor().unit_name) + "辖区）"), num(total[0] && total[0].received), num(total[0] && total[0].concluded),
          pct(total[0] && total[0].on_time_rate), pct(total[0] && total[0].satisfaction_rate)],
        ...byUnit.map((r) => [r.name || r.key, num(r.received), num(r.concluded), pct(r.on_time_rate), pct(r.satisfaction_rate)])]));
      const days = online.map((r) => r.key);
      const proxyOf = Object.fromEntries(proxy.map((r) => [r.key, r.received]));
      chart("c-daily", { type: "line", data: { labels: days, datasets: [
        { label: "网上", data: online.map((r) => r.received), borderColor: "#8a1c1c" },
        { label: "代理员代为提交", data: days.map((d) => proxyOf[d] || 0), borderColor: "#1f4fbf" }] } });
      clear($("t-daily"), table(["日期", "网上", "代理员代为提交"],
        online.filter((r) => r.received || proxyOf[r.key]).map((r) => [r.key, num(r.received), num(proxyOf[r.key])])));
      const hot = [...byCategory].sort((a, b) => b.received - a.received).slice(0, 10);
      const categoryName = (code) => ((reference && reference.categories.find((c) => c.code === code)) || {}).name_zh || code;
      await loadReference();
      chart("c-hot", { type: "bar", data: { labels: hot.map((r) => categoryName(r.key)),
        datasets: [{ label: "受理件数", data: hot.map((r) => r.received), backgroundColor: "#7a4100" }] },
        options: { indexAxis: "y" } });
      clear($("t-hot"), table(["类别", "受理件数"], hot.map((r) => [categoryName(r.key), num(r.received)])));
      clear($("dash-error"));
    } catch (error) { showError($("dash-error"), error); }
  }
  $("dash-form").addEventListener("submit", (event) => { event.preventDefault(); showDashboard(); });

  route();
})();
