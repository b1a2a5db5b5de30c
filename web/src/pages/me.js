// `/me` (everyone; English first): the foreign worker's own page. Not signed in: activate
// the electronic social security card, or sign in with it (name, permit number or social
// security number, birth date, nationality); the answer's token becomes the browser session
// through `POST /session`. Signed in as a foreigner: `GET /api/v1/me`, the own work permit,
// card and residence permit with their dates.

import { html, render, nothing, setTitle, badge, announce } from '../ui.js';
import { t, code, date, dateTime } from '../i18n.js';
import { get, ApiError } from '../api.js';
import { showProblem, clearErrors, problemText } from '../forms.js';
import { session } from '../session.js';

const FORMS = [
  { kind: 'activate', prefix: 'act', path: '/api/v1/social-security-cards/activation' },
  { kind: 'sign_in', prefix: 'sin', path: '/api/v1/foreigners/sign-in' },
];
/** The paper materials the applicant brings to the exit-entry counter. */
const PAPER = ['visa_application_form', 'entry_exit_photo', 'employer_certification_letter'];

export default async function me(main) {
  setTitle(t('ui.me_title'));
  if (session?.role === 'foreigner') {
    let data;
    try {
      data = await get('/api/v1/me');
    } catch (err) {
      if (err.status !== 404) throw err;
      // Signed in with a work permit number no case of this system carries.
      render(html`<h1>${t('ui.me_title')}</h1><p class="notice warn" role="alert">${t('ui.me_unknown_permit')}</p>
        <p class="hint">${t('ui.me_help')}</p>`, main);
      return;
    }
    render(mine(data), main);
    announce(t('ui.me_loaded'));
    return;
  }
  render(forms(), main);
}

// ---- not signed in: the two card checks ----------------------------------------------

function forms() {
  return html`<h1>${t('ui.me_title')}</h1>
    <p class="lead">${t('ui.me_lead')}</p>
    ${session ? html`<p class="notice warn">${t('ui.me_other_session', { role: code('role', session.role) })}</p>` : nothing}
    <div class="grid two">${FORMS.map(cardForm)}</div>
    <p class="hint">${t('ui.me_help')}</p>`;
}

function cardForm({ kind, prefix, path }) {
  return html`<form class="card" novalidate aria-labelledby="${prefix}-h" @submit=${(e) => submitCheck(e, { kind, prefix, path })}>
    <h2 id="${prefix}-h">${t(`ui.me_${kind}_title`)}</h2>
    <p>${t(`ui.me_${kind}_intro`)}</p>
    <div class="form-errors" aria-live="assertive"></div>
    <div class="field">
      <label for="${prefix}-name">${t('ui.me_name')}</label>
      <input id="${prefix}-name" name="name" autocomplete="name" autocapitalize="characters" spellcheck="false"
        aria-describedby="${prefix}-name-hint">
      <span class="hint" id="${prefix}-name-hint">${t('ui.me_name_hint')}</span>
      <span class="field-error" data-for="name"></span>
    </div>
    <fieldset>
      <legend>${t('ui.me_identify_by')}</legend>
      <div class="checks">
        ${['permit_number', 'social_security_number'].map(
          (by) => html`<div class="check">
            <input type="radio" id="${prefix}-by-${by}" name="${prefix}-by" value=${by} ?checked=${by === 'permit_number'}
              @change=${(e) => byChanged(e.currentTarget.form, prefix)}>
            <label for="${prefix}-by-${by}">${t(`ui.me_by_${by}`)}</label>
          </div>`,
        )}
      </div>
      <div id="${prefix}-permit">
        <div class="field">
          <label for="${prefix}-permit-number">${t('ui.me_permit_number')}</label>
          <input id="${prefix}-permit-number" name="permit_number" autocomplete="off" autocapitalize="characters" spellcheck="false"
            aria-describedby="${prefix}-permit-hint">
          <span class="hint" id="${prefix}-permit-hint">${t('ui.me_permit_number_hint')}</span>
          <span class="field-error" data-for="permit_number"></span>
        </div>
      </div>
      <div id="${prefix}-ssn" hidden>
        <div class="field">
          <label for="${prefix}-ssn-number">${t('ui.me_ssn')}</label>
          <input id="${prefix}-ssn-number" name="social_security_number" autocomplete="off" spellcheck="false" disabled
            aria-describedby="${prefix}-ssn-hint">
          <span class="hint" id="${prefix}-ssn-hint">${t('ui.me_ssn_hint')}</span>
          <span class="field-error" data-for="social_security_number"></span>
        </div>
      </div>
    </fieldset>
    <div class="field">
      <label for="${prefix}-birth">${t('ui.me_birth_date')}</label>
      <input id="${prefix}-birth" name="identity.birth_date" type="date" autocomplete="bday">
      <span class="field-error" data-for="identity.birth_date"></span>
    </div>
    <div class="field">
      <label for="${prefix}-nationality">${t('ui.me_nationality')}</label>
      <input id="${prefix}-nationality" name="identity.nationality" maxlength="3" autocomplete="off" autocapitalize="characters"
        spellcheck="false" aria-describedby="${prefix}-nationality-hint">
      <span class="hint" id="${prefix}-nationality-hint">${t('ui.me_nationality_hint')}</span>
      <span class="field-error" data-for="identity.nationality"></span>
    </div>
    <div class="actions"><button type="submit" class="primary">${t(`ui.me_${kind}_submit`)}</button></div>
  </form>`;
}

/** Shows the input of the chosen number and takes the other out of the form. */
function byChanged(form, prefix) {
  const by = form.querySelector(`input[name="${prefix}-by"]:checked`).value;
  const permit = by === 'permit_number';
  form.querySelector(`#${prefix}-permit`).hidden = !permit;
  form.querySelector(`#${prefix}-ssn`).hidden = permit;
  form.elements.permit_number.disabled = !permit;
  form.elements.social_security_number.disabled = permit;
}

/** The refusal of a card check in words (403 mismatch, 423 locked, 404, 409). */
function refusalText(err, kind) {
  const p = err.problem || {};
  if (err.status === 403 && err.slug === 'identity-mismatch') {
    if (p.locked_until) return t('ui.me_mismatch_locked', { until: dateTime(p.locked_until) });
    return t('ui.me_mismatch', { n: p.attempts_left ?? 0 });
  }
  if (err.status === 423) return t('ui.me_locked', { until: dateTime(p.locked_until) });
  if (err.status === 404) return t('ui.me_not_found');
  if (err.status === 409 && kind === 'sign_in') return t('ui.me_not_active');
  return null;
}

function showRefusal(form, text) {
  clearErrors(form);
  const slot = form.querySelector('.form-errors');
  render(html`<div class="notice error" tabindex="-1"><p><strong>${text}</strong></p></div>`, slot);
  slot.querySelector('.notice').focus();
}

async function submitCheck(e, { kind, prefix, path }) {
  e.preventDefault();
  const form = e.currentTarget;
  clearErrors(form);
  const by = form.querySelector(`input[name="${prefix}-by"]:checked`).value;
  const el = form.elements;
  const body = {
    name: el.name.value.trim(),
    [by]: el[by].value.trim(),
    identity: { birth_date: el['identity.birth_date'].value, nationality: el['identity.nationality'].value.trim().toUpperCase() },
  };
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    // No session yet: the card check is the authentication (no CSRF token to send).
    const r = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    const answer = await r.json().catch(() => null);
    if (!r.ok) throw new ApiError(r.status, answer);
    const s = await fetch('/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token: answer.token, next: '/me' }),
      credentials: 'same-origin',
    });
    const started = await s.json().catch(() => null);
    if (!s.ok) throw new ApiError(s.status, started);
    announce(t(answer.outcome === 'activated' ? 'ui.me_activated' : 'ui.me_signed_in'));
    location.assign(started.next);
  } catch (err) {
    const text = err instanceof ApiError ? refusalText(err, kind) : null;
    if (text) {
      showRefusal(form, text);
    } else if (err instanceof ApiError) {
      // Either number the API names lands on the one the person typed.
      showProblem(form, err, (f) => (f === 'permit_number' || f === 'social_security_number' ? by : f));
    } else {
      showRefusal(form, t('ui.error_network'));
    }
    announce(text || (err.problem ? problemText(err) : t('ui.error_network')), 'error');
  } finally {
    button.disabled = false;
  }
}

// ---- signed in: the own permit, card and residence permit ----------------------------

const row = (label, value) => (value === undefined || value === null || value === ''
  ? nothing
  : html`<dt>${label}</dt><dd>${value}</dd>`);

function mine(d) {
  const p = d.permit || {};
  const c = d.card;
  const r = d.residence_permit;
  return html`<h1>${t('ui.me_mine_title')}</h1>
    <p class="lead">${t('ui.me_mine_lead', { number: p.permit_number })}</p>
    <div class="grid two">
      <section class="card" aria-labelledby="me-permit-h">
        <h2 id="me-permit-h">${t('ui.me_permit_title')}</h2>
        <dl class="facts">
          ${row(t('ui.me_permit_number'), p.permit_number)}
          ${row(t('ui.me_status'), p.status ? badge('status', p.status) : null)}
          ${row(t('ui.me_category'), p.category ? code('category', p.category) : null)}
          ${row(t('ui.me_issued_by'), p.department ? code('department', p.department) : null)}
          ${row(t('ui.me_valid_from'), p.valid_from ? date(p.valid_from) : null)}
          ${row(t('ui.me_valid_until'), p.valid_until ? date(p.valid_until) : null)}
          ${row(t('ui.me_issuer'), p.issuer)}
        </dl>
        ${p.status === 'approved' && p.case_id
          ? html`<p class="permit-document">
              <a href=${`/api/v1/work-permits/${encodeURIComponent(p.case_id)}/document`} download>${t('ui.permit_document_download')}</a>
              <span class="hint">${t('ui.permit_document_hint')}</span>
            </p>`
          : nothing}
      </section>
      <section class="card" aria-labelledby="me-card-h">
        <h2 id="me-card-h">${t('ui.me_card_title')}</h2>
        ${c
          ? html`<dl class="facts">
              ${row(t('ui.me_ssn'), c.social_security_number)}
              ${row(t('ui.me_status'), badge('card_status', c.status))}
              ${row(t('ui.me_card_issued_at'), c.issued_at ? dateTime(c.issued_at) : null)}
              ${row(t('ui.me_card_activated_at'), c.activated_at ? dateTime(c.activated_at) : null)}
              ${row(t('ui.me_card_permit'), c.permit_status ? badge('card_permit_status', c.permit_status) : null)}
              ${row(t('ui.me_card_permit_valid'), c.permit_valid_until
                ? t('ui.me_from_to', { from: date(c.permit_valid_from), to: date(c.permit_valid_until) })
                : null)}
            </dl>`
          : html`<p>${t('ui.me_no_card')}</p>`}
      </section>
    </div>
    <section class="card" aria-labelledby="me-rp-h">
      <h2 id="me-rp-h">${t('ui.me_rp_title')}</h2>
      ${r ? residence(r) : html`<p>${t('ui.me_no_rp')}</p>`}
    </section>
    ${d.cases?.length
      ? html`<section class="card" aria-labelledby="me-cases-h">
          <h2 id="me-cases-h">${t('ui.me_cases_title')}</h2>
          <ul>${d.cases.map((k) => html`<li>${t('ui.me_case', { no: k.case_no })} ${badge('status', k.status)}</li>`)}</ul>
        </section>`
      : nothing}
    <p class="hint">${t('ui.me_help')}</p>`;
}

function residence(r) {
  const x = r.result || {};
  return html`<p>${badge('status', r.status)}</p>
    <p class="notice ${r.status === 'refused' ? 'error' : r.status === 'completed' ? 'good' : ''}">${residenceNext(r)}</p>
    <dl class="facts">
      ${row(t('ui.me_rp_department'), r.department ? code('department', r.department) : null)}
      ${row(t('ui.me_rp_entry_date'), x.entry_date ? date(x.entry_date) : null)}
      ${row(t('ui.me_rp_apply_by'), x.apply_by ? date(x.apply_by) : null)}
      ${row(t('ui.me_rp_applied_on'), x.applied_on ? date(x.applied_on) : null)}
      ${row(t('ui.me_rp_receipt'), x.receipt_number)}
      ${row(t('ui.me_rp_receipt_valid'), x.receipt_valid_until ? date(x.receipt_valid_until) : null)}
      ${row(t('ui.me_rp_decision_due'), x.decision_due ? date(x.decision_due) : null)}
      ${row(t('ui.me_rp_verification'), x.verification_method
        ? `${code('verification', x.verification_method)}${x.verification_scheduled_at ? ` · ${dateTime(x.verification_scheduled_at)}` : ''}${x.verification_place ? ` · ${x.verification_place}` : ''}`
        : null)}
      ${row(t('ui.me_rp_number'), x.residence_permit_number)}
      ${row(t('ui.me_rp_valid'), x.valid_until ? t('ui.me_from_to', { from: date(x.valid_from), to: date(x.valid_until) }) : null)}
      ${row(t('ui.me_rp_pickup'), x.pickup_method ? code('pickup', x.pickup_method) : null)}
      ${row(t('ui.me_rp_tracking'), x.mail_tracking_number)}
    </dl>`;
}

/** What happens next with the residence permit, in words. */
function residenceNext(r) {
  const x = r.result || {};
  // Revoked after the work permit's cancellation (the item is then `cancelled`).
  if (x.revocation === 'revoke') return t('ui.me_rp_next_revoked', { date: date(x.valid_until), reason: x.revocation_reason });
  if (r.status === 'refused') return t('ui.me_rp_next_refused');
  if (r.status === 'cancelled' || r.status === 'not_applicable') return t('ui.me_rp_next_cancelled');
  // Issued, then the work permit cancelled: still to be decided, or kept.
  if (x.work_permit_cancelled === 'true' && !x.revocation) return t('ui.me_rp_next_under_review');
  if (x.revocation === 'keep' && r.status === 'completed') return t('ui.me_rp_next_kept', { reason: x.revocation_reason });
  if (r.status === 'completed') return t('ui.me_rp_next_done');
  switch (x.waiting_for) {
    case 'decision':
      return t('ui.me_rp_next_decision', { date: date(x.decision_due) });
    case 'verification':
      return x.verification_scheduled_at
        ? t('ui.me_rp_next_verification', { method: code('verification', x.verification_method), at: dateTime(x.verification_scheduled_at) })
        : t('ui.me_rp_next_decision', { date: date(x.decision_due) });
    case 'pickup':
      return t('ui.me_rp_next_pickup');
    default:
      return html`${x.apply_by ? t('ui.me_rp_next_apply_by', { date: date(x.apply_by) }) : t('ui.me_rp_next_apply')}
        ${t('ui.me_rp_bring')} ${PAPER.map((m, i) => html`${i ? t('ui.me_list_sep') : ''}${code('material', m)}`)}${t('ui.me_list_end')}`;
  }
}
