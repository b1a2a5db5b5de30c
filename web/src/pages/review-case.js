// `/review/cases/{id}`: one case at the reviewer's desk. What the reviewer's department
// may see of the case (GET /api/v1/cases/{id}: its own items and their history), the work
// permit (GET /api/v1/work-permits/{case_id}: employer, position, decision; the applicant's
// identity when the API gives it, every such read written to the access log), the
// materials previewed inline (GET /api/v1/materials/{id}, when the case lists them), and
// the reviewer's commands, each after a confirmation: approve, refuse with reasons, ask for
// a supplement; change, extend or cancel an issued permit; for hrss the title review
// (earlier Gansu service, the decision).

import { html, render, nothing, setTitle, badge, announce, confirmDialog, breakdownTable } from '../ui.js';
import { t, code, has, lang, date, dateTime, money, todayBeijing } from '../i18n.js';
import { get, post } from '../api.js';
import { showProblem, clearErrors, problemText } from '../forms.js';

/** Materials the employer uploads for the work permit (the ones a supplement may ask for). */
export const SUPPLEMENTABLE = [
  'passport', 'photo', 'work_experience_proof', 'highest_degree_or_qualification', 'criminal_record_certificate',
  'health_certificate', 'employment_contract',
];
const RESULT_FIELDS = ['permit_number', 'valid_from', 'valid_until', 'social_security_number', 'eligible_on', 'decision'];

let main;
let caseId = '';
const s = { kase: null, permit: null, permitError: null, title: null, titleError: null };

export default async function reviewCase(el) {
  main = el;
  caseId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  setTitle(t('ui.rc_title'));
  try {
    await load();
  } catch (err) {
    render(
      html`<h1>${t('ui.rc_title')}</h1>
        <div class="notice error" role="alert"><p>${err.status === 404 ? t('ui.rc_not_found') : problemText(err)}</p></div>
        <p><a href="/review">${t('ui.rc_back')}</a></p>`,
      main,
    );
    return;
  }
  draw();
}

// ---- data ------------------------------------------------------------------------------

async function load() {
  s.kase = await get(`/api/v1/cases/${encodeURIComponent(caseId)}`);
  setTitle(`${t('ui.rc_title')} ${s.kase.case_no}`);
  const mine = (item) => s.kase.items.some((i) => i.item === item);
  s.permit = null;
  s.permitError = null;
  s.title = null;
  s.titleError = null;
  await Promise.all([
    mine('work_permit')
      ? get(`/api/v1/work-permits/${encodeURIComponent(caseId)}`).then((p) => { s.permit = p; }, (e) => { s.permitError = e; })
      : null,
    mine('title_review') ? findTitleReview().then((r) => { s.title = r; }, (e) => { s.titleError = e; }) : null,
  ]);
}

/** The API has no GET /api/v1/title-reviews/{case_id}: the queue is searched for the case. */
async function findTitleReview() {
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const qs = new URLSearchParams({ limit: '200' });
    if (cursor) qs.set('cursor', cursor);
    const page = await get(`/api/v1/title-reviews?${qs}`);
    const found = page.items.find((r) => r.case_id === caseId);
    if (found || !page.next_cursor) return found || null;
    cursor = page.next_cursor;
  }
  return null;
}

/** The materials of the case, when the API lists them (`materials` on the case or the permit). */
function materials() {
  return s.kase?.materials || s.permit?.materials || null;
}

// ---- commands ----------------------------------------------------------------------------

/** Confirms, sends, then reloads and announces; a problem stays beside the fields. */
async function act(form, { title, body = nothing, path, payload, done, focus = 'status-h' }) {
  clearErrors(form);
  if (!(await confirmDialog(title, body))) return;
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  let answer;
  try {
    answer = await post(path, payload);
  } catch (err) {
    buttons.forEach((b) => { b.disabled = false; });
    showProblem(form, err);
    return;
  }
  buttons.forEach((b) => { b.disabled = false; });
  form.reset();
  try {
    await load();
  } catch { /* the command went through; the old view stays until the next reload */ }
  draw();
  announce(done(answer));
  document.getElementById(focus)?.focus();
}

const lines = (text) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const permitPath = (step) => `/api/v1/work-permits/${encodeURIComponent(caseId)}/${step}`;
const titlePath = (step) => `/api/v1/title-reviews/${encodeURIComponent(caseId)}/${step}`;

function approve(e) {
  e.preventDefault();
  act(e.currentTarget, {
    title: t('ui.rc_confirm_approve'),
    body: html`<p>${t('ui.rc_confirm_approve_body', { case_no: s.kase.case_no, employer: s.permit.employer.name })}</p>`,
    path: permitPath('decision'),
    payload: { decision: 'approve' },
    done: (p) => t('ui.rc_done_approved', { number: p.permit_number }),
  });
}

function refuse(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const reasons = lines(form.elements.reasons.value);
  act(form, {
    title: t('ui.rc_confirm_refuse'),
    body: reasons.length
      ? html`<p>${t('ui.rc_confirm_reasons')}</p><ol>${reasons.map((r) => html`<li>${r}</li>`)}</ol>`
      : html`<p>${t('ui.rc_confirm_no_reasons')}</p>`,
    path: permitPath('decision'),
    payload: { decision: 'refuse', reasons },
    done: () => t('ui.rc_done_refused'),
  });
}

function supplement(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const kinds = [...form.querySelectorAll('input[name=materials]:checked')].map((i) => i.value);
  const note = form.elements.note.value.trim();
  act(form, {
    title: t('ui.rc_confirm_supplement'),
    body: html`${kinds.length
      ? html`<p>${t('ui.rc_confirm_materials')}</p><ul>${kinds.map((k) => html`<li>${code('material', k)}</li>`)}</ul>`
      : html`<p>${t('ui.rc_confirm_no_materials')}</p>`}
      ${note ? html`<p>${t('ui.rc_note')}: ${note}</p>` : nothing}`,
    path: permitPath('decision'),
    payload: { decision: 'supplement', materials: kinds, note },
    done: () => t('ui.rc_done_supplement'),
  });
}

function change(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const p = s.permit;
  const body = {};
  const put = (section, key, value, was) => {
    if (value !== '' && String(value) !== String(was)) (body[section] ??= {})[key] = value;
  };
  const f = form.elements;
  put('employer', 'name', f['employer.name'].value.trim(), p.employer.name);
  put('employer', 'region_code', f['employer.region_code'].value.trim(), p.employer.region_code);
  put('position', 'title', f['position.title'].value.trim(), p.position.title);
  const salary = f['position.annual_salary_cny'].value.trim();
  put('position', 'annual_salary_cny', salary === '' ? '' : Number(salary), p.position.annual_salary_cny);
  if (!Object.keys(body).length) {
    clearErrors(form);
    render(html`<div class="notice warn" tabindex="-1"><p>${t('ui.rc_change_nothing')}</p></div>`, form.querySelector('.form-errors'));
    form.querySelector('.form-errors .notice').focus();
    return;
  }
  const changed = [
    ...Object.entries(body.employer || {}).map(([k, v]) => [t(`ui.rc_change_employer_${k}`), v]),
    ...Object.entries(body.position || {}).map(([k, v]) => [t(`ui.rc_change_position_${k}`), k === 'annual_salary_cny' ? money(v) : v]),
  ];
  act(form, {
    title: t('ui.rc_confirm_change'),
    body: html`<ul>${changed.map(([k, v]) => html`<li>${k}: ${v}</li>`)}</ul>`,
    path: permitPath('change'),
    payload: body,
    done: (r) => t('ui.rc_done_changed', { n: (r.changed_fields || []).length }),
  });
}

function extend(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const raw = form.elements.contract_months.value.trim();
  const months = raw === '' ? null : Number(raw);
  act(form, {
    title: t('ui.rc_confirm_extend'),
    body: html`<p>${t('ui.rc_confirm_extend_body', { n: raw || '—' })}</p>`,
    path: permitPath('extension'),
    payload: { contract_months: months },
    done: (p) => t('ui.rc_done_extended', { date: date(p.valid_until) }),
  });
}

function cancel(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const reason = form.elements.reason.value.trim();
  act(form, {
    title: t('ui.rc_confirm_cancel'),
    body: html`<p>${t('ui.rc_confirm_cancel_body', { number: s.permit.permit_number })}</p>${reason ? html`<p>${reason}</p>` : nothing}`,
    path: permitPath('cancellation'),
    payload: { reason },
    done: () => t('ui.rc_done_cancelled'),
  });
}

function serviceRecord(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const since = form.elements.gansu_service_since.value;
  act(form, {
    title: t('ui.rc_confirm_service'),
    body: html`<p>${t('ui.rc_confirm_service_body', { date: since ? date(since) : '—' })}</p>`,
    path: titlePath('service-record'),
    payload: { gansu_service_since: since },
    focus: 'title-h',
    done: (r) => t('ui.rc_done_service', { date: date(r.eligible_on) }),
  });
}

function titleDecision(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const decision = form.querySelector('input[name=decision]:checked')?.value || '';
  const reasons = lines(form.elements.reasons.value);
  const report = form.elements.recommendation_report.value.trim();
  const payload = { decision, reasons };
  if (report) payload.recommendation_report = report;
  act(form, {
    title: t('ui.rc_confirm_title'),
    body: html`<p>${decision ? code('title_status', decision) : t('ui.rc_confirm_no_decision')}</p>
      ${reasons.length ? html`<ol>${reasons.map((r) => html`<li>${r}</li>`)}</ol>` : nothing}`,
    path: titlePath('decision'),
    payload,
    focus: 'title-h',
    done: (r) => t('ui.rc_done_title', { status: code('title_status', r.status) }),
  });
}

// ---- drawing -----------------------------------------------------------------------------

function draw() {
  const k = s.kase;
  const p = s.permit;
  render(
    html`<p><a href="/review">${t('ui.rc_back')}</a></p>
      <h1>${t('ui.rc_title')} ${k.case_no}</h1>
      <section class="card" aria-labelledby="status-h">
        <h2 id="status-h" tabindex="-1">${t('ui.rc_status')}</h2>
        <dl class="facts">
          ${p ? html`<dt>${t('ui.rc_permit_status')}</dt><dd id="permit-status">${badge('permit_status', p.status)}</dd>` : nothing}
          ${p?.permit_number ? html`<dt>${t('ui.rc_permit_number')}</dt><dd id="permit-number">${p.permit_number}</dd>` : nothing}
          ${p?.valid_from ? html`<dt>${t('ui.rc_valid')}</dt><dd>${t('ui.rc_valid_range', { from: date(p.valid_from), until: date(p.valid_until) })}</dd>` : nothing}
          ${p?.decided_at ? html`<dt>${t('ui.rc_decided_at')}</dt><dd>${dateTime(p.decided_at)}</dd>` : nothing}
          <dt>${t('ui.rc_case_status')}</dt><dd>${badge('status', k.status)}</dd>
          <dt>${t('ui.rc_category')}</dt><dd>${code('category', k.category)}</dd>
          <dt>${t('ui.rc_accepted_on')}</dt><dd>${date(k.accepted_on)}</dd>
          <dt>${t('ui.rc_due')}</dt><dd>${dueText(k)}</dd>
          ${p ? html`<dt>${t('ui.rc_waited')}</dt>
            <dd>${t(p.waiting_estimated ? 'ui.review_waited_estimated' : 'ui.review_waited', { n: p.waiting_working_days })}</dd>` : nothing}
        </dl>
        ${s.permitError ? html`<div class="notice warn"><p>${s.permitError.status === 404 || s.permitError.status === 409
          ? t('ui.rc_permit_not_yet') : problemText(s.permitError)}</p></div>` : nothing}
        ${!p && !s.permitError ? html`<p class="hint">${t('ui.rc_permit_elsewhere')}</p>` : nothing}
      </section>
      ${p ? decisionSection(p) : nothing}
      ${titleSection()}
      ${p ? applicantSection(p) : nothing}
      <div class="grid two">
        ${p ? employerSection(p) : html`<section class="card" aria-labelledby="emp-h"><h2 id="emp-h">${t('ui.rc_employer')}</h2>
          <dl class="facts"><dt>${t('ui.rc_employer_name')}</dt><dd>${k.employer?.name || '—'}</dd>
          <dt>${t('ui.rc_credit_code')}</dt><dd>${k.employer?.credit_code || '—'}</dd></dl></section>`}
        ${p ? positionSection(p) : nothing}
        ${classificationSection(k)}
        ${itemsSection(k)}
      </div>
      ${materialsSection()}
      ${actionsSection(p)}
      ${timelineSection(k)}`,
    main,
  );
}

function dueText(k) {
  const d = k.due || {};
  if (!d.committed) return '—';
  const parts = [t('ui.rc_due_committed', { date: date(d.committed) })];
  if (d.statutory) parts.push(t('ui.rc_due_statutory', { date: date(d.statutory) }));
  const open = s.permit && ['in_review', 'supplement_requested'].includes(s.permit.status);
  return html`${parts.join(t('ui.rc_sep'))}
    ${d.estimated ? html`<br><span class="hint">${t('ui.rc_due_estimated')}</span>` : nothing}
    ${d.paused_since ? html`<br><span class="hint">${t('ui.review_paused', { date: date(d.paused_since) })}</span>` : nothing}
    ${open && !d.paused_since && d.working_days_left < 0
      ? html`<br><span class="badge warn">${t('ui.overdue_by', { n: -d.working_days_left })}</span>`
      : nothing}`;
}

function decisionSection(p) {
  const notice = p.supplement_notice || [];
  if (!(p.reasons?.length || p.requested_materials?.length || p.cancellation_reason || notice.length)) return nothing;
  return html`<section class="card" aria-labelledby="notices-h">
    <h2 id="notices-h">${t('ui.rc_notices')}</h2>
    ${p.reasons?.length ? html`<h3>${t('ui.rc_reasons')}</h3><ol id="refusal-reasons">${p.reasons.map((r) => html`<li>${r}</li>`)}</ol>` : nothing}
    ${p.requested_materials?.length
      ? html`<h3>${t('ui.rc_requested')}</h3>
        <ul id="requested-materials">${p.requested_materials.map((m) => html`<li>${code('material', m)}</li>`)}</ul>
        ${p.supplement_note ? html`<p><strong>${t('ui.rc_note')}</strong>: ${p.supplement_note}</p>` : nothing}`
      : nothing}
    ${notice.length
      ? html`<h3>${t('ui.rc_notice_sent')}</h3><ul>${notice.map((n) => html`<li>${lang === 'zh' ? n.message_zh : n.message_en}</li>`)}</ul>`
      : nothing}
    ${p.cancellation_reason
      ? html`<h3>${t('ui.rc_cancellation')}</h3><p>${p.cancellation_reason}${p.cancelled_at ? html` <span class="muted">(${dateTime(p.cancelled_at)})</span>` : nothing}</p>`
      : nothing}
  </section>`;
}

function applicantSection(p) {
  const a = p.applicant;
  return html`<section class="card" aria-labelledby="applicant-h">
    <h2 id="applicant-h">${t('ui.rc_applicant')}</h2>
    ${a
      ? html`<p class="notice warn" id="audit-note">${t('ui.rc_applicant_audited')}</p>
        <dl class="facts">
          <dt>${t('ui.rc_surname')}</dt><dd>${a.surname}</dd>
          <dt>${t('ui.rc_given_names')}</dt><dd>${a.given_names}</dd>
          <dt>${t('ui.rc_sex')}</dt><dd>${code('sex', a.sex)}</dd>
          <dt>${t('ui.rc_nationality')}</dt><dd>${has(`nationality.${a.nationality}`) ? code('nationality', a.nationality) : a.nationality}</dd>
          <dt>${t('ui.rc_birth_date')}</dt><dd>${date(a.birth_date)}</dd>
          <dt>${t('ui.rc_passport_number')}</dt><dd>${a.passport_number}</dd>
          <dt>${t('ui.rc_passport_expiry')}</dt><dd>${date(a.passport_expiry)}</dd>
        </dl>`
      : html`<p class="hint">${t('ui.rc_applicant_absent')}</p>`}
  </section>`;
}

function region(c) {
  if (!c) return '—';
  return has(`region.${c}`) ? `${code('region', c)}（${c}）` : t('ui.rc_region_code', { code: c });
}

function employerSection(p) {
  return html`<section class="card" aria-labelledby="emp-h">
    <h2 id="emp-h">${t('ui.rc_employer')}</h2>
    <dl class="facts">
      <dt>${t('ui.rc_employer_name')}</dt><dd>${p.employer.name || '—'}</dd>
      <dt>${t('ui.rc_credit_code')}</dt><dd>${p.employer.credit_code || '—'}</dd>
      <dt>${t('ui.rc_region')}</dt><dd>${region(p.employer.region_code)}</dd>
    </dl>
  </section>`;
}

function positionSection(p) {
  const pos = p.position;
  return html`<section class="card" aria-labelledby="pos-h">
    <h2 id="pos-h">${t('ui.rc_position')}</h2>
    <dl class="facts">
      <dt>${t('ui.rc_position_title')}</dt><dd>${pos.title || '—'}</dd>
      <dt>${t('ui.rc_salary')}</dt><dd>${money(pos.annual_salary_cny)}</dd>
      <dt>${t('ui.rc_start_date')}</dt><dd>${date(pos.start_date)}</dd>
      <dt>${t('ui.rc_contract')}</dt><dd>${t('ui.rc_months', { n: pos.contract_months })}</dd>
    </dl>
  </section>`;
}

function classificationSection(k) {
  const c = k.classification;
  return html`<section class="card" aria-labelledby="class-h">
    <h2 id="class-h">${t('ui.rc_classification')}</h2>
    <dl class="facts">
      <dt>${t('ui.rc_category')}</dt><dd>${code('category', k.category)}</dd>
      ${c ? html`<dt>${t('ui.rc_points')}</dt><dd>${t('ui.rc_points_n', { n: c.points })}</dd>
        <dt>${t('ui.rc_route')}</dt><dd>${code('route', c.route)}</dd>` : nothing}
    </dl>
    ${c ? breakdownTable(c.breakdown) : html`<p class="hint">${t('ui.rc_breakdown_absent')}</p>`}
  </section>`;
}

function itemsSection(k) {
  return html`<section class="card" aria-labelledby="items-h">
    <h2 id="items-h">${t('ui.rc_items')}</h2>
    <p class="hint">${t('ui.rc_items_hint')}</p>
    <ul class="plain">
      ${k.items.map((i) => html`<li>
        <strong>${code('item', i.item)}</strong> · ${code('department', i.department)} · ${badge('status', i.status)}
        ${RESULT_FIELDS.some((f) => i.result?.[f]) || i.due_on
          ? html`<dl class="facts">
            ${i.due_on ? html`<dt>${t('ui.rc_item_due')}</dt><dd>${date(i.due_on)}</dd>` : nothing}
            ${RESULT_FIELDS.filter((f) => i.result?.[f]).map((f) => html`<dt>${t(`ui.rc_result_${f}`)}</dt>
              <dd>${f === 'decision' ? code('title_status', i.result[f]) : /^\d{4}-\d\d-\d\d$/.test(i.result[f]) ? date(i.result[f]) : i.result[f]}</dd>`)}
          </dl>`
          : nothing}
      </li>`)}
    </ul>
  </section>`;
}

function materialsSection() {
  const list = materials();
  return html`<section class="card" aria-labelledby="mat-h">
    <h2 id="mat-h">${t('ui.rc_materials')}</h2>
    ${list === null
      ? html`<p class="hint" id="materials-absent">${t('ui.rc_materials_absent')}</p>`
      : list.length
        ? html`<p class="notice">${t('ui.rc_materials_audited')}</p>
          ${list.map((m) => {
            const src = `/api/v1/materials/${encodeURIComponent(m.id)}`;
            const name = code('material', m.kind);
            const type = m.content_type || '';
            return html`<figure class="material">
              <figcaption><strong>${name}</strong> · <a href=${src} target="_blank" rel="noopener">${t('ui.rc_material_open')}</a>
                ${m.uploaded_at ? html`<span class="muted"> · ${dateTime(m.uploaded_at)}</span>` : nothing}</figcaption>
              ${type.startsWith('image/')
                ? html`<img class="preview" src=${src} alt=${name} loading="lazy">`
                : html`<iframe class="preview" src=${src} title=${name} loading="lazy"></iframe>`}
            </figure>`;
          })}`
        : html`<p>${t('ui.rc_materials_none')}</p>`}
  </section>`;
}

function errors() {
  return html`<div class="form-errors" aria-live="assertive"></div>`;
}

function actionsSection(p) {
  if (!p) return nothing;
  if (p.status === 'in_review') {
    return html`<section aria-labelledby="act-h">
      <h2 id="act-h">${t('ui.rc_decide')}</h2>
      <form class="card" id="approve-form" novalidate @submit=${approve}>
        <h3>${t('ui.rc_approve')}</h3>
        ${errors()}
        <p class="hint">${t('ui.rc_approve_hint')}</p>
        <div class="actions"><button type="submit" class="primary">${t('ui.rc_approve_button')}</button></div>
      </form>
      <form class="card" id="refuse-form" novalidate @submit=${refuse}>
        <h3>${t('ui.rc_refuse')}</h3>
        ${errors()}
        <div class="field">
          <label for="refuse-reasons">${t('ui.rc_reasons_label')}</label>
          <textarea id="refuse-reasons" name="reasons" rows="4" aria-required="true" aria-describedby="refuse-reasons-hint"></textarea>
          <span class="hint" id="refuse-reasons-hint">${t('ui.rc_reasons_hint')}</span>
          <span class="field-error" data-for="reasons"></span>
        </div>
        <div class="actions"><button type="submit" class="danger">${t('ui.rc_refuse_button')}</button></div>
      </form>
      <form class="card" id="supplement-form" novalidate @submit=${supplement}>
        <h3>${t('ui.rc_supplement')}</h3>
        ${errors()}
        <fieldset>
          <legend>${t('ui.rc_supplement_materials')}</legend>
          <div class="checks">
            ${SUPPLEMENTABLE.map((m) => html`<div class="check">
              <input type="checkbox" id=${`sup-${m}`} name="materials" value=${m} data-type="set">
              <label for=${`sup-${m}`}>${code('material', m)}</label>
            </div>`)}
          </div>
          <span class="field-error" data-for="materials"></span>
        </fieldset>
        <div class="field">
          <label for="supplement-note">${t('ui.rc_note')}</label>
          <textarea id="supplement-note" name="note" rows="3" maxlength="1000" aria-describedby="supplement-note-hint"></textarea>
          <span class="hint" id="supplement-note-hint">${t('ui.rc_note_hint')}</span>
          <span class="field-error" data-for="note"></span>
        </div>
        <div class="actions"><button type="submit">${t('ui.rc_supplement_button')}</button></div>
      </form>
    </section>`;
  }
  if (p.status === 'supplement_requested') {
    return html`<section aria-labelledby="act-h"><h2 id="act-h">${t('ui.rc_decide')}</h2>
      <p class="notice warn">${t('ui.rc_waiting_supplement')}</p></section>`;
  }
  if (p.status !== 'approved') return nothing;
  return html`<section aria-labelledby="act-h">
    <h2 id="act-h">${t('ui.rc_lifecycle')}</h2>
    <form class="card" id="change-form" novalidate @submit=${change}>
      <h3>${t('ui.rc_change')}</h3>
      <p class="hint">${t('ui.rc_change_hint')}</p>
      ${errors()}
      <div class="grid two">
        ${field('chg-emp-name', 'employer.name', t('ui.rc_change_employer_name'), p.employer.name)}
        ${field('chg-emp-region', 'employer.region_code', t('ui.rc_change_employer_region_code'), p.employer.region_code, { inputmode: 'numeric' })}
        ${field('chg-pos-title', 'position.title', t('ui.rc_change_position_title'), p.position.title)}
        ${field('chg-pos-salary', 'position.annual_salary_cny', t('ui.rc_change_position_annual_salary_cny'), p.position.annual_salary_cny, { type: 'number' })}
      </div>
      <div class="actions"><button type="submit">${t('ui.rc_change_button')}</button></div>
    </form>
    <form class="card" id="extend-form" novalidate @submit=${extend}>
      <h3>${t('ui.rc_extend')}</h3>
      ${errors()}
      ${field('ext-months', 'contract_months', t('ui.rc_extend_months'), '', { type: 'number', hint: t('ui.rc_extend_hint', { date: date(p.valid_until) }) })}
      <div class="actions"><button type="submit">${t('ui.rc_extend_button')}</button></div>
    </form>
    <form class="card" id="cancel-form" novalidate @submit=${cancel}>
      <h3>${t('ui.rc_cancel')}</h3>
      ${errors()}
      <div class="field">
        <label for="cancel-reason">${t('ui.rc_cancel_reason')}</label>
        <textarea id="cancel-reason" name="reason" rows="3" aria-required="true"></textarea>
        <span class="field-error" data-for="reason"></span>
      </div>
      <div class="actions"><button type="submit" class="danger">${t('ui.rc_cancel_button')}</button></div>
    </form>
  </section>`;
}

function field(id, name, label, value, { type = 'text', inputmode, hint } = {}) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} name=${name} type=${type} inputmode=${inputmode || (type === 'number' ? 'numeric' : 'text')}
      value=${value === undefined || value === null ? '' : String(value)} aria-describedby=${hint ? `${id}-hint` : nothing}>
    ${hint ? html`<span class="hint" id=${`${id}-hint`}>${hint}</span>` : nothing}
    <span class="field-error" data-for=${name}></span>
  </div>`;
}

function titleSection() {
  const item = s.kase.items.find((i) => i.item === 'title_review');
  if (!item) return nothing;
  const r = s.title;
  const open = r && ['waiting', 'ready'].includes(r.status);
  const reports = (materials() || []).filter((m) => m.kind === 'employer_recommendation_report');
  return html`<section class="card" aria-labelledby="title-h">
    <h2 id="title-h" tabindex="-1">${t('ui.rc_title_review')}</h2>
    ${s.titleError ? html`<div class="notice error"><p>${problemText(s.titleError)}</p></div>` : nothing}
    ${r
      ? html`<dl class="facts">
          <dt>${t('ui.rc_title_status')}</dt><dd id="title-status">${badge('title_status', r.status)}</dd>
          <dt>${t('ui.rc_eligible_on')}</dt><dd id="eligible-on">${date(r.eligible_on)}</dd>
          <dt>${t('ui.rc_work_start')}</dt><dd>${date(r.work_start)}</dd>
          <dt>${t('ui.rc_gansu_since')}</dt><dd>${r.gansu_service_since ? date(r.gansu_service_since) : t('ui.rc_gansu_none')}</dd>
          ${r.reasons?.length ? html`<dt>${t('ui.rc_reasons')}</dt><dd><ol>${r.reasons.map((x) => html`<li>${x}</li>`)}</ol></dd>` : nothing}
          ${r.decided_at ? html`<dt>${t('ui.rc_decided_at')}</dt><dd>${dateTime(r.decided_at)}${r.decided_by ? ` · ${r.decided_by}` : ''}</dd>` : nothing}
          ${r.recommendation_report ? html`<dt>${t('ui.rc_report')}</dt><dd><a href=${`/api/v1/materials/${encodeURIComponent(r.recommendation_report)}`}
            target="_blank" rel="noopener">${code('material', 'employer_recommendation_report')}</a></dd>` : nothing}
        </dl>
        <p class="hint">${t('ui.rc_title_rule')}</p>`
      : s.titleError ? nothing : html`<p class="notice">${t('ui.rc_title_not_queued')}</p>`}
    ${open
      ? html`<form class="card" id="service-form" novalidate @submit=${serviceRecord}>
          <h3>${t('ui.rc_service_record')}</h3>
          ${errors()}
          <div class="field">
            <label for="gansu-since">${t('ui.rc_gansu_since_label')}</label>
            <input id="gansu-since" name="gansu_service_since" type="date" max=${todayBeijing()} aria-describedby="gansu-since-hint">
            <span class="hint" id="gansu-since-hint">${t('ui.rc_gansu_since_hint', { date: date(r.work_start) })}</span>
            <span class="field-error" data-for="gansu_service_since"></span>
          </div>
          <div class="actions"><button type="submit">${t('ui.rc_service_button')}</button></div>
        </form>`
      : nothing}
    ${open && r.status === 'waiting'
      ? html`<p class="notice warn" id="title-waiting">${t('ui.rc_title_waiting', { date: date(r.eligible_on) })}</p>`
      : nothing}
    ${open && r.status === 'ready'
      ? html`<form class="card" id="title-form" novalidate @submit=${titleDecision}>
          <h3>${t('ui.rc_title_decide')}</h3>
          ${errors()}
          <fieldset>
            <legend>${t('ui.rc_title_decision')}</legend>
            <div class="checks">
              ${['eligible', 'not_eligible'].map((d) => html`<div class="check">
                <input type="radio" id=${`td-${d}`} name="decision" value=${d}>
                <label for=${`td-${d}`}>${code('title_status', d)}</label>
              </div>`)}
            </div>
            <span class="field-error" data-for="decision"></span>
          </fieldset>
          <div class="field">
            <label for="title-report">${t('ui.rc_report')}</label>
            ${reports.length
              ? html`<select id="title-report" name="recommendation_report" aria-describedby="title-report-hint">
                  <option value="">${t('ui.choose')}</option>
                  ${reports.map((m) => html`<option value=${m.id}>${code('material', m.kind)}${m.uploaded_at ? ` · ${dateTime(m.uploaded_at)}` : ''}</option>`)}
                </select>`
              : html`<input id="title-report" name="recommendation_report" type="text" autocomplete="off" spellcheck="false"
                  aria-describedby="title-report-hint">`}
            <span class="hint" id="title-report-hint">${reports.length ? t('ui.rc_report_hint') : t('ui.rc_report_id_hint')}</span>
            <span class="field-error" data-for="recommendation_report"></span>
          </div>
          <div class="field">
            <label for="title-reasons">${t('ui.rc_title_reasons')}</label>
            <textarea id="title-reasons" name="reasons" rows="3" aria-describedby="title-reasons-hint"></textarea>
            <span class="hint" id="title-reasons-hint">${t('ui.rc_title_reasons_hint')}</span>
            <span class="field-error" data-for="reasons"></span>
          </div>
          <div class="actions"><button type="submit" class="primary">${t('ui.rc_title_button')}</button></div>
        </form>`
      : nothing}
  </section>`;
}

function timelineSection(k) {
  const entries = [...k.timeline].reverse();
  return html`<section class="card" aria-labelledby="tl-h">
    <h2 id="tl-h">${t('ui.rc_timeline')}</h2>
    ${entries.length
      ? html`<ol class="timeline" id="timeline">${entries.map((e) => html`<li>
          <time datetime=${e.at}>${dateTime(e.at)}</time>
          ${code('event', e.event)}${e.item ? html` <span class="muted">· ${code('item', e.item)}</span>` : nothing}
        </li>`)}</ol>`
      : html`<p>${t('ui.rc_timeline_empty')}</p>`}
  </section>`;
}
