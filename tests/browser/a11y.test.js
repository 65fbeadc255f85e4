// a11y.test.js — an accessibility check of every page staff, citizens and
// field administrators meet (issue 14 item 9): axe-core (npm, pinned in
// package-lock.json) is injected into each page of the review UI (sign-in,
// queue, case page, a package case with its per-service decisions, reports,
// team and accounts, catalogue), the citizens' /status page and the field UI
// of mo-agent (sign-in with PIN, trip, case list, new-application form, case
// page, sync), in both languages where the page has a switch. Each page must
// have 0 serious and 0 critical violations; a failure prints them (rule,
// impact, help, the elements and what to fix).
//
// Real parts only: a real mo-hub on 127.0.0.1 port 0, a real mo-agent that
// imported and synced the demo trip, Debian's Chromium headless. The pages'
// CSP forbids injected scripts, so the browser context bypasses CSP for the
// test (the pages themselves are unchanged).
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/a11y.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { root, HUB, AGENT, SHOTS, UI_LISTENING, run, startProc, launchBrowser, startHub as startHubProc } from './lib.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const OP = 'Марія Бондар', PIN = '2468';
let tmp, hubData, agentData, hubProc, uiProc, hubUrl, uiKeyUrl, uiUrl, browser;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, ['--data', agentData, '--lang', 'en', ...a]);

before(async () => {
  assert.ok(existsSync(AXE), 'axe-core is not installed: cd tests/browser && npm ci');
  tmp = mkdtempSync(join(tmpdir(), 'mo-a11y-'));
  hubData = join(tmp, 'hub');
  agentData = join(tmp, 'agent');
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(tmp, 'admin.pw'), 'admin-pass-1\n');
  writeFileSync(join(tmp, 'pin'), PIN + '\n');
  hub('init', '--admin-password-file', join(tmp, 'admin.pw'));
  hub('unit', 'add', '--code', 'KR-T01', '--name', 'Мобільний офіс №1', '--kind', 'truck');
  ({ p: hubProc, url: hubUrl } = await startHubProc(hubData));
  const token = hub('enroll-token', '--unit', 'KR-T01').stdout.trim();
  agent('enroll', '--hub', hubUrl, '--token', token, '--operator', OP);
  agent('trip', 'start', '--settlement', 'с. Новоселиця', '--kind', 'village-stop');
  agent('case', 'import', join(root, 'demo/trip.jsonl'));
  agent('sync');
  agent('operator', 'pin', OP, '--pin-file', join(tmp, 'pin'));
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

async function newPage(lang = 'uk') {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'uk-UA', bypassCSP: true });
  await ctx.addInitScript(l => { localStorage.setItem('mo_lang', l); }, lang);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  return { ctx, page };
}

// axe on the page as it is now: the serious and critical violations, printed
function describe(v) {
  return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` + v.nodes.slice(0, 8).map(n =>
    `      ${n.target.join(' ')}\n        ${n.html.slice(0, 200)}\n        ${(n.failureSummary || '').replace(/\n/g, '\n        ')}`).join('\n');
}

async function check(page, name) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })) }));
  });
  const bad = r.filter(v => v.impact === 'serious' || v.impact === 'critical');
  const minor = r.filter(v => !bad.includes(v));
  if (minor.length) console.log(`# ${name}: ${minor.length} minor/moderate: ${minor.map(v => v.id).join(', ')}`);
  assert.equal(bad.length, 0, `${name}: ${bad.length} serious or critical accessibility violation(s):\n` +
    bad.map(describe).join('\n'));
}

// ---- the review UI ----

async function staffSignIn(page) {
  await page.goto(hubUrl + '/');
  await page.waitForSelector('#login');
  await page.fill('#login', 'admin');
  await page.fill('#password', 'admin-pass-1');
  await page.press('#password', 'Enter');
  await page.waitForSelector('#nav:not([hidden])');
}

async function caseNumber(page, q) {
  return page.evaluate(async q => (await (await fetch('/api/cases?q=' + encodeURIComponent(q))).json()).items[0].number, q);
}

for (const lang of ['uk', 'en']) {
  test(`review UI (${lang}): sign-in page`, async () => {
    const { ctx, page } = await newPage(lang);
    await page.goto(hubUrl + '/');
    await page.waitForSelector('#login');
    await check(page, 'sign-in');
    await ctx.close();
  });

  test(`review UI (${lang}): queue, case, package case, reports, team, catalogue`, async () => {
    const { ctx, page } = await newPage(lang);
    await staffSignIn(page);
    await page.waitForSelector('#queue tbody tr');
    await check(page, 'queue');
    const one = await caseNumber(page, 'Семенський');
    await page.goto(hubUrl + '/#/case/' + encodeURIComponent(one));
    await page.waitForSelector('#decision');
    await check(page, 'case page');
    const pkg = await caseNumber(page, 'Кузьменко Анна');
    await page.goto(hubUrl + '/#/case/' + encodeURIComponent(pkg));
    await page.waitForSelector('#services tbody tr');
    await check(page, 'package case (per-service decisions)');
    // a decided case: its badge and history ask for documents
    await page.goto(hubUrl + '/#/case/' + encodeURIComponent(one));
    await page.waitForSelector('#decision');
    await page.evaluate(async n => {
      const me = await (await fetch('/api/me')).json();
      await fetch('/api/cases/' + encodeURIComponent(n) + '/decision', { method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ decision: 'needs_info', reason: 'Потрібна копія паспорта' }) });
    }, one);
    await page.reload();
    await page.waitForSelector('dl.kv [data-status=needs_info]');
    await check(page, 'case page after a decision');
    await page.goto(hubUrl + '/#/queue');
    await page.waitForSelector('#queue tbody tr');
    await check(page, 'queue with decided cases');
    await page.goto(hubUrl + '/#/reports');
    await page.waitForSelector('.kpis, .charts');
    await check(page, 'reports');
    await page.goto(hubUrl + '/#/admin');
    await page.waitForSelector('#devices');
    await check(page, 'team and accounts (admin)');
    await page.goto(hubUrl + '/#/catalogue');
    await page.waitForSelector('#catalogue tbody tr');
    await page.locator('.cat-edit').first().click();
    await page.waitForSelector('#cat-form');
    await check(page, 'catalogue with the edit form');
    await ctx.close();
  });

  test(`citizens' status page (${lang})`, async () => {
    const { ctx, page } = await newPage(lang);
    await page.goto(hubUrl + '/status');
    await page.waitForSelector('form');
    await check(page, '/status');
    // the answer to a lookup (a made-up receipt: not found)
    await page.fill('#number', 'KR-T01A-2026-000001');
    await page.fill('#code', '7KQ2-M9XD-4F');
    await page.click('#go');
    await page.waitForSelector('#result:not(:empty)');
    await check(page, '/status with an answer');
    await ctx.close();
  });
}

// ---- the field UI (mo-agent ui) ----

test('field UI: sign-in, trip, case list, new application, case page, sync', async () => {
  const { ctx, page } = await newPage('uk');
  await page.goto(uiKeyUrl);
  await page.waitForSelector('#v-signin:not([hidden])');
  await check(page, 'field sign-in (PIN)');
  await page.getByLabel(OP, { exact: true }).check();
  await page.getByLabel('PIN').fill(PIN);
  await page.getByLabel('PIN').press('Enter');
  await page.waitForFunction(n => document.querySelector('#operator').textContent === n, OP);
  await page.goto(uiUrl + '/#trip');
  await page.waitForSelector('#v-trip:not([hidden])');
  await check(page, 'field trip');
  await page.goto(uiUrl + '/#cases');
  await page.waitForSelector('#v-cases:not([hidden]) tbody tr, #v-cases:not([hidden]) li');
  await check(page, 'field case list');
  await page.goto(uiUrl + '/#new');
  await page.waitForSelector('#v-new:not([hidden])');
  await check(page, 'field new-application form');
  // the same form showing its validation messages
  await page.click('#c-save');
  await page.waitForTimeout(500);
  await check(page, 'field form with errors');
  const id = JSON.parse(agent('--json', 'case', 'list').stdout)[0].id;
  await page.goto(uiUrl + '/#case/' + id);
  await page.waitForSelector('#v-case:not([hidden])');
  await page.waitForTimeout(300);
  await check(page, 'field case page');
  await page.goto(uiUrl + '/#sync');
  await page.waitForSelector('#v-sync:not([hidden])');
  await check(page, 'field sync');
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await check(page, 'field sync (en)');
  await ctx.close();
});
