#!/usr/bin/env node
/**
 * Fails when the TypeScript sources import each other in a cycle. Type-only imports count too:
 * a cycle of types is still a knot a reader has to untie (`JobDef.run(ctx: AppContext)` was one).
 *
 *   node scripts/check-cycles.js [dir ...]        (default: src scripts bench)
 *
 * Relative imports only: packages cannot import us back. Prints each cycle (a strongly connected
 * component of more than one file, or a file importing itself) and exits 1 if there is any.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^'"`;]*?\sfrom\s)?\s*['"](\.{1,2}\/[^'"]*)['"]/g;
const DYNAMIC = /\b(?:import|require)\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g;

function listSources(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) listSources(p, out);
    else if (/\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) out.push(p);
  }
  return out;
}

function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function graphOf(files) {
  const graph = new Map();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const deps = new Set();
    for (const re of [IMPORT, DYNAMIC]) {
      for (const m of text.matchAll(re)) {
        const target = resolve(file, m[1]);
        if (target) deps.add(target);
      }
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Tarjan's strongly connected components, iteratively (no recursion limit on deep chains). */
function cycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work = [[root, 0]];
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      if (i === 0) {
        index.set(v, counter);
        low.set(v, counter);
        counter++;
        stack.push(v);
        onStack.add(v);
      }
      const deps = graph.get(v) ?? [];
      if (i < deps.length) {
        frame[1]++;
        const w = deps[i];
        if (!graph.has(w)) continue;
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const component = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
      }
    }
  }
  return found;
}

const root = path.resolve(__dirname, '..');
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'scripts', 'bench'];
const files = dirs.map((d) => path.resolve(root, d)).filter((d) => fs.existsSync(d)).flatMap((d) => listSources(d, []));
const found = cycles(graphOf(files));
if (found.length === 0) {
  console.log(`check-cycles: ${files.length} files, no import cycle`);
  process.exit(0);
}
for (const component of found) {
  console.error(`import cycle (${component.length} files):`);
  for (const f of component) console.error(`  ${path.relative(root, f)}`);
}
console.error(`check-cycles: ${found.length} cycle(s)`);
process.exit(1);
