// status.test.js — the citizens' /status page in a real browser (Debian's
// Chromium, headless, playwright-core) on a phone-sized screen. A real mo-hub
// on 127.0.0.1 (port 0) holds one application synced by a real mo-agent; the
// test types the number and code from `case show --json`, reads the status in
// Ukrainian and English, opens the page as the receipt's QR code does
// (#number=…&code=…), sees a wrong code refused in plain words, and checks
// that the page runs under the strict CSP with no inline script.
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/status.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, AGENT, SHOTS, run, launchBrowser, startHub as startHubProc } from './lib.mjs';

let tmp, hubData, agentData, hubProc, baseUrl, browser, number, code;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, [...a, '--data', agentData, '--lang', 'en']);

async function startHub() {
  let url;
  ({ p: hubProc, url } = await startHubProc(hubData));
  return url;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-status-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  hub('init');
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  baseUrl = await startHub();
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', baseUrl, '--token', token, '--operator', 'Марія Бондар');
  const made = JSON.parse(agent('case', 'new', '--service', 'PAS-01', '--surname', 'Шевченко', '--given-name', 'Тарас',
    '--patronymic', 'Григорович', '--birth-date', '1953-07-23', '--tax-id', '1956229334', '--phone', '0671234567',
    '--consent', '--json').stdout);
  number = made.number;
  code = JSON.parse(agent('case', 'show', made.id, '--json').stdout).status_code;
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
  agent('sync');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hubProc && hubProc.exitCode === null) hubProc.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function phone() {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'uk-UA' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', m => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', e => problems.push(String(e)));
  return { ctx, page, problems };
}

test('a citizen types the number and code from the receipt and reads the status', async () => {
  const { ctx, page, problems } = await phone();
  const resp = await page.goto(baseUrl + '/status');
  assert.equal(resp.status(), 200);
  const csp = resp.headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  assert.equal(await page.locator('script:not([src])').count(), 0);
  await page.fill('#number', number);
  await page.fill('#code', code.toLowerCase());
  await page.tap('#go');
  await page.waitForSelector('#case');
  const text = await page.textContent('#case');
  assert.match(text, /Заяву отримано ЦНАП/);
  assert.match(text, /Ш\. Т\. Г\./);
  assert.match(text, /Остання зміна: \d\d\.\d\d\.\d{4}/);
  assert.doesNotMatch(text, /Шевченко|Тарас|1956229334/);
  // the page fits a phone: nothing wider than the screen
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, 'page is ' + wide + ' px wide');
  await page.screenshot({ path: join(SHOTS, 'status-phone.png'), fullPage: true });
  // English on the same page, the answer asked again in English
  await page.click('#lang');
  await page.waitForFunction(() => /Received by the CNAP/.test(document.querySelector('#case')?.textContent || ''));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('h1'), 'Application status');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the receipt QR code opens the page with the answer', async () => {
  const { ctx, page, problems } = await phone();
  await page.goto(baseUrl + '/status#number=' + encodeURIComponent(number) + '&code=' + encodeURIComponent(code));
  await page.waitForSelector('#case');
  assert.match(await page.textContent('#case'), /Заяву отримано ЦНАП/);
  assert.equal(new URL(page.url()).hash, ''); // the code does not stay in the address bar
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a wrong code is refused in plain words, like an unknown number', async () => {
  const { ctx, page } = await phone();
  await page.goto(baseUrl + '/status');
  await page.fill('#number', number);
  await page.fill('#code', code.slice(0, -1) + (code.endsWith('0') ? '1' : '0'));
  await page.click('#go');
  await page.waitForSelector('#result .error');
  assert.match(await page.textContent('#result'), /не знайдено/);
  assert.equal(await page.locator('#case').count(), 0);
  await page.fill('#number', number.replace(/\d$/, d => String((Number(d) + 1) % 10)));
  await page.fill('#code', code);
  await page.click('#go');
  await page.waitForFunction(() => /не знайдено/.test(document.querySelector('#result').textContent));
  await page.fill('#number', '');
  await page.click('#go');
  await page.waitForFunction(() => /Введіть номер/.test(document.querySelector('#result').textContent));
  await ctx.close();
});
