// lib.mjs — what every browser test starts with: where the binaries and
// Chromium are, running a command that must succeed, starting a server that
// prints its address, and launching headless Chromium the same way in every
// file.  The tests' own set-up (units, users, applications) stays in each file.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = process.env.MO_SOURCE_ROOT || resolve(here, '../..');
export const HUB = process.env.MO_HUB || join(root, 'build/hub/mo-hub');
export const AGENT = process.env.MO_AGENT || join(root, 'build/agent/mo-agent');
export const SHOTS = process.env.MO_SCREENSHOT_DIR || join(root, 'build/screenshots');
export const CHROMIUM = process.env.MO_CHROMIUM || '/usr/bin/chromium';
// what `mo-hub serve` and `mo-agent ui` print once they listen
export const HUB_LISTENING = /listening on (http:\/\/[\d.]+:\d+)/;
export const UI_LISTENING = /(http:\/\/127\.0\.0\.1:\d+\/\?key=[0-9a-f]{64})/;

// run a command to its end (2 minutes at most); a non-zero exit throws with
// its output unless allowFail
export function run(bin, args, { input, allowFail = false } = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', input, timeout: 120000 });
  if (!allowFail && r.status !== 0) throw new Error(`${bin} ${args.join(' ')} → ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

// start a server and resolve { p, url } once its stdout matches re (group 1
// is the url); rejects when it exits first or says nothing within 20 s
export function startProc(bin, args, re) {
  return new Promise((ok, fail) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${bin} did not start: ${out}`)), 20000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(re);
      if (m) { clearTimeout(timer); ok({ p, url: m[1] }); }
    });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (c) => { clearTimeout(timer); fail(new Error(`${bin} exited ${c}: ${out}`)); });
  });
}

// `mo-hub serve` on 127.0.0.1, port 0
export function startHub(hubData) {
  return startProc(HUB, ['serve', '--data', hubData, '--listen', '127.0.0.1:0'], HUB_LISTENING);
}

// Debian's Chromium, headless, with nothing that calls out of the machine
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
