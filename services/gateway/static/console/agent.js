/* The grid agent's page: submit for a citizen of the grid with their consent,
   and follow what was submitted. The services check the agent and the grid. */
"use strict";
(() => {
  const { api, session, signIn, signOut, el, clear, showError, localTime } = Console;
  const { t, named } = I18n;
  const $ = (id) => document.getElementById(id);
  // a code's word in the text tables (GROUP.CODE), or the code itself
  const word = (group, code) => { const key = `${group}.${code}`; const w = t(key); return w === key ? code : w; };
  const actor = () => session() && session().actor;
  let reference = null;

  async function route() {
    document.querySelectorAll("main > section").forEach((s) => { s.hidden = true; });
    if (!actor()) { $("view-sign-in").hidden = false; $("nav").hidden = true; return; }
    $("who").textContent = `${actor().unit_name} · ${actor().username}`;
    $("nav").hidden = false;
    const view = location.hash === "#mine" ? "mine" : "submit";
    document.querySelectorAll("nav a").forEach((a) => a.getAttribute("href") === "#" + view
      ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current"));
    $("view-" + view).hidden = false;
    document.title = $("view-" + view).querySelector("h2").textContent + " · " + t("a.site");
    if (view === "mine") await showMine(); else await showForm();
  }
  window.addEventListener("hashchange", route);
  // Another language: the page's own texts at once, what it built drawn again
  // (the choices keep what was chosen, the form what was typed).
  $("lang-switch").addEventListener("click", I18n.toggle);
  I18n.onLanguage(() => { fillChoices(); route(); });

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
    if (reference) return;
    const [categories, areas] = await Promise.all([api("GET", "/categories"), api("GET", "/areas")]);
    reference = { categories, areas };
    fillChoices();
    const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString();
    $("a-consent-given_at").value = now.slice(0, 10);
    $("a-consent-time").value = now.slice(11, 16);
  }

  // the grid's areas and the categories, named in the language shown
  function fillChoices() {
    if (!reference || !actor()) return;
    const grid = actor().area_code;
    const keep = [$("a-area_code").value, $("a-category").value];
    clear($("a-area_code"), ...reference.areas.filter((a) => a.code.startsWith(grid))
      .map((a) => el("option", { value: a.code, text: named(a) })));
    clear($("a-category"), el("option", { value: "", text: t("a.category.choose") }),
      ...reference.categories.map((c) => el("option", { value: c.code, text: named(c) })));
    if (keep[0]) $("a-area_code").value = keep[0];
    $("a-category").value = keep[1];
  }

  $("send-code").addEventListener("click", async () => {
    try {
      const sent = await api("POST", "/phone-codes", { phone: $("a-phone").value.trim(),
        id_number: $("a-id_number").value.trim() });
      clear($("code-status"), el("p", { class: "ok", text: t("a.code.sent", { phone: sent.phone }) }));
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
    button.textContent = t("sending");
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
    } finally { button.disabled = false; button.textContent = t("submit"); }
  });

  async function showMine() {
    try {
      const mine = await api("GET", "/agent/petitions");
      clear($("mine-list"), mine.length ? el("table", {},
        el("thead", {}, el("tr", {}, ["c.case_number", "c.title", "c.submitted_at", "c.status", "c.unit", "c.due_date",
          "a.consent.method"].map((h) => el("th", { scope: "col", text: t(h) })))),
        el("tbody", {}, mine.map((p) => el("tr", { "data-case": p.case_number },
          [p.case_number, p.title, localTime(p.submitted_at), word("c.status", p.status), p.unit_name || "",
            p.due_date || "", p.consent_method ? word("a.consent", p.consent_method) : ""]
            .map((text) => el("td", { text }))))))
        : el("p", { class: "muted", text: t("a.mine.none") }));
      clear($("mine-error"));
    } catch (error) { showError($("mine-error"), error); }
  }

  I18n.apply();  // the texts in the language chosen, then the page (route)
})();
