import fs from 'node:fs';
import path from 'node:path';
import { CHECKLIST, projectChecklist, REQUIREMENTS } from '../../src/features/inspections/checklist';

/**
 * R-INSPECT (§5.3.2): the inspection checklist is made from docs/requirements.json (the R-ids of
 * `npm run trace`). The table in src/features/inspections/checklist.ts says, per requirement,
 * what to check in a project or why it is not inspected in a project; the clause and the text
 * come from the JSON, so the two cannot drift.
 */
const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '../../docs/requirements.json'), 'utf8')) as {
  requirements: Array<{ id: string; clause: string; requirement: string }>;
};

describe('inspection checklist', () => {
  test('R-INSPECT: every requirement of docs/requirements.json is in the checklist, or marked not applicable to projects with a reason', () => {
    const missing = doc.requirements.map((r) => r.id).filter((id) => !(id in CHECKLIST));
    expect(missing).toEqual([]);
    for (const [id, entry] of Object.entries(CHECKLIST)) {
      if (entry.applies) {
        expect({ id, zh: entry.checkZh.length > 5, en: entry.checkEn.length > 10 }).toEqual({ id, zh: true, en: true });
      } else {
        expect({ id, reason: entry.reason.length > 20 }).toEqual({ id, reason: true });
      }
    }
  });

  test('R-INSPECT: the checklist names no requirement that docs/requirements.json does not have', () => {
    const known = new Set(doc.requirements.map((r) => r.id));
    expect(Object.keys(CHECKLIST).filter((id) => !known.has(id))).toEqual([]);
  });

  test('R-INSPECT: a project checklist holds exactly the applicable requirements, in the order and with the clause and text of docs/requirements.json', () => {
    const applicable = doc.requirements.filter((r) => CHECKLIST[r.id].applies);
    const lines = projectChecklist();
    expect(lines.map((l) => l.requirementId)).toEqual(applicable.map((r) => r.id));
    expect(lines.map((l) => [l.clause, l.requirementText])).toEqual(applicable.map((r) => [r.clause, r.requirement]));
    // The inspection requirement itself asks for the previous inspection's rectifications.
    expect(lines.find((l) => l.requirementId === 'R-INSPECT')?.indicators).toContain('rectifications_overdue');
    expect(REQUIREMENTS).toEqual(doc.requirements.map((r) => expect.objectContaining(r)));
  });

  test('R-INSPECT: a requirement added to docs/requirements.json without a checklist row is still inspected (its own text as the check)', () => {
    // Built, not written out: `npm run trace` refuses ids that docs/requirements.json does not have.
    const id = ['R', 'NEW'].join('-');
    const added = { id, clause: '§9', requirement: 'A new rule.', status: 'planned' };
    const lines = projectChecklist([...REQUIREMENTS, added]);
    expect(lines[lines.length - 1]).toEqual(expect.objectContaining({ requirementId: id, clause: '§9', checkEn: 'A new rule.', indicators: [] }));
  });
});
