// `/counter` (officer, public-security): the exit-entry counter desk for the work-type
// residence permit. Search by case number, permit number or passport; the queue of
// residence cases (paged, by status); for the chosen case every step in order: entry date,
// the in-person application with the paper materials checklist, the receipt (受理回执,
// printable), verification, its outcome, the decision and the pickup. Each step asks for
// confirmation; a 422 lands beside its fields; the case's state is shown in words with the
// next step highlighted.
//
// The API has no search: `GET /api/v1/residence-permits` takes only `status`, and a
// residence case does not carry its case number. So the page walks the lists: case numbers
// through `GET /api/v1/cases` (which has `case_no`), permit and passport numbers through
// the residence list, at most SEARCH_PAGES pages of 200 each.

import { html, render, nothing, setTitle, badge, announce, confirmDialog, pager } from '../ui.js';
import { t, code, has, date, dateTime, todayBeijing } from '../i18n.js';
import { get, post } from '../api.js';
import { readForm, showProblem, clearErrors, problemText } from '../forms.js';
import { session } from '../session.js';

const STATUSES = ['pending', 'in_review', 'approved', 'refused', 'completed', 'cancelled', 'revocation_pending', 'revoked'];
const PAPER = ['visa_application_form', 'entry_exit_photo', 'employer_certification_letter'];
const LOST = 'passport_loss_certificate';
const METHODS = ['interview', 'phone', 'site_visit'];
const OUTCOMES = ['attended', 'no_show'];
const PICKUPS = ['in_person', 'proxy', 'mail'];
/** Refusal reasons the service knows by code (rules.rs); other reasons are free text. */
const REASON_CODES = ['verification_no_show', 'work_permit_validity_too_short'];
const STEPS = ['entry', 'application', 'receipt', 'verification', 'outcome', 'decision', 'pickup', 'revocation'];
const RESOLUTIONS = ['revoke', 'keep'];
const QUEUE_PAGE = 20;
const SEARCH_PAGE = 200;
const SEARCH_PAGES = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Half-hour slots of a working day for a verification (Beijing time). */
const SLOTS = Array.from({ length: 19 }, (_, i) => {
  const m = 8 * 60 + 30 + i * 30;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
});

const st = {
  main: null,
  status: '',
  queue: [],
  next: null,
  loadingQueue: false,
  results: null,
  truncated: false,
  noResidence: false,
  query: '',
  rc: null,
  caseNos: new Map(),
};

export default async function counter(main) {
  st.main = main;
  setTitle(t('ui.counter_title'));
  window.addEventListener('popstate', () => safely(route()));
  await route();
}

/** The URL says what is shown: `?case=<id>` a case, `?status=` the queue's filter. */
async function route() {
  const params = new URLSearchParams(location.search);
  st.status = STATUSES.includes(params.get('status')) ? params.get('status') : '';
  const id = params.get('case');
  if (id) {
    try {
      await showCase(id, { push: false });
      return;
    } catch (err) {
      if (err.status !== 404) throw err;
      st.rc = null;
      announce(t('ui.counter_case_not_found'), 'warn');
    }
  }
  st.rc = null;
  draw();
  await loadQueue();
}

function setUrl(mutate, push = true) {
  const u = new URL(location.href);
  mutate(u.searchParams);
  const target = u.pathname + (u.searchParams.toString() ? `?${u.searchParams}` : '');
  if (push) history.pushState(null, '', target);
  else history.replaceState(null, '', target);
}

// ---- drawing -------------------------------------------------------------------------

function draw() {
  render(
    html`<h1 class="no-print">${t('ui.counter_title')}</h1>
      <p class="lead no-print">${t('ui.counter_lead')}</p>
      ${searchForm()}
      ${st.rc ? caseView(st.rc) : st.results ? resultsView() : queueView()}`,
    st.main,
  );
}

function searchForm() {
  return html`<form class="card no-print" role="search" novalidate @submit=${onSearch} aria-labelledby="search-h">
    <h2 id="search-h" class="sr-heading">${t('ui.counter_search')}</h2>
    <div class="form-errors" aria-live="assertive"></div>
    <div class="field">
      <label for="counter-q">${t('ui.counter_search_label')}</label>
      <input id="counter-q" name="q" type="search" autocomplete="off" spellcheck="false" aria-describedby="counter-q-hint">
      <span class="hint" id="counter-q-hint">${t('ui.counter_search_hint')}</span>
      <span class="field-error" data-for="q"></span>
    </div>
    <div class="actions"><button type="submit" class="primary">${t('ui.counter_search_go')}</button></div>
  </form>`;
}

function applicantName(rc) {
  const a = rc.applicant;
  return a ? `${a.surname} ${a.given_names}`.trim() : '—';
}

function caseNo(rc) {
  return rc.case_no || st.caseNos.get(rc.case_id) || '—';
}

/** What the counter does next on this case, or null when nothing is left to do. */
function nextStep(rc) {
  switch (rc.status) {
    case 'pending':
      return rc.entry_date ? 'application' : 'entry';
    case 'in_review': {
      const v = rc.verification;
      if (!v) return 'verification';
      if (!v.outcome) return 'outcome';
      if (v.outcome === 'no_show' && v.justified) return 'verification';
      return 'decision';
    }
    case 'approved':
      return 'pickup';
    // Issued, then its work permit cancelled: the officer revokes or keeps it.
    case 'revocation_pending':
      return 'revocation';
    default:
      return null;
  }
}

function nextText(rc) {
  const n = nextStep(rc);
  if (n) return t(`ui.counter_next_${n}`);
  return t('ui.counter_next_none');
}

function rows(list) {
  return html`<table class="stack">
    <thead><tr>
      <th scope="col">${t('ui.counter_col_case_no')}</th>
      <th scope="col">${t('ui.counter_col_applicant')}</th>
      <th scope="col">${t('ui.counter_col_permit')}</th>
      <th scope="col">${t('ui.counter_col_status')}</th>
      <th scope="col">${t('ui.counter_col_next')}</th>
      <th scope="col">${t('ui.counter_col_opened')}</th>
      <th scope="col">${t('ui.counter_col_action')}</th>
    </tr></thead>
    <tbody>
      ${list.map(
        (rc) => html`<tr>
          <td data-label=${t('ui.counter_col_case_no')}><span class="nowrap">${caseNo(rc)}</span></td>
          <td data-label=${t('ui.counter_col_applicant')}>
            <span>${applicantName(rc)}${rc.applicant ? html` · ${rc.applicant.nationality}` : nothing}<br>
            <span class="muted">${t('ui.counter_col_passport')} <span class="nowrap">${rc.applicant?.passport_number || '—'}</span></span></span>
          </td>
          <td data-label=${t('ui.counter_col_permit')}><span class="nowrap">${rc.work_permit.permit_number || '—'}</span></td>
          <td data-label=${t('ui.counter_col_status')}>${badge('residence_status', rc.status)}</td>
          <td data-label=${t('ui.counter_col_next')}>${nextText(rc)}</td>
          <td data-label=${t('ui.counter_col_opened')}>${dateTime(rc.opened_at)}</td>
          <td data-label=${t('ui.counter_col_action')}>
            <button type="button" class="nowrap" @click=${() => openCase(rc.case_id)}
              aria-label=${t('ui.counter_open_case_of', { name: applicantName(rc), no: caseNo(rc) })}>${t('ui.counter_open_case')}</button>
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function queueView() {
  return html`<section class="no-print" aria-labelledby="queue-h">
    <h2 id="queue-h">${t('ui.counter_queue')}</h2>
    <form class="card" novalidate @submit=${(e) => e.preventDefault()}>
      <div class="field">
        <label for="counter-status">${t('ui.counter_filter_status')}</label>
        <select id="counter-status" name="status" @change=${onStatus}>
          <option value="" ?selected=${st.status === ''}>${t('ui.counter_filter_all')}</option>
          ${STATUSES.map((s) => html`<option value=${s} ?selected=${st.status === s}>${code('residence_status', s)}</option>`)}
        </select>
      </div>
    </form>
    ${st.loadingQueue && !st.queue.length
      ? html`<p class="loading" role="status">${t('ui.counter_loading')}</p>`
      : st.queue.length
        ? rows(st.queue)
        : html`<p class="notice">${t('ui.counter_queue_empty')}</p>`}
    ${pager(st.next, (cursor) => safely(loadQueue(cursor)))}
  </section>`;
}

function resultsView() {
  return html`<section class="no-print" aria-labelledby="results-h">
    <h2 id="results-h">${t('ui.counter_results', { q: st.query, n: st.results.length })}</h2>
    ${st.truncated ? html`<p class="notice warn">${t('ui.counter_results_truncated', { n: SEARCH_PAGE * SEARCH_PAGES })}</p>` : nothing}
    ${st.results.length
      ? rows(st.results)
      : html`<p class="notice">${t(st.noResidence ? 'ui.counter_results_no_residence' : 'ui.counter_results_none')}</p>`}
    <div class="actions"><button type="button" @click=${clearSearch}>${t('ui.counter_back_to_queue')}</button></div>
  </section>`;
}

function stepBadge(key, rc, next) {
  const s = stepState(key, rc);
  if (key === next) return html`<span class="badge warn">${t('ui.counter_step_next')}</span>`;
  if (s.done) return html`<span class="badge good">${t('ui.counter_step_done')}</span>`;
  if (s.open) return html`<span class="badge neutral">${t('ui.counter_step_open')}</span>`;
  if (['refused', 'completed', 'cancelled', 'revoked'].includes(rc.status)) return html`<span class="badge muted">${t('ui.counter_step_not_done')}</span>`;
  return html`<span class="badge muted">${t('ui.counter_step_later')}</span>`;
}

function stepState(key, rc) {
  const review = rc.status === 'in_review';
  const v = rc.verification;
  switch (key) {
    case 'entry':
      return { done: !!rc.entry_date, open: rc.status === 'pending' };
    case 'application':
    case 'receipt':
      return { done: !!rc.application, open: key === 'receipt' ? !!rc.application : rc.status === 'pending' };
    case 'verification':
      return { done: rc.verifications.length > 0, open: review };
    case 'outcome':
      return { done: !!v?.outcome, open: review && !!v && !v.outcome };
    case 'decision':
      return { done: !!rc.decision, open: review };
    case 'pickup':
      return { done: !!rc.pickup, open: rc.status === 'approved' };
    case 'revocation':
      return { done: !!rc.revocation, open: rc.status === 'revocation_pending' };
    default:
      return { done: false, open: false };
  }
}

function caseView(rc) {
  const next = nextStep(rc);
  const a = rc.applicant;
  return html`<p class="no-print"><button type="button" class="link" @click=${backToQueue}>${t('ui.counter_back_to_queue')}</button></p>
    <section class="card no-print" aria-labelledby="case-h">
      <h2 id="case-h" tabindex="-1">${t('ui.counter_case_heading', { no: caseNo(rc), name: applicantName(rc) })}</h2>
      <p>${t('ui.counter_state')} ${badge('residence_status', rc.status)}</p>
      <p><strong>${t('ui.counter_next_label')}</strong> ${nextText(rc)}</p>
      ${rc.work_permit.cancelled
        ? html`<p class="notice warn">${t('ui.counter_work_permit_cancelled')}</p>`
        : nothing}
      <dl class="facts">
        <dt>${t('ui.counter_applicant')}</dt><dd>${applicantName(rc)}</dd>
        ${a
          ? html`<dt>${t('ui.counter_sex')}</dt><dd>${code('sex', a.sex)}</dd>
              <dt>${t('ui.counter_nationality')}</dt><dd>${a.nationality}</dd>
              <dt>${t('ui.counter_birth_date')}</dt><dd>${date(a.birth_date)}</dd>
              <dt>${t('ui.counter_passport')}</dt><dd>${a.passport_number} · ${t('ui.counter_passport_expiry', { date: date(a.passport_expiry) })}</dd>`
          : nothing}
        <dt>${t('ui.counter_work_permit')}</dt>
        <dd>${rc.work_permit.permit_number || '—'}${rc.work_permit.valid_until ? html` · ${t('ui.counter_valid_until', { date: date(rc.work_permit.valid_until) })}` : nothing}</dd>
        <dt>${t('ui.counter_employer')}</dt><dd>${rc.employer_credit_code || '—'}</dd>
        <dt>${t('ui.counter_opened')}</dt><dd>${dateTime(rc.opened_at)}</dd>
        ${rc.updated_at ? html`<dt>${t('ui.counter_updated')}</dt><dd>${dateTime(rc.updated_at)}</dd>` : nothing}
      </dl>
    </section>
    <h2 class="no-print">${t('ui.counter_steps')}</h2>
    <ol class="grid steps" role="list">
      ${STEPS.map((key, i) => {
        const isNext = key === next;
        const printable = key === 'receipt';
        return html`<li class="card ${isNext ? 'notice warn' : ''} ${printable ? '' : 'no-print'}" id="step-${key}"
          aria-current=${isNext ? 'step' : nothing}>
          <h3 id="step-h-${key}" tabindex="-1" class=${printable ? 'no-print' : ''}>${i + 1}. ${t(`ui.counter_step_${key}`)} ${stepBadge(key, rc, next)}</h3>
          ${STEP_VIEWS[key](rc)}
        </li>`;
      })}
    </ol>`;
}

function entryForm() {
  return html`<form novalidate @submit=${onEntry}>
    <div class="form-errors" aria-live="assertive"></div>
    <div class="field">
      <label for="entry-date">${t('ui.counter_entry_date')}</label>
      <input id="entry-date" name="entry_date" type="date" max=${todayBeijing()} required aria-describedby="entry-hint">
      <span class="hint" id="entry-hint">${t('ui.counter_entry_hint')}</span>
      <span class="field-error" data-for="entry_date"></span>
    </div>
    <div class="actions"><button type="submit" class="primary">${t('ui.counter_entry_submit')}</button></div>
  </form>`;
}

// ---- the steps -----------------------------------------------------------------------

const STEP_VIEWS = {
  revocation(rc) {
    const r = rc.revocation;
    if (r) {
      return html`<dl class="facts">
        <dt>${t('ui.counter_revocation_decision')}</dt><dd>${code('decision', r.decision)}</dd>
        ${r.effective_on ? html`<dt>${t('ui.counter_revocation_effective')}</dt><dd>${date(r.effective_on)}</dd>` : nothing}
        <dt>${t('ui.counter_revocation_reason')}</dt><dd>${r.reason}</dd>
        <dt>${t('ui.counter_revocation_decided_at')}</dt><dd>${dateTime(r.decided_at)}</dd>
      </dl>`;
    }
    if (rc.status !== 'revocation_pending') return html`<p class="muted">${t('ui.counter_revocation_none')}</p>`;
    const until = rc.residence_permit?.valid_until;
    // Never before today, nor before the permit's first day (it may start with a later work permit).
    const starts = rc.residence_permit?.valid_from;
    const from = starts && starts > todayBeijing() ? starts : todayBeijing();
    return html`<p class="notice warn">${t('ui.counter_revocation_intro')}</p>
      <form novalidate @submit=${onRevocation}>
        <div class="form-errors" aria-live="assertive"></div>
        <fieldset>
          <legend>${t('ui.counter_revocation_q')}</legend>
          <div class="checks">
            ${RESOLUTIONS.map(
              (d) => html`<div class="check">
                <input type="radio" id="revocation-${d}" name="decision" value=${d} ?checked=${d === 'revoke'} @change=${onRevocationChange}>
                <label for="revocation-${d}">${code('decision', d)}</label>
              </div>`,
            )}
          </div>
          <span class="field-error" data-for="decision"></span>
        </fieldset>
        <div class="field" id="revocation-effective">
          <label for="revocation-date">${t('ui.counter_revocation_effective')}</label>
          <input id="revocation-date" name="effective_on" type="date" min=${from} max=${until || nothing}
            aria-describedby="revocation-date-hint">
          <span class="hint" id="revocation-date-hint">${t('ui.counter_revocation_effective_hint', { from: date(from), until: until ? date(until) : '—' })}</span>
          <span class="field-error" data-for="effective_on"></span>
        </div>
        <div class="field">
          <label for="revocation-reason">${t('ui.counter_revocation_reason')}</label>
          <textarea id="revocation-reason" name="reason" maxlength="500" required aria-describedby="revocation-reason-hint"></textarea>
          <span class="hint" id="revocation-reason-hint">${t('ui.counter_revocation_reason_hint')}</span>
          <span class="field-error" data-for="reason"></span>
        </div>
        <div class="actions"><button type="submit" class="primary">${t('ui.counter_revocation_submit')}</button></div>
      </form>`;
  },

  entry(rc) {
    return html`${rc.entry_date
      ? html`<dl class="facts">
          <dt>${t('ui.counter_entry_date')}</dt><dd>${date(rc.entry_date)}</dd>
          <dt>${t('ui.counter_apply_by')}</dt><dd>${date(rc.apply_by)}</dd>
        </dl>`
      : html`<p class="muted">${t('ui.counter_entry_none')}</p>`}
      ${rc.status === 'pending'
        ? rc.entry_date
          ? html`<details><summary>${t('ui.counter_entry_correct')}</summary>${entryForm()}</details>`
          : entryForm()
        : nothing}`;
  },

  application(rc) {
    const app = rc.application;
    if (app) {
      return html`<dl class="facts">
        <dt>${t('ui.counter_applied_on')}</dt><dd>${date(app.applied_on)}</dd>
        <dt>${t('ui.counter_paper_received')}</dt>
        <dd><ul>${app.paper_materials.map((m) => html`<li>${code('material', m)}</li>`)}</ul></dd>
        <dt>${t('ui.counter_passport_lost')}</dt><dd>${app.passport_lost ? t('ui.counter_yes') : t('ui.counter_no')}</dd>
        <dt>${t('ui.counter_decision_due')}</dt><dd>${dueText(app)}</dd>
      </dl>`;
    }
    if (rc.status !== 'pending') return html`<p class="muted">${t('ui.counter_not_applicable')}</p>`;
    const late = rc.apply_by && todayBeijing() > rc.apply_by;
    return html`${late ? html`<p class="notice warn">${t('ui.counter_applied_late', { date: date(rc.apply_by) })}</p>` : nothing}
      <form novalidate @submit=${onApplication}>
        <div class="form-errors" aria-live="assertive"></div>
        <fieldset>
          <legend>${t('ui.counter_paper_checklist')}</legend>
          <p class="hint" id="paper-hint">${t('ui.counter_paper_hint')}</p>
          <div class="checks">
            ${PAPER.map(
              (k) => html`<div class="check">
                  <input type="checkbox" id="paper-${k}" name="paper_materials.${k}" value=${k} aria-describedby="paper-hint">
                  <label for="paper-${k}">${code('material', k)}</label>
                </div>
                <span class="field-error" data-for="paper_materials.${k}"></span>`,
            )}
          </div>
        </fieldset>
        <div class="check">
          <input type="checkbox" id="passport-lost" name="passport_lost" @change=${onPassportLost}>
          <label for="passport-lost">${t('ui.counter_passport_lost_q')}</label>
        </div>
        <span class="field-error" data-for="passport_lost"></span>
        <div id="lost-certificate" hidden>
          <div class="check">
            <input type="checkbox" id="paper-${LOST}" name="paper_materials.${LOST}" value=${LOST} disabled>
            <label for="paper-${LOST}">${code('material', LOST)}</label>
          </div>
          <span class="field-error" data-for="paper_materials.${LOST}"></span>
        </div>
        <span class="field-error" data-for="paper_materials"></span>
        <div class="actions"><button type="submit" class="primary">${t('ui.counter_application_submit')}</button></div>
      </form>`;
  },

  receipt(rc) {
    const app = rc.application;
    if (!app) return html`<p class="muted no-print">${t('ui.counter_receipt_later')}</p>`;
    const a = rc.applicant;
    return html`<section class="receipt" aria-labelledby="receipt-h">
      <h4 id="receipt-h">${t('ui.counter_receipt_title')}</h4>
      <dl class="facts">
        <dt>${t('ui.counter_receipt_number')}</dt><dd>${app.receipt.number}</dd>
        <dt>${t('ui.counter_col_case_no')}</dt><dd>${caseNo(rc)}</dd>
        <dt>${t('ui.counter_applicant')}</dt><dd>${applicantName(rc)}</dd>
        ${a
          ? html`<dt>${t('ui.counter_nationality')}</dt><dd>${a.nationality}</dd>
              <dt>${t('ui.counter_passport')}</dt><dd>${a.passport_number}</dd>`
          : nothing}
        <dt>${t('ui.counter_receipt_matter')}</dt><dd>${code('item', 'residence_permit')}</dd>
        <dt>${t('ui.counter_applied_on')}</dt><dd>${date(app.applied_on)}</dd>
        <dt>${t('ui.counter_paper_received')}</dt>
        <dd><ul>${app.paper_materials.map((m) => html`<li>${code('material', m)}</li>`)}</ul></dd>
        <dt>${t('ui.counter_decision_due')}</dt><dd>${dueText(app)}</dd>
        <dt>${t('ui.counter_receipt_valid_until')}</dt><dd>${date(app.receipt.valid_until)}</dd>
        <dt>${t('ui.counter_receipt_officer')}</dt><dd>${session?.subject || '—'}</dd>
      </dl>
      <p>${t('ui.counter_receipt_note')}</p>
      <p>${t('ui.counter_receipt_office')}</p>
      <div class="actions"><button type="button" class="primary" @click=${printReceipt}>${t('ui.counter_receipt_print')}</button></div>
    </section>`;
  },

  verification(rc) {
    const app = rc.application;
    return html`${rc.verifications.length
      ? html`<ol>${rc.verifications.map((v) => html`<li>${verificationText(v)}</li>`)}</ol>`
      : html`<p class="muted">${t('ui.counter_verification_none')}</p>`}
      ${rc.status === 'in_review' && app
        ? html`<form novalidate @submit=${onVerification}>
            <div class="form-errors" aria-live="assertive"></div>
            ${rc.verification && !rc.verification.outcome ? html`<p class="hint">${t('ui.counter_verification_reschedule')}</p>` : nothing}
            <div class="field">
              <label for="ver-method">${t('ui.counter_verification_method')}</label>
              <select id="ver-method" name="method" required>
                ${METHODS.map((m) => html`<option value=${m}>${code('verification', m)}</option>`)}
              </select>
              <span class="field-error" data-for="method"></span>
            </div>
            <div class="grid two">
              <div class="field">
                <label for="ver-date">${t('ui.counter_verification_date')}</label>
                <input id="ver-date" name="scheduled_at" type="date" required min=${app.applied_on} max=${app.decision_due}
                  aria-describedby="ver-date-hint">
                <span class="hint" id="ver-date-hint">${t('ui.counter_verification_date_hint', { from: date(app.applied_on), to: date(app.decision_due) })}</span>
                <span class="field-error" data-for="scheduled_at"></span>
              </div>
              <div class="field">
                <label for="ver-time">${t('ui.counter_verification_time')}</label>
                <select id="ver-time" name="scheduled_time" aria-describedby="ver-time-hint">
                  <option value="now">${t('ui.counter_verification_now')}</option>
                  ${SLOTS.map((s) => html`<option value=${s} ?selected=${s === '10:00'}>${s}</option>`)}
                </select>
                <span class="hint" id="ver-time-hint">${t('ui.counter_verification_now_hint')}</span>
              </div>
            </div>
            <div class="field">
              <label for="ver-place">${t('ui.counter_verification_place')}</label>
              <input id="ver-place" name="place" maxlength="200" aria-describedby="ver-place-hint">
              <span class="hint" id="ver-place-hint">${t('ui.counter_verification_place_hint')}</span>
              <span class="field-error" data-for="place"></span>
            </div>
            <div class="actions"><button type="submit" class="primary">${t('ui.counter_verification_submit')}</button></div>
          </form>`
        : nothing}`;
  },

  outcome(rc) {
    const v = rc.verification;
    if (!(rc.status === 'in_review' && v && !v.outcome)) {
      return v?.outcome
        ? html`<p>${outcomeText(v)}</p>`
        : html`<p class="muted">${t('ui.counter_outcome_later')}</p>`;
    }
    // An outcome is recorded from the appointed time on (a no-show after a grace period).
    const ahead = Date.parse(v.scheduled_at) > Date.now();
    return html`<p>${verificationText(v)}</p>
      ${ahead ? html`<p class="hint" id="outcome-from">${t('ui.counter_outcome_from', { at: dateTime(v.scheduled_at) })}</p>` : nothing}
      <form novalidate @submit=${onOutcome}>
        <div class="form-errors" aria-live="assertive"></div>
        <fieldset>
          <legend>${t('ui.counter_outcome_q')}</legend>
          <div class="checks">
            ${OUTCOMES.map(
              (o) => html`<div class="check">
                <input type="radio" id="outcome-${o}" name="outcome" value=${o} ?checked=${o === 'attended'} @change=${onOutcomeChange}>
                <label for="outcome-${o}">${code('outcome', o)}</label>
              </div>`,
            )}
          </div>
          <span class="field-error" data-for="outcome"></span>
        </fieldset>
        <div id="outcome-justified" hidden>
          <div class="check">
            <input type="checkbox" id="justified" name="justified" aria-describedby="justified-hint">
            <label for="justified">${t('ui.counter_outcome_justified')}</label>
          </div>
          <span class="hint" id="justified-hint">${t('ui.counter_outcome_justified_hint')}</span>
          <span class="field-error" data-for="justified"></span>
        </div>
        <div class="field">
          <label for="outcome-note">${t('ui.counter_outcome_note')}</label>
          <textarea id="outcome-note" name="note" maxlength="1000" aria-describedby="outcome-note-hint"></textarea>
          <span class="hint" id="outcome-note-hint">${t('ui.counter_outcome_note_hint')}</span>
          <span class="field-error" data-for="note"></span>
        </div>
        <div class="actions"><button type="submit" class="primary">${t('ui.counter_outcome_submit')}</button></div>
      </form>`;
  },

  decision(rc) {
    const d = rc.decision;
    if (d) {
      return html`<dl class="facts">
        <dt>${t('ui.counter_decision')}</dt><dd>${code('decision', d.decision)}</dd>
        <dt>${t('ui.counter_decided_at')}</dt><dd>${dateTime(d.decided_at)}</dd>
        ${d.reasons.length
          ? html`<dt>${t('ui.counter_reasons')}</dt><dd><ul>${d.reasons.map((r) => html`<li>${reasonText(r)}</li>`)}</ul></dd>`
          : nothing}
        ${rc.residence_permit
          ? html`<dt>${t('ui.counter_rp_number')}</dt><dd>${rc.residence_permit.number}</dd>
              <dt>${t('ui.counter_rp_validity')}</dt>
              <dd>${t('ui.counter_from_to', { from: date(rc.residence_permit.valid_from), to: date(rc.residence_permit.valid_until) })}</dd>`
          : nothing}
      </dl>`;
    }
    if (rc.status !== 'in_review') return html`<p class="muted">${t('ui.counter_decision_later')}</p>`;
    const v = rc.verification;
    const noShow = v?.outcome === 'no_show' && !v.justified;
    const pending = v && !v.outcome;
    return html`${pending ? html`<p class="notice warn">${t('ui.counter_decision_verification_open')}</p>` : nothing}
      ${noShow ? html`<p class="notice warn">${t('ui.counter_decision_no_show')}</p>` : nothing}
      <form novalidate @submit=${onDecision}>
        <div class="form-errors" aria-live="assertive"></div>
        <fieldset>
          <legend>${t('ui.counter_decision_q')}</legend>
          <div class="checks">
            ${['approve', 'refuse'].map(
              (d) => html`<div class="check">
                <input type="radio" id="decision-${d}" name="decision" value=${d} ?checked=${noShow ? d === 'refuse' : d === 'approve'}
                  @change=${onDecisionChange}>
                <label for="decision-${d}">${code('decision', d)}</label>
              </div>`,
            )}
          </div>
          <span class="field-error" data-for="decision"></span>
        </fieldset>
        <div id="refuse-reasons" ?hidden=${!noShow}>
          <fieldset>
            <legend>${t('ui.counter_reasons')}</legend>
            <div class="checks">
              ${REASON_CODES.filter((r) => r !== 'verification_no_show' || noShow).map(
                (r) => html`<div class="check">
                  <input type="checkbox" id="reason-${r}" name="reason_codes" data-type="set" value=${r} ?checked=${noShow && r === 'verification_no_show'}>
                  <label for="reason-${r}">${code('reason', r)}</label>
                </div>`,
              )}
            </div>
            <div class="field">
              <label for="reasons-text">${t('ui.counter_reasons_text')}</label>
              <textarea id="reasons-text" name="reasons" aria-describedby="reasons-hint"></textarea>
              <span class="hint" id="reasons-hint">${t('ui.counter_reasons_hint')}</span>
              <span class="field-error" data-for="reasons"></span>
            </div>
          </fieldset>
        </div>
        <div class="actions"><button type="submit" class="primary">${t('ui.counter_decision_submit')}</button></div>
      </form>`;
  },

  pickup(rc) {
    const p = rc.pickup;
    if (p) {
      return html`<dl class="facts">
        <dt>${t('ui.counter_pickup_method')}</dt><dd>${code('pickup', p.method)}</dd>
        <dt>${t('ui.counter_picked_up_at')}</dt><dd>${dateTime(p.picked_up_at)}</dd>
        ${p.proxy
          ? html`<dt>${t('ui.counter_proxy_name')}</dt><dd>${p.proxy.name}</dd>
              <dt>${t('ui.counter_proxy_id')}</dt><dd>${p.proxy.id_number}</dd>`
          : nothing}
        ${p.mail
          ? html`${p.mail.address ? html`<dt>${t('ui.counter_mail_address')}</dt><dd>${p.mail.address}</dd>` : nothing}
              <dt>${t('ui.counter_mail_tracking')}</dt><dd>${p.mail.tracking_number}</dd>`
          : nothing}
      </dl>`;
    }
    if (rc.status === 'revocation_pending') {
      return html`<p class="notice warn">${t('ui.counter_next_under_review')}</p>`;
    }
    if (rc.status !== 'approved') return html`<p class="muted">${t('ui.counter_pickup_later')}</p>`;
    return html`<form novalidate @submit=${onPickup}>
      <div class="form-errors" aria-live="assertive"></div>
      <fieldset>
        <legend>${t('ui.counter_pickup_q')}</legend>
        <div class="checks">
          ${PICKUPS.map(
            (m) => html`<div class="check">
              <input type="radio" id="pickup-${m}" name="method" value=${m} ?checked=${m === 'in_person'} @change=${onPickupChange}>
              <label for="pickup-${m}">${code('pickup', m)}</label>
            </div>`,
          )}
        </div>
        <span class="field-error" data-for="method"></span>
      </fieldset>
      <fieldset id="pickup-proxy-fields" hidden>
        <legend>${t('ui.counter_proxy')}</legend>
        <span class="field-error" data-for="proxy"></span>
        <div class="field">
          <label for="proxy-name">${t('ui.counter_proxy_name')}</label>
          <input id="proxy-name" name="proxy.name" maxlength="100" autocomplete="off">
          <span class="field-error" data-for="proxy.name"></span>
        </div>
        <div class="field">
          <label for="proxy-id">${t('ui.counter_proxy_id')}</label>
          <input id="proxy-id" name="proxy.id_number" maxlength="40" autocomplete="off" aria-describedby="proxy-id-hint">
          <span class="hint" id="proxy-id-hint">${t('ui.counter_proxy_id_hint')}</span>
          <span class="field-error" data-for="proxy.id_number"></span>
        </div>
      </fieldset>
      <fieldset id="pickup-mail-fields" hidden>
        <legend>${t('ui.counter_mail')}</legend>
        <span class="field-error" data-for="mail"></span>
        <div class="field">
          <label for="mail-address">${t('ui.counter_mail_address')}</label>
          <textarea id="mail-address" name="mail.address" maxlength="300" autocomplete="off"></textarea>
          <span class="field-error" data-for="mail.address"></span>
        </div>
        <div class="field">
          <label for="mail-tracking">${t('ui.counter_mail_tracking')}</label>
          <input id="mail-tracking" name="mail.tracking_number" maxlength="40" autocomplete="off" aria-describedby="mail-tracking-hint">
          <span class="hint" id="mail-tracking-hint">${t('ui.counter_mail_tracking_hint')}</span>
          <span class="field-error" data-for="mail.tracking_number"></span>
        </div>
      </fieldset>
      <div class="actions"><button type="submit" class="primary">${t('ui.counter_pickup_submit')}</button></div>
    </form>`;
  },
};

function dueText(app) {
  const unit = app.decision_due_counted_in === 'days' ? 'ui.counter_due_days' : 'ui.counter_due_working_days';
  const s = t(unit, { n: app.decision_due_count, date: date(app.decision_due) });
  return app.decision_due_estimated ? `${s} ${t('ui.counter_due_estimated')}` : s;
}

function verificationText(v) {
  const where = v.place ? t('ui.counter_verification_at', { place: v.place }) : '';
  const base = t('ui.counter_verification_line', { method: code('verification', v.method), at: dateTime(v.scheduled_at), where });
  return v.outcome ? `${base} — ${outcomeText(v)}` : base;
}

function outcomeText(v) {
  const note = v.note ? t('ui.counter_outcome_note_shown', { note: v.note }) : '';
  return `${outcomeWords(v.outcome, v.justified)}${v.recorded_at ? ` · ${dateTime(v.recorded_at)}` : ''}${note}`;
}

/** An outcome in words; a no-show says whether it had a justified reason. */
function outcomeWords(outcome, justified) {
  if (outcome !== 'no_show') return code('outcome', outcome);
  return t(justified ? 'ui.counter_outcome_no_show_justified' : 'ui.counter_outcome_no_show_unjustified');
}

function reasonText(r) {
  return has(`reason.${r}`) ? code('reason', r) : r;
}

// ---- loading -------------------------------------------------------------------------

/** Case numbers of residence cases (the residence view does not carry them). */
async function fillCaseNos(list) {
  // Only cases opened before the residence case kept its number need a look-up.
  const missing = list.filter((rc) => !rc.case_no && !st.caseNos.has(rc.case_id));
  await Promise.all(
    missing.map(async (rc) => {
      try {
        const c = await get(`/api/v1/cases/${encodeURIComponent(rc.case_id)}`);
        st.caseNos.set(rc.case_id, c.case_no);
      } catch {
        // Shown as "—"; the residence case itself is still there.
      }
    }),
  );
}

async function loadQueue(cursor = '') {
  st.loadingQueue = true;
  if (!cursor) {
    st.queue = [];
    st.next = null;
  }
  draw();
  const q = new URLSearchParams({ limit: String(QUEUE_PAGE) });
  if (st.status) q.set('status', st.status);
  if (cursor) q.set('cursor', cursor);
  try {
    const page = await get(`/api/v1/residence-permits?${q}`);
    await fillCaseNos(page.items);
    st.queue = cursor ? st.queue.concat(page.items) : page.items;
    st.next = page.next_cursor;
    announce(t('ui.counter_queue_loaded', { n: st.queue.length }));
  } finally {
    st.loadingQueue = false;
    if (!st.rc && !st.results) draw();
  }
}

async function showCase(id, { push = true } = {}) {
  const rc = await get(`/api/v1/residence-permits/${encodeURIComponent(id)}`);
  await fillCaseNos([rc]);
  st.rc = rc;
  if (push) setUrl((p) => p.set('case', id));
  draw();
  document.getElementById('case-h')?.focus();
  announce(t('ui.counter_case_opened', { no: caseNo(rc), state: code('residence_status', rc.status), next: nextText(rc) }));
}

/** A promise started by an event: its failure is announced, not left unhandled. */
function safely(promise) {
  return promise.catch((err) => {
    console.warn(err);
    announce(err.problem ? problemText(err) : t('ui.error_unknown'), 'error');
  });
}

const openCase = (id) => safely(showCase(id));

function backToQueue() {
  st.rc = null;
  setUrl((p) => p.delete('case'));
  draw();
  if (!st.results) safely(loadQueue());
  document.getElementById('counter-q')?.focus();
}

function clearSearch() {
  st.results = null;
  st.query = '';
  draw();
  safely(loadQueue());
}

function onStatus(e) {
  st.status = e.currentTarget.value;
  setUrl((p) => (st.status ? p.set('status', st.status) : p.delete('status')), false);
  safely(loadQueue());
}

/** Walks a list endpoint page by page; `visit(item)` returns true to stop. */
async function walk(path, visit) {
  let cursor = '';
  for (let i = 0; i < SEARCH_PAGES; i += 1) {
    const q = new URLSearchParams({ limit: String(SEARCH_PAGE) });
    if (cursor) q.set('cursor', cursor);
    const page = await get(`${path}${path.includes('?') ? '&' : '?'}${q}`);
    for (const item of page.items) if (visit(item)) return false;
    if (!page.next_cursor) return false;
    cursor = page.next_cursor;
  }
  return true;
}

const norm = (s) => String(s || '').toUpperCase().replace(/\s+/g, '');

async function search(raw) {
  const q = norm(raw);
  const found = new Map();
  let truncated = false;
  if (UUID.test(raw.trim())) {
    try {
      const rc = await get(`/api/v1/residence-permits/${encodeURIComponent(raw.trim())}`);
      found.set(rc.case_id, rc);
    } catch (err) {
      if (err.status !== 404) throw err;
    }
  }
  if (!found.size && /^[0-9A-Z-]+$/.test(q)) {
    // A case, work permit, residence permit or receipt number: the service finds it.
    const page = await get(`/api/v1/residence-permits?number=${encodeURIComponent(q)}`);
    for (const rc of page.items) found.set(rc.case_id, rc);
  }
  if (!found.size && /^GS-?\d/.test(q)) {
    // A case opened before residence cases kept their number: the case list has it.
    const ids = [];
    truncated = await walk('/api/v1/cases?department=public-security', (c) => {
      st.caseNos.set(c.id, c.case_no);
      if (norm(c.case_no) === q) ids.push(c.id);
      return ids.length > 0;
    });
    for (const id of ids) {
      try {
        const rc = await get(`/api/v1/residence-permits/${encodeURIComponent(id)}`);
        found.set(rc.case_id, rc);
      } catch (err) {
        if (err.status !== 404) throw err;
      }
    }
    if (ids.length) truncated = false;
    if (ids.length && !found.size) return { list: [], truncated: false, noResidence: true };
  }
  if (!found.size) {
    // A passport number (inside the applicant record, not a column the service can search): walk the queue.
    truncated = await walk('/api/v1/residence-permits', (rc) => {
      if ([rc.work_permit.permit_number, rc.residence_permit?.number, rc.applicant?.passport_number].some((n) => n && norm(n) === q)) {
        found.set(rc.case_id, rc);
      }
      return false;
    });
  }
  const list = [...found.values()];
  await fillCaseNos(list);
  return { list, truncated };
}

async function onSearch(e) {
  e.preventDefault();
  const form = e.currentTarget;
  clearErrors(form);
  const raw = form.elements.q.value;
  if (!raw.trim()) {
    showLocalError(form, 'q', t('ui.counter_search_empty'));
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  announce(t('ui.counter_searching'), 'neutral');
  try {
    const { list, truncated, noResidence = false } = await search(raw);
    if (list.length === 1 && !truncated) {
      st.results = null;
      await showCase(list[0].case_id);
      return;
    }
    st.rc = null;
    setUrl((p) => p.delete('case'));
    st.query = raw.trim();
    st.results = list;
    st.truncated = truncated;
    st.noResidence = noResidence;
    draw();
    document.getElementById('results-h')?.focus();
    announce(t('ui.counter_results', { q: st.query, n: list.length }), list.length ? 'good' : 'warn');
  } catch (err) {
    showProblem(form, err);
  } finally {
    button.disabled = false;
  }
}

/** A check of the page itself, shown like a server's 422 beside the field. */
function showLocalError(form, field, message) {
  showProblem(form, { problem: { status: 422, errors: [{ field, code: 'required', message, message_zh: message }] } });
}

// ---- the commands --------------------------------------------------------------------

const facts = (pairs) => html`<dl class="facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;

/**
 * Confirms, posts `body` to the case's `step`, shows the answer; a problem lands beside its
 * fields and keeps everything typed.
 */
async function command(form, { step, body, title, summary, done, fieldFor }) {
  clearErrors(form);
  if (!(await confirmDialog(title, summary))) return;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const rc = await post(`/api/v1/residence-permits/${encodeURIComponent(st.rc.case_id)}/${step}`, body);
    st.rc = rc;
    draw();
    const next = nextStep(rc);
    document.getElementById(`step-h-${next || step}`)?.focus();
    announce(`${done(rc)} ${t('ui.counter_next_label')} ${nextText(rc)}`);
  } catch (err) {
    showProblem(form, err, fieldFor);
    if (!err.problem?.errors?.length) announce(problemText(err), 'error');
  } finally {
    button.disabled = false;
  }
}

function onEntry(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const entry = form.elements.entry_date.value;
  command(form, {
    step: 'entry',
    body: { entry_date: entry },
    title: t('ui.counter_confirm_entry'),
    summary: facts([[t('ui.counter_entry_date'), entry ? date(entry) : '—']]),
    done: (rc) => t('ui.counter_done_entry', { date: date(rc.apply_by) }),
  });
}

function onPassportLost(e) {
  const lost = e.currentTarget.checked;
  const form = e.currentTarget.form;
  form.querySelector('#lost-certificate').hidden = !lost;
  const box = form.querySelector(`#paper-${LOST}`);
  box.disabled = !lost;
  if (!lost) box.checked = false;
}

function onApplication(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const lost = form.elements.passport_lost.checked;
  const paper = [...PAPER, LOST].filter((k) => {
    const box = form.querySelector(`#paper-${k}`);
    return box && !box.disabled && box.checked;
  });
  command(form, {
    step: 'application',
    body: { paper_materials: paper, passport_lost: lost },
    title: t('ui.counter_confirm_application'),
    summary: facts([
      [t('ui.counter_paper_received'), paper.length ? html`<ul>${paper.map((k) => html`<li>${code('material', k)}</li>`)}</ul>` : t('ui.counter_none')],
      [t('ui.counter_passport_lost'), lost ? t('ui.counter_yes') : t('ui.counter_no')],
    ]),
    done: (rc) => t('ui.counter_done_application', { number: rc.application?.receipt.number || '' }),
  });
}

function printReceipt() {
  // The live region would print too: it is for the screen only.
  document.getElementById('live')?.classList.add('no-print');
  window.print();
}

function onVerification(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = readForm(form);
  // "Now": the applicant is at the counter and the interview is held there and then.
  const now = f.scheduled_time === 'now';
  const at = now ? new Date().toISOString() : f.scheduled_at ? `${f.scheduled_at}T${f.scheduled_time}:00+08:00` : '';
  command(form, {
    step: 'verification',
    body: { method: f.method, scheduled_at: at, place: f.place },
    title: t('ui.counter_confirm_verification'),
    summary: facts([
      [t('ui.counter_verification_method'), code('verification', f.method)],
      [t('ui.counter_verification_date'), now ? t('ui.counter_verification_now') : f.scheduled_at ? `${date(f.scheduled_at)} ${f.scheduled_time} ${t('ui.beijing_time')}` : '—'],
      [t('ui.counter_verification_place'), f.place || '—'],
    ]),
    done: (rc) => t('ui.counter_done_verification', { when: dateTime(rc.verification?.scheduled_at) }),
  });
}

function onOutcomeChange(e) {
  const form = e.currentTarget.form;
  const noShow = form.elements.outcome.value === 'no_show';
  form.querySelector('#outcome-justified').hidden = !noShow;
  if (!noShow) form.elements.justified.checked = false;
}

function onOutcome(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = readForm(form);
  const justified = f.outcome === 'no_show' && !!f.justified;
  command(form, {
    step: 'verification/outcome',
    body: { outcome: f.outcome || '', justified, note: f.note },
    title: t('ui.counter_confirm_outcome'),
    summary: facts([
      [t('ui.counter_outcome_q'), f.outcome ? outcomeWords(f.outcome, justified) : '—'],
      [t('ui.counter_outcome_note'), f.note || '—'],
    ]),
    done: () => t('ui.counter_done_outcome'),
  });
}

function onRevocationChange(e) {
  const form = e.currentTarget.form;
  const keep = form.elements.decision.value === 'keep';
  form.querySelector('#revocation-effective').hidden = keep;
  if (keep) form.elements.effective_on.value = '';
}

function onRevocation(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = readForm(form);
  const revoke = f.decision === 'revoke';
  command(form, {
    step: 'revocation',
    body: { decision: f.decision || '', reason: f.reason, effective_on: revoke ? f.effective_on : '' },
    title: t('ui.counter_confirm_revocation'),
    summary: facts([
      [t('ui.counter_revocation_q'), f.decision ? code('decision', f.decision) : '—'],
      ...(revoke ? [[t('ui.counter_revocation_effective'), f.effective_on ? date(f.effective_on) : t('ui.counter_revocation_today')]] : []),
      [t('ui.counter_revocation_reason'), f.reason || '—'],
    ]),
    done: (rc) => t(rc.status === 'revoked' ? 'ui.counter_done_revoked' : 'ui.counter_done_kept'),
  });
}

function onDecisionChange(e) {
  const form = e.currentTarget.form;
  form.querySelector('#refuse-reasons').hidden = form.elements.decision.value !== 'refuse';
}

function onDecision(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = readForm(form);
  const refuse = f.decision === 'refuse';
  const reasons = refuse ? [...(f.reason_codes || []), ...String(f.reasons || '').split(/\n+/).map((s) => s.trim()).filter(Boolean)] : [];
  const body = refuse ? { decision: 'refuse', reasons } : { decision: f.decision || '' };
  command(form, {
    step: 'decision',
    body,
    title: refuse ? t('ui.counter_confirm_refuse') : t('ui.counter_confirm_approve'),
    summary: refuse
      ? facts([[t('ui.counter_reasons'), reasons.length ? html`<ul>${reasons.map((r) => html`<li>${reasonText(r)}</li>`)}</ul>` : t('ui.counter_none')]])
      : html`<p>${t('ui.counter_confirm_approve_body', { date: date(st.rc.work_permit.valid_until) })}</p>`,
    done: (rc) => (rc.residence_permit
      ? t('ui.counter_done_approved', { number: rc.residence_permit.number })
      : t('ui.counter_done_refused')),
    // A reason code that does not apply (`reasons[0]`) lands on the reasons.
    fieldFor: (field) => (field.startsWith('reasons') ? 'reasons' : field),
  });
}

function onPickupChange(e) {
  const form = e.currentTarget.form;
  const m = form.elements.method.value;
  form.querySelector('#pickup-proxy-fields').hidden = m !== 'proxy';
  form.querySelector('#pickup-mail-fields').hidden = m !== 'mail';
}

function onPickup(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const f = readForm(form);
  const body = { method: f.method || '' };
  const shown = [[t('ui.counter_pickup_method'), f.method ? code('pickup', f.method) : '—']];
  if (f.method === 'proxy') {
    body.proxy = { name: f.proxy.name, id_number: f.proxy.id_number };
    shown.push([t('ui.counter_proxy_name'), f.proxy.name || '—'], [t('ui.counter_proxy_id'), f.proxy.id_number || '—']);
  }
  if (f.method === 'mail') {
    body.mail = { address: f.mail.address, tracking_number: f.mail.tracking_number };
    shown.push([t('ui.counter_mail_address'), f.mail.address || '—'], [t('ui.counter_mail_tracking'), f.mail.tracking_number || '—']);
  }
  command(form, {
    step: 'pickup',
    body,
    title: t('ui.counter_confirm_pickup'),
    summary: facts(shown),
    done: () => t('ui.counter_done_pickup'),
  });
}
