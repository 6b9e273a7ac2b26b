/* The citizens' portal, shared by its pages: the header with the language
   switch (I18n, i18n.js; the texts in texts.json), calls to the API, errors
   shown next to their fields, the phone proven by an SMS code. Each page's
   own script uses window.Portal. */
'use strict';
(() => {
  const {t, named} = I18n;
  const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  const $ = (selector, root = document) => root.querySelector(selector);
  // the page's title follows its heading
  I18n.onLanguage(() => {
    const title = $('h1[data-t]');
    if (title) document.title = `${t(title.dataset.t)} - ${t('site')}`;
  });

  /* A request to the API: {status, body}; status 0 when the connection failed. */
  async function call(path, init) {
    try {
      const response = await fetch('/api/v1' + path, {...init, headers: {'Accept-Language': I18n.lang, ...init.headers}});
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      return {status: response.status, body: data};
    } catch (e) {
      return {status: 0, body: null};
    }
  }

  /* A call with a JSON body (or none). */
  const api = (path, {method = 'GET', body, headers = {}} = {}) => call(path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: {...(body === undefined ? {} : {'Content-Type': 'application/json'}), ...headers}});

  /* A file of the case's material, sent as the body; the service reads its
     type from its content (so the browser's guess is not sent). */
  const sendFile = (path, file) => call(`${path}?filename=${encodeURIComponent(file.name)}`, {
    method: 'POST', body: file, headers: {'Content-Type': 'application/octet-stream'}});

  /* The limits of a case's files (intake's ATTACHMENT_MAX_BYTES and _FILES). */
  const FILES = {maxBytes: 10 * 1024 * 1024, maxCount: 20};
  function filesProblem(files) {
    if (files.length > FILES.maxCount) return t('check.files.count', {max: FILES.maxCount});
    const big = files.find(f => f.size > FILES.maxBytes);
    if (big) return t('check.files.size', {name: big.name});
    const empty = files.find(f => !f.size);
    return empty ? t('check.files.empty', {name: empty.name}) : null;
  }

  /* What to tell the person when an answer carries no usable message. */
  function problem(status, body) {
    if (status === 0) return t('offline');
    if (body && typeof body.message === 'string' && body.message) return body.message;
    return t({429: 'error.429', 413: 'error.413', 404: 'error.404'}[status]
      || (status >= 500 ? 'error.503' : 'error.generic'));
  }

  /* Errors next to their fields. ``form`` holds, for each field, an element
     #FIELD-error (and the control named by data-field or the id FIELD);
     ``summary`` lists every error, linked to its field, and a problem with
     no field. The first field in error gets the focus. */
  function clearErrors(form, summary) {
    form.querySelectorAll('[aria-invalid="true"]').forEach(el => el.removeAttribute('aria-invalid'));
    form.querySelectorAll('.field-error').forEach(el => { el.textContent = ''; el.hidden = true; });
    if (summary) { summary.innerHTML = ''; summary.hidden = true; }
  }

  function control(form, field) {
    return form.querySelector(`[data-field="${CSS.escape(field)}"]`) || form.querySelector(`#${CSS.escape(field)}`);
  }

  function setFieldError(form, field, reasons) {
    const el = control(form, field);
    const box = form.querySelector(`#${CSS.escape((el && el.dataset.errorFor) || field)}-error`);
    if (!el || !box) return false;
    const text = [].concat(reasons || []).filter(Boolean).join('；');
    box.textContent = text;
    box.hidden = !text;
    if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
    return true;
  }

  function showErrors(form, summary, message, details) {
    clearErrors(form, summary);
    const items = [];
    let first = null;
    Object.entries(details && typeof details === 'object' ? details : {}).forEach(([field, reasons]) => {
      const reason = [].concat(reasons || []).join('；');
      if (setFieldError(form, field, reasons)) {
        const el = control(form, field);
        first = first || el;
        const label = form.querySelector(`label[for="${CSS.escape(el.id)}"]`);
        const name = label ? (label.querySelector('[data-t]') || label).textContent : field;
        items.push(`<li><a href="#${esc(el.id)}">${esc(name)}${esc(t('colon'))}${esc(reason)}</a></li>`);
      } else {
        items.push(`<li>${esc(reason)}</li>`);
      }
    });
    summary.innerHTML = `<p><strong>${esc(message || t('error.title'))}</strong></p>` + (items.length ? `<ul>${items.join('')}</ul>` : '');
    summary.hidden = false;
    summary.querySelectorAll('a[href^="#"]').forEach(a => a.addEventListener('click', e => {
      e.preventDefault();
      const target = document.getElementById(a.getAttribute('href').slice(1));
      if (target) target.focus();
    }));
    (first || summary).focus();
    if (!first) summary.scrollIntoView({block: 'center'});
  }

  /* A button that shows it is working and cannot be pressed again meanwhile. */
  async function busy(button, work) {
    if (button.disabled) return undefined;
    const label = button.textContent;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.textContent = t('sending');
    try { return await work(); } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.textContent = button.dataset.t ? t(button.dataset.t) : label;
    }
  }

  const when = iso => new Date(iso).toLocaleString(I18n.lang === 'en' ? 'en-GB' : 'zh-CN',
    {timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});

  let reference = null;
  /* Categories and areas, asked once a page. */
  async function referenceData() {
    if (!reference) {
      const [categories, areas] = await Promise.all([api('/categories'), api('/areas')]);
      if (categories.status !== 200 || areas.status !== 200) return null;
      reference = {categories: categories.body, areas: areas.body};
    }
    return reference;
  }

  // --- the petitioner's or proposer's phone, proven (both submit pages) -----
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function idNumberProblem(value) {
    const v = value.trim().toUpperCase();
    if (v.length !== 18) return 'check.id_number.length';
    if (!/^[0-9]{17}[0-9X]$/.test(v)) return 'check.id_number.format';
    const sum = ID_WEIGHTS.reduce((total, w, i) => total + w * Number(v[i]), 0);
    return '10X98765432'[sum % 11] === v[17] ? null : 'check.id_number.digit';
  }
  const phoneDigits = value => value.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  const phoneProblem = value => /^1[3-9][0-9]{9}$/.test(phoneDigits(value)) ? null : 'check.phone';

  const PHONE_PROOF = () => `
<div class="field">
  <label for="id_number"><span data-t="f.id_number">${esc(t('f.id_number'))}</span><span class="req" data-t="required">${esc(t('required'))}</span></label>
  <p id="id_number-hint" class="hint" data-t="f.id_number.hint">${esc(t('f.id_number.hint'))}</p>
  <input id="id_number" name="id_number" inputmode="text" autocomplete="off" autocapitalize="characters"
         spellcheck="false" aria-describedby="id_number-hint id_number-error" required>
  <p id="id_number-error" class="field-error" hidden></p>
</div>

<div class="field">
  <label for="phone"><span data-t="f.phone">${esc(t('f.phone'))}</span><span class="req" data-t="required">${esc(t('required'))}</span></label>
  <p id="phone-hint" class="hint" data-t="f.phone.hint">${esc(t('f.phone.hint'))}</p>
  <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel-national"
         aria-describedby="phone-hint phone-error" required>
  <p id="phone-error" class="field-error" hidden></p>
</div>

<div class="field">
  <label for="sms_code"><span data-t="f.sms_code">${esc(t('f.sms_code'))}</span><span class="req" data-t="required">${esc(t('required'))}</span></label>
  <p id="sms_code-hint" class="hint" data-t="f.sms_code.hint">${esc(t('f.sms_code.hint'))}</p>
  <div class="row">
    <input id="sms_code" name="sms_code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
           aria-describedby="sms_code-hint sms_code-error code-status" required>
    <button type="button" id="send-code" class="secondary" data-t="send_code">${esc(t('send_code'))}</button>
  </div>
  <p id="code-status" class="hint" role="status"></p>
  <p id="sms_code-error" class="field-error" hidden></p>
</div>`;

  /* The ID number, phone and SMS code fields, in ``form``'s #phone-proof:
     the first two checked as typed (once complete) and when left; #send-code
     asks for the SMS code (POST /phone-codes) and then waits the time the
     service names; #code-status says where it went. ``problems(found)`` adds
     what is wrong with the three fields, ``values()`` is what the API takes. */
  function phoneProof(form, summary) {
    form.querySelector('#phone-proof').outerHTML = PHONE_PROOF();
    const field = id => form.querySelector('#' + id);
    function live(id, problem, complete) {
      const check = final => {
        const value = field(id).value;
        if (!value.trim()) { if (final) setFieldError(form, id, []); return; }
        if (!final && !complete(value)) { setFieldError(form, id, []); return; }
        const found = problem(value);
        setFieldError(form, id, found ? [t(found)] : []);
      };
      field(id).addEventListener('input', () => check(false));
      field(id).addEventListener('blur', () => check(true));
    }
    live('id_number', idNumberProblem, v => v.trim().length >= 18);
    live('phone', phoneProblem, v => phoneDigits(v).length >= 11);

    function problems(found, withCode = true) {
      const id = idNumberProblem(field('id_number').value);
      if (!found.id_number && id) found.id_number = [t(id)];
      if (!found.phone && phoneProblem(field('phone').value)) found.phone = [t('check.phone')];
      if (withCode && !/^[0-9]{6}$/.test(field('sms_code').value.trim())) found.sms_code = [t('check.sms_code')];
      return found;
    }
    const values = () => ({id_number: field('id_number').value.trim().toUpperCase(),
      phone: phoneDigits(field('phone').value), sms_code: field('sms_code').value.trim()});

    let wait = null;
    const button = field('send-code');
    button.addEventListener('click', () => busy(button, async () => {
      const found = problems({}, false);
      if (Object.keys(found).length) { showErrors(form, summary, null, found); return; }
      const {id_number, phone} = values();
      const {status, body} = await api('/phone-codes', {method: 'POST', body: {phone, id_number}});
      if (status !== 202) { showErrors(form, summary, problem(status, body), body && body.details); return; }
      clearErrors(form, summary);
      field('code-status').textContent = t('code.sent', {phone: body.phone, minutes: Math.round(body.expires_in / 60)});
      field('sms_code').focus();
      wait = Date.now() + body.resend_after * 1000;
    }).then(() => {
      // Another code only after the wait the service names.
      const tick = () => {
        const left = wait ? Math.ceil((wait - Date.now()) / 1000) : 0;
        button.disabled = left > 0;
        button.textContent = left > 0 ? t('send_code.again', {s: left}) : t('send_code');
        if (left > 0) setTimeout(tick, 1000);
      };
      tick();
    }));
    return {problems, values};
  }

  const PAGES = [['/', 'nav.submit'], ['/follow', 'nav.follow'], ['/results', 'nav.results'],
    ['/suggest', 'nav.suggest']];

  /* The site's header, the same on every page: its name, the sections, the
     language switch. */
  function header() {
    const here = location.pathname;
    const site = document.createElement('header');
    site.className = 'site';
    site.innerHTML = `<a class="skip" href="#main" data-t="skip"></a><div class="bar">
      <a class="name" href="/" data-t="site"></a>
      <nav data-t-label="nav.label"><ul>${PAGES.map(([href, key]) =>
        `<li><a href="${href}" data-t="${key}"${href === here ? ' aria-current="page"' : ''}></a></li>`).join('')}</ul></nav>
      <button type="button" class="lang lang-switch" id="lang-switch" data-t="lang.switch" data-t-label="lang.switch.label"></button></div>`;
    document.body.prepend(site);
  }

  document.addEventListener('DOMContentLoaded', () => {
    header();
    $('#lang-switch').addEventListener('click', I18n.toggle);
    I18n.apply();
  });

  /* A public timeline's entry as a list item (I18n.said: the English with
     the Chinese record under it, lang zh-CN). */
  const timelineItem = (at, text, english) => {
    const shown = I18n.said(text, english);
    return `<li><time datetime="${esc(at)}">${esc(at ? when(at) : '')}</time>${esc(shown.text)}`
      + (shown.record ? `<span class="hint record" lang="zh-CN">${esc(shown.record)}</span>` : '') + '</li>';
  };

  window.Portal = {t, esc, $, api, sendFile, filesProblem, problem, clearErrors, setFieldError, showErrors, busy, when,
    timelineItem, referenceData, named, phoneProof, get lang() { return I18n.lang; }, onLanguage: I18n.onLanguage};
})();
