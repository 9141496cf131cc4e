import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuditActor } from '../audit/audit-writer';
import { ValidationError } from '../errors';
import { code } from './validate';
import type { User } from '../entities/User';

/** The authenticated user of a request. */
export type Actor = Pick<User, 'id' | 'username' | 'displayName' | 'status' | 'agreementVersion' | 'departmentId'> & Partial<Pick<User, 'lockedUntil'>>;

export interface ScopeInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  /** A resolver that loads the record may leave it here for the handler (no second load). */
  locals: Record<string, unknown>;
  /** The signed-in caller (a resolver that records a refused action names them). */
  actor?: Actor | null;
}

/**
 * Where the permission must hold:
 * - "company": in "*" (only company-wide roles qualify);
 * - "held": in "*" or in any scope where the caller holds a role (listings that each role
 *   sees from wherever it sits, e.g. the organisation; R-SCOPE);
 * - a function resolving the record's scope (it may load the record: 404 if absent).
 */
export type ScopeResolver = 'company' | 'held' | ((input: ScopeInput) => string | Promise<string>);

/**
 * What a route needs. There is no default: a route without one is refused when the router is
 * built (deny by default).
 * - public: no token (login, health, the API document).
 * - self: any valid token; `pendingAgreement` lets a user who has not yet signed through (R-ONBOARD).
 * - permission: object:action in the resolved scope, decided by the policy (R-SECRET).
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'self'; pendingAgreement?: boolean }
  | { kind: 'permission'; object: string; action: string; scope: ScopeResolver };

/** The acting user of a route that required a token: the audit actor with its id set. */
export type Acting = AuditActor & { id: number };

/** Narrows a handler's auditActor to the signed-in user (every non-public route has one). */
export function acting(a: AuditActor): Acting {
  if (a.id === null) throw new Error('acting() on a route without an authenticated user');
  return a as Acting;
}

/** Scope of the project named in ?project= (the code was validated with the query). */
export const projectInQuery = ({ query }: ScopeInput): string => `project:${String(query.project)}`;

/**
 * Scope of the project named in the body. Checked here, before the body's own parse, so that a
 * missing or malformed project is a 400 and not a 403 in no scope.
 */
export function projectInBody({ body }: ScopeInput): string {
  const parsed = code.safeParse((body as { project?: unknown } | undefined)?.project);
  if (!parsed.success) throw new ValidationError('Invalid request body', [{ path: 'body.project', message: 'the project code is required' }]);
  return `project:${parsed.data}`;
}

/**
 * Scope of the record a route names by :id: loads it (its own 404 if absent), leaves it in
 * locals[key] for the handler (no second load), and answers the record's scope.
 */
export function recordScope<T>(key: string, load: (id: string) => Promise<T>, scopeOf: (record: T) => string | Promise<string>) {
  return async ({ params, locals }: ScopeInput): Promise<string> => {
    const record = await load(String(params.id));
    locals[key] = record;
    return scopeOf(record);
  };
}

/** The record a recordScope resolver loaded. */
export function loaded<T>(locals: Record<string, unknown>, key: string): T {
  return locals[key] as T;
}

export const publicAccess = (): Access => ({ kind: 'public' });
export const selfAccess = (opts: { pendingAgreement?: boolean } = {}): Access => ({ kind: 'self', ...opts });
export const permission = (object: string, action: string, scope: ScopeResolver = 'company'): Access => ({
  kind: 'permission',
  object,
  action,
  scope,
});

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The authenticated user; null only on public routes. */
  actor: Actor | null;
  /** Actor plus request id and IP, for audit events. */
  auditActor: AuditActor;
  req: Request;
  res: Response;
  /** What the scope resolver left (e.g. the loaded record). */
  locals: Record<string, unknown>;
}

/** Returned by a handler to choose the status or headers; anything else is sent as JSON 200. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The success body's schema, for the API document only (the console's client is typed from it):
   * a route without one documents an untyped JSON body.
   */
  response?: z.ZodType;
  /** Documented success status (default 200). */
  status?: number;
  /** Non-JSON responses (CSV, HTML) for the API document. */
  produces?: string;
  handler: (input: HandlerInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>;
}

/** Identity function that lets TypeScript infer the handler's input types from the schemas. */
export function route<P extends z.ZodType = z.ZodObject<z.core.$ZodLooseShape>, Q extends z.ZodType = z.ZodObject<z.core.$ZodLooseShape>, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}
