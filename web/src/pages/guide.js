// `/guide`: the service guide (办事指南) from `GET /api/v1/guide`, the same data the rules
// use: conditions, the materials per item, legal bases, time limits, trips, steps, FAQ.

import { html, render, nothing, setTitle } from '../ui.js';
import { t, code, txt, date } from '../i18n.js';
import { get } from '../api.js';

export default async function guide(main) {
  const g = await get('/api/v1/guide');
  setTitle(txt(g.title));
  const e = g.efficiency;
  render(
    html`<h1>${txt(g.title)}</h1>
      <nav aria-label=${t('ui.guide_contents')} class="card">
        <h2 class="sr-heading">${t('ui.guide_contents')}</h2>
        <ol>
          ${[['service', 'ui.guide_service'], ['efficiency', 'ui.home_figures'], ['items', 'ui.guide_items'],
            ['conditions', 'ui.guide_conditions'], ['materials', 'ui.guide_materials'], ['time', 'ui.guide_time'],
            ['steps', 'ui.guide_steps'], ['legal', 'ui.guide_legal'], ['faq', 'ui.guide_faq']]
            .map(([id, k]) => html`<li><a href=${`#${id}`}>${t(k)}</a></li>`)}
        </ol>
      </nav>

      <section id="service" aria-labelledby="service-h">
        <h2 id="service-h">${t('ui.guide_service')}</h2>
        <dl class="facts card">
          <dt>${t('ui.guide_lead_department')}</dt><dd>${txt(g.service.lead_department)}</dd>
          <dt>${t('ui.guide_joint_departments')}</dt><dd>${g.service.joint_departments.map(txt).join('；')}</dd>
          <dt>${t('ui.guide_applicants')}</dt><dd>${txt(g.service.applicants)}</dd>
          <dt>${t('ui.guide_case_type')}</dt><dd>${txt(g.service.case_type)}</dd>
          <dt>${t('ui.guide_handling')}</dt><dd>${txt(g.service.handling)}</dd>
          <dt>${t('ui.guide_channels')}</dt><dd>${g.service.channels.map(txt).join('；')}</dd>
          <dt>${t('ui.guide_hotline')}</dt><dd><a href=${`tel:${g.hotline.number}`}>${g.hotline.number}</a></dd>
        </dl>
      </section>

      <section id="efficiency" aria-labelledby="eff-h">
        <h2 id="eff-h">${t('ui.home_figures')}</h2>
        <table class="stack">
          <thead><tr><th scope="col">${t('ui.guide_measure')}</th><th scope="col">${t('ui.guide_separate')}</th><th scope="col">${t('ui.guide_joint')}</th></tr></thead>
          <tbody>${['working_days', 'trips', 'documents', 'steps'].map((k) => html`<tr>
            <th scope="row" data-label=${t('ui.guide_measure')}>${t(`ui.measure_${k}`)}</th>
            <td data-label=${t('ui.guide_separate')}>${e.separate[k]}</td>
            <td data-label=${t('ui.guide_joint')}><strong>${e.joint[k]}</strong></td></tr>`)}</tbody>
        </table>
      </section>

      <section id="items" aria-labelledby="items-h">
        <h2 id="items-h">${t('ui.guide_items')}</h2>
        <ol class="grid two" role="list">${g.items.map((i) => html`<li class="card">
          <h3>${txt(i.name)}${i.optional ? html` <span class="badge">${t('ui.guide_optional')}</span>` : nothing}</h3>
          <p>${txt(i.note)}</p>
          <p class="muted">${t('ui.col_department')}: ${i.departments.map((d) => code('department', d)).join('、')}</p>
        </li>`)}</ol>
      </section>

      <section id="conditions" aria-labelledby="cond-h">
        <h2 id="cond-h">${t('ui.guide_conditions')}</h2>
        ${['employer', 'applicant'].map((party) => html`<h3>${t(`ui.guide_party_${party}`)}</h3>
          <ol>${g.conditions.filter((c) => c.party === party).map((c) => html`<li>${txt(c.text)}
            <span class="hint">${t(`ui.guide_checked_${c.checked_at}`)}</span></li>`)}</ol>`)}
      </section>

      <section id="materials" aria-labelledby="mat-h">
        <h2 id="mat-h">${t('ui.guide_materials')}</h2>
        <p>${t('ui.guide_materials_lead', { n: g.materials.length })}</p>
        <table class="stack">
          <thead><tr><th scope="col">${t('ui.guide_material')}</th><th scope="col">${t('ui.guide_handover')}</th>
            <th scope="col">${t('ui.guide_for_items')}</th><th scope="col">${t('ui.guide_required_when')}</th></tr></thead>
          <tbody>${g.materials.map((m) => html`<tr>
            <td data-label=${t('ui.guide_material')}>${txt(m.name)}</td>
            <td data-label=${t('ui.guide_handover')}>${txt(m.handover_text)}</td>
            <td data-label=${t('ui.guide_for_items')}>${m.items.map((i) => code('item', i)).join('、')}</td>
            <td data-label=${t('ui.guide_required_when')}>${txt(m.required_when)}</td>
          </tr>`)}</tbody>
        </table>
      </section>

      <section id="time" aria-labelledby="time-h">
        <h2 id="time-h">${t('ui.guide_time')}</h2>
        <p>${t('ui.guide_committed', { n: g.time_limits.committed_working_days })}
          ${t('ui.guide_statutory', { n: g.time_limits.statutory_working_days })}</p>
        <ul>${g.time_limits.statutory.map((s) => html`<li>${s.item ? html`<strong>${code('item', s.item)}</strong>: ` : nothing}${txt(s.text)}</li>`)}</ul>
        <p>${t('ui.guide_trips', { n: g.trips.count })} ${txt(g.trips.reason)}</p>
      </section>

      <section id="steps" aria-labelledby="steps-h">
        <h2 id="steps-h">${t('ui.guide_steps')}</h2>
        <ol>${g.steps.map((s) => html`<li><strong>${txt(s.title)}</strong> ${txt(s.text)}</li>`)}</ol>
      </section>

      <section id="legal" aria-labelledby="legal-h">
        <h2 id="legal-h">${t('ui.guide_legal')}</h2>
        <ul>${g.legal_bases.map((l) => html`<li><strong>${txt(l.title)}</strong>（${txt(l.issuer)}，${date(l.effective_from)}）
          · ${code('item', l.item)}${txt(l.provision) ? html` · ${txt(l.provision)}` : nothing}</li>`)}</ul>
      </section>

      <section id="faq" aria-labelledby="faq-h">
        <h2 id="faq-h">${t('ui.guide_faq')}</h2>
        ${g.faq.map((f) => html`<details class="card"><summary>${txt(f.question)}</summary><p>${txt(f.answer)}</p></details>`)}
        <p>${t('ui.guide_more_questions')} <a href=${`tel:${g.hotline.number}`}>${g.hotline.number}</a></p>
      </section>`,
    main,
  );
}
