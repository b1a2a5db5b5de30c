// Every public page in both languages at phone width: renders, translated, no horizontal
// scroll, axe-clean, no console error.
import { test, after } from 'node:test';
import { open, close, PHONE } from './harness.mjs';

after(close);

for (const lang of ['zh', 'en']) {
  test(`public pages (${lang}, 390 px)`, async () => {
    const t = await open({ viewport: PHONE, lang, name: 'public' });
    for (const [p, label] of [['/', 'home'], ['/sign-in', 'sign-in']]) {
      await t.goto(p);
      await t.check(label);
    }
    await t.done();
  });
}
