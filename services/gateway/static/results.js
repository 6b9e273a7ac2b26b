/* The public results: every unit's figures (the scoreboard: a chart of the
   two rates, and every number in the table under it, for those who cannot
   see the chart) and the concluded cases made public, for a period. */
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const P = window.Portal;
  const $ = id => P.$('#' + id);
  const PAGE = 20;
  let board = null;
  let cases = [];
  let reference = null;

  const percent = rate => rate === null || rate === undefined ? P.t('case.none') : `${(rate * 100).toFixed(1)}%`;
  const nameOf = (list, code) => P.named((list || []).find(item => item.code === code)) || code || P.t('case.none');

  let chart = null;
  const rate = value => value === null || value === undefined ? null : Math.round(value * 1000) / 10;
  function drawChart(units) {
    if (chart) chart.destroy();
    $('board-figure').hidden = !units.length;
    if (!units.length) return;
    chart = new Chart($('board-chart'), {type: 'bar', data: {
      labels: units.map(u => u.name || u.key),
      datasets: [{label: P.t('board.on_time'), data: units.map(u => rate(u.on_time_rate)), backgroundColor: '#1f4fbf'},
                 {label: P.t('board.satisfaction'), data: units.map(u => rate(u.satisfaction_rate)), backgroundColor: '#1d5e20'}]},
    options: {responsive: true, maintainAspectRatio: false, animation: false, scales: {y: {min: 0, max: 100}}}});
  }

  function renderBoard() {
    const units = board ? board.units : [];
    drawChart(units);
    const first = units[0];
    $('board-caption').textContent = first ? P.t('board.caption', {from: first.from, to: first.to}) : '';
    P.$('#scoreboard tbody').innerHTML = units.map(u => `<tr><th scope="row">${P.esc(u.name || u.key)}</th>
      <td class="num">${u.received}</td><td class="num">${u.concluded}</td>
      <td class="num">${percent(u.on_time_rate)}</td><td class="num">${percent(u.satisfaction_rate)}</td></tr>`).join('');
    $('board-empty').hidden = units.length > 0;
  }

  function renderCases() {
    $('public-cases').innerHTML = cases.map(c => `<li class="box"><dl class="facts">
      <dt>${P.esc(P.t('case.number'))}</dt><dd>${P.esc(c.case_number)}</dd>
      <dt>${P.esc(P.t('cases.category'))}</dt><dd>${P.esc(nameOf(reference && reference.categories, c.category))}</dd>
      <dt>${P.esc(P.t('cases.area'))}</dt><dd>${P.esc(nameOf(reference && reference.areas, c.area_code))}</dd>
      <dt>${P.esc(P.t('cases.unit'))}</dt><dd>${P.esc(c.unit_name || P.t('case.none'))}</dd>
      <dt>${P.esc(P.t('cases.on_time'))}</dt><dd>${P.esc(c.on_time === null ? P.t('case.none') : P.t(c.on_time ? 'yes' : 'no'))}</dd>
      <dt>${P.esc(P.t('cases.rating'))}</dt><dd>${P.esc(c.rating ? Object.entries(c.rating).map(([d, level]) =>
        `${P.t('dim.' + d)}${P.t('colon')}${P.t('level.' + level)}`).join('；') : P.t('case.none'))}</dd></dl>
      <ol class="timeline">${(c.timeline || []).map(step => P.timelineItem(step.at, step.step, step.step_en)).join('')}</ol></li>`).join('');
    $('cases-empty').hidden = cases.length > 0;
  }

  async function load(more) {
    const period = $('period').value;
    const asked = [P.api(`/public/cases?period=${period}&limit=${PAGE}&offset=${more ? cases.length : 0}`)];
    if (!more) asked.push(P.api(`/public/scoreboard?period=${period}`));
    const [page, scores] = await Promise.all(asked);
    const failed = [page, scores].find(r => r && r.status !== 200);
    $('results-errors').hidden = !failed;
    if (failed) { $('results-errors').textContent = P.problem(failed.status, failed.body); return; }
    if (scores) board = scores.body;
    cases = (more ? cases : []).concat(page.body.cases);
    $('more-cases').hidden = page.body.cases.length < PAGE;
    renderBoard();
    renderCases();
  }

  $('period-form').addEventListener('submit', event => { event.preventDefault(); load(false); });
  $('more-cases').addEventListener('click', () => load(true));
  P.onLanguage(() => { renderBoard(); renderCases(); });
  P.referenceData().then(data => { reference = data; renderCases(); });
  load(false);
});
