// payments.js — fees and payments in the review UI (issue 15 item 4): the
// case page's expected vs paid card, and the reports page's reconciliation
// (paid, unpaid, overpaid cases and the bank rows no case matched).
// Amounts arrive as integer kopecks and are only ever formatted here.
import { t, word } from './i18n.js';

// 125000 → "1 250,00 грн" (integer arithmetic: exact below 2^53)
export function money(kop) {
  const n = Math.trunc(Number(kop) || 0), a = Math.abs(n);
  const units = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${n < 0 ? '-' : ''}${units},${String(a % 100).padStart(2, '0')} ${t('uah')}`;
}

// the case page: {expected_kop, paid_kop, items[]} of GET /api/cases/ID
export function paymentCard(h, p, fmtTime) {
  p = p || { expected_kop: 0, paid_kop: 0, items: [] };
  const diff = p.paid_kop - p.expected_kop;
  const state = diff === 0 ? (p.expected_kop ? 'pay_state_paid' : 'pay_state_free') : diff < 0 ? 'pay_state_due' : 'pay_state_over';
  return h('div', { class: 'card', id: 'payment', 'data-state': state },
    h('h2', {}, t('pay_title')),
    h('p', { id: 'pay-line' }, t('pay_line', { e: money(p.expected_kop), p: money(p.paid_kop) }),
      ' · ', h('strong', {}, t(state, { d: money(Math.abs(diff)) }))),
    (p.items || []).length ? h('table', { id: 'pay-items' },
      h('thead', {}, h('tr', {}, ['pay_when', 'pay_amount', 'pay_method', 'pay_receipt', 'pay_source'].map(k => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, p.items.map(i => h('tr', {},
        h('td', {}, fmtTime(i.paid_at)), h('td', { class: 'num' }, money(i.amount_kop)),
        h('td', {}, word('payments', i.method)), h('td', {}, i.receipt || ''),
        h('td', {}, i.source === 'bank' ? t('pay_from_bank') : (i.device || '')))))) : h('p', { class: 'muted' }, t('pay_none')));
}

function caseTable(h, items, key) {
  if (!items.length) return h('p', { class: 'muted' }, t('nothing'));
  return h('table', { id: `rec-${key}` },
    h('thead', {}, h('tr', {}, ['number', 'unit', 'pay_expected', 'pay_paid', 'pay_diff'].map(k => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, items.map(i => h('tr', { 'data-number': i.number },
      h('td', {}, h('a', { href: '#/case/' + encodeURIComponent(i.id) }, i.number)), h('td', {}, i.unit),
      h('td', { class: 'num' }, money(i.expected_kop)), h('td', { class: 'num' }, money(i.paid_kop)),
      h('td', { class: 'num' }, money(i.difference_kop))))));
}

// the reports page: GET /api/reports/payments with the page's filters
export async function reconciliation(h, api, params, errText) {
  const card = h('div', { class: 'card', id: 'reconciliation' }, h('h2', {}, t('rec_title')), h('p', { class: 'muted' }, t('loading')));
  let r;
  try { r = await api('GET', '/api/reports/payments?' + params.toString()); } catch (e) {
    card.replaceChildren(h('h2', {}, t('rec_title')), h('p', { class: 'err' }, errText(e)));
    return card;
  }
  const sum = (key, l, k) => h('h3', { id: `rec-${key}-title` }, `${t('rec_' + key)}: ${l.count}`, k ? ` · ${money(l[k])}` : '');
  card.replaceChildren(h('h2', {}, t('rec_title')),
    h('table', { id: 'rec-units' },
      h('thead', {}, h('tr', {}, ['unit', 'rec_cases', 'pay_expected', 'pay_paid'].map(k => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, (r.per_unit || []).map(u => h('tr', { 'data-unit': u.unit }, h('td', {}, u.unit), h('td', { class: 'num' }, String(u.cases)),
        h('td', { class: 'num' }, money(u.expected_kop)), h('td', { class: 'num' }, money(u.paid_kop)))))),
    sum('paid', r.paid, 'paid_kop'), caseTable(h, r.paid.items, 'paid'),
    sum('unpaid', r.unpaid, 'due_kop'), caseTable(h, r.unpaid.items, 'unpaid'),
    sum('overpaid', r.overpaid, 'excess_kop'), caseTable(h, r.overpaid.items, 'overpaid'),
    sum('unmatched', r.unmatched, 'amount_kop'),
    r.unmatched.items.length ? h('table', { id: 'rec-unmatched' },
      h('thead', {}, h('tr', {}, ['date', 'pay_bank_id', 'pay_amount', 'pay_purpose'].map(k => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, r.unmatched.items.map(i => h('tr', {}, h('td', {}, i.date), h('td', {}, i.id),
        h('td', { class: 'num' }, money(i.amount_kop)), h('td', {}, i.purpose))))) : h('p', { class: 'muted' }, t('nothing')));
  return card;
}
