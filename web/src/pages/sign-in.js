// `/sign-in`: in dev mode a form (role, subject, department) posted form-encoded to
// `/sign-in/dev`; otherwise the way to the province's identity platform. Foreigners sign
// in with their social security card on /me.

import { header, html, render, setTitle } from '../ui.js';
import { t, code } from '../i18n.js';
import { dev, forget } from '../session.js';
import { showProblem, clearErrors } from '../forms.js';
import { ApiError } from '../api.js';

const ROLES = ['employer', 'reviewer', 'officer', 'ops', 'admin', 'auditor'];
const DEPARTMENTS = ['science-tech', 'hrss', 'public-security'];

export default async function signIn(main) {
  setTitle(t('ui.sign_in'));
  const params = new URLSearchParams(location.search);
  const next = params.get('next') || '';
  if (!dev) {
    render(
      html`<h1>${t('ui.sign_in')}</h1>
        <div class="card"><p>${t('ui.sign_in_idp')}</p>
          <p><a href="/me">${t('ui.sign_in_foreigner')}</a></p></div>`,
      main,
    );
    return;
  }
  const failed = params.has('failed');
  render(
    html`<h1>${t('ui.sign_in')}</h1>
      <p class="notice">${t('ui.sign_in_dev_note')}</p>
      <form id="sign-in-form" method="post" action="/sign-in/dev" class="card" novalidate @submit=${submit}>
        <div class="form-errors" aria-live="assertive">
          ${failed ? html`<div class="notice error"><p>${t('ui.sign_in_failed')}</p></div>` : ''}
        </div>
        <input type="hidden" name="next" value=${next}>
        <div class="field">
          <label for="role">${t('ui.field_role')}</label>
          <select id="role" name="role" required @change=${roleChanged}>
            ${ROLES.map((r) => html`<option value=${r}>${code('role', r)}</option>`)}
          </select>
          <span class="field-error" data-for="role"></span>
        </div>
        <div class="field">
          <label for="subject">${t('ui.field_subject')}</label>
          <input id="subject" name="subject" required autocomplete="username" aria-describedby="subject-hint">
          <span class="hint" id="subject-hint">${t('ui.field_subject_hint')}</span>
          <span class="field-error" data-for="subject"></span>
        </div>
        <div class="field" id="department-field" hidden>
          <label for="department">${t('ui.field_department')}</label>
          <select id="department" name="department">
            <option value="">${t('ui.choose')}</option>
            ${DEPARTMENTS.map((d) => html`<option value=${d}>${code('department', d)}</option>`)}
          </select>
          <span class="field-error" data-for="department"></span>
        </div>
        <div class="actions"><button type="submit" class="primary">${t('ui.sign_in')}</button></div>
      </form>
      <p><a href="/me">${t('ui.sign_in_foreigner')}</a></p>`,
    main,
  );
  roleChanged();
}

function roleChanged() {
  const role = document.getElementById('role').value;
  const field = document.getElementById('department-field');
  field.hidden = !['reviewer', 'officer'].includes(role);
  if (field.hidden) document.getElementById('department').value = '';
  if (role === 'officer') document.getElementById('department').value = 'public-security';
}

async function submit(e) {
  e.preventDefault();
  const form = e.currentTarget;
  clearErrors(form);
  let r;
  try {
    r = await fetch('/sign-in/dev', {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
    });
  } catch {
    showProblem(form, new ApiError(0, { type: 'network' }));
    return;
  }
  const body = await r.json().catch(() => null);
  if (r.ok && body?.next) location.assign(body.next);
  else {
    // The server ended whatever session there was: nothing of the previous user stays.
    forget();
    header();
    showProblem(form, new ApiError(r.status, body));
  }
}
