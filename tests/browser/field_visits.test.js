// field_visits.test.js — home visits in the field workstation (`mo-agent ui`)
// in a real browser (headless Chromium, playwright-core) against the real
// mo-agent and a real mo-hub on 127.0.0.1 port 0: staff ask for two visits,
// the laptop syncs, the administrator sees "Виїзди" (scheduled first, state
// in words, date, address, phone), schedules one, records the application
// from it with the citizen's data filled in, marks it done, cancels the other
// (a reason is required) and syncs; the hub shows visited and cancelled.
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/field_visits.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, AGENT, SHOTS, UI_LISTENING, run, startProc, launchBrowser, startHub as startHubProc } from './lib.mjs';

const OP = 'Марія Бондар', PIN = '2468';
let tmp, hubData, agentData, hubProc, uiProc, hubUrl, uiUrl, uiKeyUrl, browser, ctx, page;
let first, second; // the two visits as the hub made them

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, ['--data', agentData, '--lang', 'en', ...a]);
const hubVisit = (number) => JSON.parse(hub('visit', 'list', '--json').stdout).find((v) => v.number === number);

// days from today in Kyiv (the laptop's calendar: after 22:00 UTC it is already tomorrow there)
const kyivFmt = (() => {
  try { return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv' }); } catch {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kiev' }); // an older ICU's name
  }
})();
const isoDays = (n) => kyivFmt.format(new Date(Date.now() + n * 86400000));
const shown = (iso) => iso.split('-').reverse().join('.');

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-visits-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  hub('init');
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  ({ p: hubProc, url: hubUrl } = await startHubProc(hubData));
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', hubUrl, '--token', token, '--operator', OP);
  first = JSON.parse(hub('visit', 'add', '--unit', 'KR-T01', '--surname', 'Ковальчук', '--given-name', 'Ганна',
    '--patronymic', 'Петрівна', '--phone', '067 123 45 67', '--address', 'с. Новоселиця, вул. Садова, 4',
    '--services', 'PAS-02', '--preferred', isoDays(5), '--mobility', 'wheelchair',
    '--note', 'Пересувається на візку', '--json').stdout);
  second = JSON.parse(hub('visit', 'add', '--unit', 'KR-T01', '--surname', 'Мельник', '--given-name', 'Степан',
    '--phone', '0501112233', '--address', 'с. Глибока, вул. Лісова, 9', '--preferred', isoDays(2), '--json').stdout);
  agent('sync');
  writeFileSync(join(tmp, 'pin'), PIN + '\n');
  agent('operator', 'pin', OP, '--pin-file', join(tmp, 'pin'));
  ({ p: uiProc, url: uiKeyUrl } = await startProc(AGENT, ['--data', agentData, 'ui', '--no-browser', '--listen', '127.0.0.1:0'],
    UI_LISTENING));
  uiUrl = uiKeyUrl.replace(/\/\?key=.*/, '');
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'uk-UA', timezoneId: 'Europe/Kyiv' });
  page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => { throw e; });
  await page.goto(uiKeyUrl);
  await page.waitForSelector('#v-signin:not([hidden])');
  await page.getByLabel(OP, { exact: true }).check();
  await page.getByLabel('PIN').fill(PIN);
  await page.getByLabel('PIN').press('Enter');
  await page.waitForFunction((n) => document.querySelector('#operator').textContent === n, OP);
});

after(async () => {
  if (browser) await browser.close();
  for (const p of [uiProc, hubProc]) if (p && p.exitCode === null) p.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const rows = () => page.$$eval('#visits tr', (trs) => trs.map((tr) => Array.from(tr.cells).map((td) => td.textContent.trim())));
const visitPage = () => page.locator('#v-visit');

test('the list of visits: state in words, preferred date, address, phone', async () => {
  await page.getByRole('link', { name: 'Виїзди', exact: true }).click();
  await page.waitForSelector('#v-visits:not([hidden]) #visits tr');
  const r = await rows();
  assert.equal(r.length, 2);
  // both requested: the earlier preferred date first
  assert.equal(r[0][0], second.number);
  assert.equal(r[1][0], first.number);
  assert.equal(r[1][1], 'очікує планування');
  assert.equal(r[1][2], 'бажано ' + shown(isoDays(5)));
  assert.equal(r[1][3], 'Ковальчук Ганна Петрівна');
  assert.match(r[1][4], /Новоселиця, вул\. Садова, 4/);
  assert.equal(r[1][5], '+380671234567');
  await page.screenshot({ path: join(SHOTS, 'field-visits.png') });
  // without a session the API gives nothing away
  const anon = await browser.newContext();
  const ap = await anon.newPage();
  const res = await ap.goto(uiUrl + '/api/visits');
  assert.equal(res.status(), 401);
  await anon.close();
});

test('schedule a visit: shown at once, first in the list', async () => {
  await page.getByRole('link', { name: first.number }).click();
  await page.waitForSelector('#v-visit:not([hidden])');
  assert.equal(await page.textContent('#w-number'), first.number);
  assert.equal(await page.textContent('#w-state'), 'очікує планування');
  assert.equal(await page.isVisible('#w-done'), false, 'no "done" before it is scheduled');
  // a date in the past is refused with a clear message
  await visitPage().getByLabel('Дата виїзду').fill('01.01.2001');
  await page.getByRole('button', { name: 'Запланувати' }).click();
  await page.waitForSelector('#err-visit:not([hidden])');
  assert.match(await page.textContent('#err-visit'), /минула/);
  await visitPage().getByLabel('Дата виїзду').fill(shown(isoDays(1)));
  await page.getByRole('button', { name: 'Запланувати' }).click();
  await page.waitForFunction(() => document.querySelector('#w-state').textContent === 'заплановано');
  assert.match(await page.textContent('#w-body'), /ще не надіслано до центру/);
  // the hub's mobility code in words, not 'wheelchair'
  assert.match(await page.textContent('#w-body'), /пересувається на візку/);
  assert.doesNotMatch(await page.textContent('#w-body'), /wheelchair/);
  assert.equal(await page.isVisible('#w-done'), true);
  assert.equal(await page.textContent('#w-schedule'), 'Перенести на іншу дату');
  await page.screenshot({ path: join(SHOTS, 'field-visit.png'), fullPage: true });
  await page.goto(uiUrl + '/#visits');
  await page.waitForSelector('#v-visits:not([hidden]) #visits tr');
  // the list is drawn again from the API after the move: wait for that drawing
  // (the table of the earlier visit to the list may still be on screen), then
  // read it; a list that never puts the scheduled visit first times out here
  await page.waitForFunction((n) => {
    const tr = document.querySelector('#visits tr');
    return tr && tr.cells[0] && tr.cells[0].textContent.trim() === n;
  }, first.number, { timeout: 5000 }).catch(() => {});
  const r = await rows();
  assert.equal(r[0][0], first.number, 'scheduled first');
  assert.match(r[0][1], /заплановано/);
  assert.equal(r[0][2], 'на ' + shown(isoDays(1)));
});

test('record an application from the visit: the citizen and the service are filled in', async () => {
  await page.getByRole('link', { name: first.number }).click();
  await page.waitForSelector('#v-visit:not([hidden])');
  await page.getByRole('button', { name: 'Записати заяву' }).click();
  await page.waitForSelector('#v-new:not([hidden])');
  const form = page.locator('#v-new');
  assert.equal(await form.getByLabel('Прізвище').inputValue(), 'Ковальчук');
  assert.equal(await form.getByLabel("Ім'я", { exact: true }).inputValue(), 'Ганна');
  assert.equal(await form.getByLabel('По батькові').inputValue(), 'Петрівна');
  assert.equal(await form.getByLabel('Телефон').inputValue(), '+380671234567');
  assert.match(await form.getByLabel('Адреса').inputValue(), /Садова, 4/);
  await page.waitForSelector('#chosen .svc');
  assert.match(await page.textContent('#chosen'), /PAS-02/);
  assert.match(await page.textContent('#c-from-visit'), new RegExp(first.number));
  await form.getByLabel('Дата народження').fill('23.07.1953');
  await page.fill('#c-rnokpp', '1956229334');
  await form.getByLabel('Згода на обробку персональних даних').check();
  await page.screenshot({ path: join(SHOTS, 'field-visit-application.png'), fullPage: true });
  await page.getByRole('button', { name: 'Зберегти заяву' }).click();
  await page.waitForSelector('#v-saved:not([hidden])');
  const number = (await page.textContent('#saved-number')).trim();
  const c = JSON.parse(agent('--json', 'case', 'show', number).stdout);
  assert.equal(c.visit, first.id);
  assert.equal(c.applicant.mobility, 'wheelchair', 'what the form has no field for comes from the visit');
  assert.match(c.applicant.address.text, /Садова, 4/);
  // the next new form is a plain one again
  await page.click('#saved-next');
  await page.waitForSelector('#v-new:not([hidden])');
  assert.equal(await page.isVisible('#c-from-visit'), false);
  assert.equal(await page.locator('#v-new').getByLabel('Прізвище').inputValue(), '');
  // the visit page lists it
  await page.goto(uiUrl + '/#visit/' + first.id);
  await page.waitForSelector('#v-visit:not([hidden])');
  await page.waitForFunction((n) => document.querySelector('#w-body').textContent.includes(n), number);
});

test('mark done, cancel the other with a reason, sync: the hub shows both', async () => {
  await page.goto(uiUrl + '/#visit/' + first.id);
  await page.waitForSelector('#v-visit:not([hidden])');
  await page.getByRole('button', { name: 'Виїзд відбувся' }).click();
  await page.waitForFunction(() => document.querySelector('#w-state').textContent === 'відвідано');
  assert.equal(await page.isVisible('#f-visit-cancel'), false, 'a closed visit cannot be cancelled');
  assert.equal(await page.isVisible('#f-visit-schedule'), false);

  await page.goto(uiUrl + '/#visit/' + second.id);
  await page.waitForFunction((n) => document.querySelector('#w-number').textContent === n, second.number);
  await page.getByRole('button', { name: 'Скасувати виїзд' }).click();
  await page.waitForSelector('#err-visit:not([hidden])');
  assert.match(await page.textContent('#err-visit'), /причину/);
  assert.equal(await page.textContent('#w-state'), 'очікує планування');
  await visitPage().getByLabel('Причина скасування').fill('Громадянин приїде до ЦНАП сам');
  await page.getByRole('button', { name: 'Скасувати виїзд' }).click();
  await page.waitForFunction(() => document.querySelector('#w-state').textContent === 'скасовано');
  assert.equal(await page.isVisible('#w-record'), false, 'no application from a cancelled visit');

  await page.goto(uiUrl + '/#sync');
  await page.getByRole('button', { name: 'Синхронізувати' }).click();
  await page.waitForFunction(() => !document.querySelector('#sy-go').disabled &&
    /Синхронізацію завершено/.test(document.querySelector('#sy-message').textContent), null, { timeout: 60000 });
  assert.equal(hubVisit(first.number).state, 'visited');
  const h2 = hubVisit(second.number);
  assert.equal(h2.state, 'cancelled');
  assert.equal(h2.state_reason, 'Громадянин приїде до ЦНАП сам');
  await page.goto(uiUrl + '/#visits');
  await page.waitForSelector('#visits tr');
  const r = await rows();
  assert.ok(r.every((x) => !/не надіслано/.test(x[1])), 'nothing pending after the sync');
  // English on the switch
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.goto(uiUrl + '/#visits');
  await page.waitForSelector('#visits tr');
  assert.ok((await rows()).some((x) => x[1] === 'visited'));
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'uk');
});
