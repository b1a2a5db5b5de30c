// `/`: what the service is, the plan's 联办效能 figures, the four items, sign-in and the guide.

import { html, render, setTitle } from '../ui.js';
import { t, code } from '../i18n.js';
import { session } from '../session.js';
import { get } from '../api.js';

const FIGURES = ['working_days', 'trips', 'documents', 'steps'];
const ITEMS = ['work_permit', 'social_insurance', 'title_review', 'residence_permit'];

export default async function home(main) {
  setTitle(t('ui.home_title'));
  // The plan's 联办效能 figures, from the same guide data the service uses.
  const { efficiency } = await get('/api/v1/guide');
  render(
    html`<h1>${t('ui.home_title')}</h1>
      <p class="lead">${t('ui.home_lead')}</p>
      <div class="actions">
        ${session
          ? html`<a class="button primary" href=${session.home}>${t('ui.home_continue')}</a>`
          : html`<a class="button primary" href="/sign-in">${t('ui.sign_in')}</a>`}
        <a class="button" href="/guide">${t('ui.home_read_guide')}</a>
        <a class="button" href="/me">${t('ui.home_foreigner')}</a>
      </div>
      <h2>${t('ui.home_figures')}</h2>
      <ul class="grid four plain" role="list">
        ${FIGURES.map(
          (k) => [k, efficiency.separate[k], efficiency.joint[k]],
        ).map(
          ([k, was, now]) => html`<li class="card figure">
            <span class="now">${now}</span>
            <span>${t(`ui.figure_${k}`)}</span>
            <span class="was">${t('ui.figure_was', { n: was })}</span>
          </li>`,
        )}
      </ul>
      <h2>${t('ui.home_items')}</h2>
      <ol class="grid two" role="list">
        ${ITEMS.map(
          (i) => html`<li class="card"><h3>${code('item', i)}</h3><p>${t(`ui.home_item_${i}`)}</p></li>`,
        )}
      </ol>
      <h2>${t('ui.home_how')}</h2>
      <ol>
        <li>${t('ui.home_step1')}</li>
        <li>${t('ui.home_step2')}</li>
      </ol>`,
    main,
  );
}
