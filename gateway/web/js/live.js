// The live feed (server-sent events from /api/v1/events). The browser reconnects by itself
// and sends the last event id, so the gateway replays what was missed in between.
import { t } from './i18n.js';

let source = null;
const listeners = new Set();
let signedOut = () => {};

// Called when the feed says the session has ended (expired, or signed out elsewhere).
export function whenFeedSignedOut(fn) { signedOut = fn; }

function status(on) {
  const el = document.getElementById('live');
  if (!el) return;
  el.textContent = on ? t('live_on') : t('live_off');
  el.dataset.state = on ? 'on' : 'off';
}

export function startLive() {
  if (source) return;
  source = new EventSource('/api/v1/events');
  source.onopen = () => status(true);
  source.onerror = () => status(false);
  source.onmessage = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    for (const fn of listeners) fn(event);
  };
  source.addEventListener('signed_out', () => { stopLive(); signedOut(); });
}

export function stopLive() {
  if (source) source.close();
  source = null;
  const el = document.getElementById('live');
  if (el) { el.textContent = ''; delete el.dataset.state; }
}

// Calls fn(event) for each event ({id, at, action, report, region, state}); returns a remover.
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
