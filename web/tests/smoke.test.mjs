// Every public page in both languages at phone width: renders, translated, no horizontal
// scroll, axe-clean, no console error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, close, creditCode, submittedCase, PHONE } from './harness.mjs';

after(close);

for (const lang of ['zh', 'en']) {
  test(`public pages (${lang}, 390 px)`, async () => {
    const t = await open({ viewport: PHONE, lang, name: 'public' });
    for (const [p, label] of [['/', 'home'], ['/guide', 'guide'], ['/sign-in', 'sign-in'], ['/me', 'me']]) {
      await t.goto(p);
      await t.check(label);
    }
    await t.done();
  });
}

test('a failed sign-in or another user leaves nothing of the previous one (zh, 390 px)', async () => {
  const a = await submittedCase();
  const t = await open({ viewport: PHONE, lang: 'zh', name: 'switch-user' });
  const { page } = t;
  await t.signIn('employer', a.code);
  await page.waitForSelector(`text=${a.caseNo}`);
  await t.check('employer-a');

  // A failed sign-in (no account): the server ends the session, the page forgets it.
  await t.goto('/sign-in');
  await page.selectOption('#role', 'employer');
  await page.fill('#subject', '');
  const provoked = t.expect(422);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#sign-in-form .form-errors .notice');
  assert.equal(await page.locator(`text=${a.code}`).count(), 0, 'the previous employer is not on screen');
  await t.check('failed-sign-in');
  provoked.done();
  await t.goto('/employer');
  assert.match(new URL(page.url()).pathname, /^\/sign-in/, 'the session is gone');

  // Another employer sees only their own (empty) list.
  await t.signIn('employer', creditCode());
  assert.equal(await page.locator(`text=${a.caseNo}`).count(), 0);
  await t.check('employer-b');
  await t.done();
});
