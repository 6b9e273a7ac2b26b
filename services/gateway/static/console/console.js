/* What the console's pages share: the API with the bearer token (errors in
   the language shown, I18n), sign-in, building elements without innerHTML,
   and showing errors next to fields. */
"use strict";
const Console = (() => {
  const API = "/api/v1";
  const KEY = "petition-console-session";

  function session() {
    try { return JSON.parse(sessionStorage.getItem(KEY)); } catch (e) { return null; }
  }

  /* Each action (a request that changes something) carries an Idempotency-Key
     (core/once.py: the gateway hands it to the RPCs that act once). An answer
     that does not say whether it acted (no answer at all, or 502-504: the
     service may have acted and its reply been lost) keeps the key, so the
     same action sent again (the same click once more) carries it and acts
     once; any other answer ends the action, and the next is a new one.
     Signing in and changing one's password are left out: they act no harm
     twice, and their bodies (passwords) are not kept. */
  const UNSURE = new Set([0, 502, 503, 504]);
  const actionKeys = new Map();  // "method path body" -> its key

  function actionKey(action) {
    if (!actionKeys.has(action)) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));  // randomUUID wants HTTPS
      actionKeys.set(action, Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
    }
    return actionKeys.get(action);
  }

  async function api(method, path, body) {
    const page = shownPage;
    const s = session();
    const headers = { "Accept": "application/json", "Accept-Language": I18n.lang };
    if (s) headers["Authorization"] = "Bearer " + s.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const action = method !== "GET" && !path.startsWith("/auth/") ? `${method} ${path} ${sent || ""}` : null;
    if (action) headers["Idempotency-Key"] = actionKey(action);
    let response;
    try {
      response = await fetch(API + path, { method, headers, body: sent });
    } catch (e) {
      throw { status: 0, message: I18n.t("c.offline"), details: {} };
    }
    if (action && !UNSURE.has(response.status)) actionKeys.delete(action);
    if (response.status === 401 && s) { signOut(); }
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      const error = type.includes("json") ? await response.json() : {};
      throw { status: response.status, message: error.message || I18n.t("c.error", { status: response.status }),
              details: (error.details && typeof error.details === "object") ? error.details : {} };
    }
    const payload = type.includes("json") ? await response.json() : await response.blob();
    if (page === shownPage) notePartial(path, response, payload);  // not a page left meanwhile
    return payload;
  }

  /* A partial answer: a list merged from the city's and the counties' deployments
     that had to leave out one it could not reach (services/gateway/http.py: the
     Unreachable-Deployments header; an object also names them in `unreachable`).
     Each list's latest answer counts (by path); the banner #partial, on every page
     of the console, names what was left out; a page shown anew starts without. */
  const partial = new Map();  // path without its query -> [{area_code, message?, message_en?}]
  let shownPage = 0;  // counts the pages shown

  function notePartial(path, response, payload) {
    const codes = (response.headers.get("Unreachable-Deployments") || "").split(",")
      .map((code) => code.trim()).filter(Boolean);
    const named = (payload && payload.unreachable) || [];
    const key = path.split("?")[0];
    if (codes.length) partial.set(key, codes.map((code) => named.find((d) => d.area_code === code) || { area_code: code }));
    else partial.delete(key);
    showPartial();
  }

  function showPartial() {
    const banner = document.getElementById("partial");
    if (!banner) return;
    const left = new Map();  // by area code, named where an answer named it
    for (const d of [...partial.values()].flat()) {
      if (!left.has(d.area_code) || d.message) left.set(d.area_code, d);
    }
    const said = [...left.values()].map((d) => (!d.message ? I18n.t("c.partial.code", { code: d.area_code })
      : I18n.lang === "en" ? d.message_en : d.message));
    banner.hidden = !said.length;
    banner.textContent = said.length ? I18n.t("c.partial", { which: said.join(I18n.t("c.list_sep")) }) : "";
  }

  function forgetPartial() { shownPage += 1; partial.clear(); showPartial(); }

  async function signIn(username, password) {
    const token = await api("POST", "/auth/token", { username, password });
    sessionStorage.setItem(KEY, JSON.stringify({ token: token.access_token, actor: token.actor }));
    return token.actor;
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    location.hash = "";
    location.reload();
  }

  /* el("p", {class: "x", text: "..."}, child, ...) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node, ...children) { node.replaceChildren(...children); return node; }

  /* The error: its message in `box`, each field's reason next to the field
     (an element with id `${prefix}${field}` inside `form`), focus on the first. */
  function showError(box, error, form, prefix) {
    clearErrors(box, form);
    box.append(el("p", { class: "error", text: error.message }));
    let first = null;
    for (const [field, reasons] of Object.entries(error.details || {})) {
      const input = form && form.querySelector(`[id="${(prefix || "") + field.split(".")[0]}"]`);
      const text = field + I18n.t("colon") + [].concat(reasons).join("；");
      if (input) {
        const id = input.id + "-error";
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", id);
        input.after(el("p", { class: "error field-error", id, text: [].concat(reasons).join("；") }));
        first = first || input;
      } else {
        box.append(el("p", { class: "error", text }));
      }
    }
    (first || box).focus();
  }

  /* No error left in `box` nor beside the fields of `form`. */
  function clearErrors(box, form) {
    clear(box);
    if (form) {
      form.querySelectorAll(".field-error").forEach((n) => n.remove());
      form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    }
  }

  function localTime(iso) {
    if (!iso) return "";
    return iso.replace("T", " ").replace(/:\d\d(\.\d+)?\+08:00$/, "");
  }

  /* A file from an authorised download: fetched with the token, saved by the browser. */
  async function download(path, filename) {
    const blob = await api("GET", path);
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  return { api, session, signIn, signOut, el, clear, showError, clearErrors, localTime, download, forgetPartial };
})();
