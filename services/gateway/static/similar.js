/* The smart petition panel (相似案例与相关政策): the concluded, published
   cases most like a petition and the regulations that apply, as the API
   answers them (POST /public/similar while typing, GET
   /petitions/{code}/similar after submitting). Errors are silent: the panel
   stays empty and nothing else on the page waits for it.
   window.Similar.panel(element) -> {ask(path, options), clear()}. */
'use strict';
window.Similar = (() => {
  const P = window.Portal;
  const nameOf = (list, code) => P.named((list || []).find(item => item.code === code)) || code || P.t('case.none');

  function panel(box) {
    let answer = null;
    let reference = null;
    let asked = 0;  // only the newest question's answer is shown

    function render() {
      const cases = answer ? answer.cases || [] : [];
      const rules = answer ? answer.regulations || [] : [];
      box.classList.toggle('box', Boolean(cases.length || rules.length));
      if (!cases.length && !rules.length) { box.innerHTML = ''; return; }
      const fact = (key, value) => `<dt>${P.esc(P.t(key))}</dt><dd>${P.esc(value || P.t('case.none'))}</dd>`;
      const rating = c => c.rating ? Object.entries(c.rating).map(([d, level]) =>
        `${P.t('dim.' + d)}${P.t('colon')}${P.t('level.' + level)}`).join('；') : '';
      box.innerHTML = `<h2 data-t="similar.title">${P.esc(P.t('similar.title'))}</h2>
        <p class="hint">${P.esc(P.t('similar.intro'))}</p>
        <h3>${P.esc(P.t('similar.cases'))}</h3>
        ${cases.length ? `<ol class="cases similar-cases">${cases.map(c => `<li class="case">
          <h4>${P.esc(c.title)}</h4><dl class="facts">
          ${fact('cases.category', nameOf(reference && reference.categories, c.category))}
          ${fact('cases.area', nameOf(reference && reference.areas, c.area_code))}
          ${fact('similar.handling', c.handling)}${fact('similar.result', c.result)}
          ${fact('cases.rating', rating(c))}</dl></li>`).join('')}</ol>`
          : `<p>${P.esc(P.t('similar.none'))}</p>`}
        ${rules.length ? `<h3>${P.esc(P.t('similar.regulations'))}</h3><ul class="regulations">${rules.map(r =>
          `<li class="regulation"><strong>${P.esc(r.source)}${r.article ? ' ' + P.esc(r.article) : ''}</strong>${
            r.summary ? ` <span class="tag">${P.esc(P.t('similar.summary'))}</span>` : ''}${
            r.text ? `<br>${P.esc(r.text)}` : ''}</li>`).join('')}</ul>` : ''}`;
    }

    async function ask(path, options) {
      const mine = ++asked;
      const [{status, body}, data] = await Promise.all([P.api(path, options), P.referenceData()]);
      if (mine !== asked) return;
      reference = data;
      answer = status === 200 && body ? body : null;
      render();
    }

    function clear() { asked += 1; answer = null; render(); }

    P.onLanguage(render);
    return {ask, clear};
  }

  return {panel};
})();
