// `/review`: the reviewer's workbench. The department's work-permit queue
// (GET /api/v1/work-permits: filter by status, "overdue only", paged with "load more"),
// most urgent first; for hrss also the title-review queue (GET /api/v1/title-reviews).
//
// The permit view carries no due date, and the service lists permits by opening time, not
// by due date: the due date is the case's committed deadline (`due.committed` of the case
// summaries, GET /api/v1/cases, which a reviewer may list without each read being written
// to the access log), and the rows loaded so far are sorted here, in the browser.

import { html, render, nothing, setTitle, badge, pager, announce } from '../ui.js';
import { t, code, date, dateTime, todayBeijing } from '../i18n.js';
import { get } from '../api.js';
import { problemText } from '../forms.js';
import { session } from '../session.js';

const PAGE = 50;
/** Permit statuses (permit-review's state machine). */
export const PERMIT_STATUSES = ['in_review', 'supplement_requested', 'approved', 'refused', 'cancelled'];
/** Title review statuses (GET /api/v1/title-reviews?status=). */
export const TITLE_STATUSES = ['waiting', 'ready', 'eligible', 'not_eligible', 'cancelled'];
const OPEN = ['in_review', 'supplement_requested'];

let main;
const permits = { items: [], next: null, status: '', overdue: false, error: null, busy: false };
const titles = { items: [], next: null, status: '', error: null, busy: false };
/** Case summaries by case id (due dates, case numbers), filled as rows need them. */
const cases = new Map();
let casesCursor = '';
let casesDone = false;

export default async function review(el) {
  main = el;
  setTitle(t('ui.review_title'));
  const q = new URLSearchParams(location.search);
  permits.status = PERMIT_STATUSES.includes(q.get('status')) ? q.get('status') : '';
  permits.overdue = q.get('overdue') === '1';
  titles.status = TITLE_STATUSES.includes(q.get('title_status')) ? q.get('title_status') : '';
  const dept = session?.department;
  if (dept === 'science-tech' || dept === 'hrss') {
    await Promise.all([loadPermits(''), dept === 'hrss' ? loadTitles('') : null]);
  }
  draw();
}

// ---- data ------------------------------------------------------------------------------

async function loadPermits(cursor) {
  permits.busy = true;
  if (main.firstChild) draw();
  const qs = new URLSearchParams({ limit: String(PAGE) });
  if (permits.status) qs.set('status', permits.status);
  if (cursor) qs.set('cursor', cursor);
  try {
    const page = await get(`/api/v1/work-permits?${qs}`);
    permits.items = cursor ? permits.items.concat(page.items) : page.items;
    permits.next = page.next_cursor;
    permits.error = null;
  } catch (err) {
    permits.error = err;
  }
  await learnCases();
  permits.busy = false;
}

async function loadTitles(cursor) {
  titles.busy = true;
  if (main.firstChild) draw();
  const qs = new URLSearchParams({ limit: String(PAGE) });
  if (titles.status) qs.set('status', titles.status);
  if (cursor) qs.set('cursor', cursor);
  try {
    const page = await get(`/api/v1/title-reviews?${qs}`);
    titles.items = cursor ? titles.items.concat(page.items) : page.items;
    titles.next = page.next_cursor;
    titles.error = null;
  } catch (err) {
    titles.error = err;
  }
  await learnCases();
  titles.busy = false;
}

/**
 * Reads case summaries (newest first, 200 a page) until every id is known or the list
 * ends; at most 10 pages per call, one call at a time. The summaries give each row its
 * case number and due date.
 */
let learning = Promise.resolve();
function learnCases() {
  learning = learning.then(() => learn([...permits.items, ...titles.items].map((x) => x.case_id)));
  return learning;
}

/** Forgets the summaries (a new filter reads them afresh: newer cases come first). */
function forgetCases() {
  cases.clear();
  casesCursor = '';
  casesDone = false;
}

async function learn(ids) {
  let pages = 0;
  while (!casesDone && ids.some((id) => !cases.has(id)) && pages < 10) {
    const qs = new URLSearchParams({ limit: '200' });
    if (casesCursor) qs.set('cursor', casesCursor);
    let page;
    try {
      page = await get(`/api/v1/cases?${qs}`);
    } catch {
      return; // the rows then show no due date; the queue itself still works
    }
    for (const c of page.items) cases.set(c.id, c);
    casesCursor = page.next_cursor || '';
    casesDone = !page.next_cursor;
    pages += 1;
  }
}

// ---- due dates ---------------------------------------------------------------------------

/** Calendar days from `a` to `b` (both YYYY-MM-DD): only for a case not loaded yet. */
const days = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 86400000);

/** The due facts of a permit: its case's committed deadline, paused or not, overdue or not. */
export function dueOf(p, today) {
  const c = cases.get(p.case_id);
  const due = c?.due?.committed || '';
  const paused = c?.due?.paused_since || '';
  const open = OPEN.includes(p.status);
  // Working days, counted by the service with the holiday calendar.
  const left = c?.due?.working_days_left ?? days(today, due);
  const overdue = open && !paused && p.status === 'in_review' && !!due && left < 0;
  return { due, paused, open, overdue, late: overdue ? -left : 0, left };
}

function sorted(today) {
  // Open permits first, by due date (then opening time); decided ones after them, same order.
  const key = (p) => {
    const d = dueOf(p, today);
    return [d.open ? 0 : 1, d.due || '9999-12-31', p.opened_at || '', p.case_id];
  };
  return permits.items
    .map((p) => [key(p), p])
    .sort(([a], [b]) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    })
    .map(([, p]) => p);
}

function dueCell(p, today) {
  const d = dueOf(p, today);
  if (!d.open) return t('ui.review_due_closed');
  if (!d.due) return '—';
  if (d.paused) return html`<span>${date(d.due)}<br><span class="hint">${t('ui.review_paused', { date: date(d.paused) })}</span></span>`;
  if (d.overdue) return html`<span>${date(d.due)}<br><span class="badge warn">${t('ui.overdue_by', { n: d.late })}</span></span>`;
  return t('ui.review_due_in', { date: date(d.due), n: d.left });
}

// ---- events ------------------------------------------------------------------------------

function remember() {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of [['status', permits.status], ['overdue', permits.overdue ? '1' : ''], ['title_status', titles.status]]) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

async function filterPermits(e) {
  e.preventDefault();
  const form = e.currentTarget;
  permits.status = form.elements.status.value;
  permits.overdue = form.elements.overdue.checked;
  remember();
  forgetCases();
  await loadPermits('');
  draw();
  announce(permits.error ? problemText(permits.error) : t('ui.review_shown', { n: visiblePermits().length }), permits.error ? 'error' : 'good');
}

async function filterTitles(e) {
  e.preventDefault();
  titles.status = e.currentTarget.elements.title_status.value;
  remember();
  forgetCases();
  await loadTitles('');
  draw();
  announce(titles.error ? problemText(titles.error) : t('ui.review_titles_shown', { n: titles.items.length }), titles.error ? 'error' : 'good');
}

async function morePermits(cursor) {
  const before = visiblePermits().length;
  await loadPermits(cursor);
  draw();
  announce(t('ui.review_loaded', { n: visiblePermits().length - before }));
}

async function moreTitles(cursor) {
  const before = titles.items.length;
  await loadTitles(cursor);
  draw();
  announce(t('ui.review_loaded', { n: titles.items.length - before }));
}

function visiblePermits() {
  const today = todayBeijing();
  const list = sorted(today);
  return permits.overdue ? list.filter((p) => dueOf(p, today).overdue) : list;
}

// ---- drawing -----------------------------------------------------------------------------

function draw() {
  const dept = session?.department;
  render(
    html`<h1>${t('ui.review_title')}</h1>
      <p class="lead">${t('ui.review_lead', { department: code('department', dept) })}</p>
      ${dept === 'science-tech' || dept === 'hrss'
        ? html`${permitQueue()}${dept === 'hrss' ? titleQueue() : nothing}`
        : html`<div class="notice warn"><p>${t('ui.review_no_permits')}</p></div>`}`,
    main,
  );
}

function permitQueue() {
  const today = todayBeijing();
  const rows = visiblePermits();
  return html`<section id="permits" aria-labelledby="permits-h" aria-busy=${permits.busy ? 'true' : 'false'}>
    <h2 id="permits-h">${t('ui.review_permits')}</h2>
    <form class="card filters" novalidate @submit=${filterPermits} aria-label=${t('ui.review_filter_permits')}>
      <div class="grid two">
        <div class="field">
          <label for="f-status">${t('ui.review_filter_status')}</label>
          <select id="f-status" name="status">
            <option value="" ?selected=${!permits.status}>${t('ui.review_all_statuses')}</option>
            ${PERMIT_STATUSES.map((s) => html`<option value=${s} ?selected=${permits.status === s}>${code('permit_status', s)}</option>`)}
          </select>
        </div>
        <div class="field">
          <div class="check">
            <input type="checkbox" id="f-overdue" name="overdue" ?checked=${permits.overdue}>
            <label for="f-overdue">${t('ui.review_overdue_only')}</label>
          </div>
        </div>
      </div>
      <div class="actions"><button type="submit" class="primary">${t('ui.review_apply_filter')}</button></div>
      <p class="hint">${t('ui.review_sort_note')}</p>
    </form>
    ${permits.error
      ? html`<div class="notice error" role="alert"><p>${problemText(permits.error)}</p></div>`
      : rows.length
        ? html`<p class="muted" id="permit-queue-caption">${t('ui.review_permits_caption', { n: rows.length })}</p>
          <table class="stack" id="permit-queue" aria-labelledby="permit-queue-caption">
            <thead><tr>
              <th scope="col">${t('ui.review_col_case_no')}</th>
              <th scope="col">${t('ui.review_col_employer')}</th>
              <th scope="col">${t('ui.review_col_category')}</th>
              <th scope="col">${t('ui.review_col_status')}</th>
              <th scope="col">${t('ui.review_col_due')}</th>
              <th scope="col">${t('ui.review_col_waiting')}</th>
              <th scope="col">${t('ui.review_col_opened')}</th>
            </tr></thead>
            <tbody>${rows.map((p) => html`<tr data-case=${p.case_id}>
              <td data-label=${t('ui.review_col_case_no')}><a class="nowrap" href=${`/review/cases/${encodeURIComponent(p.case_id)}`}>${p.case_no}</a></td>
              <td data-label=${t('ui.review_col_employer')}>${p.employer?.name || '—'}</td>
              <td data-label=${t('ui.review_col_category')}>${code('category', p.category)}</td>
              <td data-label=${t('ui.review_col_status')}>${badge('permit_status', p.status)}</td>
              <td data-label=${t('ui.review_col_due')}>${dueCell(p, today)}</td>
              <td data-label=${t('ui.review_col_waiting')}>${t(p.waiting_estimated ? 'ui.review_waited_estimated' : 'ui.review_waited', { n: p.waiting_working_days })}</td>
              <td data-label=${t('ui.review_col_opened')}>${dateTime(p.opened_at)}</td>
            </tr>`)}</tbody>
          </table>`
        : html`<p class="card">${permits.overdue ? t('ui.review_none_overdue') : t('ui.review_none')}</p>`}
    ${permits.error ? nothing : pager(permits.next, morePermits)}
  </section>`;
}

function titleQueue() {
  return html`<section id="titles" aria-labelledby="titles-h" aria-busy=${titles.busy ? 'true' : 'false'}>
    <h2 id="titles-h">${t('ui.review_titles')}</h2>
    <p class="hint">${t('ui.review_titles_lead')}</p>
    <form class="card filters" novalidate @submit=${filterTitles} aria-label=${t('ui.review_filter_titles')}>
      <div class="field">
        <label for="f-title-status">${t('ui.review_filter_status')}</label>
        <select id="f-title-status" name="title_status">
          <option value="" ?selected=${!titles.status}>${t('ui.review_all_statuses')}</option>
          ${TITLE_STATUSES.map((s) => html`<option value=${s} ?selected=${titles.status === s}>${code('title_status', s)}</option>`)}
        </select>
      </div>
      <div class="actions"><button type="submit" class="primary">${t('ui.review_apply_filter')}</button></div>
    </form>
    ${titles.error
      ? html`<div class="notice error" role="alert"><p>${problemText(titles.error)}</p></div>`
      : titles.items.length
        ? html`<p class="muted" id="title-queue-caption">${t('ui.review_titles_caption', { n: titles.items.length })}</p>
          <table class="stack" id="title-queue" aria-labelledby="title-queue-caption">
            <thead><tr>
              <th scope="col">${t('ui.review_col_case_no')}</th>
              <th scope="col">${t('ui.review_col_status')}</th>
              <th scope="col">${t('ui.review_col_eligible_on')}</th>
              <th scope="col">${t('ui.review_col_work_start')}</th>
              <th scope="col">${t('ui.review_col_gansu_since')}</th>
              <th scope="col">${t('ui.review_col_queued')}</th>
            </tr></thead>
            <tbody>${titles.items.map((r) => html`<tr data-case=${r.case_id}>
              <td data-label=${t('ui.review_col_case_no')}><a href=${`/review/cases/${encodeURIComponent(r.case_id)}`}
                >${cases.get(r.case_id)?.case_no || t('ui.review_open_case')}</a></td>
              <td data-label=${t('ui.review_col_status')}>${badge('title_status', r.status)}</td>
              <td data-label=${t('ui.review_col_eligible_on')}>${date(r.eligible_on)}</td>
              <td data-label=${t('ui.review_col_work_start')}>${date(r.work_start)}</td>
              <td data-label=${t('ui.review_col_gansu_since')}>${r.gansu_service_since ? date(r.gansu_service_since) : '—'}</td>
              <td data-label=${t('ui.review_col_queued')}>${dateTime(r.queued_at)}</td>
            </tr>`)}</tbody>
          </table>`
        : html`<p class="card">${t('ui.review_titles_none')}</p>`}
    ${titles.error ? nothing : pager(titles.next, moreTitles)}
  </section>`;
}
