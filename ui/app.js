// app.js — the staff review UI: sign-in, queue, case page, reports, admin.
// Uses only the JSON API of docs/api.md. Every piece of data is put into
// the page with textContent (never innerHTML), so a citizen's name cannot
// inject markup.
import { t, lang, setLang, statusName, plural, word, hasWord, loadWords } from './i18n.js';
import { barChart, donutChart, columnChart } from './charts.js';
import { initVisits, showVisits, showVisit, visitsSummary } from './visits.js';
import { paymentCard, reconciliation } from './payments.js';
import { showCatalogue } from './catalogue.js';

const STATUSES = ['submitted', 'received', 'in_review', 'needs_info', 'approved', 'rejected', 'issued', 'cancelled'];
const ROLE_RANK = { reviewer: 1, supervisor: 2, admin: 3 };
const state = { me: null, units: [], services: [], staff: null };
const main = document.getElementById('main');

// ---- small DOM helper ----
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

function toast(msg) {
  const el = document.getElementById('toast');
  el.textContent = msg;
  el.classList.add('show');
  clearTimeout(toast.tm);
  toast.tm = setTimeout(() => el.classList.remove('show'), 3000);
}

// Times in Kyiv local time (the TZ database of the browser, DST right) as a
// CNAP writes them, "02.12.2026 14:05", in both languages; dates of the wire
// ("1950-12-02") as "02.12.1950".
const KYIV = ['Europe/Kyiv', 'Europe/Kiev'].find(tz => {
  try { new Intl.DateTimeFormat('en-GB', { timeZone: tz }); return true; } catch { return false; }
});
const TIME_FMT = new Intl.DateTimeFormat('en-GB', {
  timeZone: KYIV, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
function fmtTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return s;
  const p = Object.fromEntries(TIME_FMT.formatToParts(d).map(x => [x.type, x.value]));
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}
function fmtDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (s || '');
}
function fmtMonth(s) {
  const m = /^(\d{4})-(\d{2})$/.exec(s || '');
  return m ? `${m[2]}.${m[1]}` : (s || '');
}
// a file's size in words: "740 Б", "245 КБ", "1,2 МБ"
function sizeText(n) {
  if (typeof n !== 'number' || !(n >= 0)) return '';
  const num = v => v.toLocaleString(lang === 'en' ? 'en-GB' : 'uk-UA', { maximumFractionDigits: 1 });
  if (n < 1024) return t('size_b', { n: num(n) });
  if (n < 1024 * 1024) return t('size_kb', { n: num(Math.round(n / 1024)) });
  return t('size_mb', { n: num(Math.round(n / 104857.6) / 10) });
}
// the hub's status codes inside a text (an audit entry's detail) in words
function statusWords(text) {
  return String(text || '').replace(/\b(draft|submitted|received|in_review|approved|issued|rejected|needs_info|cancelled)\b/g, m => statusName(m));
}

// a refused step in the reader's words: the hub's sentence in this
// language ("text", from hub/words.c), else the word of its code
function errWords(e) {
  if (e && e.text) return e.text;
  if (e && hasWord('errors', e.code)) return word('errors', e.code);
  return t('error', { m: (e && e.message) || String(e) });
}
function errText(e) { return e instanceof ApiError ? errWords(e) : t('error', { m: e.message || String(e) }); }

// A modal confirmation that says what will happen; resolves true on "OK".
// Cancel has the focus, so Enter alone never confirms a refusal.
function confirmDialog(text, okLabel, danger) {
  return new Promise(resolve => {
    const ok = h('button', { type: 'button', class: danger ? 'bad' : 'primary', id: 'confirm-ok' }, okLabel);
    const cancel = h('button', { type: 'button', id: 'confirm-cancel' }, t('cancel'));
    const dlg = h('dialog', { id: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
      h('h2', { id: 'confirm-title' }, t('confirm_title')), h('p', { id: 'confirm-text' }, text),
      h('div', { class: 'actions' }, cancel, ok));
    const done = v => { if (dlg.open) dlg.close(); dlg.remove(); resolve(v); };
    ok.addEventListener('click', () => done(true));
    cancel.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', ev => { ev.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

function statusBadge(st) { return h('span', { class: `status st-${st}`, 'data-status': st }, statusName(st)); }

// a unit code with its kind in words ("KR-T01 · мобільний офіс (вантажівка)")
function unitText(code) {
  const u = state.units.find(x => x.code === code);
  return u && u.kind ? `${code} · ${word('unit_kinds', u.kind)}` : code;
}

function serviceTitle(code) {
  const s = state.services.find(x => x.code === code);
  return s ? (lang === 'en' ? s.title_en : s.title_uk) : code;
}

// ---- API ----
class ApiError extends Error {
  constructor(status, code, message, retryAfter, text) { super(message); this.status = status; this.code = code; this.retryAfter = retryAfter; this.text = text; }
}

// every request names the UI's language, so refusals come back in its words
const withLang = path => path + (path.includes('?') ? '&' : '?') + 'lang=' + lang;

async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
  if (method !== 'GET' && state.me) opt.headers['X-CSRF-Token'] = state.me.csrf_token;
  const r = await fetch(withLang(path), opt);
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) {
    const e = data && data.error ? data.error : { code: 'http_' + r.status, message: text.slice(0, 200) };
    if (r.status === 401 && path !== '/api/login') { state.me = null; showLogin(); }
    throw new ApiError(r.status, e.code, e.message, r.headers.get('Retry-After'), e.text);
  }
  return data;
}

function showError(e) {
  if (e instanceof ApiError && e.code === 'forbidden') toast(t('forbidden'));
  else toast(errText(e));
}

// ---- chrome ----
function paintChrome() {
  document.documentElement.lang = lang;
  const sw = document.getElementById('lang');
  sw.textContent = lang === 'uk' ? 'English' : 'Українська';
  sw.setAttribute('aria-label', t('switch_lang'));
  sw.setAttribute('lang', lang === 'uk' ? 'en' : 'uk');
  document.querySelectorAll('[data-i18n]').forEach(e => { e.textContent = t(e.dataset.i18n); });
  const nav = document.getElementById('nav');
  nav.hidden = !state.me;
  document.getElementById('logout').hidden = !state.me;
  document.getElementById('who').textContent = state.me ? `${state.me.login} (${roleName(state.me.role)})` : '';
  nav.querySelectorAll('[data-role]').forEach(a => {
    a.hidden = !state.me || ROLE_RANK[state.me.role] < ROLE_RANK[a.dataset.role];
  });
  const cur = location.hash.split('?')[0].split('/')[1] || 'queue';
  nav.querySelectorAll('a').forEach(a => a.classList.toggle('active', a.getAttribute('href') === '#/' + cur));
}

function page(title, ...kids) {
  main.replaceChildren(h('h1', {}, title), ...kids);
  document.title = `${title} — ${t('brand')}`;
  main.focus();
}

// ---- sign-in ----
function showLogin() {
  paintChrome();
  const err = h('p', { class: 'err', role: 'alert' });
  const login = h('input', { name: 'login', autocomplete: 'username', required: true, id: 'login' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, id: 'password' });
  const form = h('form', {
    onsubmit: async ev => {
      ev.preventDefault();
      err.textContent = '';
      try {
        const r = await api('POST', '/api/login', { login: login.value, password: pass.value });
        state.me = { ...r.user, csrf_token: r.csrf_token };
        await boot();
      } catch (e) {
        if (e.code === 'rate_limited') err.textContent = t('rate_limited', { s: e.retryAfter || 60 });
        else if (e.status === 401) err.textContent = t('bad_login');
        else err.textContent = errText(e);
      }
    },
  },
  h('label', {}, t('login'), login), h('label', {}, t('password'), pass),
  h('button', { class: 'primary', type: 'submit' }, t('sign_in')), err);
  main.replaceChildren(h('div', { class: 'card login' }, h('h1', {}, t('login_title')), form));
  document.title = t('login_title');
  login.focus();
}

// ---- queue ----
function queryFromHash() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}

async function showQueue() {
  const params = queryFromHash();
  // what the team's filters offer: trips, settlements, operators ...
  let opts = { trips: [], settlements: [], trip_kinds: [], operators: [], mobility: [] };
  try { opts = await api('GET', '/api/queue/options'); } catch (e) { if (e.status === 401) return; }
  const sel = (name, opts) => h('select', { name, id: 'f-' + name },
    h('option', { value: '' }, t('all')),
    ...opts.map(([v, label]) => h('option', { value: v, selected: params.get(name) === v }, label)));
  const form = h('form', {
    class: 'filters card', role: 'search',
    onsubmit: ev => {
      ev.preventDefault();
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
      location.hash = '#/queue?' + p.toString();
    },
  },
  h('label', {}, t('status'), sel('status', STATUSES.map(s => [s, statusName(s)]))),
  h('label', {}, t('unit'), sel('unit', state.units.map(u => [u.code, `${u.code} — ${u.name}`]))),
  h('label', {}, t('service'), sel('service', state.services.map(s => [s.code, `${s.code} ${lang === 'en' ? s.title_en : s.title_uk}`.slice(0, 60)]))),
  h('label', {}, t('from'), h('input', { type: 'date', name: 'from', value: params.get('from') || '' })),
  h('label', {}, t('to'), h('input', { type: 'date', name: 'to', value: params.get('to') || '' })),
  h('label', {}, t('assignee'), h('select', { name: 'assignee', id: 'f-assignee' },
    [['', t('all')], ['me', t('q_mine')], ['none', t('q_unassigned')]].map(([v, label]) =>
      h('option', { value: v, selected: (params.get('assignee') || '') === v }, label)))),
  h('label', {}, t('q_trip'), sel('trip', opts.trips.map(x => [x.id, `${fmtDate(x.started_at)} ${x.settlement || ''} (${x.unit})`]))),
  h('label', {}, t('q_settlement'), sel('settlement', opts.settlements.map(x => [x, x]))),
  h('label', {}, t('q_trip_kind'), sel('trip_kind', opts.trip_kinds.map(x => [x, word('trip_kinds', x)]))),
  h('label', {}, t('q_operator'), sel('operator', opts.operators.map(x => [x, x]))),
  h('label', {}, t('q_mobility'), sel('mobility', [['any', t('q_mobility_any')], ...opts.mobility.map(x => [x, word('mobility', x)])])),
  params.get('sort') ? h('input', { type: 'hidden', name: 'sort', value: params.get('sort') }) : null,
  params.get('dir') ? h('input', { type: 'hidden', name: 'dir', value: params.get('dir') }) : null,
  h('label', {}, t('q_search'), h('input', { type: 'search', name: 'q', id: 'f-q', value: params.get('q') || '', size: 28 })),
  h('button', { class: 'primary', type: 'submit' }, t('apply')),
  ROLE_RANK[state.me.role] >= 2 ? h('a', { href: withLang('/api/export.csv?' + exportParams(params)), download: 'cases.csv', id: 'export' }, t('export_csv')) : null,
  ROLE_RANK[state.me.role] >= 2 ? h('a', { href: withLang('/api/export.xlsx?' + exportParams(params)), download: 'cases.xlsx', id: 'export-xlsx' }, t('export_xlsx')) : null);

  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  const result = h('div', { id: 'bulk-result', role: 'status' }); // what a bulk decision did
  page(t('queue_title'), form, result, body);
  try {
    const data = await api('GET', '/api/cases?' + params.toString());
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    if (!data.items.length) { body.replaceChildren(h('p', { class: 'muted' }, t('nothing'))); return; }
    // bulk: pick cases on this page, then one decision for each (confirmed)
    const picks = data.items.map(c => h('input', { type: 'checkbox', class: 'pick', value: c.id, 'aria-label': t('pick', { n: c.number }) }));
    const pickAll = h('input', { type: 'checkbox', id: 'pick-all', 'aria-label': t('pick_all') });
    const count = h('span', { id: 'picked', class: 'muted' });
    const bulkBtn = (decision, cls) => h('button', { type: 'button', id: 'bulk-' + decision, class: cls, onclick: () => bulk(decision) });
    const bulkIn = bulkBtn('in_review'), bulkOk = bulkBtn('approved', 'ok');
    const picked = () => picks.filter(p => p.checked).map(p => p.value);
    const paint = () => {
      const n = picked().length;
      count.textContent = t('selected', { n });
      bulkIn.textContent = t('bulk_in_review', { n });
      bulkOk.textContent = t('bulk_approved', { n });
      bulkIn.disabled = bulkOk.disabled = n === 0;
      pickAll.checked = n > 0 && n === picks.length;
    };
    picks.forEach(p => p.addEventListener('change', paint));
    pickAll.addEventListener('change', () => { picks.forEach(p => { p.checked = pickAll.checked; }); paint(); });
    const bulk = async decision => {
      const ids = picked();
      if (!ids.length) return;
      const what = plural(ids.length, 'cases');
      if (!await confirmDialog(`${t('bulk_confirm_' + decision, { what })} ${t('bulk_note')}`,
        decision === 'approved' ? t('approve') : t('in_review'))) return;
      let r;
      try { r = await api('POST', '/api/cases/bulk-decide', { ids, decision }); } catch (e) { result.replaceChildren(h('p', { class: 'err' }, errText(e))); return; }
      await showQueue();
      const out = document.getElementById('bulk-result');
      const bad = r.results.filter(x => !x.ok);
      out.replaceChildren(h('p', {}, t('bulk_done', { d: r.done, f: r.failed })),
        bad.length ? h('ul', { class: 'err' }, bad.map(x => {
          const num = data.items.find(c => c.id === x.ref)?.number || x.ref;
          return h('li', {}, `${num}: ${errWords(x.error)}`);
        })) : null);
    };
    paint();
    const rows = data.items.map((c, i) => h('tr', { 'data-id': c.id },
      h('td', {}, picks[i]),
      h('td', {}, h('a', { href: '#/case/' + encodeURIComponent(c.id) }, c.number)),
      h('td', {}, statusBadge(c.status), c.resubmitted
        ? h('span', { class: 'flag resubmitted', title: t('resubmitted_hint') }, t('resubmitted')) : null),
      h('td', {}, [c.applicant?.surname, c.applicant?.given_name, c.applicant?.patronymic].filter(Boolean).join(' ')),
      h('td', {}, c.applicant?.rnokpp || ''),
      h('td', {}, c.package ? c.package + ' · ' : '', (c.services || []).map(s => s.code).join(', ')),
      h('td', {}, c.unit),
      h('td', { class: 'assignee' }, c.assignee || '—'),
      h('td', {}, fmtTime(c.attention_at)),
      h('td', {}, fmtTime(c.created_at))));
    const go = p => { params.set('page', p); location.hash = '#/queue?' + params.toString(); };
    // column sort: a header is a button; again on the same column turns the order round
    const SORTS = { number: 'number', status: 'status', applicant: 'applicant', unit: 'unit', assignee: 'assignee', attention: 'attention', created: 'created' };
    const curSort = params.get('sort') || 'attention', curDir = params.get('dir') || 'asc';
    const sortBy = key => {
      const p = new URLSearchParams(params);
      p.delete('page');
      p.set('sort', key);
      p.set('dir', curSort === key && curDir === 'asc' ? 'desc' : 'asc');
      location.hash = '#/queue?' + p.toString();
    };
    const head = k => {
      const key = SORTS[k];
      if (!key) return h('th', { scope: 'col' }, t(k));
      const on = curSort === key;
      return h('th', { scope: 'col', 'aria-sort': on ? (curDir === 'desc' ? 'descending' : 'ascending') : 'none' },
        h('button', { type: 'button', class: 'sort', 'data-sort': key, title: t('sort_by', { c: t(k) }), onclick: () => sortBy(key) },
          t(k), on ? (curDir === 'desc' ? ' ▼' : ' ▲') : ''));
    };
    body.replaceChildren(
      h('p', { class: 'muted', id: 'total' }, t('total', { n: data.total })),
      h('div', { class: 'bulk actions', id: 'bulk' }, count, bulkIn, bulkOk),
      h('table', { id: 'queue' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, pickAll), ...['number', 'status', 'applicant', 'rnokpp', 'services', 'unit', 'assignee', 'attention', 'created'].map(head))),
        h('tbody', {}, rows)),
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: data.page <= 1, onclick: () => go(data.page - 1) }, t('prev')),
        h('span', {}, t('page', { p: data.page, n: pages })),
        h('button', { type: 'button', disabled: data.page >= pages, onclick: () => go(data.page + 1) }, t('next'))));
  } catch (e) { body.replaceChildren(h('p', { class: 'err' }, errText(e))); }
}

function exportParams(params) {
  const p = new URLSearchParams(params);
  p.delete('page');
  return p.toString();
}

// ---- case page ----
async function showCase(id) {
  page(t('loading'));
  let c;
  try { c = await api('GET', '/api/cases/' + encodeURIComponent(id)); } catch (e) { page(errText(e)); return; }
  const a = c.applicant || {};
  const addr = a.address ? (typeof a.address === 'string' ? a.address
    : ['postcode', 'region', 'hromada', 'settlement', 'street', 'house', 'apartment', 'text'].map(k => a.address[k]).filter(Boolean).join(', ')) : '';
  const kv = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v ?? '')];
  const info = h('div', { class: 'card' },
    h('h2', {}, [a.surname, a.given_name, a.patronymic].filter(Boolean).join(' ')),
    h('dl', { class: 'kv' },
      kv('status', [statusBadge(c.status), c.resubmitted_at && ['submitted', 'received', 'in_review'].includes(c.status)
        ? h('span', { class: 'flag resubmitted', title: t('resubmitted_hint') }, `${t('resubmitted')} ${fmtTime(c.resubmitted_at)}`) : null]),
      kv('rnokpp', a.rnokpp), kv('birth_date', fmtDate(a.birth_date)),
      kv('phone', a.phone), kv('address', addr),
      kv('documents', (a.documents || []).map(d => `${word('documents', d.type)} ${d.number}`).join('; ')),
      kv('docs_presented', (c.documents_presented || []).join(', ')),
      kv('mobility', word('mobility', a.mobility)), kv('unit', unitText(c.unit)), kv('device', c.device), kv('operator', c.operator),
      kv('trip', c.trip ? [c.trip.settlement, word('trip_kinds', c.trip.kind), c.trip.started_at ? fmtTime(c.trip.started_at) : ''].filter(Boolean).join(' · ') : ''),
      kv('created', fmtTime(c.created_at)), kv('received', fmtTime(c.received_at)),
      kv('fee', c.fee_uah), kv('consent', c.consent ? t('yes') : t('no')), kv('notes', c.notes)));

  // Decisions: only the moves the hub offers (`moves`, read from the state
  // machine), a confirmation before a refusal, Ctrl+Enter in a reason sends
  // the decision chosen for it.  A package has a row per service.
  const NEEDS_REASON = new Set(['rejected', 'needs_info']);
  const LABEL = { in_review: 'in_review', approved: 'approve', rejected: 'reject', needs_info: 'needs_info' };
  const CLASS = { approved: 'ok', rejected: 'bad' };
  const svcs = c.services || [];
  const pkg = svcs.length > 1;
  const title = s => lang === 'en' ? (s.title_en || s.code) : (s.title_uk || s.code);
  const decide = async (decision, ctl, service) => {
    ctl.err.textContent = '';
    const reason = ctl.reason.value.trim();
    if (NEEDS_REASON.has(decision) && !reason) {
      ctl.err.textContent = t('reason_required');
      ctl.pending = decision;
      ctl.hint.textContent = t('ctrl_enter', { d: t(LABEL[decision]) });
      ctl.reason.focus();
      return;
    }
    if (decision === 'rejected') {
      const waiting = svcs.filter(x => x.status === c.status).length;
      const what = service ? t('what_service', { s: title(service), n: c.number })
        : pkg ? t('what_all', { n: c.number, k: waiting }) : t('what_case', { n: c.number });
      if (!await confirmDialog(t('confirm_reject', { what, r: reason }), t('reject'), true)) return;
    }
    const body = service ? { services: [{ code: service.code, decision, reason: reason || undefined }] }
      : { decision, reason: reason || undefined };
    try {
      await api('POST', `/api/cases/${encodeURIComponent(c.id)}/decision`, body);
      toast(t('saved'));
      showCase(c.id);
    } catch (e) { ctl.err.textContent = errText(e); }
  };
  // one reason field with its buttons; ids: prefix + '-' + decision
  const controls = (moves, prefix, reasonAttrs, service) => {
    const ctl = { pending: null };
    ctl.reason = h('textarea', reasonAttrs);
    ctl.err = h('p', { class: 'err', role: 'alert' });
    ctl.hint = h('p', { class: 'muted hint' });
    ctl.reason.addEventListener('keydown', ev => {
      if (ev.key !== 'Enter' || !(ev.ctrlKey || ev.metaKey)) return;
      ev.preventDefault();
      if (ctl.pending) decide(ctl.pending, ctl, service);
      else ctl.hint.textContent = t('pick_decision');
    });
    ctl.buttons = h('div', { class: 'actions' }, moves.filter(m => LABEL[m]).map(m => h('button', {
      type: 'button', id: `${prefix}-${m}`, class: CLASS[m], 'data-decision': m,
      onclick: () => { ctl.pending = m; decide(m, ctl, service); },
    }, t(LABEL[m]))));
    return ctl;
  };

  const svcRows = svcs.map(s => {
    const cells = [h('td', {}, s.code), h('td', {}, title(s), s.category ? h('div', { class: 'muted category' }, word('categories', s.category)) : null), h('td', {}, statusBadge(s.status))];
    if (pkg) {
      const moves = s.moves || [];
      if (!moves.length) cells.push(h('td', { class: 'muted' }, t('no_moves_service')));
      else {
        const ctl = controls(moves, `svc-${s.code}`, { id: `reason-${s.code}`, rows: 1, placeholder: t('service_reason'), 'aria-label': `${t('service_reason')}: ${title(s)}` }, s);
        cells.push(h('td', { class: 'svc-decision' }, ctl.reason, ctl.buttons, ctl.hint, ctl.err));
      }
    }
    return h('tr', { id: `svc-${s.code}`, 'data-status': s.status }, cells);
  });
  const services = h('div', { class: 'card' }, h('h2', {}, pkg ? t('per_service') : t('services')),
    h('table', { id: 'services' },
      pkg ? h('thead', {}, h('tr', {}, ['code', 'service', 'status', 'service_decision'].map(k => h('th', { scope: 'col' }, t(k))))) : null,
      h('tbody', {}, svcRows)));

  const moves = c.moves || [];
  let decisions;
  if (!moves.length) {
    const note = c.status === 'approved' ? t('approved_note') : c.status === 'needs_info' ? t('needs_info_note')
      : t('final_note', { s: statusName(c.status) });
    decisions = h('div', { class: 'card', id: 'decision' }, h('h2', {}, t('decision')), h('p', { class: 'muted', id: 'no-moves' }, note));
  } else {
    const ctl = controls(moves, 'btn', { id: 'reason', 'aria-label': t('reason') }, null);
    const waiting = svcs.filter(x => x.status === c.status).length;
    decisions = h('div', { class: 'card', id: 'decision' }, h('h2', {}, pkg ? t('decide_all') : t('decision')),
      pkg ? h('p', { class: 'muted' }, t('decide_all_hint', { s: statusName(c.status), k: waiting, n: svcs.length })) : null,
      h('label', {}, t('reason'), ctl.reason), ctl.buttons, ctl.hint, ctl.err);
  }

  const assign = await assignCard(c);

  const ctext = h('textarea', { id: 'comment', 'aria-label': t('comment') });
  const comment = h('div', { class: 'card' }, h('h2', {}, t('comment')), ctext,
    h('div', { class: 'actions' }, h('button', {
      type: 'button', onclick: async () => {
        if (!ctext.value.trim()) return;
        try { await api('POST', `/api/cases/${encodeURIComponent(c.id)}/comments`, { text: ctext.value.trim() }); toast(t('saved')); showCase(c.id); } catch (e) { showError(e); }
      },
    }, t('add_comment'))));

  const docs = h('div', { class: 'card' }, h('h2', {}, t('attachments')),
    (c.attachments || []).length ? (c.attachments || []).map(d => {
      const url = '/api/blobs/' + d.sha256;
      let view = null;
      if (d.present === false) view = h('p', { class: 'muted' }, t('not_uploaded'));
      else if ((d.media_type || '').startsWith('image/')) view = h('img', { src: url, alt: d.name || d.kind || 'scan', loading: 'lazy' });
      else if (d.media_type === 'application/pdf') view = h('iframe', { src: url, title: d.name || 'PDF' });
      return h('div', { class: 'doc' }, h('a', { href: url, target: '_blank', rel: 'noopener' }, `${word('documents', d.kind)} ${d.name || d.sha256.slice(0, 12)} (${sizeText(d.size)})`), view);
    }) : h('p', { class: 'muted' }, t('no_attachments')));

  // the history (hub/history.c): who is the administrator with the laptop's
  // code, a field edit says old → new in words
  const fieldValue = (field, v) => {
    if (v === null || v === undefined || v === '') return '—';
    if (typeof v === 'boolean') return t(v ? 'yes' : 'no');
    if (field === 'applicant.birth_date') return fmtDate(v);
    if (field === 'applicant.mobility') return word('mobility', v);
    if (field === 'services' && Array.isArray(v)) return v.map(x => `${x.code} (${statusName(x.status)})`).join(', ');
    if (field === 'applicant.documents' && Array.isArray(v)) return v.map(d => `${word('documents', d.type)} ${d.number || ''}`.trim()).join(', ');
    if (Array.isArray(v)) return v.map(x => typeof x === 'object' ? Object.values(x).join(' ') : x).join(', ');
    if (typeof v === 'object') return Object.values(v).filter(Boolean).join(', ');
    return String(v);
  };
  const what = ev => {
    switch (ev.kind) {
      case 'transition': return h('span', {}, statusName(ev.from || ''), ' → ', statusName(ev.to || ''), ev.service ? ` (${ev.service})` : '');
      case 'created': return h('span', { class: 'created' }, t('h_created'));
      case 'arrived': return h('span', { class: 'arrived' }, t('h_arrived'));
      case 'assigned': return h('span', { class: 'assigned' }, ev.to ? `${t('h_assigned')}: ${ev.to}` : t('h_unassigned'),
        ev.from ? ` (${t('assignee')}: ${ev.from} → ${ev.to || '—'})` : '');
      case 'edited': return h('span', { class: 'edit', 'data-field': ev.field }, `${word('fields', ev.field)}: `,
        h('del', {}, fieldValue(ev.field, ev.old)), ' → ', h('ins', {}, fieldValue(ev.field, ev.new)));
      case 'attachment': return h('span', { class: 'attachment' }, `${t('h_attachment')}: ${ev.name || (ev.sha256 || '').slice(0, 12)}`,
        ` (${[word('documents', ev.document), sizeText(ev.size)].filter(Boolean).join(', ')})`);
      case 'rating': return h('span', { class: 'rating' }, t('h_rating', { s: ev.score }), ev.comment ? ` — ${ev.comment}` : '');
      case 'comment': return h('span', {}, t('comment'));
      case 'message': return h('span', { class: 'message', 'data-state': ev.state },
        `${t('h_message')}: ${t('msg_' + ev.event)} — ${t('msg_' + ev.state)}`,
        ev.attempts ? ` (${t('msg_attempts')}: ${ev.attempts})` : '',
        ev.state !== 'sent' && ev.error ? ` · ${t('msg_err_' + ev.error)}${ev.detail ? ' (' + ev.detail + ')' : ''}` : '',
        ev.sent_at ? ` · ${fmtTime(ev.sent_at)}` : '');
      case 'payment': return h('span', { class: 'payment' }, t('pay_title'));
      default: return null;
    }
  };
  const hist = h('div', { class: 'card' }, h('h2', {}, t('history')),
    h('ol', { class: 'timeline', id: 'history' }, (c.history || []).map(ev => h('li', { 'data-kind': ev.kind },
      h('time', { datetime: ev.at || '' }, `${fmtTime(ev.at)} · ${ev.who || (ev.actor === 'hub' ? t('h_hub') : ev.actor) || ''}`),
      what(ev),
      ev.reason ? h('div', {}, ev.reason) : null,
      ev.text ? h('div', {}, ev.text) : null))));

  const quarantine = (c.quarantined || []).length ? h('div', { class: 'card quarantine' }, h('h2', {}, t('quarantined')),
    h('ul', {}, c.quarantined.map(q => h('li', { title: q.message || '' }, `#${q.n}: ${hasWord('errors', q.code) ? word('errors', q.code) : q.message}`)))) : null;
  const ratings = (c.ratings || []).length ? h('div', { class: 'card' }, h('h2', {}, t('ratings')),
    h('ul', {}, c.ratings.map(r => h('li', { title: t('h_rating', { s: r.score }) }, '★'.repeat(r.score) + '☆'.repeat(5 - r.score), ` ${t('h_rating', { s: r.score })}`, r.comment ? ' — ' + r.comment : '')))) : null;

  page(t('case_title', { n: c.number }),
    h('p', {}, h('a', { href: '#/queue' }, t('back'))),
    h('div', { class: 'grid2' },
      h('div', {}, info, services, paymentCard(h, c.payment, fmtTime), docs),
      h('div', {}, assign, decisions, comment, quarantine, hist, ratings)));
}

// Who handles the case: to me, to a colleague (the enabled staff), or nobody.
async function assignCard(c) {
  if (!state.staff) {
    try { state.staff = await api('GET', '/api/staff'); } catch { state.staff = []; }
  }
  const me = state.me.login;
  const out = h('p', { class: 'err', role: 'alert' });
  const set = async login => {
    out.textContent = '';
    try {
      await api('POST', `/api/cases/${encodeURIComponent(c.id)}/assign`, { login });
      toast(login ? t('assign_done', { l: login }) : t('unassign_done'));
      showCase(c.id);
    } catch (e) { out.textContent = errText(e); }
  };
  const others = state.staff.filter(u => u.login !== me && u.login !== c.assignee);
  const who = h('select', { id: 'assign-who', 'aria-label': t('assign_pick') },
    others.map(u => h('option', { value: u.login }, u.login)));
  return h('div', { class: 'card', id: 'assign' }, h('h2', {}, t('assign_title')),
    h('p', { id: 'assignee', 'data-login': c.assignee || '' },
      c.assignee ? (c.assignee === me ? t('assigned_you', { l: me }) : c.assignee) : t('nobody')),
    h('div', { class: 'actions' },
      c.assignee === me ? null : h('button', { type: 'button', id: 'assign-me', class: 'primary', onclick: () => set(me) }, t('assign_me')),
      others.length ? h('label', {}, t('assign_pick'), who) : null,
      others.length ? h('button', { type: 'button', id: 'assign-to', onclick: () => set(who.value) }, t('assign_to')) : null,
      c.assignee ? h('button', { type: 'button', id: 'unassign', onclick: () => set(null) }, t('unassign')) : null),
    out);
}

// ---- reports ----
// the annual table of a CNAP's report: people served per kind of unit
const ANNUAL_COLS = [['units', 'annual_units'], ['trips', 'annual_trips'], ['home_visits', 'annual_home_visits'],
  ['citizens', 'annual_citizens'], ['citizens_with_disabilities', 'annual_disabled'], ['applications', 'annual_apps'],
  ['services', 'annual_services'], ['package_applications', 'annual_packages'], ['refusals', 'annual_refusals']];

function annualTable(r) {
  const rows = (r.per_unit_kind || []).filter(k => k.units > 0);
  const cell = (k, c) => h('td', { class: 'num' }, k[c] == null ? '—' : String(k[c]));
  const total = {};
  for (const [c] of ANNUAL_COLS) total[c] = rows.some(k => k[c] != null) ? rows.reduce((a, k) => a + (k[c] || 0), 0) : null;
  total.citizens = r.citizens; // a citizen served by two kinds is one person
  const extra = [['status_lookups', r.status_lookups], ['messages_sent', r.messages_sent]].filter(([, v]) => v != null);
  return h('div', { class: 'card annual', id: 'annual' }, h('h2', {}, t('annual_title')),
    h('table', { id: 'annual-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('annual_kind')), ...ANNUAL_COLS.map(([, l]) => h('th', { scope: 'col' }, t(l))))),
      h('tbody', {}, rows.map(k => h('tr', { 'data-kind': k.kind }, h('th', { scope: 'row' }, word('unit_kinds', k.kind)), ...ANNUAL_COLS.map(([c]) => cell(k, c))))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, t('annual_total')), ...ANNUAL_COLS.map(([c]) => cell(total, c))))),
    extra.length ? h('p', {}, extra.map(([k, v]) => `${t(k)}: ${v}`).join(' · ')) : null,
    visitsSummary(r));
}

// the services most asked for, the rest as one bar, so the chart stays readable
// (and the report fits one printed page); the workbook has them all
const TOP_SERVICES = 12;
function topServices(rows) {
  const bars = [...rows].sort((a, b) => b.count - a.count)
    .map(x => ({ label: lang === 'en' ? (x.title_en || x.code) : (x.title_uk || x.code), value: x.count }));
  if (bars.length <= TOP_SERVICES + 1) return bars;
  const rest = bars.slice(TOP_SERVICES);
  return [...bars.slice(0, TOP_SERVICES),
    { label: t('other_services', { n: rest.length }), value: rest.reduce((a, x) => a + x.value, 0) }];
}

async function showReports() {
  const params = queryFromHash();
  const form = h('form', {
    class: 'filters card', onsubmit: ev => {
      ev.preventDefault();
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
      location.hash = '#/reports?' + p.toString();
    },
  },
  h('label', {}, t('from'), h('input', { type: 'date', name: 'from', value: params.get('from') || '' })),
  h('label', {}, t('to'), h('input', { type: 'date', name: 'to', value: params.get('to') || '' })),
  h('label', {}, t('unit'), h('select', { name: 'unit' }, h('option', { value: '' }, t('all')),
    state.units.map(u => h('option', { value: u.code, selected: params.get('unit') === u.code }, u.code)))),
  h('button', { class: 'primary', type: 'submit' }, t('apply')));
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  const xlsx = h('a', { href: withLang('/api/reports/summary.xlsx?' + params.toString()), download: 'report.xlsx', id: 'report-xlsx' }, t('export_xlsx'));
  const print = h('button', { type: 'button', id: 'report-print', onclick: () => window.print() }, t('print'));
  page(t('reports_title'), form, h('div', { class: 'actions report-actions' }, xlsx, print), body);
  let r;
  try { r = await api('GET', '/api/reports/summary?' + params.toString()); } catch (e) { body.replaceChildren(h('p', { class: 'err' }, errText(e))); return; }
  const kpi = (label, v) => h('div', { class: 'kpi' }, h('b', {}, v), label);
  const dec = r.decisions || {};
  body.replaceChildren(
    h('div', { class: 'kpis', id: 'kpis' },
      kpi(t('applications'), r.applications), kpi(t('citizens'), r.citizens),
      kpi(t('refusal_rate'), `${Math.round((r.refusal_rate || 0) * 1000) / 10} %`),
      kpi(t('avg_decision'), r.avg_hours_to_decision == null ? '—' : Math.round(r.avg_hours_to_decision * 10) / 10),
      kpi(t('rating_avg'), r.ratings && r.ratings.count ? (Math.round(r.ratings.average * 100) / 100) + ` (${r.ratings.count})` : '—')),
    h('div', { class: 'charts' },
      h('div', { class: 'card wide', id: 'chart-services' }, h('h2', {}, t('by_service')), barChart(topServices(r.by_service || []), { title: t('by_service') })),
      h('div', { class: 'card' }, h('h2', {}, t('by_category')), barChart((r.by_category || []).map(x => ({ label: word('categories', x.category), value: x.count })), { title: t('by_category') })),
      h('div', { class: 'card' }, h('h2', {}, t('decisions_kind')), donutChart(
        ['approved', 'rejected', 'needs_info', 'in_review', 'issued', 'pending'].map(k => ({ label: k === 'pending' ? t('pending') : statusName(k), value: dec[k] || 0 })), { title: t('decisions_kind') })),
      h('div', { class: 'card' }, h('h2', {}, t('per_unit')), barChart((r.per_unit || []).map(x => ({ label: `${x.unit} ${x.name || ''}`, value: x.applications })), { title: t('per_unit') })),
      h('div', { class: 'card' }, h('h2', {}, t('per_month')), columnChart((r.per_month || []).map(x => ({ label: fmtMonth(x.month), value: x.applications })), { title: t('per_month') }))),
    annualTable(r),
    await reconciliation(h, api, params, errText),
    h('div', { class: 'card' }, h('h2', {}, t('per_trip')),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('date')), h('th', {}, t('unit')), h('th', {}, t('settlement')), h('th', {}, t('applications')))),
        h('tbody', {}, (r.per_trip || []).map(x => h('tr', {}, h('td', {}, fmtDate(x.date)), h('td', {}, x.unit || ''), h('td', {}, x.settlement || ''), h('td', {}, x.applications)))))));
}

// ---- admin ----
async function showAdmin(msg) {
  page(t('admin_title'), h('p', { class: 'muted' }, t('loading')));
  let devices, units, users, audit;
  try {
    [devices, units, users, audit] = await Promise.all([
      api('GET', '/api/admin/devices'), api('GET', '/api/admin/units'), api('GET', '/api/admin/users'), api('GET', '/api/admin/audit')]);
  } catch (e) { page(t('admin_title'), h('p', { class: 'err', role: 'alert' }, e.code === 'forbidden' ? t('forbidden') : errText(e))); return; }
  const reload = () => showAdmin();
  const devTable = h('table', { id: 'devices' },
    h('thead', {}, h('tr', {}, ...['code', 'unit', 'operator', 'status', 'last_sync', ''].map(k => h('th', {}, k ? t(k) : '')))),
    h('tbody', {}, devices.map(d => h('tr', {},
      h('td', {}, d.code), h('td', {}, d.unit), h('td', {}, d.operator || ''),
      h('td', {}, d.status === 'revoked' ? t('revoked') : t('active'), d.flagged ? h('strong', { class: 'err' }, ' · ' + t('flagged')) : null),
      h('td', {}, fmtTime(d.last_sync)),
      h('td', {}, d.status === 'revoked' ? '' : h('button', {
        type: 'button', class: 'bad', onclick: async () => {
          if (!confirm(t('confirm_revoke', { c: d.code }))) return;
          try { await api('POST', `/api/admin/devices/${encodeURIComponent(d.id)}/revoke`, {}); reload(); } catch (e) { showError(e); }
        },
      }, t('revoke')))))));

  const tokUnit = h('select', { name: 'unit' }, units.map(u => h('option', { value: u.code }, u.code)));
  const tokTtl = h('input', { type: 'number', min: 1, max: 720, value: 24, name: 'ttl_hours' });
  const tokOut = h('pre', { id: 'token' });
  const tokForm = h('form', {
    class: 'filters', onsubmit: async ev => {
      ev.preventDefault();
      try { const r = await api('POST', '/api/admin/enroll-tokens', { unit: tokUnit.value, ttl_hours: Number(tokTtl.value) }); tokOut.textContent = r.token; } catch (e) { showError(e); }
    },
  }, h('label', {}, t('unit'), tokUnit), h('label', {}, t('ttl_hours'), tokTtl), h('button', { class: 'primary', type: 'submit' }, t('issue_token')));

  const uCode = h('input', { name: 'code', required: true, size: 10 }), uName = h('input', { name: 'name', required: true });
  const uKind = h('select', { name: 'kind' }, ['office', 'case', 'truck', 'bus'].map(k => h('option', { value: k }, word('unit_kinds', k))));
  const unitForm = h('form', {
    class: 'filters', onsubmit: async ev => {
      ev.preventDefault();
      try { await api('POST', '/api/admin/units', { code: uCode.value, name: uName.value, kind: uKind.value }); reload(); } catch (e) { showError(e); }
    },
  }, h('label', {}, t('code'), uCode), h('label', {}, t('name'), uName), h('label', {}, t('kind'), uKind), h('button', { type: 'submit' }, t('add')));

  page(t('admin_title'),
    h('div', { class: 'card' }, h('h2', {}, t('devices')), devTable),
    h('div', { class: 'card' }, h('h2', {}, t('tokens')), tokForm, tokOut, h('p', { class: 'muted' }, t('token_hint'))),
    usersCard(users, msg),
    h('div', { class: 'card' }, h('h2', {}, t('units')), h('ul', {}, units.map(u => h('li', {}, `${u.code} — ${u.name} (${word('unit_kinds', u.kind)})`))), unitForm),
    h('div', { class: 'card' }, h('h2', {}, t('audit')),
      h('table', {}, h('tbody', {}, audit.slice(0, 100).map(x => h('tr', {}, h('td', {}, fmtTime(x.at)), h('td', {}, x.actor), h('td', { 'data-action': x.action }, word('audit_actions', x.action)), h('td', {}, x.target || ''), h('td', {}, statusWords(x.detail))))))));
}

// ---- admin: staff accounts ----
// The hub (hub/users.c) is the one place for the rules; the page checks the
// same few things first only to answer in plain words without a round trip.
const ROLES = ['reviewer', 'supervisor', 'admin'];
const LOGIN_RE = /^[A-Za-z0-9._@-]{1,64}$/;
const PASSWORD_MIN = 8; // hub_password_hash refuses anything shorter

const roleName = r => t('role_' + r) === 'role_' + r ? r : t('role_' + r);

// an error of an account change, in plain words
function accountError(e) {
  const words = {
    conflict: 'u_err_exists', last_admin: 'u_err_last_admin', not_found: 'u_err_not_found',
    bad_request: 'u_err_bad', forbidden: 'forbidden', busy: 'u_err_busy', rate_limited: 'u_err_busy',
    csrf: 'u_err_session', unauthenticated: 'u_err_session',
  };
  if (e instanceof ApiError) return t(words[e.code] || 'u_err_hub', { s: e.status, n: PASSWORD_MIN });
  return t('u_err_network');
}

function passwordProblem(a, b) {
  if (a.length < PASSWORD_MIN) return t('u_pw_short', { n: PASSWORD_MIN });
  if (a !== b) return t('u_pw_mismatch');
  return null;
}

function usersCard(users, msg) {
  const out = h('p', { id: 'users-msg', class: msg && !msg.ok ? 'err' : 'okmsg', role: 'status', 'aria-live': 'polite' }, msg ? msg.text : '');
  const say = (text, ok) => { out.textContent = text; out.className = ok ? 'okmsg' : 'err'; toast(text); };
  const done = text => { toast(text); showAdmin({ text, ok: true }); };
  const roleOptions = cur => ROLES.map(r => h('option', { value: r, selected: r === cur }, roleName(r)));

  const rows = [];
  for (const u of users) {
    const self = state.me && u.login === state.me.login;
    const row = h('tr', { 'data-login': u.login });
    const pwRow = h('tr', { class: 'pw-row', hidden: true });
    const roleSel = h('select', { class: 'u-role', 'aria-label': t('u_role_for', { l: u.login }) }, roleOptions(u.role));
    const changeRole = async () => {
      const role = roleSel.value;
      if (role === u.role) { say(t('u_role_same', { l: u.login, r: roleName(role) }), false); return; }
      if (self && !confirm(t('confirm_role_self', { r: roleName(role) }))) return;
      try {
        await api('POST', `/api/admin/users/${encodeURIComponent(u.login)}/role`, { role });
        done(t('u_role_done', { l: u.login, r: roleName(role) }));
      } catch (e) { say(accountError(e), false); }
    };
    const toggle = async () => {
      const op = u.disabled ? 'enable' : 'disable';
      if (!confirm(t('confirm_' + op, { l: u.login }))) return;
      try {
        await api('POST', `/api/admin/users/${encodeURIComponent(u.login)}/${op}`, {});
        done(t('u_' + op + '_done', { l: u.login }));
      } catch (e) { say(accountError(e), false); }
    };
    const p1 = h('input', { type: 'password', class: 'u-pw1', autocomplete: 'new-password', minlength: PASSWORD_MIN, 'aria-label': t('u_new_pw') });
    const p2 = h('input', { type: 'password', class: 'u-pw2', autocomplete: 'new-password', minlength: PASSWORD_MIN, 'aria-label': t('u_repeat_pw') });
    const pwErr = h('span', { class: 'err', role: 'alert' });
    const pwForm = h('form', {
      class: 'filters', onsubmit: async ev => {
        ev.preventDefault();
        const bad = passwordProblem(p1.value, p2.value);
        pwErr.textContent = bad || '';
        if (bad) { (p1.value.length < PASSWORD_MIN ? p1 : p2).focus(); return; }
        try {
          await api('POST', `/api/admin/users/${encodeURIComponent(u.login)}/password`, { password: p1.value });
          p1.value = p2.value = '';
          done(t('u_password_done', { l: u.login }));
        } catch (e) { pwErr.textContent = accountError(e); }
      },
    },
    h('label', {}, t('u_new_pw'), p1), h('label', {}, t('u_repeat_pw'), p2),
    h('button', { type: 'submit', class: 'primary u-pw-save' }, t('save')),
    h('button', { type: 'button', onclick: () => { pwRow.hidden = true; p1.value = p2.value = ''; pwErr.textContent = ''; } }, t('cancel')),
    h('span', { class: 'muted' }, t('u_pw_hint', { n: PASSWORD_MIN })), pwErr);
    pwRow.append(h('td', { colspan: 5 }, pwForm));
    row.append(
      h('td', {}, h('strong', {}, u.login), self ? h('span', { class: 'muted' }, ' ' + t('u_you')) : null),
      h('td', { class: 'role', 'data-role': u.role }, roleName(u.role)),
      h('td', { class: 'state', 'data-state': u.disabled ? 'disabled' : 'active' },
        h('span', { class: u.disabled ? 'status st-rejected' : 'status st-approved' }, u.disabled ? t('u_disabled') : t('active'))),
      h('td', {}, fmtTime(u.created_at), u.password_changed_at ? h('div', { class: 'muted' }, t('u_pw_changed', { d: fmtTime(u.password_changed_at) })) : null),
      h('td', {}, h('div', { class: 'actions tight' },
        roleSel, h('button', { type: 'button', class: 'u-role-save', onclick: changeRole }, t('u_change_role')),
        self ? null : h('button', { type: 'button', class: u.disabled ? 'ok u-enable' : 'bad u-disable', onclick: toggle }, u.disabled ? t('u_enable') : t('u_disable')),
        h('button', { type: 'button', class: 'u-password', onclick: () => { pwRow.hidden = false; p1.focus(); } }, t('u_set_pw')))));
    rows.push(row, pwRow);
  }

  const lLogin = h('input', { id: 'u-login', required: true, size: 14, autocomplete: 'off' });
  const lRole = h('select', { id: 'u-new-role' }, roleOptions('reviewer'));
  const lPass = h('input', { id: 'u-pass', type: 'password', required: true, autocomplete: 'new-password' });
  const lPass2 = h('input', { id: 'u-pass2', type: 'password', required: true, autocomplete: 'new-password' });
  const addForm = h('form', {
    class: 'filters', id: 'user-add', onsubmit: async ev => {
      ev.preventDefault();
      const login = lLogin.value.trim();
      const bad = LOGIN_RE.test(login) ? passwordProblem(lPass.value, lPass2.value) : t('u_login_bad');
      if (bad) { say(bad, false); return; }
      try {
        await api('POST', '/api/admin/users', { login, role: lRole.value, password: lPass.value });
        done(t('u_add_done', { l: login, r: roleName(lRole.value) }));
      } catch (e) { say(accountError(e), false); }
    },
  }, h('label', {}, t('login'), lLogin), h('label', {}, t('role'), lRole),
  h('label', {}, t('password'), lPass), h('label', {}, t('u_repeat_pw'), lPass2),
  h('button', { type: 'submit', class: 'primary' }, t('u_add')));

  return h('div', { class: 'card', id: 'users-card' }, h('h2', {}, t('users')), out,
    h('table', { id: 'users' },
      h('thead', {}, h('tr', {}, ...['login', 'role', 'status', 'u_created', ''].map(k => h('th', { scope: 'col' }, k ? t(k) : '')))),
      h('tbody', {}, rows)),
    h('h3', {}, t('u_add_title')), addForm,
    h('p', { class: 'muted' }, t('u_hint', { n: PASSWORD_MIN })));
}

// ---- router ----
async function route() {
  paintChrome();
  if (!state.me) { showLogin(); return; }
  const parts = location.hash.split('?')[0].split('/');
  try {
    switch (parts[1]) {
      case 'case': await showCase(decodeURIComponent(parts[2] || '')); break;
      case 'reports': await showReports(); break;
      case 'visits': await showVisits(); break;
      case 'visit': await showVisit(decodeURIComponent(parts[2] || '')); break;
      case 'admin': await showAdmin(); break;
      case 'catalogue': await showCatalogue({ h, api, page, errText, fmtTime, me: state.me,
        onChange: async () => { state.services = await api('GET', '/api/services'); } }); break;
      default: await showQueue();
    }
  } catch (e) { showError(e); }
}

async function boot() {
  try {
    [state.units, state.services] = await Promise.all([api('GET', '/api/units'), api('GET', '/api/services')]);
  } catch (e) { if (e.status === 401) return; showError(e); }
  if (!location.hash) location.hash = '#/queue';
  route();
}

// the home-visit pages (visits.js) use the same helpers
initVisits({ h, api, page, errText, fmtTime, toast, state, unitText, serviceTitle, statusBadge, query: queryFromHash });

document.getElementById('lang').addEventListener('click', async () => {
  setLang(lang === 'uk' ? 'en' : 'uk');
  const tst = document.getElementById('toast'); // a toast in the other language goes
  tst.classList.remove('show');
  tst.textContent = '';
  await loadWords();
  route();
});
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout', {}); } catch { /* signed out anyway */ }
  state.me = null;
  location.hash = '';
  showLogin();
});
window.addEventListener('hashchange', route);

(async () => {
  await loadWords();
  try { state.me = await api('GET', '/api/me'); } catch { state.me = null; }
  if (state.me) boot(); else showLogin();
})();
