/* The follow page: a petition by its query code, in words; the rating once
   it is replied, once; the review (复查) and re-review (复核) where allowed;
   while the case is open, the unit's request for material with its date,
   adding material, and the messages (留言) with the unit's answers. */
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const P = window.Portal;
  const $ = id => P.$('#' + id);
  const DIMENSIONS = ['service_attitude', 'work_efficiency', 'handling_quality'];
  const LEVELS = ['satisfied', 'basically_satisfied', 'unsatisfied'];
  const NOT_ACCEPTED = ['rejected', 'declined'];
  const BEING_ASSIGNED = ['submitted', 'returned', 'transferring'];
  let code = null;
  let view = null;
  let thread = [];
  let mine = [];
  let units = [];
  const similar = window.Similar.panel($('similar'));

  const show = (id, on) => { $(id).hidden = !on; };

  function ratingChoices() {
    $('rating-dimensions').innerHTML = DIMENSIONS.map(d => `<fieldset aria-describedby="${d}-error">
      <legend id="${d}-legend">${P.esc(P.t('dim.' + d))}</legend>
      <div class="choices" data-field="${d}" id="${d}">${LEVELS.map(level => `<label for="${d}-${level}">
        <input type="radio" id="${d}-${level}" name="${d}" value="${level}">${P.esc(P.t('level.' + level))}</label>`).join('')}</div>
      <p id="${d}-error" class="field-error" hidden></p></fieldset>`).join('');
  }

  function render() {
    const v = view;
    $('case-number').textContent = v.case_number;
    const status = $('case-status');
    status.dataset.status = v.status;
    status.textContent = P.t('status.' + v.status) === 'status.' + v.status ? v.status : P.t('status.' + v.status);
    $('case-title').textContent = v.title || '';
    $('case-unit').textContent = P.named(units.find(unit => unit.code === v.unit_code)) || v.unit_name
      || (BEING_ASSIGNED.includes(v.status) ? P.t('case.unit.pending') : P.t('case.none'));
    $('case-due').textContent = v.due_date
      ? v.due_date + (v.extended_until ? P.t('case.extended', {day: v.extended_until}) : '') : P.t('case.none');
    const who = v.petitioner || {};
    $('case-petitioner').textContent = [who.name, who.id_number, who.phone].filter(Boolean).join('　');

    const reason = v.status === 'declined' ? v.decline_reason : v.rejection_reason;
    show('case-declined', NOT_ACCEPTED.includes(v.status));
    $('case-declined-reason').textContent = reason || '';
    show('case-elsewhere-box', Boolean(v.rejection_channel));
    $('case-elsewhere').textContent = v.rejection_channel || '';

    show('case-reply-box', Boolean(v.reply));
    $('case-reply').textContent = v.reply || '';
    const reviewing = v.review_state && v.review_state !== 'none';
    show('case-review-box', reviewing);
    $('case-review-state').textContent = reviewing ? P.t('review.state.' + v.review_state) : '';
    $('case-review-answer').textContent = v.review_answer || '';

    $('case-timeline').innerHTML = (v.timeline || []).map(entry => P.timelineItem(entry.at, entry.text, entry.text_en)).join('');

    // The rating: once, after the reply.
    const rated = Boolean(v.rating);
    show('rating-done', rated);
    if (rated) {
      $('rating-levels').innerHTML = DIMENSIONS.map(d =>
        `<li>${P.esc(P.t('dim.' + d))}${P.esc(P.t('colon'))}${P.esc(P.t('level.' + v.rating[d]))}</li>`).join('');
    }
    const rateable = !rated && v.status === 'replied';
    if (rateable && $('rating-form').hidden) ratingChoices();
    show('rating-form', rateable);

    // The review, then the re-review, where the rules allow; the service
    // decides the 30 days and says so if they are over.
    const replied = ['replied', 'concluded'].includes(v.status);
    const level = v.final ? null : (replied && v.review_state === 'none') ? 'review'
      : v.review_state === 'reviewed' ? 'rereview' : null;
    show('review-form', Boolean(level));
    if (level) {
      $('review-form').dataset.level = level;
      $('review-title').textContent = P.t(level + '.title');
      $('review-intro').textContent = P.t(level + '.intro');
    }
    show('case-final', Boolean(v.final));

    // The unit's request for material: what, by when; the case's clock runs on.
    const asked = ['requested', 'lapsed'].includes(v.material_state);
    show('material-request', asked);
    $('material-request-what').textContent = asked ? v.material_request || '' : '';
    $('material-request-due').textContent = !asked ? ''
      : P.t(v.material_state === 'lapsed' ? 'material.request.lapsed' : 'material.request.due', {day: v.material_due});
    const open = !v.final && !NOT_ACCEPTED.includes(v.status);
    show('material-form', open);
    show('message-form', open || thread.length > 0);
    $('message-form').querySelectorAll('.field, #message-button').forEach(el => { el.hidden = !open; });
    show('material-mine-box', mine.length > 0);
    $('material-mine').innerHTML = mine.map(f => `<li>${P.esc(f.filename)}</li>`).join('');
    $('messages').innerHTML = thread.length ? thread.map(m => `<li class="${m.written_by === 'staff' ? 'staff' : 'mine'}">
      <span class="who">${P.esc(P.t(m.written_by === 'staff' ? 'messages.unit' : 'messages.you'))}
      <time datetime="${P.esc(m.written_at)}">${P.esc(P.when(m.written_at))}</time></span>${P.esc(m.text)}</li>`).join('')
      : `<li>${P.esc(P.t('messages.none'))}</li>`;
    count();
    show('case', true);
  }

  function count() {
    const max = Number($('text').dataset.max);
    const n = [...$('text').value].length;
    $('text-count').textContent = n > max ? P.t('counter.over', {n: n - max}) : P.t('counter', {n, max});
    $('text-count').classList.toggle('over', n > max);
  }
  $('text').addEventListener('input', count);

  async function load(focus) {
    const path = '/petitions/' + encodeURIComponent(code);
    const [{status, body}, messages, files] = await Promise.all([
      P.api(path), P.api(path + '/messages'), P.api(path + '/attachments')]);
    if (status !== 200) {
      show('case', false);
      similar.clear();
      const message = P.problem(status, body);
      P.showErrors($('follow-form'), $('follow-errors'), message,
        body && body.details ? body.details : (status === 404 ? {query_code: [message]} : null));
      return false;
    }
    P.clearErrors($('follow-form'), $('follow-errors'));
    view = body;
    thread = messages.status === 200 ? messages.body : [];
    mine = files.status === 200 ? files.body : [];
    render();
    // similar published cases and the regulations (智慧信访); never waited for
    if (focus) similar.ask(`/petitions/${encodeURIComponent(code)}/similar`);
    if (focus) { $('case').scrollIntoView({block: 'start'}); $('case').focus(); }
    return true;
  }

  $('follow-form').addEventListener('submit', event => {
    event.preventDefault();
    const typed = $('query_code').value.trim();
    if (!typed) {
      P.showErrors($('follow-form'), $('follow-errors'), P.t('error.title'),
        {query_code: [P.t('check.required', {label: P.t('f.query_code')})]});
      return;
    }
    code = typed;
    P.busy($('follow-button'), () => load(true));
  });

  // A form of the case: sent by its button, busy meanwhile (P.busy);
  // ``send(form, errors)`` checks and sends, its errors shown in <name>-errors.
  function onSend(name, send) {
    const form = $(`${name}-form`);
    form.addEventListener('submit', event => {
      event.preventDefault();
      P.busy($(`${name}-button`), () => send(form, $(`${name}-errors`)));
    });
  }

  // A text field's problem: empty, or longer than its data-max; else null.
  function textProblem(input, label) {
    const value = input.value.trim(), max = Number(input.dataset.max);
    return !value ? P.t('check.required', {label})
      : [...value].length > max ? P.t('check.too_long', {label, max}) : null;
  }

  // A step's answer: not ``expected``, its reasons shown; else the errors
  // cleared (and ``field`` emptied), the case loaded again and ``focused()``
  // (drawn anew) given the focus.
  async function stepTaken(form, errors, {status, body}, expected, focused, field) {
    if (status !== expected) { P.showErrors(form, errors, P.problem(status, body), body && body.details); return; }
    P.clearErrors(form, errors);
    if (field) field.value = '';
    await load(false);
    const target = focused();
    target.setAttribute('tabindex', '-1');
    target.focus();
  }

  onSend('rating', async (form, errors) => {
    const levels = {};
    const missing = {};
    DIMENSIONS.forEach(d => {
      const picked = form.querySelector(`input[name="${d}"]:checked`);
      if (picked) levels[d] = picked.value; else missing[d] = [P.t('rate.choose', {label: P.t('dim.' + d)})];
    });
    if (Object.keys(missing).length) { P.showErrors(form, errors, P.t('error.title'), missing); return; }
    await stepTaken(form, errors, await P.api(`/petitions/${encodeURIComponent(code)}/rating`, {method: 'POST', body: levels}),
      201, () => $('rating-done'));
  });

  onSend('review', async (form, errors) => {
    const problem = textProblem($('reason'), P.t('f.reason'));
    if (problem) { P.showErrors(form, errors, P.t('error.title'), {reason: [problem]}); return; }
    const action = form.dataset.level === 'rereview' ? 'request_rereview' : 'request_review';
    const reason = $('reason').value.trim();
    await stepTaken(form, errors, await P.api(`/petitions/${encodeURIComponent(code)}/${action}`, {method: 'POST', body: {reason}}),
      200, () => $('case-review-box'), $('reason'));
  });

  onSend('material', async (form, errors) => {
    const files = [...$('material').files];
    const problem = !files.length ? P.t('check.required', {label: P.t('f.material')}) : P.filesProblem(files);
    if (problem) { P.showErrors(form, errors, P.t('error.title'), {material: [problem]}); return; }
    const sent = [];
    for (const file of files) {
      const {status, body} = await P.sendFile(`/petitions/${encodeURIComponent(code)}/attachments`, file);
      if (status !== 201) {
        const reasons = body && body.details ? Object.values(body.details).flat() : [];
        P.showErrors(form, errors, P.problem(status, body), {material: [file.name + P.t('colon') + (reasons.join('；') || P.problem(status, body))]});
        break;
      }
      sent.push(file.name);
    }
    if (sent.length === files.length) { P.clearErrors(form, errors); form.reset(); }
    await load(false);
    $('material-status').textContent = sent.map(name => P.t('material.sent', {name})).join('；');
  });

  onSend('message', async (form, errors) => {
    const problem = textProblem($('text'), P.t('f.message'));
    if (problem) { P.showErrors(form, errors, P.t('error.title'), {text: [problem]}); return; }
    const text = $('text').value.trim();
    await stepTaken(form, errors, await P.api(`/petitions/${encodeURIComponent(code)}/messages`, {method: 'POST', body: {text}}),
      201, () => $('messages').lastElementChild, $('text'));
  });

  // the case drawn again, the rating's choices in the new words
  const redraw = () => { if (view) { const choices = $('rating-form').hidden; render(); if (!choices) ratingChoices(); } };
  // the responsible unit by its name in the language shown (the directory's units)
  P.api('/units').then(answer => { if (answer.status === 200) { units = answer.body; redraw(); } });
  P.onLanguage(redraw);
});
