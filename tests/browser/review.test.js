// review.test.js — the review UI in a real browser (Debian's Chromium,
// headless, driven by playwright-core). A real mo-hub on 127.0.0.1 (port 0)
// holds a trip synced by a real mo-agent; the tests sign in, filter the
// queue, open cases, approve one, reject one with a reason, check that the
// decision reaches the laptop, render the reports, and save screenshots.
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, HUB, AGENT, SHOTS, run, launchBrowser, startHub as startHubProc } from './lib.mjs';

let tmp, hubData, agentData, hubProc, baseUrl, browser;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, [...a, '--data', agentData, '--lang', 'en']);

async function startHub() {
  let url;
  ({ p: hubProc, url } = await startHubProc(hubData));
  return url;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-browser-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  for (const [f, pw] of [['admin.pw', 'admin-pass-1'], ['rev.pw', 'reviewer-pass-1'], ['sup.pw', 'supervisor-pass-1']])
    writeFileSync(join(tmp, f), pw + '\n');
  hub('init', '--admin-password-file', join(tmp, 'admin.pw'));
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  hub('user', 'add', '--login', 'olena', '--role', 'reviewer', '--password-file', join(tmp, 'rev.pw'));
  hub('user', 'add', '--login', 'petro', '--role', 'supervisor', '--password-file', join(tmp, 'sup.pw'));
  baseUrl = await startHub();
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', baseUrl, '--token', token, '--operator', 'Марія Бондар');
  agent('trip', 'start', '--settlement', 'с. Новоселиця', '--kind', 'village-stop');
  agent('case', 'import', join(root, 'demo/trip.jsonl'));
  // one application typed in by hand, with a scanned document attached
  const made = agent('case', 'new', '--service', 'PAS-01', '--surname', 'Шевченко', '--given-name', 'Тарас',
    '--patronymic', 'Григорович', '--birth-date', '1953-07-23', '--tax-id', '1956229334', '--phone', '0671234567', '--consent', '--json').stdout;
  const id = JSON.parse(made).id;
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
  writeFileSync(join(tmp, 'passport.png'), png);
  agent('case', 'attach', id, join(tmp, 'passport.png'), '--type', 'passport');
  agent('sync');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hubProc && hubProc.exitCode === null) hubProc.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function signIn(login, password) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'uk-UA' });
  const page = await ctx.newPage();
  await page.goto(baseUrl + '/');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('#queue tbody tr');
  return { ctx, page };
}

test('a wrong password is refused and says so', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(baseUrl + '/');
  await page.fill('#login', 'olena');
  await page.fill('#password', 'wrong');
  await page.click('button[type=submit]');
  await page.waitForSelector('.login .err:not(:empty)');
  assert.match(await page.textContent('.login .err'), /Неправильний логін/);
  assert.equal(await page.locator('#queue').count(), 0);
  await ctx.close();
});

test('reviewer signs in and sees the synced queue in Ukrainian', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  assert.match(await page.textContent('#total'), /131/);
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  await page.screenshot({ path: join(SHOTS, 'queue.png') });
  // reports and admin are not offered to a reviewer
  assert.equal(await page.locator('nav a[href="#/reports"]').isVisible(), false);
  await ctx.close();
});

// The demo trip holds another Шевченко (Галина), so the search names the
// applicant in full: every word must match (surname, given name ...).
test('Cyrillic search is case-insensitive and filters narrow the queue', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.fill('#f-q', 'шевченко');
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 2$/.test(document.querySelector('#total')?.textContent || ''));
  await page.fill('#f-q', 'шевченко тарас');
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#total')?.textContent || ''));
  assert.match(await page.textContent('#queue tbody'), /Шевченко/);
  await page.goto(baseUrl + '/#/queue?service=PAS-01');
  await page.waitForSelector('#total');
  const n = Number((await page.textContent('#total')).replace(/\D+/g, ''));
  assert.ok(n >= 1 && n < 131, `PAS-01 filter gave ${n}`);
  await ctx.close();
});

// A package application (Втрата близької людини, 5 services) decided
// service by service, then "decide all" for the rest; only allowed moves
// are offered and a refusal is confirmed first.
test('a package application is decided service by service, then all at once', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.fill('#f-q', 'Кузьменко Анна');
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#total')?.textContent || ''));
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#decision');
  assert.equal(await page.locator('#services tbody tr').count(), 5);
  assert.match(await page.textContent('#decision h2'), /Рішення для всіх послуг/);
  // each service offers the staff moves from received, with its own reason
  for (const code of ['CIV-02', 'SOC-04', 'RES-02', 'PEN-02', 'CRT-02'])
    assert.equal(await page.locator(`#svc-${code} button[data-decision]`).count(), 4, code);
  await page.click('#svc-CIV-02-approved');
  await page.waitForSelector('#svc-CIV-02[data-status=approved]');
  assert.equal(await page.locator('#svc-CIV-02 button[data-decision]').count(), 0);
  assert.equal(await page.getAttribute('dl.kv [data-status]', 'data-status'), 'received');
  // a refusal of one service: the dialog says what happens; cancel changes nothing
  await page.fill('#reason-SOC-04', 'Не подано свідоцтво про смерть');
  await page.click('#svc-SOC-04-rejected');
  await page.waitForSelector('dialog#confirm[open]');
  const text = await page.textContent('#confirm-text');
  assert.match(text, /Відмовити в послузі/);
  assert.match(text, /Не подано свідоцтво про смерть/);
  assert.match(text, /остаточне/);
  await page.click('#confirm-cancel');
  assert.equal(await page.locator('dialog#confirm').count(), 0);
  assert.equal(await page.getAttribute('#svc-SOC-04', 'data-status'), 'received');
  await page.click('#svc-SOC-04-rejected');
  await page.click('#confirm-ok');
  await page.waitForSelector('#svc-SOC-04[data-status=rejected]');
  assert.match(await page.textContent('#history'), /SOC-04/);
  assert.match(await page.textContent('#history'), /Не подано свідоцтво про смерть/);
  await page.screenshot({ path: join(SHOTS, 'case-services.png'), fullPage: true });
  // decide all: the three services still received are approved together
  assert.match(await page.textContent('#decision'), /3 з 5/);
  await page.click('#btn-approved');
  await page.waitForSelector('dl.kv [data-status=approved]');
  const st = await page.$$eval('#services tbody tr', rows => rows.map(r => r.dataset.status));
  assert.deepEqual(st, ['approved', 'rejected', 'approved', 'approved', 'approved']);
  // approved: nothing more for staff, the buttons are gone
  assert.equal(await page.locator('#decision button').count(), 0);
  assert.equal(await page.locator('#services button').count(), 0);
  assert.match(await page.textContent('#no-moves'), /погоджено/i);
  await page.click('#lang');
  await page.waitForSelector('text=Decisions per service');
  assert.match(await page.textContent('#no-moves'), /Approved/);
  await ctx.close();
});

test('open a case with its scan, approve one and reject another with a reason', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.fill('#f-q', 'ШЕВЧЕНКО Тарас');
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#total')?.textContent || ''));
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#decision');
  assert.equal(await page.locator('.doc img').count(), 1);
  await page.screenshot({ path: join(SHOTS, 'case.png'), fullPage: true });
  await page.click('#btn-approved');
  await page.waitForSelector('dl.kv [data-status=approved]');
  assert.match(await page.textContent('#history'), /погоджено/);

  await page.goto(baseUrl + '/#/queue?status=received&sort=created&dir=desc');
  await page.waitForSelector('#queue tbody tr a');
  const number = (await page.textContent('#queue tbody tr a')).trim();
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#decision');
  await page.click('#btn-rejected');            // no reason: refused in the page
  assert.match(await page.textContent('#decision .err'), /причина/);
  await page.fill('#reason', 'Не подано довідку про доходи');
  await page.click('#btn-rejected');
  await page.waitForSelector('dialog#confirm[open]');
  assert.match(await page.textContent('#confirm-text'), new RegExp('Відмовити .*заяв[иі] ' + number));
  await page.click('#confirm-ok');
  await page.waitForSelector('dl.kv [data-status=rejected]');
  // final: no decision is offered any more
  assert.equal(await page.locator('#decision button').count(), 0);
  assert.match(await page.textContent('#no-moves'), /остаточне/);
  // the decision flows back to the laptop on its next sync
  agent('sync');
  const shown = JSON.parse(agent('case', 'show', number, '--json').stdout);
  assert.equal(shown.status, 'rejected');
  await ctx.close();
});

// (the cases these tests decide are picked newest first, sort=created&dir=desc, so
// the oldest, which later tests look for by name, stay waiting)
test('Ctrl+Enter in the reason sends the chosen decision, after the confirmation', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.goto(baseUrl + '/#/queue?status=received&sort=created&dir=desc');
  await page.waitForSelector('#queue tbody tr a');
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#btn-needs_info');
  // Ctrl+Enter before a decision is chosen sends nothing and says why
  await page.fill('#reason', 'Потрібна довідка');
  await page.press('#reason', 'Control+Enter');
  assert.match(await page.textContent('#decision .hint'), /Оберіть рішення/);
  assert.equal(await page.getAttribute('dl.kv [data-status]', 'data-status'), 'received');
  await page.fill('#reason', '');
  await page.click('#btn-rejected');            // no reason yet: the field asks for it
  assert.match(await page.textContent('#decision .hint'), /Ctrl\+Enter — «Відмовити»/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'reason');
  await page.keyboard.type('Заявник помер до подання');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('dialog#confirm[open]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-cancel');
  await page.click('#confirm-ok');
  await page.waitForSelector('dl.kv [data-status=rejected]');
  assert.match(await page.textContent('#history'), /Заявник помер до подання/);
  await ctx.close();
});

test('bulk: take 3 into review, then approve them, each confirmed and recorded', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  const get = id => page.evaluate(async x => (await fetch('/api/cases/' + encodeURIComponent(x))).json(), id);
  await page.goto(baseUrl + '/#/queue?status=received&sort=created&dir=desc');
  await page.waitForSelector('#queue tbody tr .pick');
  assert.equal(await page.isDisabled('#bulk-in_review'), true);
  const picks = page.locator('#queue tbody tr .pick');
  for (let i = 0; i < 3; i++) await picks.nth(i).check();
  const ids = await page.$$eval('#queue tbody tr .pick:checked', xs => xs.map(x => x.value));
  assert.equal(ids.length, 3);
  assert.match(await page.textContent('#bulk-in_review'), /\(3\)/);
  await page.click('#bulk-in_review');
  await page.waitForSelector('dialog#confirm[open]');
  const text = await page.textContent('#confirm-text');
  assert.match(text, /Взяти 3 заяви у роботу\?/);
  assert.match(text, /окремо в історії/);
  await page.click('#confirm-cancel');
  assert.equal((await get(ids[0])).status, 'received');
  await page.click('#bulk-in_review');
  await page.click('#confirm-ok');
  await page.waitForSelector('#bulk-result p');
  assert.match(await page.textContent('#bulk-result'), /Виконано: 3\. Не вдалося: 0\./);
  await page.goto(baseUrl + '/#/queue?status=in_review');
  await page.waitForFunction(() => /: 3$/.test(document.querySelector('#total')?.textContent || ''));
  await page.check('#pick-all');
  await page.click('#bulk-approved');
  await page.waitForSelector('dialog#confirm[open]');
  assert.match(await page.textContent('#confirm-text'), /Погодити 3 заяви\?/);
  await page.click('#confirm-ok');
  await page.waitForSelector('#bulk-result p');
  assert.match(await page.textContent('#bulk-result'), /Виконано: 3/);
  for (const id of ids) {
    const c = await get(id);
    assert.equal(c.status, 'approved');
    const mine = c.history.filter(e => e.kind === 'transition' && e.actor === 'olena').map(e => `${e.from}>${e.to}`);
    assert.deepEqual(mine, ['received>in_review', 'in_review>approved'], id);
  }
  await ctx.close();
});

// The queue for a team (issue 14, item 2): a reviewer takes a case, finds it
// under "my cases" with her name in the assignee column, hands it to a
// colleague and lets it go; every step is in the history.
test('assign to me, my cases, to a colleague, unassign', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.selectOption('#f-assignee', 'me');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('main p.muted:has-text("Нічого не знайдено")');
  await page.goto(baseUrl + '/#/queue?status=received');
  await page.waitForSelector('#queue tbody tr a');
  const number = (await page.textContent('#queue tbody tr a')).trim();
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#assign');
  assert.match(await page.textContent('#assignee'), /нікому не призначено/);
  assert.equal(await page.locator('#unassign').count(), 0);
  await page.click('#assign-me');
  await page.waitForSelector('#assignee[data-login=olena]');
  assert.match(await page.textContent('#assignee'), /olena \(ви\)/);
  assert.equal(await page.locator('#assign-me').count(), 0);
  assert.match(await page.textContent('#history'), /Призначено: olena/);
  await page.screenshot({ path: join(SHOTS, 'case-assigned.png'), fullPage: true });
  // my cases: this one alone, with the assignee shown
  await page.goto(baseUrl + '/#/queue');
  await page.waitForSelector('#f-assignee');
  await page.selectOption('#f-assignee', 'me');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#total')?.textContent || ''));
  assert.equal((await page.textContent('#queue tbody tr a')).trim(), number);
  assert.equal((await page.textContent('#queue tbody tr td.assignee')).trim(), 'olena');
  await page.screenshot({ path: join(SHOTS, 'queue-mine.png') });
  // to a colleague (picked from the active staff), then to nobody
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#assign-who');
  await page.selectOption('#assign-who', 'petro');
  await page.click('#assign-to');
  await page.waitForSelector('#assignee[data-login=petro]');
  await page.click('#unassign');
  await page.waitForSelector('#assignee[data-login=""]');
  assert.match(await page.textContent('#history'), /Знято призначення/);
  await page.goto(baseUrl + '/#/queue?assignee=me');
  await page.waitForSelector('main p.muted:has-text("Нічого не знайдено")');
  await page.goto(baseUrl + '/#/queue?assignee=none');
  await page.waitForSelector('#total');
  assert.match(await page.textContent('#total'), /131/);
  await ctx.close();
});

// A name read off a passport (the national Latin table: Шевченко → Shevchenko)
// finds the Cyrillic record; the phone, in any common form, does too; the
// trip and operator filters and a column sort narrow and order the queue.
test('search by a Latin name and by phone, trip filter, column sort', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  const total = () => page.textContent('#total');
  await page.fill('#f-q', 'Shevchenko');
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 2$/.test(document.querySelector('#total')?.textContent || ''));
  await page.fill('#f-q', 'SHEVCHENKO Taras');
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#total')?.textContent || ''));
  assert.match(await page.textContent('#queue tbody'), /Шевченко Тарас/);
  await page.screenshot({ path: join(SHOTS, 'queue-latin-search.png') });
  await page.fill('#f-q', 'Shevchenko Hanna');   // not the table's form of Галина: Halyna
  await page.press('#f-q', 'Enter');
  await page.waitForSelector('main p.muted:has-text("Нічого не знайдено")');
  await page.fill('#f-q', '067 123 45 67');        // typed in as 0671234567, stored +380671234567
  await page.press('#f-q', 'Enter');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#total')?.textContent || ''));
  assert.match(await page.textContent('#queue tbody'), /Шевченко Тарас/);
  // the trip filter offers the synced trip; the operator filter its administrator
  await page.fill('#f-q', '');
  const trips = await page.$$eval('#f-trip option', os => os.map(o => o.value).filter(Boolean));
  assert.equal(trips.length, 1);
  await page.selectOption('#f-trip', trips[0]);
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => /trip=/.test(location.hash));
  await page.waitForSelector('#total');
  const onTrip = Number((await total()).replace(/\D+/g, ''));
  assert.ok(onTrip >= 1 && onTrip <= 131, `trip filter gave ${onTrip}`);
  assert.match(await page.textContent('#f-trip'), /Новоселиця/);
  assert.ok((await page.$$eval('#f-operator option', os => os.map(o => o.value))).includes('Марія Бондар'));
  // column sort: the number, then the other way round
  await page.goto(baseUrl + '/#/queue');
  await page.waitForSelector('button.sort[data-sort=number]');
  await page.click('button.sort[data-sort=number]');
  await page.waitForSelector('th[aria-sort=ascending] button[data-sort=number]');
  const up = (await page.textContent('#queue tbody tr a')).trim();
  await page.click('button.sort[data-sort=number]');
  await page.waitForSelector('th[aria-sort=descending] button[data-sort=number]');
  const down = (await page.textContent('#queue tbody tr a')).trim();
  assert.ok(up < down, `${up} < ${down}`);
  assert.match(down, /-000131$/);
  await ctx.close();
});

// A case sent back for documents and resubmitted by the laptop is flagged
// in the queue and goes to the end of it (it needed attention last).
test('a resubmitted case is flagged and waits at the end of the queue', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  assert.equal(await page.locator('#queue .flag.resubmitted').count(), 0);
  await page.goto(baseUrl + '/#/queue?status=received&sort=number&dir=desc');
  await page.waitForFunction(() => {
    const st = [...document.querySelectorAll('#queue tbody tr [data-status]')].map(e => e.dataset.status);
    return st.length > 0 && st.every(x => x === 'received');
  });
  const first = (await page.textContent('#queue tbody tr a')).trim();
  const c = await page.evaluate(async n => (await fetch('/api/cases/' + n)).json(), first);
  const csrf = await page.evaluate(async () => (await (await fetch('/api/me')).json()).csrf_token);
  const r = await page.evaluate(async ([id, csrf]) => (await fetch(`/api/cases/${id}/decision`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify({ decision: 'needs_info', reason: 'Потрібна довідка' }),
  })).status, [c.id, csrf]);
  assert.equal(r, 200);
  agent('sync');
  agent('case', 'submit', c.id);
  agent('sync');
  await page.goto(baseUrl + '/#/queue?status=received&sort=attention&dir=desc');
  await page.waitForSelector('#queue tbody tr a');
  assert.equal((await page.textContent('#queue tbody tr a')).trim(), first);
  assert.match(await page.textContent('#queue tbody tr .flag.resubmitted'), /повторно подано/);
  assert.equal(await page.locator('#queue .flag.resubmitted').count(), 1);
  await page.click('#queue tbody tr a');
  await page.waitForSelector('dl.kv .flag.resubmitted');
  await ctx.close();
});

test('supervisor sees the reports with SVG charts, in English too', async () => {
  const { ctx, page } = await signIn('petro', 'supervisor-pass-1');
  await page.click('nav a[href="#/reports"]');
  await page.waitForSelector('#kpis');
  assert.ok(await page.locator('svg.chart').count() >= 3);
  assert.ok(await page.locator('svg.chart rect').count() > 3);
  await page.click('#lang');
  await page.waitForSelector('text=Citizens served');
  await page.screenshot({ path: join(SHOTS, 'reports.png'), fullPage: true });
  await ctx.close();
});

// The annual table (issue 15): one row per kind of unit in words, the figures
// of GET /api/reports/summary, a total row, in both languages.
test('the reports page has the annual table by kind of unit', async () => {
  const { ctx, page } = await signIn('petro', 'supervisor-pass-1');
  await page.goto(baseUrl + '/#/reports');
  await page.waitForSelector('#annual-table tbody tr');
  const api = await page.evaluate(async () => (await fetch('/api/reports/summary')).json());
  const kinds = api.per_unit_kind.filter(k => k.units > 0);
  assert.ok(kinds.length >= 1);
  assert.equal(await page.locator('#annual-table tbody tr').count(), kinds.length);
  const truck = kinds.find(k => k.kind === 'truck');
  const row = page.locator('#annual-table tbody tr[data-kind="truck"]');
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[5], String(truck.applications));
  assert.ok(truck.applications > 0);
  const head = await row.locator('th').textContent();
  assert.doesNotMatch(head, /truck/); // the kind in words, not its code
  const foot = await page.locator('#annual-table tfoot td').allTextContents();
  assert.equal(foot[5], String(api.applications));
  await page.click('#lang');
  await page.waitForSelector('text=Mobile offices by kind of unit');
  await ctx.close();
});

test('admin issues an enrolment token from the admin page', async () => {
  const { ctx, page } = await signIn('admin', 'admin-pass-1');
  await page.click('nav a[href="#/admin"]');
  await page.waitForSelector('#devices');
  assert.match(await page.textContent('#devices'), /KR-T01A/);
  await page.click('text=Видати токен');
  await page.waitForFunction(() => (document.querySelector('#token')?.textContent || '').length > 10);
  await page.screenshot({ path: join(SHOTS, 'admin.png'), fullPage: true });
  await ctx.close();
});

// Staff accounts on the admin page (issue 10 item 6): the admin adds a
// reviewer, disables them while their session is open in another browser
// (signed out on its next request), enables them again, changes their role
// (the same session gets the new rights) and sets a new password (the
// session ends, the old password stops working). Every step shows a plain
// Ukrainian message; the hub's refusals (a login that exists, the last
// admin) are shown in plain words too.
test('admin manages staff accounts and the changes reach an open session', async () => {
  const { ctx, page } = await signIn('admin', 'admin-pass-1');
  const dialogs = [];
  page.on('dialog', d => { dialogs.push(d.message()); d.accept(); });
  await page.click('nav a[href="#/admin"]');
  await page.waitForSelector('#users tr[data-login=olena]');
  assert.equal(await page.getAttribute('#users tr[data-login=olena] td.state', 'data-state'), 'active');
  assert.equal(await page.getAttribute('#users tr[data-login=petro] td.role', 'data-role'), 'supervisor');
  // the admin cannot disable themselves from the page
  assert.equal(await page.locator('#users tr[data-login=admin] .u-disable').count(), 0);
  const msg = () => page.textContent('#users-msg');
  const waitMsg = re => page.waitForFunction(s => new RegExp(s).test(document.querySelector('#users-msg')?.textContent || ''), re.source);

  // add: checked in the page first, then by the hub
  await page.fill('#u-login', 'ivan');
  await page.fill('#u-pass', 'ivan-pass-123');
  await page.fill('#u-pass2', 'ivan-pass-12');
  await page.click('#user-add button[type=submit]');
  assert.match(await msg(), /Паролі не збігаються/);
  await page.fill('#u-pass', 'short');
  await page.fill('#u-pass2', 'short');
  await page.click('#user-add button[type=submit]');
  assert.match(await msg(), /щонайменше 8 символів/);
  await page.fill('#u-pass', 'ivan-pass-123');
  await page.fill('#u-pass2', 'ivan-pass-123');
  await page.click('#user-add button[type=submit]');
  await page.waitForSelector('#users tr[data-login=ivan]');
  assert.match(await msg(), /Користувача ivan додано з роллю «розгляд заяв»/);
  await page.fill('#u-login', 'ivan');
  await page.fill('#u-pass', 'other-pass-123');
  await page.fill('#u-pass2', 'other-pass-123');
  await page.click('#user-add button[type=submit]');
  await waitMsg(/логіном уже є/);

  // ivan signs in in another browser; reports are not his
  const ivan = await signIn('ivan', 'ivan-pass-123');
  const status = path => ivan.page.evaluate(p => fetch(p).then(r => r.status), path);
  assert.equal(await status('/api/reports/summary'), 403);
  assert.equal(await ivan.page.locator('nav a[href="#/reports"]').isVisible(), false);

  // disable → his open session is signed out on its next request
  await page.click('#users tr[data-login=ivan] .u-disable');
  await page.waitForSelector('#users tr[data-login=ivan] td.state[data-state=disabled]');
  assert.match(dialogs.pop(), /Вимкнути користувача ivan\?/);
  assert.match(await msg(), /Користувача ivan вимкнено\. Усі його сеанси завершено/);
  await page.evaluate(() => document.getElementById('toast').classList.remove('show'));
  await page.screenshot({ path: join(SHOTS, 'review-users.png'), fullPage: true });
  await ivan.page.fill('#f-q', 'шевченко');
  await ivan.page.press('#f-q', 'Enter');
  await ivan.page.waitForSelector('.login #login');
  assert.equal(await ivan.page.locator('#queue').count(), 0);
  await ivan.page.fill('#login', 'ivan');
  await ivan.page.fill('#password', 'ivan-pass-123');
  await ivan.page.press('#password', 'Enter');
  await ivan.page.waitForSelector('.login .err:not(:empty)');
  assert.match(await ivan.page.textContent('.login .err'), /Неправильний логін/);

  // enable → he signs in again (the ended session stays ended)
  await page.click('#users tr[data-login=ivan] .u-enable');
  await page.waitForSelector('#users tr[data-login=ivan] td.state[data-state=active]');
  assert.match(dialogs.pop(), /Увімкнути користувача ivan\?/);
  assert.match(await msg(), /Користувача ivan увімкнено/);
  await ivan.page.fill('#password', 'ivan-pass-123');
  await ivan.page.press('#password', 'Enter');
  await ivan.page.waitForSelector('#queue tbody tr');

  // role → the same session has the supervisor's rights from its next request
  await page.selectOption('#users tr[data-login=ivan] select.u-role', 'supervisor');
  await page.click('#users tr[data-login=ivan] .u-role-save');
  await page.waitForSelector('#users tr[data-login=ivan] td.role[data-role=supervisor]');
  assert.match(await msg(), /Роль користувача ivan змінено на «керівник \(звіти\)»/);
  assert.equal(await status('/api/reports/summary'), 200);
  await ivan.page.reload();
  await ivan.page.click('nav a[href="#/reports"]');
  await ivan.page.waitForSelector('#kpis');
  // a supervisor still has no admin page: no link, and the page refuses
  assert.equal(await ivan.page.locator('nav a[href="#/admin"]').isVisible(), false);
  await ivan.page.goto(baseUrl + '/#/admin');
  await ivan.page.waitForSelector('main .err');
  assert.match(await ivan.page.textContent('main .err'), /Недостатньо прав/);
  assert.equal(await ivan.page.locator('#users').count(), 0);

  // a new password, typed twice → his session ends, only the new one works
  await page.click('#users tr[data-login=ivan] .u-password');
  const pw = '#users tr[data-login=ivan] + tr.pw-row';
  await page.fill(`${pw} .u-pw1`, 'ivan-new-pass-9');
  await page.fill(`${pw} .u-pw2`, 'ivan-new-pass-8');
  await page.click(`${pw} .u-pw-save`);
  assert.match(await page.textContent(`${pw} .err`), /Паролі не збігаються/);
  await page.fill(`${pw} .u-pw2`, 'ivan-new-pass-9');
  await page.click(`${pw} .u-pw-save`);
  await waitMsg(/Пароль користувача ivan змінено/);
  assert.equal(await status('/api/me'), 401);
  const again = await browser.newContext();
  const ap = await again.newPage();
  const tryLogin = (l, p) => ap.evaluate(([l, p]) => fetch('/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: l, password: p }),
  }).then(r => r.status), [l, p]);
  await ap.goto(baseUrl + '/');
  assert.equal(await tryLogin('ivan', 'ivan-pass-123'), 401);
  assert.equal(await tryLogin('ivan', 'ivan-new-pass-9'), 200);
  await again.close();

  // the hub keeps its last admin: the refusal is shown in plain words
  await page.selectOption('#users tr[data-login=admin] select.u-role', 'reviewer');
  await page.click('#users tr[data-login=admin] .u-role-save');
  await waitMsg(/останній активний адміністратор/);
  assert.match(dialogs.pop(), /вашу власну роль/);
  assert.equal(await page.getAttribute('#users tr[data-login=admin] td.role', 'data-role'), 'admin');

  // the audit log holds every change
  await page.reload();
  await page.waitForSelector('#users');
  const actions = await page.$$eval('[data-action]', tds => tds.map(td => td.dataset.action));
  for (const a of ['user.add', 'user.disable', 'user.enable', 'user.role', 'user.password']) assert.ok(actions.includes(a), a);
  // in words (hub/words.c), not as codes
  const audit = await page.textContent('main');
  for (const w of ['новий користувач', 'вимкнення користувача', 'зміна ролі', 'зміна пароля']) assert.ok(audit.includes(w), w);
  assert.ok(!audit.includes('user.add'));
  // and the page speaks English on request
  await page.click('#lang');
  await page.waitForSelector('#users tr[data-login=ivan] .u-disable:has-text("Disable")');
  await ivan.ctx.close();
  await ctx.close();
});

// One language at a time (issue 14 item 6): a case page shows every code in
// words from the hub's one table (GET /api/words) — statuses in the chips and
// the history, the unit kind, the trip kind, document types, categories —
// in Ukrainian and, after the switch, in English; and a refused move (the
// page went stale: someone else rejected the case) is told in the reader's
// language, not as the hub's English "staff cannot move from rejected to approved".
const CODES_UK = /\b(draft|submitted|received|in_review|approved|issued|rejected|needs_info|cancelled|office|case|truck|bus|home-visit|village-stop|idp-settlement|office-day|social|civil|passport|pension|residence|certificates|id_card)\b/;
const CODES_EN = /\b(in_review|needs_info|truck|home-visit|village-stop|idp-settlement|office-day|id_card)\b|\(\w+_\w+\)/;

test('a case page shows no raw code, in Ukrainian and in English', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.goto(baseUrl + '/#/queue?status=received&q=' + encodeURIComponent('Семенський'));
  await page.waitForSelector('#queue tbody tr a');
  await page.click('#queue tbody tr a');
  await page.waitForSelector('#btn-in_review');
  await page.click('#btn-in_review');
  await page.waitForSelector('dl.kv [data-status=in_review]');
  await page.fill('#reason', 'Потрібна довідка про доходи');
  await page.click('#btn-needs_info');
  await page.waitForSelector('dl.kv [data-status=needs_info]');
  const uk = await page.textContent('main');
  assert.doesNotMatch(uk, CODES_UK, uk.match(CODES_UK)?.[0]);
  for (const w of ['на розгляді', 'потрібні документи', 'отримано центром', 'мобільний офіс (вантажівка)', 'зупинка в селі', 'ID-картка'])
    assert.ok(uk.includes(w), w);
  assert.match(await page.textContent('#services'), /соціальний захист|реєстрація актів цивільного стану|паспортні послуги/);
  assert.doesNotMatch(await page.textContent('header'), /reviewer/);
  await page.click('#lang');
  await page.waitForSelector('text=History');
  const en = await page.textContent('main');
  assert.doesNotMatch(en, CODES_EN, en.match(CODES_EN)?.[0]);
  for (const w of ['in review', 'needs documents', 'mobile office (lorry)', 'village stop', 'ID card'])
    assert.ok(en.includes(w), w);
  await page.screenshot({ path: join(SHOTS, 'case-en.png'), fullPage: true });

  // a stale page: the case is rejected elsewhere, then approved here
  const stale = async () => {
    await page.goto(baseUrl + '/#/queue?status=received');
    await page.waitForSelector('#queue tbody tr a');
    const number = (await page.textContent('#queue tbody tr a')).trim();
    await page.click('#queue tbody tr a');
    await page.waitForSelector('#btn-approved');
    hub('case', 'decide', number, '--decision', 'rejected', '--reason', 'Відмовлено іншим працівником');
    await page.click('#btn-approved');
    await page.waitForSelector('#decision .err:not(:empty)');
    return page.textContent('#decision .err');
  };
  assert.equal(await stale(), 'The status cannot change from “rejected” to “approved”.');
  await page.click('#lang');
  await page.waitForSelector('text=Історія');
  assert.equal(await stale(), 'Статус не можна змінити з «відмовлено» на «погоджено».');
  await ctx.close();
});
