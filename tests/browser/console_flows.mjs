// The console in a real browser, against a running stack (tests/e2e/test_console.cpp starts
// it and the users): node console_flows.mjs <gateway url> <artifact dir> <password> <clock file>
//   the desk signs in, types a report (checked as typed, kept over a reload), submits it once
//   although the first answer is lost, sees the triage and the report on the board; a
//   professional on a phone accepts and the desk's board changes without a reload; the visit,
//   a check-in and the outcome with consent; "<script>" typed into the report shows as text;
//   a change without the CSRF token is refused; another worker cannot open the report; a
//   manager sees who is on call, puts a worker on leave, is refused an override by the
//   working-time rules and forces it with a reason; the desk's session expires (the stack's
//   clock moved past the idle limit) and the console asks to sign in again. Screenshots of each screen in
//   English and Dutch go to the artifact dir.
import fs from 'node:fs';
import { check, launch, newPerson, shoot, shootBoth, signIn, until, WAIT } from './lib.mjs';

const [base, artifacts, password, clockFile] = process.argv.slice(2);
if (!base || !artifacts || !password || !clockFile) {
  console.error('usage: node console_flows.mjs <gateway url> <artifact dir> <password> <clock file>');
  process.exit(2);
}
const SCRIPT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
const WORKERS = ['w-em-01', 'w-em-02', 'w-em-03', 'w-em-04', 'w-em-05'];

const browser = await launch();
const pages = [];
try {
  // --- the desk -------------------------------------------------------------------------
  const desk = await newPerson(browser, base);
  pages.push(desk.page);
  const page = desk.page;
  await page.goto(`${base}/`);
  await page.locator('#sign-in').waitFor({ timeout: WAIT });
  await shootBoth(page, artifacts, 'sign-in', null);
  await signIn(page, base, 'desk-op', password);
  await page.locator('#intake').waitFor({ timeout: WAIT });

  // Checked as typed: a municipality typed and wiped is "required" at once.
  await page.locator('#municipality').fill('Amers');
  await page.locator('#municipality').fill('');
  await until(page, () => document.querySelector('#municipality-error').textContent !== '', null, 'the required municipality');
  check(await page.locator('#municipality').getAttribute('aria-invalid') === 'true', 'an empty municipality is marked invalid as it is typed');
  await page.locator('#municipality').fill('Amersfoort');
  await until(page, () => document.querySelector('#municipality-error').textContent === '', null, 'the error to go');
  await page.locator('#ind-threat_to_kill').check();
  await page.locator('#narrative').fill(SCRIPT);
  await page.locator('#reporter_name').fill('<b>Reporter</b>');
  await page.locator('#add-person').click();
  await page.locator('#people_0_age').fill('3');

  // The draft survives a reload.
  await page.reload();
  await page.locator('#intake').waitFor({ timeout: WAIT });
  check(await page.locator('#municipality').inputValue() === 'Amersfoort', 'the draft survives a reload (municipality)');
  check(await page.locator('#narrative').inputValue() === SCRIPT, 'the draft survives a reload (narrative)');
  check(await page.locator('#ind-threat_to_kill').isChecked(), 'the draft survives a reload (indicator)');
  await shootBoth(page, artifacts, 'desk-intake', null);

  // The first submit is stored but its answer lost: the form keeps the draft and its key, and
  // the second submit finds the stored report instead of storing it again.
  let keys = [];
  await page.route('**/api/v1/reports', async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    keys.push(route.request().headers()['idempotency-key']);
    await route.fetch();  // reaches the gateway and is stored
    await route.abort('connectionreset');
  });
  await page.locator('#submit-report').click();
  await until(page, () => document.querySelector('#intake-error').textContent !== '', null, 'the unconfirmed submit');
  await page.unroute('**/api/v1/reports');
  const answers = [];
  page.on('response', async (r) => {
    if (r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST') {
      keys.push(r.request().headers()['idempotency-key']);
      answers.push(r.status());
    }
  });
  await page.locator('#submit-report').click();
  await page.locator('#triage').waitFor({ timeout: WAIT });
  check(keys.length === 2 && keys[0] && keys[0] === keys[1], 'both tries carried the same Idempotency-Key');
  check(answers[0] === 200, 'the second try found the stored report (200, not 201)');
  const triage = await page.locator('#triage').innerText();
  check(triage.includes('T1') && triage.includes('threat-to-kill'), 'the triage shows at once with its class and the rule that fired');
  const id = (await page.locator('#triage a').first().innerText()).trim();
  console.log(`report=${id}`);
  check(await page.locator('#municipality').inputValue() === '', 'the form is empty after the report is stored');

  // On the board, by region and urgency.
  const row = page.locator(`#board tr[data-report="${id}"]`);
  await row.waitFor({ timeout: WAIT });
  check(await page.locator(`#board section[data-region="eemland"] tr[data-report="${id}"]`).count() === 1, 'the report is on the board once, under its region');
  await until(page, (rid) => ['alerting', 'accepted', 'visit_planned'].includes(
    document.querySelector(`#board tr[data-report="${rid}"]`)?.dataset.state), id, 'the report to be alerting');
  await shootBoth(page, artifacts, 'desk-board', null);

  // The detail: script text shows as text and never runs.
  await page.locator(`#board tr[data-report="${id}"] a`).click();
  await page.locator('#report-narrative').waitFor({ timeout: WAIT });
  check(await page.locator('#report-narrative').textContent() === SCRIPT, 'the narrative "<script>" is shown as text');
  check(await page.locator('#report-reporter').textContent() === '<b>Reporter</b>', 'the reporter name "<b>" is shown as text');
  check(await page.locator('#report script, #report img').count() === 0, 'no element was made from the typed text');
  check(await page.evaluate(() => window.__pwned) === undefined, 'the typed script never ran');
  await until(page, () => [...document.querySelectorAll('#assignments tbody tr')].some((r) => r.cells[1].textContent === 'alerted'
    || r.cells[1].textContent === 'opgeroepen'), null, 'an alerted worker on the report');
  const alerted = await page.locator('#assignments tbody tr').first().locator('td').first().innerText();
  check(WORKERS.includes(alerted), `the alerted worker is shown (${alerted})`);
  check((await page.locator('#ranking tbody tr').count()) > 0, 'the ranking is shown with reasons');
  check((await page.locator('#timeline tbody tr').count()) > 0, 'the timeline is shown');
  await shootBoth(page, artifacts, 'desk-report', null);

  // A change without the CSRF token is refused, even from the console's own page.
  const forged = await page.evaluate(async () => {
    const r = await fetch('/api/v1/reports', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ source: 'police', municipality: 'Houten', indicators: [] }) });
    return { status: r.status, body: await r.json() };
  });
  check(forged.status === 403 && forged.body.error.field === 'X-CSRF-Token', 'a change without the CSRF token is refused (403)');

  // Back to the board; it is never reloaded from here on.
  await page.locator('#nav a[href="#/desk"]').click();
  await row.waitFor({ timeout: WAIT });
  await page.evaluate(() => { window.__sameDocument = true; });

  // --- the professional on a phone --------------------------------------------------------
  const phone = await newPerson(browser, base, { phone: true });
  pages.push(phone.page);
  const w = phone.page;
  await signIn(w, base, `u-${alerted}`, password);
  await w.locator('#mine').waitFor({ timeout: WAIT });
  const card = w.locator(`#mine li[data-state="alerted"]`).filter({ hasText: 'Amersfoort' }).first();
  await card.waitFor({ timeout: WAIT });
  await shootBoth(w, artifacts, 'phone-alerts', null);
  // Their own week and a private calendar link.
  await w.locator('#my-shifts ul, #my-shifts p').first().waitFor({ timeout: WAIT });
  await w.locator('#make-ical').tap();
  await w.locator('#ical-link').waitFor({ timeout: WAIT });
  check(/\/ical\/[^/]+\.ics$/.test(await w.locator('#ical-link').getAttribute('href')), 'the professional gets a private calendar link');
  await card.locator('button[data-action="accept"]').tap();
  await w.locator('#mine li[data-state="accepted"]').first().waitFor({ timeout: WAIT });
  check(true, 'the professional accepts with one tap');

  // The desk's board follows without a reload.
  await until(page, (rid) => ['accepted', 'visit_planned'].includes(
    document.querySelector(`#board tr[data-report="${rid}"]`)?.dataset.state), id, 'the board to show the acceptance');
  check(await page.evaluate(() => window.__sameDocument === true), 'the board changed live, without a reload');
  check((await page.locator(`#board tr[data-report="${id}"] .answering span[data-state="accepted"]`).innerText()).startsWith(alerted),
    'the board shows who accepted');
  const live = await page.locator('#live').getAttribute('data-state');
  check(live === 'on', 'the desk shows its live feed is connected');

  // The visit plan, a check-in, and the outcome with consent.
  const visitLink = w.locator('#mine a[href^="#/visits/"]').first();
  await visitLink.waitFor({ timeout: WAIT });
  await visitLink.tap();
  await w.locator('#visit-start').waitFor({ timeout: WAIT });
  await w.locator('button[data-checkin="arrived"]').tap();
  await until(w, () => document.querySelectorAll('#checkins li').length > 0, null, 'the check-in to show');
  await shootBoth(w, artifacts, 'phone-visit', null);
  await w.locator('#outcome-route').selectOption('local_team');
  await w.locator('#outcome-safety').check();
  await w.locator('#consent-contact').check();
  await w.locator('#consent-visit').check();
  await w.locator('#outcome button[type="submit"]').tap();
  await w.locator('#outcome-done').waitFor({ timeout: WAIT });
  check(true, 'the outcome with consent steps is saved');
  await until(page, (rid) => !document.querySelector(`#board tr[data-report="${rid}"]`), id,
    'the closed report to leave the open board');
  check(true, 'the referred report leaves the desk\'s open board live');

  // --- another professional ------------------------------------------------------------------
  const stranger = WORKERS.find((x) => x !== alerted);
  const other = await newPerson(browser, base, { phone: true });
  pages.push(other.page);
  await signIn(other.page, base, `u-${stranger}`, password);
  await other.page.goto(`${base}/#/reports/${encodeURIComponent(id)}`);
  await other.page.locator('#report-error').waitFor({ timeout: WAIT });
  check((await other.page.locator('#report-error').innerText()).includes('Not found'), 'another worker cannot open the report');
  check(await other.page.locator('#report-narrative').count() === 0, 'and sees nothing of it');

  // --- the manager -----------------------------------------------------------------------------
  const mgr = await newPerson(browser, base);
  pages.push(mgr.page);
  const m = mgr.page;
  await signIn(m, base, 'mgr', password);
  await m.locator('#oncall table').first().waitFor({ timeout: WAIT });
  check((await m.locator('#oncall [data-region="eemland"] tbody tr').count()) > 0, 'the manager sees who is on call in eemland');
  await m.locator('#shift-table').waitFor({ timeout: WAIT });
  const now = await m.evaluate(async () => (await (await fetch('/healthz')).json()).time);
  const local = (ms) => new Date(Date.parse(now) + ms).toLocaleString('sv-SE', { timeZone: 'Europe/Amsterdam' }).replace(' ', 'T').slice(0, 16);
  await m.locator('#leave #worker_id').selectOption(alerted);
  await m.locator('#leave #start').fill(local(24 * 3600e3));
  await m.locator('#leave #end').fill(local(3 * 24 * 3600e3));
  await m.locator('#leave button[type="submit"]').click();
  await until(m, () => /Leave saved|Verlof opgeslagen/.test(document.querySelector('#leave-result').textContent), null, 'the leave to be saved');
  check(await m.locator('#leave-result .gaps').count() === 1, 'the answer shows the coverage gaps the leave makes (or none)');
  await shootBoth(m, artifacts, 'roster', null);

  // A 13-hour shift on site is over the 12-hour maximum: refused with the rule, then forced.
  await m.locator('#override #kind').selectOption('add');
  await m.locator('#override #region').selectOption('eemland');
  await m.locator('#override #duty').selectOption('shift');
  await m.locator('#override #worker_id').selectOption('w-em-03');
  await m.locator('#override #ov_start').fill('2027-01-12T07:00');
  await m.locator('#override #ov_end').fill('2027-01-12T20:00');
  await m.locator('#override button[type="submit"]').click();
  await m.locator('#force-reason').waitFor({ timeout: WAIT });
  check((await m.locator('#override-result').innerText()).includes('w-em-03'), 'the working-time refusal names the worker');
  await shoot(m, artifacts, 'roster-refused-en');
  await m.locator('#force-reason').fill('no one else trained for this event');
  await m.locator('#force').click();
  await until(m, () => /Override saved|Wijziging opgeslagen/.test(document.querySelector('#override-result').textContent), null, 'the forced override');
  check((await m.locator('#violations li').count()) > 0, 'the forced override lists the violation it adds');

  // --- every text in both languages ---------------------------------------------------------
  const keys2 = await page.evaluate(async () => {
    const { dictionaries } = await import('/console/js/i18n.js');
    const en = Object.keys(dictionaries.en).sort();
    const nl = Object.keys(dictionaries.nl).sort();
    return { missingNl: en.filter((k) => !nl.includes(k)), missingEn: nl.filter((k) => !en.includes(k)) };
  });
  check(keys2.missingNl.length === 0 && keys2.missingEn.length === 0,
    `both dictionaries hold the same texts (${JSON.stringify(keys2)})`);

  // --- the desk overrides a triage with a reason -------------------------------------------------
  await page.locator('#municipality').fill('Houten');
  await page.locator('#ind-concern').check();
  await page.locator('#submit-report').click();
  await until(page, () => document.querySelector('#triage')?.textContent.includes('T3'), null, 'a T3 report');
  const second = (await page.locator('#triage a').first().innerText()).trim();
  await page.locator('#triage a').first().click();
  await page.locator('#triage-override').waitFor({ timeout: WAIT });
  await page.locator('#triage-override button[type="submit"]').click();
  check(await page.locator('#override-reason-error').innerText() !== '', 'an override without a reason is stopped at the field');
  await page.locator('#override-class').selectOption('T4');
  await page.locator('#override-reason').fill('caller only wanted advice');
  await page.locator('#triage-override button[type="submit"]').click();
  await until(page, () => [...document.querySelectorAll('#timeline td')].some((td) => td.textContent === 'triage.overridden'),
    null, 'the override in the timeline');
  check((await page.locator('h1 .badge').innerText()) === 'T4', `the overridden report ${second} shows its new class`);
  await page.locator('#nav a[href="#/desk"]').click();
  await page.locator('#board').waitFor({ timeout: WAIT });

  // --- the session expires ---------------------------------------------------------------------
  // The stack's clock (tests/support/test_clock.cpp: an offset in ms, written aside and renamed)
  // moves past the 30 minutes a session may stay unused; the desk's live feed notices.
  const offset = Number(fs.readFileSync(clockFile, 'utf8').trim());
  fs.writeFileSync(`${clockFile}.tmp`, `${offset + 31 * 60 * 1000}\n`);
  fs.renameSync(`${clockFile}.tmp`, clockFile);
  await page.locator('#sign-in').waitFor({ timeout: WAIT });
  check(/session/i.test(await page.locator('#toast').innerText()), 'an expired session brings the desk back to sign-in, saying why');
  check(await page.locator('#board').count() === 0, 'and nothing of the board stays on screen');

  const problems = pages.flatMap((p) => p.problems);
  check(problems.length === 0, `no page errors, console errors or CSP refusals (${problems.join('; ')})`);
  console.log('ALL OK');
} catch (e) {
  console.error(`FAILED: ${e.message}`);
  for (const [i, p] of pages.entries()) {
    try { await shoot(p, artifacts, `failure-${i}`); } catch { /* best effort */ }
    if (p.problems?.length) console.error(`page ${i} problems: ${p.problems.join('; ')}`);
  }
  await browser.close();
  process.exit(1);
}
await browser.close();
