// desk.test.js — the review desk for a centre's day (issue 14, items 5-7) in
// a real browser: the history of a case a real mo-agent made, edited by a
// second administrator after a request for documents (old → new, name with
// the laptop's code, creation and receipt, rating, attachment); one language
// at a time on every page (no code of the words table in Ukrainian, none of
// its Ukrainian words in English); the XLSX download read by openpyxl; the
// reports' chart drawn with its labels inside, printed on one page.
//
//   MO_HUB=build/hub/mo-hub MO_AGENT=build/agent/mo-agent node --test tests/browser/desk.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUB, AGENT, SHOTS, run, launchBrowser, startHub as startHubProc } from './lib.mjs';

let tmp, hubData, agentData, hubProc, baseUrl, browser, caseId, number, code;

const hub = (...a) => run(HUB, [...a, '--data', hubData]);
const agent = (...a) => run(AGENT, [...a, '--data', agentData, '--lang', 'en']);

async function startHub() {
  let url;
  ({ p: hubProc, url } = await startHubProc(hubData));
  return url;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mo-desk-'));
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
  code = JSON.parse(agent('enroll', '--hub', baseUrl, '--token', token, '--operator', 'Олена Коваль', '--json').stdout).device_code;
  agent('trip', 'start', '--settlement', 'с. Новоселиця', '--kind', 'village-stop');
  const made = JSON.parse(agent('case', 'new', '--service', 'SOC-01', '--surname', 'Гнатюк', '--given-name', 'Ганна',
    '--patronymic', 'Іванівна', '--birth-date', '1950-12-02', '--tax-id', '1859812343', '--phone', '0671112233',
    '--mobility', 'bedridden', '--doc', 'id_card:001234567', '--consent', '--json').stdout);
  caseId = made.id;
  number = made.number;
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
  writeFileSync(join(tmp, 'skan-1.png'), png);
  agent('case', 'attach', caseId, join(tmp, 'skan-1.png'), '--type', 'id_card');
  agent('case', 'rate', caseId, '4', '--comment', 'Дуже зручно');
  agent('case', 'new', '--service', 'PAS-01', '--service', 'TAX-01', '--surname', 'Ярошенко', '--given-name', 'Петро',
    '--patronymic', 'Олегович', '--birth-date', '1961-03-04', '--tax-id', '2234356785', '--phone', '0501234567', '--consent');
  agent('sync');
  // documents requested; the second administrator of the laptop amends and resubmits
  hub('case', 'decide', number, '--decision', 'needs_info', '--reason', 'Потрібен новий номер телефону', '--by', 'olena');
  agent('sync');
  agent('operator', 'add', 'Петро Іваненко');
  agent('operator', 'use', 'Петро Іваненко');
  agent('case', 'edit', number, '--phone', '(050) 333-44-55');
  agent('case', 'submit', number);
  agent('sync');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (hubProc && hubProc.exitCode === null) hubProc.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function signIn(login, password, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'uk-UA', acceptDownloads: true, ...opts });
  const page = await ctx.newPage();
  await page.goto(baseUrl + '/');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('#queue tbody tr');
  return { ctx, page };
}

const TIME = /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/;

test('the case page tells the history: edits old → new, who with the laptop, creation and receipt, rating, scan', async () => {
  const { ctx, page } = await signIn('olena', 'reviewer-pass-1');
  await page.goto(`${baseUrl}/#/case/${caseId}`);
  await page.waitForSelector('#history li[data-kind="edited"]');
  const edit = page.locator('#history li[data-kind="edited"]');
  assert.equal(await edit.count(), 1);
  assert.match(await edit.textContent(), /Телефон: \+380671112233 → \+380503334455/);
  assert.match(await edit.locator('time').textContent(), new RegExp(`· Петро Іваненко \\(${code}\\)$`));
  const created = page.locator('#history li[data-kind="created"]');
  assert.match(await created.textContent(), new RegExp(`Олена Коваль \\(${code}\\).*Створено на ноутбуці`));
  assert.match(await page.locator('#history li[data-kind="arrived"]').textContent(), /Отримано центром/);
  assert.match(await page.locator('#history li[data-kind="rating"]').textContent(), /Оцінка: 4 з 5 — Дуже зручно/);
  const scan = await page.locator('#history li[data-kind="attachment"]').textContent();
  assert.match(scan, /Скан документа: skan-1\.png \(ID-картка, \d+ Б\)/);
  // times in Kyiv local time, dd.mm.yyyy hh:mm; the birth date as people write it
  for (const t of await page.locator('#history time').allTextContents()) assert.match(t.split(' · ')[0], TIME);
  assert.match(await page.locator('dl.kv').textContent(), /02\.12\.1950/);
  assert.match(await page.locator('dl.kv').textContent(), /лежача людина/);
  await page.screenshot({ path: join(SHOTS, 'case-history.png'), fullPage: true });
  // the same history in English
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en' && /Phone:/.test(document.querySelector('#history')?.textContent || ''));
  assert.match(await page.locator('#history').textContent(), /Created on the laptop/);
  assert.match(await page.locator('#history').textContent(), /Rating: 4 of 5/);
  await ctx.close();
});

// every code of the words table that a page may show, and its Ukrainian words
async function wordsOf(page, l) {
  return page.evaluate(async l => (await (await fetch('/api/words?lang=' + l)).json()), l);
}
const KINDS = ['statuses', 'categories', 'unit_kinds', 'trip_kinds', 'audit_actions', 'documents', 'mobility', 'fields'];
const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function pageText(page) {
  return page.evaluate(() => document.body.innerText + ' ' + [...document.querySelectorAll('[title],[aria-label],option')]
    .map(e => [e.getAttribute('title'), e.getAttribute('aria-label'), e.textContent].filter(Boolean).join(' ')).join(' '));
}

test('one language at a time on every page of the review UI', async () => {
  const { ctx, page } = await signIn('admin', 'admin-pass-1');
  const ukWords = await wordsOf(page, 'uk');
  const codes = new Set();
  const ukPhrases = new Set();
  for (const k of KINDS) for (const [c, w] of Object.entries(ukWords[k] || {})) {
    codes.add(c);
    if (w.length >= 4) ukPhrases.add(w);
  }
  // a code is "found" only as a word of its own (not inside a file name or URL)
  const codeRe = c => new RegExp(`(^|[\\s(«"',;:])${esc(c)}($|[\\s)»"',;:.])`, 'i');
  const pages = [['#/queue', '#queue tbody tr'], [`#/case/${caseId}`, '#history li'], ['#/reports', '#kpis'], ['#/admin', '#devices']];
  for (const [hash, ready] of pages) {
    await page.goto(baseUrl + '/' + hash);
    await page.waitForSelector(ready);
    await page.waitForTimeout(200);
    const text = await pageText(page);
    const found = [...codes].filter(c => codeRe(c).test(text));
    assert.deepEqual(found, [], `Ukrainian ${hash} shows codes: ${found.join(', ')}`);
    assert.doesNotMatch(text, /\b\d{2}\.\d{2}\.\d{2}\b(?!\d)/, `${hash}: a two-digit year`);
  }
  await page.screenshot({ path: join(SHOTS, 'desk-admin.png'), fullPage: true });
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  for (const [hash, ready] of pages) {
    await page.goto(baseUrl + '/' + hash);
    await page.waitForSelector(ready);
    await page.waitForTimeout(200);
    const text = await pageText(page);
    const found = [...ukPhrases].filter(w => new RegExp(`(^|[^\\p{L}])${esc(w)}($|[^\\p{L}])`, 'iu').test(text));
    assert.deepEqual(found, [], `English ${hash} shows Ukrainian words: ${found.join(', ')}`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  }
  // a toast says "Saved" in English
  await page.goto(`${baseUrl}/#/case/${caseId}`);
  await page.waitForSelector('#comment');
  await page.fill('#comment', 'Called the applicant');
  await page.click('#comment ~ .actions button');
  await page.waitForSelector('#toast.show');
  assert.equal(await page.textContent('#toast'), 'Saved');
  await page.screenshot({ path: join(SHOTS, 'desk-case-en.png'), fullPage: true });
  await ctx.close();
});

test('the XLSX download is a workbook with the queue in words and Kyiv times', async () => {
  const { ctx, page } = await signIn('petro', 'supervisor-pass-1');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
  assert.equal(dl.suggestedFilename(), 'cases.xlsx');
  const file = join(tmp, 'cases.xlsx');
  await dl.saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK');
  const py = run(process.env.MO_PYTHON || '/usr/bin/python3', ['-c', `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
rows = [[c.isoformat() if hasattr(c, "isoformat") else c for c in r] for r in ws.iter_rows(values_only=True)]
print(json.dumps({"title": ws.title, "rows": rows}, ensure_ascii=False))`, file]);
  const { title, rows } = JSON.parse(py.stdout);
  assert.equal(title, 'Заяви');
  assert.deepEqual(rows[0].slice(0, 4), ['Номер', 'Статус', 'Підрозділ', 'Створено']);
  assert.equal(rows.length, 3);
  const head = rows[0];
  const mine = Object.fromEntries(head.map((h, i) => [h, rows.find(r => r[0] === number)[i]]));
  assert.equal(mine['Прізвище'], 'Гнатюк');
  assert.equal(mine['Населений пункт'], 'с. Новоселиця');
  assert.equal(mine['Адміністратор'], 'Олена Коваль');
  assert.match(mine['Послуги та їх статуси'], /^SOC-01: (подано|отримано центром)$/);
  assert.match(mine['Створено'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  await ctx.close();
});

test('the reports page draws services by kind with whole labels and prints on one page', async () => {
  const { ctx, page } = await signIn('petro', 'supervisor-pass-1');
  await page.goto(baseUrl + '/#/reports');
  await page.waitForSelector('#chart-services svg rect');
  assert.ok(await page.locator('#chart-services svg rect').count() >= 3);
  // every label lies inside its chart (nothing clipped at the left edge)
  const boxes = await page.evaluate(() => [...document.querySelectorAll('svg.chart text')].map(t => {
    const b = t.getBBox();
    const vb = t.ownerSVGElement.viewBox.baseVal;
    return { x: b.x, right: b.x + b.width, w: vb.width, text: t.textContent };
  }));
  for (const b of boxes) assert.ok(b.x >= -0.5 && b.right <= b.w + 0.5, `clipped: ${JSON.stringify(b)}`);
  assert.ok(await page.locator('#report-xlsx').getAttribute('href'));
  await page.screenshot({ path: join(SHOTS, 'reports-services.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false);
  const pdf = await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, `the report prints on ${pages} pages`);
  // the report's workbook downloads
  const [dl] = await Promise.all([page.waitForEvent('download'), page.evaluate(() => document.getElementById('report-xlsx').click())]);
  assert.equal(dl.suggestedFilename(), 'report.xlsx');
  await ctx.close();
});
