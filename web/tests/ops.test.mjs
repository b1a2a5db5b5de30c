// The operators' live dashboard (/ops): the charts and figures of the ops overview in both
// languages and once at phone width; the page follows the event stream without a reload
// (a work permit approved through the API shows up in its figures); a broken stream shows
// that it is reconnecting and recovers; administrators get the dead letters one by one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, close, submittedCase, token, call, PHONE, DESKTOP } from './harness.mjs';

after(close);

const CHARTS = ['events', 'lag', 'outbox', 'cases', 'ontime'];

/** Waits until the stream is live and every chart has been drawn (a canvas in its box). */
async function live(page) {
  await page.waitForSelector('.ops-state[data-conn="live"]', { timeout: 30000 });
  for (const id of CHARTS) await page.waitForSelector(`#chart-${id}[data-drawn] canvas`, { timeout: 30000 });
}

/** The number a figure card of the glance shows (its data-value), and its text. */
async function figure(page, name) {
  const el = page.locator(`[data-figure="${name}"]`);
  return { value: Number(await el.getAttribute('data-value')), text: (await el.locator('.now').textContent()).trim() };
}

/** The chart's box: a caption naming it, its numbers in words and as a table. */
async function assertChart(page, id) {
  const chart = page.locator(`#chart-${id}`);
  assert.equal(await chart.getAttribute('role'), 'img', `${id}: an image to assistive technology`);
  const caption = (await page.locator(`#cap-${id}`).textContent()).trim();
  const summary = (await page.locator(`#sum-${id}`).textContent()).trim();
  assert.ok(caption.length > 3 && summary.length > 3, `${id}: caption and summary`);
  assert.ok(/\d/.test(summary), `${id}: the summary carries the numbers: ${summary}`);
}

for (const [lang, viewport] of [['zh', DESKTOP], ['en', PHONE]]) {
  test(`ops: the live dashboard follows an approval without a reload (${lang}, ${viewport.width} px)`, async () => {
    // A case in review, so that the approval below is possible and every table has a row.
    const { caseId } = await submittedCase();
    const t = await open({ viewport, lang, name: 'ops' });
    const { page } = t;
    // Charts are drawn without animation when the person asks for less motion (stable screenshots).
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await t.signIn('ops', 'ops1');
    assert.equal(new URL(page.url()).pathname, '/ops');
    await live(page);
    for (const id of CHARTS) await assertChart(page, id);
    const text = await page.textContent('main');
    assert.ok(!/\bin_review\b|\bwork_permit\b|\bin_progress\b/.test(text), 'no raw codes');
    assert.ok((await figure(page, 'cases-total')).value >= 1, 'the case counts');
    // Operators see the dead letters per topic, not one by one (the list is the administrators').
    assert.equal(await page.locator('.ops-dead-list').count(), 0);
    assert.equal(await page.locator('[data-figure="dead-letters-pending"]').count(), 1);
    // Items near and past due, and the plan's figures beside the measured ones.
    assert.equal(await page.locator('#ops-deadlines').count(), 1);
    assert.equal(await page.locator('#ops-efficiency-table tbody tr').count(), 4);
    await t.check('dashboard');

    // The page must not reload: a mark on the window and the navigations of its frame tell.
    let navigations = 0;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations += 1; });
    await page.evaluate(() => { window.__opsStillHere = true; });
    const permits = await figure(page, 'permits-approved');
    const events = await figure(page, 'permit-approved-events');

    const reviewer = await token('reviewer', 'r1', 'science-tech');
    const r = await call('POST', `/api/v1/work-permits/${caseId}/decision`, reviewer, { decision: 'approve' });
    assert.equal(r.status, 200, JSON.stringify(r.body));

    // Both the case figures (service-center) and the event count (the ops read model) follow.
    await page.waitForFunction(([p, e]) => {
      const v = (name) => Number(document.querySelector(`[data-figure="${name}"]`)?.dataset.value);
      return v('permits-approved') > p && v('permit-approved-events') > e;
    }, [permits.value, events.value], { timeout: 60000 });
    const after = await figure(page, 'permits-approved');
    assert.notEqual(after.text, permits.text, 'the number on the page changed');
    assert.equal(after.value, permits.value + 1);
    assert.ok(await page.evaluate(() => window.__opsStillHere === true), 'the page was not reloaded');
    assert.equal(navigations, 0, 'no navigation');
    await t.check('after-approval');

    // Keyboard: the numbers of a chart open from its summary with Enter.
    const details = page.locator('figure:has(#chart-events) details');
    await details.locator('summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await details.evaluate((d) => d.open), true, 'the table opens by keyboard');
    await page.evaluate(() => document.querySelectorAll('main details').forEach((d) => { d.open = true; }));
    await t.check('numbers');
    await t.done();
  });
}

test('ops: a broken stream says it is reconnecting, keeps the figures and recovers (en, 1280 px)', async () => {
  const t = await open({ viewport: DESKTOP, lang: 'en', name: 'ops' });
  const { page } = t;
  await page.emulateMedia({ reducedMotion: 'reduce' });
  // The stream is cut (as by a proxy or a network change) until the test lets it through.
  let blocked = true;
  await page.route('**/api/v1/ops/stream*', (route) => (blocked ? route.abort('aborted') : route.continue()));
  await t.signIn('ops', 'ops2');
  const state = page.locator('.ops-state');
  await page.waitForSelector('.ops-state[data-conn="reconnecting"]', { timeout: 30000 });
  assert.equal(await state.getAttribute('role'), 'status', 'announced to screen readers');
  assert.match(await state.textContent(), /reconnecting/i);
  // The figures of the last answer stay, with their time.
  assert.equal(await page.locator('[data-figure="cases-total"]').count(), 1);
  await t.check('reconnecting');
  blocked = false;
  await live(page);
  assert.match(await state.textContent(), /update every 2 seconds/);
  // Another window of time: the stream is opened again for it, still without a reload.
  await page.selectOption('#ops-window', '15');
  await page.waitForFunction(() => /15/.test(document.getElementById('cap-events')?.textContent || ''));
  await live(page);
  await page.unroute('**/api/v1/ops/stream*');
  await t.done();
});

for (const [lang, viewport] of [['en', DESKTOP], ['zh', PHONE]]) {
  test(`ops: administrators see the dead letters one by one (${lang}, ${viewport.width} px)`, async () => {
    const t = await open({ viewport, lang, name: 'ops-admin' });
    const { page } = t;
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await t.signIn('admin', 'root');
    assert.equal(new URL(page.url()).pathname, '/ops');
    await live(page);
    const list = page.locator('.ops-dead-list');
    await list.locator('[data-empty="dead-letter-list"], table').first().waitFor();
    const rows = await list.locator('tbody tr').count();
    if (rows === 0) {
      // Nothing failed in this stack: the section says so in words.
      assert.match(await list.textContent(), lang === 'en' ? /No dead letters\./ : /没有死信。/);
      assert.match(await page.locator('#ops-dead ~ [data-empty="dead-letters"]').textContent(), lang === 'en' ? /No dead letters/ : /没有死信/);
    } else {
      // Each one not yet replayed has its Replay button.
      const pending = await list.locator('tbody tr:has(.badge.warn)').count();
      assert.equal(await list.locator('tbody tr button').count(), pending);
    }
    await page.locator('#ops-dead').scrollIntoViewIfNeeded();
    await t.check('dead-letters');
    await t.done();
  });
}
