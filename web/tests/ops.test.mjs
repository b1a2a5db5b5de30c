// The operators' page for now: the figures of GET /api/v1/stats in words, in both
// languages, once at phone width (the live event-stream dashboard belongs to the ops issue).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, close, submittedCase, PHONE, DESKTOP } from './harness.mjs';

after(close);

for (const [lang, viewport] of [['zh', DESKTOP], ['en', PHONE]]) {
  test(`ops: the joint service's figures (${lang}, ${viewport.width} px)`, async () => {
    // At least one case, so that every table has a row to show.
    await submittedCase();
    const t = await open({ viewport, lang, name: 'ops' });
    await t.signIn('ops', 'ops1');
    assert.equal(new URL(t.page.url()).pathname, '/ops');
    await t.page.waitForSelector('main table tbody tr');
    const text = await t.page.textContent('main');
    assert.ok(!/\bin_review\b|\bwork_permit\b/.test(text), 'no raw codes');
    await t.check('figures');
    await t.done();
  });
}
