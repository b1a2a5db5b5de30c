// The browser tests' harness: Debian Chromium through playwright-core, against the stack at
// BASE_URL (started by tests/e2e/web.rs, or by `make run` when developing). Every page a
// test opens is watched: a console error, an uncaught exception, a failed request or an
// HTTP error the test did not announce fails the test; so does a catalog key without a
// translation, a horizontal scroll at phone width, and any serious or critical axe-core
// violation. Screenshots go to target/ui/.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE = process.env.BASE_URL || 'http://127.0.0.1:8080';
export const SHOTS = process.env.UI_SHOTS || path.resolve(here, '../../target/ui');
mkdirSync(SHOTS, { recursive: true });
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

let browser;
export async function launch() {
  browser ??= await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  return browser;
}
export async function close() {
  await browser?.close();
  browser = undefined;
}

/**
 * A fresh browser context (its own cookies) at `viewport`, in `lang`. `expectStatus` lists
 * HTTP statuses of API calls the test provokes on purpose (e.g. 422), which are then not
 * counted as failures.
 */
export async function open({ viewport = DESKTOP, lang = 'zh', name = 'page' } = {}) {
  const b = await launch();
  const context = await b.newContext({ viewport, locale: lang === 'zh' ? 'zh-CN' : 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  const expected = new Set();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A provoked HTTP error is logged by Chromium as "Failed to load resource"; it is judged below.
    if (/Failed to load resource: the server responded with a status of (\d+)/.test(m.text())) return;
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure()?.errorText || '';
    // Navigations cancelled by the next one are not failures.
    if (!f.includes('ERR_ABORTED')) problems.push(`request failed: ${r.method()} ${r.url()} ${f}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expected.has(r.status())) {
      // Recorded at once (a check right after must see it), completed with the problem's
      // detail when the body arrives, so that a rare failure says why it happened.
      const msg = `HTTP ${r.status()}: ${r.request().method()} ${r.url()}`;
      const i = problems.push(msg) - 1;
      r.text().then((b) => { problems[i] = `${msg} ${b.slice(0, 300)}`; }).catch(() => {});
    }
  });
  let step = 0;
  const t = {
    page,
    context,
    lang,
    viewport,
    /** Allows an HTTP status the test provokes on purpose until `done()` is called. */
    expect(status) {
      expected.add(status);
      return { done: () => expected.delete(status) };
    },
    async goto(p) {
      const url = new URL(p, BASE);
      if (!url.searchParams.has('lang')) url.searchParams.set('lang', lang);
      await page.goto(url.toString());
      await page.waitForSelector('main:not(:has(.loading))');
    },
    /** Checks the page as it is now (catalog, width, axe) and saves a screenshot. */
    async check(label) {
      step += 1;
      const missing = await page.evaluate(() => [...(window.__onethingMissing || [])]);
      assert.deepEqual(missing, [], `${label}: catalog keys without translation`);
      // The box a page shows when it failed to render (app.js) is a failure, whatever the console says.
      assert.equal(await page.locator('main > .notice.error[role=alert]').count(), 0, `${label}: the page failed to render`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `${label}: page is ${width}px wide at ${viewport.width}px`);
      // Evaluated through DevTools, not a <script> tag: the pages' CSP refuses inline scripts.
      await page.evaluate(AXE);
      const result = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      });
      assert.deepEqual(result, [], `${label}: axe-core serious/critical violations`);
      const file = `${name}-${lang}-${viewport.width}-${String(step).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-')}.png`;
      await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
      assert.deepEqual(problems, [], `${label}: console errors or failed requests`);
    },
    /** Signs in through the dev form of /sign-in, as a person would. */
    async signIn(role, subject, department = '') {
      await t.goto('/sign-in');
      await page.selectOption('#role', role);
      await page.fill('#subject', subject);
      if (department) await page.selectOption('#department', department);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.click('#sign-in-form button[type=submit]')]);
      await page.waitForSelector('main:not(:has(.loading))');
    },
    async done() {
      assert.deepEqual(problems, [], 'console errors or failed requests');
      await context.close();
    },
  };
  return t;
}

// ---- Test data through the public API (for journeys that start from a case in some state).

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** A valid unified social credit code, unique per call within a run. */
export function creditCode() {
  const n = String((Date.now() * 1000 + Math.floor(Math.random() * 1000)) % 1e7).padStart(7, '0');
  const body = `91620100MA${n}`;
  const sum = [...body].reduce((s, c, i) => s + ALPHABET.indexOf(c) * WEIGHTS[i], 0);
  return body + ALPHABET[(31 - (sum % 31)) % 31];
}

export async function token(role, subject, department = '') {
  const r = await fetch(`${BASE}/api/v1/dev/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ role, subject, department }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).token;
}

export async function call(method, p, tok, body) {
  const headers = { Accept: 'application/json' };
  if (tok) headers.Authorization = `Bearer ${tok}`;
  let payload = body;
  if (body !== undefined && !(body instanceof Uint8Array)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(`${BASE}${p}`, { method, headers, body: payload });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: json };
}

/** A small valid PDF (the server checks magic bytes). */
export const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
export const pdfFile = (name) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(PDF) });

const UPLOADED = ['passport', 'photo', 'work_experience_proof', 'highest_degree_or_qualification', 'criminal_record_certificate',
  'health_certificate', 'employment_contract', 'employer_recommendation_report'];

/**
 * A case submitted through the API by a new employer (category B unless `category` is
 * given), returned once its department has taken the work permit into review.
 */
/** The test applicant's start date: a month from today (Beijing), as tests/support's
 * `start_date()`; intake refuses a start date in the past, so a fixed date would expire. */
export function startDate() {
  const d = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 30);
  return d.toISOString().slice(0, 10);
}

export async function submittedCase({ items = ['work_permit', 'residence_permit'], category = 'B' } = {}) {
  const code = creditCode();
  const employer = await token('employer', code);
  const materials = [];
  for (const kind of UPLOADED) {
    const r = await fetch(`${BASE}/api/v1/materials?kind=${kind}`, {
      method: 'POST', headers: { Authorization: `Bearer ${employer}`, 'Content-Type': 'application/pdf' }, body: PDF,
    });
    assert.equal(r.status, 201, `upload ${kind}`);
    materials.push({ kind, id: (await r.json()).id });
  }
  const profiles = {
    A: [480000, { education: 'doctorate', vocational: 'none', work_experience_years: 8, months_in_china_per_year: 12, chinese: 'hsk4', extras: ['fortune_500'], local_bonus: 0, direct_qualification: null }],
    B: [300000, { education: 'bachelor', work_experience_years: 4, months_in_china_per_year: 12 }],
    C: [120000, { education: 'none', work_experience_years: 1, months_in_china_per_year: 12 }],
  };
  const [salary, profile] = profiles[category];
  const body = {
    employer: { credit_code: code, name: '兰州示例科技有限公司', region_code: '620100', kind: 'enterprise', sector_preapproval: null },
    applicant: { surname: 'SMITH', given_names: 'JOHN', sex: 'M', nationality: 'GBR', birth_date: '1988-04-02', passport_number: `E${code.slice(10, 17)}`, passport_expiry: '2033-05-01' },
    position: { title: 'Senior engineer', annual_salary_cny: salary, start_date: startDate(), contract_months: 24 },
    profile,
    items,
    materials,
  };
  const r = await call('POST', '/api/v1/cases', employer, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await waitCase(employer, r.body.id, (c) => itemOf(c, 'work_permit')?.status === 'in_review');
  return { code, employer, caseId: r.body.id, caseNo: r.body.case_no, body };
}

/** Polls the case until `pred(case)` holds (the departments work through Kafka). */
export async function waitCase(employer, caseId, pred, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = (await call('GET', `/api/v1/cases/${caseId}`, employer)).body;
    if (last && pred(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`case ${caseId} did not reach the expected state: ${JSON.stringify(last)}`);
}

export const itemOf = (c, name) => c.items.find((i) => i.item === name);
