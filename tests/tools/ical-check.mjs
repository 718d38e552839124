// ical-check.mjs: parses an iCalendar file from stdin with ical.js (a standard client library) and prints what a calendar app would see, as JSON.
//
//   node tests/tools/ical-check.mjs < agenda.ics
//   -> {"calendar": {...}, "timezones": ["Europe/Paris"], "events": [{uid, summary, tzid, start, end,
//       start_utc, end_utc, offset_minutes, status, location, url, sequence, categories, geo}]}
//
// Times are resolved through the VTIMEZONE blocks of the file itself (registered with ical.js's
// TimezoneService), so a wrong or missing DST rule shows as a wrong start_utc. Exits 1, with the
// parser's message on stderr, when the text does not parse.
import fs from 'node:fs';
import ICAL from 'ical.js';

const text = fs.readFileSync(0, 'utf8');
let root;
try {
  root = new ICAL.Component(ICAL.parse(text));
} catch (e) {
  process.stderr.write(`ical.js could not parse: ${e.message}\n`);
  process.exit(1);
}
const timezones = root.getAllSubcomponents('vtimezone').map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  return tz.tzid;
});
const iso = (t) => (t ? new Date(t.toUnixTime() * 1000).toISOString() : null);
const events = root.getAllSubcomponents('vevent').map((vevent) => {
  const ev = new ICAL.Event(vevent);
  const start = ev.startDate;
  const end = vevent.hasProperty('dtend') ? ev.endDate : null;
  return {
    uid: ev.uid,
    summary: ev.summary,
    description: ev.description,
    location: ev.location,
    tzid: start.zone ? start.zone.tzid : null,
    start: start.toString(),
    end: end ? end.toString() : null,
    start_utc: iso(start),
    end_utc: iso(end),
    offset_minutes: start.utcOffset() / 60,
    status: vevent.getFirstPropertyValue('status'),
    url: vevent.getFirstPropertyValue('url'),
    sequence: ev.sequence,
    dtstamp: iso(vevent.getFirstPropertyValue('dtstamp')),
    categories: vevent.getFirstPropertyValue('categories'),
    geo: vevent.getFirstPropertyValue('geo'),
  };
});
process.stdout.write(JSON.stringify({
  calendar: {
    version: root.getFirstPropertyValue('version'),
    prodid: root.getFirstPropertyValue('prodid'),
    name: root.getFirstPropertyValue('x-wr-calname'),
  },
  timezones,
  events,
}));
