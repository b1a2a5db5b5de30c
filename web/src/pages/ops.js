// `/ops` (ops, admin): the figures of `GET /api/v1/stats` in words: counts per item and
// status, working days to decision (median), the share decided within the committed
// deadline, trips, documents and steps per completed case. The live dashboard over the
// event stream (`/api/v1/ops/overview`, `/api/v1/ops/stream`) belongs to the ops issue.

import { html, render, nothing, setTitle, badge, announce } from '../ui.js';
import { t, code, lang } from '../i18n.js';
import { get } from '../api.js';

const ITEMS = ['work_permit', 'social_insurance', 'title_review', 'residence_permit'];
const ITEM_STATUSES = ['not_started', 'pending', 'in_review', 'supplement_requested', 'approved', 'refused', 'completed', 'cancelled', 'not_applicable'];
const FIGURES = ['working_days', 'trips', 'documents', 'steps'];

const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB');
const num = (n, digits = 2) => (n === undefined || n === null ? '—' : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n));
const pct = (n) => (n === undefined || n === null ? '—' : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(n));

/** The known names first, then whatever else the API counts (a new status is not lost). */
function ordered(known, present) {
  return [...known.filter((k) => present.includes(k)), ...present.filter((k) => !known.includes(k)).sort()];
}

export default async function ops(main) {
  setTitle(t('ui.ops_title'));
  const s = await get('/api/v1/stats');
  render(view(s), main);
  announce(t('ui.ops_loaded'));
}

function view(s) {
  const cases = s.cases || {};
  const items = s.items || {};
  const itemNames = ordered(ITEMS, Object.keys(items));
  const statuses = ordered(ITEM_STATUSES, [...new Set(itemNames.flatMap((i) => Object.keys(items[i] || {})))]);
  const caseStatuses = ordered(ITEM_STATUSES.concat(['in_progress']), Object.keys(cases.by_status || {}));
  const within = s.work_permit_within_committed_deadline || {};
  const toDecision = s.working_days_to_decision || {};
  const toCompletion = s.working_days_to_completion || {};
  const per = s.per_completed_case || {};
  const target = s.seed_figures?.joint_target || {};
  const before = s.seed_figures?.single_item || {};
  const ratings = s.ratings;
  return html`<h1>${t('ui.ops_title')}</h1>
    <p class="notice">${t('ui.ops_later')}</p>

    <h2>${t('ui.ops_cases')}</h2>
    <ul class="grid three plain" role="list">
      <li class="card figure"><span class="now">${num(cases.total, 0)}</span><span>${t('ui.ops_cases_total')}</span></li>
      <li class="card figure"><span class="now">${num(cases.completed, 0)}</span><span>${t('ui.ops_cases_completed')}</span></li>
      <li class="card figure"><span class="now">${pct(within.share)}</span>
        <span>${t('ui.ops_within_share')}</span>
        <br><span class="was">${t('ui.ops_within_counts', { within: num(within.within, 0), decided: num(within.decided, 0) })}</span></li>
    </ul>
    ${caseStatuses.length
      ? html`<h3 id="ops-cases-h">${t('ui.ops_cases_by_status')}</h3>
        <table class="stack" aria-labelledby="ops-cases-h">
          <thead><tr><th scope="col">${t('ui.ops_col_status')}</th><th scope="col">${t('ui.ops_col_count')}</th></tr></thead>
          <tbody>${caseStatuses.map((st) => html`<tr>
            <td data-label=${t('ui.ops_col_status')}>${badge('status', st)}</td>
            <td data-label=${t('ui.ops_col_count')}>${num(cases.by_status[st], 0)}</td>
          </tr>`)}</tbody>
        </table>`
      : nothing}

    <h2>${t('ui.ops_items')}</h2>
    <p class="hint" id="ops-items-h">${t('ui.ops_items_caption')}</p>
    <table class="stack" aria-labelledby="ops-items-h">
      <thead><tr>
        <th scope="col">${t('ui.ops_col_item')}</th>
        ${statuses.map((st) => html`<th scope="col">${code('status', st)}</th>`)}
        <th scope="col">${t('ui.ops_col_total')}</th>
      </tr></thead>
      <tbody>${itemNames.map((i) => {
        const counts = items[i] || {};
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        return html`<tr>
          <td data-label=${t('ui.ops_col_item')}><strong>${code('item', i)}</strong></td>
          ${statuses.map((st) => html`<td data-label=${code('status', st)}>${num(counts[st] || 0, 0)}</td>`)}
          <td data-label=${t('ui.ops_col_total')}>${num(total, 0)}</td>
        </tr>`;
      })}</tbody>
    </table>

    <h2>${t('ui.ops_days')}</h2>
    <p class="hint">${t('ui.ops_days_definition')}</p>
    <table class="stack">
      <thead><tr>
        <th scope="col">${t('ui.ops_col_item')}</th>
        <th scope="col">${t('ui.ops_col_decided')}</th>
        <th scope="col">${t('ui.ops_col_median')}</th>
        <th scope="col">${t('ui.ops_col_p90')}</th>
      </tr></thead>
      <tbody>
        ${ordered(ITEMS, Object.keys(toDecision)).map((i) => html`<tr>
          <td data-label=${t('ui.ops_col_item')}><strong>${code('item', i)}</strong></td>
          <td data-label=${t('ui.ops_col_decided')}>${num(toDecision[i].count, 0)}</td>
          <td data-label=${t('ui.ops_col_median')}>${t('ui.ops_days_n', { n: num(toDecision[i].median, 1) })}</td>
          <td data-label=${t('ui.ops_col_p90')}>${t('ui.ops_days_n', { n: num(toDecision[i].p90, 1) })}</td>
        </tr>`)}
        <tr>
          <td data-label=${t('ui.ops_col_item')}><strong>${t('ui.ops_whole_case')}</strong></td>
          <td data-label=${t('ui.ops_col_decided')}>${num(toCompletion.count, 0)}</td>
          <td data-label=${t('ui.ops_col_median')}>${t('ui.ops_days_n', { n: num(toCompletion.median, 1) })}</td>
          <td data-label=${t('ui.ops_col_p90')}>${t('ui.ops_days_n', { n: num(toCompletion.p90, 1) })}</td>
        </tr>
      </tbody>
    </table>

    <h2>${t('ui.ops_per_case')}</h2>
    <p class="hint">${t('ui.ops_per_case_hint')}</p>
    <table class="stack">
      <thead><tr>
        <th scope="col">${t('ui.ops_col_figure')}</th>
        <th scope="col">${t('ui.ops_col_now')}</th>
        <th scope="col">${t('ui.ops_col_target')}</th>
        <th scope="col">${t('ui.ops_col_before')}</th>
      </tr></thead>
      <tbody>${FIGURES.map((f) => html`<tr>
        <td data-label=${t('ui.ops_col_figure')}><strong>${t(`ui.ops_figure_${f}`)}</strong></td>
        <td data-label=${t('ui.ops_col_now')}>${num(per[f], 2)}</td>
        <td data-label=${t('ui.ops_col_target')}>${num(target[f], 0)}</td>
        <td data-label=${t('ui.ops_col_before')}>${num(before[f], 0)}</td>
      </tr>`)}</tbody>
    </table>
    <h3>${t('ui.ops_definitions')}</h3>
    <dl class="facts">
      <dt>${t('ui.ops_figure_trips')}</dt><dd>${t('ui.ops_trips_definition')}</dd>
      <dt>${t('ui.ops_figure_steps')}</dt><dd>${t('ui.ops_steps_definition')}</dd>
      <dt>${t('ui.ops_figure_documents')}</dt><dd>${t('ui.ops_documents_definition')}</dd>
    </dl>
    <p class="hint">${t('ui.ops_source')}</p>

    ${ratings
      ? html`<h2>${t('ui.ops_ratings')}</h2>
        <p>${t('ui.ops_ratings_all', { avg: num(ratings.average, 2), n: num(ratings.count, 0) })}</p>
        ${Object.keys(ratings.by_item || {}).length
          ? html`<table class="stack">
              <thead><tr><th scope="col">${t('ui.ops_col_item')}</th><th scope="col">${t('ui.ops_col_average')}</th><th scope="col">${t('ui.ops_col_ratings')}</th></tr></thead>
              <tbody>${ordered(ITEMS, Object.keys(ratings.by_item)).map((i) => html`<tr>
                <td data-label=${t('ui.ops_col_item')}><strong>${code('item', i)}</strong></td>
                <td data-label=${t('ui.ops_col_average')}>${num(ratings.by_item[i].average, 2)}</td>
                <td data-label=${t('ui.ops_col_ratings')}>${num(ratings.by_item[i].count, 0)}</td>
              </tr>`)}</tbody>
            </table>`
          : nothing}`
      : nothing}`;
}
