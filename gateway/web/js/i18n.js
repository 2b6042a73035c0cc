// Every text of the console, in Dutch and English. A key missing from one dictionary shows the
// English text (the test of the dictionaries compares their keys).
export const dictionaries = {
  en: {
    skip_to_content: 'Skip to content', language: 'Language', theme_toggle: 'Light / dark',
    sign_out: 'Sign out', sign_in: 'Sign in', sign_in_title: 'Sign in to Piket',
    user: 'User', password: 'Password', second_factor: 'Second factor',
    second_factor_note: 'A second factor (authenticator code) will be asked here once the server supports it.',
    code: 'Code', signed_out: 'Your session has ended. Sign in again.',
    wrong_password: 'Wrong user or password.', nav_desk: 'Desk', nav_mine: 'My alerts',
    nav_roster: 'Roster', live_on: 'Live', live_off: 'Reconnecting…',
    intake: 'New report', kind: 'Kind', kind_report: 'Report', kind_advice: 'Advice',
    source: 'Source', src_police: 'Police', src_professional: 'Professional', src_citizen: 'Citizen',
    src_school: 'School', src_hospital: 'Hospital', src_restraining_order: 'Restraining order',
    municipality: 'Municipality (where the family lives)', place: 'Municipality', indicators: 'Indicators',
    family_reference: 'Family reference (case number, never a national ID)', address: 'Address',
    narrative: 'What happened', reporter: 'Reporter', reporter_name: 'Name', reporter_phone: 'Phone',
    reporter_organisation: 'Organisation', people: 'People in the household', person_role: 'Role',
    person_age: 'Age', person_injured: 'Injured', add_person: 'Add a person', remove: 'Remove',
    role_child: 'Child', role_parent: 'Parent', role_partner: 'Partner', role_other: 'Other',
    imposed_at: 'Order imposed at', submit_report: 'Submit report', submitting: 'Submitting…',
    clear_draft: 'Clear form', draft_kept: 'Draft kept on this computer', required: 'Required',
    too_long: 'At most {n} characters', must_be_age: 'An age from 0 to 120',
    not_confirmed: 'The server did not confirm the report. It may be stored: submit again, it will not be stored twice.',
    submitted: 'Report {id} stored', triage: 'Triage', class: 'Class', accept_within: 'Accept within',
    first_contact_by: 'First contact by', route: 'Route', roles: 'Roles', two_person: 'Two professionals',
    physician: 'Confidential physician', rules_fired: 'Why', yes: 'yes', no: 'no',
    board: 'Open reports', board_empty: 'No open reports.', region: 'Region', state: 'State',
    created: 'Received', deadline: 'Deadline', report: 'Report', open: 'Open', overdue: 'overdue',
    in_time: 'in {t}', ago: '{t} ago', report_detail: 'Report {id}', back_to_board: 'Back to the board',
    not_found: 'Not found, or not yours to see.', assignments: 'Alerts and answers', worker: 'Worker',
    step: 'Step', ranking: 'Ranking', score: 'Score', reasons: 'Reasons', excluded: 'Not asked',
    timeline: 'Timeline', at: 'When', actor: 'Who', action: 'What', detail: 'Detail', visit: 'Visit',
    visit_start: 'Start', visit_end: 'End', workers: 'Professionals', checkins: 'Check-ins',
    notices: 'Notices', outcome: 'Outcome', none: 'none',
    st_queued: 'queued', st_matching: 'matching', st_alerting: 'alerting', st_unassigned: 'unassigned',
    st_accepted: 'accepted', st_visit_planned: 'visit planned', st_closed: 'closed', st_referred: 'referred',
    st_advice: 'advice', st_converted: 'converted', st_alerted: 'alerted', st_declined: 'declined',
    st_cancelled: 'cancelled', st_planned: 'planned', st_in_progress: 'in progress', st_overdue: 'check-in overdue',
    st_completed: 'completed',
    mine_title: 'My alerts', mine_empty: 'No open alerts. Good night.', accept: 'Accept',
    decline: 'Decline', accepted_msg: 'Accepted. The visit is being planned.', declined_msg: 'Declined.',
    open_visit: 'Visit plan', checkin: 'Check in', ci_arrived: 'Arrived', ci_ok: 'All OK', ci_done: 'Done',
    ci_need_help: 'Need help', checked_in: 'Checked in: {s}', outcome_form: 'Outcome',
    safety_agreements: 'Safety agreements made', police_involved: 'Police involved',
    consent: 'Consent given for', cs_contact: 'contact', cs_visit: 'visit',
    cs_safety_agreements: 'safety agreements', cs_referral: 'referral',
    cs_information_sharing: 'information sharing', note: 'Note', save_outcome: 'Save outcome',
    outcome_saved: 'Outcome saved.', rt_closed_no_further_help: 'Closed, no further help',
    rt_crisis_intervention: 'Crisis intervention', rt_save_team: 'SAVE team', rt_local_team: 'Local team',
    rt_veilig_thuis_investigation: 'Veilig Thuis investigation',
    rt_child_protection_board_request: 'Request to the Child Protection Board',
    roster_title: 'Roster', oncall_now: 'On call now', position: 'Position', shift: 'Shift',
    reason: 'Reason', nobody_on_call: 'Nobody on call', shifts_week: 'Shifts this week', duty: 'Duty',
    leave_title: 'Put a worker on leave', leave_start: 'From', leave_end: 'Until', category: 'Category',
    cat_holiday: 'Holiday', cat_sick: 'Sick', cat_training: 'Training', cat_other: 'Other',
    save_leave: 'Save leave', leave_saved: 'Leave saved.', gaps_created: 'Coverage gaps this creates',
    no_gaps: 'No coverage gaps.', override_title: 'Put a worker on duty (override)',
    ov_add: 'Add', ov_replace: 'Replace', replaced_worker: 'Instead of', save_override: 'Save override',
    override_saved: 'Override saved.', violations: 'Working-time violations',
    force_reason: 'Reason to force it anyway', force: 'Force with this reason', rule: 'Rule',
    figure: 'Figure', loading: 'Loading…', error_field: '{field}: {message}', retry: 'Retry',
    phone_hint: 'Made for a phone: one tap to answer.', refresh: 'Refresh',
    duty_on_call: 'On call', duty_shift: 'Shift on site',
  },
  nl: {
    skip_to_content: 'Naar de inhoud', language: 'Taal', theme_toggle: 'Licht / donker',
    sign_out: 'Afmelden', sign_in: 'Aanmelden', sign_in_title: 'Aanmelden bij Piket',
    user: 'Gebruiker', password: 'Wachtwoord', second_factor: 'Tweede factor',
    second_factor_note: 'Hier wordt een tweede factor (code uit een authenticator-app) gevraagd zodra de server dat kan.',
    code: 'Code', signed_out: 'Je sessie is beëindigd. Meld je opnieuw aan.',
    wrong_password: 'Verkeerde gebruiker of wachtwoord.', nav_desk: 'Meldpunt', nav_mine: 'Mijn oproepen',
    nav_roster: 'Rooster', live_on: 'Live', live_off: 'Opnieuw verbinden…',
    intake: 'Nieuwe melding', kind: 'Soort', kind_report: 'Melding', kind_advice: 'Advies',
    source: 'Bron', src_police: 'Politie', src_professional: 'Professional', src_citizen: 'Burger',
    src_school: 'School', src_hospital: 'Ziekenhuis', src_restraining_order: 'Huisverbod',
    municipality: 'Gemeente (waar het gezin woont)', place: 'Gemeente', indicators: 'Signalen',
    family_reference: 'Gezinskenmerk (dossiernummer, nooit een BSN)', address: 'Adres',
    narrative: 'Wat is er gebeurd', reporter: 'Melder', reporter_name: 'Naam', reporter_phone: 'Telefoon',
    reporter_organisation: 'Organisatie', people: 'Gezinsleden', person_role: 'Rol',
    person_age: 'Leeftijd', person_injured: 'Gewond', add_person: 'Persoon toevoegen', remove: 'Verwijderen',
    role_child: 'Kind', role_parent: 'Ouder', role_partner: 'Partner', role_other: 'Anders',
    imposed_at: 'Huisverbod opgelegd op', submit_report: 'Melding versturen', submitting: 'Versturen…',
    clear_draft: 'Formulier leegmaken', draft_kept: 'Concept bewaard op deze computer', required: 'Verplicht',
    too_long: 'Hoogstens {n} tekens', must_be_age: 'Een leeftijd van 0 tot 120',
    not_confirmed: 'De server heeft de melding niet bevestigd. Misschien is ze opgeslagen: verstuur opnieuw, ze wordt niet dubbel opgeslagen.',
    submitted: 'Melding {id} opgeslagen', triage: 'Triage', class: 'Urgentie', accept_within: 'Accepteren binnen',
    first_contact_by: 'Eerste contact voor', route: 'Route', roles: 'Rollen', two_person: 'Twee professionals',
    physician: 'Vertrouwensarts', rules_fired: 'Waarom', yes: 'ja', no: 'nee',
    board: 'Open meldingen', board_empty: 'Geen open meldingen.', region: 'Regio', state: 'Status',
    created: 'Ontvangen', deadline: 'Deadline', report: 'Melding', open: 'Openen', overdue: 'te laat',
    in_time: 'over {t}', ago: '{t} geleden', report_detail: 'Melding {id}', back_to_board: 'Terug naar het overzicht',
    not_found: 'Niet gevonden, of niet voor jou.', assignments: 'Oproepen en antwoorden', worker: 'Medewerker',
    step: 'Stap', ranking: 'Rangorde', score: 'Score', reasons: 'Redenen', excluded: 'Niet gevraagd',
    timeline: 'Tijdlijn', at: 'Wanneer', actor: 'Wie', action: 'Wat', detail: 'Details', visit: 'Huisbezoek',
    visit_start: 'Begin', visit_end: 'Einde', workers: 'Professionals', checkins: 'Check-ins',
    notices: 'Meldingen', outcome: 'Uitkomst', none: 'geen',
    st_queued: 'in wachtrij', st_matching: 'zoekt professional', st_alerting: 'wordt opgeroepen',
    st_unassigned: 'niemand gevonden', st_accepted: 'geaccepteerd', st_visit_planned: 'bezoek gepland',
    st_closed: 'gesloten', st_referred: 'doorverwezen', st_advice: 'advies', st_converted: 'omgezet',
    st_alerted: 'opgeroepen', st_declined: 'afgewezen', st_cancelled: 'vervallen',
    st_planned: 'gepland', st_in_progress: 'bezig', st_overdue: 'check-in te laat', st_completed: 'afgerond',
    mine_title: 'Mijn oproepen', mine_empty: 'Geen open oproepen. Welterusten.', accept: 'Accepteren',
    decline: 'Afwijzen', accepted_msg: 'Geaccepteerd. Het bezoek wordt gepland.', declined_msg: 'Afgewezen.',
    open_visit: 'Bezoekplan', checkin: 'Inchecken', ci_arrived: 'Aangekomen', ci_ok: 'Alles goed',
    ci_done: 'Klaar', ci_need_help: 'Hulp nodig', checked_in: 'Ingecheckt: {s}', outcome_form: 'Uitkomst',
    safety_agreements: 'Veiligheidsafspraken gemaakt', police_involved: 'Politie betrokken',
    consent: 'Toestemming gegeven voor', cs_contact: 'contact', cs_visit: 'bezoek',
    cs_safety_agreements: 'veiligheidsafspraken', cs_referral: 'doorverwijzing',
    cs_information_sharing: 'informatie delen', note: 'Notitie', save_outcome: 'Uitkomst opslaan',
    outcome_saved: 'Uitkomst opgeslagen.', rt_closed_no_further_help: 'Gesloten, geen verdere hulp',
    rt_crisis_intervention: 'Crisisinterventie', rt_save_team: 'SAVE-team', rt_local_team: 'Lokaal team',
    rt_veilig_thuis_investigation: 'Onderzoek Veilig Thuis',
    rt_child_protection_board_request: 'Verzoek aan de Raad voor de Kinderbescherming',
    roster_title: 'Rooster', oncall_now: 'Nu bereikbaar', position: 'Positie', shift: 'Dienst',
    reason: 'Reden', nobody_on_call: 'Niemand bereikbaar', shifts_week: 'Diensten deze week', duty: 'Dienstsoort',
    leave_title: 'Verlof invoeren', leave_start: 'Van', leave_end: 'Tot', category: 'Soort verlof',
    cat_holiday: 'Vakantie', cat_sick: 'Ziek', cat_training: 'Opleiding', cat_other: 'Anders',
    save_leave: 'Verlof opslaan', leave_saved: 'Verlof opgeslagen.', gaps_created: 'Gaten in de bezetting hierdoor',
    no_gaps: 'Geen gaten in de bezetting.', override_title: 'Medewerker inroosteren (wijziging)',
    ov_add: 'Toevoegen', ov_replace: 'Vervangen', replaced_worker: 'In plaats van', save_override: 'Wijziging opslaan',
    override_saved: 'Wijziging opgeslagen.', violations: 'Overtredingen van de Arbeidstijdenwet',
    force_reason: 'Reden om toch door te zetten', force: 'Doorzetten met deze reden', rule: 'Regel',
    figure: 'Waarde', loading: 'Laden…', error_field: '{field}: {message}', retry: 'Opnieuw',
    phone_hint: 'Gemaakt voor de telefoon: één tik om te antwoorden.', refresh: 'Vernieuwen',
    duty_on_call: 'Bereikbaarheidsdienst', duty_shift: 'Dienst op locatie',
  },
};

const KEY = 'piket.lang';
let lang = localStorage.getItem(KEY) || ((navigator.language || '').startsWith('nl') ? 'nl' : 'en');
if (!dictionaries[lang]) lang = 'en';

export function language() { return lang; }

export function setLanguage(next) {
  if (!dictionaries[next]) return;
  lang = next;
  localStorage.setItem(KEY, next);
  applyStatic();
}

// The text for `key`, with {name} filled from `vars`.
export function t(key, vars = {}) {
  const text = dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// The page's fixed texts (data-i18n) and its language.
export function applyStatic() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
