// The public-security counter officer takes a work-type residence permit from the counter
// application to the pickup, in the browser over the real stack: the case is submitted and
// its work permit approved through the API; then the officer signs in, finds the case,
// records the entry date, takes the application with the paper checklist (one missing
// material first: the 422 lands beside it), prints the receipt, schedules the interview,
// records that the applicant attended, approves and records the pickup (by proxy, by mail,
// in person); then the work permit is cancelled and the officer revokes the residence
// permit (or keeps it for a new employer). Both languages; once at phone width.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { open, close, PHONE, DESKTOP, SHOTS, submittedCase, waitCase, token, call, itemOf } from './harness.mjs';

after(close);

const todayCst = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
function addDays(ymd, n) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A case whose work permit is approved and whose residence case waits for the applicant. */
async function waitingForApplicant() {
  const c = await submittedCase();
  const reviewer = await token('reviewer', 'alice', 'science-tech');
  const r = await call('POST', `/api/v1/work-permits/${c.caseId}/decision`, reviewer, { decision: 'approve' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await waitCase(c.employer, c.caseId, (k) => {
    const rp = itemOf(k, 'residence_permit');
    return rp?.status === 'pending' && typeof rp.result?.residence_case_id === 'string';
  });
  return { ...c, permitNumber: r.body.permit_number, passport: c.body.applicant.passport_number };
}

/** Confirms the open dialog and waits for the step's answer (`until` appears). */
async function confirmThen(page, until) {
  await page.waitForSelector('dialog[open]');
  await page.click('dialog[open] [data-confirm]');
  await page.waitForSelector(until);
}

const JOURNEYS = [
  { lang: 'zh', viewport: DESKTOP, find: 'caseNo', pickup: 'proxy' },
  { lang: 'en', viewport: DESKTOP, find: 'passport', pickup: 'mail' },
  { lang: 'zh', viewport: PHONE, find: 'permitNumber', pickup: 'in_person' },
];

for (const j of JOURNEYS) {
  test(`counter: residence permit from application to pickup (${j.lang}, ${j.viewport.width} px, ${j.pickup})`, async () => {
    const c = await waitingForApplicant();
    const t = await open({ viewport: j.viewport, lang: j.lang, name: 'counter' });
    const { page } = t;

    // The officer's desk: the queue.
    await t.signIn('officer', `wang${Date.now() % 100000}`, 'public-security');
    assert.equal(new URL(page.url()).pathname, '/counter');
    await page.waitForSelector('#queue-h');
    await t.check('queue');

    // Find the case by case number, passport or permit number.
    await page.fill('#counter-q', c[j.find]);
    await page.click('form[role=search] button[type=submit]');
    await page.waitForSelector('#case-h');
    assert.match(await page.textContent('#case-h'), new RegExp(c.caseNo));
    assert.equal(await page.getAttribute('#step-entry', 'aria-current'), 'step', 'the entry date comes first');
    await t.check('case-found');

    // 1. The entry date, two days ago.
    await page.fill('#entry-date', addDays(todayCst(), -2));
    await page.click('#step-entry button[type=submit]');
    await confirmThen(page, '#step-application[aria-current=step]');
    assert.match(await page.textContent('#step-entry'), new RegExp(j.lang === 'zh' ? '申请截止日期' : 'Apply by'));
    await t.check('entry-recorded');

    // 2. The application: one paper material missing first, listed beside its box.
    await page.check('#paper-visa_application_form');
    await page.check('#paper-entry_exit_photo');
    const invalid = t.expect(422);
    await page.click('#step-application button[type=submit]');
    await confirmThen(page, '.field-error[data-for="paper_materials.employer_certification_letter"] span');
    assert.equal(await page.isChecked('#paper-visa_application_form'), true, 'what was ticked stays ticked');
    await t.check('paper-missing');
    invalid.done();
    await page.check('#paper-employer_certification_letter');
    await page.click('#step-application button[type=submit]');
    await confirmThen(page, '.receipt');

    // 3. The receipt (受理回执), printable.
    const receipt = await page.textContent('.receipt');
    assert.match(receipt, /62SL/, 'the receipt number');
    assert.match(receipt, new RegExp(c.caseNo));
    await t.check('receipt');
    await page.evaluate(() => {
      window.__printed = 0;
      window.print = () => { window.__printed += 1; };
    });
    await page.click('.receipt button');
    assert.equal(await page.evaluate(() => window.__printed), 1, 'the print dialog was asked for');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#step-entry'), false, 'only the receipt prints');
    assert.equal(await page.isVisible('.receipt'), true);
    await page.screenshot({ path: path.join(SHOTS, `counter-${j.lang}-${j.viewport.width}-receipt-print.png`), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // 4. An interview tomorrow at 10:00 Beijing time.
    assert.equal(await page.getAttribute('#step-verification', 'aria-current'), 'step');
    await page.selectOption('#ver-method', 'interview');
    await page.fill('#ver-date', addDays(todayCst(), 1));
    await page.selectOption('#ver-time', '10:00');
    await page.fill('#ver-place', j.lang === 'zh' ? '城关区出入境接待大厅3号窗口' : 'Chengguan exit-entry hall, window 3');
    await page.click('#step-verification button[type=submit]');
    await confirmThen(page, '#step-outcome[aria-current=step]');
    assert.match(await page.textContent('#step-verification'), /10:00/);
    // Tomorrow's interview cannot have an outcome yet: the page says from when.
    assert.match(await page.textContent('#outcome-from'), j.lang === 'zh' ? /核查时间未到/ : /Not held yet/);
    await t.check('verification-scheduled');

    // The applicant is at the counter: the interview is held now instead (a reschedule).
    await page.selectOption('#ver-method', 'interview');
    await page.selectOption('#ver-time', 'now');
    await page.fill('#ver-place', j.lang === 'zh' ? '城关区出入境接待大厅3号窗口' : 'Chengguan exit-entry hall, window 3');
    await page.click('#step-verification button[type=submit]');
    await confirmThen(page, '#step-outcome[aria-current=step]');
    // Held now: the hint goes (the wait fails the test if it stays).
    await page.locator('#outcome-from').waitFor({ state: 'detached' });

    // 5. The applicant attended.
    await page.check('#outcome-attended');
    await page.fill('#outcome-note', j.lang === 'zh' ? '本人到场，陈述与材料一致。' : 'Attended; consistent with the papers.');
    await page.click('#step-outcome button[type=submit]');
    await confirmThen(page, '#step-decision[aria-current=step]');
    await t.check('outcome-recorded');

    // 6. Approved: the residence permit is issued.
    await page.check('#decision-approve');
    await page.click('#step-decision button[type=submit]');
    await confirmThen(page, '#step-pickup[aria-current=step]');
    assert.match(await page.textContent('#step-decision'), /62R/, 'the residence permit number');
    await t.check('approved');

    // 7. The pickup.
    await page.check(`#pickup-${j.pickup}`);
    if (j.pickup === 'proxy') {
      await page.fill('#proxy-name', '李雷');
      await page.fill('#proxy-id', '620102199001011234');
    }
    if (j.pickup === 'mail') {
      await page.fill('#mail-address', '1 Donggang West Rd, Chengguan District, Lanzhou');
      await page.fill('#mail-tracking', 'SF1234567890');
    }
    await page.click('#step-pickup button[type=submit]');
    await confirmThen(page, '#step-pickup dl.facts');
    assert.equal(await page.$('[aria-current=step]'), null, 'nothing left to do');
    await t.check('picked-up');

    // The case view agrees.
    const done = await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'residence_permit')?.status === 'completed');
    assert.equal(itemOf(done, 'residence_permit').result.pickup_method, j.pickup);

    // 8. The work permit is cancelled afterwards: the officer revokes the residence permit
    // from a date (or, in the proxy journey, keeps it for a new employer).
    const reviewer = await token('reviewer', 'alice', 'science-tech');
    const cancelled = await call('POST', `/api/v1/work-permits/${c.caseId}/cancellation`, reviewer, { reason: 'contract ended' });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'residence_permit')?.result?.work_permit_cancelled === 'true');
    await page.reload();
    await page.waitForSelector('#step-revocation[aria-current=step]');
    await t.check('revocation-pending');
    const keep = j.pickup === 'proxy';
    if (keep) await page.check('#revocation-keep');
    // Ten days after the residence permit's first day (the work permit starts in a month).
    else await page.fill('#revocation-date', addDays(todayCst(), 40));
    const noReason = t.expect(422);
    await page.click('#step-revocation button[type=submit]');
    await confirmThen(page, '.field-error[data-for="reason"] span');
    noReason.done();
    await page.fill('#revocation-reason', keep
      ? (j.lang === 'zh' ? '已取得新用人单位的工作许可' : "A new employer's work permit")
      : (j.lang === 'zh' ? '工作许可已注销' : 'The work permit was cancelled'));
    await page.click('#step-revocation button[type=submit]');
    await confirmThen(page, '#step-revocation dl.facts');
    assert.equal(await page.$('[aria-current=step]'), null, 'nothing left to do');
    await t.check(keep ? 'kept' : 'revoked');
    const ended = await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'residence_permit')?.result?.revocation);
    assert.equal(itemOf(ended, 'residence_permit').status, keep ? 'completed' : 'cancelled');
    await t.done();
  });
}
