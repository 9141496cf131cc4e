import fs from 'node:fs';
import path from 'node:path';

/** Finds the repository's policies/ folder from src/ (under jest) or dist/src/ (compiled). */
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

/** A p line of the baseline with the release that brought it (null: the first baseline). */
export interface BaselineLine {
  line: PolicyLine;
  since: string | null;
}

const SINCE = /^#\s*@since\s+([A-Za-z0-9._-]{1,40})\s*$/;

/**
 * Parses the baseline CSV: comment lines (#) and blank lines are skipped; a `# @since <tag>` line
 * tags the p lines after it, up to the next blank line or the next tag, as added in that release.
 */
export function readBaselineLines(file = path.join(policiesDir(), 'policy.csv')): BaselineLine[] {
  const lines: BaselineLine[] = [];
  let since: string | null = null;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line) {
      since = null;
      continue;
    }
    const tag = SINCE.exec(line);
    if (tag) {
      since = tag[1];
      continue;
    }
    if (line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells[0] !== 'p' || cells.length !== 6 || (cells[5] !== 'allow' && cells[5] !== 'deny')) {
      throw new Error(`Malformed baseline policy line: ${line}`);
    }
    lines.push({ line: cells.slice(1) as PolicyLine, since });
  }
  return lines;
}

/** The release tags of the baseline, each with the lines it added. */
export function baselineReleases(lines: BaselineLine[] = readBaselineLines()): Map<string, PolicyLine[]> {
  const releases = new Map<string, PolicyLine[]>();
  for (const { line, since } of lines) if (since) releases.set(since, [...(releases.get(since) ?? []), line]);
  return releases;
}
