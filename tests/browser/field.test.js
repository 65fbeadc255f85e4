// field.test.js — the field workstation (`mo-agent ui`) in a real browser
// (Debian's Chromium, headless, playwright-core) against the real mo-agent
// and a real mo-hub on 127.0.0.1 port 0: a home visit from sign-in to sync,
// a truck trip of 10 citizens by keyboard alone, the validation messages and
// two operators.  Screenshots go to MO_SCREENSHOT_DIR (docs/screenshots/field-*.png
// are copies of them).
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/field.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, AGENT, SHOTS, UI_LISTENING, run, startProc, launchBrowser, startHub as startHubProc } from './lib.mjs';

const OP1 = 'Марія Бондар', PIN1 = '2468';
const OP2 = 'Іван Гнатюк', PIN2 = '1357';
let tmp, hubData, agentData, hubProc, uiProc, hubUrl, uiUrl, uiKeyUrl, browser, ctx, page;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, ['--data', agentData, '--lang', 'en', ...a]);
const agent_try = (...a) => run(AGENT, ['--data', agentData, '--lang', 'en', ...a], { allowFail: true });
const agentJson = (...a) => JSON.parse(agent('--json', ...a).stdout);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-field-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  hub('init');
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  ({ p: hubProc, url: hubUrl } = await startHubProc(hubData));
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', hubUrl, '--token', token, '--operator', OP1);
  agent('sync'); // the catalogue and the unit's settings
  writeFileSync(join(tmp, 'pin1'), PIN1 + '\n');
  writeFileSync(join(tmp, 'pin2'), PIN2 + '\n');
  agent('operator', 'pin', OP1, '--pin-file', join(tmp, 'pin1'));
  agent('operator', 'add', OP2, '--pin-file', join(tmp, 'pin2'));
  ({ p: uiProc, url: uiKeyUrl } = await startProc(AGENT, ['--data', agentData, 'ui', '--no-browser', '--listen', '127.0.0.1:0'],
    UI_LISTENING));
  uiUrl = uiKeyUrl.replace(/\/\?key=.*/, '');
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'uk-UA', timezoneId: 'Europe/Kyiv' });
  page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => { throw e; });
  await page.goto(uiKeyUrl);
});

after(async () => {
  if (browser) await browser.close();
  for (const p of [uiProc, hubProc]) if (p && p.exitCode === null) p.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function signIn(name, pin) {
  if (await page.textContent('#operator')) await page.click('#switch-op');
  await page.waitForSelector('#v-signin:not([hidden])');
  await page.getByLabel(name, { exact: true }).check();
  await page.getByLabel('PIN').fill(pin);
  await page.getByLabel('PIN').press('Enter');
  await page.waitForFunction((n) => document.querySelector('#operator').textContent === n, name);
}

async function switchTo(name, pin) {
  await page.click('#switch-op');                      // click 1
  await page.getByLabel(name, { exact: true }).check(); // click 2
  await page.getByLabel('PIN').fill(pin);
  await page.getByLabel('PIN').press('Enter');
  await page.waitForFunction((n) => document.querySelector('#operator').textContent === n, name);
}

const form = () => page.locator('#v-new');
const uiApi = (path) => page.evaluate(async (p) => (await fetch('/api/' + p)).json(), path);

test('the key leaves the address bar; a wrong PIN is refused', async () => {
  assert.equal(new URL(page.url()).search, '');
  await page.waitForSelector('#v-signin:not([hidden])');
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  await page.getByLabel(OP1, { exact: true }).check();
  await page.getByLabel('PIN').fill('0000');
  await page.getByLabel('PIN').press('Enter');
  await page.waitForSelector('#err-signin:not([hidden])');
  assert.match(await page.textContent('#err-signin'), /PIN/);
  assert.equal(await page.textContent('#operator'), '');
  await page.screenshot({ path: join(SHOTS, 'field-signin.png') });
});

test('a home visit: trip, package with one member unticked, scan, receipt PDF, rating, sync', async () => {
  await signIn(OP1, PIN1);
  await page.goto(uiUrl + '/#trip');
  await page.getByLabel('Населений пункт').first().fill('с. Новоселиця');
  await page.getByLabel('Вид виїзду').first().selectOption('home-visit');
  await page.getByRole('button', { name: 'Розпочати виїзд' }).click();
  await page.waitForSelector('#trip-open:not([hidden])');
  assert.match(await page.textContent('#trip-settlement'), /Новоселиця/);

  await page.goto(uiUrl + '/#new');
  await form().getByLabel('Прізвище').fill('Ковальчук');
  await form().getByLabel("Ім'я", { exact: true }).fill('Ганна');
  await form().getByLabel('По батькові').fill('Петрівна');
  await form().getByLabel('Дата народження').fill('1953-07-23');
  await form().getByLabel('РНОКПП', { exact: true }).fill('1956229334');
  // consent to status SMS: disabled without a phone, off by default (issue 15)
  const sms = form().getByLabel('Згода на SMS-повідомлення про стан заяви');
  assert.equal(await sms.isDisabled(), true, 'no phone, no SMS consent');
  await form().getByLabel('Телефон').fill('+380671234567');
  assert.equal(await sms.isEnabled(), true);
  assert.equal(await sms.isChecked(), false, 'off by default');
  await sms.check();
  await form().getByLabel('Адреса').fill('с. Новоселиця, вул. Садова, 4');
  await form().getByLabel('Пошук послуги').fill('PKG-LOSS');
  await page.waitForSelector('#service-results li[role=option]');
  await form().getByLabel('Пошук послуги').press('Enter');
  await page.waitForSelector('.members input[type=checkbox]');
  const members = await page.$$eval('.members input[type=checkbox]', (xs) => xs.map((x) => [x.value, x.checked]));
  assert.ok(members.length >= 3, 'the package shows its members');
  assert.ok(members.every(([, on]) => on), 'all ticked by default');
  const dropped = members[members.length - 1][0];
  await page.locator(`.members input[value="${dropped}"]`).uncheck();
  await form().getByLabel('Згода на обробку персональних даних').check();
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
  await page.setInputFiles('#c-scan', { name: 'passport.png', mimeType: 'image/png', buffer: png });
  await page.waitForSelector('#scans li');
  // the same file twice is one scan
  await page.setInputFiles('#c-scan', { name: 'passport-again.png', mimeType: 'image/png', buffer: png });
  assert.equal(await page.locator('#scans li').count(), 1);
  // a wrong scan is removed before anything is sent
  await page.setInputFiles('#c-scan', { name: 'wrong.png', mimeType: 'image/png', buffer: Buffer.concat([png, Buffer.from('x')]) });
  await page.waitForFunction(() => document.querySelectorAll('#scans li').length === 2);
  await page.getByRole('button', { name: 'Прибрати wrong.png' }).click();
  assert.equal(await page.locator('#scans li').count(), 1);
  await page.screenshot({ path: join(SHOTS, 'field-new-application.png'), fullPage: true });
  await page.getByRole('button', { name: 'Зберегти заяву' }).click();
  await page.waitForSelector('#v-saved:not([hidden])');
  const number = (await page.textContent('#saved-number')).trim();
  assert.match(number, /^KR-T01A-\d{4}-\d{6}$/);
  await page.screenshot({ path: join(SHOTS, 'field-saved.png') });

  // the receipt, printed to PDF
  const href = await page.getAttribute('#saved-receipt', 'href');
  const rp = await ctx.newPage();
  await rp.goto(uiUrl + href);
  assert.match(await rp.content(), new RegExp(number));
  const pdf = join(tmp, 'receipt.pdf');
  await rp.pdf({ path: pdf, format: 'A4' });
  assert.ok(statSync(pdf).size > 1000);
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  await rp.screenshot({ path: join(SHOTS, 'field-receipt.png'), fullPage: true });
  await rp.close();

  // the citizen's rating
  await page.click('#saved-rate');
  await page.waitForSelector('#v-rate:not([hidden])');
  await page.screenshot({ path: join(SHOTS, 'field-rating.png') });
  await page.click('label[for=star-5]');
  await page.getByLabel("Коментар (необов'язково)").fill('Дякую, що приїхали додому.');
  await page.getByRole('button', { name: 'Надіслати оцінку' }).click();
  await page.waitForSelector('#v-saved:not([hidden])');

  // sync, with progress, until done
  await page.goto(uiUrl + '/#sync');
  await page.getByRole('button', { name: 'Синхронізувати' }).click();
  await page.waitForFunction(() => !document.querySelector('#sy-go').disabled &&
    /Синхронізацію завершено/.test(document.querySelector('#sy-message').textContent), null, { timeout: 60000 });
  await page.screenshot({ path: join(SHOTS, 'field-sync.png') });

  const hc = JSON.parse(hub('case', 'show', number, '--json').stdout);
  assert.equal(hc.fields.messages_consent, true, 'the SMS consent reached the hub');
  const codes = (hc.services || []).map((s) => s.code);
  assert.ok(codes.length === members.length - 1, `hub services ${codes}`);
  assert.ok(!codes.includes(dropped), `the unticked ${dropped} is absent at the hub`);
  const local = await uiApi('cases/' + encodeURIComponent(number));
  assert.equal(local.attachments.length, 1, 'the same file twice is one attachment');
  assert.ok(local.attachments[0].uploaded, 'the scan was uploaded to the hub');
});

test('a truck trip of 10 citizens by keyboard alone', async () => {
  await page.goto(uiUrl + '/#new');
  await page.waitForSelector('#v-new:not([hidden])');
  const before = (await uiApi('cases?limit=1000')).length;
  let keys = 0;
  const type = async (s) => { await page.keyboard.type(s); };
  const press = async (k, n = 1) => { for (let i = 0; i < n; i++) { await page.keyboard.press(k); keys++; } };
  const people = [];
  for (let i = 0; i < 10; i++) {
    // a valid RNOKPP for the birth date (check digit, days since 31.12.1899)
    const bd = new Date(Date.UTC(1950 + i, 2, 10 + i));
    const days = Math.round((bd - Date.UTC(1899, 11, 31)) / 86400000);
    const digits = String(days).padStart(5, '0') + String(1000 + i * 7).padStart(4, '0');
    const w = [-1, 5, 7, 9, 4, 6, 10, 5, 7];
    let sum = 0;
    for (let k = 0; k < 9; k++) sum += Number(digits[k]) * w[k];
    const rn = digits + String(((sum % 11) + 11) % 11 % 10);
    const iso = bd.toISOString().slice(0, 10);
    people.push({ surname: 'Тестенко' + 'абвгдежзик'[i], rn });
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'c-surname');
    await type(people[i].surname); await press('Tab');
    await type('Олег'); await press('Tab');
    await type('Іванович'); await press('Tab');
    await type(iso); await press('Tab');
    await type(rn); await press('Tab');
    await press('Tab'); // past "no RNOKPP"
    await type('+38067555' + String(1000 + i).padStart(4, '0')); await press('Tab');
    await type('с. Підлісне, вул. Соборна, ' + (i + 1)); await press('Tab');
    await type('SOC-03'); await page.waitForSelector('#service-results li[role=option]'); await press('Enter');
    await page.waitForSelector('#chosen .svc');
    await press('Tab', 2); // past the chosen service's "remove" to the consent
    assert.equal(await page.evaluate(() => document.activeElement.id), 'c-consent');
    await press('Space');
    await press('Enter'); // submits the form
    await page.waitForSelector('#v-saved:not([hidden])');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'saved-next');
    await press('Enter'); // next citizen
  }
  const after = await uiApi('cases?limit=1000');
  assert.equal(after.length, before + 10);
  for (const p of people) assert.ok(after.some((c) => c.surname === p.surname), p.surname);
  console.log(`# keyboard: ${keys} key presses besides the typed values for 10 applications`);
  await page.goto(uiUrl + '/#cases');
  await page.getByLabel("Пошук: ім'я, номер, РНОКПП, телефон").fill('тестенкоа');
  await page.waitForFunction(() => document.querySelectorAll('#cases tr').length === 1);
  await page.screenshot({ path: join(SHOTS, 'field-cases.png') });
});

test('validation shows every error next to its field, in Ukrainian', async () => {
  await page.goto(uiUrl + '/#new');
  await page.waitForSelector('#v-new:not([hidden])');
  await form().getByLabel('Прізвище').fill('Smith');
  await form().getByLabel('Дата народження').fill('1948-03-15');
  await form().getByLabel('РНОКПП', { exact: true }).fill('1956229334');
  await form().getByLabel('Телефон').fill('12345');
  await page.getByRole('button', { name: 'Зберегти заяву' }).click();
  await page.waitForSelector('#f-case .err:not([hidden])');
  const shown = await page.$$eval('#f-case .err:not([hidden])', (xs) => xs.map((x) => [x.id, x.textContent]));
  assert.ok(shown.length >= 1, JSON.stringify(shown));
  for (const [, text] of shown) {
    assert.ok(/[А-Яа-яІіЇїЄєҐґ]/.test(text), `Ukrainian: ${text}`);
    assert.ok(!/birth_date|tax_id|given_name|rnokpp/.test(text), `no internal names: ${text}`);
  }
  await page.screenshot({ path: join(SHOTS, 'field-validation.png'), fullPage: true });
  const n = (await uiApi('cases?limit=1000')).length;
  assert.ok(n > 0);
});

test('two operators: each change records its operator', async () => {
  await switchTo(OP2, PIN2);
  await page.goto(uiUrl + '/#new');
  await form().getByLabel('Прізвище').fill('Другий');
  await form().getByLabel("Ім'я", { exact: true }).fill('Оператор');
  await form().getByLabel('Дата народження').fill('1960-01-05');
  const days = Math.round((Date.UTC(1960, 0, 5) - Date.UTC(1899, 11, 31)) / 86400000);
  const digits = String(days).padStart(5, '0') + '0042';
  const w = [-1, 5, 7, 9, 4, 6, 10, 5, 7];
  let sum = 0;
  for (let k = 0; k < 9; k++) sum += Number(digits[k]) * w[k];
  await form().getByLabel('РНОКПП', { exact: true }).fill(digits + String(((sum % 11) + 11) % 11 % 10));
  await form().getByLabel('Пошук послуги').fill('SOC-03');
  await page.waitForSelector('#service-results li[role=option]');
  await form().getByLabel('Пошук послуги').press('Enter');
  await form().getByLabel('Згода на обробку персональних даних').check();
  await page.getByRole('button', { name: 'Зберегти заяву' }).click();
  await page.waitForSelector('#v-saved:not([hidden])');
  const list = await uiApi('cases?limit=1000');
  const mine = list.find((c) => c.surname === 'Другий');
  assert.equal(mine.operator, OP2);
  assert.ok(list.filter((c) => c.surname !== 'Другий').every((c) => c.operator === OP1));
  await switchTo(OP1, PIN1);
  assert.equal(await page.textContent('#operator'), OP1);
});

test('mo-agent ui stops cleanly on SIGTERM (no leak under ASan)', async () => {
  await page.close();
  const code = await new Promise((ok) => {
    uiProc.removeAllListeners('exit');
    uiProc.on('exit', (c, sig) => ok(c === null ? sig : c));
    uiProc.kill('SIGTERM');
  });
  assert.equal(code, 0);
});
