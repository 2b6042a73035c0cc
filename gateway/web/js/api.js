// The one way the console talks to the gateway: the session cookie goes by itself (HttpOnly,
// the page never sees it); every change carries the CSRF token the sign-in answered.
let csrf = '';
let onSignedOut = () => {};

export function setCsrf(token) { csrf = token || ''; }
export function whenSignedOut(fn) { onSignedOut = fn; }

export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (error && error.code) || (status === 0 ? 'network' : 'http');
    this.field = (error && error.field) || '';
  }
}

export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) init.headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { code: 'network', message: 'no answer from the server' });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data && data.error);
    if (response.status === 401 && !path.endsWith('/session')) onSignedOut(error);
    throw error;
  }
  return { status: response.status, data, headers: response.headers };
}

export const get = (path) => api('GET', path);
export const post = (path, body, headers) => api('POST', path, body === undefined ? {} : body, headers);
