// `/ops` (ops, admin): the operators' live dashboard. The overview of the ops service
// (`GET /api/v1/ops/overview`, then `GET /api/v1/ops/stream`: the same JSON every 2 s as
// server-sent events) drawn as charts (ECharts, canvas) with the same numbers in tables:
// events per topic and minute, consumer lag per group, outbox backlog per service, dead
// letters, cases by status, the work permits decided within the committed deadline, items
// near and past due, and the 联办效能 figures beside the plan's. Administrators also see the
// dead letters one by one and can replay them (`/api/v1/ops/dead-letters`).
//
// The page never reloads: a broken stream shows (and announces) that it is reconnecting
// while the browser reconnects; the last figures stay, marked with their time.

import { html, render, nothing, setTitle, badge, announce, confirmDialog, pager, dueLabel } from '../ui.js';
import { t, code, has, lang, dateTime, date } from '../i18n.js';
import { get, post, ApiError } from '../api.js';
import { problemText } from '../forms.js';
import { session } from '../session.js';

const ITEMS = ['work_permit', 'social_insurance', 'title_review', 'residence_permit'];
const ITEM_STATUSES = ['not_started', 'pending', 'in_review', 'supplement_requested', 'approved', 'refused', 'completed', 'cancelled', 'not_applicable'];
const CASE_STATUSES = ['in_progress', 'supplement_requested', 'completed', 'cancelled'];
const FIGURES = ['working_days', 'trips', 'documents', 'steps'];
// The event topics in the order of the case's life (platform::events), then any other.
const TOPICS = ['case-accepted', 'permit-application-opened', 'permit-supplement-requested', 'case-supplemented', 'permit-approved',
  'permit-refused', 'social-insurance-registered', 'title-review-queued', 'title-review-decided', 'residence-case-opened',
  'residence-permit-issued', 'item-progressed', 'permit-changed', 'permit-extended', 'permit-cancelled'];
const SERVICES = ['service-center', 'science-tech', 'hrss', 'public-security', 'ops'];
const WINDOWS = [15, 60, 360, 1440];
const PAGE_SIZE = 20;
const MINUTE_ROWS = 120;

// Chart colours: each at least 4.5:1 against white (graphics need 3:1), text in the page's ink.
const PALETTE = ['#1f5fa8', '#b3261e', '#2e7d32', '#8a5a00', '#6a3d9a', '#00796b', '#c2185b', '#5d4037', '#455a64', '#a34700'];
const TONE = { good: '#146c2e', bad: '#a4161a', warn: '#8a5a00', neutral: '#1f5fa8', muted: '#5c6470' };
const INK = '#1b1f24';
const MUTED = '#4a5260';
const LINE = '#c9ced6';
const FONT = 'system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif';
const TZ = 'Asia/Shanghai';

const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB');
const num = (n, digits = 2) => (n === undefined || n === null ? '—' : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n));
const pct = (n) => (n === undefined || n === null ? '—' : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(n));
const sum = (xs) => xs.reduce((a, b) => a + (Number(b) || 0), 0);
const fmt = (opts) => new Intl.DateTimeFormat(locale(), { timeZone: TZ, hour12: false, ...opts });
/** A time of day in Beijing with seconds, e.g. 10:32:05 (北京时间). */
const clock = (iso) => (iso ? `${fmt({ hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso))} ${t('ui.beijing_time')}` : '—');
/** A minute's start in Beijing, e.g. 10:32 (the axis says Beijing time once). */
const minuteLabel = (ms) => fmt({ hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
const seconds = (s) => t('ui.ops_seconds_n', { n: num(s, 1) });

/** The known names first, then whatever else the API counts (a new status is not lost). */
function ordered(known, present) {
  return [...known.filter((k) => present.includes(k)), ...present.filter((k) => !known.includes(k)).sort()];
}

/** A topic in words (`item-progressed.dlq`: its dead-letter twin), the topic itself when new. */
function topicName(topic) {
  const dlq = topic.endsWith('.dlq');
  const bare = dlq ? topic.slice(0, -4) : topic;
  const name = has(`ui.ops_topic.${bare}`) ? t(`ui.ops_topic.${bare}`) : bare;
  return dlq ? t('ui.ops_topic_dlq', { topic: name }) : name;
}
/** A service, consumer group or event source in words (short), itself when unknown. */
const serviceName = (name) => (has(`ui.ops_service.${name}`) ? t(`ui.ops_service.${name}`) : name);
/** Words with the technical name below, for tables. */
const named = (words, id) => html`<span class="named">${words}${words !== id ? html` <code>${id}</code>` : nothing}</span>`;

// ---- state -------------------------------------------------------------------------------

const s = {
  main: null,
  minutes: 60,
  overview: null,
  /** connecting | live | reconnecting | unavailable | signed_out */
  conn: 'connecting',
  /** Why the last overview did not come (an ApiError), shown while unavailable. */
  problem: null,
  admin: session?.role === 'admin',
  dead: { items: [], next: null, loaded: false, error: null, topic: '', sig: '' },
  deadMessage: null,
};
let echarts = null;
let source = null;
let retryTimer = null;
let retryDelay = 2000;
const charts = new Map();

export default async function ops(main) {
  s.main = main;
  setTitle(t('ui.ops_title'));
  const chartsReady = import('/assets/vendor/echarts/echarts.esm.min.js')
    .then((m) => { echarts = m; })
    .catch(() => { echarts = null; });
  try {
    s.overview = await get(`/api/v1/ops/overview?minutes=${s.minutes}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err;
    s.problem = err;
    s.conn = 'unavailable';
  }
  await chartsReady;
  draw();
  if (s.admin) loadDeadLetters();
  connect();
  announce(t('ui.ops_loaded'));
}

// ---- the stream --------------------------------------------------------------------------

function connect() {
  clearTimeout(retryTimer);
  source?.close();
  const es = new EventSource(`/api/v1/ops/stream?minutes=${s.minutes}`);
  source = es;
  es.addEventListener('overview', (e) => {
    if (source !== es) return;
    let o;
    try { o = JSON.parse(e.data); } catch { return; }
    retryDelay = 2000;
    s.overview = o;
    s.problem = null;
    setConn('live');
  });
  es.addEventListener('error', (e) => {
    if (source !== es) return;
    if (e instanceof MessageEvent && e.data) {
      // The gateway is there but the ops service did not answer; the stream goes on.
      let p = null;
      try { p = JSON.parse(e.data); } catch { /* not JSON */ }
      s.problem = new ApiError(p?.status || 503, p);
      setConn('unavailable');
      return;
    }
    setConn('reconnecting');
    // While CONNECTING the browser retries by itself; CLOSED means an HTTP error: ask why.
    if (es.readyState === EventSource.CLOSED) retry();
  });
}

async function retry() {
  clearTimeout(retryTimer);
  try {
    s.overview = await get(`/api/v1/ops/overview?minutes=${s.minutes}`);
    s.problem = null;
    draw();
  } catch (err) {
    if (err.status === 401 || err.status === 403) {
      source?.close();
      setConn('signed_out');
      return;
    }
  }
  retryTimer = setTimeout(connect, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 30000);
}

function setConn(state) {
  s.conn = state;
  draw();
}

function changeWindow(e) {
  s.minutes = Number(e.currentTarget.value) || 60;
  s.conn = 'connecting';
  draw();
  connect();
}

// ---- drawing -----------------------------------------------------------------------------

function draw() {
  render(view(), s.main);
  drawCharts();
  const dl = s.overview?.dead_letters;
  const sig = dl ? `${dl.total}/${dl.pending}` : '';
  if (s.admin && s.dead.loaded && sig !== s.dead.sig) loadDeadLetters();
}

function view() {
  const o = s.overview;
  return html`<div class="ops-page"><h1>${t('ui.ops_title')}</h1>
    <div class="ops-bar">
      ${connView()}
      <div class="field ops-window">
        <label for="ops-window">${t('ui.ops_window')}</label>
        <select id="ops-window" @change=${changeWindow}>
          ${WINDOWS.map((m) => html`<option value=${m} ?selected=${m === s.minutes}>${t(`ui.ops_window_${m}`)}</option>`)}
        </select>
      </div>
    </div>
    <nav aria-label=${t('ui.ops_toc')} class="ops-toc">
      <ul>
        ${[['ops-glance', 'ui.ops_glance'], ['ops-events', 'ui.ops_events'], ['ops-flow', 'ui.ops_flow'], ['ops-dead', 'ui.ops_dead'],
          ['ops-cases', 'ui.ops_cases'], ['ops-deadlines', 'ui.ops_deadlines'], ['ops-efficiency', 'ui.ops_efficiency']]
          .map(([id, key]) => html`<li><a href=${`#${id}`}>${t(key)}</a></li>`)}
      </ul>
    </nav>
    ${o ? html`${glance(o)}${eventsView(o)}${flowView(o)}${deadView(o)}${casesView(o.cases)}${deadlinesView(o.cases)}${efficiencyView(o.cases)}`
      : nothing}</div>`;
}

/** The connection's state: a live region (announced when it changes) and the figures' time. */
function connView() {
  const o = s.overview;
  const tone = { live: 'good', connecting: 'neutral', reconnecting: 'warn', unavailable: 'warn', signed_out: 'bad' }[s.conn];
  const at = o ? clock(o.generated_at) : '—';
  const words = {
    live: t('ui.ops_conn_live'),
    connecting: t('ui.ops_conn_connecting'),
    reconnecting: t('ui.ops_conn_reconnecting', { at }),
    unavailable: t('ui.ops_conn_unavailable', { at }),
    signed_out: t('ui.ops_conn_signed_out'),
  }[s.conn];
  return html`<div class="ops-conn">
    <p role="status" class="notice ${tone} ops-state" data-conn=${s.conn}>
      <span class="badge ${tone}">${t(`ui.ops_conn_badge_${s.conn}`)}</span> ${words}
      ${s.conn === 'unavailable' && s.problem ? html`<span class="hint"> ${problemText(s.problem)}</span>` : nothing}
      ${s.conn === 'signed_out' ? html` <a href="/sign-in?next=%2Fops">${t('ui.sign_in')}</a>` : nothing}
    </p>
    ${o && (s.conn === 'live' || s.conn === 'connecting') ? html`<p class="hint">${t('ui.ops_generated', { at })}</p>` : nothing}
  </div>`;
}

function figure(value, label, name, extra = nothing) {
  return html`<li class="card figure" data-figure=${name} data-value=${value ?? ''}>
    <span class="now">${typeof value === 'number' ? num(value, 0) : value ?? '—'}</span><span>${label}</span>${extra}</li>`;
}

function glance(o) {
  const c = o.cases;
  const events = sum((o.events?.per_minute || []).map((m) => m.count));
  const approvedEvents = (o.events?.by_topic || []).find((x) => x.topic === 'permit-approved')?.count ?? 0;
  const lag = sum((o.consumer_lag || []).map((p) => p.lag));
  const backlog = sum((o.outbox || []).map((x) => x.backlog));
  const within = c?.work_permit_within_committed_deadline || {};
  const committed = c?.seed_figures?.joint_target?.working_days ?? 15;
  return html`<h2 id="ops-glance" tabindex="-1">${t('ui.ops_glance')}</h2>
    <ul class="grid four plain ops-figures" role="list">
      ${figure(events, t('ui.ops_fig_events', { n: o.window_minutes }), 'events-window')}
      ${figure(approvedEvents, t('ui.ops_fig_permit_approved_events'), 'permit-approved-events')}
      ${figure(lag, t('ui.ops_fig_lag'), 'consumer-lag')}
      ${figure(backlog, t('ui.ops_fig_backlog'), 'outbox-backlog')}
      ${figure(o.dead_letters?.pending ?? 0, t('ui.ops_fig_dead_pending'), 'dead-letters-pending',
        html`<span class="was">${t('ui.ops_fig_dead_total', { n: num(o.dead_letters?.total ?? 0, 0) })}</span>`)}
      ${figure(c?.cases?.total, t('ui.ops_cases_total'), 'cases-total')}
      ${figure(c?.items?.work_permit?.approved ?? (c ? 0 : null), t('ui.ops_fig_permits_approved'), 'permits-approved')}
      ${figure(pct(within.share), t('ui.ops_within_share', { days: committed }), 'within-share',
        html`<span class="was">${t('ui.ops_within_counts', { within: num(within.within, 0), decided: num(within.decided, 0) })}</span>`)}
    </ul>`;
}

/** A chart with its caption, its numbers in words for screen readers and in a table. */
function chartBox(id, caption, summary, table, { tall = false, legend = null } = {}) {
  return html`<figure class="card chart-box">
    <figcaption id=${`cap-${id}`}><strong>${caption}</strong></figcaption>
    ${legend?.length
      ? html`<ul class="legend" aria-hidden="true">${legend.map(([name, i]) => html`<li><span class="swatch c${i}"></span>${name}</li>`)}</ul>`
      : nothing}
    <div class="chart ${tall ? 'tall' : ''}" id=${`chart-${id}`} role="img" aria-labelledby=${`cap-${id}`} aria-describedby=${`sum-${id}`}></div>
    ${echarts ? nothing : html`<p class="hint">${t('ui.ops_no_charts')}</p>`}
    <p class="ops-summary" id=${`sum-${id}`}>${summary}</p>
    ${table ? html`<details><summary>${t('ui.ops_show_numbers')}</summary>${table}</details>` : nothing}
  </figure>`;
}

function unavailableCases() {
  return html`<p class="notice warn">${t('ui.ops_cases_unavailable')}</p>`;
}

// ---- events ------------------------------------------------------------------------------

/** The window's minutes (their starts, ms) and the counts per topic and minute. */
function eventSeries(o) {
  const end = Math.floor(Date.parse(o.generated_at) / 60000) * 60000;
  const n = Math.max(1, Number(o.window_minutes) || s.minutes);
  const minutes = [];
  for (let m = end - n * 60000; m <= end; m += 60000) minutes.push(m);
  const index = new Map(minutes.map((m, i) => [m, i]));
  const per = o.events?.per_minute || [];
  const topics = ordered(TOPICS, [...new Set(per.map((m) => m.topic))]);
  const counts = Object.fromEntries(topics.map((tp) => [tp, minutes.map(() => 0)]));
  for (const m of per) {
    const i = index.get(Math.floor(Date.parse(m.minute) / 60000) * 60000);
    if (i !== undefined) counts[m.topic][i] += m.count;
  }
  return { minutes, topics, counts };
}

function eventsView(o) {
  const { topics, counts } = eventSeries(o);
  const totals = Object.fromEntries((o.events?.by_topic || []).map((x) => [x.topic, x.count]));
  const all = ordered(TOPICS, [...new Set([...topics, ...Object.keys(totals)])]);
  const inWindow = (tp) => sum(counts[tp] || []);
  const total = sum(topics.map(inWindow));
  const summary = total
    ? t('ui.ops_events_summary', { n: o.window_minutes, total: num(total, 0), list: topics.map((tp) => `${topicName(tp)} ${num(inWindow(tp), 0)}`).join(t('ui.ops_list_sep')) })
    : t('ui.ops_events_none', { n: o.window_minutes });
  const perAll = [...(o.events?.per_minute || [])].sort((a, b) => b.minute.localeCompare(a.minute) || a.topic.localeCompare(b.topic));
  // The newest rows only: a day of minutes would make a table nobody reads, redrawn every 2 s.
  const per = perAll.slice(0, MINUTE_ROWS);
  const table = html`<table class="stack">
      <caption class="muted">${t('ui.ops_events_by_topic')}</caption>
      <thead><tr><th scope="col">${t('ui.ops_col_topic')}</th><th scope="col">${t('ui.ops_col_in_window', { n: o.window_minutes })}</th>
        <th scope="col">${t('ui.ops_col_since_start')}</th></tr></thead>
      <tbody>${all.map((tp) => html`<tr>
        <td data-label=${t('ui.ops_col_topic')}>${named(topicName(tp), tp)}</td>
        <td data-label=${t('ui.ops_col_in_window', { n: o.window_minutes })}>${num(inWindow(tp), 0)}</td>
        <td data-label=${t('ui.ops_col_since_start')}>${num(totals[tp] ?? 0, 0)}</td>
      </tr>`)}</tbody>
    </table>
    ${per.length
      ? html`<table class="stack">
          <caption class="muted">${t('ui.ops_events_per_minute')}</caption>
          <thead><tr><th scope="col">${t('ui.ops_col_minute')}</th><th scope="col">${t('ui.ops_col_topic')}</th>
            <th scope="col">${t('ui.ops_col_source')}</th><th scope="col">${t('ui.ops_col_count')}</th></tr></thead>
          <tbody>${per.map((m) => html`<tr>
            <td data-label=${t('ui.ops_col_minute')}>${dateTime(m.minute)}</td>
            <td data-label=${t('ui.ops_col_topic')}>${topicName(m.topic)}</td>
            <td data-label=${t('ui.ops_col_source')}>${serviceName(m.source)}</td>
            <td data-label=${t('ui.ops_col_count')}>${num(m.count, 0)}</td>
          </tr>`)}</tbody>
        </table>
        ${perAll.length > per.length ? html`<p class="hint">${t('ui.ops_events_rows_cut', { n: num(per.length, 0), total: num(perAll.length, 0) })}</p>` : nothing}`
      : nothing}`;
  return html`<h2 id="ops-events" tabindex="-1">${t('ui.ops_events')}</h2>
    ${chartBox('events', t('ui.ops_events_caption', { n: o.window_minutes }), summary, table,
      { tall: true, legend: topics.map((tp, i) => [topicName(tp), i % PALETTE.length]) })}`;
}

function eventsOption(o) {
  const { minutes, topics, counts } = eventSeries(o);
  return {
    ...base(),
    color: PALETTE,
    tooltip: tooltip('axis'),
    // The legend is the page's own (a list above the chart: it wraps at any width).
    legend: { show: false },
    grid: { left: 24, right: 24, top: 28, bottom: 8, containLabel: true },
    title: topics.length ? { show: false } : noData(t('ui.ops_events_none', { n: o.window_minutes })),
    xAxis: { type: 'category', data: minutes.map(minuteLabel), axisLabel: { color: MUTED, hideOverlap: true }, axisLine: { lineStyle: { color: MUTED } } },
    yAxis: valueAxis(t('ui.ops_axis_events')),
    series: topics.map((tp, i) => ({
      id: tp, name: topicName(tp), type: 'bar', stack: 'events', data: counts[tp], barCategoryGap: '15%',
      itemStyle: { color: PALETTE[i % PALETTE.length], borderColor: '#fff', borderWidth: 0.5 }, emphasis: { focus: 'series' },
    })),
  };
}

// ---- consumers and outboxes --------------------------------------------------------------

function lagByGroup(o) {
  const groups = new Map();
  for (const p of o.consumer_lag || []) {
    const g = groups.get(p.group) || { group: p.group, lag: 0, max: 0, partitions: 0, uncommitted: 0, topics: new Set() };
    g.lag += p.lag || 0;
    g.max = Math.max(g.max, p.lag || 0);
    g.partitions += 1;
    if (p.committed === null || p.committed === undefined) g.uncommitted += 1;
    g.topics.add(p.topic);
    groups.set(p.group, g);
  }
  return ordered(SERVICES, [...groups.keys()]).map((k) => groups.get(k));
}

function flowView(o) {
  const groups = lagByGroup(o);
  const lagSummary = groups.length
    ? t('ui.ops_lag_summary', { total: num(sum(groups.map((g) => g.lag)), 0), list: groups.map((g) => `${serviceName(g.group)} ${num(g.lag, 0)}`).join(t('ui.ops_list_sep')) })
    : t('ui.ops_lag_none');
  const lagTable = groups.length ? html`<table class="stack">
      <caption class="muted">${t('ui.ops_lag_by_group')}</caption>
      <thead><tr><th scope="col">${t('ui.ops_col_group')}</th><th scope="col">${t('ui.ops_col_lag')}</th><th scope="col">${t('ui.ops_col_max_lag')}</th>
        <th scope="col">${t('ui.ops_col_partitions')}</th><th scope="col">${t('ui.ops_col_uncommitted')}</th></tr></thead>
      <tbody>${groups.map((g) => html`<tr>
        <td data-label=${t('ui.ops_col_group')}>${named(serviceName(g.group), g.group)}</td>
        <td data-label=${t('ui.ops_col_lag')}>${num(g.lag, 0)}</td>
        <td data-label=${t('ui.ops_col_max_lag')}>${num(g.max, 0)}</td>
        <td data-label=${t('ui.ops_col_partitions')}>${t('ui.ops_partitions_n', { n: num(g.partitions, 0), topics: num(g.topics.size, 0) })}</td>
        <td data-label=${t('ui.ops_col_uncommitted')}>${num(g.uncommitted, 0)}</td>
      </tr>`)}</tbody>
    </table>
    ${lagPartitions(o)}` : null;
  const outbox = ordered(SERVICES, (o.outbox || []).map((x) => x.service)).map((k) => o.outbox.find((x) => x.service === k));
  const outSummary = outbox.length
    ? t('ui.ops_outbox_summary', {
      total: num(sum(outbox.map((x) => x.backlog)), 0),
      list: outbox.map((x) => (x.reachable
        ? t('ui.ops_outbox_item', { service: serviceName(x.service), n: num(x.backlog, 0), age: seconds(x.oldest_age_seconds) })
        : t('ui.ops_outbox_item_down', { service: serviceName(x.service) }))).join(t('ui.ops_list_sep')),
    })
    : t('ui.ops_outbox_none');
  const outTable = outbox.length ? html`<table class="stack">
      <caption class="muted">${t('ui.ops_outbox_caption')}</caption>
      <thead><tr><th scope="col">${t('ui.ops_col_service')}</th><th scope="col">${t('ui.ops_col_state')}</th>
        <th scope="col">${t('ui.ops_col_backlog')}</th><th scope="col">${t('ui.ops_col_oldest')}</th></tr></thead>
      <tbody>${outbox.map((x) => html`<tr>
        <td data-label=${t('ui.ops_col_service')}>${named(serviceName(x.service), x.service)}</td>
        <td data-label=${t('ui.ops_col_state')}>${x.reachable ? html`<span class="badge good">${t('ui.ops_reachable')}</span>`
          : html`<span class="badge bad">${t('ui.ops_unreachable')}</span>`}</td>
        <td data-label=${t('ui.ops_col_backlog')}>${x.reachable ? num(x.backlog, 0) : '—'}</td>
        <td data-label=${t('ui.ops_col_oldest')}>${x.reachable ? seconds(x.oldest_age_seconds) : '—'}</td>
      </tr>`)}</tbody>
    </table>` : null;
  return html`<h2 id="ops-flow" tabindex="-1">${t('ui.ops_flow')}</h2>
    <p class="hint">${t('ui.ops_flow_hint')}</p>
    <div class="grid two">
      ${chartBox('lag', t('ui.ops_lag_caption'), lagSummary, lagTable)}
      ${chartBox('outbox', t('ui.ops_outbox_chart_caption'), outSummary, outTable)}
    </div>`;
}

/** The partitions behind (most behind first) with their offsets; the others are only counted. */
function lagPartitions(o) {
  const all = o.consumer_lag || [];
  const rows = all.filter((p) => p.lag > 0).sort((a, b) => b.lag - a.lag || a.group.localeCompare(b.group)
    || a.topic.localeCompare(b.topic) || a.partition - b.partition);
  if (!rows.length) return html`<p class="hint">${t('ui.ops_lag_caught_up', { n: num(all.length, 0) })}</p>`;
  const cols = ['ui.ops_col_group', 'ui.ops_col_topic', 'ui.ops_col_partition', 'ui.ops_col_committed', 'ui.ops_col_high', 'ui.ops_col_lag'];
  return html`<table class="stack">
    <caption class="muted">${t('ui.ops_lag_partitions')}</caption>
    <thead><tr>${cols.map((k) => html`<th scope="col">${t(k)}</th>`)}</tr></thead>
    <tbody>${rows.map((p) => html`<tr>
      <td data-label=${t(cols[0])}><code>${p.group}</code></td>
      <td data-label=${t(cols[1])}><code>${p.topic}</code></td>
      <td data-label=${t(cols[2])}>${p.partition}</td>
      <td data-label=${t(cols[3])}>${p.committed === null || p.committed === undefined ? t('ui.ops_not_committed') : num(p.committed, 0)}</td>
      <td data-label=${t(cols[4])}>${num(p.high_watermark, 0)}</td>
      <td data-label=${t(cols[5])}>${num(p.lag, 0)}</td>
    </tr>`)}</tbody>
  </table>
  ${rows.length < all.length ? html`<p class="hint">${t('ui.ops_lag_others_caught_up', { n: num(all.length - rows.length, 0) })}</p>` : nothing}`;
}

function lagOption(o) {
  const groups = lagByGroup(o);
  return {
    ...base(),
    tooltip: tooltip('axis'),
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    title: groups.length ? { show: false } : noData(t('ui.ops_lag_none')),
    xAxis: valueAxis(),
    yAxis: categoryAxis(groups.map((g) => serviceName(g.group))),
    series: [{
      id: 'lag', name: t('ui.ops_col_lag'), type: 'bar', barMaxWidth: 28,
      data: groups.map((g) => ({ value: g.lag, itemStyle: { color: g.lag ? TONE.warn : TONE.neutral } })),
      label: { show: true, position: 'right', color: INK },
    }],
  };
}

function outboxOption(o) {
  const outbox = ordered(SERVICES, (o.outbox || []).map((x) => x.service)).map((k) => o.outbox.find((x) => x.service === k));
  return {
    ...base(),
    tooltip: tooltip('axis'),
    grid: { left: 8, right: 96, top: 8, bottom: 8, containLabel: true },
    title: outbox.length ? { show: false } : noData(t('ui.ops_outbox_none')),
    xAxis: valueAxis(),
    yAxis: categoryAxis(outbox.map((x) => serviceName(x.service))),
    series: [{
      id: 'backlog', name: t('ui.ops_col_backlog'), type: 'bar', barMaxWidth: 28,
      data: outbox.map((x) => ({
        value: x.reachable ? x.backlog : 0,
        itemStyle: { color: !x.reachable ? TONE.bad : x.backlog ? TONE.warn : TONE.neutral },
        // The oldest age beside the count (a plain text: no `{}` templates in it).
        label: { formatter: x.reachable ? `${num(x.backlog, 0)} · ${seconds(x.oldest_age_seconds)}` : t('ui.ops_unreachable') },
      })),
      label: { show: true, position: 'right', color: INK },
    }],
  };
}

// ---- dead letters ------------------------------------------------------------------------

function deadView(o) {
  const dl = o.dead_letters || { total: 0, pending: 0, by_topic: [] };
  const topics = dl.by_topic || [];
  const cols = ['ui.ops_col_topic', 'ui.ops_col_dead', 'ui.ops_col_pending', 'ui.ops_col_last_reason', 'ui.ops_col_last_at'];
  return html`<h2 id="ops-dead" tabindex="-1">${t('ui.ops_dead')}</h2>
    <p class="hint">${t('ui.ops_dead_hint')}</p>
    ${topics.length
      ? html`<p>${t('ui.ops_dead_summary', { total: num(dl.total, 0), pending: num(dl.pending, 0) })}</p>
        <table class="stack" aria-describedby="ops-dead-hint">
          <caption class="muted" id="ops-dead-hint">${t('ui.ops_dead_by_topic')}</caption>
          <thead><tr>${cols.map((k) => html`<th scope="col">${t(k)}</th>`)}</tr></thead>
          <tbody>${topics.map((d) => html`<tr>
            <td data-label=${t(cols[0])}>${named(topicName(d.topic), d.topic)}</td>
            <td data-label=${t(cols[1])}>${num(d.count, 0)}</td>
            <td data-label=${t(cols[2])}>${d.pending ? html`<span class="badge warn">${num(d.pending, 0)}</span>` : num(0, 0)}</td>
            <td data-label=${t(cols[3])}><span lang="en" class="reason">${d.last_reason}</span></td>
            <td data-label=${t(cols[4])}>${dateTime(d.last_at)}</td>
          </tr>`)}</tbody>
        </table>`
      : html`<p class="notice good" data-empty="dead-letters">${t('ui.ops_dead_none')}</p>`}
    ${s.admin ? deadList(topics) : html`<p class="hint">${t('ui.ops_dead_admins')}</p>`}`;
}

function deadList(topics) {
  const d = s.dead;
  const cols = ['ui.ops_col_dead_at', 'ui.ops_col_topic', 'ui.ops_col_record', 'ui.ops_col_reason', 'ui.ops_col_state'];
  return html`<section aria-labelledby="ops-dead-list-h" class="ops-dead-list">
    <h3 id="ops-dead-list-h" tabindex="-1">${t('ui.ops_dead_list')}</h3>
    <div class="field ops-filter">
      <label for="ops-dead-topic">${t('ui.ops_dead_filter')}</label>
      <select id="ops-dead-topic" @change=${(e) => { d.topic = e.currentTarget.value; loadDeadLetters(); }}>
        <option value="" ?selected=${!d.topic}>${t('ui.ops_dead_filter_all')}</option>
        ${ordered(TOPICS, [...new Set([...topics.map((x) => x.topic), ...(d.topic ? [d.topic] : [])])])
          .map((tp) => html`<option value=${tp} ?selected=${tp === d.topic}>${topicName(tp)}</option>`)}
      </select>
    </div>
    <div class="ops-dead-message">${s.deadMessage
      ? html`<p class="notice ${s.deadMessage.tone}" tabindex="-1" id="ops-dead-message">${s.deadMessage.text}</p>` : nothing}</div>
    ${d.error ? html`<p class="notice error">${problemText(d.error)}</p>` : nothing}
    ${!d.loaded ? html`<p class="loading">${t('ui.ops_loading')}</p>`
      : d.items.length
        ? html`<table class="stack">
            <caption class="muted">${t('ui.ops_dead_list_caption')}</caption>
            <thead><tr>${cols.map((k) => html`<th scope="col">${t(k)}</th>`)}</tr></thead>
            <tbody>${d.items.map((x) => html`<tr data-dead-letter=${x.id}>
              <td data-label=${t(cols[0])}>${dateTime(x.dead_lettered_at)}</td>
              <td data-label=${t(cols[1])}>${named(topicName(x.topic), x.topic)}</td>
              <td class="wide" data-label=${t(cols[2])}><dl class="facts small">
                <dt>${t('ui.ops_dl_key')}</dt><dd><code>${x.key || '—'}</code></dd>
                <dt>${t('ui.ops_dl_type')}</dt><dd><code>${x.ce_type || '—'}</code></dd>
                <dt>${t('ui.ops_dl_id')}</dt><dd><code>${x.ce_id || '—'}</code></dd>
                <dt>${t('ui.ops_dl_where')}</dt><dd>${t('ui.ops_dl_where_v', { topic: x.dlq_topic, partition: x.partition, offset: x.offset })}</dd>
                <dt>${t('ui.ops_dl_group')}</dt><dd>${x.consumer_group ? named(serviceName(x.consumer_group), x.consumer_group) : '—'}</dd>
                <dt>${t('ui.ops_dl_size')}</dt><dd>${t('ui.ops_bytes_n', { n: num(x.payload_bytes, 0) })}</dd>
              </dl></td>
              <td data-label=${t(cols[3])}><span lang="en" class="reason">${x.reason}</span></td>
              <td data-label=${t(cols[4])}><div class="dl-state">
                ${x.replayed_at
                  ? html`<span class="badge good">${t('ui.ops_dl_replayed')}</span>
                    <span class="hint replayed" tabindex="-1" id=${domId(x.id)}>${t('ui.ops_dl_replayed_by', { at: dateTime(x.replayed_at), by: x.replayed_by || '—' })}</span>`
                  : html`<span class="badge warn">${t('ui.ops_dl_pending')}</span>
                    <button type="button" class="primary small" id=${domId(x.id)} @click=${() => replay(x)}
                      aria-label=${t('ui.ops_dl_replay_label', { topic: topicName(x.topic), key: x.key || x.id })}>${t('ui.ops_dl_replay')}</button>`}
              </div></td>
            </tr>`)}</tbody>
          </table>
          ${pager(d.next, (c) => loadDeadLetters(c))}`
        : html`<p class="notice good" data-empty="dead-letter-list">${t('ui.ops_dead_list_none')}</p>`}
  </section>`;
}

const domId = (id) => `dl-${String(id).replace(/[^A-Za-z0-9_-]/g, '_')}`;

async function loadDeadLetters(cursor = '') {
  const d = s.dead;
  const dl = s.overview?.dead_letters;
  d.sig = dl ? `${dl.total}/${dl.pending}` : '';
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (d.topic) q.set('topic', d.topic);
  if (cursor) q.set('cursor', cursor);
  try {
    const page = await get(`/api/v1/ops/dead-letters?${q}`);
    d.items = cursor ? [...d.items, ...(page.items || [])] : page.items || [];
    d.next = page.next_cursor || null;
    d.error = null;
  } catch (err) {
    d.error = err;
  }
  d.loaded = true;
  draw();
}

async function replay(x) {
  const body = html`<dl class="facts">
    <dt>${t('ui.ops_col_topic')}</dt><dd>${named(topicName(x.topic), x.topic)}</dd>
    <dt>${t('ui.ops_dl_key')}</dt><dd><code>${x.key || '—'}</code></dd>
    <dt>${t('ui.ops_col_reason')}</dt><dd><span lang="en">${x.reason}</span></dd>
  </dl>
  <p>${t('ui.ops_dl_replay_once')}</p>`;
  if (!(await confirmDialog(t('ui.ops_dl_replay_confirm'), body))) return;
  const button = document.getElementById(domId(x.id));
  if (button) button.disabled = true;
  try {
    const entry = await post(`/api/v1/ops/dead-letters/${encodeURIComponent(x.id)}/replay`, {});
    s.dead.items = s.dead.items.map((y) => (y.id === x.id ? { ...y, ...entry } : y));
    s.deadMessage = { tone: 'good', text: t('ui.ops_dl_replayed_done', { topic: topicName(x.topic) }) };
    draw();
    announce(s.deadMessage.text);
    document.getElementById(domId(x.id))?.focus();
  } catch (err) {
    if (button) button.disabled = false;
    s.deadMessage = { tone: 'error', text: problemText(err) };
    // Already replayed (409): someone else was quicker; show the list as it is now.
    if (err.status === 409) await loadDeadLetters();
    else draw();
    announce(s.deadMessage.text, 'error');
    document.getElementById('ops-dead-message')?.focus();
  }
}

// ---- cases -------------------------------------------------------------------------------

function caseStatuses(c) {
  return ordered(CASE_STATUSES, Object.keys(c?.cases?.by_status || {}));
}

const TONES = { completed: 'good', approved: 'good', cancelled: 'muted', refused: 'bad', supplement_requested: 'warn' };

function casesView(c) {
  const head = html`<h2 id="ops-cases" tabindex="-1">${t('ui.ops_cases')}</h2>`;
  if (!c) return html`${head}${unavailableCases()}`;
  const cases = c.cases || {};
  const statuses = caseStatuses(c);
  const within = c.work_permit_within_committed_deadline || {};
  const committed = c.seed_figures?.joint_target?.working_days ?? 15;
  const statusSummary = t('ui.ops_cases_summary', {
    total: num(cases.total || 0, 0),
    list: statuses.map((st) => `${code('status', st)} ${num(cases.by_status[st], 0)}`).join(t('ui.ops_list_sep')),
  });
  const statusTable = html`<table class="stack">
      <caption class="muted">${t('ui.ops_cases_by_status')}</caption>
      <thead><tr><th scope="col">${t('ui.ops_col_status')}</th><th scope="col">${t('ui.ops_col_count')}</th></tr></thead>
      <tbody>${statuses.map((st) => html`<tr>
        <td data-label=${t('ui.ops_col_status')}>${badge('status', st)}</td>
        <td data-label=${t('ui.ops_col_count')}>${num(cases.by_status[st], 0)}</td>
      </tr>`)}</tbody>
    </table>`;
  const decided = within.decided || 0;
  const onTimeSummary = decided
    ? t('ui.ops_ontime_summary', { share: pct(within.share), within: num(within.within, 0), decided: num(decided, 0), days: committed })
    : t('ui.ops_ontime_none', { days: committed });
  const onTimeTable = html`<table class="stack">
      <caption class="muted">${t('ui.ops_ontime_caption', { days: committed })}</caption>
      <thead><tr><th scope="col">${t('ui.ops_col_outcome')}</th><th scope="col">${t('ui.ops_col_count')}</th></tr></thead>
      <tbody>
        <tr><td data-label=${t('ui.ops_col_outcome')}>${t('ui.ops_ontime_within', { days: committed })}</td><td data-label=${t('ui.ops_col_count')}>${num(within.within || 0, 0)}</td></tr>
        <tr><td data-label=${t('ui.ops_col_outcome')}>${t('ui.ops_ontime_late', { days: committed })}</td><td data-label=${t('ui.ops_col_count')}>${num(decided - (within.within || 0), 0)}</td></tr>
        <tr><td data-label=${t('ui.ops_col_outcome')}><strong>${t('ui.ops_col_decided')}</strong></td><td data-label=${t('ui.ops_col_count')}>${num(decided, 0)}</td></tr>
      </tbody>
    </table>`;
  return html`${head}
    <div class="grid two">
      ${chartBox('cases', t('ui.ops_cases_by_status'), statusSummary, statusTable)}
      ${chartBox('ontime', t('ui.ops_ontime_caption', { days: committed }), onTimeSummary, onTimeTable)}
    </div>
    ${itemsTable(c)}
    ${daysTable(c, committed)}`;
}

function itemsTable(c) {
  const items = c.items || {};
  const itemNames = ordered(ITEMS, Object.keys(items));
  const statuses = ordered(ITEM_STATUSES, [...new Set(itemNames.flatMap((i) => Object.keys(items[i] || {})))]);
  return html`<h3 id="ops-items-h">${t('ui.ops_items')}</h3>
    <table class="stack" aria-labelledby="ops-items-h">
      <thead><tr>
        <th scope="col">${t('ui.ops_col_item')}</th>
        ${statuses.map((st) => html`<th scope="col">${code('status', st)}</th>`)}
        <th scope="col">${t('ui.ops_col_total')}</th>
      </tr></thead>
      <tbody>${itemNames.map((i) => {
        const counts = items[i] || {};
        return html`<tr>
          <th scope="row" data-label=${t('ui.ops_col_item')}>${code('item', i)}</th>
          ${statuses.map((st) => html`<td data-label=${code('status', st)}>${num(counts[st] || 0, 0)}</td>`)}
          <td data-label=${t('ui.ops_col_total')}>${num(sum(Object.values(counts)), 0)}</td>
        </tr>`;
      })}</tbody>
    </table>`;
}

function daysTable(c, committed) {
  const toDecision = c.working_days_to_decision || {};
  const toCompletion = c.working_days_to_completion || {};
  const row = (label, x) => html`<tr>
    <th scope="row" data-label=${t('ui.ops_col_item')}>${label}</th>
    <td data-label=${t('ui.ops_col_decided')}>${num(x?.count ?? 0, 0)}</td>
    <td data-label=${t('ui.ops_col_median')}>${x?.median === null || x?.median === undefined ? '—' : t('ui.ops_days_n', { n: num(x.median, 1) })}</td>
    <td data-label=${t('ui.ops_col_p90')}>${x?.p90 === null || x?.p90 === undefined ? '—' : t('ui.ops_days_n', { n: num(x.p90, 1) })}</td>
  </tr>`;
  return html`<h3 id="ops-days-h">${t('ui.ops_days')}</h3>
    <p class="hint">${t('ui.ops_days_definition')} ${t('ui.ops_days_committed', { days: committed })}</p>
    <table class="stack" aria-labelledby="ops-days-h">
      <thead><tr>
        <th scope="col">${t('ui.ops_col_item')}</th>
        <th scope="col">${t('ui.ops_col_decided')}</th>
        <th scope="col">${t('ui.ops_col_median')}</th>
        <th scope="col">${t('ui.ops_col_p90')}</th>
      </tr></thead>
      <tbody>
        ${ordered(ITEMS, Object.keys(toDecision)).map((i) => row(code('item', i), toDecision[i]))}
        ${row(t('ui.ops_whole_case'), toCompletion)}
      </tbody>
    </table>`;
}

function casesOption(c) {
  const statuses = caseStatuses(c);
  const by = c?.cases?.by_status || {};
  return {
    ...base(),
    tooltip: tooltip('axis'),
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    title: statuses.length ? { show: false } : noData(t('ui.ops_cases_none')),
    xAxis: valueAxis(),
    yAxis: categoryAxis(statuses.map((st) => code('status', st))),
    series: [{
      id: 'cases', name: t('ui.ops_col_count'), type: 'bar', barMaxWidth: 28,
      data: statuses.map((st) => ({ value: by[st], itemStyle: { color: TONE[TONES[st] || 'neutral'] } })),
      label: { show: true, position: 'right', color: INK },
    }],
  };
}

function onTimeOption(c) {
  const w = c?.work_permit_within_committed_deadline || {};
  const committed = c?.seed_figures?.joint_target?.working_days ?? 15;
  const decided = w.decided || 0;
  const within = w.within || 0;
  return {
    ...base(),
    tooltip: { ...tooltip('item'), formatter: '{b}: {c}' },
    legend: { bottom: 0, left: 'center', textStyle: { color: INK } },
    title: {
      text: decided ? pct(w.share) : t('ui.ops_ontime_no_decisions'), left: 'center', top: '38%',
      textStyle: { color: INK, fontSize: decided ? 26 : 14, fontWeight: 700, fontFamily: FONT },
    },
    series: [{
      id: 'ontime', type: 'pie', radius: ['48%', '70%'], center: ['50%', '45%'], avoidLabelOverlap: true,
      label: { show: false }, itemStyle: { borderColor: '#fff', borderWidth: 2 },
      data: decided
        ? [
          { name: t('ui.ops_ontime_within', { days: committed }), value: within, itemStyle: { color: TONE.good } },
          { name: t('ui.ops_ontime_late', { days: committed }), value: decided - within, itemStyle: { color: TONE.bad } },
        ]
        : [{ name: t('ui.ops_ontime_no_decisions'), value: 1, itemStyle: { color: LINE } }],
    }],
  };
}

// ---- deadlines ---------------------------------------------------------------------------

function deadlinesView(c) {
  const head = html`<h2 id="ops-deadlines" tabindex="-1">${t('ui.ops_deadlines')}</h2>`;
  if (!c) return html`${head}${unavailableCases()}`;
  const d = c.deadlines;
  if (!d) return html`${head}<p class="hint">${t('ui.ops_deadlines_none')}</p>`;
  const items = ordered(ITEMS, Object.keys(d.items || {}));
  const overdue = d.overdue || [];
  return html`${head}
    <p class="hint">${t('ui.ops_deadlines_hint', { n: d.near_working_days, today: date(d.today) })}</p>
    <table class="stack">
      <caption class="muted">${t('ui.ops_deadlines_by_item')}</caption>
      <thead><tr><th scope="col">${t('ui.ops_col_item')}</th><th scope="col">${t('ui.ops_col_near', { n: d.near_working_days })}</th>
        <th scope="col">${t('ui.ops_col_past')}</th></tr></thead>
      <tbody>${items.map((i) => html`<tr>
        <th scope="row" data-label=${t('ui.ops_col_item')}>${code('item', i)}</th>
        <td data-label=${t('ui.ops_col_near', { n: d.near_working_days })}>${d.items[i].near ? html`<span class="badge warn">${num(d.items[i].near, 0)}</span>` : num(0, 0)}</td>
        <td data-label=${t('ui.ops_col_past')}>${d.items[i].past ? html`<span class="badge bad">${num(d.items[i].past, 0)}</span>` : num(0, 0)}</td>
      </tr>`)}</tbody>
    </table>
    <h3 id="ops-overdue-h">${t('ui.ops_overdue')}</h3>
    ${overdue.length
      ? html`<p class="hint">${t('ui.ops_overdue_hint')}</p>
        <table class="stack" aria-labelledby="ops-overdue-h">
          <thead><tr><th scope="col">${t('ui.ops_col_case')}</th><th scope="col">${t('ui.ops_col_item')}</th><th scope="col">${t('ui.ops_col_due')}</th></tr></thead>
          <tbody>${overdue.map((x) => html`<tr>
            <td class="wide" data-label=${t('ui.ops_col_case')}><code class="case-id">${x.case_id}</code></td>
            <td data-label=${t('ui.ops_col_item')}>${code('item', x.item)}</td>
            <td data-label=${t('ui.ops_col_due')}><span>${dueLabel(x.due_on, x.working_days_left)}</span></td>
          </tr>`)}</tbody>
        </table>`
      : html`<p class="notice good">${t('ui.ops_overdue_none')}</p>`}`;
}

// ---- efficiency --------------------------------------------------------------------------

function efficiencyView(c) {
  const head = html`<h2 id="ops-efficiency" tabindex="-1">${t('ui.ops_efficiency')}</h2>`;
  if (!c) return html`${head}${unavailableCases()}`;
  const per = c.per_completed_case || {};
  const target = c.seed_figures?.joint_target || {};
  const before = c.seed_figures?.single_item || {};
  const ratings = c.ratings;
  return html`${head}
    <p class="hint">${t('ui.ops_per_case_hint', { n: num(c.cases?.completed ?? 0, 0) })}</p>
    <table class="stack" id="ops-efficiency-table">
      <caption class="muted">${t('ui.ops_per_case')}</caption>
      <thead><tr>
        <th scope="col">${t('ui.ops_col_figure')}</th>
        <th scope="col">${t('ui.ops_col_before')}</th>
        <th scope="col">${t('ui.ops_col_target')}</th>
        <th scope="col">${t('ui.ops_col_now')}</th>
      </tr></thead>
      <tbody>${FIGURES.map((f) => html`<tr>
        <th scope="row" data-label=${t('ui.ops_col_figure')}>${t(`ui.ops_figure_${f}`)}</th>
        <td data-label=${t('ui.ops_col_before')}>${num(before[f], 0)}</td>
        <td data-label=${t('ui.ops_col_target')}>${num(target[f], 0)}</td>
        <td data-label=${t('ui.ops_col_now')}>${per[f] === null || per[f] === undefined ? t('ui.ops_none_yet') : num(per[f], 2)}</td>
      </tr>`)}</tbody>
    </table>
    <h3>${t('ui.ops_definitions')}</h3>
    <dl class="facts">
      <dt>${t('ui.ops_figure_working_days')}</dt><dd>${t('ui.ops_days_definition')}</dd>
      <dt>${t('ui.ops_figure_trips')}</dt><dd>${t('ui.ops_trips_definition')}</dd>
      <dt>${t('ui.ops_figure_steps')}</dt><dd>${t('ui.ops_steps_definition')}</dd>
      <dt>${t('ui.ops_figure_documents')}</dt><dd>${t('ui.ops_documents_definition')}</dd>
    </dl>
    <p class="hint">${t('ui.ops_source')}</p>
    ${ratings
      ? html`<h3 id="ops-ratings-h">${t('ui.ops_ratings')}</h3>
        <p>${ratings.count ? t('ui.ops_ratings_all', { avg: num(ratings.average, 2), n: num(ratings.count, 0) }) : t('ui.ops_ratings_none')}</p>
        ${Object.keys(ratings.by_item || {}).length
          ? html`<table class="stack" aria-labelledby="ops-ratings-h">
              <thead><tr><th scope="col">${t('ui.ops_col_item')}</th><th scope="col">${t('ui.ops_col_average')}</th><th scope="col">${t('ui.ops_col_ratings')}</th></tr></thead>
              <tbody>${ordered(ITEMS, Object.keys(ratings.by_item)).map((i) => html`<tr>
                <th scope="row" data-label=${t('ui.ops_col_item')}>${code('item', i)}</th>
                <td data-label=${t('ui.ops_col_average')}>${num(ratings.by_item[i].average, 2)}</td>
                <td data-label=${t('ui.ops_col_ratings')}>${num(ratings.by_item[i].count, 0)}</td>
              </tr>`)}</tbody>
            </table>`
          : nothing}`
      : nothing}`;
}

// ---- charts ------------------------------------------------------------------------------

const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

function base() {
  return {
    animation: !reducedMotion(),
    animationDurationUpdate: 400,
    textStyle: { fontFamily: FONT, color: INK, fontSize: 12 },
    aria: { enabled: false },
  };
}

/** Tooltips drawn on the canvas (richText): no HTML with inline styles, which the CSP refuses. */
function tooltip(trigger) {
  return { trigger, renderMode: 'richText', confine: true, axisPointer: { type: 'shadow' }, textStyle: { color: INK, fontFamily: FONT },
    backgroundColor: '#fff', borderColor: MUTED };
}

function valueAxis(name = '') {
  return { type: 'value', minInterval: 1, name, nameTextStyle: { color: MUTED, align: 'left' }, axisLabel: { color: MUTED },
    splitLine: { lineStyle: { color: LINE } } };
}

function categoryAxis(data) {
  // Long names break into lines rather than being cut at a phone's width.
  const width = innerWidth < 720 ? 84 : 140;
  return { type: 'category', data, inverse: true, axisLabel: { color: INK, width, overflow: 'break', lineHeight: 14 },
    axisLine: { lineStyle: { color: MUTED } }, axisTick: { show: false } };
}

function noData(text) {
  return { show: true, text, left: 'center', top: 'middle', textStyle: { color: MUTED, fontSize: 14, fontWeight: 'normal', fontFamily: FONT } };
}

function drawCharts() {
  const o = s.overview;
  if (!echarts || !o) return;
  plot('events', eventsOption(o));
  plot('lag', lagOption(o));
  plot('outbox', outboxOption(o));
  if (o.cases) {
    plot('cases', casesOption(o.cases));
    plot('ontime', onTimeOption(o.cases));
  }
}

/** Draws `option` into #chart-<id>: once per element, again only when the figures changed. */
function plot(id, option) {
  const el = document.getElementById(`chart-${id}`);
  let c = charts.get(id);
  if (c && (!el || c.chart.getDom() !== el)) {
    c.resize.disconnect();
    c.chart.dispose();
    charts.delete(id);
    c = null;
  }
  if (!el) return;
  if (!c) {
    const chart = echarts.init(el, null, { renderer: 'canvas', locale: lang === 'zh' ? 'ZH' : 'EN' });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    c = { chart, resize, sig: '' };
    charts.set(id, c);
  }
  const sig = JSON.stringify(option);
  if (sig === c.sig) return;
  c.sig = sig;
  c.chart.setOption(option, { replaceMerge: ['series'] });
  el.dataset.drawn = 'true';
}
