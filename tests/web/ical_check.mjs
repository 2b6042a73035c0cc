// Independent check of Piket's iCalendar output: ical.js (the parser behind Thunderbird's
// calendar) reads the feed, and each event's start and end, resolved through the feed's own
// VTIMEZONE, must be the UTC instants the scheduler meant.
//
//   node tests/web/ical_check.mjs FEED.ics EXPECTED.json
//
// EXPECTED.json: [{"uid": "...@piket", "start": "2026-03-28T22:00:00.000Z", "end": "..."}].
// Exit 0 when the feed holds exactly these events, 1 with a diff otherwise, 2 on bad usage.
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

function fail(code, message) {
  process.stderr.write(message + '\n');
  process.exit(code);
}

const [feedFile, expectedFile] = process.argv.slice(2);
if (!feedFile || !expectedFile) fail(2, 'usage: node ical_check.mjs FEED.ics EXPECTED.json');

let calendar;
try {
  calendar = new ICAL.Component(ICAL.parse(readFileSync(feedFile, 'utf8')));
} catch (e) {
  fail(1, `ical.js cannot parse ${feedFile}: ${e.message}`);
}
const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));

// Resolve TZID references through the feed's VTIMEZONE, not through anything built in.
const zones = calendar.getAllSubcomponents('vtimezone');
if (zones.length === 0) fail(1, 'the feed has no VTIMEZONE');
for (const zone of zones) ICAL.TimezoneService.register(zone);

const problems = [];
const actual = new Map();
for (const component of calendar.getAllSubcomponents('vevent')) {
  const event = new ICAL.Event(component);
  for (const [name, time] of [['DTSTART', event.startDate], ['DTEND', event.endDate]]) {
    const tzid = component.getFirstProperty(name.toLowerCase())?.getParameter('tzid');
    if (tzid && !ICAL.TimezoneService.has(tzid))
      problems.push(`${event.uid}: ${name} names TZID ${tzid} that the feed does not define`);
    if (!time) problems.push(`${event.uid}: no ${name}`);
  }
  if (actual.has(event.uid)) problems.push(`${event.uid}: UID appears twice`);
  actual.set(event.uid, {
    start: event.startDate?.toJSDate().toISOString(),
    end: event.endDate?.toJSDate().toISOString(),
  });
}

for (const want of expected) {
  const got = actual.get(want.uid);
  if (!got) {
    problems.push(`${want.uid}: missing from the feed`);
    continue;
  }
  for (const key of ['start', 'end'])
    if (got[key] !== want[key])
      problems.push(`${want.uid}: ${key} expected ${want[key]}, ical.js read ${got[key]}`);
  actual.delete(want.uid);
}
for (const uid of actual.keys()) problems.push(`${uid}: in the feed but not expected`);

if (problems.length > 0) fail(1, problems.join('\n'));
process.stdout.write(`ical.js agrees on ${expected.length} events\n`);
