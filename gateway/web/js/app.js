// The console's shell: who is signed in, the menu their roles give, the language and theme,
// and the screen for the address (#/desk, #/reports/<id>, #/mine, #/visits/<id>, #/roster).
import { api, get, setCsrf, whenSignedOut } from './api.js';
import { h, show } from './dom.js';
import { applyStatic, language, setLanguage, t } from './i18n.js';
import { setServerTime } from './format.js';
import { startLive, stopLive, whenFeedSignedOut } from './live.js';
import { deskView, reportView } from './desk.js';
import { mineView, visitView } from './worker.js';
import { rosterView } from './roster.js';

const main = document.getElementById('main');
let session = null;  // {principal, csrf_token}
let leaveView = () => {};

const has = (role) => !!session && (session.principal.roles || []).includes(role);

function homeFor() {
  if (has('operator')) return '#/desk';
  if (has('worker')) return '#/mine';
  if (has('manager') || has('team_lead')) return '#/roster';
  return '#/desk';
}

function renderNav() {
  const nav = document.getElementById('nav');
  const items = [];
  if (has('operator')) items.push(['#/desk', 'nav_desk']);
  if (has('worker')) items.push(['#/mine', 'nav_mine']);
  if (has('manager') || has('team_lead') || has('operator')) items.push(['#/roster', 'nav_roster']);
  const here = location.hash.split('/').slice(0, 2).join('/');
  show(nav, items.map(([href, key]) =>
    h('a', { href, 'aria-current': here === href ? 'page' : null }, t(key))));
  document.getElementById('who').textContent = session ? session.principal.id : '';
  document.getElementById('sign-out').hidden = !session;
}

export function toast(text, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = !text;
}

// To a screen: through the address (hashchange draws it), or at once when it is already there.
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signInView() {
  const error = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' });
  const user = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password',
                                autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('sign_in'));
  const otp = h('input', { id: 'otp', name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code',
                           pattern: '[0-9]{6}', maxlength: '6' });
  const secondFactor = h('fieldset', { class: 'second-factor', disabled: true },
    h('legend', {}, t('second_factor')),
    h('label', { for: 'otp' }, t('code')), otp,
    h('p', { class: 'hint' }, t('second_factor_note')));
  const form = h('form', { class: 'card narrow', id: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, t('sign_in_title')),
    h('label', { for: 'user' }, t('user')), user,
    h('label', { for: 'password' }, t('password')), password,
    // The second factor: the field is disabled until the API asks for it (field "otp").
    secondFactor,
    error, button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      const body = { user: user.value.trim(), password: password.value };
      if (!secondFactor.disabled && otp.value.trim()) body.otp = otp.value.trim();
      const { data } = await api('POST', '/api/v1/session', body);
      await begin(data);
      go(homeFor());
    } catch (err) {
      if (err.field === 'otp' && (err.status === 401 || err.status === 403)) {
        // The account signs in with a code (401), or must have one enrolled first (403).
        secondFactor.disabled = false;
        error.textContent = err.status === 401 && secondFactor.dataset.asked ? t('wrong_code') : err.message;
        secondFactor.dataset.asked = '1';
        otp.focus();
      } else {
        error.textContent = err.status === 401 ? t('wrong_password') : err.message;
      }
    } finally {
      button.disabled = false;
    }
  });
  show(main, form);
  user.focus();
}

async function begin(data) {
  session = data;
  setCsrf(data.csrf_token);
  try {
    const health = await fetch('/healthz', { credentials: 'same-origin' }).then((r) => r.json());
    if (health.time) setServerTime(health.time);
  } catch { /* countdowns fall back to this computer's clock */ }
  if (has('operator') || has('worker')) startLive();
}

function signedOut(message) {
  session = null;
  setCsrf('');
  stopLive();
  renderNav();
  signInView();
  if (message) toast(message, 'error');
}

function route() {
  leaveView();
  leaveView = () => {};
  toast('');
  renderNav();
  if (!session) return signInView();
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const ctx = { main, session, has, toast };
  let leave;
  switch (parts[0]) {
    case 'desk': leave = deskView(ctx); break;
    case 'reports': leave = reportView(ctx, decodeURIComponent(parts[1] || '')); break;
    case 'mine': leave = mineView(ctx); break;
    case 'visits': leave = visitView(ctx, decodeURIComponent(parts[1] || '')); break;
    case 'roster': leave = rosterView(ctx); break;
    default: go(homeFor()); return;
  }
  if (typeof leave === 'function') leaveView = leave;
  main.focus({ preventScroll: true });
}

function theme(next) {
  document.documentElement.dataset.theme = next;
  localStorage.setItem('piket.theme', next);
}

async function boot() {
  applyStatic();
  theme(localStorage.getItem('piket.theme') || 'dark');
  const lang = document.getElementById('lang');
  lang.value = language();
  lang.addEventListener('change', () => { setLanguage(lang.value); route(); });
  document.getElementById('theme').addEventListener('click', () =>
    theme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
  document.getElementById('sign-out').addEventListener('click', async () => {
    try { await api('DELETE', '/api/v1/session'); } catch { /* ended anyway */ }
    signedOut('');
  });
  whenSignedOut(() => signedOut(t('signed_out')));
  whenFeedSignedOut(() => signedOut(t('signed_out')));
  window.addEventListener('hashchange', route);
  try {
    const { data } = await get('/api/v1/session');
    await begin(data);
  } catch { session = null; }
  route();
  document.body.dataset.ready = 'true';  // for the browser tests: the first screen is drawn
}

boot();
