// field_ui_keys.mjs — one single-service application by keyboard alone in the
// field UI (bench/field_ui.py passes the one-time URL).  Prints one JSON line
// {"keys": N, "seconds": S}: key presses besides the typed values, and the wall
// time from the empty form to the saved application.
// playwright-core is installed for the browser tests (tests/browser/node_modules):
// resolve it from there, wherever this script is run from
import { createRequire } from 'node:module';
const { chromium } = createRequire(new URL('../tests/browser/package.json', import.meta.url))('playwright-core');

const url = process.argv[2];
const browser = await chromium.launch({ executablePath: process.env.MO_CHROMIUM || '/usr/bin/chromium',
  headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.waitForSelector('#v-signin:not([hidden])');
  await page.check('#op-list input[value="Bench Two"]');
  await page.fill('#pin', '2468');
  await page.press('#pin', 'Enter');
  await page.waitForFunction(() => document.querySelector('#operator').textContent !== '');
  await page.goto(url.replace(/\/\?key=.*/, '/#new'));
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'c-surname');
  let keys = 0;
  const press = async (k, n = 1) => { for (let i = 0; i < n; i++) { await page.keyboard.press(k); keys++; } };
  const type = (s) => page.keyboard.type(s);
  const t0 = Date.now();
  await type('Лисенко'); await press('Tab');
  await type('Віра'); await press('Tab');
  await type('Степанівна'); await press('Tab');
  await type('15.03.1948'); await press('Tab');
  await type('1760612344'); await press('Tab');
  await press('Tab'); // past "refused an RNOKPP"
  await type('+380671112233'); await press('Tab');
  await type('с. Підлісне, вул. Соборна, 3'); await press('Tab');
  await type('SOC-03');
  await page.waitForSelector('#service-results li[role=option]');
  await press('Enter');
  await page.waitForSelector('#chosen .svc');
  await press('Tab', 2);
  await press('Space');
  await press('Enter');
  await page.waitForSelector('#v-saved:not([hidden])', { timeout: 10000 });
  console.log(JSON.stringify({ keys, seconds: (Date.now() - t0) / 1000 }));
} finally {
  await browser.close();
}
