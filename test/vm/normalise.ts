// The one place where volatile values in scenario output are replaced by
// stable placeholders before comparison with golden files.  Rules apply in
// order; each names what it hides so a golden file reads clearly.
import { PROJECT_ROOT } from './runner';

interface Rule {
  what: string;
  re: RegExp;
  to: string;
}

const RULES: Rule[] = [
  // The checkout's path differs between machines (CI clones elsewhere).
  {
    what: 'project root seen from the guest',
    re: new RegExp(escape('/host' + PROJECT_ROOT), 'g'),
    to: '<root>',
  },
  {
    what: 'project root seen from the host',
    re: new RegExp(escape(PROJECT_ROOT), 'g'),
    to: '<root>',
  },
  {
    what: 'Debian kernel release (moves with security updates; 6.1.0-57-amd64, 6.12.118+deb12-amd64)',
    re: /\b\d+\.\d+(\.\d+-\d+|\.\d+\+deb\d+)-amd64\b/g,
    to: '<release>',
  },
  { what: 'kernel log timestamp', re: /^\[\s*\d+\.\d+\]/gm, to: '[<ts>]' },
  {
    what: 'uuid',
    re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
    to: '<uuid>',
  },
  { what: 'uuid without dashes', re: /\b[0-9a-f]{32}\b/gi, to: '<uuid>' },
  { what: 'block checksum', re: /\bcrc=0x[0-9a-f]+\b/g, to: 'crc=<crc>' },
  { what: 'inode time fields', re: /\b(\w*time)\.(sec|nsec)=\d+/g, to: '$1.$2=<time>' },
  {
    what: 'sysfs dir name from fsid and rid',
    re: /\bf\.[0-9a-f]{6}\.r\.[0-9a-f]{6}\b/g,
    to: 'f.<fsid>.r.<rid>',
  },
  { what: '64-bit hex id (fsid, rid)', re: /\b(0x)?[0-9a-f]{16}\b/gi, to: '<id>' },
  {
    what: 'date and time',
    re: /\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?/g,
    to: '<time>',
  },
  { what: 'time of day', re: /\b\d\d:\d\d:\d\d(\.\d+)?\b/g, to: '<time>' },
  { what: 'seconds.nanoseconds timestamp', re: /\b\d{9,10}\.\d{9}\b/g, to: '<time>' },
  { what: 'device number major:minor', re: /\b\d{1,3}:\d{1,3}\b/g, to: '<dev>' },
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function normalise(text: string): string {
  let out = text;
  for (const r of RULES) out = out.replace(r.re, r.to);
  return out;
}
