// The intake form: checks as the operator types, keeps a draft in this browser (it survives a
// reload and a lost connection), and sends one Idempotency-Key per draft, so submitting again
// after an unanswered try never stores the report twice.
import { api } from './api.js';
import { h, show } from './dom.js';
import { t } from './i18n.js';
import { fromLocalInput } from './format.js';

const DRAFT = 'piket.draft';
const SOURCES = ['police', 'professional', 'citizen', 'school', 'hospital', 'restraining_order'];
const INDICATORS = ['violence_now', 'weapon', 'threat_to_kill', 'injury', 'injury_young_child', 'child_alone',
  'honour_based_violence', 'separation_with_threats', 'known_aggression', 'sexual_abuse',
  'human_trafficking', 'elder_abuse', 'intellectual_disability', 'concern'];
const LIMITS = { municipality: 100, family_reference: 64, address: 200, narrative: 20000,
  reporter_name: 200, reporter_phone: 40, reporter_organisation: 200 };

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'console-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function loadDraft() {
  try { return JSON.parse(localStorage.getItem(DRAFT)) || null; } catch { return null; }
}

// Field id -> the message shown under it ('' when fine).
export function checkValues(v) {
  const problems = {};
  if (v.kind !== 'advice' && !v.municipality.trim()) problems.municipality = t('required');
  for (const [field, max] of Object.entries(LIMITS))
    if ((v[field] || '').length > max) problems[field] = t('too_long', { n: max });
  if (v.source === 'restraining_order' && !v.imposed_at) problems.imposed_at = t('required');
  v.people.forEach((p, i) => {
    if (p.age !== '' && !(Number.isInteger(Number(p.age)) && Number(p.age) >= 0 && Number(p.age) <= 120))
      problems[`people_${i}_age`] = t('must_be_age');
  });
  return problems;
}

export function toReport(v) {
  const report = { kind: v.kind, source: v.source, indicators: v.indicators };
  if (v.municipality.trim()) report.municipality = v.municipality.trim();
  for (const key of ['family_reference', 'address', 'narrative'])
    if (v[key].trim()) report[key] = v[key];
  const reporter = {};
  if (v.reporter_name.trim()) reporter.name = v.reporter_name;
  if (v.reporter_phone.trim()) reporter.phone = v.reporter_phone;
  if (v.reporter_organisation.trim()) reporter.organisation = v.reporter_organisation;
  if (Object.keys(reporter).length) report.reporter = reporter;
  const people = v.people.filter((p) => p.role).map((p) => {
    const person = { role: p.role, injured: !!p.injured };
    if (p.age !== '') person.age = Number(p.age);
    return person;
  });
  if (people.length) report.people = people;
  if (v.source === 'restraining_order') report.restraining_order = { imposed_at: fromLocalInput(v.imposed_at) };
  return report;
}

// The server's field names ("reporter.name", "people[0].age") to the form's ids.
function fieldId(serverField) {
  return serverField.replace(/^reporter\./, 'reporter_').replace(/^people\[(\d+)\]\./, 'people_$1_')
    .replace(/^restraining_order\.imposed_at$/, 'imposed_at').replace(/\[\d+\]$/, '');
}

export function intakeForm({ onStored }) {
  const draft = loadDraft();
  const empty = { kind: 'report', source: 'police', municipality: '', indicators: [], family_reference: '',
    address: '', narrative: '', reporter_name: '', reporter_phone: '', reporter_organisation: '',
    imposed_at: '', people: [] };
  let values = { ...empty, ...(draft ? draft.values : {}) };
  let key = draft ? draft.key : '';
  let touched = new Set(draft ? Object.keys(draft.values) : []);

  const form = h('form', { id: 'intake', class: 'card', novalidate: true, 'aria-labelledby': 'intake-title' });
  const status = h('p', { id: 'intake-status', role: 'status', class: 'hint' });
  const formError = h('p', { id: 'intake-error', role: 'alert', class: 'error' });

  const save = () => {
    if (!key) key = newKey();
    localStorage.setItem(DRAFT, JSON.stringify({ key, values }));
    status.textContent = t('draft_kept');
  };

  function text(id, label, attrs = {}, tag = 'input') {
    const input = h(tag, { id, name: id, 'aria-describedby': `${id}-error`, ...attrs });
    input.value = values[id] || '';
    input.addEventListener('input', () => { values[id] = input.value; touched.add(id); save(); validate(); });
    return [h('label', { for: id }, label), input, h('span', { id: `${id}-error`, class: 'field-error' })];
  }

  function select(id, label, options) {
    const el = h('select', { id, name: id }, options.map(([value, name]) => h('option', { value }, name)));
    el.value = values[id];
    el.addEventListener('change', () => {
      values[id] = el.value; touched.add(id); save(); draw();
      form.querySelector(`#${id}`).focus();  // redrawn: keep the keyboard where it was
    });
    return [h('label', { for: id }, label), el, h('span', { id: `${id}-error`, class: 'field-error' })];
  }

  function indicatorBoxes() {
    return h('fieldset', { class: 'checks' }, h('legend', {}, t('indicators')),
      INDICATORS.map((name) => {
        const id = `ind-${name}`;
        const box = h('input', { type: 'checkbox', id, name: 'indicators', value: name,
                                 checked: values.indicators.includes(name) });
        box.addEventListener('change', () => {
          values.indicators = box.checked ? [...values.indicators, name] : values.indicators.filter((x) => x !== name);
          save();
        });
        return h('span', { class: 'check' }, box, h('label', { for: id }, name.replaceAll('_', ' ')));
      }));
  }

  function peopleRows() {
    const rows = values.people.map((p, i) => {
      const role = h('select', { id: `people_${i}_role`, 'aria-label': `${t('person_role')} ${i + 1}` },
        ['child', 'parent', 'partner', 'other'].map((r) => h('option', { value: r }, t(`role_${r}`))));
      role.value = p.role;
      role.addEventListener('change', () => { p.role = role.value; save(); });
      const age = h('input', { id: `people_${i}_age`, type: 'number', min: 0, max: 120, inputmode: 'numeric',
                               'aria-label': `${t('person_age')} ${i + 1}`, 'aria-describedby': `people_${i}_age-error` });
      age.value = p.age;
      age.addEventListener('input', () => { p.age = age.value; touched.add(`people_${i}_age`); save(); validate(); });
      const injured = h('input', { type: 'checkbox', id: `people_${i}_injured`, checked: !!p.injured });
      injured.addEventListener('change', () => { p.injured = injured.checked; save(); });
      const remove = h('button', { type: 'button', class: 'small' }, t('remove'));
      remove.addEventListener('click', () => { values.people.splice(i, 1); save(); draw(); });
      return h('div', { class: 'person' }, role, age,
        h('span', { class: 'check' }, injured, h('label', { for: `people_${i}_injured` }, t('person_injured'))),
        remove, h('span', { id: `people_${i}_age-error`, class: 'field-error' }));
    });
    const add = h('button', { type: 'button', class: 'small', id: 'add-person' }, t('add_person'));
    add.addEventListener('click', () => { values.people.push({ role: 'child', age: '', injured: false }); save(); draw(); });
    return h('fieldset', {}, h('legend', {}, t('people')), rows, add);
  }

  function validate(all = false) {
    const problems = checkValues(values);
    for (const el of form.querySelectorAll('.field-error')) {
      const id = el.id.replace(/-error$/, '');
      const message = (all || touched.has(id)) ? (problems[id] || '') : '';
      el.textContent = message;
      const input = form.querySelector(`#${CSS.escape(id)}`);
      if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
    }
    return problems;
  }

  const submit = h('button', { type: 'submit', class: 'primary', id: 'submit-report' }, t('submit_report'));
  const reset = h('button', { type: 'button', id: 'clear-draft' }, t('clear_draft'));
  reset.addEventListener('click', () => {
    localStorage.removeItem(DRAFT);
    values = { ...empty, people: [] };
    key = '';
    touched = new Set();
    status.textContent = '';
    draw();
  });

  function draw() {
    show(form,
      h('h2', { id: 'intake-title' }, t('intake')),
      h('div', { class: 'grid2' },
        h('div', {}, select('kind', t('kind'), [['report', t('kind_report')], ['advice', t('kind_advice')]])),
        h('div', {}, select('source', t('source'), SOURCES.map((s) => [s, t(`src_${s}`)])))),
      text('municipality', t('municipality'), { autocomplete: 'off', required: values.kind !== 'advice' }),
      values.source === 'restraining_order' ? text('imposed_at', t('imposed_at'), { type: 'datetime-local' }) : null,
      indicatorBoxes(),
      text('narrative', t('narrative'), { rows: 4 }, 'textarea'),
      h('fieldset', {}, h('legend', {}, t('reporter')),
        text('reporter_name', t('reporter_name'), { autocomplete: 'off' }),
        text('reporter_phone', t('reporter_phone'), { type: 'tel', autocomplete: 'off' }),
        text('reporter_organisation', t('reporter_organisation'), { autocomplete: 'off' })),
      text('family_reference', t('family_reference'), { autocomplete: 'off' }),
      text('address', t('address'), { autocomplete: 'off' }),
      peopleRows(),
      formError,
      h('div', { class: 'actions' }, submit, reset),
      status);
    validate();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    const problems = validate(true);
    const first = Object.keys(problems)[0];
    if (first) { form.querySelector(`#${CSS.escape(first)}`)?.focus(); return; }
    if (!key) save();
    submit.disabled = true;
    submit.textContent = t('submitting');
    try {
      const { data } = await api('POST', '/api/v1/reports', toReport(values), { 'Idempotency-Key': key });
      localStorage.removeItem(DRAFT);
      values = { ...empty, people: [] };
      key = '';
      touched = new Set();
      draw();
      status.textContent = t('submitted', { id: data.id });
      onStored(data);
    } catch (err) {
      if (err.status === 0 || err.status >= 500) {
        formError.textContent = t('not_confirmed');  // the draft and its key stay for the retry
      } else {
        const id = fieldId(err.field || '');
        const slot = id && form.querySelector(`#${CSS.escape(id)}-error`);
        if (slot) {
          slot.textContent = err.message;
          form.querySelector(`#${CSS.escape(id)}`)?.setAttribute('aria-invalid', 'true');
          form.querySelector(`#${CSS.escape(id)}`)?.focus();
        }
        formError.textContent = t('error_field', { field: err.field || err.code, message: err.message });
      }
    } finally {
      submit.disabled = false;
      submit.textContent = t('submit_report');
    }
  });

  draw();
  if (draft) status.textContent = t('draft_kept');
  return form;
}
