// app.js — the field workstation page of `mo-agent ui`.  Every rule (validation,
// numbering, receipts, PINs) lives in the agent's C code; this page only shows
// forms, calls /api/ and renders the answers.  No inline script or style (CSP).
'use strict';
(() => {
  const $ = (s) => document.querySelector(s);
  const $$ = (s) => Array.from(document.querySelectorAll(s));
  const S = { csrf: '', lang: 'uk', operator: '', operators: [], openTrip: '', services: [],
    chosen: [], scans: [], docsOther: [], lastApplicant: null, savedId: '', rateId: '', syncTimer: 0,
    checkTimer: 0, checkSeq: 0, results: [], active: -1 };

  const dict = () => window.MO_I18N[S.lang] || window.MO_I18N.uk;
  const t = (k, vars) => {
    let s = dict()[k];
    if (s === undefined) s = window.MO_I18N.uk[k] || k;
    if (vars) for (const [a, b] of Object.entries(vars)) s = s.split('{' + a + '}').join(String(b));
    return s;
  };
  const statusWord = (st) => (dict().status || {})[st] || st;
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, '');
      else if (v !== false && v != null) e.setAttribute(k, v);
    }
    for (const c of kids) if (c != null) e.append(c);
    return e;
  };
  const kyivTime = (iso) => {
    if (!iso) return '';
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const p = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', day: '2-digit', month: '2-digit',
      year: 'numeric', hour: '2-digit', minute: '2-digit' }).formatToParts(d);
    const g = (ty) => (p.find((x) => x.type === ty) || {}).value || '';
    return `${g('day')}.${g('month')}.${g('year')} ${g('hour')}:${g('minute')}`;
  };
  const dateDisplay = (iso) => (/^\d{4}-\d{2}-\d{2}$/.test(iso || '') ? iso.split('-').reverse().join('.') : iso || '');
  const bytes = (n) => (n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB');
  const fullName = (o) => [o.surname, o.given_name, o.patronymic].filter(Boolean).join(' ');

  function flash(msg, bad) {
    const f = $('#flash');
    f.textContent = msg;
    f.className = bad ? 'bad' : 'good';
    f.hidden = !msg;
  }

  // ---- the API ----
  async function api(method, path, body, raw) {
    const opt = { method, headers: {}, credentials: 'same-origin' };
    if (method !== 'GET') opt.headers['X-CSRF-Token'] = S.csrf;
    if (raw) { opt.body = raw.data; Object.assign(opt.headers, raw.headers); }
    else if (body !== undefined) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
    let r;
    try { r = await fetch('/api/' + path, opt); } catch (e) {
      return { ok: false, status: 0, data: { error: { code: 'gone', message: S.lang === 'en' ? 'mo-agent ui is not running.' : 'Програма mo-agent ui не працює.' } } };
    }
    let data = null;
    try { data = await r.json(); } catch (e) { data = {}; }
    if (r.status === 401 && data && data.error && data.error.code === 'signin' && S.operator) {
      S.operator = '';
      await loadSession();
      flash(t('signed_out'), true);
      go('signin');
    }
    return { ok: r.ok, status: r.status, data };
  }
  const errText = (res) => (res.data && res.data.error && res.data.error.message) || ('HTTP ' + res.status);

  // ---- session, language, operators ----
  function applyLang() {
    document.documentElement.lang = S.lang;
    $$('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
    $('#lang').textContent = S.lang === 'en' ? 'Українська' : 'English';
    $('#lang').lang = S.lang === 'en' ? 'uk' : 'en';
    document.title = t('brand');
  }

  async function loadSession() {
    const r = await api('GET', 'session');
    if (!r.ok) { flash(errText(r), true); return false; }
    const d = r.data;
    S.csrf = d.csrf; S.lang = d.lang; S.operator = d.operator || ''; S.operators = d.operators || [];
    S.openTrip = d.open_trip || '';
    $('#unit').textContent = [d.unit_name, d.device_code].filter(Boolean).join(' · ');
    $('#operator').textContent = S.operator;
    $('#switch-op').hidden = !S.operator;
    $('#nav').hidden = !S.operator;
    applyLang();
    return true;
  }

  function renderSignin() {
    const box = $('#op-list');
    box.replaceChildren();
    if (!S.operators.length) box.append(el('p', { text: t('no_operators') }));
    S.operators.forEach((name, i) => {
      const id = 'op-' + i;
      box.append(el('div', { class: 'op' },
        el('input', { type: 'radio', name: 'op', id, value: name, checked: i === 0 || name === S.lastOperator,
          onchange: () => $('#pin').focus() }),
        el('label', { for: id, class: 'inline', text: name })));
    });
    $('#pin').value = '';
    $('#err-signin').hidden = true;
    const checked = box.querySelector('input:checked');
    (S.lastOperator ? $('#pin') : checked || $('#pin')).focus();
  }

  $('#f-signin').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const op = $('#op-list input:checked');
    const r = await api('POST', 'signin', { name: op ? op.value : '', pin: $('#pin').value });
    $('#pin').value = '';
    if (!r.ok) { $('#err-signin').textContent = errText(r); $('#err-signin').hidden = false; $('#pin').focus(); return; }
    await loadSession();
    flash('');
    go(S.openTrip ? 'new' : 'trip');
  });

  $('#switch-op').addEventListener('click', async () => {
    S.lastOperator = '';
    await api('POST', 'signout', {});
    await loadSession();
    go('signin');
  });

  $('#lang').addEventListener('click', async () => {
    await api('POST', 'lang', { lang: S.lang === 'en' ? 'uk' : 'en' });
    await loadSession();
    route();
  });

  // ---- views ----
  function show(name) {
    $$('.view').forEach((v) => { v.hidden = v.id !== 'v-' + name; });
    $$('#nav a').forEach((a) => a.toggleAttribute('aria-current', a.getAttribute('href') === '#' + name));
  }
  function go(hash) {
    if (location.hash === '#' + hash) route(); else location.hash = hash;
  }

  async function route() {
    const h = location.hash.replace(/^#/, '') || 'trip';
    const [name, arg] = h.split('/');
    if (!S.operator && name !== 'signin') { show('signin'); renderSignin(); return; }
    clearInterval(S.syncTimer);
    switch (name) {
      case 'signin': show('signin'); renderSignin(); break;
      case 'trip': show('trip'); await renderTrip(); break;
      case 'new': show('new'); if (arg !== 'keep') { resetForm(S.carry); await fillFromVisit(S.visitCarry); }
        S.carry = null; S.visitCarry = null; $('#c-surname').focus(); break;
      case 'visits': show('visits'); await renderVisits(); break;
      case 'visit': show('visit'); await renderVisit(arg); break;
      case 'saved': show('saved'); $('#saved-next').focus(); break;
      case 'rate': show('rate'); renderRate(arg); break;
      case 'cases': show('cases'); await renderCases(); $('#s-q').focus(); break;
      case 'case': show('case'); await renderCase(arg); break;
      case 'inbox': show('inbox'); await renderInbox(); break;
      case 'sync': show('sync'); await renderSync(); $('#sy-go').focus(); break;
      default: show('trip'); await renderTrip();
    }
    refreshInboxCount();
  }
  window.addEventListener('hashchange', route);

  // ---- trip ----
  async function renderTrip() {
    await loadSession();
    const r = await api('GET', 'trips');
    const trips = r.ok ? r.data : [];
    const open = trips.find((x) => x.id === S.openTrip);
    $('#trip-open').hidden = !open;
    $('#f-trip').hidden = !!open;
    const tb = $('#trips');
    tb.replaceChildren(...trips.slice().reverse().map((x) => el('tr', {},
      el('td', { text: x.settlement }), el('td', { text: t('kind_' + x.kind) }),
      el('td', { text: kyivTime(x.started_at) }), el('td', { text: kyivTime(x.ended_at) }),
      el('td', { text: String(x.cases || 0) }))));
    if (open) {
      $('#trip-settlement').textContent = open.settlement;
      $('#trip-kind').textContent = '(' + t('kind_' + open.kind) + ')';
      const c = await api('GET', 'cases?trip=' + encodeURIComponent(open.id) + '&limit=500');
      $('#trip-cases').replaceChildren(...(c.ok ? c.data : []).map(caseRow));
    } else {
      $('#t-settlement').focus();
    }
  }

  $('#f-trip').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const crew = $('#t-crew').value.split(',').map((s) => s.trim()).filter(Boolean);
    const r = await api('POST', 'trips', { settlement: $('#t-settlement').value.trim(), kind: $('#t-kind').value, crew });
    if (!r.ok) { $('#err-trip').textContent = errText(r); $('#err-trip').hidden = false; return; }
    $('#err-trip').hidden = true;
    $('#trip-summary').hidden = true;
    $('#t-settlement').value = '';
    await renderTrip();
  });

  $('#trip-end').addEventListener('click', async () => {
    if (!window.confirm(t('trip_confirm'))) return;
    const r = await api('POST', 'trips/end', {});
    if (!r.ok) { flash(errText(r), true); return; }
    const s = r.data.summary;
    const box = $('#trip-summary');
    box.textContent = r.data.message || (s ? t('summary', { people: s.people, cases: s.applications, services: s.services,
      ratings: (s.ratings || {}).count || 0,
      mean: (s.ratings || {}).count ? t('summary_mean', { mean: Number(s.ratings.mean).toFixed(1) }) : '' }) : t('trip_ended'));
    box.hidden = false;
    await renderTrip();
  });

  function caseRow(x) {
    return el('tr', {},
      el('td', {}, el('a', { href: '#case/' + x.id, text: x.number })),
      el('td', { text: fullName(x) }),
      el('td', { text: (x.services || []).map((s) => s.code).join(', ') }),
      el('td', { text: statusWord(x.status) }),
      el('td', { text: kyivTime(x.created_at) }));
  }

  // ---- the application form ----
  const FIELDS = ['surname', 'given_name', 'patronymic', 'birth_date', 'rnokpp', 'phone', 'address', 'notes'];
  const APPLICANT = ['surname', 'given_name', 'patronymic', 'birth_date', 'rnokpp', 'phone', 'address'];

  function resetForm(carry) {
    $('#f-case').reset();
    S.chosen = []; S.scans = []; S.docsOther = [];
    S.fromVisit = null; S.visitAddress = null;
    $('#c-from-visit').hidden = true;
    if (carry) {
      for (const k of APPLICANT) $('#c-' + k).value = carry[k] || '';
      $('#c-no_rnokpp').checked = !!carry.no_rnokpp;
      $('#c-passport').value = carry.passport || '';
      $('#c-consent').checked = !!carry.consent;
    }
    $('#passport-box').hidden = !$('#c-no_rnokpp').checked;
    $('#c-rnokpp').disabled = $('#c-no_rnokpp').checked;
    phoneGate();
    renderChosen(); renderScans(); renderDocs(); showErrors([]);
    $('#service-results').hidden = true;
  }

  // consent to status SMS: off by default, only with a phone to send to
  function phoneGate() {
    const box = $('#c-messages_consent');
    box.disabled = !$('#c-phone').value.trim();
    if (box.disabled) box.checked = false;
  }

  function formData(draft) {
    const d = { services: [], documents_presented: [], draft: !!draft };
    for (const k of FIELDS) { const v = $('#c-' + k).value.trim(); if (v) d[k] = v; }
    d.consent = $('#c-consent').checked;
    d.messages_consent = $('#c-messages_consent').checked;
    if ($('#c-no_rnokpp').checked) {
      d.no_rnokpp = true;
      delete d.rnokpp;
      const p = $('#c-passport').value.trim();
      if (p) d.documents = [{ type: 'passport', number: p }];
    }
    for (const c of S.chosen) {
      if (c.members && c.members.length) {
        d.package = c.code;
        c.members.filter((m) => m.on).forEach((m) => d.services.push(m.code));
      } else d.services.push(c.code);
    }
    $$('#docs-required input:checked').forEach((x) => d.documents_presented.push(x.value));
    d.documents_presented.push(...S.docsOther);
    if (S.fromVisit) {
      d.visit = S.fromVisit;
      // the address as the request has it (structured) unless the administrator changed it
      if (d.address === S.visitAddress) delete d.address;
    }
    return d;
  }

  function showErrors(errors) {
    $$('#f-case .err').forEach((p) => { p.hidden = true; p.textContent = ''; });
    $$('#f-case [aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
    const other = [];
    for (const e of errors) {
      const field = e.field === 'service' ? 'services' : e.field === 'fee_uah' ? 'services' : e.field;
      const p = $('#err-' + field);
      if (!p) { other.push(e.message); continue; }
      p.textContent = p.textContent ? p.textContent + ' ' + e.message : e.message;
      p.hidden = false;
      const input = $('#c-' + field) || (field === 'services' ? $('#c-service-search') : null);
      if (input) input.setAttribute('aria-invalid', 'true');
    }
    if (other.length) { $('#err-form').textContent = other.join(' '); $('#err-form').hidden = false; }
  }

  // live validation: the agent's own check, every error at once
  function scheduleCheck() {
    clearTimeout(S.checkTimer);
    S.checkTimer = setTimeout(runCheck, 350);
  }
  async function runCheck() {
    const seq = ++S.checkSeq;
    const r = await api('POST', 'cases/check', formData(false));
    if (seq !== S.checkSeq || r.status === 404) return;
    const touched = new Set(S.touched || []);
    const errs = (r.data.errors || []).filter((e) => touched.has(e.field) || S.submitted);
    showErrors(errs);
  }
  $('#f-case').addEventListener('input', (ev) => {
    if (ev.target.id === 'c-service-search' || ev.target.id === 'c-doc-other' || ev.target.id === 'c-scan') return;
    S.touched = S.touched || [];
    const f = (ev.target.name || '').replace(/^passport$/, 'documents');
    if (f && !S.touched.includes(f)) S.touched.push(f);
    scheduleCheck();
  });
  $('#c-phone').addEventListener('input', phoneGate);
  $('#c-no_rnokpp').addEventListener('change', () => {
    $('#passport-box').hidden = !$('#c-no_rnokpp').checked;
    $('#c-rnokpp').disabled = $('#c-no_rnokpp').checked;
    if ($('#c-no_rnokpp').checked) $('#c-passport').focus();
  });

  // the service picker: the agent's catalogue search
  async function searchServices(q) {
    const seq = S.searchSeq = (S.searchSeq || 0) + 1;
    const r = await api('GET', 'services?q=' + encodeURIComponent(q));
    if (seq !== S.searchSeq) return; // a later keystroke's answer wins
    S.resultsFor = q;
    const list = $('#service-results');
    S.results = r.ok ? r.data : [];
    S.active = S.results.length ? 0 : -1;
    list.replaceChildren(...S.results.slice(0, 12).map((s, i) => el('li', { role: 'option', id: 'svc-' + i,
      'aria-selected': i === 0 ? 'true' : 'false', 'data-code': s.code, onmousedown: (e) => { e.preventDefault(); pick(i); } },
      el('span', { class: 'code', text: s.code }), ' ', el('span', { text: S.lang === 'en' && s.title_en ? s.title_en : s.title }),
      s.fee_uah ? el('span', { class: 'fee-small', text: ' · ' + s.fee_uah + ' ' + t('uah') }) : null)));
    if (!S.results.length && q) list.replaceChildren(el('li', { class: 'none', text: t('no_match') }));
    list.hidden = !q;
    $('#c-service-search').setAttribute('aria-expanded', String(!!q));
    if (S.active >= 0) $('#c-service-search').setAttribute('aria-activedescendant', 'svc-0');
  }
  function markActive() {
    $$('#service-results li[role=option]').forEach((li, i) => li.setAttribute('aria-selected', i === S.active ? 'true' : 'false'));
    if (S.active >= 0) $('#c-service-search').setAttribute('aria-activedescendant', 'svc-' + S.active);
  }
  function pick(i) {
    const s = S.results[i];
    if (!s || S.chosen.some((c) => c.code === s.code)) return;
    S.chosen.push({ code: s.code, title: S.lang === 'en' && s.title_en ? s.title_en : s.title, fee: s.fee_uah || 0,
      term: s.term_days, documents: s.documents || [],
      members: (s.members || []).map((m) => ({ code: m.code, title: m.title, on: true })) });
    $('#c-service-search').value = '';
    $('#service-results').hidden = true;
    renderChosen(); renderDocs(); scheduleCheck();
    S.touched = (S.touched || []).concat(['services']);
  }
  $('#c-service-search').addEventListener('input', (ev) => searchServices(ev.target.value.trim()));
  $('#c-service-search').addEventListener('keydown', (ev) => {
    const n = Math.min(S.results.length, 12);
    if (ev.key === 'ArrowDown' && n) { S.active = (S.active + 1) % n; markActive(); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp' && n) { S.active = (S.active - 1 + n) % n; markActive(); ev.preventDefault(); }
    else if (ev.key === 'Enter') {
      const q = ev.target.value.trim();
      if (q) {
        ev.preventDefault();
        // Enter before the answer for what is typed now: wait for it, then pick
        if (S.resultsFor !== q) searchServices(q).then(() => { if (S.resultsFor === q && S.active >= 0) pick(S.active); });
        else if (S.active >= 0) pick(S.active);
      }
    } else if (ev.key === 'Escape') { $('#service-results').hidden = true; }
  });

  function renderChosen() {
    const box = $('#chosen');
    box.replaceChildren(...S.chosen.map((c, ci) => {
      const kids = [el('div', { class: 'svc-head' },
        el('strong', { text: c.code }), ' ', el('span', { text: c.title }),
        c.term ? el('span', { class: 'hint', text: ' · ' + t('term', { days: c.term }) }) : null,
        el('button', { type: 'button', class: 'small', 'aria-label': t('remove') + ' ' + c.code, text: t('remove'),
          onclick: () => { S.chosen.splice(ci, 1); renderChosen(); renderDocs(); scheduleCheck(); } }))];
      if (c.members.length) {
        kids.push(el('p', { class: 'hint', text: t('members_hint') }));
        const fs = el('fieldset', { class: 'members' }, el('legend', { text: t('package') + ' ' + c.code }));
        c.members.forEach((m, mi) => {
          const id = `m-${ci}-${mi}`;
          fs.append(el('div', { class: 'check' },
            el('input', { type: 'checkbox', id, value: m.code, checked: m.on,
              onchange: (e) => { m.on = e.target.checked; renderFee(); scheduleCheck(); } }),
            el('label', { for: id, class: 'inline', text: `${m.title} (${m.code})` })));
        });
        kids.push(fs);
      }
      return el('div', { class: 'svc' }, ...kids);
    }));
    renderFee();
  }
  function renderFee() {
    // what the catalogue says; the agent computes the fee it records
    let fee = 0;
    for (const c of S.chosen) fee += c.fee || 0;
    $('#fee').textContent = String(fee);
  }
  function renderDocs() {
    const need = [];
    for (const c of S.chosen) for (const d of c.documents || []) if (!need.includes(d)) need.push(d);
    const box = $('#docs-required');
    const was = new Set($$('#docs-required input:checked').map((x) => x.value));
    box.replaceChildren(...need.map((d, i) => el('div', { class: 'check' },
      el('input', { type: 'checkbox', id: 'doc-' + i, value: d, checked: was.has(d) }),
      el('label', { for: 'doc-' + i, class: 'inline', text: d }))));
    $('#docs-other').replaceChildren(...S.docsOther.map((d, i) => el('li', {}, d, ' ',
      el('button', { type: 'button', class: 'small', text: t('remove'), 'aria-label': t('remove') + ' ' + d,
        onclick: () => { S.docsOther.splice(i, 1); renderDocs(); } }))));
  }
  $('#c-doc-other').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    const v = ev.target.value.trim();
    if (v && !S.docsOther.includes(v)) S.docsOther.push(v);
    ev.target.value = '';
    renderDocs();
  });

  // scans: kept in the page until the application is saved, so a wrong one is
  // removed before anything is sent; the same bytes twice are one scan
  async function sha256(file) {
    const buf = await file.arrayBuffer();
    const h = await crypto.subtle.digest('SHA-256', buf);
    return Array.from(new Uint8Array(h)).map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  async function addScans(files) {
    for (const f of files) {
      if (f.size > 20 * 1048576) { flash(t('scan_too_big'), true); continue; }
      const h = await sha256(f);
      if (S.scans.some((s) => s.sha === h)) { flash(t('scan_same'), true); continue; }
      S.scans.push({ file: f, sha: h, url: URL.createObjectURL(f) });
    }
    renderScans();
  }
  function renderScans() {
    $('#scans').replaceChildren(...S.scans.map((s, i) => el('li', { class: 'scan' },
      s.file.type.startsWith('image/') ? el('img', { src: s.url, alt: s.file.name }) : el('span', { class: 'doc-icon', text: 'PDF' }),
      el('span', { text: `${s.file.name} (${bytes(s.file.size)})` }),
      el('button', { type: 'button', class: 'small', text: t('scan_remove'), 'aria-label': t('scan_remove') + ' ' + s.file.name,
        onclick: () => { URL.revokeObjectURL(s.url); S.scans.splice(i, 1); renderScans(); $('#c-scan').focus(); } }))));
  }
  $('#c-scan').addEventListener('change', async (ev) => { await addScans(Array.from(ev.target.files)); ev.target.value = ''; });
  const drop = $('#drop');
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (ev) => { ev.preventDefault(); drop.classList.remove('over'); await addScans(Array.from(ev.dataTransfer.files)); });

  async function uploadScans(caseId, scans) {
    let n = 0;
    for (const s of scans) {
      const r = await api('POST', 'scan/' + encodeURIComponent(caseId), undefined,
        { data: s.file, headers: { 'Content-Type': s.file.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(s.file.name) } });
      if (!r.ok) { flash(errText(r), true); return n; }
      n++;
    }
    return n;
  }

  async function saveCase(draft) {
    S.submitted = true;
    clearTimeout(S.checkTimer);
    const d = formData(draft);
    const r = await api('POST', 'cases', d);
    if (!r.ok) {
      if (r.data.errors) {
        showErrors(r.data.errors);
        const first = $$('#f-case .err').find((p) => !p.hidden);
        const input = first && first.parentElement.querySelector('input,textarea');
        (input || $('#c-surname')).focus();
      } else flash(errText(r), true);
      return;
    }
    S.submitted = false; S.touched = [];
    const c = r.data;
    const n = await uploadScans(c.id, S.scans);
    S.lastApplicant = Object.assign({}, c.applicant || {}, { consent: d.consent, no_rnokpp: d.no_rnokpp,
      passport: $('#c-passport').value, address: d.address,
      birth_date: dateDisplay((c.applicant || {}).birth_date) });
    S.savedId = c.id;
    $('#saved-number').textContent = c.number;
    $('#saved-name').textContent = fullName(c.applicant || {}) + (n ? ' · ' + t('scans_sent', { n }) : '');
    $('#saved-receipt').href = '/receipt/' + encodeURIComponent(c.id) + '?paper=A4';
    $('#saved-receipt-a5').href = '/receipt/' + encodeURIComponent(c.id) + '?paper=A5';
    $('#saved-rate').href = '#rate/' + c.id;
    flash('');
    go('saved');
  }
  $('#f-case').addEventListener('submit', (ev) => { ev.preventDefault(); saveCase(false); });
  // Enter on a checkbox saves too (text fields submit on Enter natively)
  $('#f-case').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && ev.target.type === 'checkbox') { ev.preventDefault(); $('#f-case').requestSubmit(); }
  });
  $('#c-draft').addEventListener('click', () => saveCase(true));
  $('#saved-same').addEventListener('click', () => { S.carry = S.lastApplicant; go('new'); });
  $('#saved-next').addEventListener('click', () => { S.carry = null; go('new'); });

  // ---- rating ----
  function renderRate(id) {
    S.rateId = id;
    S.score = 0;
    $('#r-comment').value = '';
    $('#err-rate').hidden = true;
    const words = dict().rate_words;
    $('#stars').replaceChildren(...[1, 2, 3, 4, 5].map((n) => el('div', { class: 'star' },
      el('input', { type: 'radio', name: 'score', id: 'star-' + n, value: String(n), onchange: () => { S.score = n; } }),
      el('label', { for: 'star-' + n }, el('span', { class: 'n', text: String(n) }), el('span', { class: 'w', text: words[n] })))));
    $('#star-5').focus();
  }
  $('#f-rate').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const sel = $('#stars input:checked');
    const r = await api('POST', 'cases/' + encodeURIComponent(S.rateId) + '/rate',
      { score: sel ? Number(sel.value) : null, comment: $('#r-comment').value.trim() });
    if (!r.ok) { $('#err-rate').textContent = errText(r); $('#err-rate').hidden = false; return; }
    flash(t('rate_thanks'));
    go('saved');
  });

  // ---- cases list and search ----
  async function renderCases() {
    const st = $('#s-status');
    if (st.options.length === 1)
      for (const k of Object.keys(dict().status)) st.append(el('option', { value: k, text: statusWord(k) }));
    const tr = await api('GET', 'trips');
    const ts = $('#s-trip'), keep = ts.value;
    ts.replaceChildren(el('option', { value: '', text: t('any') }),
      ...(tr.ok ? tr.data : []).map((x) => el('option', { value: x.id, text: `${x.settlement} · ${kyivTime(x.started_at)}` })));
    ts.value = keep;
    await searchCases();
  }
  async function searchCases() {
    const q = new URLSearchParams({ q: $('#s-q').value.trim(), status: $('#s-status').value, trip: $('#s-trip').value });
    const seq = (S.listSeq = (S.listSeq || 0) + 1);
    const r = await api('GET', 'cases?' + q);
    if (seq !== S.listSeq) return;
    const rows = r.ok ? r.data : [];
    $('#cases-count').textContent = t('cases_count', { n: rows.length });
    $('#cases').replaceChildren(...rows.map(caseRow));
  }
  $('#s-q').addEventListener('input', () => { clearTimeout(S.listTimer); S.listTimer = setTimeout(searchCases, 150); });
  $('#s-status').addEventListener('change', searchCases);
  $('#s-trip').addEventListener('change', searchCases);
  $('#f-search').addEventListener('submit', (ev) => { ev.preventDefault(); searchCases(); });

  // ---- one case ----
  function section(title, ...kids) { return el('section', { class: 'part' }, el('h2', { text: title }), ...kids); }
  async function renderCase(id) {
    const r = await api('GET', 'cases/' + encodeURIComponent(id));
    const body = $('#k-body');
    if (!r.ok) { body.textContent = errText(r); return; }
    const c = r.data, a = c.applicant || {};
    $('#k-number').textContent = c.number;
    const hist = await api('GET', 'cases/' + encodeURIComponent(id) + '/history');
    const events = hist.ok && Array.isArray(hist.data) ? hist.data : (c.history || []);
    const list = (items, f) => (items && items.length ? el('ul', {}, ...items.map((x) => el('li', {}, ...[].concat(f(x))))) : el('p', { text: t('k_none') }));
    body.replaceChildren(
      el('p', { class: 'big' }, el('strong', { text: statusWord(c.status) })),
      section(t('k_applicant'), el('p', { text: fullName(a) }),
        el('p', { text: [dateDisplay(a.birth_date), a.rnokpp, a.phone].filter(Boolean).join(' · ') }),
        el('p', { text: typeof c.address === 'string' ? c.address : (c.address && (c.address.text || c.address.line)) || '' })),
      section(t('k_services'), list(c.services, (s) => `${s.code} — ${s.title || ''} : ${statusWord(s.status)}`),
        el('p', { text: `${t('k_fee')}: ${c.fee_uah || 0} ${t('uah')}` })),
      section(t('pay_items'), list((c.payment || {}).items, (x) => `${kyivTime(x.paid_at)} · ${money(x.amount_kop)} · ` +
        `${(dict().pay_methods || {})[x.method] || x.method}${x.receipt ? ' · ' + x.receipt : ''}`)),
      section(t('k_docs'), list(c.documents_presented, (d) => String(d))),
      section(t('k_scans'), list(c.attachments, (x) => `${x.name || x.sha256.slice(0, 12)} (${bytes(x.size)}, ${x.uploaded ? t('sent') : t('not_sent')})`)),
      section(t('k_comments'), list(c.comments, (x) => `${kyivTime(x.at)} ${x.author || ''}: ${x.text}`)),
      section(t('k_history'), list(events, (e) => `${kyivTime(e.at)} · ${(dict().kinds || {})[e.kind] || e.kind}` +
        (e.to ? ' → ' + statusWord(e.to) : '') + (e.field ? ` ${e.field}: ${e.old ?? ''} → ${e.new ?? ''}` : '') +
        (e.reason ? ' · ' + e.reason : '') + (e.actor ? ' · ' + e.actor : ''))),
      el('div', { class: 'actions' },
        el('a', { class: 'button primary', target: '_blank', href: '/receipt/' + encodeURIComponent(c.id) + '?paper=A4', text: t('print_receipt') }),
        el('a', { class: 'button', target: '_blank', href: '/receipt/' + encodeURIComponent(c.id) + '?paper=A5', text: t('print_receipt_a5') }),
        el('a', { class: 'button', href: '#rate/' + c.id, text: t('rate') }),
        c.status === 'draft' ? el('button', { type: 'button', text: t('k_submit'), onclick: () => move(c.id, 'submit') }) : null,
        c.status === 'approved' ? el('button', { type: 'button', text: t('k_issue'), onclick: () => move(c.id, 'issue') }) : null));
    const pay = c.payment || { expected_kop: 0, paid_kop: 0 };
    $('#pay-line').textContent = t('pay_line', { expected: money(pay.expected_kop), paid: money(pay.paid_kop) });
    $('#f-pay').dataset.id = c.id;
    $('#err-pay').hidden = true;
    $('#f-amend').hidden = c.status !== 'needs_info';
    $('#f-amend').dataset.id = c.id;
    $('#err-amend').hidden = true;
  }
  async function move(id, verb) {
    const r = await api('POST', `cases/${encodeURIComponent(id)}/${verb}`, {});
    if (!r.ok) flash(errText(r), true); else { flash(t('saved')); await renderCase(id); }
  }
  // kopecks (integers, exact) as "1 250,00 грн"; the typed amount goes to the laptop as text
  function money(kop) {
    const n = Math.trunc(Number(kop) || 0), a = Math.abs(n);
    const units = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    return (n < 0 ? '-' : '') + units + ',' + String(a % 100).padStart(2, '0') + ' ' + t('uah');
  }
  $('#f-pay').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = ev.target.dataset.id;
    const r = await api('POST', `cases/${encodeURIComponent(id)}/pay`, {
      amount: $('#p-amount').value, method: $('#p-method').value, receipt: $('#p-receipt').value.trim() });
    if (!r.ok) { $('#err-pay').textContent = errText(r); $('#err-pay').hidden = false; return; }
    $('#p-amount').value = ''; $('#p-receipt').value = '';
    flash(t('pay_saved'));
    await renderCase(id);
  });
  $('#f-amend').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = ev.target.dataset.id;
    const d = {};
    const doc = $('#a-doc').value.trim(), notes = $('#a-notes').value.trim();
    if (doc) d.documents_presented = [doc];
    if (notes) d.notes = notes;
    let r = { ok: true };
    if (doc || notes) r = await api('POST', `cases/${encodeURIComponent(id)}/edit`, d);
    if (r.ok) {
      const files = Array.from($('#a-scan').files);
      const scans = [];
      for (const f of files) scans.push({ file: f });
      await uploadScans(id, scans);
      r = await api('POST', `cases/${encodeURIComponent(id)}/submit`, {});
    }
    if (!r.ok) { $('#err-amend').textContent = errText(r); $('#err-amend').hidden = false; return; }
    $('#a-doc').value = ''; $('#a-notes').value = ''; $('#a-scan').value = '';
    flash(t('amended'));
    await renderCase(id);
  });

  // ---- home visits ----
  const visitWord = (st) => (dict().visit_states || {})[st] || st;
  const addressLine = (a) => {
    if (!a) return '';
    if (a.text) return a.text;
    return ['region', 'hromada', 'settlement', 'street', 'house', 'apartment'].map((k) => a[k]).filter(Boolean).join(', ');
  };
  const kyivToday = () => {
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
    const g = (ty) => (p.find((x) => x.type === ty) || {}).value || '';
    return `${g('year')}-${g('month')}-${g('day')}`;
  };
  function visitWhen(v) {
    if (v.state === 'scheduled' && v.scheduled_for)
      return v.scheduled_for === kyivToday() ? t('visit_today') + ' ' + dateDisplay(v.scheduled_for) : t('visit_on', { date: dateDisplay(v.scheduled_for) });
    if (v.state === 'visited' && v.visited_at) return kyivTime(v.visited_at);
    return v.preferred_date ? t('visit_preferred', { date: dateDisplay(v.preferred_date) }) : '';
  }
  async function renderVisits() {
    const r = await api('GET', 'visits');
    const rows = r.ok && Array.isArray(r.data) ? r.data : [];
    if (!r.ok) flash(errText(r), true);
    $('#visits-none').hidden = rows.length > 0;
    $('#visits').replaceChildren(...rows.map((v) => {
      const c = v.citizen || {};
      return el('tr', { class: v.state === 'scheduled' && v.scheduled_for === kyivToday() ? 'today' : null },
        el('td', {}, el('a', { href: '#visit/' + v.id, text: v.number })),
        el('td', { text: visitWord(v.state) + (v.pending ? ' · ' + t('visit_pending') : '') }),
        el('td', { text: visitWhen(v) }),
        el('td', { text: fullName(c) }),
        el('td', { text: addressLine(c.address) }),
        el('td', { text: c.phone || '' }));
    }));
  }
  async function renderVisit(id) {
    const r = await api('GET', 'visits/' + encodeURIComponent(id));
    const body = $('#w-body');
    $('#err-visit').hidden = true;
    if (!r.ok) { body.textContent = errText(r); $('#w-actions').hidden = true; return; }
    const v = r.data, c = v.citizen || {};
    S.visit = v;
    $('#w-number').textContent = v.number;
    const line = (label, text) => (text ? el('p', {}, el('span', { class: 'hint', text: label + ': ' }), text) : null);
    const titles = {};
    for (const x of v.service_titles || []) titles[x.code] = S.lang === 'en' && x.title_en ? x.title_en : x.title || '';
    body.replaceChildren(...[
      el('p', { class: 'big' }, el('strong', { id: 'w-state', text: visitWord(v.state) }), ' ', visitWhen(v),
        v.pending ? el('span', { class: 'hint', text: ' · ' + t('visit_pending') }) : null),
      section(t('k_applicant'), el('p', { text: fullName(c) }),
        el('p', { text: [c.phone, addressLine(c.address)].filter(Boolean).join(' · ') }),
        line(t('visit_mobility'), c.mobility ? ((dict().mobility_words || {})[c.mobility] || c.mobility) : '')),
      line(t('visit_reason'), v.reason), line(t('visit_note'), v.note),
      line(t('visit_requested_at'), kyivTime(v.requested_at)),
      line(t('visit_visited_at'), v.state === 'visited' ? kyivTime(v.visited_at) : ''),
      line(t('visit_cancelled_why'), v.state === 'cancelled' ? v.state_reason : ''),
      section(t('visit_services'), (v.services || []).length
        ? el('ul', {}, ...v.services.map((code) => el('li', { text: code + (titles[code] ? ' — ' + titles[code] : '') })))
        : el('p', { text: t('k_none') })),
      section(t('visit_cases'), (v.cases || []).length
        ? el('ul', {}, ...v.cases.map((k) => el('li', {}, el('a', { href: '#case/' + k.id, text: k.number }), ' · ' + statusWord(k.status))))
        : el('p', { text: t('k_none') }))].filter(Boolean));
    const open = v.state === 'requested' || v.state === 'scheduled';
    $('#w-actions').hidden = v.state === 'cancelled';
    $('#f-visit-schedule').hidden = !open;
    $('#w-schedule').textContent = v.state === 'scheduled' ? t('visit_reschedule') : t('visit_schedule');
    $('#w-date').value = v.scheduled_for ? dateDisplay(v.scheduled_for) : v.preferred_date ? dateDisplay(v.preferred_date) : '';
    $('#w-done').hidden = v.state !== 'scheduled';
    $('#f-visit-cancel').hidden = !open;
    $('#w-reason').value = '';
    $('#w-record').hidden = v.state === 'cancelled';
  }
  async function visitMove(verb, body) {
    const v = S.visit;
    const r = await api('POST', `visits/${encodeURIComponent(v.id)}/${verb}`, body);
    if (!r.ok) { $('#err-visit').textContent = errText(r); $('#err-visit').hidden = false; return; }
    flash(t('visit_saved'));
    await renderVisit(v.id);
  }
  $('#f-visit-schedule').addEventListener('submit', (ev) => { ev.preventDefault(); visitMove('schedule', { date: $('#w-date').value.trim() }); });
  $('#w-done').addEventListener('click', () => visitMove('done', {}));
  $('#f-visit-cancel').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const reason = $('#w-reason').value.trim();
    if (!reason) { $('#err-visit').textContent = t('visit_reason_needed'); $('#err-visit').hidden = false; $('#w-reason').focus(); return; }
    visitMove('cancel', { reason });
  });
  $('#w-record').addEventListener('click', () => {
    const v = S.visit, c = v.citizen || {};
    S.carry = { surname: c.surname, given_name: c.given_name, patronymic: c.patronymic, phone: c.phone, address: addressLine(c.address) };
    S.visitCarry = v;
    go('new');
  });
  // the new-application form from a visit: the citizen and the wanted services
  async function fillFromVisit(v) {
    if (!v) return;
    S.fromVisit = v.id;
    S.visitAddress = addressLine((v.citizen || {}).address);
    const banner = $('#c-from-visit');
    banner.textContent = t('visit_from', { number: v.number });
    banner.hidden = false;
    for (const code of v.services || []) {
      const r = await api('GET', 'services?q=' + encodeURIComponent(code));
      const s = (r.ok ? r.data : []).find((x) => x.code === code);
      if (!s || S.chosen.some((x) => x.code === code)) continue;
      S.chosen.push({ code: s.code, title: S.lang === 'en' && s.title_en ? s.title_en : s.title, fee: s.fee_uah || 0,
        term: s.term_days, documents: s.documents || [],
        members: (s.members || []).map((m) => ({ code: m.code, title: m.title, on: true })) });
    }
    renderChosen(); renderDocs();
  }

  // ---- inbox ----
  async function refreshInboxCount() {
    const r = await api('GET', 'inbox');
    const n = r.ok && Array.isArray(r.data) ? r.data.length : 0;
    const b = $('#inbox-count');
    b.textContent = String(n);
    b.hidden = !n;
  }
  async function renderInbox() {
    const r = await api('GET', 'inbox');
    const items = r.ok && Array.isArray(r.data) ? r.data : [];
    const ul = $('#inbox');
    if (!items.length) { ul.replaceChildren(el('li', { class: 'none', text: t('inbox_empty') })); return; }
    ul.replaceChildren(...items.map((x) => el('li', { class: 'item' },
      el('a', { href: '#case/' + (x.id || x.case || x.number), text: x.number }), ' ',
      el('span', { text: x.name || fullName(x) }), ' · ',
      el('strong', { text: statusWord(x.status) }), ' ',
      el('span', { class: 'hint', text: [x.what, x.reason, kyivTime(x.at)].filter(Boolean).join(' · ') }), ' ',
      el('button', { type: 'button', class: 'small', text: t('inbox_seen'), 'aria-label': t('inbox_seen') + ' ' + x.number,
        onclick: async () => { await api('POST', 'inbox/' + encodeURIComponent(x.id || x.number) + '/seen', {}); await renderInbox(); refreshInboxCount(); } }))));
  }

  // ---- sync ----
  function renderProgress(y) {
    $('#sy-last').textContent = y.last_sync ? kyivTime(y.last_sync) : t('never');
    $('#sy-wait').textContent = t('waiting_text', { changes: y.pending_changes, bytes: bytes(y.pending_bytes || 0), blobs: y.pending_blobs ?? 0 });
    const running = y.state === 'running';
    $('#sy-go').disabled = running;
    $('#sy-progress').hidden = y.state === 'idle';
    const bar = $('#sy-bar');
    const total = Math.max(1, y.changes_total || 0);
    bar.max = total;
    bar.value = Math.min(total, y.state === 'done' ? total : y.changes_done || 0);
    $('#sy-text').textContent = t('progress_text', { done: y.changes_done || 0, total: y.changes_total || 0,
      bdone: bytes(y.bytes_done || 0), btotal: bytes(y.bytes_total || 0), eta: y.eta_s != null ? t('eta', { s: y.eta_s }) : '' });
    $('#sy-message').textContent = running ? t('sync_running') : y.message || '';
    $('#sy-message').className = y.state === 'failed' ? 'bad' : '';
    return running;
  }
  async function pollSync() {
    const r = await api('GET', 'sync');
    if (!r.ok) return;
    const y = Object.assign({}, r.data.sync, { pending_blobs: r.data.pending_blobs });
    if (!renderProgress(y)) { clearInterval(S.syncTimer); S.syncTimer = 0; refreshInboxCount(); }
  }
  async function renderSync() {
    await pollSync();
    if ($('#sy-go').disabled) { clearInterval(S.syncTimer); S.syncTimer = setInterval(pollSync, 400); }
  }
  $('#sy-go').addEventListener('click', async () => {
    const r = await api('POST', 'sync', {});
    if (!r.ok) { flash(errText(r), true); return; }
    renderProgress(r.data);
    clearInterval(S.syncTimer);
    S.syncTimer = setInterval(pollSync, 400);
  });

  // a receipt link opens the print view and the browser's print dialog (A4 or A5)
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[href^="/receipt/"]');
    if (!a || ev.ctrlKey || ev.shiftKey || ev.metaKey) return;
    ev.preventDefault();
    const w = window.open(a.getAttribute('href'), '_blank');
    if (w) w.addEventListener('load', () => w.print(), { once: true });
  });

  // ---- start ----
  (async () => {
    if (await loadSession()) route();
  })();
})();
