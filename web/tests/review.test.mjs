// The department reviewer's journeys over the real stack, each in both languages (and so
// each once at phone width):
// (a) a science-tech reviewer finds a B case in the queue and approves it, then changes the
//     issued permit, is turned back on an extension (provoked 422 beside the field), cancels it;
// (b) refuses one with reasons, after a refusal without any is turned back (provoked 422);
// (c) asks for a supplement, the employer answers it on /employer/cases/{id}, and the
//     permit is back in the queue in review;
// (d) an hrss reviewer records earlier Gansu service and decides the title review (after a
//     provoked 422: no recommendation report).
// Cases come from the fixtures, submitted through the API.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, close, submittedCase, waitCase, itemOf, token, call, pdfFile, PHONE, DESKTOP } from './harness.mjs';

const todayCst = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

after(close);

const inReview = (c) => itemOf(c, 'work_permit')?.status === 'in_review';

/** Opens the reviewer's queue filtered by `status` and finds the case's row, loading more pages as needed. */
async function findInQueue(t, { section, select, status, caseId }) {
  const { page } = t;
  const idle = () => page.waitForSelector(`${section}[aria-busy="false"]`);
  await t.goto('/review');
  await page.selectOption(`${section} ${select}`, status);
  await page.click(`${section} form button[type=submit]`);
  await idle();
  const row = page.locator(`${section} tr[data-case="${caseId}"]`);
  for (let i = 0; i < 40 && !(await row.count()); i++) {
    const more = page.locator(`${section} .pager button`);
    if (!(await more.count())) break;
    await more.click();
    await idle();
  }
  assert.equal(await row.count(), 1, `case ${caseId} is in the queue`);
  return row;
}

/** Clicks `button` of `form`, checks the confirmation dialog, confirms. */
async function confirmed(t, form, label) {
  const { page } = t;
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector('dialog[open]');
  await t.check(label);
  // The live region keeps the last announcement: empty it, so that what the test waits for
  // next is this action's own.
  await page.evaluate(() => { document.getElementById('live').textContent = ''; });
  await page.click('dialog[open] [data-confirm]');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
}

async function liveSays(page) {
  await page.waitForFunction(() => (document.getElementById('live')?.textContent || '').trim().length > 0);
  return page.textContent('#live');
}

for (const [lang, viewport] of [['zh', DESKTOP], ['en', PHONE]]) {
  test(`science-tech reviewer approves a B case (${lang}, ${viewport.width} px)`, async () => {
    const c = await submittedCase({ category: 'B' });
    await waitCase(c.employer, c.caseId, inReview);
    const t = await open({ viewport, lang, name: 'review-approve' });
    const { page } = t;
    await t.signIn('reviewer', 'alice', 'science-tech');
    assert.equal(new URL(page.url()).pathname, '/review');
    await t.check('queue');
    // "Overdue only": every row left says so in words (or none is overdue).
    await page.check('#f-overdue');
    await page.click('#permits form button[type=submit]');
    await page.waitForSelector('#permits[aria-busy="false"]');
    const rows = await page.locator('#permits tbody tr').count();
    assert.equal(await page.locator('#permits tbody tr:has(.badge.warn)').count(), rows, 'each overdue row is flagged');
    await t.check('queue-overdue');
    await page.uncheck('#f-overdue');

    const row = await findInQueue(t, { section: '#permits', select: '#f-status', status: 'in_review', caseId: c.caseId });
    assert.ok((await row.textContent()).includes(c.caseNo));
    await t.check('queue-in-review');
    await Promise.all([page.waitForURL(`**/review/cases/${c.caseId}**`), row.locator('a').click()]);
    await page.waitForSelector('#approve-form');
    assert.ok((await page.textContent('h1')).includes(c.caseNo));
    await t.check('case');

    await confirmed(t, '#approve-form', 'confirm-approve');
    await page.waitForSelector('#permit-number');
    const number = (await page.textContent('#permit-number')).trim();
    assert.match(number, /^[0-9A-Z]{8,}$/, 'a permit number is shown');
    assert.ok((await liveSays(page)).includes(number), 'the approval is announced with the number');
    assert.equal(await page.locator('#approve-form').count(), 0, 'no second decision is offered');
    assert.ok(await page.locator('#change-form').count(), 'change, extension and cancellation are offered');
    await t.check('approved');

    const after = await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'work_permit').status === 'approved');
    assert.equal(itemOf(after, 'work_permit').result.permit_number, number);

    // The issued permit: a change of the position's title, an extension, a cancellation.
    await page.fill('#chg-pos-title', 'Principal engineer');
    await confirmed(t, '#change-form', 'confirm-change');
    await page.waitForFunction(() => document.getElementById('live')?.textContent.includes('1'));
    assert.equal(await page.inputValue('#chg-pos-title'), 'Principal engineer');
    // A fresh B permit already runs the category's 24 months: an extension from today
    // would end earlier, and the service says so beside the field (a 422).
    const provoked = t.expect(422);
    await page.fill('#ext-months', '36');
    await confirmed(t, '#extend-form', 'confirm-extend');
    await page.waitForSelector('.field-error[data-for="contract_months"] span');
    assert.equal(await page.inputValue('#ext-months'), '36', 'what was typed stays');
    await t.check('extension-422');
    provoked.done();
    await page.fill('#cancel-reason', lang === 'zh' ? '聘用合同提前解除' : 'The contract ended early');
    await confirmed(t, '#cancel-form', 'confirm-cancel');
    await page.waitForSelector('#permit-status [data-status="cancelled"]');
    assert.equal(await page.locator('#change-form').count(), 0);
    await t.check('cancelled');
    await t.done();
  });
}

for (const [lang, viewport] of [['zh', PHONE], ['en', DESKTOP]]) {
  test(`reviewer refuses with reasons after a refusal without any is turned back (${lang}, ${viewport.width} px)`, async () => {
    const c = await submittedCase({ category: 'B' });
    await waitCase(c.employer, c.caseId, inReview);
    const t = await open({ viewport, lang, name: 'review-refuse' });
    const { page } = t;
    await t.signIn('reviewer', 'alice', 'science-tech');
    await t.goto(`/review/cases/${c.caseId}`);
    await page.waitForSelector('#refuse-form');

    // No reasons: the service answers 422, shown beside the field, in the page's language.
    const provoked = t.expect(422);
    await confirmed(t, '#refuse-form', 'confirm-refuse-empty');
    await page.waitForSelector('.field-error[data-for="reasons"] span');
    assert.equal(await page.getAttribute('#refuse-reasons', 'aria-invalid'), 'true');
    await t.check('refuse-422');
    provoked.done();

    const reasons = lang === 'zh'
      ? ['聘用合同约定的岗位与申请岗位不一致', '工作资历证明不足两年']
      : ['The contract names another position than the application', 'Less than two years of work experience are proven'];
    await page.fill('#refuse-reasons', reasons.join('\n'));
    await confirmed(t, '#refuse-form', 'confirm-refuse');
    await page.waitForSelector('#refusal-reasons');
    assert.deepEqual((await page.locator('#refusal-reasons li').allTextContents()).map((s) => s.trim()), reasons);
    await liveSays(page);
    assert.equal(await page.locator('#refuse-form').count(), 0);
    await t.check('refused');

    const after = await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'work_permit').status === 'refused');
    assert.ok(after.notices.some((n) => n.kind === 'refusal' && n.text.includes(reasons[0])), 'the employer is told the reasons');
    await t.done();
  });
}

for (const [lang, viewport] of [['zh', DESKTOP], ['en', PHONE]]) {
  test(`reviewer asks for a supplement, the employer answers, the permit is back in review (${lang}, ${viewport.width} px)`, async () => {
    const c = await submittedCase({ category: 'B' });
    await waitCase(c.employer, c.caseId, inReview);
    const t = await open({ viewport, lang, name: 'review-supplement' });
    const { page } = t;
    await t.signIn('reviewer', 'alice', 'science-tech');
    await t.goto(`/review/cases/${c.caseId}`);
    await page.waitForSelector('#supplement-form');
    await page.check('#sup-criminal_record_certificate');
    await page.fill('#supplement-note', lang === 'zh' ? '无犯罪记录证明须经认证。' : 'The certificate must be legalised.');
    await t.check('supplement-form');
    await confirmed(t, '#supplement-form', 'confirm-supplement');
    await page.waitForSelector('#requested-materials');
    assert.equal(await page.locator('#requested-materials li').count(), 1);
    await liveSays(page);
    assert.equal(await page.locator('#approve-form').count(), 0, 'no decision while the employer supplies');
    await t.check('supplement-requested');

    // The employer answers on their case page (at desktop width: that page is the employer
    // journey's to check at phone width): uploads the requested material, sends it.
    await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'work_permit').status === 'supplement_requested');
    const e = await open({ viewport: DESKTOP, lang, name: 'review-supplement-employer' });
    await e.signIn('employer', c.code);
    await e.goto(`/employer/cases/${c.caseId}`);
    const form = e.page.locator('form.supplement');
    await form.waitFor();
    // The request is among the notices, still open.
    assert.match(await e.page.textContent('#notices-h + ul'), lang === 'zh' ? /尚未补正/ : /Not answered yet/);
    await e.check('employer-supplement');
    await form.locator('input[type=file][name="materials.criminal_record_certificate"]').setInputFiles(pdfFile('certificate.pdf'));
    await form.locator('.badge.good').waitFor();
    await form.locator('button[type=submit]').click();
    await e.page.waitForSelector('dialog[open]');
    await e.page.click('dialog[open] [data-confirm]');
    await liveSays(e.page);
    await e.check('employer-supplemented');
    await e.done();
    const back = await waitCase(c.employer, c.caseId, inReview);
    const notice = back.notices.find((n) => n.kind === 'supplement_requested');
    assert.equal(notice.answered_on, todayCst(), 'the request is marked answered, with its date');

    // Back in review: in the queue, and the decisions are offered again.
    const row = await findInQueue(t, { section: '#permits', select: '#f-status', status: 'in_review', caseId: c.caseId });
    await Promise.all([page.waitForURL(`**/review/cases/${c.caseId}**`), row.locator('a').click()]);
    await page.waitForSelector('#approve-form');
    await t.check('back-in-review');
    await t.done();
  });
}

for (const [lang, viewport] of [['zh', PHONE], ['en', DESKTOP]]) {
  test(`hrss reviewer records earlier Gansu service and decides the title review (${lang}, ${viewport.width} px)`, async () => {
    const c = await submittedCase({ category: 'B', items: ['work_permit', 'title_review', 'residence_permit'] });
    await waitCase(c.employer, c.caseId, inReview);
    const st = await token('reviewer', 'alice', 'science-tech');
    const approved = await call('POST', `/api/v1/work-permits/${c.caseId}/decision`, st, { decision: 'approve' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await waitCase(c.employer, c.caseId, (k) => !!itemOf(k, 'title_review')?.result?.eligible_on);
    const report = c.body.materials.find((m) => m.kind === 'employer_recommendation_report').id;

    const t = await open({ viewport, lang, name: 'review-title' });
    const { page } = t;
    await t.signIn('reviewer', 'hana', 'hrss');
    await page.waitForSelector('#titles-h');
    await t.check('hrss-queue');
    const row = await findInQueue(t, { section: '#titles', select: '#f-title-status', status: 'waiting', caseId: c.caseId });
    await Promise.all([page.waitForURL(`**/review/cases/${c.caseId}**`), row.locator('a').click()]);
    await page.waitForSelector('#service-form');
    assert.ok(await page.locator('#title-waiting').count(), 'before six months no decision is offered');
    await t.check('title-waiting');

    // Earlier Gansu service, verified: eligible at once.
    await page.fill('#gansu-since', '2025-01-02');
    await confirmed(t, '#service-form', 'confirm-service');
    await page.waitForSelector('#title-form');
    assert.ok((await page.textContent('#eligible-on')).includes(lang === 'zh' ? '2025年7月3日' : '2025-07-03'));
    await liveSays(page);
    await t.check('title-ready');

    // Eligible without the recommendation report: 422 beside that field.
    await page.check('#td-eligible');
    const provoked = t.expect(422);
    await confirmed(t, '#title-form', 'confirm-title-no-report');
    await page.waitForSelector('.field-error[data-for="recommendation_report"] span');
    assert.ok(await page.isChecked('#td-eligible'), 'the choice is kept');
    await t.check('title-422');
    provoked.done();

    const reportField = page.locator('#title-report');
    if ((await reportField.evaluate((e) => e.tagName)) === 'SELECT') await reportField.selectOption(report);
    else await reportField.fill(report);
    await confirmed(t, '#title-form', 'confirm-title');
    await page.waitForFunction(() => !document.getElementById('title-form'));
    await liveSays(page);
    await t.check('title-decided');

    const after = await waitCase(c.employer, c.caseId, (k) => itemOf(k, 'title_review').status === 'completed');
    assert.equal(itemOf(after, 'title_review').result.decision, 'eligible');
    await t.done();
  });
}
