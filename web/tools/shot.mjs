// Dev helper: a screenshot of one page. node tools/shot.mjs <url> <out.png> [width] [role subject department]
import { chromium } from 'playwright-core';
const [url, out, width = '390', role, subject, department = ''] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
page.on('requestfailed', (r) => console.log('requestfailed', r.url()));
page.on('response', (r) => r.status() >= 400 && console.log('http', r.status(), r.url()));
const base = new URL(url).origin;
if (role) {
  await page.goto(base + '/sign-in?lang=zh');
  await page.selectOption('#role', role);
  await page.fill('#subject', subject);
  if (department) await page.selectOption('#department', department);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit].primary')]);
}
await page.goto(url);
await page.waitForTimeout(800);
console.log('missing', await page.evaluate(() => [...(window.__onethingMissing || [])].join(' ')));
console.log('scrollWidth', await page.evaluate(() => document.documentElement.scrollWidth));
await page.screenshot({ path: out, fullPage: true });
await browser.close();
