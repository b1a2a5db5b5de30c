// `/`: what the service is, the plan's 联办效能 figures, the four items, sign-in and the guide.

import { html, render, setTitle } from '../ui.js';
import { t, code } from '../i18n.js';
import { session } from '../session.js';

// The plan's promised figures (联办效能), before → after: FACTS.md, 甘肃省外国人来华工作“一件事”实施方案.
const FIGURES = [
  ['working_days', 90, 15],
  ['trips', 2, 1],
  ['documents', 20, 15],
  ['steps', 4, 2],
];
const ITEMS = ['work_permit', 'social_insurance', 'title_review', 'residence_permit'];

export default async function home(main) {
  setTitle(t('ui.home_title'));
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
