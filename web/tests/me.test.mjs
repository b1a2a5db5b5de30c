// The foreign worker activates the electronic social security card and sees their own
// permit, card and residence status, in the browser over the real stack: the case (with
// social insurance) is submitted and its work permit approved through the API; once the
// registration is done the card exists. A wrong birth date is refused with the attempts
// left; the right details activate the card and sign in; after signing out the worker
// signs in again with the social security number. Both languages; once at phone width.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, close, PHONE, DESKTOP, submittedCase, waitCase, token, call, itemOf } from './harness.mjs';

after(close);

/** A case whose social insurance registration is done: the card is issued, not active. */
async function cardIssued() {
  const c = await submittedCase({ items: ['work_permit', 'social_insurance', 'residence_permit'] });
  const reviewer = await token('reviewer', 'alice', 'science-tech');
  const r = await call('POST', `/api/v1/work-permits/${c.caseId}/decision`, reviewer, { decision: 'approve' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const k = await waitCase(c.employer, c.caseId, (x) => {
    const si = itemOf(x, 'social_insurance');
    return si?.status === 'completed' && typeof si.result?.social_security_number === 'string'
      && typeof itemOf(x, 'residence_permit')?.result?.residence_case_id === 'string';
  });
  return { ...c, permitNumber: r.body.permit_number, ssn: itemOf(k, 'social_insurance').result.social_security_number };
}

async function fillCheck(page, prefix, { by, number, birth }) {
  await page.fill(`#${prefix}-name`, 'SMITH JOHN');
  await page.check(`#${prefix}-by-${by}`);
  await page.fill(by === 'permit_number' ? `#${prefix}-permit-number` : `#${prefix}-ssn-number`, number);
  await page.fill(`#${prefix}-birth`, birth);
  await page.fill(`#${prefix}-nationality`, 'GBR');
}

const JOURNEYS = [
  { lang: 'en', viewport: DESKTOP },
  { lang: 'zh', viewport: DESKTOP },
  { lang: 'en', viewport: PHONE },
];

for (const j of JOURNEYS) {
  test(`me: the foreigner activates the card and sees their status (${j.lang}, ${j.viewport.width} px)`, async () => {
    const c = await cardIssued();
    const t = await open({ viewport: j.viewport, lang: j.lang, name: 'me' });
    const { page } = t;

    await t.goto('/me');
    await page.waitForSelector('#act-h');
    await t.check('signed-out');

    // Signing in before the card is active: told to activate it first.
    const early = t.expect(409);
    await fillCheck(page, 'sin', { by: 'permit_number', number: c.permitNumber, birth: '1988-04-02' });
    await page.click('form:has(#sin-h) button[type=submit]');
    await page.waitForSelector('form:has(#sin-h) .form-errors .notice.error');
    assert.match(await page.textContent('form:has(#sin-h) .form-errors'), j.lang === 'zh' ? /尚未激活/ : /not active yet/);
    early.done();

    // A wrong birth date: refused, with the attempts left, and nothing typed is lost.
    const refused = t.expect(403);
    await fillCheck(page, 'act', { by: 'permit_number', number: c.permitNumber, birth: '1988-04-03' });
    await page.click('form:has(#act-h) button[type=submit]');
    await page.waitForSelector('form:has(#act-h) .form-errors .notice.error');
    const refusal = await page.textContent('form:has(#act-h) .form-errors');
    assert.match(refusal, /4/, `the attempts left: ${refusal}`);
    assert.equal(await page.inputValue('#act-permit-number'), c.permitNumber);
    await t.check('activation-refused');
    refused.done();

    // The right details: the card is activated and the worker signed in.
    await page.fill('#act-birth', '1988-04-02');
    await Promise.all([page.waitForURL((u) => u.pathname === '/me'), page.click('form:has(#act-h) button[type=submit]')]);
    await page.waitForSelector('#me-permit-h');
    const mine = await page.textContent('main');
    assert.ok(mine.includes(c.permitNumber), 'the own permit number');
    assert.ok(mine.includes(c.ssn), 'the social security number');
    // The electronic permit: a link to the PDF, which the session may download.
    const href = await page.getAttribute('#me-permit-h ~ .permit-document a', 'href');
    assert.equal(href, `/api/v1/work-permits/${c.caseId}/document`);
    const pdf = await page.evaluate(async (h) => {
      const r = await fetch(h);
      return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) };
    }, href);
    assert.deepEqual(pdf, { status: 200, type: 'application/pdf', head: '%PDF-' });
    await t.check('my-status');

    // Signing out leaves nothing; signing in again with the social security number.
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('header .who button[type=submit]')]);
    await t.goto('/me');
    await page.waitForSelector('#sin-h');
    assert.equal(await page.$('#me-permit-h'), null);
    await fillCheck(page, 'sin', { by: 'social_security_number', number: c.ssn, birth: '1988-04-02' });
    await t.check('sign-in-form');
    await Promise.all([page.waitForURL((u) => u.pathname === '/me'), page.click('form:has(#sin-h) button[type=submit]')]);
    await page.waitForSelector('#me-permit-h');
    assert.ok((await page.textContent('main')).includes(c.ssn));
    await t.check('signed-in-again');
    await t.done();
  });
}
