// The professional's screens, made for a phone: my open alerts with one tap to accept or
// decline, the visit plan, check-ins (with "need help") and the outcome with consent steps.
import { get, post } from './api.js';
import { h, show } from './dom.js';
import { t } from './i18n.js';
import { countdown, localTime, stateName } from './format.js';
import { onLive } from './live.js';

function card(a, reload, toast) {
  const due = countdown(a.deadline);
  const buttons = [];
  if (a.state === 'alerted') {
    const accept = h('button', { type: 'button', class: 'primary big', 'data-action': 'accept' }, t('accept'));
    const decline = h('button', { type: 'button', class: 'big', 'data-action': 'decline' }, t('decline'));
    const answer = async (what) => {
      accept.disabled = decline.disabled = true;
      try {
        await post(`/api/v1/assignments/${encodeURIComponent(a.id)}/${what}`, {});
        toast(what === 'accept' ? t('accepted_msg') : t('declined_msg'));
      } catch (err) {
        toast(err.message, 'error');
      }
      reload();
    };
    accept.addEventListener('click', () => answer('accept'));
    decline.addEventListener('click', () => answer('decline'));
    buttons.push(accept, decline);
  }
  if (a.visit) buttons.push(h('a', { class: 'button big', href: `#/visits/${encodeURIComponent(a.visit)}` }, t('open_visit')));
  return h('li', { class: 'alert-card', 'data-assignment': a.id, 'data-state': a.state },
    h('div', { class: 'line' }, h('span', { class: `badge c-${a.class}` }, a.class), ' ',
      h('strong', {}, a.municipality), ' · ', a.region),
    h('div', { class: 'line' }, t('state'), ': ', h('span', { class: 'state' }, stateName(a.state)),
      a.state === 'alerted' ? [' · ', t('deadline'), ' ', h('span', { class: due.passed ? 'late' : '' }, due.text)] : null),
    h('div', { class: 'line' }, h('a', { href: `#/reports/${encodeURIComponent(a.report)}` }, a.report)),
    h('div', { class: 'buttons' }, buttons));
}

// The worker's own shifts of the coming week and a private calendar feed for their phone.
function myRoster(toast) {
  const body = h('div', { id: 'my-shifts' }, t('loading'));
  const feed = h('p', { id: 'ical' });
  const make = h('button', { type: 'button', id: 'make-ical' }, t('calendar_link'));
  make.addEventListener('click', async () => {
    try {
      const { data } = await post('/api/v1/roster/ical-feeds', {});
      const url = new URL(data.url, location.origin).href;
      show(feed, h('a', { id: 'ical-link', href: url }, url), h('br'), h('small', { class: 'hint' }, t('calendar_hint')));
    } catch (err) { toast(err.message, 'error'); }
  });
  get('/api/v1/roster/shifts').then(({ data }) => {
    const shifts = data.shifts || [];
    show(body, shifts.length
      ? h('ul', {}, shifts.map((s) => h('li', {}, localTime(s.start), ' – ', localTime(s.end), ' · ', s.region, ' · ', t(`duty_${s.duty}`))))
      : h('p', {}, t('no_shifts')));
  }).catch((err) => show(body, h('p', { class: 'error' }, err.message)));
  return h('section', { class: 'card' }, h('h2', {}, t('my_roster')), body, make, feed);
}

export function mineView({ main, toast }) {
  const list = h('ul', { id: 'mine', class: 'cards', 'aria-live': 'polite' });
  show(main, h('section', { class: 'phone' }, h('h1', {}, t('mine_title')), h('p', { class: 'hint' }, t('phone_hint')), list,
    myRoster(toast)));
  let timer = null;
  async function reload() {
    try {
      const { data } = await get('/api/v1/assignments');
      const rows = data.assignments || [];
      show(list, rows.length ? rows.map((a) => card(a, reload, toast)) : h('li', { id: 'mine-empty' }, t('mine_empty')));
      list.dataset.loadedAt = String(Date.now());
    } catch (err) {
      show(list, h('li', { class: 'error' }, err.message));
    }
  }
  reload();
  const stop = onLive(() => { clearTimeout(timer); timer = setTimeout(reload, 150); });
  return () => { stop(); clearTimeout(timer); };
}

const ROUTES = ['closed_no_further_help', 'crisis_intervention', 'save_team', 'local_team',
  'veilig_thuis_investigation', 'child_protection_board_request'];
const CONSENT = ['contact', 'visit', 'safety_agreements', 'referral', 'information_sharing'];

function outcomeForm(reportId, toast, done) {
  const route = h('select', { id: 'outcome-route' }, ROUTES.map((r) => h('option', { value: r }, t(`rt_${r}`))));
  const box = (id, label) => {
    const input = h('input', { type: 'checkbox', id });
    return [input, h('span', { class: 'check' }, input, h('label', { for: id }, label))];
  };
  const [safety, safetyRow] = box('outcome-safety', t('safety_agreements'));
  const [police, policeRow] = box('outcome-police', t('police_involved'));
  const consent = CONSENT.map((step) => box(`consent-${step}`, t(`cs_${step}`)));
  const note = h('textarea', { id: 'outcome-note', rows: 3 });
  const error = h('p', { class: 'error', role: 'alert', id: 'outcome-error' });
  const form = h('form', { id: 'outcome', class: 'card' },
    h('h2', {}, t('outcome_form')),
    h('label', { for: 'outcome-route' }, t('route')), route, safetyRow, policeRow,
    h('fieldset', {}, h('legend', {}, t('consent')), consent.map(([, row]) => row)),
    h('label', { for: 'outcome-note' }, t('note')), note, error,
    h('button', { type: 'submit', class: 'primary big' }, t('save_outcome')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = { route: route.value, safety_agreements: safety.checked, police_involved: police.checked,
      consent: CONSENT.map((step, i) => ({ step, given: consent[i][0].checked })) };
    if (note.value.trim()) body.note = note.value;
    try {
      await post(`/api/v1/reports/${encodeURIComponent(reportId)}/outcome`, body);
      toast(t('outcome_saved'));
      // The case is finished: the form gives way to what was saved (a reread may be refused
      // now that the report is closed).
      form.replaceWith(h('p', { id: 'outcome-done' }, t('outcome_saved')));
      done();
    } catch (err) {
      error.textContent = t('error_field', { field: err.field || err.code, message: err.message });
    }
  });
  return form;
}

export function visitView({ main, toast }, id) {
  const box = h('section', { id: 'visit', class: 'phone', 'aria-busy': 'true' }, t('loading'));
  show(main, h('a', { href: '#/mine' }, t('mine_title')), box);
  async function load() {
    let v;
    try {
      ({ data: v } = await get(`/api/v1/visits/${encodeURIComponent(id)}?purpose=visit`));
    } catch (err) {
      show(box, h('p', { class: 'error' }, err.status === 404 ? t('not_found') : err.message));
      return;
    }
    const c = v.case || {};
    const report = c.report || {};
    const checkin = (status) => {
      const b = h('button', { type: 'button', class: status === 'need_help' ? 'danger big' : 'big',
                              'data-checkin': status }, t(`ci_${status}`));
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          await post(`/api/v1/visits/${encodeURIComponent(id)}/checkin`, { status });
          toast(t('checked_in', { s: t(`ci_${status}`) }));
        } catch (err) { toast(err.message, 'error'); }
        load();
      });
      return b;
    };
    show(box,
      h('h1', {}, t('visit'), ' ', h('span', { class: `badge c-${c.class}` }, c.class || '')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('visit_start')), h('dd', { id: 'visit-start' }, localTime(v.start)),
        h('dt', {}, t('visit_end')), h('dd', {}, localTime(v.end)),
        h('dt', {}, t('workers')), h('dd', {}, (v.workers || []).join(', ')),
        h('dt', {}, t('place')), h('dd', {}, c.municipality || ''),
        report.address ? [h('dt', {}, t('address')), h('dd', {}, report.address)] : null,
        h('dt', {}, t('state')), h('dd', { id: 'visit-state' }, stateName(v.state))),
      report.narrative ? h('p', { class: 'narrative' }, report.narrative) : null,
      h('h2', {}, t('checkin')),
      h('div', { class: 'buttons' }, ['arrived', 'ok', 'done', 'need_help'].map(checkin)),
      h('ul', { id: 'checkins' }, (v.checkins || []).map((x) => h('li', {}, localTime(x.at), ' ', x.status ? t(`ci_${x.status}`) : ''))),
      c.state === 'closed' || c.state === 'referred'
        ? h('p', { id: 'outcome-done' }, t('outcome'), ': ', stateName(c.state))
        : outcomeForm(c.id, toast, () => {}));
    box.setAttribute('aria-busy', 'false');
  }
  load();
}
