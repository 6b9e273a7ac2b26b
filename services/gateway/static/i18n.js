/* The pages' two languages, one mechanism for the citizens' portal and the
   staff console: Simplified Chinese by default, English when switched (the
   choice kept in this browser for every page). Texts come by key from the
   tables /static/texts.js adds (the gateway builds it from texts.json:
   services/gateway/pages.py); an element shows its text by ``data-t="key"`` (its
   aria-label by ``data-t-label``); a page redraws what it built itself in a
   listener (``onLanguage``). */
'use strict';
const I18n = (() => {
  const TEXT = {zh: {}, en: {}};
  const STORE = 'portal.lang';
  const listeners = [];
  let lang = 'zh';
  try { lang = localStorage.getItem(STORE) === 'en' ? 'en' : 'zh'; } catch (e) { /* storage off */ }

  const add = tables => { Object.assign(TEXT.zh, tables.zh); Object.assign(TEXT.en, tables.en); };
  const t = (key, vars = {}) => String(TEXT[lang][key] ?? TEXT.zh[key] ?? key)
    .replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  /* A directory entry's name (a unit, an area, a category) in the language shown. */
  const named = item => item ? ((lang === 'en' && item.name_en) || item.name_zh || item.code) : '';
  /* A timeline entry as shown: in English, what happened (its English, by the
     entry's kind, from the service's tables) and the record as written, in
     Chinese, under it (names, dates and reasons are in the record alone);
     in Chinese, or with no English, the record alone. {text, record|null}. */
  const said = (text, english) => lang === 'en' && english ? {text: english, record: text} : {text, record: null};

  function apply() {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    document.querySelectorAll('[data-t]').forEach(el => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll('[data-t-label]').forEach(el => { el.setAttribute('aria-label', t(el.dataset.tLabel)); });
    // the switch names the other language, in that language
    document.querySelectorAll('.lang-switch').forEach(el => { el.lang = lang === 'en' ? 'zh-CN' : 'en'; });
    listeners.forEach(fn => fn(lang));
  }

  function toggle() {
    lang = lang === 'en' ? 'zh' : 'en';
    try { localStorage.setItem(STORE, lang); } catch (e) { /* storage off */ }
    apply();
  }

  return {add, t, named, said, apply, toggle, onLanguage: fn => listeners.push(fn), get lang() { return lang; }};
})();
