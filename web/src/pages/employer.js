// `/employer`: the employer's cases (status, category, next action, due date), paged, and
// the way to a new application.

import { html, render, nothing, setTitle, badge, pager, dueLabel, announce } from '../ui.js';
import { problemText } from '../forms.js';
import { t, code, date } from '../i18n.js';

const FINISHED = ['refused', 'completed', 'cancelled'];
import { get } from '../api.js';

let main;
let cases = [];
let next = null;

export default async function employer(el) {
  main = el;
  setTitle(t('ui.employer_title'));
  await load('');
}

async function load(cursor) {
  let page;
  try {
    page = await get(`/api/v1/cases?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  } catch (err) {
    if (!cursor) throw err;
    announce(problemText(err), 'error');
    return;
  }
  cases = cursor ? cases.concat(page.items) : page.items;
  next = page.next_cursor;
  draw();
}

/** What the employer should do next, from the items' statuses. */
export function nextAction(c) {
  const items = c.items || [];
  if (items.some((i) => i.status === 'supplement_requested')) return t('ui.next_supplement');
  const rp = items.find((i) => i.item === 'residence_permit');
  if (rp?.status === 'pending') return t('ui.next_counter');
  if (items.every((i) => ['approved', 'completed', 'refused', 'cancelled', 'not_applicable'].includes(i.status))) {
    return t('ui.next_none');
  }
  return t('ui.next_wait');
}

function draw() {
  render(
    html`<h1>${t('ui.employer_title')}</h1>
      <div class="actions"><a class="button primary" href="/employer/apply">${t('ui.nav_apply')}</a></div>
      ${cases.length
        ? html`<table class="stack">
            <caption class="muted">${t('ui.employer_caption')}</caption>
            <thead><tr>
              <th scope="col">${t('ui.col_case_no')}</th><th scope="col">${t('ui.col_status')}</th>
              <th scope="col">${t('ui.col_category')}</th><th scope="col">${t('ui.col_next')}</th>
              <th scope="col">${t('ui.col_due')}</th><th scope="col">${t('ui.col_submitted')}</th>
            </tr></thead>
            <tbody>${cases.map((c) => html`<tr>
              <td data-label=${t('ui.col_case_no')}><a href=${`/employer/cases/${encodeURIComponent(c.id)}`}>${c.case_no}</a></td>
              <td data-label=${t('ui.col_status')}>${badge('status', c.status)}</td>
              <td data-label=${t('ui.col_category')}>${c.category ? code('category', c.category) : '—'}</td>
              <td data-label=${t('ui.col_next')}>${nextAction(c)}</td>
              <td data-label=${t('ui.col_due')}>${FINISHED.includes(c.status) ? '—' : dueLabel(c.due?.committed, c.due?.working_days_left)}</td>
              <td data-label=${t('ui.col_submitted')}>${date(c.accepted_on)}</td>
            </tr>`)}</tbody>
          </table>`
        : html`<p class="card">${t('ui.employer_empty')}</p>`}
      ${pager(next, load)}
      ${nothing}`,
    main,
  );
}
