import fs from 'node:fs';
import path from 'node:path';

/**
 * Every migration in this folder (`<timestamp>-<Name>.ts`, compiled to .js), in timestamp
 * order. Discovered rather than listed so that feature areas add a migration file and nothing
 * else; works the same under jest (.ts) and compiled (dist/.js).
 */
function discover(): Function[] {
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /^\d{13}-[A-Za-z0-9]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const classes: Function[] = [];
  for (const file of files) {
    const mod = require(path.join(__dirname, file)) as Record<string, unknown>;
    for (const exported of Object.values(mod)) if (typeof exported === 'function') classes.push(exported as Function);
  }
  return classes;
}

export const MIGRATIONS = discover();
