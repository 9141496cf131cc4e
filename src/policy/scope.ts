import { ScopeKind } from './roles';

/** A scope as written in the API and in g lines: "*", "dept:<code>" or "project:<code>". */
export type ScopeString = string;
export const COMPANY: ScopeString = '*';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export interface ParsedScope {
  kind: ScopeKind;
  code: string | null;
}

/** Returns null for anything that is not a well-formed scope. */
export function parseScope(s: string): ParsedScope | null {
  if (s === COMPANY) return { kind: 'company', code: null };
  const m = /^(dept|project):(.+)$/.exec(s);
  if (!m || !CODE.test(m[2])) return null;
  return { kind: m[1] as 'dept' | 'project', code: m[2] };
}

export const projectScope = (code: string): ScopeString => `project:${code}`;
export const deptScope = (code: string): ScopeString => `dept:${code}`;
export const isCodeValid = (code: string): boolean => CODE.test(code);
