/* The citizens' portal, shared by its pages: the two languages (Simplified
   Chinese by default, English when switched), calls to the API, and errors
   shown next to their fields. Each page's own script uses window.Portal. */
'use strict';
(() => {
  const TEXT = {
    zh: {
      colon: '：', site: '济南网上信访', skip: '跳到主要内容', 'nav.label': '主要栏目', 'nav.submit': '提交信访',
      'nav.follow': '查询进度', 'nav.results': '结果公开', 'lang.switch': 'English',
      'lang.switch.label': 'Switch to English', required: '（必填）', optional: '（选填）',
      choose: '请选择', sending: '正在提交，请稍候…', offline: '网络连接中断，请求没有送达或没有收到答复。您填写的内容都还在，请检查网络后再试一次（不会重复提交）。',
      'error.title': '请修改以下内容：', 'error.generic': '操作未完成，请稍后再试。',
      'error.429': '操作过于频繁，请稍后再试。', 'error.503': '服务暂时不可用，请稍后再试。',
      'error.413': '内容过长，请删减后再提交。', 'error.404': '未找到。',
      // submit page
      'submit.title': '提交信访事项',
      'submit.intro': '请如实填写。提交前须获取短信验证码，以确认手机号码属于您本人。提交成功后，您将获得案件编号和查询码（同时短信发送至您的手机），凭查询码查询办理进度并评价办理结果。',
      'f.name': '姓名', 'f.id_number': '身份证号', 'f.id_number.hint': '18位，最后一位可能是X',
      'f.phone': '手机号码', 'f.phone.hint': '用于接收验证码和查询码短信',
      'f.sms_code': '短信验证码', 'f.sms_code.hint': '6位数字', 'send_code': '获取验证码',
      'send_code.again': '重新获取（{s}秒）', 'code.sent': '验证码已发送至{phone}，{minutes}分钟内有效。',
      'f.category': '事项类别', 'f.area': '事项所在地', 'f.district': '区县', 'f.town': '街道（乡镇）',
      'f.town.any': '不确定或涉及整个区县', 'f.town.none': '（该区县暂无街道可选）',
      'f.address': '详细地址', 'f.title': '标题', 'f.title.hint': '一句话概括您的诉求',
      'f.content': '诉求内容', 'f.content.hint': '请写明事情经过、时间、地点和您的具体诉求',
      'f.publish': '办结后可以公开办理过程和结果（隐去姓名、身份证号、手机号等个人信息）',
      'f.publish.hint': '如不希望公开，请取消勾选。', 'submit': '提交', 'counter': '{n} / {max} 字',
      'counter.over': '超出 {n} 字，请删减', 'check.id_number.length': '身份证号应为18位',
      'check.id_number.format': '身份证号前17位应为数字，最后一位应为数字或X',
      'check.id_number.digit': '身份证号校验位错误，请核对', 'check.phone': '请填写11位中国大陆手机号码',
      'check.required': '请填写{label}', 'check.choose': '请选择{label}',
      'check.too_long': '{label}不能超过{max}个字', 'check.sms_code': '请填写6位短信验证码',
      'receipt.title': '提交成功', 'receipt.case_number': '案件编号', 'receipt.query_code': '查询码',
      'receipt.note': '请记下或复制查询码：它只在这里显示一次，也已通过短信发送到您的手机。凭查询码可以查询办理进度、评价办理结果。',
      'receipt.copy': '复制查询码', 'receipt.copied': '已复制', 'receipt.copy_failed': '无法自动复制，请手动记下查询码',
      'receipt.follow': '去查询办理进度',
      // follow page
      'follow.title': '查询办理进度', 'f.query_code': '查询码', 'f.query_code.hint': '16位字母和数字，如 K7M2-9QXD-4HTR-8WPA',
      'follow.submit': '查询', 'case.number': '案件编号', 'case.status': '办理状态', 'case.unit': '责任单位',
      'case.due': '办理期限', 'case.title': '标题', 'case.petitioner': '信访人', 'case.timeline': '办理过程',
      'case.reply': '答复意见', 'case.unit.pending': '正在分派至责任单位', 'case.none': '—',
      'case.extended': '（已延期至{day}）', 'case.declined': '不予受理的理由', 'case.elsewhere': '您可以',
      'status.submitted': '已提交，正在分派', 'status.routed': '已分派至责任单位，等待受理',
      'status.accepted': '责任单位已受理，正在办理', 'status.replied': '已答复，请您评价',
      'status.concluded': '已办结', 'status.rejected': '不予受理（不属于信访受理范围）',
      'status.declined': '责任单位不予受理', 'status.returned': '已退回，正在重新分派',
      'status.transferring': '正在转交其他单位',
      'rate.title': '评价办理结果', 'rate.intro': '每项请选择一个评价。评价只能提交一次。',
      'dim.service_attitude': '信访部门服务态度', 'dim.work_efficiency': '信访部门工作效率',
      'dim.handling_quality': '责任单位办理质量', 'level.satisfied': '满意',
      'level.basically_satisfied': '基本满意', 'level.unsatisfied': '不满意', 'rate.submit': '提交评价',
      'rate.choose': '请选择“{label}”的评价', 'rate.done': '您的评价',
      'review.title': '申请复查', 'rereview.title': '申请复核',
      'review.intro': '对答复意见不服的，可以在收到答复之日起30日内申请复查。',
      'rereview.intro': '对复查意见不服的，可以在收到复查意见之日起30日内申请复核。',
      'f.reason': '理由', 'review.submit': '提交申请', 'review.sent': '申请已提交。',
      'review.state.review_requested': '已申请复查，等待复查意见', 'review.state.reviewed': '已作出复查意见',
      'review.state.rereview_requested': '已申请复核，等待复核意见', 'review.state.rereviewed': '已作出复核意见',
      'review.answer': '复查（复核）意见', 'case.final': '该事项已终结。',
      // results page
      'results.title': '结果公开', 'results.intro': '各责任单位的办理情况和已办结的公开事项（不含任何个人信息）。',
      'board.title': '责任单位办理情况', 'board.period': '统计期间', 'period.month': '本月',
      'period.quarter': '本季度', 'period.year': '本年', 'board.show': '查看',
      'board.unit': '单位', 'board.received': '收到', 'board.concluded': '办结',
      'board.on_time': '按期办理率', 'board.satisfaction': '群众满意率', 'board.empty': '该期间暂无数据。',
      'board.caption': '{from} 至 {to}', 'cases.title': '已办结的公开事项', 'cases.empty': '该期间暂无公开事项。',
      'cases.category': '类别', 'cases.area': '地区', 'cases.unit': '责任单位', 'cases.on_time': '是否按期',
      'cases.rating': '评价', 'yes': '是', 'no': '否', 'cases.more': '更多',
      // the smart petition panel (similar.js)
      'similar.title': '相似案例与相关政策', 'similar.intro': '已办结并公开的相似事项（最相似的在前）和相关法规政策，仅供参考。',
      'similar.cases': '相似案例', 'similar.none': '暂无相似的公开案例。', 'similar.regulations': '相关法规政策',
      'similar.handling': '办理方式', 'similar.result': '办理结果', 'similar.summary': '摘要',
    },
    en: {
      colon: ': ', site: 'Jinan Online Petitions', skip: 'Skip to main content', 'nav.label': 'Main sections',
      'nav.submit': 'Submit', 'nav.follow': 'Follow a petition', 'nav.results': 'Public results',
      'lang.switch': '中文', 'lang.switch.label': '切换到中文', required: ' (required)', optional: ' (optional)',
      choose: 'Please choose', sending: 'Sending, please wait…', offline: 'The connection was lost: the request did not arrive or no answer came back. Everything you typed is still here; check your connection and try again (it will not be submitted twice).',
      'error.title': 'Please correct the following:', 'error.generic': 'That did not work; please try again later.',
      'error.429': 'Too many requests; please try again later.', 'error.503': 'The service is not available right now; please try again later.',
      'error.413': 'The text is too long; please shorten it.', 'error.404': 'Not found.',
      'submit.title': 'Submit a petition',
      'submit.intro': 'Please fill in truthfully. Before submitting, ask for an SMS code to prove the phone number is yours. You then get a case number and a query code (also sent to your phone by SMS): with the query code you follow your petition and rate how it was handled.',
      'f.name': 'Name', 'f.id_number': 'ID number', 'f.id_number.hint': '18 characters; the last may be X',
      'f.phone': 'Mobile number', 'f.phone.hint': 'for the SMS code and the query code',
      'f.sms_code': 'SMS code', 'f.sms_code.hint': '6 digits', 'send_code': 'Send code',
      'send_code.again': 'Send again ({s} s)', 'code.sent': 'A code was sent to {phone}; it is valid for {minutes} minutes.',
      'f.category': 'Category', 'f.area': 'Where', 'f.district': 'District or county', 'f.town': 'Subdistrict or town',
      'f.town.any': 'Not sure, or the whole district', 'f.town.none': '(none to choose in this district)',
      'f.address': 'Address', 'f.title': 'Title', 'f.title.hint': 'Your request in one sentence',
      'f.content': 'Your petition', 'f.content.hint': 'What happened, when and where, and what you ask for',
      'f.publish': 'Once concluded, the handling and the result may be published (without your name, ID number, phone or other personal data)',
      'f.publish.hint': 'Untick it if you do not want it published.', 'submit': 'Submit', 'counter': '{n} / {max} characters',
      'counter.over': '{n} characters too many; please shorten', 'check.id_number.length': 'an ID number has 18 characters',
      'check.id_number.format': 'the first 17 characters are digits, the last a digit or X',
      'check.id_number.digit': 'the check digit does not match: please check the number', 'check.phone': 'enter an 11-digit mainland China mobile number',
      'check.required': 'Enter your {label}', 'check.choose': 'Choose the {label}',
      'check.too_long': '{label}: at most {max} characters', 'check.sms_code': 'enter the 6-digit SMS code',
      'receipt.title': 'Submitted', 'receipt.case_number': 'Case number', 'receipt.query_code': 'Query code',
      'receipt.note': 'Write down or copy the query code: it is shown here only once, and was also sent to your phone by SMS. With it you follow the petition and rate how it was handled.',
      'receipt.copy': 'Copy the query code', 'receipt.copied': 'Copied', 'receipt.copy_failed': 'Could not copy; please write the code down',
      'receipt.follow': 'Follow the petition',
      'follow.title': 'Follow a petition', 'f.query_code': 'Query code', 'f.query_code.hint': '16 letters and digits, e.g. K7M2-9QXD-4HTR-8WPA',
      'follow.submit': 'Look up', 'case.number': 'Case number', 'case.status': 'Status', 'case.unit': 'Responsible unit',
      'case.due': 'Due date', 'case.title': 'Title', 'case.petitioner': 'Petitioner', 'case.timeline': 'What has happened',
      'case.reply': 'Reply', 'case.unit.pending': 'Being assigned to the responsible unit', 'case.none': '—',
      'case.extended': ' (extended to {day})', 'case.declined': 'Why it was not accepted', 'case.elsewhere': 'What you can do',
      'status.submitted': 'Submitted, being assigned', 'status.routed': 'Assigned, waiting to be accepted',
      'status.accepted': 'Accepted, being handled', 'status.replied': 'Replied: please rate it',
      'status.concluded': 'Concluded', 'status.rejected': 'Not accepted (not a matter for the petition channel)',
      'status.declined': 'Not accepted by the unit', 'status.returned': 'Returned, being assigned again',
      'status.transferring': 'Being transferred to another unit',
      'rate.title': 'Rate how it was handled', 'rate.intro': 'Choose one answer for each. A rating can be given once.',
      'dim.service_attitude': "The petition office's attitude", 'dim.work_efficiency': "The petition office's efficiency",
      'dim.handling_quality': "The unit's handling", 'level.satisfied': 'Satisfied',
      'level.basically_satisfied': 'Mostly satisfied', 'level.unsatisfied': 'Not satisfied', 'rate.submit': 'Send the rating',
      'rate.choose': 'Choose an answer for "{label}"', 'rate.done': 'Your rating',
      'review.title': 'Ask for a review', 'rereview.title': 'Ask for a re-review',
      'review.intro': 'If you disagree with the reply, you may ask for a review within 30 days of receiving it.',
      'rereview.intro': 'If you disagree with the review, you may ask for a re-review within 30 days of receiving it.',
      'f.reason': 'Reason', 'review.submit': 'Send the request', 'review.sent': 'Your request was sent.',
      'review.state.review_requested': 'Review asked for, waiting for the answer', 'review.state.reviewed': 'Reviewed',
      'review.state.rereview_requested': 'Re-review asked for, waiting for the answer', 'review.state.rereviewed': 'Re-reviewed',
      'review.answer': 'Review answer', 'case.final': 'This matter is closed for good.',
      'results.title': 'Public results', 'results.intro': 'How each responsible unit handles petitions, and the concluded cases made public (no personal data).',
      'board.title': 'Units', 'board.period': 'Period', 'period.month': 'This month',
      'period.quarter': 'This quarter', 'period.year': 'This year', 'board.show': 'Show',
      'board.unit': 'Unit', 'board.received': 'Received', 'board.concluded': 'Concluded',
      'board.on_time': 'On time', 'board.satisfaction': 'Satisfied', 'board.empty': 'No figures for this period yet.',
      'board.caption': '{from} to {to}', 'cases.title': 'Concluded public cases', 'cases.empty': 'No public cases in this period yet.',
      'cases.category': 'Category', 'cases.area': 'Area', 'cases.unit': 'Unit', 'cases.on_time': 'On time',
      'cases.rating': 'Rating', 'yes': 'yes', 'no': 'no', 'cases.more': 'More',
      'similar.title': 'Similar cases and regulations', 'similar.intro': 'Concluded public cases like yours (closest first) and the regulations that apply; for reference only.',
      'similar.cases': 'Similar cases', 'similar.none': 'No similar public case yet.', 'similar.regulations': 'Regulations',
      'similar.handling': 'How it was handled', 'similar.result': 'Result', 'similar.summary': 'summary',
    },
  };
  const STORE = 'portal.lang';
  let lang = 'zh';
  try { lang = localStorage.getItem(STORE) === 'en' ? 'en' : 'zh'; } catch (e) { /* storage off */ }

  const t = (key, vars = {}) => String(TEXT[lang][key] ?? TEXT.zh[key] ?? key)
    .replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  const $ = (selector, root = document) => root.querySelector(selector);
  const listeners = [];

  function applyLanguage() {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    document.querySelectorAll('[data-t]').forEach(el => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll('[data-t-label]').forEach(el => { el.setAttribute('aria-label', t(el.dataset.tLabel)); });
    const title = $('h1[data-t]');
    if (title) document.title = `${t(title.dataset.t)} - ${t('site')}`;
    const button = $('#lang-switch');
    if (button) button.lang = lang === 'en' ? 'zh-CN' : 'en';
    listeners.forEach(fn => fn(lang));
  }

  /* A call to the API: {status, body}; status 0 when the connection failed. */
  async function api(path, {method = 'GET', body, headers = {}} = {}) {
    try {
      const response = await fetch('/api/v1' + path, {
        method, body: body === undefined ? undefined : JSON.stringify(body),
        headers: {'Accept-Language': lang, ...(body === undefined ? {} : {'Content-Type': 'application/json'}), ...headers},
      });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      return {status: response.status, body: data};
    } catch (e) {
      return {status: 0, body: null};
    }
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

  const when = iso => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN',
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
  const named = item => item ? (lang === 'en' ? item.name_en : item.name_zh) : '';

  const PAGES = [['/', 'nav.submit'], ['/follow', 'nav.follow'], ['/results', 'nav.results']];

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
      <button type="button" class="lang" id="lang-switch" data-t="lang.switch" data-t-label="lang.switch.label"></button></div>`;
    document.body.prepend(site);
  }

  document.addEventListener('DOMContentLoaded', () => {
    header();
    const button = $('#lang-switch');
    if (button) button.addEventListener('click', () => {
      lang = lang === 'en' ? 'zh' : 'en';
      try { localStorage.setItem(STORE, lang); } catch (e) { /* storage off */ }
      applyLanguage();
    });
    applyLanguage();
  });

  window.Portal = {t, esc, $, api, problem, clearErrors, setFieldError, showErrors, busy, when,
    referenceData, named, get lang() { return lang; }, onLanguage: fn => listeners.push(fn)};
})();
