// The message catalog (web/catalog/*.json: codes from the API and the pages' own text) and
// the formats of dates and times, always in Beijing time.

let catalog = {};
export let lang = 'zh';
/** Keys asked for but missing: the browser tests fail when one appears. */
export const missing = new Set();
window.__onethingMissing = missing;

export async function loadCatalog(htmlLang) {
  lang = htmlLang.startsWith('zh') ? 'zh' : 'en';
  const parts = await Promise.all(
    ['codes', 'ui'].map((f) => fetch(`/assets/catalog/${f}.json`).then((r) => (r.ok ? r.json() : {}))),
  );
  catalog = Object.assign({}, ...parts);
}

/** The text of `key` in the page's language, `{name}` replaced from `vars`. */
export function t(key, vars = {}) {
  const entry = catalog[key];
  if (!entry) {
    missing.add(key);
    return key;
  }
  let s = entry[lang] ?? entry.zh;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** Whether the catalog has `key` (for codes that may be new to the pages). */
export const has = (key) => key in catalog;

/** A code of the API in words: `code('status', 'in_review')`. */
export const code = (ns, c) => (c === undefined || c === null || c === '' ? '—' : t(`${ns}.${c}`));

const TZ = 'Asia/Shanghai';
const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB');

/** An RFC 3339 instant in Beijing time, e.g. 2026-12-01 09:30 (北京时间). */
export function dateTime(rfc3339) {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const f = new Intl.DateTimeFormat(locale(), {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
  return `${f.format(d)} ${t('ui.beijing_time')}`;
}

/** A calendar date (YYYY-MM-DD, already a China date) in the page's language. */
export function date(ymd) {
  if (!ymd) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  return lang === 'zh' ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : ymd;
}

/** Today's date in Beijing, YYYY-MM-DD. */
export function todayBeijing() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
}

/** Whole CNY with thousands separators. */
export const money = (n) => (n === undefined || n === null ? '—' : `¥${Number(n).toLocaleString(locale())}`);

/** A `{zh, en}` text of the API in the page's language. */
export const txt = (o) => (o ? o[lang] || o.zh || o.en || '' : '');
