import fs from 'node:fs';
import path from 'node:path';

/** Finds the repository's policies/ folder from src/ (ts-jest) or dist/src/ (compiled). */
export function policiesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'policies');
    if (fs.existsSync(path.join(candidate, 'model.conf'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('policies/model.conf not found');
}

export function readModelText(): string {
  return fs.readFileSync(path.join(policiesDir(), 'model.conf'), 'utf8');
}

/** A p line of policies/policy.csv: [role, scope, object, action, effect]. */
export type PolicyLine = [string, string, string, string, 'allow' | 'deny'];

/** Parses the baseline CSV; comment lines (#) and blank lines are skipped. */
export function readBaselinePolicy(file = path.join(policiesDir(), 'policy.csv')): PolicyLine[] {
  const lines: PolicyLine[] = [];
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells[0] !== 'p' || cells.length !== 6 || (cells[5] !== 'allow' && cells[5] !== 'deny')) {
      throw new Error(`Malformed baseline policy line: ${line}`);
    }
    lines.push(cells.slice(1) as PolicyLine);
  }
  return lines;
}
