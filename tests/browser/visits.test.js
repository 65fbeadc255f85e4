// visits.test.js — the review UI's "Виїзди" (home visits) page in a real
// browser (Debian's Chromium, headless, playwright-core) against a real
// mo-hub on 127.0.0.1 (port 0): a reviewer requests a visit with the form
// (unit picker, services from the catalogue, preferred date), sees it in the
// list and through the filters, opens it (request → visit → applications),
// meets a refusal in plain words, corrects a phone, cancels one with a reason, and switches the
// page to English and back.  The CLI checks what the hub stored.
//
//   MO_HUB=build/hub/mo-hub node --test tests/browser/visits.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, SHOTS, run, launchBrowser, startHub as startHubProc } from './lib.mjs';

let tmp, hubData, hubProc, baseUrl, browser;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);

async function startHub() {
  let url;
  ({ p: hubProc, url } = await startHubProc(hubData));
  return url;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-visits-'));
  hubData = join(tmp, 'hub');
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(tmp, 'rev.pw'), 'reviewer-pass-1\n');
  writeFileSync(join(tmp, 'sup.pw'), 'supervisor-pass-1\n');
  hub('init');
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  hub('unit', 'add', '--code', 'KR-C02', '--name', 'Мобільний кейс №2', '--kind', 'case');
  hub('user', 'add', '--login', 'olena', '--role', 'reviewer', '--password-file', join(tmp, 'rev.pw'));
  hub('user', 'add', '--login', 'petro', '--role', 'supervisor', '--password-file', join(tmp, 'sup.pw'));
  // one visit made at the console, for the list and its filters
  hub('visit', 'add', '--unit', 'KR-T01', '--surname', 'Бондар', '--given-name', 'Іван', '--phone', '0501234567',
    '--address', 'с. Гора, вул. Лісова 3');
  baseUrl = await startHub();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hubProc && hubProc.exitCode === null) hubProc.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function signIn(login = 'olena', password = 'reviewer-pass-1') {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'uk-UA' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(String(e)));
  await page.goto(baseUrl + '/');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('nav a[href="#/visits"]', { state: 'visible' });
  return { ctx, page, problems };
}

const visitCount = async page => Number((await page.textContent('#visits-total')).replace(/\D+/g, ''));

test('a reviewer requests a home visit, finds it in the list and opens it', async () => {
  const { ctx, page, problems } = await signIn();
  assert.equal(await page.textContent('nav a[href="#/visits"]'), 'Виїзди');
  await page.click('nav a[href="#/visits"]');
  await page.waitForSelector('#visits tbody tr');
  assert.equal(await visitCount(page), 1);
  assert.equal(await page.textContent('h1'), 'Виїзди додому');

  // the hub's refusal in plain words: a phone that is not Ukrainian
  await page.selectOption('#v-unit', 'KR-C02');
  await page.fill('#v-surname', 'Ґудзь');
  await page.fill('#v-given_name', 'Олена');
  await page.fill('#v-patronymic', 'Петрівна');
  await page.fill('#v-phone', '12345');
  await page.fill('#v-address', 'Бровари, вул. Київська 5, кв. 2');
  await page.selectOption('#v-services', ['PAS-01', 'SOC-01']);
  await page.fill('#v-preferred_date', '2026-12-15');
  await page.fill('#v-reason', 'не ходить після операції');
  await page.click('#v-submit');
  await page.waitForSelector('#v-error:not(:empty)');
  assert.match(await page.textContent('#v-error'), /Неправильне значення/);
  assert.equal(hub('visit', 'list', '--json').stdout.includes('Ґудзь'), false);

  await page.fill('#v-phone', '067 765 43 21');
  await page.click('#v-submit');
  await page.waitForSelector('#visit-info');
  const h1 = await page.textContent('h1');
  assert.match(h1, /^Виїзд В-\d{4}-000002$/);
  const info = await page.textContent('#visit-info');
  assert.match(info, /Ґудзь Олена Петрівна/);
  assert.match(info, /\+380677654321/);
  assert.match(info, /15\.12\.2026/);
  assert.match(info, /PAS-01/);
  assert.match(info, /замовлено/);
  assert.match(await page.textContent('#visit-timeline'), /ще не відбувся/);
  assert.match(await page.textContent('#visit-days'), /—/);
  await page.screenshot({ path: join(SHOTS, 'visit.png'), fullPage: true });
  const stored = JSON.parse(hub('visit', 'list', '--unit', 'KR-C02', '--json').stdout);
  assert.equal(stored.length, 1);
  assert.deepEqual(stored[0].services, ['PAS-01', 'SOC-01']);
  assert.equal(stored[0].created_by, 'olena');

  // back to the list: both, and the filters narrow it
  await page.click('a[href="#/visits"]:not(nav a)');
  await page.waitForSelector('#visits tbody tr');
  assert.equal(await visitCount(page), 2);
  await page.selectOption('#vf-unit', 'KR-C02');
  await page.click('#visit-filters button[type=submit]');
  await page.waitForFunction(() => /: 1$/.test(document.querySelector('#visits-total')?.textContent || ''));
  assert.match(await page.textContent('#visits tbody'), /Ґудзь/);
  await page.selectOption('#vf-unit', '');
  await page.fill('#vf-q', 'БОНДАР');
  await page.press('#vf-q', 'Enter');
  await page.waitForFunction(() => /Бондар/.test(document.querySelector('#visits tbody')?.textContent || '') &&
    document.querySelectorAll('#visits tbody tr').length === 1);
  await page.selectOption('#vf-state', 'visited');
  await page.fill('#vf-q', '');
  await page.click('#visit-filters button[type=submit]');
  await page.waitForSelector('#visits-none');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a visit is cancelled with a reason, and the page speaks English on request', async () => {
  const { ctx, page, problems } = await signIn();
  await page.goto(baseUrl + '/#/visits?unit=KR-T01');
  await page.waitForSelector('#visits tbody tr');
  await page.click('#visits tbody tr a');
  await page.waitForSelector('#visit-cancel');
  // a correction by phone: the new number, normalised by the hub
  await page.fill('#ve-phone', '050 999 88 77');
  await page.click('#visit-edit button[type=submit]');
  await page.waitForFunction(() => /\+380509998877/.test(document.querySelector('#visit-info')?.textContent || ''));
  assert.match(hub('visit', 'list', '--unit', 'KR-T01', '--json').stdout, /\+380509998877/);
  await page.click('#visit-cancel button[type=submit]');
  assert.match(await page.textContent('#visit-cancel .err'), /причину/);
  await page.fill('#v-cancel-reason', 'громадянин у лікарні');
  await page.click('#visit-cancel button[type=submit]');
  await page.waitForFunction(() => /скасовано/.test(document.querySelector('#visit-info')?.textContent || ''));
  assert.match(await page.textContent('#visit-timeline'), /громадянин у лікарні/);
  assert.equal(await page.locator('#visit-cancel').count(), 0);
  assert.match(hub('visit', 'list', '--state', 'cancelled').stdout, /Бондар/);

  await page.click('#lang');
  await page.waitForFunction(() => /^Home visit /.test(document.querySelector('h1')?.textContent || ''));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('#visit-info'), /cancelled/);
  assert.match(await page.textContent('#visit-timeline'), /Request → visit → applications/);
  assert.equal(await page.textContent('nav a[href="#/visits"]'), 'Home visits');
  await page.click('a[href="#/visits"]:not(nav a)');
  await page.waitForSelector('#visits tbody tr');
  assert.equal(await page.textContent('h1'), 'Home visits');
  assert.match(await page.textContent('#visits thead'), /Preferred date/);
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Виїзди додому');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the reports page counts the visits of the period', async () => {
  const { ctx, page, problems } = await signIn('petro', 'supervisor-pass-1');
  await page.goto(baseUrl + '/#/reports');
  await page.waitForSelector('#visits-summary');
  // the two tests above: two requested, one of them cancelled, none made yet
  const text = await page.textContent('#visits-summary');
  assert.match(text, /замовлено 2/);
  assert.match(text, /виконано 0/);
  assert.match(text, /скасовано 1/);
  assert.match(await page.textContent('#annual-table thead'), /Виїздів додому/);
  assert.deepEqual(problems, []);
  await ctx.close();
});
