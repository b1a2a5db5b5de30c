// Calls of the public JSON API from a signed-in page: the session cookie goes along by
// itself; commands add the session's CSRF token. Errors arrive as problem+json (ApiError).

import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || { status, title: `HTTP ${status}` };
  }
  /** The problem's slug: the last part of its `type`. */
  get slug() {
    return String(this.problem.type || '').split('/').pop() || String(this.status);
  }
}

function headers(method, extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  if (method !== 'GET' && session?.csrf) h['X-CSRF-Token'] = session.csrf;
  return h;
}

async function answer(r) {
  const type = r.headers.get('content-type') || '';
  const body = type.includes('json') ? await r.json().catch(() => null) : null;
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

/** fetch, with a network failure as ApiError(0): the callers keep an Idempotency-Key for it. */
async function request(path, init) {
  let r;
  try {
    r = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError(0, { title: 'network', type: 'network' });
  }
  return answer(r);
}

export async function get(path) {
  return request(path, { headers: headers('GET') });
}

/** A JSON command; `key` is an Idempotency-Key for creating POSTs. */
export async function send(method, path, body, { key } = {}) {
  const extra = { 'Content-Type': 'application/json' };
  if (key) extra['Idempotency-Key'] = key;
  return request(path, { method, headers: headers(method, extra), body: JSON.stringify(body ?? {}) });
}

export const post = (path, body, opts) => send('POST', path, body, opts);

/** Uploads one file as a material, reporting progress (0..1). XHR: fetch has no upload progress. */
export function upload(kind, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/materials?kind=${encodeURIComponent(kind)}`);
    for (const [k, v] of Object.entries(headers('POST', { 'Content-Type': file.type || 'application/octet-stream' }))) {
      xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { title: 'network', type: 'network' }));
    xhr.send(file);
  });
}

/** A fresh Idempotency-Key for one attempt of a form. */
export const newKey = () => crypto.randomUUID();
