/* The follow page: a petition by its query code, in words; the rating once
   it is replied, once; the review (复查) and re-review (复核) where allowed. */
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
    $('case-unit').textContent = v.unit_name
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

    $('case-timeline').innerHTML = (v.timeline || []).map(entry =>
      `<li><time datetime="${P.esc(entry.at)}">${P.esc(P.when(entry.at))}</time>${P.esc(entry.text)}</li>`).join('');

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
    show('case', true);
  }

  async function load(focus) {
    const {status, body} = await P.api('/petitions/' + encodeURIComponent(code));
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

  $('rating-form').addEventListener('submit', event => {
    event.preventDefault();
    const form = $('rating-form');
    if ($('rating-button').disabled) return;
    P.busy($('rating-button'), async () => {
      const levels = {};
      const missing = {};
      DIMENSIONS.forEach(d => {
        const picked = form.querySelector(`input[name="${d}"]:checked`);
        if (picked) levels[d] = picked.value; else missing[d] = [P.t('rate.choose', {label: P.t('dim.' + d)})];
      });
      if (Object.keys(missing).length) { P.showErrors(form, $('rating-errors'), P.t('error.title'), missing); return; }
      const {status, body} = await P.api(`/petitions/${encodeURIComponent(code)}/rating`, {method: 'POST', body: levels});
      if (status !== 201) { P.showErrors(form, $('rating-errors'), P.problem(status, body), body && body.details); return; }
      P.clearErrors(form, $('rating-errors'));
      await load(false);
      $('rating-done').setAttribute('tabindex', '-1');
      $('rating-done').focus();
    });
  });

  $('review-form').addEventListener('submit', event => {
    event.preventDefault();
    const form = $('review-form');
    if ($('review-button').disabled) return;
    P.busy($('review-button'), async () => {
      const reason = $('reason').value.trim();
      const max = Number($('reason').dataset.max);
      const problem = !reason ? P.t('check.required', {label: P.t('f.reason')})
        : [...reason].length > max ? P.t('check.too_long', {label: P.t('f.reason'), max}) : null;
      if (problem) { P.showErrors(form, $('review-errors'), P.t('error.title'), {reason: [problem]}); return; }
      const action = form.dataset.level === 'rereview' ? 'request_rereview' : 'request_review';
      const {status, body} = await P.api(`/petitions/${encodeURIComponent(code)}/${action}`, {method: 'POST', body: {reason}});
      if (status !== 200) { P.showErrors(form, $('review-errors'), P.problem(status, body), body && body.details); return; }
      P.clearErrors(form, $('review-errors'));
      $('reason').value = '';
      await load(false);
      $('case-review-box').setAttribute('tabindex', '-1');
      $('case-review-box').focus();
    });
  });

  P.onLanguage(() => {
    if (view) { const choices = $('rating-form').hidden; render(); if (!choices) ratingChoices(); }
  });
});
