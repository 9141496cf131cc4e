/**
 * A syntactic lint for issue 11: inside the callback of `db.tx(...)` only the transaction's own
 * manager may reach the database. It parses src/ with the TypeScript parser (no type checker:
 * about a second) and reports, inside every tx callback:
 * - `db` used for anything but `db.mysql` (db.manager and db.ds take a second connection; db
 *   handed to a helper lets it do the same);
 * - a nested `.tx(` call;
 * - a call that leaves out the manager argument of a function declared `m: EntityManager =
 *   this.db.manager` or `m?: EntityManager` (the default reads through a second connection);
 * - a call to a function that itself does one of these, directly or through other calls.
 * Calls are resolved by name through `this`, `this.<field>` (its declared type), `ctx.<field>`
 * (AppContext) and module-level functions; what cannot be resolved is left to the runtime guard
 * in src/db/database.ts, which refuses the second connection whichever path asks for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface TxViolation {
  file: string;
  line: number;
  text: string;
  why: string;
}

interface ClassInfo {
  /** method name -> key into the function table. */
  methods: Map<string, string>;
  /** field name -> declared type name. */
  fields: Map<string, string>;
}

interface FnInfo {
  /** Index of its omissible manager parameter (-1: none). */
  managerParam: number;
  /** Indexes of parameters that are callbacks run with a transaction's manager (`work: (m: EntityManager, ...) => ...`). */
  txCallbackParams: number[];
  body: ts.Node | undefined;
  cls: ClassInfo | undefined;
  sf: ts.SourceFile;
  /** Why it reaches the database other than through the manager it was given (null: it does not, as far as the scan sees). */
  outside: string | null;
  name: string;
}

function walkFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : walkFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** A parameter whose default reaches for the shared manager, or an optional EntityManager. */
function managerParamIndex(params: ts.NodeArray<ts.ParameterDeclaration>, sf: ts.SourceFile): number {
  return params.findIndex((p) => {
    const init = p.initializer?.getText(sf) ?? '';
    const type = p.type?.getText(sf) ?? '';
    return /\bdb\.manager\b|\bds\.manager\b/.test(init) || (p.questionToken !== undefined && /\bEntityManager\b/.test(type));
  });
}

type Fn = ts.MethodDeclaration | ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;
const asFn = (node: ts.Node | undefined): Fn | null =>
  node && (ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) ? node : null;

const typeName = (t: ts.TypeNode | undefined, sf: ts.SourceFile): string | null => (t && ts.isTypeReferenceNode(t) ? t.typeName.getText(sf) : null);

const isTxCall = (n: ts.Node): boolean =>
  ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'tx' && !!n.arguments[0] && !!asFn(n.arguments[0]);

/** `db` (or `x.db`) used for something other than reading db.mysql. */
function isDbUse(node: ts.Node): boolean {
  const isDb =
    (ts.isIdentifier(node) && node.text === 'db' && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) && !ts.isParameter(node.parent)) ||
    (ts.isPropertyAccessExpression(node) && node.name.text === 'db');
  if (!isDb) return false;
  const p = node.parent;
  return !(ts.isPropertyAccessExpression(p) && p.expression === node && p.name.text === 'mysql');
}

export function scanTxCallbacks(srcRoot: string): TxViolation[] {
  const files = walkFiles(srcRoot).map((f) => ({ f, sf: ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true) }));

  // Pass 1: classes (methods, typed fields), AppContext's fields, module functions.
  const classes = new Map<string, ClassInfo>();
  const fns = new Map<string, FnInfo>();
  const moduleFns = new Map<string, string>();
  const appContext = new Map<string, string>();
  // Type aliases of callbacks that receive a manager (e.g. `type HoldingsProvider = (m: EntityManager, ...) => ...`).
  const managerCallbackTypes = new Set<string>();
  for (const { sf } of files) {
    sf.forEachChild((n) => {
      if (ts.isTypeAliasDeclaration(n) && ts.isFunctionTypeNode(n.type) && /^\(\s*\w+\s*:\s*EntityManager\b/.test(n.type.getText(sf))) managerCallbackTypes.add(n.name.text);
    });
  }
  const txCallbackParams = (fn: Fn, sf: ts.SourceFile) =>
    fn.parameters.flatMap((p, i) => {
      const t = p.type;
      if (!t) return [];
      if (ts.isFunctionTypeNode(t) && /^\(\s*\w+\s*:\s*EntityManager\b/.test(t.getText(sf))) return [i];
      if (ts.isTypeReferenceNode(t) && managerCallbackTypes.has(t.typeName.getText(sf))) return [i];
      return [];
    });
  const addFn = (key: string, fn: Fn, cls: ClassInfo | undefined, sf: ts.SourceFile) =>
    fns.set(key, { managerParam: managerParamIndex(fn.parameters, sf), txCallbackParams: txCallbackParams(fn, sf), body: fn.body, cls, sf, outside: null, name: key.replace(/^.*#/, '') });
  for (const { f, sf } of files) {
    const visit = (node: ts.Node) => {
      if (ts.isClassDeclaration(node) && node.name) {
        const info: ClassInfo = { methods: new Map(), fields: new Map() };
        classes.set(node.name.text, info);
        for (const mem of node.members) {
          const fn = ts.isMethodDeclaration(mem) ? mem : ts.isPropertyDeclaration(mem) ? asFn(mem.initializer) : null;
          if (fn && mem.name) {
            const key = `${node.name.text}.${mem.name.getText(sf)}`;
            info.methods.set(mem.name.getText(sf), key);
            addFn(key, fn, info, sf);
          }
          if (ts.isPropertyDeclaration(mem)) {
            const t = typeName(mem.type, sf);
            if (t) info.fields.set(mem.name.getText(sf), t);
          }
          if (ts.isConstructorDeclaration(mem)) {
            for (const p of mem.parameters) {
              const t = typeName(p.type, sf);
              if (t && ts.getModifiers(p)?.length) info.fields.set(p.name.getText(sf), t);
            }
          }
        }
      }
      if (ts.isInterfaceDeclaration(node) && node.name.text === 'AppContext') {
        for (const mem of node.members) {
          const t = ts.isPropertySignature(mem) ? typeName(mem.type, sf) : null;
          if (t && mem.name) appContext.set(mem.name.getText(sf), t);
        }
      }
      if (ts.isSourceFile(node.parent ?? node)) {
        const decls: Array<[string, Fn]> = [];
        if (ts.isFunctionDeclaration(node) && node.name) decls.push([node.name.text, node]);
        if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) { const fn = asFn(d.initializer); if (fn) decls.push([d.name.getText(sf), fn]); }
        for (const [name, fn] of decls) {
          const key = `${f}#${name}`;
          moduleFns.set(name, key);
          addFn(key, fn, undefined, sf);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  /** The function a call resolves to, when the scan can tell. */
  const resolve = (call: ts.CallExpression, cls: ClassInfo | undefined): FnInfo | undefined => {
    const c = call.expression;
    if (ts.isIdentifier(c)) return fns.get(moduleFns.get(c.text) ?? '');
    if (!ts.isPropertyAccessExpression(c)) return undefined;
    const name = c.name.text;
    const recv = c.expression;
    if (recv.kind === ts.SyntaxKind.ThisKeyword) return fns.get(cls?.methods.get(name) ?? '');
    if (!ts.isPropertyAccessExpression(recv)) return undefined;
    const field = recv.name.text;
    const owner = recv.expression;
    let type: string | undefined;
    if (owner.kind === ts.SyntaxKind.ThisKeyword) type = cls?.fields.get(field);
    // ctx.x.f() and this.ctx.x.f(): the AppContext's field types.
    else if ((ts.isIdentifier(owner) && owner.text === 'ctx') || (ts.isPropertyAccessExpression(owner) && owner.name.text === 'ctx')) type = appContext.get(field);
    return fns.get((type && classes.get(type)?.methods.get(name)) ?? '');
  };

  /** Why this code, run inside a transaction, would reach the database other than through `m` (null: it would not). */
  const problems = (body: ts.Node, cls: ClassInfo | undefined, each: (node: ts.Node, why: string) => void) => {
    const visit = (node: ts.Node) => {
      if (isDbUse(node)) return each(node.parent, '`db` used for more than db.mysql (db.manager/db.ds take a second connection)');
      if (ts.isCallExpression(node)) {
        if (isTxCall(node)) each(node, 'a nested db.tx');
        const target = resolve(node, cls);
        if (target && target.managerParam >= 0 && node.arguments.length <= target.managerParam) {
          each(node, "the manager argument left out (its default reads through another connection)");
        } else if (target?.outside) {
          each(node, `calls ${target.name}, which ${target.outside}`);
        }
        if (isTxCall(node)) return; // its callback is checked as a transaction of its own
      }
      ts.forEachChild(node, visit);
    };
    visit(body);
  };

  // Fixpoint: a function reaches outside if its body (parameter defaults aside) does, directly or through calls.
  for (let changed = true; changed; ) {
    changed = false;
    for (const fn of fns.values()) {
      if (fn.outside || !fn.body) continue;
      let why: string | null = null;
      problems(fn.body, fn.cls, (n, w) => {
        if (why) return;
        const at = `${path.basename(fn.sf.fileName)}:${fn.sf.getLineAndCharacterOfPosition(n.getStart(fn.sf)).line + 1}`;
        if (w.startsWith('calls ')) why = w.replace(', which ', ` (${at}), which `);
        else if (w.startsWith('the manager argument')) why = `leaves out a manager argument (${at})`;
        else if (w.startsWith('a nested')) why = `opens its own db.tx (${at})`;
        else why = `uses db.manager/db.ds (${at})`;
      });
      if (why) {
        fn.outside = why;
        changed = true;
      }
    }
  }

  // Pass 2: the tx callbacks.
  const out: TxViolation[] = [];
  for (const { f, sf } of files) {
    const rel = path.relative(path.dirname(srcRoot), f).split(path.sep).join('/');
    const report = (node: ts.Node, why: string) =>
      out.push({ file: rel, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: node.getText(sf).split('\n')[0].slice(0, 120), why });
    const find = (node: ts.Node, cls: ClassInfo | undefined) => {
      if (ts.isClassDeclaration(node) && node.name) cls = classes.get(node.name.text);
      if (isTxCall(node)) problems(((node as ts.CallExpression).arguments[0] as Fn).body!, cls, report);
      // A callback handed to a helper that runs it inside its transaction (e.g. a workflow step).
      if (ts.isCallExpression(node) && !isTxCall(node)) {
        for (const i of resolve(node, cls)?.txCallbackParams ?? []) {
          const cb = asFn(node.arguments[i]);
          if (cb?.body) problems(cb.body, cls, report);
        }
      }
      ts.forEachChild(node, (c) => find(c, cls));
    };
    find(sf, undefined);
  }
  return out;
}
