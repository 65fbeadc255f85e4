// visits.js — the "Виїзди" (home visits) pages of the review UI: the list
// with its filters, the request form, and a visit's page (request → visit →
// applications, with the time from request to visit).  Uses only the JSON
// API of docs/api.md ("Home-visit requests"); every value goes into the
// page as text (the h() helper of app.js), never as markup.
import { t, lang, word } from './i18n.js';

const STATES = ['requested', 'scheduled', 'visited', 'cancelled'];
let ui = null; // what app.js shares: h, api, page, errText, fmtTime, toast, state, unitText, serviceTitle, statusBadge, query

export function initVisits(deps) { ui = deps; }

const stateName = s => word('visit_states', s);
const stateBadge = s => ui.h('span', { class: `status vst-${s}`, 'data-state': s }, stateName(s));

// "2026-12-10" → "10.12.2026"
export function fmtDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  return m ? `${m[3]}.${m[2]}.${m[1]}` : (s || '');
}

function fullName(c) {
  return [c?.surname, c?.given_name, c?.patronymic].filter(Boolean).join(' ');
}

function addressText(a) {
  if (!a) return '';
  if (typeof a === 'string') return a;
  return ['postcode', 'region', 'hromada', 'settlement', 'street', 'house', 'apartment', 'text']
    .map(k => a[k]).filter(Boolean).join(', ');
}

// a time as the centre reads it: Kyiv time, "04.12.2026, 22:04"
function fmtTime(s) {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d) ? s : d.toLocaleString(lang === 'en' ? 'en-GB' : 'uk-UA', {
    timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

// "2,5 дн." / "2.5 days"
function daysText(d) {
  if (d === null || d === undefined) return '—';
  const n = Math.round(d * 10) / 10;
  return t('v_days', { n: lang === 'en' ? String(n) : String(n).replace('.', ',') });
}

// ---- the list and the request form ----
export async function showVisits() {
  const { h, api, page, state } = ui;
  const params = ui.query();
  const sel = (name, opts) => h('select', { name, id: 'vf-' + name },
    h('option', { value: '' }, t('all')),
    ...opts.map(([v, label]) => h('option', { value: v, selected: params.get(name) === v }, label)));
  const filters = h('form', {
    class: 'filters card', role: 'search', id: 'visit-filters',
    onsubmit: ev => {
      ev.preventDefault();
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(filters)) if (v) p.set(k, v);
      location.hash = '#/visits?' + p.toString();
    },
  },
  h('label', {}, t('unit'), sel('unit', state.units.map(u => [u.code, `${u.code} — ${u.name}`]))),
  h('label', {}, t('v_state'), sel('state', STATES.map(s => [s, stateName(s)]))),
  h('label', {}, t('from'), h('input', { type: 'date', name: 'from', value: params.get('from') || '' })),
  h('label', {}, t('to'), h('input', { type: 'date', name: 'to', value: params.get('to') || '' })),
  h('label', {}, t('v_search'), h('input', { type: 'search', name: 'q', id: 'vf-q', value: params.get('q') || '', size: 24, maxlength: 200 })),
  h('button', { class: 'primary', type: 'submit' }, t('apply')));

  const list = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  page(t('v_title'), filters, newVisitForm(), list);
  let data;
  try { data = await api('GET', '/api/visits?' + params.toString()); } catch (e) { list.replaceChildren(h('p', { class: 'err' }, ui.errText(e))); return; }
  const visits = data.visits || [];
  if (!visits.length) { list.replaceChildren(h('p', { class: 'muted', id: 'visits-none' }, t('nothing'))); return; }
  list.replaceChildren(
    h('p', { class: 'muted', id: 'visits-total' }, t('total', { n: visits.length })),
    h('table', { id: 'visits' },
      h('thead', {}, h('tr', {}, ...['number', 'v_state', 'v_citizen', 'phone', 'unit', 'v_preferred', 'v_requested'].map(k => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, visits.map(v => h('tr', { 'data-id': v.id },
        h('td', {}, h('a', { href: '#/visit/' + encodeURIComponent(v.id) }, v.number)),
        h('td', {}, stateBadge(v.state)),
        h('td', {}, fullName(v.citizen)),
        h('td', {}, v.citizen?.phone || ''),
        h('td', {}, ui.unitText(v.unit)),
        h('td', {}, fmtDate(v.preferred_date)),
        h('td', {}, fmtTime(v.requested_at)))))));
}

function newVisitForm() {
  const { h, api, state } = ui;
  const input = (name, attrs) => h('input', { name, id: 'v-' + name, ...attrs });
  const unit = h('select', { name: 'unit', id: 'v-unit', required: true },
    h('option', { value: '' }, t('v_pick_unit')),
    state.units.map(u => h('option', { value: u.code }, `${u.code} — ${u.name}`)));
  const services = h('select', { name: 'services', id: 'v-services', multiple: true, size: 6 },
    state.services.filter(s => s.active !== false).map(s =>
      h('option', { value: s.code }, `${s.code} ${lang === 'en' ? s.title_en : s.title_uk}`.slice(0, 80))));
  const err = h('p', { class: 'err', role: 'alert', id: 'v-error' });
  const f = {
    surname: input('surname', { required: true, maxlength: 100, autocomplete: 'off' }),
    given_name: input('given_name', { required: true, maxlength: 100, autocomplete: 'off' }),
    patronymic: input('patronymic', { maxlength: 100, autocomplete: 'off' }),
    phone: input('phone', { required: true, type: 'tel', maxlength: 32, placeholder: '+380 67 123 45 67' }),
    address: input('address', { required: true, maxlength: 200, size: 40 }),
    mobility: input('mobility', { maxlength: 32 }),
    preferred_date: input('preferred_date', { type: 'date' }),
    reason: h('textarea', { name: 'reason', id: 'v-reason', maxlength: 1000, rows: 2 }),
    note: h('textarea', { name: 'note', id: 'v-note', maxlength: 2000, rows: 2 }),
  };
  const form = h('form', {
    id: 'visit-new', class: 'card',
    onsubmit: async ev => {
      ev.preventDefault();
      err.textContent = '';
      const citizen = { surname: f.surname.value.trim(), given_name: f.given_name.value.trim(),
        phone: f.phone.value.trim(), address: f.address.value.trim() };
      if (f.patronymic.value.trim()) citizen.patronymic = f.patronymic.value.trim();
      if (f.mobility.value.trim()) citizen.mobility = f.mobility.value.trim();
      const body = { unit: unit.value, citizen, services: [...services.selectedOptions].map(o => o.value) };
      if (f.preferred_date.value) body.preferred_date = f.preferred_date.value;
      if (f.reason.value.trim()) body.reason = f.reason.value.trim();
      if (f.note.value.trim()) body.note = f.note.value.trim();
      try {
        const v = await api('POST', '/api/visits', body);
        ui.toast(t('v_created', { n: v.number }));
        location.hash = '#/visit/' + encodeURIComponent(v.id);
      } catch (e) { err.textContent = ui.errText(e); }
    },
  },
  h('h2', {}, t('v_new')),
  h('div', { class: 'filters' },
    h('label', {}, t('unit'), unit),
    h('label', {}, t('v_surname'), f.surname), h('label', {}, t('v_given_name'), f.given_name),
    h('label', {}, t('v_patronymic'), f.patronymic), h('label', {}, t('phone'), f.phone),
    h('label', {}, t('address'), f.address), h('label', {}, t('mobility'), f.mobility),
    h('label', {}, t('v_preferred'), f.preferred_date)),
  h('div', { class: 'filters' },
    h('label', {}, t('services'), services),
    h('label', {}, t('v_reason'), f.reason), h('label', {}, t('v_note'), f.note)),
  h('p', { class: 'muted' }, t('v_services_hint')),
  h('button', { type: 'submit', class: 'primary', id: 'v-submit' }, t('v_submit')), err);
  return form;
}

// ---- one visit ----
export async function showVisit(id) {
  const { h, api, page } = ui;
  page(t('loading'));
  let v;
  try { v = await api('GET', '/api/visits/' + encodeURIComponent(id)); } catch (e) { page(ui.errText(e)); return; }
  const c = v.citizen || {};
  const kv = (k, val) => [h('dt', {}, t(k)), h('dd', {}, val ?? '')];
  const info = h('div', { class: 'card', id: 'visit-info' },
    h('h2', {}, fullName(c)),
    h('dl', { class: 'kv' },
      kv('v_state', [stateBadge(v.state), v.state_reason ? ` ${v.state_reason}` : '']),
      kv('unit', ui.unitText(v.unit)), kv('phone', c.phone), kv('address', addressText(c.address)),
      kv('mobility', c.mobility), kv('v_reason', v.reason),
      kv('services', (v.services || []).map(s => `${s} ${ui.serviceTitle(s)}`).join('; ')),
      kv('v_preferred', fmtDate(v.preferred_date)), kv('v_scheduled', fmtDate(v.scheduled_for)),
      kv('v_note', v.note), kv('v_created_by', v.created_by)));

  // request → visit → applications
  const step = (cls, label, when, ...more) => h('li', { class: 'v-step ' + cls }, h('b', {}, label), ' ', when || '—', ...more);
  const cases = v.cases || [];
  const timeline = h('div', { class: 'card', id: 'visit-timeline' }, h('h2', {}, t('v_path')),
    h('ol', { class: 'v-path' },
      step('v-requested', t('v_step_requested'), fmtTime(v.requested_at)),
      v.state === 'cancelled' ? step('v-cancelled', t('v_step_cancelled'), v.state_reason || '')
        : step('v-visited', t('v_step_visited'), v.visited_at ? fmtTime(v.visited_at)
          : (v.scheduled_for ? t('v_planned', { d: fmtDate(v.scheduled_for) }) : t('v_not_yet'))),
      step('v-cases', t('v_step_cases'), cases.length ? '' : t('v_no_cases'),
        cases.length ? h('ul', { id: 'visit-cases' }, cases.map(k => h('li', {},
          h('a', { href: '#/case/' + encodeURIComponent(k.id) }, k.number), ' ', ui.statusBadge(k.status)))) : null)),
    h('p', { id: 'visit-days' }, t('v_days_to_visit'), ': ', h('strong', {}, daysText(v.days_to_visit))));

  const actions = [];
  if (v.state === 'requested' || v.state === 'scheduled') {
    const reason = h('input', { id: 'v-cancel-reason', maxlength: 1000, size: 40, 'aria-label': t('v_cancel_reason') });
    const err = h('span', { class: 'err', role: 'alert' });
    actions.push(h('form', {
      class: 'filters', id: 'visit-cancel', onsubmit: async ev => {
        ev.preventDefault();
        err.textContent = '';
        if (!reason.value.trim()) { err.textContent = t('v_cancel_needs_reason'); reason.focus(); return; }
        try { await api('POST', `/api/visits/${encodeURIComponent(v.id)}/cancel`, { reason: reason.value.trim() }); ui.toast(t('saved')); showVisit(v.id); } catch (e) { err.textContent = ui.errText(e); }
      },
    }, h('label', {}, t('v_cancel_reason'), reason), h('button', { type: 'submit', class: 'bad' }, t('v_cancel')), err));
  }
  if (v.state === 'requested' || v.state === 'scheduled') {
    // a correction staff learn by phone: the citizen's phone or address, the date, the note
    const phoneIn = h('input', { id: 've-phone', type: 'tel', maxlength: 32, value: c.phone || '' });
    const addrIn = h('input', { id: 've-address', maxlength: 200, size: 40, value: addressText(c.address) });
    const dateIn = h('input', { id: 've-preferred_date', type: 'date', value: v.preferred_date || '' });
    const noteIn = h('input', { id: 've-note', maxlength: 2000, size: 40, value: v.note || '' });
    const err = h('span', { class: 'err', role: 'alert' });
    actions.push(h('form', {
      class: 'filters', id: 'visit-edit', onsubmit: async ev => {
        ev.preventDefault();
        err.textContent = '';
        const citizen = {};
        if (phoneIn.value.trim() !== (c.phone || '')) citizen.phone = phoneIn.value.trim();
        if (addrIn.value.trim() !== addressText(c.address)) citizen.address = addrIn.value.trim();
        const body = {};
        if (Object.keys(citizen).length) body.citizen = citizen;
        if (dateIn.value !== (v.preferred_date || '')) body.preferred_date = dateIn.value || null;
        if (noteIn.value.trim() !== (v.note || '')) body.note = noteIn.value.trim();
        if (!Object.keys(body).length) { err.textContent = t('v_edit_nothing'); return; }
        try { await api('POST', `/api/visits/${encodeURIComponent(v.id)}/edit`, body); ui.toast(t('saved')); showVisit(v.id); } catch (e) { err.textContent = ui.errText(e); }
      },
    }, h('label', {}, t('phone'), phoneIn), h('label', {}, t('address'), addrIn),
    h('label', {}, t('v_preferred'), dateIn), h('label', {}, t('v_note'), noteIn),
    h('button', { type: 'submit' }, t('v_edit')), err));
  }
  if (v.state === 'requested') {
    const unit = h('select', { id: 'v-assign-unit', 'aria-label': t('unit') },
      ui.state.units.filter(u => u.code !== v.unit).map(u => h('option', { value: u.code }, `${u.code} — ${u.name}`)));
    const err = h('span', { class: 'err', role: 'alert' });
    if (unit.options.length) {
      actions.push(h('form', {
        class: 'filters', id: 'visit-assign', onsubmit: async ev => {
          ev.preventDefault();
          try { await api('POST', `/api/visits/${encodeURIComponent(v.id)}/assign`, { unit: unit.value }); ui.toast(t('saved')); showVisit(v.id); } catch (e) { err.textContent = ui.errText(e); }
        },
      }, h('label', {}, t('v_assign'), unit), h('button', { type: 'submit' }, t('v_assign_do')), err));
    }
  }
  page(t('v_visit_title', { n: v.number }),
    h('p', {}, h('a', { href: '#/visits' }, t('v_back'))), info, timeline,
    actions.length ? h('div', { class: 'card' }, h('h2', {}, t('v_actions')), ...actions) : null);
}

// the reports page's visits line: requested, done, cancelled, average days
export function visitsSummary(r) {
  const v = r.visits;
  if (!v) return null;
  return ui.h('p', { id: 'visits-summary' }, `${t('v_title')}: `,
    [`${t('v_requested_n')} ${v.requested}`, `${t('v_visited_n')} ${v.visited}`, `${t('v_cancelled_n')} ${v.cancelled}`,
      `${t('v_days_to_visit')} ${daysText(v.avg_days_to_visit)}`].join(' · '));
}
