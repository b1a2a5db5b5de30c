// The message catalog's own check, for the web tests (no dependencies):
//
//   import { missingTranslations } from '../catalog/check.mjs';
//   assert.deepEqual(missingTranslations(), []);
//
// or `node web/catalog/check.mjs` (exit status 1 when something is missing).
//
// The catalog is codes.json (every code the API shows a person, checked against the Rust
// code by crates/domain/src/catalog.rs) and the pages' own text in ui.json and ui-*.json,
// all of one shape: {"<namespace>.<key>": {"zh": "...", "en": "..."}}.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export const LANGUAGES = ['zh', 'en'];

/** The catalog's files in `dir`: codes.json first, then ui.json and ui-*.json if present. */
export function catalogFiles(dir = HERE) {
  const ui = existsSync(dir) ? readdirSync(dir).filter((f) => /^ui(-[a-z0-9-]+)?\.json$/.test(f)).sort() : [];
  return ['codes.json', ...ui].filter((f) => existsSync(join(dir, f)));
}

/** Every file's entries: [{file, entries}], parsed (a file that is not JSON throws). */
export function loadFiles(dir = HERE) {
  return catalogFiles(dir).map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    let entries;
    try {
      entries = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: ${e.message}`);
    }
    if (!entries || typeof entries !== 'object' || Array.isArray(entries)) throw new Error(`${file}: not one object`);
    return { file, entries };
  });
}

/** The whole catalog as the pages see it: one object, later files overriding earlier ones. */
export function loadCatalog(dir = HERE) {
  return Object.assign({}, ...loadFiles(dir).map((f) => f.entries));
}

/**
 * Keys whose zh or en text is missing or blank: [{file, key, missing: ['en']}], in file
 * order. Also lists a key that is in two files (`missing: ['unique']`), since the later
 * file silently wins in the browser.
 */
export function missingTranslations(dir = HERE) {
  const problems = [];
  const seen = new Map();
  for (const { file, entries } of loadFiles(dir)) {
    for (const [key, value] of Object.entries(entries)) {
      const missing = LANGUAGES.filter((l) => typeof value?.[l] !== 'string' || value[l].trim() === '');
      if (seen.has(key)) missing.push('unique');
      else seen.set(key, file);
      if (missing.length) problems.push({ file, key, missing });
    }
  }
  return problems;
}

/** The keys among `keys` that the catalog does not have (for keys a page asks for). */
export function unknownKeys(keys, dir = HERE) {
  const catalog = loadCatalog(dir);
  return [...new Set(keys)].filter((k) => !(k in catalog));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = missingTranslations(process.argv[2] || HERE);
  for (const p of problems) {
    const what = p.missing.map((m) => (m === 'unique' ? 'also in an earlier file' : `no ${m}`)).join(', ');
    console.error(`${p.file}: ${p.key}: ${what}`);
  }
  const n = Object.keys(loadCatalog(process.argv[2] || HERE)).length;
  console.log(problems.length ? `${problems.length} problem(s) in ${n} keys` : `${n} keys, each in zh and en`);
  process.exit(problems.length ? 1 : 0);
}
