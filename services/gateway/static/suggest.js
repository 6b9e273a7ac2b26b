/* People's suggestions (人民建议征集): the open topics, proposing (the phone
   proven by an SMS code, as on the submit page), following a proposal by its
   query code, and the adopted proposals made public. */
'use strict';
document.addEventListener('DOMContentLoaded', async () => {
  const P = window.Portal;
  const $ = id => P.$('#' + id);
  const form = $('suggest-form');
  const summary = $('suggest-errors');
  const proof = P.phoneProof(form, summary);
  let topics = [];
  let reference = null;
  let proposal = null;
  let published = [];
  let units = [];

  const item = (dt, dd) => `<dt>${P.esc(P.t(dt))}</dt><dd>${P.esc(dd)}</dd>`;
  // departments by their names in the language shown (the directory's units), a code not found as itself
  const departments = codes => codes.map(code => P.named(units.find(unit => unit.code === code)) || code)
    .join(P.t('c.list_sep'));

  function renderTopics() {
    const open = topics.filter(topic => topic.open);
    $('topics').innerHTML = open.map(topic => `<li class="box"><h3>${P.esc(topic.title)}</h3>
      <p>${P.esc(topic.description)}</p>${topic.departments && topic.departments.length
        ? `<dl class="facts">${item('suggest.department', departments(topic.departments))}</dl>` : ''}
      <p class="hint">${P.esc(P.t('topics.period', {from: topic.opens_on, to: topic.closes_on}))}</p></li>`).join('');
    $('topics-none').hidden = open.length > 0;
    const chosen = $('topic_id').value;
    $('topic_id').innerHTML = `<option value="">${P.esc(P.t('f.topic.none'))}</option>` + open.map(topic =>
      `<option value="${topic.id}">${P.esc(topic.title)}</option>`).join('');
    $('topic_id').value = open.some(topic => String(topic.id) === chosen) ? chosen : '';
  }

  function renderAreas() {
    if (!reference) return;
    const city = reference.areas.find(area => area.level === 'city');
    const areas = [city, ...reference.areas.filter(area => city && area.parent === city.code)].filter(Boolean);
    const chosen = $('area_code').value;
    $('area_code').innerHTML = `<option value="">${P.esc(P.t('choose'))}</option>` + areas.map(area =>
      `<option value="${P.esc(area.code)}">${P.esc(P.named(area))}</option>`).join('');
    $('area_code').value = chosen;
  }

  function renderProposal() {
    const box = $('proposal');
    box.hidden = !proposal;
    if (!proposal) return;
    $('proposal-seen-number').textContent = proposal.number;
    $('proposal-status').textContent = P.t('proposal.status.' + proposal.status);
    const p = proposal.proposer || {};
    $('proposal-facts').innerHTML = item('f.title', proposal.title)
      + (proposal.topic_title ? item('f.topic', proposal.topic_title) : '')
      + item('suggest.proposer', [proposal.organisation, p.name, p.phone].filter(Boolean).join(' · '))
      + (proposal.department ? item('suggest.department', departments([proposal.department])) : '')
      + (proposal.reason ? item('f.reason', proposal.reason) : '')
      + (proposal.answer ? item('suggest.answer', proposal.answer) : '')
      + (proposal.follow_up ? item('suggest.follow_up', proposal.follow_up) : '');
    $('proposal-timeline').innerHTML = (proposal.timeline || []).map(step =>
      P.timelineItem(step.at, step.text, step.text_en)).join('');
  }

  function renderPublished() {
    $('published').innerHTML = published.map(p => `<li class="box"><h3>${P.esc(p.title)}</h3>
      <dl class="facts">${(p.topic_title ? item('f.topic', p.topic_title) : '') + item('suggest.proposer', p.proposer)
        + (p.department ? item('suggest.department', departments([p.department])) : '')
        + item('suggest.published_at', P.when(p.published_at))}</dl>
      <p>${P.esc(p.content)}</p>
      <dl class="facts">${item('suggest.answer', p.answer) + (p.follow_up ? item('suggest.follow_up', p.follow_up) : '')}</dl></li>`).join('');
    $('published-none').hidden = published.length > 0;
  }

  P.onLanguage(() => { renderTopics(); renderAreas(); renderProposal(); renderPublished(); });

  function problems() {
    const found = {};
    const label = id => P.$(`label[for="${id}"] [data-t]`).textContent;
    ['name', 'id_number', 'phone', 'title', 'content'].forEach(id => {
      if (!$(id).value.trim()) found[id] = [P.t('check.required', {label: label(id)})];
    });
    proof.problems(found);
    if (!$('area_code').value) found.area_code = [P.t('check.choose', {label: label('area_code')})];
    return found;
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    P.busy($('suggest-button'), async () => {
      const found = problems();
      if (Object.keys(found).length) { P.showErrors(form, summary, P.t('error.title'), found); return; }
      const body = {name: $('name').value.trim(), ...proof.values(), area_code: $('area_code').value,
        title: $('title').value.trim(), content: $('content').value.trim(), publish: $('publish').checked};
      if ($('organisation').value.trim()) body.organisation = $('organisation').value.trim();
      if ($('topic_id').value) body.topic_id = Number($('topic_id').value);
      const {status, body: answer} = await P.api('/suggestions', {method: 'POST', body});
      if (status !== 201) { P.showErrors(form, summary, P.problem(status, answer), answer && answer.details); return; }
      P.clearErrors(form, summary);
      form.reset();  // a shared computer must not keep the ID number on screen
      $('code-status').textContent = '';
      $('proposal-number').textContent = answer.number;
      $('receipt-code').textContent = answer.query_code;
      $('receipt').hidden = false;
      $('receipt').focus();
    });
  });

  const followForm = $('follow-form');
  followForm.addEventListener('submit', event => {
    event.preventDefault();
    P.busy($('follow-button'), async () => {
      const code = $('query_code').value.trim();
      if (!code) {
        P.showErrors(followForm, $('follow-errors'), P.t('error.title'),
          {query_code: [P.t('check.required', {label: P.t('f.query_code')})]});
        return;
      }
      const {status, body} = await P.api('/suggestions/' + encodeURIComponent(code));
      if (status !== 200) {
        proposal = null; renderProposal();
        P.showErrors(followForm, $('follow-errors'), P.problem(status, body), body && body.details);
        return;
      }
      P.clearErrors(followForm, $('follow-errors'));
      proposal = body;
      renderProposal();
      $('proposal').focus();
    });
  });

  const [topicList, publicList, unitList] = await Promise.all([P.api('/suggestion-topics'),
    P.api('/public/suggestions'), P.api('/units')]);
  topics = topicList.status === 200 ? topicList.body : [];
  published = publicList.status === 200 ? publicList.body : [];
  units = unitList.status === 200 ? unitList.body : [];
  reference = await P.referenceData();
  renderTopics(); renderAreas(); renderPublished();
  document.body.dataset.ready = 'true';
});
