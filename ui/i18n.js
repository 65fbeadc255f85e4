// i18n.js — UI text, Ukrainian by default, English on request.
// The language is kept in localStorage ("mo_lang"); t(key, vars) looks a key up.

const uk = {
  skip: 'Перейти до змісту', brand: 'Мобільний ЦНАП', nav_queue: 'Черга заяв',
  nav_reports: 'Звіти', nav_admin: 'Адміністрування', logout: 'Вийти',
  login_title: 'Вхід для працівників', login: 'Логін', password: 'Пароль', sign_in: 'Увійти',
  bad_login: 'Неправильний логін або пароль.', rate_limited: 'Забагато спроб. Спробуйте через {s} с.',
  queue_title: 'Черга заяв', status: 'Статус', unit: 'Підрозділ', service: 'Послуга',
  from: 'З дати', to: 'По дату', search: 'Пошук (номер, прізвище, РНОКПП)', apply: 'Показати',
  export_csv: 'Експорт CSV', all: 'усі', number: 'Номер', applicant: 'Заявник', services: 'Послуги',
  created: 'Створено', edited: 'Змінено на ноутбуці', received: 'Отримано',
  'f_applicant.phone': 'Телефон', 'f_applicant.surname': 'Прізвище', 'f_applicant.given_name': "Ім'я",
  'f_applicant.patronymic': 'По батькові', 'f_applicant.birth_date': 'Дата народження', 'f_applicant.rnokpp': 'РНОКПП',
  'f_applicant.address': 'Адреса', 'f_applicant.documents': 'Документи', f_notes: 'Примітки', f_documents_presented: 'Подані документи',
  f_services: 'Послуги', f_consent: 'Згода', f_fee_uah: 'Збір', page: 'Сторінка {p} з {n}', prev: '← Попередня',
  next: 'Наступна →', total: 'Знайдено: {n}', nothing: 'Нічого не знайдено.',
  case_title: 'Заява {n}', back: '← До черги', rnokpp: 'РНОКПП', birth_date: 'Дата народження',
  phone: 'Телефон', address: 'Адреса', documents: 'Документи', docs_presented: 'Пред’явлені документи',
  operator: 'Адміністратор', trip: 'Виїзд', device: 'Ноутбук', fee: 'Вартість, грн',
  consent: 'Згода на обробку даних', yes: 'так', no: 'ні', notes: 'Примітки', mobility: 'Мобільність',
  history: 'Історія', attachments: 'Скановані документи', no_attachments: 'Немає сканів.',
  not_uploaded: 'файл ще не надійшов', quarantined: 'Відхилені зміни (карантин)',
  ratings: 'Оцінки громадянина', decision: 'Рішення', reason: 'Причина / коментар',
  in_review: 'Взяти в роботу', approve: 'Погодити', reject: 'Відмовити', needs_info: 'Запросити документи',
  reason_required: 'Для відмови чи запиту документів потрібна причина.', comment: 'Коментар',
  add_comment: 'Додати коментар', saved: 'Збережено', per_service: 'Рішення по окремих послугах',
  reports_title: 'Звіти', applications: 'Заяв', citizens: 'Громадян обслуговано',
  refusal_rate: 'Частка відмов', avg_decision: 'Сер. час до рішення, год', rating_avg: 'Сер. оцінка',
  by_category: 'Послуги за категоріями', decisions_kind: 'Рішення за видами',
  per_unit: 'За підрозділами', per_trip: 'За виїздами', per_month: 'За місяцями',
  settlement: 'Населений пункт', date: 'Дата', admin_title: 'Адміністрування',
  devices: 'Ноутбуки', revoke: 'Відкликати', revoked: 'відкликано', active: 'активний',
  flagged: 'потребує уваги', code: 'Код', name: 'Назва', kind: 'Тип', add: 'Додати',
  units: 'Підрозділи', users: 'Користувачі', role: 'Роль', tokens: 'Токен для підключення ноутбука',
  ttl_hours: 'Дійсний, год', issue_token: 'Видати токен', token_hint: 'Передайте токен адміністратору ноутбука: mo-agent enroll --hub URL --token ТОКЕН --operator ІМ’Я',
  audit: 'Журнал дій', last_sync: 'Остання синхронізація', confirm_revoke: 'Відкликати ноутбук {c}? Він більше не зможе синхронізуватися.',
  error: 'Помилка: {m}', loading: 'Завантаження…', st_draft: 'чернетка', st_submitted: 'подано',
  st_received: 'отримано', st_in_review: 'на розгляді', st_approved: 'погоджено', st_issued: 'видано',
  st_rejected: 'відмовлено', st_needs_info: 'потрібні документи', st_cancelled: 'скасовано',
  pending: 'очікують', actor: 'Хто', forbidden: 'Недостатньо прав.',
  decide_all: 'Рішення для всіх послуг', decide_all_hint: 'Застосовується до кожної послуги зі статусом «{s}»: {k} з {n}.',
  service_decision: 'Рішення', service_reason: 'Причина для цієї послуги',
  final_note: 'Рішення остаточне (заява: {s}). Змінити його не можна.',
  approved_note: 'Заяву погоджено. Далі документи видають на ноутбуці мобільного офісу.',
  needs_info_note: 'Чекаємо документів від заявника: заява повернеться на розгляд після доповнення.',
  no_moves_service: 'рішень немає', ctrl_enter: 'Ctrl+Enter — «{d}»',
  pick_decision: 'Оберіть рішення кнопкою нижче; Ctrl+Enter надішле його.',
  confirm_title: 'Підтвердіть рішення', cancel: 'Скасувати',
  confirm_reject: '{what} Заявник отримає відмову з причиною: «{r}». Рішення остаточне — змінити його не можна.',
  what_case: 'Відмовити у заяві {n}?', what_all: 'Відмовити в усіх послугах заяви {n}, що чекають рішення ({k})?',
  what_service: 'Відмовити в послузі «{s}» заяви {n}?',
  err_illegal_transition: 'Цей крок уже неможливий: статус змінився. Оновіть сторінку.',
  err_missing_reason: 'Для відмови чи запиту документів потрібна причина.',
  err_not_found: 'Заяву або послугу не знайдено.',
  cases_one: '{n} заяву', cases_few: '{n} заяви', cases_many: '{n} заяв',
  pick: 'Вибрати заяву {n}', pick_all: 'Вибрати всі заяви на сторінці', selected: 'Вибрано: {n}',
  bulk_in_review: 'Взяти в роботу ({n})', bulk_approved: 'Погодити ({n})',
  bulk_confirm_in_review: 'Взяти {what} у роботу?', bulk_confirm_approved: 'Погодити {what}?',
  bulk_note: 'Кожну буде записано окремо в історії заяви та в журналі дій; заяви, для яких цей крок уже неможливий, буде пропущено.',
  bulk_done: 'Виконано: {d}. Не вдалося: {f}.',
};

const en = {
  skip: 'Skip to content', brand: 'Mobile CNAP', nav_queue: 'Queue', nav_reports: 'Reports',
  nav_admin: 'Administration', logout: 'Sign out', login_title: 'Staff sign-in', login: 'Login',
  password: 'Password', sign_in: 'Sign in', bad_login: 'Wrong login or password.',
  rate_limited: 'Too many attempts. Try again in {s} s.', queue_title: 'Application queue',
  status: 'Status', unit: 'Unit', service: 'Service', from: 'From', to: 'To',
  search: 'Search (number, surname, RNOKPP)', apply: 'Show', export_csv: 'Export CSV', all: 'all',
  number: 'Number', applicant: 'Applicant', services: 'Services', created: 'Created', edited: 'Edited on the laptop',
  'f_applicant.phone': 'Phone', 'f_applicant.surname': 'Surname', 'f_applicant.given_name': 'Given name',
  'f_applicant.patronymic': 'Patronymic', 'f_applicant.birth_date': 'Date of birth', 'f_applicant.rnokpp': 'RNOKPP',
  'f_applicant.address': 'Address', 'f_applicant.documents': 'Documents', f_notes: 'Notes', f_documents_presented: 'Documents presented',
  f_services: 'Services', f_consent: 'Consent', f_fee_uah: 'Fee',
  received: 'Received', page: 'Page {p} of {n}', prev: '← Previous', next: 'Next →',
  total: 'Found: {n}', nothing: 'Nothing found.', case_title: 'Application {n}',
  back: '← Back to queue', rnokpp: 'RNOKPP', birth_date: 'Birth date', phone: 'Phone',
  address: 'Address', documents: 'Documents', docs_presented: 'Documents presented',
  operator: 'Administrator', trip: 'Trip', device: 'Laptop', fee: 'Fee, UAH',
  consent: 'Consent to data processing', yes: 'yes', no: 'no', notes: 'Notes', mobility: 'Mobility',
  history: 'History', attachments: 'Scanned documents', no_attachments: 'No scans.',
  not_uploaded: 'file not received yet', quarantined: 'Refused changes (quarantine)',
  ratings: 'Citizen ratings', decision: 'Decision', reason: 'Reason / comment',
  in_review: 'Take into review', approve: 'Approve', reject: 'Reject', needs_info: 'Request documents',
  reason_required: 'A reason is required to reject or to request documents.', comment: 'Comment',
  add_comment: 'Add comment', saved: 'Saved', per_service: 'Decisions per service',
  reports_title: 'Reports', applications: 'Applications', citizens: 'Citizens served',
  refusal_rate: 'Refusal rate', avg_decision: 'Avg hours to decision', rating_avg: 'Avg rating',
  by_category: 'Services by category', decisions_kind: 'Decisions by kind', per_unit: 'Per unit',
  per_trip: 'Per trip', per_month: 'Per month', settlement: 'Settlement', date: 'Date',
  admin_title: 'Administration', devices: 'Laptops', revoke: 'Revoke', revoked: 'revoked',
  active: 'active', flagged: 'needs attention', code: 'Code', name: 'Name', kind: 'Kind', add: 'Add',
  units: 'Units', users: 'Users', role: 'Role', tokens: 'Laptop enrolment token', ttl_hours: 'Valid, hours',
  issue_token: 'Issue token', token_hint: 'Give the token to the laptop administrator: mo-agent enroll --hub URL --token TOKEN --operator NAME',
  audit: 'Audit log', last_sync: 'Last sync', confirm_revoke: 'Revoke laptop {c}? It will no longer sync.',
  error: 'Error: {m}', loading: 'Loading…', st_draft: 'draft', st_submitted: 'submitted',
  st_received: 'received', st_in_review: 'in review', st_approved: 'approved', st_issued: 'issued',
  st_rejected: 'rejected', st_needs_info: 'needs documents', st_cancelled: 'cancelled',
  pending: 'pending', actor: 'By', forbidden: 'Not allowed for your role.',
  decide_all: 'Decision for all services', decide_all_hint: 'Applies to every service with status “{s}”: {k} of {n}.',
  service_decision: 'Decision', service_reason: 'Reason for this service',
  final_note: 'The decision is final (application: {s}). It cannot be changed.',
  approved_note: 'Approved. The documents are now handed over on the mobile office laptop.',
  needs_info_note: 'Waiting for documents from the applicant: the application comes back for review once amended.',
  no_moves_service: 'no decisions', ctrl_enter: 'Ctrl+Enter — “{d}”',
  pick_decision: 'Choose a decision with a button below; Ctrl+Enter will send it.',
  confirm_title: 'Confirm the decision', cancel: 'Cancel',
  confirm_reject: '{what} The applicant will be refused with the reason: “{r}”. The decision is final and cannot be changed.',
  what_case: 'Reject application {n}?', what_all: 'Reject every service of application {n} awaiting a decision ({k})?',
  what_service: 'Reject the service “{s}” of application {n}?',
  err_illegal_transition: 'This step is no longer possible: the status has changed. Reload the page.',
  err_missing_reason: 'A reason is required to reject or to request documents.',
  err_not_found: 'The application or service was not found.',
  cases_one: '{n} application', cases_few: '{n} applications', cases_many: '{n} applications',
  pick: 'Select application {n}', pick_all: 'Select every application on the page', selected: 'Selected: {n}',
  bulk_in_review: 'Take into review ({n})', bulk_approved: 'Approve ({n})',
  bulk_confirm_in_review: 'Take {what} into review?', bulk_confirm_approved: 'Approve {what}?',
  bulk_note: 'Each is recorded separately in its history and in the audit log; applications for which the step is no longer possible are skipped.',
  bulk_done: 'Done: {d}. Failed: {f}.',
};

const tables = { uk, en };
export let lang = (localStorage.getItem('mo_lang') === 'en') ? 'en' : 'uk';

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'uk';
  localStorage.setItem('mo_lang', lang);
  document.documentElement.lang = lang;
}

export function t(key, vars) {
  let s = tables[lang][key] ?? uk[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function statusName(st) { return t('st_' + st); }

// "{n} заяву / заяви / заяв": key + _one, _few or _many by the number
export function plural(n, key) {
  const m10 = n % 10, m100 = n % 100;
  const form = lang === 'en' ? (n === 1 ? 'one' : 'many')
    : m10 === 1 && m100 !== 11 ? 'one' : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? 'few' : 'many';
  return t(`${key}_${form}`, { n });
}

// is there a text for this key (in either language)?
export function has(key) { return key in uk || key in en; }
