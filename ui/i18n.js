// i18n.js — UI text, Ukrainian by default, English on request.
// The language is kept in localStorage ("mo_lang"); t(key, vars) looks a key up.
// The hub's codes (statuses, categories, unit and trip kinds, audit actions,
// document types, error codes) are not here: they come in words from the one
// table in the hub (hub/words.c, GET /api/words), see word() below.

const uk = {
  // home-visit requests (ui/visits.js, issue 15 item 1)
  nav_visits: 'Виїзди', v_title: 'Виїзди додому', v_state: 'Стан', v_citizen: 'Громадянин',
  v_preferred: 'Бажана дата', v_requested: 'Замовлено', v_search: 'Пошук (номер, ПІБ, адреса, телефон)',
  v_new: 'Замовити виїзд', v_pick_unit: '— оберіть підрозділ —', v_surname: 'Прізвище', v_given_name: "Ім'я",
  v_patronymic: 'По батькові', v_reason: 'Причина виїзду', v_note: 'Примітка', v_submit: 'Замовити',
  v_services_hint: 'Послуги: утримуйте Ctrl, щоб обрати кілька.', v_created: 'Виїзд {n} замовлено.',
  v_visit_title: 'Виїзд {n}', v_back: '← До виїздів', v_scheduled: 'Заплановано на', v_created_by: 'Замовив(ла)',
  v_path: 'Замовлення → виїзд → заяви', v_step_requested: 'Замовлено:', v_step_visited: 'Виїзд:',
  v_step_cancelled: 'Скасовано:', v_step_cases: 'Заяви:', v_planned: 'заплановано на {d}', v_not_yet: 'ще не відбувся',
  v_no_cases: 'ще немає', v_days_to_visit: 'Від замовлення до виїзду', v_days: '{n} дн.',
  v_actions: 'Дії', v_cancel: 'Скасувати виїзд', v_cancel_reason: 'Причина скасування',
  v_cancel_needs_reason: 'Вкажіть причину скасування.', v_assign: 'Передати підрозділу', v_assign_do: 'Передати',
  v_requested_n: 'замовлено', v_visited_n: 'виконано', v_cancelled_n: 'скасовано',
  v_edit: 'Зберегти зміни', v_edit_nothing: 'Нічого не змінено.',
  // fees and payments (ui/payments.js)
  uah: 'грн', pay_title: 'Оплата збору', pay_line: 'Очікується {e}, сплачено {p}', pay_none: 'Оплат ще немає.',
  pay_state_paid: 'сплачено повністю', pay_state_free: 'безоплатно', pay_state_due: 'борг {d}', pay_state_over: 'переплата {d}',
  pay_when: 'Коли', pay_amount: 'Сума', pay_method: 'Спосіб', pay_receipt: 'Квитанція', pay_source: 'Звідки',
  pay_from_bank: 'банківська виписка', pay_expected: 'Очікується', pay_paid: 'Сплачено', pay_diff: 'Різниця',
  pay_bank_id: 'Операція банку', pay_purpose: 'Призначення платежу',
  rec_title: 'Звірка оплат', rec_cases: 'Заяв', rec_paid: 'Сплачено повністю', rec_unpaid: 'Не сплачено або не повністю',
  rec_overpaid: 'Переплата', rec_unmatched: 'Платежі без заяви',
  // history, exports, reports (issue 14, items 5-7)
  h_created: 'Створено на ноутбуці', h_arrived: 'Отримано центром', h_attachment: 'Скан документа',
  h_rating: 'Оцінка: {s} з 5', h_hub: 'центр', export_xlsx: 'Експорт Excel (XLSX)', print: 'Друкувати',
  by_service: 'Послуги за видами', other_services: 'Інші послуги ({n})', switch_lang: 'Перемкнути мову на англійську',
  size_b: '{n} Б', size_kb: '{n} КБ', size_mb: '{n} МБ',
  // the team's queue: assignment, flags, filters, sort (issue 14, item 2)
  assignee: 'Виконавець', nobody: 'нікому не призначено', assign_title: 'Хто веде заяву',
  assign_me: 'Взяти собі', assign_to: 'Передати колезі', assign_pick: 'Колега', unassign: 'Зняти призначення',
  assigned_you: '{l} (ви)', h_assigned: 'Призначено', h_unassigned: 'Знято призначення',
  h_message: 'SMS заявнику', msg_received: 'заяву отримано', msg_needs_info: 'потрібні документи',
  msg_approved: 'заяву задоволено', msg_rejected: 'відмова', msg_queued: 'у черзі', msg_sent: 'надіслано',
  msg_failed: 'не вдалося надіслати', msg_attempts: 'спроб', msg_err_gateway_unreachable: 'шлюз недоступний',
  msg_err_gateway_timeout: 'шлюз не відповів вчасно', msg_err_gateway_error: 'помилка шлюзу',
  msg_err_gateway_busy: 'шлюз перевантажений', msg_err_gateway_refused: 'шлюз відхилив повідомлення',
  msg_err_gateway_dropped: "зв'язок зі шлюзом обірвався", msg_err_gateway_body: 'повідомлення не сформовано',
  assign_done: 'Заяву призначено: {l}.', unassign_done: 'Призначення знято.',
  q_mine: 'мої', q_unassigned: 'без виконавця', q_search: 'Пошук (номер, ПІБ кирилицею чи латиницею, РНОКПП, телефон)',
  resubmitted: 'повторно подано', resubmitted_hint: 'Повернулася після запиту документів',
  attention: 'Чекає з', q_trip: 'Виїзд', q_settlement: 'Населений пункт', q_operator: 'Адміністратор',
  q_trip_kind: 'Вид виїзду', q_mobility: 'Мобільність', q_mobility_any: 'будь-які обмеження',
  sort_by: 'Сортувати за {c}',
  skip: 'Перейти до змісту', brand: 'Мобільний ЦНАП', nav_queue: 'Черга заяв',
  nav_reports: 'Звіти', nav_admin: 'Адміністрування', logout: 'Вийти',
  login_title: 'Вхід для працівників', login: 'Логін', password: 'Пароль', sign_in: 'Увійти',
  bad_login: 'Неправильний логін або пароль.', rate_limited: 'Забагато спроб. Спробуйте через {s} с.',
  queue_title: 'Черга заяв', status: 'Статус', unit: 'Підрозділ', service: 'Послуга',
  from: 'З дати', to: 'По дату', search: 'Пошук (номер, прізвище, РНОКПП)', apply: 'Показати',
  export_csv: 'Експорт CSV', all: 'усі', number: 'Номер', applicant: 'Заявник', services: 'Послуги',
  created: 'Створено', edited: 'Змінено на ноутбуці', received: 'Отримано',
  page: 'Сторінка {p} з {n}', prev: '← Попередня',
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
  annual_title: 'Робота мобільних офісів за типами підрозділів', annual_kind: 'Тип підрозділу',
  annual_units: 'Підрозділів', annual_trips: 'Виїздів', annual_home_visits: 'Виїздів додому (виконано)',
  annual_citizens: 'Осіб обслуговано', annual_disabled: 'з них з обмеженою мобільністю',
  annual_apps: 'Заяв', annual_services: 'Послуг', annual_packages: 'Заяв на пакетні послуги',
  annual_refusals: 'Відмов (послуг)', annual_total: 'Разом', status_lookups: 'Перевірок стану за квитанцією',
  messages_sent: 'Надіслано SMS про стан',
  settlement: 'Населений пункт', date: 'Дата', admin_title: 'Адміністрування',
  devices: 'Ноутбуки', revoke: 'Відкликати', revoked: 'відкликано', active: 'активний',
  flagged: 'потребує уваги', code: 'Код', name: 'Назва', kind: 'Тип', add: 'Додати',
  units: 'Підрозділи', users: 'Користувачі', role: 'Роль', tokens: 'Токен для підключення ноутбука',
  ttl_hours: 'Дійсний, год', issue_token: 'Видати токен', token_hint: 'Передайте токен адміністратору ноутбука: mo-agent enroll --hub URL --token ТОКЕН --operator ІМ’Я',
  audit: 'Журнал дій', last_sync: 'Остання синхронізація', confirm_revoke: 'Відкликати ноутбук {c}? Він більше не зможе синхронізуватися.',
  error: 'Помилка: {m}', loading: 'Завантаження…', 
  pending: 'очікують', actor: 'Хто', forbidden: 'Недостатньо прав.',
  decide_all: 'Рішення для всіх послуг', decide_all_hint: 'Застосовується до кожної послуги зі статусом «{s}»: {k} з {n}.',
  service_decision: 'Рішення', service_reason: 'Причина для цієї послуги',
  final_note: 'Рішення остаточне (заява: {s}). Змінити його не можна.',
  approved_note: 'Заяву погоджено. Далі документи видають на ноутбуці мобільного офісу.',
  needs_info_note: 'Чекаємо документів від заявника: заява повернеться на розгляд після доповнення.',
  no_moves_service: 'рішень немає', ctrl_enter: 'Ctrl+Enter — «{d}»',
  pick_decision: 'Оберіть рішення кнопкою нижче; Ctrl+Enter надішле його.',
  confirm_title: 'Підтвердіть рішення',
  confirm_reject: '{what} Заявник отримає відмову з причиною: «{r}». Рішення остаточне — змінити його не можна.',
  what_case: 'Відмовити у заяві {n}?', what_all: 'Відмовити в усіх послугах заяви {n}, що чекають рішення ({k})?',
  what_service: 'Відмовити в послузі «{s}» заяви {n}?',
  cases_one: '{n} заяву', cases_few: '{n} заяви', cases_many: '{n} заяв',
  pick: 'Вибрати заяву {n}', pick_all: 'Вибрати всі заяви на сторінці', selected: 'Вибрано: {n}',
  bulk_in_review: 'Взяти в роботу ({n})', bulk_approved: 'Погодити ({n})',
  bulk_confirm_in_review: 'Взяти {what} у роботу?', bulk_confirm_approved: 'Погодити {what}?',
  bulk_note: 'Кожну буде записано окремо в історії заяви та в журналі дій; заяви, для яких цей крок уже неможливий, буде пропущено.',
  bulk_done: 'Виконано: {d}. Не вдалося: {f}.',
  // staff accounts (admin page)
  role_reviewer: 'розгляд заяв', role_supervisor: 'керівник (звіти)', role_admin: 'адміністратор системи',
  u_created: 'Створено', u_you: '(це ви)', u_disabled: 'вимкнено', u_disable: 'Вимкнути', u_enable: 'Увімкнути',
  u_change_role: 'Змінити роль', u_role_for: 'Нова роль для {l}', u_set_pw: 'Новий пароль',
  u_new_pw: 'Новий пароль', u_repeat_pw: 'Повторіть пароль', save: 'Зберегти', cancel: 'Скасувати',
  u_pw_hint: 'щонайменше {n} символів', u_pw_changed: 'пароль змінено {d}',
  u_add_title: 'Додати користувача', u_add: 'Додати користувача',
  u_hint: 'Логін — латинські літери, цифри та . _ - @. Пароль — щонайменше {n} символів. Вимкнення чи новий пароль одразу завершують усі сеанси цього користувача.',
  confirm_disable: 'Вимкнути користувача {l}? Його буде одразу виведено з системи на всіх пристроях, увійти знову він не зможе.',
  confirm_enable: 'Увімкнути користувача {l}? Він знову зможе входити зі своїм паролем.',
  confirm_role_self: 'Змінити вашу власну роль на «{r}»? Ви можете втратити доступ до цієї сторінки.',
  u_add_done: 'Користувача {l} додано з роллю «{r}».',
  u_disable_done: 'Користувача {l} вимкнено. Усі його сеанси завершено.',
  u_enable_done: 'Користувача {l} увімкнено. Він може знову увійти.',
  u_password_done: 'Пароль користувача {l} змінено. Усі його сеанси завершено — потрібно увійти з новим паролем.',
  u_role_done: 'Роль користувача {l} змінено на «{r}». Вона діє з наступного запиту.',
  u_role_same: 'Користувач {l} уже має роль «{r}».',
  u_pw_short: 'Пароль закороткий: потрібно щонайменше {n} символів.', u_pw_mismatch: 'Паролі не збігаються. Введіть той самий пароль двічі.',
  u_login_bad: 'Логін може містити лише латинські літери, цифри та . _ - @ (до 64 символів).',
  u_err_exists: 'Користувач з таким логіном уже є. Оберіть інший логін.',
  u_err_last_admin: 'Це останній активний адміністратор. Спершу додайте або увімкніть іншого адміністратора.',
  u_err_not_found: 'Такого користувача немає (можливо, сторінка застаріла). Оновіть сторінку.',
  u_err_bad: 'Хаб не прийняв ці дані. Перевірте логін, роль і пароль (щонайменше {n} символів).',
  u_err_busy: 'Хаб зараз зайнятий. Спробуйте ще раз за хвилину.',
  u_err_session: 'Ваш сеанс завершився. Увійдіть знову.',
  u_err_hub: 'Хаб не виконав дію (код {s}). Спробуйте ще раз або зверніться до адміністратора сервера.',
  u_err_network: 'Хаб не відповідає. Перевірте з’єднання і спробуйте ще раз.',
};

const en = {
  // home-visit requests (ui/visits.js, issue 15 item 1)
  nav_visits: 'Home visits', v_title: 'Home visits', v_state: 'State', v_citizen: 'Citizen',
  v_preferred: 'Preferred date', v_requested: 'Requested', v_search: 'Search (number, name, address, phone)',
  v_new: 'Request a home visit', v_pick_unit: '— pick a unit —', v_surname: 'Surname', v_given_name: 'Given name',
  v_patronymic: 'Patronymic', v_reason: 'Reason for the visit', v_note: 'Note', v_submit: 'Request',
  v_services_hint: 'Services: hold Ctrl to pick several.', v_created: 'Home visit {n} requested.',
  v_visit_title: 'Home visit {n}', v_back: '← To home visits', v_scheduled: 'Scheduled for', v_created_by: 'Requested by',
  v_path: 'Request → visit → applications', v_step_requested: 'Requested:', v_step_visited: 'Visit:',
  v_step_cancelled: 'Cancelled:', v_step_cases: 'Applications:', v_planned: 'planned for {d}', v_not_yet: 'not yet made',
  v_no_cases: 'none yet', v_days_to_visit: 'From request to visit', v_days: '{n} days',
  v_actions: 'Actions', v_cancel: 'Cancel the visit', v_cancel_reason: 'Reason for cancelling',
  v_cancel_needs_reason: 'Give a reason for cancelling.', v_assign: 'Give to a unit', v_assign_do: 'Give',
  v_requested_n: 'requested', v_visited_n: 'done', v_cancelled_n: 'cancelled',
  v_edit: 'Save changes', v_edit_nothing: 'Nothing changed.',
  // fees and payments (ui/payments.js)
  uah: 'UAH', pay_title: 'Fee payment', pay_line: 'Expected {e}, paid {p}', pay_none: 'No payments yet.',
  pay_state_paid: 'paid in full', pay_state_free: 'free of charge', pay_state_due: '{d} due', pay_state_over: '{d} overpaid',
  pay_when: 'When', pay_amount: 'Amount', pay_method: 'Method', pay_receipt: 'Receipt', pay_source: 'From',
  pay_from_bank: 'bank statement', pay_expected: 'Expected', pay_paid: 'Paid', pay_diff: 'Difference',
  pay_bank_id: 'Bank transaction', pay_purpose: 'Purpose',
  rec_title: 'Payment reconciliation', rec_cases: 'Cases', rec_paid: 'Paid in full', rec_unpaid: 'Unpaid or part paid',
  rec_overpaid: 'Overpaid', rec_unmatched: 'Payments without a case',
  // history, exports, reports (issue 14, items 5-7)
  h_created: 'Created on the laptop', h_arrived: 'Received by the hub', h_attachment: 'Scanned document',
  h_rating: 'Rating: {s} of 5', h_hub: 'hub', export_xlsx: 'Export Excel (XLSX)', print: 'Print',
  by_service: 'Services by kind', other_services: 'Other services ({n})', switch_lang: 'Switch the language to Ukrainian',
  size_b: '{n} B', size_kb: '{n} KB', size_mb: '{n} MB',
  // the team's queue: assignment, flags, filters, sort (issue 14, item 2)
  assignee: 'Assignee', nobody: 'not assigned', assign_title: 'Who handles it',
  assign_me: 'Assign to me', assign_to: 'Assign to a colleague', assign_pick: 'Colleague', unassign: 'Unassign',
  assigned_you: '{l} (you)', h_assigned: 'Assigned', h_unassigned: 'Unassigned',
  h_message: 'SMS to the applicant', msg_received: 'application received', msg_needs_info: 'documents needed',
  msg_approved: 'application granted', msg_rejected: 'refusal', msg_queued: 'queued', msg_sent: 'sent',
  msg_failed: 'could not be sent', msg_attempts: 'attempts', msg_err_gateway_unreachable: 'gateway unreachable',
  msg_err_gateway_timeout: 'gateway did not answer in time', msg_err_gateway_error: 'gateway error',
  msg_err_gateway_busy: 'gateway busy', msg_err_gateway_refused: 'gateway refused the message',
  msg_err_gateway_dropped: 'connection to the gateway dropped', msg_err_gateway_body: 'the message could not be built',
  assign_done: 'Assigned to {l}.', unassign_done: 'Nobody is assigned now.',
  q_mine: 'mine', q_unassigned: 'unassigned', q_search: 'Search (number, name in Cyrillic or Latin, RNOKPP, phone)',
  resubmitted: 'resubmitted', resubmitted_hint: 'Came back after a request for documents',
  attention: 'Waiting since', q_trip: 'Trip', q_settlement: 'Settlement', q_operator: 'Administrator',
  q_trip_kind: 'Trip kind', q_mobility: 'Mobility', q_mobility_any: 'any limitation',
  sort_by: 'Sort by {c}',
  skip: 'Skip to content', brand: 'Mobile CNAP', nav_queue: 'Queue', nav_reports: 'Reports',
  nav_admin: 'Administration', logout: 'Sign out', login_title: 'Staff sign-in', login: 'Login',
  password: 'Password', sign_in: 'Sign in', bad_login: 'Wrong login or password.',
  rate_limited: 'Too many attempts. Try again in {s} s.', queue_title: 'Application queue',
  status: 'Status', unit: 'Unit', service: 'Service', from: 'From', to: 'To',
  search: 'Search (number, surname, RNOKPP)', apply: 'Show', export_csv: 'Export CSV', all: 'all',
  number: 'Number', applicant: 'Applicant', services: 'Services', created: 'Created', edited: 'Edited on the laptop',
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
  per_trip: 'Per trip', per_month: 'Per month',
  annual_title: 'Mobile offices by kind of unit', annual_kind: 'Kind of unit', annual_units: 'Units',
  annual_trips: 'Trips', annual_home_visits: 'Home visits (done)', annual_citizens: 'People served',
  annual_disabled: 'of them with limited mobility', annual_apps: 'Applications', annual_services: 'Services',
  annual_packages: 'Package applications', annual_refusals: 'Refusals (services)', annual_total: 'Total',
  status_lookups: 'Status lookups by receipt', messages_sent: 'Status SMS sent', settlement: 'Settlement', date: 'Date',
  admin_title: 'Administration', devices: 'Laptops', revoke: 'Revoke', revoked: 'revoked',
  active: 'active', flagged: 'needs attention', code: 'Code', name: 'Name', kind: 'Kind', add: 'Add',
  units: 'Units', users: 'Users', role: 'Role', tokens: 'Laptop enrolment token', ttl_hours: 'Valid, hours',
  issue_token: 'Issue token', token_hint: 'Give the token to the laptop administrator: mo-agent enroll --hub URL --token TOKEN --operator NAME',
  audit: 'Audit log', last_sync: 'Last sync', confirm_revoke: 'Revoke laptop {c}? It will no longer sync.',
  error: 'Error: {m}', loading: 'Loading…', 
  pending: 'pending', actor: 'By', forbidden: 'Not allowed for your role.',
  decide_all: 'Decision for all services', decide_all_hint: 'Applies to every service with status “{s}”: {k} of {n}.',
  service_decision: 'Decision', service_reason: 'Reason for this service',
  final_note: 'The decision is final (application: {s}). It cannot be changed.',
  approved_note: 'Approved. The documents are now handed over on the mobile office laptop.',
  needs_info_note: 'Waiting for documents from the applicant: the application comes back for review once amended.',
  no_moves_service: 'no decisions', ctrl_enter: 'Ctrl+Enter — “{d}”',
  pick_decision: 'Choose a decision with a button below; Ctrl+Enter will send it.',
  confirm_title: 'Confirm the decision',
  confirm_reject: '{what} The applicant will be refused with the reason: “{r}”. The decision is final and cannot be changed.',
  what_case: 'Reject application {n}?', what_all: 'Reject every service of application {n} awaiting a decision ({k})?',
  what_service: 'Reject the service “{s}” of application {n}?',
  cases_one: '{n} application', cases_few: '{n} applications', cases_many: '{n} applications',
  pick: 'Select application {n}', pick_all: 'Select every application on the page', selected: 'Selected: {n}',
  bulk_in_review: 'Take into review ({n})', bulk_approved: 'Approve ({n})',
  bulk_confirm_in_review: 'Take {what} into review?', bulk_confirm_approved: 'Approve {what}?',
  bulk_note: 'Each is recorded separately in its history and in the audit log; applications for which the step is no longer possible are skipped.',
  bulk_done: 'Done: {d}. Failed: {f}.',
  // staff accounts (admin page)
  role_reviewer: 'reviewer', role_supervisor: 'supervisor', role_admin: 'admin',
  u_created: 'Created', u_you: '(you)', u_disabled: 'disabled', u_disable: 'Disable', u_enable: 'Enable',
  u_change_role: 'Change role', u_role_for: 'New role for {l}', u_set_pw: 'New password',
  u_new_pw: 'New password', u_repeat_pw: 'Repeat the password', save: 'Save', cancel: 'Cancel',
  u_pw_hint: 'at least {n} characters', u_pw_changed: 'password changed {d}',
  u_add_title: 'Add a user', u_add: 'Add user',
  u_hint: 'Login: Latin letters, digits and . _ - @. Password: at least {n} characters. Disabling or a new password ends all of that user\'s sessions at once.',
  confirm_disable: 'Disable user {l}? They are signed out everywhere at once and cannot sign in again.',
  confirm_enable: 'Enable user {l}? They can sign in again with their password.',
  confirm_role_self: 'Change your own role to "{r}"? You may lose access to this page.',
  u_add_done: 'User {l} added with the role "{r}".',
  u_disable_done: 'User {l} disabled. All their sessions have ended.',
  u_enable_done: 'User {l} enabled. They can sign in again.',
  u_password_done: 'Password of {l} changed. All their sessions have ended; they sign in with the new password.',
  u_role_done: 'Role of {l} changed to "{r}". It applies from their next request.',
  u_role_same: 'User {l} already has the role "{r}".',
  u_pw_short: 'The password is too short: at least {n} characters.', u_pw_mismatch: 'The passwords do not match. Type the same password twice.',
  u_login_bad: 'A login may hold only Latin letters, digits and . _ - @ (up to 64 characters).',
  u_err_exists: 'A user with this login already exists. Choose another login.',
  u_err_last_admin: 'This is the last active admin. Add or enable another admin first.',
  u_err_not_found: 'There is no such user (the page may be out of date). Reload the page.',
  u_err_bad: 'The hub did not accept this. Check the login, the role and the password (at least {n} characters).',
  u_err_busy: 'The hub is busy right now. Try again in a minute.',
  u_err_session: 'Your session has ended. Please sign in again.',
  u_err_hub: 'The hub could not do this (code {s}). Try again or ask the server administrator.',
  u_err_network: 'The hub does not answer. Check the connection and try again.',
};

const tables = { uk, en };

// a page module's own texts (ui/catalogue.js keeps its words next to its page)
export function addTexts(more) { Object.assign(uk, more.uk); Object.assign(en, more.en); }
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

// ---- the hub's codes in words (GET /api/words, one table in hub/words.c) ----
const words = { uk: null, en: null };

// fetch the table of the current language once; the page paints after it
export async function loadWords(l = lang) {
  if (words[l]) return words[l];
  try {
    const r = await fetch('/api/words?lang=' + l, { credentials: 'same-origin' });
    if (r.ok) words[l] = await r.json();
  } catch { /* the codes show as they are */ }
  return words[l];
}

// a code in words: kind is statuses, categories, unit_kinds, trip_kinds,
// audit_actions, documents or errors; an unknown code is shown as it is
export function word(kind, code) {
  if (code === null || code === undefined || code === '') return '';
  return words[lang]?.[kind]?.[code] ?? words.uk?.[kind]?.[code] ?? String(code);
}

// is there a word for this code?
export function hasWord(kind, code) { return !!(words[lang]?.[kind]?.[code] ?? words.uk?.[kind]?.[code]); }

export function statusName(st) { return word('statuses', st); }

// "{n} заяву / заяви / заяв": key + _one, _few or _many by the number
export function plural(n, key) {
  const m10 = n % 10, m100 = n % 100;
  const form = lang === 'en' ? (n === 1 ? 'one' : 'many')
    : m10 === 1 && m100 !== 11 ? 'one' : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? 'few' : 'many';
  return t(`${key}_${form}`, { n });
}

// is there a text for this key (in either language)?
export function has(key) { return key in uk || key in en; }
