/**
 * Response shapes the console relies on whose routes declare no response schema yet (the document
 * types their data `unknown`). Keep them to what the console reads; remove one when its route
 * gains a response schema and schema.d.ts carries it.
 */

/** 'object:action', e.g. 'customer:read'. */
export type Permission = `${string}:${string}`;

/** GET /api/v1/me */
export interface Me {
  user: { id: number; username: string; displayName: string; departmentCode?: string | null; status: string };
  status: string;
  assignments: { id: number; role: string; scope: string }[];
  /** Scopes: '*' | 'dept:PM1' | 'project:SC-HARBOUR'. Absent on an older server: treated as none. */
  permissions?: { permission: string; scopes: string[] }[];
  session?: { idleTimeoutSeconds: number };
  agreement: { currentVersion: string; signedVersion: string | null; required: boolean };
}

/** POST /api/v1/auth/session */
export interface SignInResult {
  idleTimeoutSeconds: number;
  agreementRequired: boolean;
}

/** GET /api/v1/agreement */
export interface Agreement {
  version: string;
  title?: string;
  text: string;
}
