#!/usr/bin/env node
/*
 * npm run trace: from every requirement id (docs/requirements.json) to the policy lines,
 * source locations and tests that cite it. Exits non-zero when an `enforced` id has no test,
 * or when code cites an id that does not exist (a typo would otherwise hide a gap).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { requirements } = JSON.parse(fs.readFileSync(path.join(root, 'docs/requirements.json'), 'utf8'));
const known = new Set(requirements.map((r) => r.id));
const ID = /R-[A-Z]+(?:-[A-Z]+)*/g;

function walk(dir, filter, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, filter, out);
    else if (filter(p)) out.push(p);
  }
  return out;
}

const cites = new Map(requirements.map((r) => [r.id, { policy: [], source: [], tests: [] }]));
const unknown = [];

function scan(files, kind, lineFilter = () => true) {
  for (const file of files) {
    const rel = path.relative(root, file);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!lineFilter(line)) return;
      for (const id of new Set(line.match(ID) ?? [])) {
        if (!known.has(id)) unknown.push(`${rel}:${i + 1} ${id}`);
        else cites.get(id)[kind].push(`${rel}:${i + 1}`);
      }
    });
  }
}

// Policy: a comment naming R-ids covers the p lines below it, up to the next comment.
for (const file of walk(path.join(root, 'policies'), (p) => p.endsWith('.csv'))) {
  const rel = path.relative(root, file);
  let current = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.startsWith('#')) {
      const ids = line.match(ID);
      if (ids) current = ids;
      for (const id of ids ?? []) if (!known.has(id)) unknown.push(`${rel}:${i + 1} ${id}`);
    } else if (line.startsWith('p,')) {
      for (const id of current) if (known.has(id)) cites.get(id).policy.push(`${rel}:${i + 1}`);
    }
  });
}
scan(walk(path.join(root, 'src'), (p) => p.endsWith('.ts')), 'source');
// Tests: an id counts when it appears in a test's name (a quoted string on the line).
scan(
  walk(path.join(root, 'test'), (p) => p.endsWith('.test.ts')),
  'tests',
  (line) => /['"`]/.test(line) && /R-[A-Z]/.test(line),
);

let failures = 0;
const summarise = (list) => (list.length ? `${list.length} (${list.slice(0, 3).join(', ')}${list.length > 3 ? ', …' : ''})` : '0');
for (const r of requirements) {
  const c = cites.get(r.id);
  const missing = r.status === 'enforced' && c.tests.length === 0;
  if (missing) failures++;
  process.stdout.write(
    `${missing ? 'MISSING TEST ' : ''}${r.id.padEnd(20)} ${r.status.padEnd(8)} ${r.clause.padEnd(22)}\n` +
      `    policy: ${summarise(c.policy)}\n    source: ${summarise(c.source)}\n    tests:  ${summarise(c.tests)}\n`,
  );
}
for (const u of unknown) {
  failures++;
  process.stdout.write(`UNKNOWN R-id cited at ${u}\n`);
}
const enforced = requirements.filter((r) => r.status === 'enforced').length;
process.stdout.write(`\n${requirements.length} requirements, ${enforced} enforced, ${failures} problem(s)\n`);
process.exit(failures ? 1 : 0);
