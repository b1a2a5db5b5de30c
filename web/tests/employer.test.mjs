// The employer's journey: sign in, open the empty case list, fill in the application,
// get the one-time notice (every problem beside its field, nothing typed lost), upload the
// materials the checklist asks for, preview the classification, submit, and follow the
// case as the department takes it into review. Both languages; Chinese at phone width.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, close, creditCode, pdfFile, PHONE, DESKTOP } from './harness.mjs';

after(close);

async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const el = page.locator(`[name="${name}"]`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
}

for (const [lang, viewport] of [['zh', PHONE], ['en', DESKTOP]]) {
  test(`employer applies with uploads and follows the case (${lang}, ${viewport.width} px)`, async () => {
    const t = await open({ viewport, lang, name: 'employer' });
    const { page } = t;
    const code = creditCode();
    await t.signIn('employer', code);
    assert.equal(new URL(page.url()).pathname, '/employer');
    await t.check('case-list-empty');

    await page.click('a[href="/employer/apply"].primary');
    await page.waitForSelector('form#apply');
    await page.check('input[name=items][value=social_insurance]');
    await t.check('apply-form');

    await fill(page, {
      'employer.name': '兰州示例新材料有限公司',
      'employer.kind': 'enterprise',
      'applicant.surname': 'SMITH',
      'applicant.given_names': 'JOHN',
      'applicant.sex': 'M',
      'applicant.nationality': 'gbr',
      'applicant.birth_date': '1988-04-02',
      'applicant.passport_number': `E${code.slice(10, 17)}`,
      // Expired: the one-time notice must say so beside this field.
      'applicant.passport_expiry': '2020-01-01',
      'position.title': 'Materials engineer',
      'position.annual_salary_cny': '300000',
      // A month from today: intake refuses a post that has already started.
      'position.start_date': new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10),
      'position.contract_months': '24',
      'profile.education': 'bachelor',
      'profile.work_experience_years': '4',
      // An education post without its sector approval: the notice names the missing reference.
      'position.sector': 'education',
    });
    // Submit before uploading anything: every problem at once.
    const provoked = t.expect(422);
    await page.click('form#apply button[type=submit]');
    await page.waitForSelector('.form-errors .notice');
    const expiryError = await page.textContent('.field-error[data-for="applicant.passport_expiry"]');
    assert.ok(expiryError.trim().length > 0, 'the expired passport is named beside its field');
    const sectorError = await page.textContent('.field-error[data-for="employer.sector_preapproval"]');
    assert.ok(sectorError.trim().length > 0, 'the missing sector approval is named beside its field');
    const missing = await page.locator('.uploads .field-error:not(:empty)').count();
    assert.ok(missing >= 7, `each missing upload is named beside its input (${missing})`);
    assert.equal(await page.inputValue('[name="applicant.surname"]'), 'SMITH', 'nothing typed is lost');
    assert.equal(await page.inputValue('[name="position.annual_salary_cny"]'), '300000');
    await t.check('one-time-notice');
    provoked.done();

    // Upload what the checklist asks for.
    const inputs = page.locator('.uploads input[type=file]');
    const n = await inputs.count();
    for (let i = 0; i < n; i += 1) {
      const kind = (await inputs.nth(i).getAttribute('name')).replace('materials.', '');
      await inputs.nth(i).setInputFiles(pdfFile(`${kind}.pdf`));
    }
    await page.waitForFunction((k) => document.querySelectorAll('.uploads .badge.good').length === k, n);
    await page.fill('[name="applicant.passport_expiry"]', '2033-05-01');
    await page.fill('[name="employer.sector_preapproval"]', '甘教外〔2026〕12号');

    await page.click('text=' + (lang === 'zh' ? '预览分类与计分' : 'Preview the category and points'));
    await page.waitForSelector('.notice.good table');
    await t.check('classification-preview');

    await Promise.all([page.waitForURL(/\/employer\/cases\//), page.click('form#apply button[type=submit]')]);
    await page.waitForSelector('h1');
    await t.check('case-submitted');

    // The science-tech department takes it into review (over Kafka): the page shows it in words.
    const inReview = '.badge[data-status=in_review]';
    for (let i = 0; i < 60 && !(await page.locator(inReview).count()); i += 1) {
      await page.waitForTimeout(500);
      await page.reload();
      await page.waitForSelector('main:not(:has(.loading))');
    }
    assert.ok(await page.locator(inReview).count(), 'the work permit is in review');
    await t.check('case-in-review');

    await page.click(`a[href="/employer"]`);
    await page.waitForSelector('table.stack');
    assert.equal(await page.locator('table.stack tbody tr').count(), 1);
    await t.check('case-list');
    await t.done();
  });
}
