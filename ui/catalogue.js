// catalogue.js — the «Каталог послуг» page of the review UI (issue 14 item 8):
// every staff member reads the catalogue; admins add services, edit titles,
// category, fee, required documents and package members, and retire a
// service (a service is never deleted: cases name it). Uses only
// GET /api/catalogue, GET /api/catalogue/versions and
// PUT /api/catalogue/services/CODE (docs/api.md); the hub checks every rule,
// this page only says the answer in words. app.js hands in its helpers.
import { t, lang, word, addTexts } from './i18n.js';

addTexts({
  uk: {
    nav_catalogue: 'Каталог послуг', cat_title: 'Каталог послуг', cat_version: 'Версія каталогу: {v}',
    cat_code: 'Код', cat_name: 'Назва', cat_category: 'Категорія', cat_fee: 'Збір, грн', cat_state: 'Стан',
    cat_svc_version: 'Версія', cat_cases: 'Заяв', cat_active: 'діє', cat_retired: 'виведена з ужитку',
    cat_package: 'пакет послуг', cat_edit: 'Змінити', cat_edit_of: 'Змінити послугу {c}', cat_new: 'Нова послуга',
    cat_title_uk: 'Назва українською', cat_title_en: 'Назва англійською', cat_docs: 'Потрібні документи (по одному в рядку)',
    cat_members: 'Послуги пакета (лише для категорії «пакет послуг»)', cat_is_active: 'Послуга діє (зніміть позначку, щоб вивести її з ужитку)',
    cat_save: 'Зберегти', cat_cancel: 'Скасувати', cat_saved: 'Послугу {c} збережено: версія {v}. Ноутбуки отримають її під час наступної синхронізації.',
    cat_unchanged: 'Нічого не змінено.', cat_conflict: 'Послугу {c} щойно змінив інший адміністратор (тепер версія новіша за {v}). Оновіть сторінку й внесіть зміну ще раз.',
    cat_reload: 'Оновити каталог', cat_history: 'Історія змін', cat_h_version: 'Версія каталогу', cat_h_at: 'Коли',
    cat_h_who: 'Хто', cat_h_what: 'Що змінено', cat_h_new: 'нова послуга', cat_readonly: 'Змінювати каталог може лише адміністратор.',
    cat_search: 'Пошук послуги (код або назва)', cat_members_hint: 'Утримуйте Ctrl, щоб вибрати кілька.',
    cat_f_category: 'категорія', cat_f_title_uk: 'назва (укр.)', cat_f_title_en: 'назва (англ.)', cat_f_fee_uah: 'збір',
    cat_f_required_documents: 'документи', cat_f_members: 'склад пакета', cat_f_active: 'стан',
  },
  en: {
    nav_catalogue: 'Service catalogue', cat_title: 'Service catalogue', cat_version: 'Catalogue version: {v}',
    cat_code: 'Code', cat_name: 'Title', cat_category: 'Category', cat_fee: 'Fee, UAH', cat_state: 'State',
    cat_svc_version: 'Version', cat_cases: 'Cases', cat_active: 'active', cat_retired: 'retired',
    cat_package: 'service package', cat_edit: 'Edit', cat_edit_of: 'Edit service {c}', cat_new: 'New service',
    cat_title_uk: 'Title in Ukrainian', cat_title_en: 'Title in English', cat_docs: 'Required documents (one per line)',
    cat_members: 'Services of the package (only for the category «service package»)', cat_is_active: 'The service is offered (untick to retire it)',
    cat_save: 'Save', cat_cancel: 'Cancel', cat_saved: 'Service {c} saved: version {v}. Laptops get it on their next sync.',
    cat_unchanged: 'Nothing changed.', cat_conflict: 'Another admin has just changed service {c} (it is now newer than version {v}). Reload the page and make your change again.',
    cat_reload: 'Reload the catalogue', cat_history: 'History of changes', cat_h_version: 'Catalogue version', cat_h_at: 'When',
    cat_h_who: 'Who', cat_h_what: 'What changed', cat_h_new: 'new service', cat_readonly: 'Only an admin can change the catalogue.',
    cat_search: 'Find a service (code or title)', cat_members_hint: 'Hold Ctrl to pick several.',
    cat_f_category: 'category', cat_f_title_uk: 'title (uk)', cat_f_title_en: 'title (en)', cat_f_fee_uah: 'fee',
    cat_f_required_documents: 'documents', cat_f_members: 'package', cat_f_active: 'state',
  },
});

const FIELDS = ['category', 'title_uk', 'title_en', 'fee_uah', 'required_documents', 'members', 'active'];

const categoryName = c => c === 'package' ? t('cat_package') : word('categories', c);
const title = s => (lang === 'en' ? s.title_en : s.title_uk) || s.code;

// the fields an edit changed, in words ("збір, стан")
function changedFields(v) {
  if (!v.old) return t('cat_h_new');
  return FIELDS.filter(f => JSON.stringify(v.old[f]) !== JSON.stringify(v.new[f]))
    .map(f => t('cat_f_' + f)).join(', ');
}

// ui: { h, api, page, errText, fmtTime, me, onChange }
export async function showCatalogue(ui, msg) {
  const { h, api, page } = ui;
  page(t('cat_title'), h('p', { class: 'muted' }, t('loading')));
  let cat, versions, words;
  try {
    [cat, versions, words] = await Promise.all([api('GET', '/api/catalogue'),
      api('GET', '/api/catalogue/versions'), api('GET', '/api/words')]);
  } catch (e) { page(t('cat_title'), h('p', { class: 'err', role: 'alert' }, ui.errText(e))); return; }
  const admin = ui.me && ui.me.role === 'admin';
  const categories = [...Object.keys(words.categories || {}), 'package'];
  const reload = m => showCatalogue(ui, m);
  const out = h('p', { id: 'cat-msg', class: msg && !msg.ok ? 'err' : 'okmsg', role: 'status', 'aria-live': 'polite' }, msg ? msg.text : '');
  const formCard = h('div', { class: 'card', id: 'cat-form-card', hidden: true });

  function editForm(s) {
    const isNew = !s;
    s = s || { code: '', category: categories[0], title_uk: '', title_en: '', fee_uah: 0, required_documents: [], active: true, version: 0 };
    const err = h('p', { class: 'err', role: 'alert', id: 'cat-form-err' });
    const code = h('input', { id: 'cat-f-code', name: 'code', required: true, maxlength: 32, pattern: '[A-Za-z0-9._-]{1,32}', value: s.code, readonly: !isNew });
    const catSel = h('select', { id: 'cat-f-category', name: 'category' },
      categories.map(c => h('option', { value: c, selected: c === s.category }, categoryName(c))));
    const tuk = h('input', { id: 'cat-f-title-uk', name: 'title_uk', required: true, maxlength: 500, value: s.title_uk, lang: 'uk' });
    const ten = h('input', { id: 'cat-f-title-en', name: 'title_en', required: true, maxlength: 500, value: s.title_en, lang: 'en' });
    const fee = h('input', { id: 'cat-f-fee', name: 'fee_uah', type: 'number', min: 0, max: 10000000, step: 1, value: s.fee_uah ?? 0 });
    const docs = h('textarea', { id: 'cat-f-docs', name: 'required_documents', rows: 3 });
    docs.value = (s.required_documents || []).join('\n');
    const members = h('select', { id: 'cat-f-members', name: 'members', multiple: true, size: 6, 'aria-describedby': 'cat-f-members-hint' },
      cat.services.filter(x => !(x.members && x.members.length) && x.code !== s.code)
        .map(x => h('option', { value: x.code, selected: (s.members || []).includes(x.code) }, `${x.code} — ${title(x)}`)));
    const active = h('input', { id: 'cat-f-active', name: 'active', type: 'checkbox', checked: s.active !== false });
    const body = () => {
      const b = { version: s.version, category: catSel.value, title_uk: tuk.value.trim(), title_en: ten.value.trim(),
        required_documents: docs.value.split('\n').map(x => x.trim()).filter(Boolean), active: active.checked,
        members: [...members.selectedOptions].map(o => o.value) };
      if (fee.value !== '' && (catSel.value !== 'package' || s.fee_uah !== undefined)) b.fee_uah = Number(fee.value);
      return b;
    };
    const form = h('form', {
      id: 'cat-form', onsubmit: async ev => {
        ev.preventDefault();
        err.textContent = '';
        const c = code.value.trim();
        try {
          const r = await api('PUT', '/api/catalogue/services/' + encodeURIComponent(c), body());
          if (ui.onChange) await ui.onChange();
          reload({ ok: true, text: r.changed ? t('cat_saved', { c, v: r.version }) : t('cat_unchanged') });
        } catch (e) {
          err.textContent = e.code === 'conflict' && !isNew ? t('cat_conflict', { c, v: s.version }) : ui.errText(e);
          if (e.code === 'conflict' && !isNew) err.append(' ', h('button', { type: 'button', id: 'cat-reload', onclick: () => reload() }, t('cat_reload')));
        }
      },
    },
    h('div', { class: 'filters' }, h('label', {}, t('cat_code'), code), h('label', {}, t('cat_category'), catSel),
      h('label', {}, t('cat_fee'), fee)),
    h('label', {}, t('cat_title_uk'), tuk), h('label', {}, t('cat_title_en'), ten),
    h('label', {}, t('cat_docs'), docs),
    h('label', {}, t('cat_members'), members), h('p', { class: 'hint muted', id: 'cat-f-members-hint' }, t('cat_members_hint')),
    h('label', { class: 'check' }, h('span', {}, t('cat_is_active')), active),
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit', id: 'cat-save' }, t('cat_save')),
      h('button', { type: 'button', onclick: () => { formCard.hidden = true; } }, t('cat_cancel'))),
    err);
    formCard.replaceChildren(h('h2', { id: 'cat-form-title' }, isNew ? t('cat_new') : t('cat_edit_of', { c: s.code })), form);
    formCard.hidden = false;
    (isNew ? code : tuk).focus();
  }

  const search = h('input', { id: 'cat-search', type: 'search', 'aria-label': t('cat_search'), placeholder: t('cat_search') });
  const rows = cat.services.map(s => {
    const tr = h('tr', { 'data-code': s.code, class: s.active === false ? 'retired' : null },
      h('td', {}, s.code), h('td', {}, title(s)), h('td', {}, categoryName(s.category)),
      h('td', { class: 'num' }, s.members && s.members.length ? '' : String(s.fee_uah ?? '')),
      h('td', {}, s.active === false ? t('cat_retired') : t('cat_active')),
      h('td', { class: 'num' }, String(s.version)), h('td', { class: 'num' }, String(s.cases)),
      admin ? h('td', {}, h('button', { type: 'button', class: 'cat-edit', 'aria-label': t('cat_edit_of', { c: s.code }), onclick: () => editForm(s) }, t('cat_edit'))) : null);
    tr.dataset.text = `${s.code} ${s.title_uk} ${s.title_en}`.toLowerCase();
    return tr;
  });
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    rows.forEach(r => { r.hidden = q !== '' && !r.dataset.text.includes(q); });
  });
  const table = h('table', { id: 'catalogue' },
    h('thead', {}, h('tr', {}, ...['cat_code', 'cat_name', 'cat_category', 'cat_fee', 'cat_state', 'cat_svc_version', 'cat_cases']
      .map(k => h('th', { scope: 'col' }, t(k))), admin ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('cat_edit'))) : null)),
    h('tbody', {}, rows));
  const history = h('table', { id: 'cat-history' },
    h('thead', {}, h('tr', {}, ...['cat_h_version', 'cat_h_at', 'cat_h_who', 'cat_code', 'cat_h_what'].map(k => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, versions.slice(0, 100).map(v => h('tr', {},
      h('td', { class: 'num' }, String(v.version)), h('td', {}, ui.fmtTime(v.at)), h('td', {}, v.actor),
      h('td', {}, v.code), h('td', {}, changedFields(v))))));

  page(t('cat_title'),
    h('p', { id: 'cat-version' }, t('cat_version', { v: cat.version })), out,
    h('div', { class: 'card' },
      h('div', { class: 'filters' }, search,
        admin ? h('button', { type: 'button', class: 'primary', id: 'cat-add', onclick: () => editForm(null) }, t('cat_new')) : null),
      admin ? null : h('p', { class: 'muted' }, t('cat_readonly')),
      table),
    formCard,
    h('div', { class: 'card' }, h('h2', {}, t('cat_history')), versions.length ? history : h('p', { class: 'muted' }, '—')));
}
