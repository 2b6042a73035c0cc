// Times: UTC from the API, shown in Europe/Amsterdam; countdowns run on the server's clock
// (its offset from this computer is measured at sign-in), never on the computer's alone.
import { language, t } from './i18n.js';

let offsetMs = 0;
export function setServerTime(iso) {
  const server = Date.parse(iso);
  if (!Number.isNaN(server)) offsetMs = server - Date.now();
}
export function serverNow() { return Date.now() + offsetMs; }

export function localTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleString(language() === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: 'Europe/Amsterdam', weekday: 'short', day: 'numeric', month: 'short',
    hour: '2-digit', minute: '2-digit',
  });
}

function span(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

// "in 1 h 20 min", "5 min ago", and whether it has passed.
export function countdown(iso) {
  if (!iso) return { text: '–', passed: false };
  const left = Date.parse(iso) - serverNow();
  return left >= 0 ? { text: t('in_time', { t: span(left) }), passed: false }
                   : { text: t('ago', { t: span(left) }), passed: true };
}

export function stateName(state) {
  const key = `st_${state}`;
  const text = t(key);
  return text === key ? state : text;
}

// An RFC 3339 instant from a datetime-local value (the browser's zone, which the desk sets to
// Europe/Amsterdam).
export function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
