/* The grid agent's page: submit for a citizen of the grid with their consent,
   and follow what was submitted. The services check the agent and the grid. */
"use strict";
(() => {
  const { api, session, signIn, signOut, el, clear, showError, localTime } = Console;
  const $ = (id) => document.getElementById(id);
  const STATUS = { submitted: "已提交", routed: "待受理", accepted: "办理中", returned: "已退回",
    transferring: "转办中", replied: "已答复", concluded: "已办结", rejected: "不予受理", declined: "不予受理" };
  const CONSENT = { signed_form: "书面签字", fingerprint: "按手印", verbal_recorded: "口头同意（录音）" };
  const actor = () => session() && session().actor;
  let loaded = false;

  async function route() {
    document.querySelectorAll("main > section").forEach((s) => { s.hidden = true; });
    if (!actor()) { $("view-sign-in").hidden = false; $("nav").hidden = true; return; }
    $("who").textContent = `${actor().unit_name} · ${actor().username}`;
    $("nav").hidden = false;
    const view = location.hash === "#mine" ? "mine" : "submit";
    document.querySelectorAll("nav a").forEach((a) => a.getAttribute("href") === "#" + view
      ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current"));
    $("view-" + view).hidden = false;
    if (view === "mine") await showMine(); else await showForm();
  }
  window.addEventListener("hashchange", route);

  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await signIn($("username").value.trim(), $("password").value);
      $("password").value = "";
      location.hash = "#submit";
      await route();
    } catch (error) { showError($("sign-in-error"), error, event.target); }
  });
  $("sign-out").addEventListener("click", signOut);

  async function showForm() {
    if (loaded) return;
    const [categories, areas] = await Promise.all([api("GET", "/categories"), api("GET", "/areas")]);
    const grid = actor().area_code;
    clear($("a-area_code"), ...areas.filter((a) => a.code.startsWith(grid))
      .map((a) => el("option", { value: a.code, text: a.name_zh })));
    clear($("a-category"), el("option", { value: "", text: "请选择类别" }),
      ...categories.map((c) => el("option", { value: c.code, text: c.name_zh })));
    const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString();
    $("a-consent-given_at").value = now.slice(0, 10);
    $("a-consent-time").value = now.slice(11, 16);
    loaded = true;
  }

  $("send-code").addEventListener("click", async () => {
    try {
      const sent = await api("POST", "/phone-codes", { phone: $("a-phone").value.trim(),
        id_number: $("a-id_number").value.trim() });
      clear($("code-status"), el("p", { class: "ok", text: `验证码已发送至 ${sent.phone}，请信访人告知` }));
    } catch (error) { showError($("code-status"), error, $("submit-form"), "a-"); }
  });

  function offset(local) {  // the browser's local time with its offset
    const minutes = -new Date(local).getTimezoneOffset();
    const sign = minutes >= 0 ? "+" : "-";
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
    return `${local}:00${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`;
  }

  $("submit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("submit-button");
    button.disabled = true;
    button.textContent = "正在提交…";
    const body = Object.fromEntries(["name", "id_number", "phone", "sms_code", "area_code", "category",
      "title", "content"].map((k) => [k, $("a-" + k).value.trim()]));
    body.consent = { method: $("a-consent-method").value, record: $("a-consent-record").value.trim(),
      given_at: $("a-consent-given_at").value && $("a-consent-time").value
        ? offset($("a-consent-given_at").value + "T" + $("a-consent-time").value) : "" };
    try {
      const receipt = await api("POST", "/agent/petitions", body);
      clear($("submit-error"));
      $("r-case").textContent = receipt.case_number;
      $("r-code").textContent = receipt.query_code;
      $("receipt").hidden = false;
      $("receipt").focus();
    } catch (error) {
      const details = {};  // consent.method -> the consent-method field
      for (const [k, v] of Object.entries(error.details || {})) details[k.replace(".", "-")] = v;
      showError($("submit-error"), { ...error, details }, event.target, "a-");
    } finally { button.disabled = false; button.textContent = "提交"; }
  });

  async function showMine() {
    try {
      const mine = await api("GET", "/agent/petitions");
      clear($("mine-list"), mine.length ? el("table", {},
        el("thead", {}, el("tr", {}, ["案件编号", "标题", "提交时间", "状态", "承办单位", "办理期限", "同意方式"]
          .map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, mine.map((p) => el("tr", { "data-case": p.case_number },
          [p.case_number, p.title, localTime(p.submitted_at), STATUS[p.status] || p.status, p.unit_name || "",
            p.due_date || "", CONSENT[p.consent_method] || ""].map((t) => el("td", { text: t }))))))
        : el("p", { class: "muted", text: "尚未代为提交事项" }));
      clear($("mine-error"));
    } catch (error) { showError($("mine-error"), error); }
  }

  route();
})();
