// The desk (operators): the intake form, the triage of what was just stored, the live board
// of open reports by region and urgency, and a report's detail with its timeline and ranking.
import { get, post } from './api.js';
import { h, show } from './dom.js';
import { t } from './i18n.js';
import { countdown, localTime, stateName } from './format.js';
import { onLive } from './live.js';
import { intakeForm } from './intake.js';

const CLASS_ORDER = { T0: 0, T1: 1, T2: 2, T3: 3, T4: 4 };

export function triagePanel(report) {
  const tr = report.triage || {};
  const yesNo = (b) => (b ? t('yes') : t('no'));
  return h('section', { class: 'card triage', id: 'triage', 'aria-labelledby': 'triage-title' },
    h('h2', { id: 'triage-title' }, t('triage'), ' ', h('span', { class: `badge c-${tr.class}` }, tr.class || ''),
      ' ', tr.class_name || ''),
    h('dl', { class: 'facts' },
      h('dt', {}, t('report')), h('dd', {}, h('a', { href: `#/reports/${encodeURIComponent(report.id)}` }, report.id)),
      h('dt', {}, t('region')), h('dd', {}, report.region || ''),
      h('dt', {}, t('accept_within')), h('dd', {}, tr.accept_within_s ? `${Math.round(tr.accept_within_s / 60)} min` : '–'),
      h('dt', {}, t('first_contact_by')), h('dd', {}, localTime(tr.first_contact_by)),
      h('dt', {}, t('route')), h('dd', {}, tr.route || ''),
      h('dt', {}, t('roles')), h('dd', {}, (tr.roles || []).join(', ')),
      h('dt', {}, t('two_person')), h('dd', {}, yesNo(tr.two_person)),
      h('dt', {}, t('physician')), h('dd', {}, yesNo(tr.physician))),
    h('h3', {}, t('rules_fired')),
    h('ul', { class: 'rules' }, (tr.rules_fired || []).map((r) =>
      h('li', {}, h('strong', {}, r.rule), ` (${r.class}): `, r.reason || ''))));
}

function boardTable(rows) {
  const byRegion = new Map();
  for (const r of rows) {
    if (!byRegion.has(r.region)) byRegion.set(r.region, []);
    byRegion.get(r.region).push(r);
  }
  if (!rows.length) return h('p', { id: 'board-empty' }, t('board_empty'));
  return [...byRegion.keys()].sort().map((region) => {
    const list = byRegion.get(region).sort((a, b) =>
      (CLASS_ORDER[a.class] ?? 9) - (CLASS_ORDER[b.class] ?? 9) || String(a.created_at).localeCompare(String(b.created_at)));
    return h('section', { class: 'region', 'data-region': region },
      h('h3', {}, region),
      h('table', { class: 'board' },
        h('thead', {}, h('tr', {}, [t('class'), t('report'), t('place'), t('state'), t('who_answers'), t('created'),
          t('first_contact_by')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((r) => {
          const due = countdown(r.first_contact_by);
          return h('tr', { 'data-report': r.id, 'data-state': r.state },
            h('td', {}, h('span', { class: `badge c-${r.class}` }, r.class)),
            h('td', {}, h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, r.id)),
            h('td', {}, r.municipality),
            h('td', { class: 'state' }, stateName(r.state)),
            h('td', { class: 'answering' }, (r.assignments || []).map((a, i) =>
              [i ? ', ' : '', h('span', { 'data-state': a.state }, `${a.worker} (${stateName(a.state)})`)])),
            h('td', {}, localTime(r.created_at)),
            h('td', { class: due.passed ? 'late' : '' }, localTime(r.first_contact_by), h('br'),
              h('small', { class: 'countdown', 'data-due': r.first_contact_by || '' }, due.text)));
        }))));
  });
}

export function deskView({ main }) {
  const board = h('section', { id: 'board', class: 'card', 'aria-labelledby': 'board-title', 'aria-busy': 'true' },
    h('h2', { id: 'board-title' }, t('board')));
  const boardBody = h('div', { id: 'board-body' }, t('loading'));
  board.append(boardBody);
  const result = h('div', { id: 'intake-result' });
  let timer = null;

  async function refresh() {
    try {
      const { data } = await get('/api/v1/reports');
      show(boardBody, boardTable(data.reports || []));
      board.setAttribute('aria-busy', 'false');
      board.dataset.loadedAt = String(Date.now());
    } catch (err) {
      show(boardBody, h('p', { class: 'error' }, err.message));
    }
  }
  // Events come in bursts (a report: stored, ranked, alerted): one read for the burst.
  const soon = () => { clearTimeout(timer); timer = setTimeout(refresh, 150); };
  const form = intakeForm({ onStored: (report) => { show(result, triagePanel(report)); soon(); } });
  show(main, h('div', { class: 'desk' }, h('div', { class: 'col' }, form, result), h('div', { class: 'col' }, board)));
  refresh();
  const stopLive = onLive(soon);
  // The countdowns move on their own; the board itself only changes with events.
  const tick = setInterval(() => {
    for (const el of boardBody.querySelectorAll('.countdown')) el.textContent = countdown(el.dataset.due).text;
  }, 30000);
  return () => { stopLive(); clearInterval(tick); clearTimeout(timer); };
}

function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))));
}

// The desk overrides the triage with a reason; the rules' result stays on the report.
function overrideForm(r, reload) {
  const cls = h('select', { id: 'override-class' }, ['T0', 'T1', 'T2', 'T3', 'T4'].map((c) => h('option', { value: c }, c)));
  cls.value = r.class;
  const reason = h('input', { id: 'override-reason', required: true, 'aria-describedby': 'override-reason-error' });
  const error = h('span', { id: 'override-reason-error', class: 'field-error', role: 'alert' });
  const form = h('form', { id: 'triage-override', class: 'card', novalidate: true }, h('h2', {}, t('override_triage')),
    h('label', { for: 'override-class' }, t('class')), cls,
    h('label', { for: 'override-reason' }, t('override_reason')), reason, error,
    h('button', { type: 'submit' }, t('save_triage')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!reason.value.trim()) { error.textContent = t('required'); reason.focus(); return; }
    try {
      await post(`/api/v1/reports/${encodeURIComponent(r.id)}/triage`, { class: cls.value, reason: reason.value.trim() });
      reload();
    } catch (err) {
      error.textContent = t('error_field', { field: err.field || err.code, message: err.message });
    }
  });
  return form;
}

export function reportView({ main, has }, id) {
  const box = h('article', { id: 'report', class: 'report', 'aria-busy': 'true' }, t('loading'));
  const back = has('operator') ? h('a', { href: '#/desk' }, t('back_to_board'))
                               : h('a', { href: '#/mine' }, t('mine_title'));
  show(main, back, box);
  let timer = null;

  async function load() {
    try {
      const { data } = await get(`/api/v1/reports/${encodeURIComponent(id)}?purpose=console`);
      draw(data);
    } catch (err) {
      show(box, h('p', { class: 'error', id: 'report-error' }, err.status === 404 ? t('not_found') : err.message));
    }
    box.setAttribute('aria-busy', 'false');
  }

  function draw(r) {
    const report = r.report || {};
    const ranking = r.ranking || {};
    show(box,
      h('h1', {}, t('report_detail', { id: r.id }), ' ', h('span', { class: `badge c-${r.class}` }, r.class)),
      h('dl', { class: 'facts' },
        h('dt', {}, t('state')), h('dd', { id: 'report-state', 'data-state': r.state }, stateName(r.state)),
        h('dt', {}, t('region')), h('dd', {}, r.region),
        h('dt', {}, t('place')), h('dd', {}, r.municipality),
        h('dt', {}, t('first_contact_by')), h('dd', {}, localTime(r.first_contact_by), ' (', countdown(r.first_contact_by).text, ')'),
        report.address ? [h('dt', {}, t('address')), h('dd', {}, report.address)] : null,
        report.reporter ? [h('dt', {}, t('reporter')),
          h('dd', { id: 'report-reporter' }, [report.reporter.name, report.reporter.organisation, report.reporter.phone].filter(Boolean).join(' · '))] : null),
      report.narrative ? [h('h2', {}, t('narrative')), h('p', { id: 'report-narrative', class: 'narrative' }, report.narrative)] : null,
      triagePanel(r),
      has('operator') && !['closed', 'referred', 'converted'].includes(r.state) ? overrideForm(r, load) : null,
      h('h2', {}, t('assignments')),
      table([t('worker'), t('state'), t('step'), t('deadline'), t('reason')],
        (r.assignments || []).map((a) => [a.worker, stateName(a.state), String(a.step), localTime(a.deadline), a.reason]),
        { id: 'assignments' }),
      h('h2', {}, t('ranking')),
      table([t('position'), t('worker'), t('score'), t('reasons')],
        (ranking.ranked || []).map((c) => [String(c.position), c.worker_id, Number(c.score).toFixed(1),
          h('ul', {}, (c.reasons || []).map((x) => h('li', {}, typeof x === 'string' ? x : JSON.stringify(x))))]),
        { id: 'ranking' }),
      (ranking.excluded || []).length ? [h('h3', {}, t('excluded')),
        h('ul', {}, ranking.excluded.map((e) => h('li', {}, `${e.worker_id}: ${e.reason}`)))] : null,
      r.visit ? [h('h2', {}, t('visit')), h('p', {}, localTime(r.visit.start), ' – ', localTime(r.visit.end), ' · ',
        (r.visit.workers || []).join(', '))] : null,
      r.timeline ? [h('h2', {}, t('timeline')),
        table([t('at'), t('actor'), t('action'), t('detail')],
          r.timeline.map((e) => [localTime(e.at), e.actor, e.action, e.detail]), { id: 'timeline' })] : null);
  }

  load();
  const stop = onLive((event) => {
    if (event.report === id) { clearTimeout(timer); timer = setTimeout(load, 150); }
  });
  return () => { stop(); clearTimeout(timer); };
}
