/**
 * Shared vocabulary of the access matrix (test/api/access-matrix.test.ts). Each feature area
 * adds its rows in test/api/matrix/<area>.rows.ts; the expectations there are written from the
 * Rules (docs/regulation/README.md), never computed from policies/policy.csv.
 */
import crypto from 'node:crypto';
import type { MadeUser } from '../../helpers/factories';
import type { TestApp } from '../../helpers/test-app';

export type Role =
  | 'it_admin'
  | 'quality_inspector'
  | 'general_manager'
  | 'auditor'
  | 'dept_head'
  | 'project_manager'
  | 'info_clerk'
  | 'staff'
  | 'customer_manager';

export type CallerName = Role | 'no_role' | 'anonymous';

/** Every role of the Rules' role table and where the matrix user holds it. */
export const HELD_IN: Record<Role, (dept: string, project: string) => string> = {
  it_admin: () => '*',
  quality_inspector: () => '*',
  general_manager: () => '*',
  auditor: () => '*',
  dept_head: (d) => `dept:${d}`,
  project_manager: (_d, p) => `project:${p}`,
  info_clerk: (_d, p) => `project:${p}`,
  staff: (_d, p) => `project:${p}`,
  customer_manager: (_d, p) => `project:${p}`,
};
export const ROLES = Object.keys(HELD_IN) as Role[];

export type Allow = 'public' | 'authenticated' | Role[];

export interface Req {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Overrides the caller's Authorization header (throwaway token for routes that revoke tokens). */
  auth?: string | null;
  /** A raw (non-JSON) body, e.g. a CSV upload. */
  contentType?: string;
}

export interface Caller {
  name: CallerName;
  role: Role | null;
  /** null for the anonymous caller. */
  user: MadeUser | null;
  auth: string | null;
}

export interface Expectation {
  rid: string;
  allow: Allow;
  /** object:action named in a 403 (and declared by the route). */
  permission?: string;
  /** A valid request with fresh targets, so that only authorization decides. */
  prepare: (caller: Caller) => Promise<Req>;
}

/**
 * The matrix fixture, filled in by the matrix's beforeAll: one department, one project in it,
 * one user per role held there (HELD_IN), a signed user with no role, an anonymous caller.
 * Row files read it inside `prepare` (never at module load).
 */
export interface MatrixEnv {
  t: TestApp;
  dept: string;
  project: string;
  callers: Map<CallerName, Caller>;
}

export const env = {} as MatrixEnv;

export const uid = () => crypto.randomBytes(4).toString('hex');
export const adminActor = () => ({ id: env.t.admin.id, username: env.t.admin.username });
