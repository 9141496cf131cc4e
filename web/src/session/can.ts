import type { Permission } from '../api/types';

export type Held = { permission: string; scopes: string[] }[];

/**
 * Whether the holder may `permission` (object:action):
 * - no scope: held in any scope;
 * - a scope ('dept:PM1', 'project:SC-HARBOUR'): held company-wide ('*') or in exactly that scope;
 * - several scopes (a project and its department): held in any of them.
 * The server decides every request; this only hides what would be refused.
 */
export function canWith(held: Held, permission: Permission, scope?: string | string[]): boolean {
  const entry = held.find((p) => p.permission === permission);
  if (!entry || entry.scopes.length === 0) return false;
  if (scope === undefined) return true;
  if (entry.scopes.includes('*')) return true;
  return (Array.isArray(scope) ? scope : [scope]).some((s) => entry.scopes.includes(s));
}
