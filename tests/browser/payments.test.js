// payments.test.js — fees and payments in a real browser (headless Debian
// Chromium, playwright-core) against the real mo-agent UI and mo-hub on
// 127.0.0.1 port 0: the field UI's payment form (a decimal comma, a refused
// amount in words, the paid/expected line), then, after a sync and a bank
// statement import, the hub's case page and the reconciliation section of
// the reports page.
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/payments.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, AGENT, SHOTS, UI_LISTENING, run, startProc, launchBrowser, startHub as startHubProc } from './lib.mjs';

const OP = 'Марія Бондар', PIN = '2468';

let tmp, hubData, agentData, hubProc, uiProc, hubUrl, uiUrl, uiKeyUrl, browser, caseId, caseNumber, freeNumber;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, ['--data', agentData, '--lang', 'en', ...a]);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-pay-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(tmp, 'sup.pw'), 'supervisor-pass-1\n');
  writeFileSync(join(tmp, 'pin'), PIN + '\n');
  hub('init');
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  hub('user', 'add', '--login', 'petro', '--role', 'supervisor', '--password-file', join(tmp, 'sup.pw'));
  ({ p: hubProc, url: hubUrl } = await startHubProc(hubData));
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', hubUrl, '--token', token, '--operator', OP);
  agent('sync');
  agent('operator', 'pin', OP, '--pin-file', join(tmp, 'pin'));
  const made = (svc, surname, tax) => JSON.parse(agent('case', 'new', '--service', svc, '--surname', surname,
    '--given-name', 'Тарас', '--patronymic', 'Григорович', '--birth-date', '1953-07-23', '--tax-id', tax,
    '--phone', '0671234567', '--consent', '--json').stdout);
  ({ id: caseId, number: caseNumber } = made('PAS-01', 'Шевченко', '1956229334'));
  ({ number: freeNumber } = made('PAS-02', 'Коваль', '1956229334'));
  ({ p: uiProc, url: uiKeyUrl } = await startProc(AGENT, ['--data', agentData, 'ui', '--no-browser', '--listen', '127.0.0.1:0'],
    UI_LISTENING));
  uiUrl = uiKeyUrl.replace(/\/\?key=.*/, '');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  for (const p of [uiProc, hubProc]) if (p && p.exitCode === null) p.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the field UI records a payment and shows expected vs paid', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'uk-UA', timezoneId: 'Europe/Kyiv' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => { throw e; });
  await page.goto(uiKeyUrl);
  await page.waitForSelector('#v-signin:not([hidden])');
  await page.getByLabel(OP, { exact: true }).check();
  await page.getByLabel('PIN').fill(PIN);
  await page.getByLabel('PIN').press('Enter');
  await page.waitForFunction((n) => document.querySelector('#operator').textContent === n, OP);

  await page.goto(uiUrl + '/#case/' + caseId);
  await page.waitForSelector('#v-case:not([hidden])');
  await page.waitForFunction(() => /очікується 345,00 грн, сплачено 0,00 грн/.test(document.querySelector('#pay-line').textContent));
  // a third decimal is refused in words and nothing is recorded
  await page.getByLabel('Сума, грн').fill('100,505');
  await page.getByRole('button', { name: 'Записати оплату' }).click();
  await page.waitForSelector('#err-pay:not([hidden])');
  assert.match(await page.textContent('#err-pay'), /два знаки після коми/);
  assert.match(await page.textContent('#pay-line'), /сплачено 0,00 грн/);
  // a decimal comma, by card, with the slip number
  await page.getByLabel('Сума, грн').fill('200,50');
  await page.getByLabel('Спосіб оплати').selectOption('card');
  await page.getByLabel('Номер квитанції або чека').fill('T-4411');
  await page.getByRole('button', { name: 'Записати оплату' }).click();
  await page.waitForFunction(() => /сплачено 200,50 грн/.test(document.querySelector('#pay-line').textContent));
  assert.match(await page.textContent('#k-body'), /200,50 грн · картка · T-4411/);
  await page.screenshot({ path: join(SHOTS, 'field-payment.png') });
  const status = JSON.parse(agent('status', '--json').stdout);
  assert.ok(status.pending_changes >= 3, 'the payment waits in the outbox');
  await ctx.close();
});

test("the hub's case page and the reconciliation section", async () => {
  agent('sync');
  // the rest by bank transfer, and a payment nobody can place
  writeFileSync(join(tmp, 'statement.csv'),
    `Date;Amount;Purpose;ID\n03.12.2026;144,50;Оплата, заява ${caseNumber};B-1\n03.12.2026;99,00;без номера;B-2\n`);
  const out = JSON.parse(hub('payments', 'import', join(tmp, 'statement.csv'), '--json').stdout);
  assert.deepEqual([out.matched, out.unmatched, out.bad], [1, 1, 0]);

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'uk-UA' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => { throw e; });
  await page.goto(hubUrl + '/');
  await page.fill('#login', 'petro');
  await page.fill('#password', 'supervisor-pass-1');
  await page.press('#password', 'Enter');
  await page.waitForSelector('#queue tbody tr');

  await page.goto(hubUrl + '/#/case/' + caseId);
  await page.waitForSelector('#payment');
  assert.match(await page.textContent('#pay-line'), /Очікується 345,00 грн, сплачено 345,00 грн · сплачено повністю/);
  const rows = await page.$$eval('#pay-items tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 2);
  assert.ok(rows.some((r) => /200,50 грн.*картка.*T-4411/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /144,50 грн.*банківський переказ.*B-1.*банківська виписка/.test(r)), rows.join('\n'));
  await page.screenshot({ path: join(SHOTS, 'review-payment.png') });

  await page.goto(hubUrl + '/#/reports');
  await page.waitForSelector('#reconciliation #rec-units');
  assert.match(await page.textContent('#rec-paid-title'), /Сплачено повністю: 1 · 345,00 грн/);
  assert.match(await page.textContent('#rec-paid'), new RegExp(caseNumber));
  assert.match(await page.textContent('#rec-unpaid'), new RegExp(freeNumber));
  assert.match(await page.textContent('#rec-unpaid-title'), /: 1 · 780,00 грн/);
  assert.match(await page.textContent('#rec-unmatched'), /B-2.*99,00 грн.*без номера/);
  assert.match(await page.textContent('#rec-overpaid-title'), /Переплата: 0/);
  await page.locator('#reconciliation').screenshot({ path: join(SHOTS, 'review-reconciliation.png') });
  await ctx.close();
});
