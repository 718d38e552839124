// Browser-test helpers: Debian's headless Chromium via playwright-core, axe-core checks, a throwaway kiosque server.
//
//   import { launch, checkA11y, startServer } from './harness.mjs';
//   const srv = await startServer({ args: ['--demo'] });   // fresh sqlite DB + SMTP sink, waits for /healthz
//   const browser = await launch();                        // playwright Browser; browser.newPage() / newContext()
//   const page = await browser.newPage();
//   await page.goto(srv.url + '/');
//   await checkA11y(page, 'home');                         // throws listing every axe violation
//   const mails = srv.readMails();                         // [{file, to, from, subject, text, headers}]
//   await browser.close(); await srv.stop();               // stop() throws unless kiosque exits 0 on SIGTERM
//
// Env: KIOSQUE_BIN (default ./kiosque), KIOSQUE_TEST_KEEP=1 keeps the server's temp dir.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
const require = createRequire(path.join(REPO, 'package.json'));
const { chromium } = require('playwright-core');

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SYS_PYTHON = '/usr/bin/python3';
const SMTP_SINK = path.join(REPO, 'tests', 'tools', 'smtp_sink.py');
const KT = path.join(REPO, 'tests', 'http', 'kiosque_test.py');

const live = new Set(); // child processes killed if this test process exits without stopping them
process.on('exit', () => { for (const p of live) try { p.kill('SIGKILL'); } catch {} });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(128 + os.constants.signals[sig]));

/** Headless Chromium (playwright Browser). Each launch has a fresh temporary profile (user-data-dir). */
export async function launch(options = {}) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...options });
}

let axeSource;
/** Runs axe-core (WCAG 2.0/2.1 A+AA and best-practice) on the page; throws an Error listing all violations.
 *  options.disableRules: axe rule ids to skip. Returns the (empty) violations array otherwise. */
export async function checkA11y(page, label = page.url(), options = {}) {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    try { await page.addScriptTag({ content: axeSource }); } catch {}
    // A Content-Security-Policy without 'unsafe-inline' blocks the script tag: evaluate it through devtools.
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async ({ tags, disable }) => {
    const rules = Object.fromEntries(disable.map((id) => [id, { enabled: false }]));
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' > ')) }));
  }, { tags: AXE_TAGS, disable: options.disableRules ?? [] });
  if (violations.length) {
    const lines = violations.map((v) => `  - ${v.id} [${v.impact}] ${v.help}: ${v.targets.join(', ')}`);
    throw new Error(`axe: ${label}: ${violations.length} violation(s)\n${lines.join('\n')}`);
  }
  return violations;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function startSink(maildir, logfile) {
  return new Promise((resolve, reject) => {
    const err = fs.openSync(logfile, 'a');
    const p = spawn(SYS_PYTHON, [SMTP_SINK, '--port', '0', '--dir', maildir], { stdio: ['ignore', 'pipe', err] });
    fs.closeSync(err);
    live.add(p);
    let out = '';
    const timer = setTimeout(() => fail('no port printed within 15 s'), 15000);
    const fail = (why) => { clearTimeout(timer); p.kill(); reject(new Error(`smtp_sink.py did not start: ${why}\n${fs.readFileSync(logfile, 'utf8')}`)); };
    p.on('exit', (code) => fail(`exited with code ${code}`));
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^(\d+)\n/);
      if (m) { clearTimeout(timer); p.removeAllListeners('exit'); p.on('exit', () => live.delete(p)); resolve({ proc: p, port: Number(m[1]) }); }
    });
  });
}

async function waitHealthy(proc, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) return false;
    try {
      const r = await fetch(url + '/healthz', { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return true;
    } catch {}
    await new Promise((f) => setTimeout(f, 50));
  }
  return false;
}

/** Starts `kiosque serve` on a free port with a fresh sqlite DB and its own SMTP sink.
 *  opts: { args: [] extra arguments ("{tmp}" is replaced by the temp dir), env: {}, timeoutMs: 20000 }
 *  Returns { url, port, dbUrl, smtpPort, tmp, maildir, proc, log(), readMails(), waitMail({to, subjectContains,
 *  timeoutMs, since}), stop() }. */
export async function startServer(opts = {}) {
  const bin = path.resolve(process.env.KIOSQUE_BIN || (fs.existsSync('kiosque') ? 'kiosque' : path.join(REPO, 'kiosque')));
  if (!fs.existsSync(bin)) throw new Error(`kiosque binary not found: ${bin} (build it with make, or set KIOSQUE_BIN)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosque-browser-'));
  const maildir = path.join(tmp, 'mail');
  fs.mkdirSync(maildir);
  const logfile = path.join(tmp, 'server.log');
  const sink = await startSink(maildir, path.join(tmp, 'smtp_sink.log'));
  const dbUrl = `sqlite:${path.join(tmp, 'kiosque.db')}`;
  const readLog = () => { try { return fs.readFileSync(logfile, 'utf8'); } catch { return ''; } };

  let proc, port, url, argv;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    argv = ['serve', '--listen', `127.0.0.1:${port}`, '--db', dbUrl, '--smtp', `smtp://127.0.0.1:${sink.port}`,
      '--base-url', url, ...(opts.args ?? []).map((a) => a.replaceAll('{tmp}', tmp))];
    const err = fs.openSync(logfile, 'a');
    proc = spawn(bin, argv, { stdio: ['ignore', err, err], env: { ...process.env, ...(opts.env ?? {}) } });
    fs.closeSync(err);
    live.add(proc);
    proc.on('exit', () => live.delete(proc));
    if (await waitHealthy(proc, url, opts.timeoutMs ?? 20000)) break;
    const exited = proc.exitCode !== null || proc.signalCode !== null;
    if (exited && attempt < 2 && /in use|EADDRINUSE/i.test(readLog())) continue; // port taken meanwhile: retry
    const why = exited ? `exited with code ${proc.exitCode ?? proc.signalCode}` : 'no 200 on /healthz in time';
    proc.kill('SIGKILL'); sink.proc.kill();
    const msg = `kiosque did not start: ${why}\ncommand: ${bin} ${argv.join(' ')}\n--- stderr:\n${readLog()}`;
    console.error(msg);
    if (process.env.KIOSQUE_TEST_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(msg);
  }

  let logText = null;
  const srv = {
    url, port, dbUrl, smtpPort: sink.port, tmp, maildir, proc,
    log: () => logText ?? readLog(),
    /** Mails received so far, in arrival order: {file, to: [envelope rcpts], from, subject, text, headers}. */
    readMails() {
      return JSON.parse(execFileSync(SYS_PYTHON, [KT, 'mails', maildir], { encoding: 'utf8' }));
    },
    async waitMail({ to, subjectContains, timeoutMs = 10000, since = 0 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mails = srv.readMails();
        const m = mails.slice(since).find((m) =>
          (to === undefined || (m.to.join(',') + ',' + (m.headers.To ?? '')).toLowerCase().includes(to.toLowerCase()))
          && (subjectContains === undefined || m.subject.includes(subjectContains)));
        if (m) return m;
        if (Date.now() > deadline) {
          throw new Error(`no mail to=${to} subjectContains=${subjectContains} within ${timeoutMs} ms; received: `
            + JSON.stringify(mails.map((m) => [m.to, m.subject])));
        }
        await new Promise((f) => setTimeout(f, 100));
      }
    },
    /** SIGTERM kiosque and wait; throws unless it exits 0. Stops the sink and removes the temp dir. */
    async stop(timeoutMs = 15000) {
      if (logText !== null) return;
      let code = proc.exitCode, signal = proc.signalCode;
      if (code === null && signal === null) {
        const exited = new Promise((f) => proc.once('exit', (c, s) => f([c, s])));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
        [code, signal] = await exited;
        clearTimeout(timer);
      }
      sink.proc.kill('SIGTERM');
      logText = readLog();
      if (process.env.KIOSQUE_TEST_KEEP === '1') console.error(`harness: kept ${tmp}`);
      else fs.rmSync(tmp, { recursive: true, force: true });
      if (code !== 0) throw new Error(`kiosque exited with ${code ?? signal} on SIGTERM\n--- stderr:\n${logText}`);
    },
  };
  return srv;
}
