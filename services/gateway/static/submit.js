/* The submit page: checks as the person types, the area down the directory
   tree, one petition however often the button is pressed or the request is
   sent again, errors next to their fields, the receipt shown once, then the
   chosen files uploaded with the receipt's query code. */
'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const P = window.Portal;
  const form = P.$('#submit-form');
  const summary = P.$('#submit-errors');
  const field = id => P.$('#' + id);
  let data = null;
  let key = null;  // this submission's Idempotency-Key, kept until it succeeds

  /* Lists a select's options: a first "please choose" and then the items. */
  function fill(select, items, first) {
    const chosen = select.value;
    select.innerHTML = `<option value="">${P.esc(P.t(first))}</option>` + items.map(item =>
      `<option value="${P.esc(item.code)}">${P.esc(P.named(item))}</option>`).join('');
    select.value = items.some(item => item.code === chosen) ? chosen : '';
  }

  function fillTowns() {
    const district = field('district').value;
    const towns = data ? data.areas.filter(a => a.parent === district && district) : [];
    fill(field('town'), towns, towns.length || !district ? 'f.town.any' : 'f.town.none');
    field('town').disabled = !towns.length;
  }

  // What the category covers, in plain words: the directory's (GET /categories).
  function describeCategory() {
    const chosen = data && data.categories.find(c => c.code === field('category').value);
    field('category-description').textContent =
      (chosen && (P.lang === 'en' ? chosen.description_en : chosen.description_zh)) || '';
  }

  function fillChoices() {
    if (!data) return;
    const city = data.areas.find(a => a.level === 'city');
    fill(field('category'), data.categories, 'choose');
    fill(field('district'), data.areas.filter(a => city && a.parent === city.code), 'choose');
    fillTowns();
    describeCategory();
  }

  // --- the ID number and phone checked as typed, and the SMS code -------------
  const proof = P.phoneProof(form, summary);

  // --- counters instead of a silent cut -------------------------------------
  function count(id) {
    const el = field(id);
    const max = Number(el.dataset.max);
    const n = [...el.value].length;
    const counter = field(id + '-count');
    counter.textContent = n > max ? P.t('counter.over', {n: n - max}) : P.t('counter', {n, max});
    counter.classList.toggle('over', n > max);
  }
  ['title', 'content'].forEach(id => field(id).addEventListener('input', () => count(id)));

  P.onLanguage(() => { fillChoices(); count('title'); count('content'); });
  field('district').addEventListener('change', fillTowns);
  field('category').addEventListener('change', describeCategory);
  count('title'); count('content');

  // --- similar cases and regulations as the person types (智慧信访) -----------
  // Only what the search reads is sent (title, content, category, area), once
  // the typing pauses and the title says something; the panel never blocks.
  const SIMILAR_PAUSE_MS = 600;
  const SIMILAR_MIN_TITLE = 4;
  const similar = window.Similar.panel(field('similar'));
  let pause = null;
  function askSimilar() {
    clearTimeout(pause);
    const title = field('title').value.trim();
    if ([...title].length < SIMILAR_MIN_TITLE) { similar.clear(); return; }
    pause = setTimeout(() => {
      const query = {title: [...title].slice(0, Number(field('title').dataset.max)).join(''),
                     content: [...field('content').value].slice(0, Number(field('content').dataset.max)).join('')};
      if (field('category').value) query.category = field('category').value;
      const area = field('town').value || field('district').value;
      if (area) query.area_code = area;
      similar.ask('/public/similar', {method: 'POST', body: query});
    }, SIMILAR_PAUSE_MS);
  }
  ['title', 'content'].forEach(id => field(id).addEventListener('input', askSimilar));
  ['category', 'district', 'town'].forEach(id => field(id).addEventListener('change', askSimilar));

  // --- the whole form, before it is sent ------------------------------------
  function problems() {
    const found = {};
    const label = id => (P.$(`label[for="${id}"] [data-t]`) || P.$(`label[for="${id}"]`)).textContent;
    ['name', 'id_number', 'phone', 'title', 'content'].forEach(id => {
      if (!field(id).value.trim()) found[id] = [P.t('check.required', {label: label(id)})];
    });
    proof.problems(found);
    if (!field('category').value) found.category = [P.t('check.choose', {label: label('category')})];
    if (!field('district').value) found.area_code = [P.t('check.choose', {label: P.$('#area-legend [data-t]').textContent})];
    ['title', 'content'].forEach(id => {
      const max = Number(field(id).dataset.max);
      if ([...field(id).value].length > max) found[id] = [P.t('check.too_long', {label: label(id), max})];
    });
    const files = P.filesProblem([...field('files').files]);
    if (files) found.files = [files];
    return found;
  }

  // --- submitting ------------------------------------------------------------
  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
  }

  function showReceipt(receipt) {
    field('case-number').textContent = receipt.case_number;
    field('receipt-code').textContent = receipt.query_code;
    field('copy-status').textContent = '';
    const box = field('receipt');
    box.hidden = false;
    box.scrollIntoView({block: 'start'});
    box.focus();
  }

  /* The files chosen, sent one by one once the petition is accepted, with
     the receipt's query code (the same path as the follow page's material):
     the petition never waits on a file, and a file that fails is named with
     its reason and can be added again from the follow page. */
  async function uploadFiles(receipt, files) {
    field('receipt-files').hidden = !files.length;
    const status = field('receipt-files-status');
    const list = field('receipt-files-list');
    list.innerHTML = '';
    if (!files.length) return;
    status.textContent = P.t('files.uploading', {n: files.length});
    let ok = 0;
    for (const file of files) {
      const {status: code, body} = await P.sendFile(`/petitions/${encodeURIComponent(receipt.query_code)}/attachments`, file);
      const sent = code === 201;
      ok += sent ? 1 : 0;
      const reason = sent ? P.t('files.ok') : P.problem(code, body)
        + (body && body.details ? P.t('colon') + Object.values(body.details).flat().join('；') : '');
      const item = document.createElement('li');
      item.textContent = `${file.name}${P.t('colon')}${reason}`;
      item.className = sent ? 'sent' : 'failed';
      list.append(item);
    }
    status.textContent = P.t('files.done', {ok, n: files.length}) + (ok < files.length ? P.t('files.retry') : '');
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    const button = field('submit-button');
    if (button.disabled) return;  // a second tap while sending does nothing
    P.busy(button, async () => {
      const found = problems();
      if (Object.keys(found).length) { P.showErrors(form, summary, P.t('error.title'), found); return; }
      const petition = {
        name: field('name').value.trim(), ...proof.values(),
        category: field('category').value, area_code: field('town').value || field('district').value,
        title: field('title').value, content: field('content').value, publish: field('publish').checked,
      };
      if (field('address').value.trim()) petition.address = field('address').value.trim();
      key = key || newKey();
      const {status, body} = await P.api('/petitions', {method: 'POST', body: petition, headers: {'Idempotency-Key': key}});
      if (status !== 201) {
        // Nothing typed is lost; the same key goes with the next try.
        P.showErrors(form, summary, P.problem(status, body), body && body.details);
        return;
      }
      key = null;
      const files = [...field('files').files];
      P.clearErrors(form, summary);
      field('receipt').hidden = true;
      form.reset();  // a shared computer must not keep the ID number on screen
      clearTimeout(pause); similar.clear();
      fillTowns(); describeCategory(); count('title'); count('content');
      field('code-status').textContent = '';
      showReceipt(body);
      await uploadFiles(body, files);
    });
  });

  field('copy-code').addEventListener('click', async () => {
    const code = field('receipt-code').textContent;
    let copied = false;
    try { await navigator.clipboard.writeText(code); copied = true; } catch (e) {
      const range = document.createRange();
      range.selectNodeContents(field('receipt-code'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      try { copied = document.execCommand('copy'); } catch (e2) { copied = false; }
    }
    field('copy-status').textContent = P.t(copied ? 'receipt.copied' : 'receipt.copy_failed');
  });

  data = await P.referenceData();
  if (!data) { P.showErrors(form, summary, P.t('error.503'), null); return; }
  fillChoices();
});
