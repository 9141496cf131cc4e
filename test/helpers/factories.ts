import crypto from 'node:crypto';
import { User } from '../../src/entities/User';
import { id18CheckChar } from '../../src/lib/chinese-id';
import type { TestApp } from './test-app';

/** Test data factories: unique codes and names, each test makes what it needs. */
const uid = () => crypto.randomBytes(3).toString('hex');

export const DEFAULT_PASSWORD = 'factory-password-1';

export async function makeDepartment(t: TestApp, code = `D${uid()}`) {
  return t.ctx.org.createDepartment({ id: t.admin.id, username: 'admin' }, { code, name: `Department ${code}` });
}

export async function makeProject(t: TestApp, opts: { departmentCode?: string | null; code?: string } = {}) {
  const code = opts.code ?? `P${uid()}`;
  return t.ctx.org.createProject({ id: t.admin.id, username: 'admin' }, { code, name: `Project ${code}`, departmentCode: opts.departmentCode ?? null });
}

export interface MadeUser {
  id: number;
  username: string;
  password: string;
  token: string;
  /** Authorization header value. */
  auth: string;
}

/**
 * A user holding the given (role, scope) assignments. `signed` (default true) means the
 * confidentiality agreement is signed; false leaves the account pending_agreement.
 */
export async function makeUser(
  t: TestApp,
  opts: { roles?: Array<[string, string]>; signed?: boolean; username?: string; password?: string; departmentCode?: string } = {},
): Promise<MadeUser> {
  const username = opts.username ?? `u.${uid()}${uid()}`;
  const password = opts.password ?? DEFAULT_PASSWORD;
  const admin = { id: t.admin.id, username: 'admin' };
  const view = await t.ctx.users.create(admin, { username, displayName: `User ${username}`, password, departmentCode: opts.departmentCode ?? null }, { signed: opts.signed ?? true });
  for (const [role, scope] of opts.roles ?? []) await t.ctx.access.grant(admin, { userId: view.id, role, scope });
  const u = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: view.id });
  const token = t.ctx.tokens.issue(u.id, u.tokenVersion);
  return { id: u.id, username, password, token, auth: `Bearer ${token}` };
}

/** A fresh token for a user (after a token-version change the old one is revoked). */
export async function tokenFor(t: TestApp, userId: number): Promise<string> {
  const u = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: userId });
  return t.ctx.tokens.issue(u.id, u.tokenVersion);
}

/** Day, month and the 3-digit sequence all come from one counter: 28 × 12 × 900 numbers in a row are all different. */
const ID_SPACE = 28 * 12 * 900;
let idSeq = crypto.randomInt(ID_SPACE);
/**
 * A unique, valid 18-digit resident ID number (date valid, ISO 7064 MOD 11-2 check character):
 * unique within the process (a random 3-digit part once made two rows of one import the same person).
 */
export function makeIdNumber(): string {
  idSeq = (idSeq + 1) % ID_SPACE;
  const day = String(1 + (idSeq % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(idSeq / 28) % 12)).padStart(2, '0');
  const seq = 100 + Math.floor(idSeq / (28 * 12));
  const body = `110105${1950 + (process.pid % 50)}${month}${day}${String(seq).padStart(3, '0')}`;
  return body + id18CheckChar(body);
}

let phoneSeq = crypto.randomInt(10_000_000);
/** A unique mainland mobile number. */
export function makePhone(): string {
  phoneSeq = (phoneSeq + 1) % 100_000_000;
  return `139${String(phoneSeq).padStart(8, '0')}`;
}
