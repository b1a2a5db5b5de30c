// `/employer/cases/{id}`: one case as its employer follows it. Every item with its
// department, status, result and due date; the timeline in words and Beijing time; the
// notices; a supplement request answered by uploading here; the consultation/complaint
// thread; a rating (好差评) once an item is finished.

import { html, render, nothing, setTitle, badge, announce, confirmDialog, dueLabel } from '../ui.js';
import { t, code, lang, date, dateTime } from '../i18n.js';
import { get, post, upload, newKey } from '../api.js';
import { readForm, showProblem, clearErrors, problemText, violationText } from '../forms.js';

const FINISHED = ['approved', 'completed', 'refused', 'cancelled'];
// Result fields shown to the employer, in this order, with the catalog namespace of coded
// values (a list when comma-separated); the rest are bookkeeping of the departments.
const RESULT_FIELDS = [
  ['permit_number'], ['valid_from'], ['valid_until'], ['issuer'], ['employer_name'], ['position_title'], ['changed_at'],
  ['social_security_number'], ['insurances', 'insurance'], ['registered_at'], ['card_status', 'card_status'],
  ['apply_by'], ['entry_date'], ['applied_on'], ['receipt_number'], ['receipt_valid_until'], ['paper_materials', 'material'],
  ['decision_due'], ['verification_method', 'verification'], ['verification_scheduled_at'], ['verification_place'],
  ['verification_outcome', 'outcome'], ['residence_permit_number'], ['pickup_method', 'pickup'], ['picked_up_on'],
  ['mail_tracking_number'], ['decision', 'decision'], ['eligible_on'], ['gansu_service_since'],
  ['requested_materials', 'material'], ['supplement_note'], ['reasons'], ['cancellation_reason'], ['cancelled_at'],
  ['revocation', 'decision'], ['revocation_reason'], ['reason', 'reason'],
];
const ACCEPT = 'application/pdf,image/jpeg,image/png';

let main;
let id;
let c;
const uploads = {};
/** Items whose supplement was sent: the department takes it back into review shortly. */
const sent = new Set();

export default async function employerCase(el) {
  main = el;
  id = decodeURIComponent(location.pathname.split('/').pop());
  await load();
  if (new URLSearchParams(location.search).has('submitted')) announce(t('ui.case_submitted', { no: c.case_no }));
}

async function load() {
  c = await get(`/api/v1/cases/${encodeURIComponent(id)}`);
  setTitle(`${t('ui.case_title')} ${c.case_no}`);
  draw();
}

const isDate = (v) => /^\d{4}-\d{2}-\d{2}$/.test(v);
const isInstant = (v) => /^\d{4}-\d{2}-\d{2}T/.test(v);
function resultValue(ns, v) {
  if (ns) return v.split(',').filter(Boolean).map((x) => code(ns, x.trim())).join(lang === 'zh' ? '、' : ', ');
  if (isDate(v)) return date(v);
  if (isInstant(v)) return dateTime(v);
  return v;
}

function itemCard(item) {
  const result = item.result || {};
  const shown = RESULT_FIELDS.filter(([k]) => result[k]);
  return html`<li class="card">
    <h3>${code('item', item.item)}</h3>
    <dl class="facts">
      <dt>${t('ui.col_department')}</dt><dd>${code('department', item.department)}</dd>
      <dt>${t('ui.col_status')}</dt><dd>${badge('status', item.status)}</dd>
      ${item.due_on && !FINISHED.includes(item.status) ? html`<dt>${t('ui.col_due')}</dt><dd>${dueLabel(item.due_on, item.working_days_left)}</dd>` : nothing}
      ${item.decided_on ? html`<dt>${t('ui.case_decided_on')}</dt><dd>${date(item.decided_on)}</dd>` : nothing}
      ${shown.map(([k, ns]) => html`<dt>${t(`result.${k}`)}</dt><dd>${resultValue(ns, result[k])}</dd>`)}
    </dl>
    ${item.item === 'work_permit' && item.status === 'approved' ? permitDocument() : nothing}
    ${item.status === 'supplement_requested' && !sent.has(item.item) ? supplementForm(item) : nothing}
    ${item.status === 'supplement_requested' && sent.has(item.item) ? html`<p class="notice good">${t('ui.case_supplement_sent')}</p>` : nothing}
    ${FINISHED.includes(item.status) && !(c.evaluations || []).some((e) => e.item === item.item) ? ratingForm(item) : nothing}
  </li>`;
}

/** The electronic work permit of an approved permit (the gateway sends it as an attachment). */
function permitDocument() {
  return html`<p class="permit-document">
    <a href=${`/api/v1/work-permits/${encodeURIComponent(id)}/document`} download>${t('ui.permit_document_download')}</a>
    <span class="hint">${t('ui.permit_document_hint')}</span>
  </p>`;
}

function supplementForm(item) {
  const kinds = (item.result?.requested_materials || '').split(',').filter(Boolean);
  return html`<form class="supplement" novalidate @submit=${(e) => sendSupplement(e, kinds)}>
    <h4>${t('ui.case_supplement_title')}</h4>
    <div class="form-errors" aria-live="assertive"></div>
    ${kinds.map((k) => {
      const u = uploads[k] || {};
      return html`<div class="field">
        <label for=${`sup-${k}`}>${code('material', k)}</label>
        <input type="file" id=${`sup-${k}`} name=${`materials.${k}`} accept=${ACCEPT} @change=${(e) => uploadOne(k, e.currentTarget)}>
        <span class="hint" aria-live="polite">${u.id ? html`<span class="badge good">${t('ui.apply_uploaded')}</span> ${u.name}`
          : u.progress !== undefined ? html`<progress class="progress" max="1" value=${u.progress} aria-label=${code('material', k)}></progress>` : t('ui.apply_file_types')}</span>
        <span class="field-error" data-for=${`materials.${k}`}>${u.error || nothing}</span>
      </div>`;
    })}
    <div class="actions"><button type="submit" class="primary">${t('ui.case_supplement_send')}</button></div>
  </form>`;
}

async function uploadOne(kind, input) {
  const file = input.files?.[0];
  if (!file) return;
  uploads[kind] = { progress: 0, name: file.name };
  draw();
  try {
    const m = await upload(kind, file, (p) => { uploads[kind].progress = p; draw(); });
    uploads[kind] = { id: m.id, name: file.name };
  } catch (err) {
    uploads[kind] = { error: err.problem?.errors?.map(violationText).join('; ') || problemText(err) };
  }
  draw();
}

async function sendSupplement(e, kinds) {
  e.preventDefault();
  const form = e.currentTarget;
  clearErrors(form);
  const materials = kinds.filter((k) => uploads[k]?.id).map((k) => ({ kind: k, id: uploads[k].id }));
  if (!(await confirmDialog(t('ui.case_supplement_confirm', { n: materials.length })))) return;
  try {
    c = await post(`/api/v1/cases/${encodeURIComponent(id)}/supplements`, { materials });
    for (const k of kinds) delete uploads[k];
    sent.add('work_permit');
    draw();
    announce(t('ui.case_supplement_sent'));
  } catch (err) {
    showProblem(form, err, (f) => f.replace(/^materials\[(\d+)\]/, (_, i) => `materials.${materials[Number(i)]?.kind ?? ''}`));
  }
}

function ratingForm(item) {
  const idp = `rate-${item.item}`;
  return html`<form class="rating" novalidate @submit=${(e) => rate(e, item.item)}>
    <h4>${t('ui.case_rate_title')}</h4>
    <div class="form-errors" aria-live="assertive"></div>
    <fieldset>
      <legend>${t('ui.case_rating')}</legend>
      <div class="checks">
        ${[5, 4, 3, 2, 1].map((n) => html`<label class="check"><input type="radio" name="rating" value=${n} data-type="int" ?checked=${n === 5}> ${t(`ui.rating_${n}`)}</label>`)}
      </div>
      <span class="field-error" data-for="rating"></span>
    </fieldset>
    <div class="field">
      <label for=${`${idp}-comment`}>${t('ui.case_comment')}</label>
      <textarea id=${`${idp}-comment`} name="comment" maxlength="500"></textarea>
      <span class="field-error" data-for="comment"></span>
    </div>
    <div class="actions"><button type="submit">${t('ui.case_rate_send')}</button></div>
  </form>`;
}

/**
 * Sends a form once: its button is disabled while the request runs, and its
 * Idempotency-Key lives as long as the draft, so a retry cannot file it twice.
 */
async function once(form, send) {
  const button = form.querySelector('button[type=submit]');
  if (button.disabled) return;
  button.disabled = true;
  form.dataset.key ||= newKey();
  clearErrors(form);
  try {
    await send(form.dataset.key);
    delete form.dataset.key;
    return true;
  } catch (err) {
    if (err.status >= 400 && err.status < 500) delete form.dataset.key;
    showProblem(form, err);
    return false;
  } finally {
    button.disabled = false;
  }
}

async function rate(e, item) {
  e.preventDefault();
  const form = e.currentTarget;
  const ok = await once(form, (key) => post(`/api/v1/cases/${encodeURIComponent(id)}/items/${item}/evaluation`, readForm(form), { key }));
  if (ok) {
    announce(t('ui.case_rated'));
    await load();
  }
}

/** The case's files: the employer's uploads and the forms the system generated from the case. */
function documents() {
  const list = c.materials || [];
  if (!list.length) return nothing;
  return html`<section aria-labelledby="docs-h">
    <h2 id="docs-h">${t('ui.case_documents')}</h2>
    <ul class="card">${list.map((m) => html`<li>
      <a href=${`/api/v1/materials/${encodeURIComponent(m.id)}`} target="_blank" rel="noopener">${code('material', m.kind)}</a>
      <span class="hint">${m.content_type === 'application/json' ? t('ui.case_generated') : t('ui.case_uploaded')}
        · ${dateTime(m.uploaded_at)}</span>
    </li>`)}</ul>
  </section>`;
}

function messages() {
  const list = c.messages || [];
  return html`<section aria-labelledby="msg-h">
    <h2 id="msg-h">${t('ui.case_messages')}</h2>
    ${list.length ? html`<ol class="timeline">${list.map((m) => html`<li>
        <time datetime=${m.at}>${dateTime(m.at)}</time>
        <strong>${code('message_kind', m.kind)}</strong> · ${m.text}
        ${m.answer ? html`<p class="notice good">${t('ui.case_answer')}: ${m.answer} <span class="muted">${dateTime(m.answered_at)}</span></p>`
          : html`<p class="muted">${t('ui.case_awaiting_answer')}</p>`}
      </li>`)}</ol>` : html`<p class="muted">${t('ui.case_no_messages')}</p>`}
    <form novalidate class="card" @submit=${sendMessage}>
      <div class="form-errors" aria-live="assertive"></div>
      <div class="field">
        <label for="msg-kind">${t('ui.case_message_kind')}</label>
        <select id="msg-kind" name="kind">
          <option value="consultation">${code('message_kind', 'consultation')}</option>
          <option value="complaint">${code('message_kind', 'complaint')}</option>
        </select>
        <span class="field-error" data-for="kind"></span>
      </div>
      <div class="field">
        <label for="msg-text">${t('ui.case_message_text')}</label>
        <textarea id="msg-text" name="text" maxlength="2000"></textarea>
        <span class="field-error" data-for="text"></span>
      </div>
      <div class="actions"><button type="submit">${t('ui.case_message_send')}</button></div>
    </form>
  </section>`;
}

async function sendMessage(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const ok = await once(form, (key) => post(`/api/v1/cases/${encodeURIComponent(id)}/messages`, readForm(form), { key }));
  if (ok) {
    form.reset();
    announce(t('ui.case_message_sent'));
    await load();
  }
}

/** What the case was told: refusal reasons and supplement requests, each answered one marked so. */
function notices() {
  const list = c.notices || [];
  if (!list.length) return nothing;
  return html`<section class="card" aria-labelledby="notices-h">
    <h2 id="notices-h">${t('ui.case_notices')}</h2>
    <ul>${list.map((n) => html`<li class="notice ${n.kind === 'refusal' ? 'error' : n.answered_on ? 'good' : 'warn'}">
      <strong>${t(`ui.case_notice_${n.kind}`)}</strong> · <time datetime=${n.at}>${dateTime(n.at)}</time>
      ${n.materials?.length ? html`<p>${n.materials.map((m) => code('material', m)).join(lang === 'zh' ? '、' : ', ')}</p>` : nothing}
      ${n.text ? html`<p>${n.text}</p>` : nothing}
      ${n.kind === 'supplement_requested'
        ? html`<p>${n.answered_on ? t('ui.case_notice_answered', { date: date(n.answered_on) }) : t('ui.case_notice_open')}</p>`
        : nothing}
    </li>`)}</ul>
  </section>`;
}

function draw() {
  render(
    html`<p><a href="/employer">← ${t('ui.nav_cases')}</a></p>
      <h1>${t('ui.case_title')} ${c.case_no}</h1>
      <div class="card">
        <dl class="facts">
          <dt>${t('ui.col_status')}</dt><dd>${badge('status', c.status)}</dd>
          <dt>${t('ui.col_category')}</dt><dd>${c.category ? code('category', c.category) : '—'}</dd>
          ${c.issuer ? html`<dt>${t('ui.case_issuer')}</dt><dd>${c.issuer}</dd>` : nothing}
          <dt>${t('ui.col_submitted')}</dt><dd>${dateTime(c.submitted_at)}</dd>
          <dt>${t('ui.case_committed')}</dt><dd>${date(c.due?.committed)}${c.due?.estimated ? html` <span class="hint">${t('ui.case_estimated')}</span>` : nothing}</dd>
          <dt>${t('ui.case_statutory')}</dt><dd>${date(c.due?.statutory)}</dd>
          ${c.due?.paused_since ? html`<dt>${t('ui.case_paused')}</dt><dd>${date(c.due.paused_since)}</dd>` : nothing}
        </dl>
      </div>
      ${notices()}
      <h2>${t('ui.case_items')}</h2>
      <ol class="grid two" role="list">${c.items.map(itemCard)}</ol>
      <section aria-labelledby="tl-h">
        <h2 id="tl-h">${t('ui.case_timeline')}</h2>
        <ol class="timeline">${(c.timeline || []).map((e) => html`<li>
          <time datetime=${e.at}>${dateTime(e.at)}</time>
          ${code('event', e.event)}${e.item ? html` · ${code('item', e.item)}` : nothing}
        </li>`)}</ol>
      </section>
      ${documents()}
      ${messages()}`,
    main,
  );
}

