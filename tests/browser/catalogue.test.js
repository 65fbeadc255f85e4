// catalogue.test.js — the «Каталог послуг» page (ui/catalogue.js) in a real
// browser (Debian's Chromium, headless, playwright-core) against a real
// mo-hub on 127.0.0.1 port 0: an admin edits a fee and sees it saved, a
// concurrent edit is refused in words, a reviewer only reads, and the page
// switches language; the new fee reaches a real mo-agent on its next sync.
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/catalogue.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, AGENT, SHOTS, run, launchBrowser, startHub as startHubProc } from './lib.mjs';

let tmp, hubData, agentData, hubProc, baseUrl, browser;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, ['--data', agentData, '--lang', 'en', ...a]);

async function startHub() {
  let url;
  ({ p: hubProc, url } = await startHubProc(hubData));
  return url;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-catalogue-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(tmp, 'admin.pw'), 'admin-pass-1\n');
  writeFileSync(join(tmp, 'rev.pw'), 'reviewer-pass-1\n');
  hub('init', '--admin-password-file', join(tmp, 'admin.pw'));
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  hub('user', 'add', '--login', 'olena', '--role', 'reviewer', '--password-file', join(tmp, 'rev.pw'));
  baseUrl = await startHub();
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', baseUrl, '--token', token, '--operator', 'Марія Бондар');
  agent('sync');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hubProc && hubProc.exitCode === null) hubProc.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function signIn(login, password) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'uk-UA' });
  await ctx.addInitScript(() => localStorage.setItem('mo_lang', 'uk'));
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', e => { throw e; });
  await page.goto(baseUrl + '/');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('#nav:not([hidden])');
  await page.click('nav a[href="#/catalogue"]');
  await page.waitForSelector('#catalogue tbody tr');
  return { ctx, page };
}

const row = (page, code) => page.locator(`#catalogue tr[data-code="${code}"]`);
const agentService = code => JSON.parse(agent('--json', 'service', 'list').stdout).find(s => s.code === code);

test('an admin edits a fee in the UI; it is saved, versioned and reaches the laptop', async () => {
  const { ctx, page } = await signIn('admin', 'admin-pass-1');
  assert.match(await page.textContent('#cat-version'), /Версія каталогу: 1/);
  assert.match(await row(page, 'PAS-01').textContent(), /345/);
  assert.match(await row(page, 'PAS-01').textContent(), /паспортні послуги/);
  await row(page, 'PAS-01').getByRole('button', { name: 'Змінити послугу PAS-01' }).click();
  await page.waitForSelector('#cat-form');
  assert.equal(await page.inputValue('#cat-f-title-uk'), 'Оформлення паспорта громадянина України у формі ID-картки');
  await page.getByLabel('Збір, грн').fill('400');
  await page.screenshot({ path: join(SHOTS, 'catalogue-edit.png') });
  await page.click('#cat-save');
  await page.waitForFunction(() => /збережено/.test(document.querySelector('#cat-msg')?.textContent || ''));
  assert.match(await page.textContent('#cat-msg'), /Послугу PAS-01 збережено: версія 2/);
  assert.match(await page.textContent('#cat-version'), /Версія каталогу: 2/);
  assert.match(await row(page, 'PAS-01').textContent(), /400/);
  assert.match(await page.textContent('#cat-history'), /admin.*PAS-01.*збір/s);
  // saved on the hub, not just on the page
  const api = await page.evaluate(async () => (await fetch('/api/catalogue')).json());
  const pas = api.services.find(s => s.code === 'PAS-01');
  assert.equal(pas.fee_uah, 400);
  assert.equal(pas.version, 2);
  // the laptop has the old fee until it syncs, then the new one
  assert.equal(agentService('PAS-01').fee_uah, 345);
  agent('sync');
  assert.equal(agentService('PAS-01').fee_uah, 400);
  await ctx.close();
});

test('a bad value and a concurrent edit are refused in words, nothing is lost', async () => {
  const { ctx, page } = await signIn('admin', 'admin-pass-1');
  await row(page, 'RES-03').getByRole('button').click();
  await page.fill('#cat-f-title-en', '');
  await page.fill('#cat-f-title-en', ' ');
  await page.click('#cat-save');
  await page.waitForSelector('#cat-form-err:not(:empty)');
  assert.match(await page.textContent('#cat-form-err'), /Неправильне значення/);
  await page.fill('#cat-f-title-en', 'Certificate of registered persons');
  // another admin saves RES-03 meanwhile (the CLI, actor cli)
  hub('catalogue', 'set', 'RES-03', '--fee', '15');
  await page.click('#cat-save');
  await page.waitForFunction(() => /іншим|інший адміністратор/.test(document.querySelector('#cat-form-err')?.textContent || ''));
  assert.match(await page.textContent('#cat-form-err'), /щойно змінив інший адміністратор/);
  // the other edit stands; reload and the form shows the new version
  await page.click('#cat-reload');
  await page.waitForSelector('#catalogue tbody tr');
  assert.match(await row(page, 'RES-03').textContent(), /15/);
  await row(page, 'RES-03').getByRole('button').click();
  await page.fill('#cat-f-title-en', 'Certificate of registered persons');
  await page.click('#cat-save');
  await page.waitForFunction(() => /RES-03 збережено: версія 3/.test(document.querySelector('#cat-msg')?.textContent || ''));
  await ctx.close();
});

test('a reviewer reads the catalogue but is offered no edit', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  assert.ok(await row(page, 'PAS-01').count());
  assert.equal(await page.locator('.cat-edit').count(), 0);
  assert.equal(await page.locator('#cat-add').count(), 0);
  assert.match(await page.textContent('main'), /Змінювати каталог може лише адміністратор/);
  await ctx.close();
});

test('the catalogue page switches language and back', async () => {
  const { ctx, page } = await signIn('admin', 'admin-pass-1');
  assert.equal(await page.textContent('main h1'), 'Каталог послуг');
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Service catalogue');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('#cat-version'), /Catalogue version: \d+/);
  assert.match(await row(page, 'PAS-01').textContent(), /passports/);
  assert.match(await row(page, 'PAS-01').textContent(), /Citizen's passport as an ID card/);
  assert.match(await page.textContent('#catalogue thead'), /Fee, UAH/);
  assert.equal(await page.textContent('nav a[href="#/catalogue"]'), 'Service catalogue');
  await page.screenshot({ path: join(SHOTS, 'catalogue-en.png') });
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Каталог послуг');
  assert.match(await row(page, 'PAS-01').textContent(), /паспортні послуги/);
  await ctx.close();
});
