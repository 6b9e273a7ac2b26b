/* The submit page: checks as the person types, the area down the directory
   tree, one petition however often the button is pressed or the request is
   sent again, errors next to their fields, the receipt shown once. */
'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const P = window.Portal;
  const form = P.$('#submit-form');
  const summary = P.$('#submit-errors');
  const field = id => P.$('#' + id);
  // What each category covers, in plain words (by category code).
  const CATEGORY_HELP = {
    housing: ['房屋建设、物业、拆迁安置、住房保障等', 'buildings, property management, resettlement, housing support'],
    labor: ['工资拖欠、劳动合同、社会保险、就业等', 'unpaid wages, labour contracts, social insurance, jobs'],
    environment: ['污染、噪声、垃圾、生态破坏等', 'pollution, noise, waste, damage to nature'],
    land: ['土地征收、宅基地、规划等', 'land takings, homesteads, planning'],
    transport: ['道路、公交、出租车、交通设施等', 'roads, buses, taxis, traffic facilities'],
    market: ['产品质量、消费纠纷、食品安全、价格等', 'product quality, consumer disputes, food safety, prices'],
    education: ['入学、学校管理、教育收费等', 'school places, school management, fees'],
    health: ['医疗服务、医保报销、公共卫生等', 'medical care, health insurance, public health'],
    urban_management: ['市容、占道经营、违章建筑、路灯等', 'street order, street vending, illegal building, street lights'],
    public_security: ['治安、户籍、出入境、交通管理等', 'public order, household registration, exit and entry, traffic police'],
    consultation: ['咨询政策规定，当日答复', 'questions about a policy, answered the same day'],
    litigation: ['已进入或应当通过诉讼解决的事项（信访渠道不予受理，会告诉您应向何处反映）', 'matters for the courts (not taken by the petition channel; you are told where to turn)'],
    other: ['以上类别都不适合的事项', 'anything not in the categories above'],
  };
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

  function describeCategory() {
    const help = CATEGORY_HELP[field('category').value];
    field('category-description').textContent = help ? help[P.lang === 'en' ? 1 : 0] : '';
  }

  function fillChoices() {
    if (!data) return;
    const city = data.areas.find(a => a.level === 'city');
    fill(field('category'), data.categories, 'choose');
    fill(field('district'), data.areas.filter(a => city && a.parent === city.code), 'choose');
    fillTowns();
    describeCategory();
  }

  // --- checks as the person types -----------------------------------------
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

  /* A field checked on its own: as typed once complete, and when left. */
  function live(id, problem, complete) {
    const check = final => {
      const value = field(id).value;
      if (!value.trim()) { if (final) P.setFieldError(form, id, []); return; }
      if (!final && !complete(value)) { P.setFieldError(form, id, []); return; }
      const found = problem(value);
      P.setFieldError(form, id, found ? [P.t(found)] : []);
    };
    field(id).addEventListener('input', () => check(false));
    field(id).addEventListener('blur', () => check(true));
  }
  live('id_number', idNumberProblem, v => v.trim().length >= 18);
  live('phone', phoneProblem, v => phoneDigits(v).length >= 11);

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
    if (!found.id_number && idNumberProblem(field('id_number').value)) found.id_number = [P.t(idNumberProblem(field('id_number').value))];
    if (!found.phone && phoneProblem(field('phone').value)) found.phone = [P.t('check.phone')];
    if (!/^[0-9]{6}$/.test(field('sms_code').value.trim())) found.sms_code = [P.t('check.sms_code')];
    if (!field('category').value) found.category = [P.t('check.choose', {label: label('category')})];
    if (!field('district').value) found.area_code = [P.t('check.choose', {label: P.$('#area-legend [data-t]').textContent})];
    ['title', 'content'].forEach(id => {
      const max = Number(field(id).dataset.max);
      if ([...field(id).value].length > max) found[id] = [P.t('check.too_long', {label: label(id), max})];
    });
    return found;
  }

  // --- the SMS code ----------------------------------------------------------
  let wait = null;
  field('send-code').addEventListener('click', () => P.busy(field('send-code'), async () => {
    const found = {};
    if (idNumberProblem(field('id_number').value)) found.id_number = [P.t(idNumberProblem(field('id_number').value))];
    if (phoneProblem(field('phone').value)) found.phone = [P.t('check.phone')];
    if (Object.keys(found).length) { P.showErrors(form, summary, null, found); return; }
    const {status, body} = await P.api('/phone-codes', {method: 'POST', body: {
      phone: phoneDigits(field('phone').value), id_number: field('id_number').value.trim().toUpperCase()}});
    if (status !== 202) { P.showErrors(form, summary, P.problem(status, body), body && body.details); return; }
    P.clearErrors(form, summary);
    field('code-status').textContent = P.t('code.sent', {phone: body.phone, minutes: Math.round(body.expires_in / 60)});
    field('sms_code').focus();
    wait = Date.now() + body.resend_after * 1000;
  }).then(() => {
    // Another code only after the wait the service names.
    const tick = () => {
      const left = wait ? Math.ceil((wait - Date.now()) / 1000) : 0;
      const button = field('send-code');
      if (left > 0) {
        button.disabled = true;
        button.textContent = P.t('send_code.again', {s: left});
        setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = P.t('send_code');
      }
    };
    tick();
  }));

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

  form.addEventListener('submit', event => {
    event.preventDefault();
    const button = field('submit-button');
    if (button.disabled) return;  // a second tap while sending does nothing
    P.busy(button, async () => {
      const found = problems();
      if (Object.keys(found).length) { P.showErrors(form, summary, P.t('error.title'), found); return; }
      const petition = {
        name: field('name').value.trim(), id_number: field('id_number').value.trim().toUpperCase(),
        phone: phoneDigits(field('phone').value), sms_code: field('sms_code').value.trim(),
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
      P.clearErrors(form, summary);
      field('receipt').hidden = true;
      form.reset();  // a shared computer must not keep the ID number on screen
      clearTimeout(pause); similar.clear();
      fillTowns(); describeCategory(); count('title'); count('content');
      field('code-status').textContent = '';
      showReceipt(body);
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
