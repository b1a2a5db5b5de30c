// Forms: read dotted field names into nested JSON, and show a problem+json beside the
// fields it names (in the page's language, with the server's own words below), keeping
// everything typed.

import { html, render, nothing } from '/assets/vendor/lit-html/lit-html.js';
import { t, has, lang } from './i18n.js';

/**
 * The form as JSON. `name="applicant.surname"` nests; `data-type` is `number`, `int`,
 * `list` (comma or newline separated), `bool` (a checkbox), `null-if-empty`; checkboxes
 * sharing a name with `data-type="set"` collect their checked values.
 */
export function readForm(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled && !el.dataset.keep || el.type === 'file' || el.type === 'submit') continue;
    const type = el.dataset.type || '';
    let value;
    if (type === 'set') {
      const list = lookup(out, el.name) ?? [];
      if (el.checked) list.push(el.value);
      value = list;
    } else if (el.type === 'checkbox') value = el.checked;
    else if (el.type === 'radio') {
      if (!el.checked) continue;
      value = el.value;
    } else value = el.value.trim();
    if (type === 'number' || type === 'int') value = value === '' ? null : Number(value);
    if (type === 'list') value = value === '' ? [] : value.split(/[\n,，]+/).map((s) => s.trim()).filter(Boolean);
    if (type === 'null-if-empty' && value === '') value = null;
    assign(out, el.name, value);
  }
  return out;
}

function lookup(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function assign(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys.at(-1)] = value;
}

/** The words of one violation: the catalog's for its code, then the server's own. */
export function violationText(e) {
  const own = lang === 'zh' ? e.message_zh || e.message : e.message;
  const key = `error.${e.code}`;
  if (has(key)) {
    const general = t(key);
    return own && own !== general ? `${general}（${own}）` : general;
  }
  return own || e.code;
}

/** The words of a whole problem (its slug in the catalog, then its detail). */
export function problemText(err) {
  const p = err.problem || {};
  const slug = err.slug || String(p.type || '').split('/').pop();
  const key = `error.${slug}`;
  const detail = p.detail && lang === 'en' ? ` (${p.detail})` : '';
  if (has(key)) return t(key) + detail;
  if (err.status === 0) return t('ui.error_network');
  return (p.title || t('ui.error_unknown')) + (p.detail ? ` (${p.detail})` : '');
}

/** Clears the errors a form shows. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) render(nothing, el);
  const summary = form.querySelector('.form-errors');
  if (summary) render(nothing, summary);
}

/**
 * Shows `err` on `form`: each violation beside the control named by its field (or its
 * nearest named parent), every violation in the summary at the top, focus on the summary.
 * `fieldFor` maps an API field path to a control name when they differ.
 */
export function showProblem(form, err, fieldFor = (f) => f) {
  clearErrors(form);
  const errors = err.problem?.errors || [];
  const byField = new Map();
  for (const e of errors) {
    const target = findField(form, fieldFor(e.field || ''));
    const list = byField.get(target) || [];
    list.push(e);
    byField.set(target, list);
  }
  for (const [target, list] of byField) {
    if (!target) continue;
    const control = form.querySelector(`[name="${CSS.escape(target)}"]`);
    control?.setAttribute('aria-invalid', 'true');
    const slot = form.querySelector(`.field-error[data-for="${CSS.escape(target)}"]`);
    if (slot) render(html`${list.map((e) => html`<span>${violationText(e)}</span>`)}`, slot);
  }
  const summary = form.querySelector('.form-errors');
  if (summary) {
    render(
      html`<div class="notice error" tabindex="-1">
        <p><strong>${errors.length ? t('ui.form_has_errors', { n: errors.length }) : problemText(err)}</strong></p>
        ${errors.length
          ? html`<ul>${errors.map((e) => html`<li>${labelOf(form, fieldFor(e.field || ''))}${violationText(e)}</li>`)}</ul>`
          : nothing}
      </div>`,
      summary,
    );
    summary.querySelector('.notice')?.focus();
  }
}

/** The control a field path lands on: itself, or the nearest parent path with a control. */
function findField(form, field) {
  let f = field.replace(/\[(\d+)\]/g, '.$1');
  while (f) {
    if (form.querySelector(`[name="${CSS.escape(f)}"]`)) return f;
    const cut = f.lastIndexOf('.');
    if (cut < 0) break;
    f = f.slice(0, cut);
  }
  return null;
}

function labelOf(form, field) {
  const target = findField(form, field);
  const control = target && form.querySelector(`[name="${CSS.escape(target)}"]`);
  const label = control?.id && form.querySelector(`label[for="${CSS.escape(control.id)}"]`);
  const text = label?.textContent?.trim() || control?.closest('fieldset')?.querySelector('legend')?.textContent?.trim();
  return text ? `${text}: ` : '';
}
