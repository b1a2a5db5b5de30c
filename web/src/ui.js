// Pieces every page shares: the header (language switch, who is signed in, sign-out), the
// footer, status badges, announcements for screen readers, and confirmation dialogs.

import { html, render, nothing } from '/assets/vendor/lit-html/lit-html.js';
import { t, code, lang, date } from './i18n.js';
import { session } from './session.js';

export { html, render, nothing };

/** The same page in the other language (the server remembers the choice). */
function otherLangHref() {
  const u = new URL(location.href);
  u.searchParams.set('lang', lang === 'zh' ? 'en' : 'zh');
  return u.pathname + u.search;
}

const NAV = {
  employer: [['/employer', 'ui.nav_cases'], ['/employer/apply', 'ui.nav_apply']],
  reviewer: [['/review', 'ui.nav_queue']],
  officer: [['/counter', 'ui.nav_counter']],
  foreigner: [['/me', 'ui.nav_me']],
  ops: [['/ops', 'ui.nav_ops']],
  admin: [['/ops', 'ui.nav_ops']],
};

export function header() {
  const who = session
    ? `${code('role', session.role)}${session.department ? ' · ' + code('department', session.department) : ''} · ${session.subject}`
    : '';
  render(
    html`<a class="skip" href="#main">${t('ui.skip_to_content')}</a>
      <header class="site">
        <a class="brand" href="/">
          <span class="brand-zh" lang="zh-CN">外国人来华工作“一件事”</span>
          <span class="brand-sub">${t('ui.brand_sub')}</span>
        </a>
        <nav aria-label=${t('ui.nav_label')}>
          <ul>
            <li><a href="/guide">${t('ui.nav_guide')}</a></li>
            ${(session ? NAV[session.role] || [] : []).map(([href, key]) => html`<li><a href=${href}>${t(key)}</a></li>`)}
            <li><a href=${otherLangHref()} lang=${lang === 'zh' ? 'en' : 'zh-CN'} hreflang=${lang === 'zh' ? 'en' : 'zh'}
              >${lang === 'zh' ? 'English' : '中文'}</a></li>
          </ul>
        </nav>
        <div class="who">
          ${session
            ? html`<span class="who-name">${who}</span>
                <form method="post" action="/sign-out" class="inline" @submit=${signOut}>
                  <button type="submit" class="link">${t('ui.sign_out')}</button>
                </form>`
            : html`<a class="button small" href="/sign-in">${t('ui.sign_in')}</a>`}
        </div>
      </header>`,
    document.getElementById('top'),
  );
  render(
    html`<footer class="site">
      <p>${t('ui.footer_hotline')} <a href="tel:0931-12345">0931-12345</a> · ${t('ui.footer_owner')}</p>
      <p>${t('ui.footer_times')}</p>
    </footer>`,
    document.getElementById('foot'),
  );
}

async function signOut(e) {
  e.preventDefault();
  const form = e.currentTarget;
  try {
    const r = await fetch('/sign-out', { method: 'POST', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!r.ok) throw new Error(`sign-out answered ${r.status}`);
    // A full navigation: nothing of this user stays in memory.
    location.replace('/');
  } catch {
    // Never leave a shared counter PC signed in: fall back to the plain form post.
    form.submit();
  }
}

/** A status in words, with its tone for colour (never colour alone: the words are there). */
export function badge(ns, status) {
  const tone = {
    approved: 'good', completed: 'good', issued: 'good', active: 'good', picked_up: 'good', valid: 'good',
    refused: 'bad', cancelled: 'bad', revoked: 'bad', locked: 'bad', not_applicable: 'muted',
    supplement_requested: 'warn', overdue: 'warn',
  }[status] || 'neutral';
  return html`<span class="badge ${tone}" data-status=${status}>${code(ns, status)}</span>`;
}

/** Puts `message` into the page's live region so screen readers hear it. */
export function announce(message, tone = 'good') {
  // The regions are in the shell from the start, so the first message is read too.
  const region = document.getElementById(tone === 'error' ? 'alert' : 'live');
  region.className = `live notice ${tone}`;
  region.textContent = message;
}

/**
 * Asks for confirmation in a modal dialog; resolves true when confirmed. `body` is extra
 * content (a template) shown above the buttons.
 */
export function confirmDialog(title, body = nothing) {
  return new Promise((resolve) => {
    const d = document.createElement('dialog');
    d.setAttribute('aria-labelledby', 'confirm-title');
    document.body.appendChild(d);
    const close = (ok) => {
      d.close();
      d.remove();
      resolve(ok);
    };
    render(
      html`<h2 id="confirm-title">${title}</h2>
        ${body}
        <div class="actions">
          <button type="button" class="primary" data-confirm @click=${() => close(true)}>${t('ui.confirm')}</button>
          <button type="button" @click=${() => close(false)}>${t('ui.cancel')}</button>
        </div>`,
      d,
    );
    d.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(false);
    });
    const opener = document.activeElement;
    d.addEventListener('close', () => opener?.isConnected && opener.focus());
    d.showModal();
    d.querySelector('[data-confirm]').focus();
  });
}

/** A page title (h1) and the document title together. */
export function setTitle(text) {
  document.title = `${text} · ${t('ui.brand_short')}`;
}

/** "Load more" paging over a list endpoint answering {items, next_cursor}. */
export function pager(next, onMore) {
  return next
    ? html`<p class="pager"><button type="button" @click=${() => onMore(next)}>${t('ui.load_more')}</button></p>`
    : nothing;
}

/** A due date with the working days left (from the API), or how many have passed. */
export function dueLabel(due, left) {
  if (!due) return '—';
  if (left === undefined || left === null) return date(due);
  if (left < 0) return html`${date(due)} <span class="badge warn">${t('ui.overdue_by', { n: -left })}</span>`;
  return t('ui.due_in', { n: left, date: date(due) });
}

/** The points per factor of a classification, as a table (cards at phone width). */
export function breakdownTable(breakdown) {
  const cols = [['ui.apply_factor', (b) => code('factor', b.factor)], ['ui.apply_points', (b) => b.points], ['ui.apply_max', (b) => b.max]];
  return html`<table class="stack">
    <caption class="muted">${t('ui.apply_breakdown')}</caption>
    <thead><tr>${cols.map(([k]) => html`<th scope="col">${t(k)}</th>`)}</tr></thead>
    <tbody>${breakdown.map((b) => html`<tr>${cols.map(([k, value]) => html`<td data-label=${t(k)}>${value(b)}</td>`)}</tr>`)}</tbody>
  </table>`;
}
