// Team leads and managers (and the desk, read-only): who is on call now per region, the
// week's shifts of a region, leave (with the coverage gaps it makes) and overrides that the
// working-time rules may refuse, forced only with a reason.
import { get, post } from './api.js';
import { h, show } from './dom.js';
import { t } from './i18n.js';
import { fromLocalInput, localTime } from './format.js';

function table(id, headers, rows) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))));
}

function field(id, label, input) {
  input.id = id;
  input.name = id;
  return [h('label', { for: id }, label), input, h('span', { class: 'field-error', id: `${id}-error` })];
}

function workerSelect(workers, region) {
  return h('select', {}, workers.filter((w) => !region || w.region === region)
    .map((w) => h('option', { value: w.id }, `${w.id} · ${w.name || ''}`)));
}

function showProblem(form, err) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const slot = err.field && form.querySelector(`#${CSS.escape(err.field)}-error`);
  if (slot) slot.textContent = err.message;
}

function gapsList(gaps) {
  if (!gaps || !gaps.length) return h('p', { class: 'gaps' }, t('no_gaps'));
  return h('div', { class: 'gaps' }, h('h3', {}, t('gaps_created')),
    h('ul', {}, gaps.map((g) => h('li', {}, `${g.region || ''} ${g.role || ''} ${g.duty || ''}: `,
      localTime(g.start), ' – ', localTime(g.end)))));
}

function violationsList(list) {
  return h('div', { class: 'violations', id: 'violations' }, h('h3', {}, t('violations')),
    h('ul', {}, (list || []).map((v) => h('li', {}, `${v.worker_id || v.worker || ''} · ${v.rule || ''}: `,
      v.figure !== undefined ? String(v.figure) : '', v.limit !== undefined ? ` / ${v.limit}` : '',
      ' (', localTime(v.start), ' – ', localTime(v.end), ')'))));
}

function leaveForm(workers, toast, done) {
  const worker = workerSelect(workers);
  const start = h('input', { type: 'datetime-local', required: true });
  const end = h('input', { type: 'datetime-local', required: true });
  const category = h('select', {}, ['holiday', 'sick', 'training', 'other'].map((c) => h('option', { value: c }, t(`cat_${c}`))));
  const result = h('div', { id: 'leave-result', role: 'status' });
  const form = h('form', { id: 'leave', class: 'card', novalidate: true }, h('h2', {}, t('leave_title')),
    field('worker_id', t('worker'), worker), field('start', t('leave_start'), start),
    field('end', t('leave_end'), end), field('category', t('category'), category),
    h('button', { type: 'submit', class: 'primary' }, t('save_leave')), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const { data } = await post('/api/v1/roster/leave', { worker_id: worker.value, start: fromLocalInput(start.value),
        end: fromLocalInput(end.value), category: category.value });
      showProblem(form, {});
      show(result, h('p', {}, t('leave_saved')), gapsList(data.gaps_created));
      done();
    } catch (err) {
      showProblem(form, err);
      show(result, h('p', { class: 'error' }, t('error_field', { field: err.field || err.code, message: err.message })));
    }
  });
  return form;
}

function overrideForm(workers, regions, toast, done) {
  const kind = h('select', {}, ['add', 'replace'].map((k) => h('option', { value: k }, t(`ov_${k}`))));
  const region = h('select', {}, regions.map((r) => h('option', { value: r }, r)));
  const duty = h('select', {}, ['on_call', 'shift'].map((d) => h('option', { value: d }, t(`duty_${d}`))));
  const worker = workerSelect(workers);
  const replaced = workerSelect(workers);
  const start = h('input', { type: 'datetime-local', required: true });
  const end = h('input', { type: 'datetime-local', required: true });
  const result = h('div', { id: 'override-result', role: 'status' });
  const form = h('form', { id: 'override', class: 'card', novalidate: true }, h('h2', {}, t('override_title')),
    field('kind', t('kind'), kind), field('region', t('region'), region), field('duty', t('duty'), duty),
    field('worker_id', t('worker'), worker), field('replaced_worker_id', t('replaced_worker'), replaced),
    field('ov_start', t('leave_start'), start), field('ov_end', t('leave_end'), end),
    h('button', { type: 'submit', class: 'primary' }, t('save_override')), result);
  const send = async (force) => {
    const body = { kind: kind.value, region: region.value, duty: duty.value, worker_id: worker.value,
      start: fromLocalInput(start.value), end: fromLocalInput(end.value) };
    if (kind.value === 'replace') body.replaced_worker_id = replaced.value;
    if (force) Object.assign(body, { force: true, force_reason: force });
    try {
      const { data } = await post('/api/v1/roster/overrides', body);
      show(result, h('p', {}, t('override_saved')), gapsList(data.gaps_created),
        (data.violations || []).length ? violationsList(data.violations) : null);
      done();
    } catch (err) {
      if (err.status === 409 && err.field === 'working_time') {
        // Refused by the working-time rules: say which, and offer to force it with a reason.
        const reason = h('input', { id: 'force-reason', required: true });
        const again = h('button', { type: 'button', class: 'danger', id: 'force' }, t('force'));
        again.addEventListener('click', () => { if (reason.value.trim()) send(reason.value.trim()); else reason.focus(); });
        show(result, h('p', { class: 'error' }, err.message),
          h('label', { for: 'force-reason' }, t('force_reason')), reason, again);
        reason.focus();
      } else {
        show(result, h('p', { class: 'error' }, t('error_field', { field: err.field || err.code, message: err.message })));
      }
    }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); send(''); });
  return form;
}

export function rosterView({ main, has, toast }) {
  const oncall = h('section', { id: 'oncall', class: 'card', 'aria-busy': 'true' }, h('h2', {}, t('oncall_now')));
  const shifts = h('section', { id: 'shifts', class: 'card' }, h('h2', {}, t('shifts_week')));
  const forms = h('div', { class: 'col' });
  show(main, h('h1', {}, t('roster_title')), h('div', { class: 'roster' }, h('div', { class: 'col' }, oncall, shifts), forms));

  async function load() {
    let workers = [];
    try { workers = (await get('/api/v1/workers')).data.workers || []; } catch (err) { toast(err.message, 'error'); }
    const regions = [...new Set(workers.map((w) => w.region))].sort();
    const blocks = await Promise.all(regions.map(async (region) => {
      try {
        const { data } = await get(`/api/v1/oncall?region=${encodeURIComponent(region)}`);
        const rows = (data.on_call || []).map((e) => [String(e.position), e.worker_id,
          `${localTime(e.shift_start)} – ${localTime(e.shift_end)}`, e.reason]);
        return h('div', { 'data-region': region }, h('h3', {}, region),
          rows.length ? table(`oncall-${region}`, [t('position'), t('worker'), t('shift'), t('reason')], rows)
                      : h('p', { class: 'late' }, t('nobody_on_call')));
      } catch (err) {
        return h('div', {}, h('h3', {}, region), h('p', { class: 'error' }, err.message));
      }
    }));
    show(oncall, h('h2', {}, t('oncall_now')), blocks);
    oncall.setAttribute('aria-busy', 'false');

    const pick = h('select', { id: 'shift-region' }, regions.map((r) => h('option', { value: r }, r)));
    const body = h('div', {});
    const drawShifts = async () => {
      try {
        const { data } = await get(`/api/v1/roster/shifts?region=${encodeURIComponent(pick.value)}`);
        show(body, table('shift-table', [t('worker'), t('duty'), t('leave_start'), t('leave_end'), t('reason')],
          (data.shifts || []).map((s) => [s.worker_id, t(`duty_${s.duty}`), localTime(s.start), localTime(s.end), s.why || s.source])));
      } catch (err) { show(body, h('p', { class: 'error' }, err.message)); }
    };
    pick.addEventListener('change', drawShifts);
    show(shifts, h('h2', {}, t('shifts_week')), h('label', { for: 'shift-region' }, t('region')), pick, body);
    if (regions.length) drawShifts();
    // Drawn once: a saved change refreshes the tables, not the answer shown under the form.
    if (has('manager') && !forms.firstChild) show(forms, leaveForm(workers, toast, load), overrideForm(workers, regions, toast, load));
  }
  load();
}
