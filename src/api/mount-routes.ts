import express, { type Express, type Request, type Response, type Router } from 'express';
import type { AuditActor } from '../audit/audit-writer';
import { AppError, ForbiddenError, UnauthorizedError } from '../errors';
import type { AppContext } from '../context';
import { accountRefusal } from '../policy/authorizer';
import type { RefusedRequest } from '../policy/refusal';
import { Authenticated, authenticate } from './middleware/authenticate';
import { assertSameOrigin, slideSession } from './middleware/session';
import { isDatabaseUnavailable } from './middleware/error-handler';
import { Actor, Reply, RouteSpec } from './route';
import { parsePart } from './validate';
import { COMPANY } from '../policy/scope';

// R-ONBOARD's predicate lives beside the agreement (src/policy/agreement.ts); re-exported for the routes.
export { hasSignedCurrentAgreement } from '../policy/agreement';

/** Refuses to build an app with a route that does not say what it needs (deny by default). */
export function assertDeclared(spec: RouteSpec): void {
  const a = spec.access as RouteSpec['access'] | undefined;
  const ok =
    !!a &&
    (a.kind === 'public' ||
      a.kind === 'self' ||
      (a.kind === 'permission' && !!a.object && !!a.action && (a.scope === 'company' || a.scope === 'held' || typeof a.scope === 'function')));
  if (!ok) throw new Error(`Route ${spec.method.toUpperCase()} ${spec.path} declares no access: refusing to expose it`);
}

/**
 * Runs a route's scope resolver. A typed error (404 for a missing record, 400) passes through;
 * anything else is an error in authorization, which denies and is recorded (R-AUDIT).
 */
async function resolveScope(ctx: AppContext, acting: AuditActor & { id: number }, p: { object: string; action: string }, resolve: () => string | Promise<string>): Promise<string> {
  try {
    return await resolve();
  } catch (err) {
    // A typed error (404, 400) and an unreachable database (503) pass through unchanged.
    if (err instanceof AppError || isDatabaseUnavailable(err)) throw err;
    ctx.logger.error('scope resolution failed', { object: p.object, action: p.action, error: String(err) });
    const refused = new ForbiddenError('forbidden', `Missing permission ${p.object}:${p.action}: the scope could not be resolved`, {
      permission: `${p.object}:${p.action}`,
      scope: null,
      reason: 'the authorization check failed',
    });
    await ctx.authz.recordDenial(acting, 'unresolved', p, { allowed: false, effect: 'error', line: null, decidedIn: null, checked: [] }, refused);
    throw refused;
  }
}

/**
 * Mounts route specs. For each request, in order: authenticate (401), parse params and query
 * (400), the account gate (403 agreement_required, R-ONBOARD; 403 account_locked, R-SCOPE),
 * resolve the scope and ask the policy (403 with the missing permission; 404 if the scope's
 * record does not exist), parse the body (400), then the thin handler.
 *
 * R-AUDIT: what is known of the request as it goes (who, the permission, the resolved scope) is
 * kept in res.locals.refused, so that the error handler records any 403 nobody recorded (the
 * gate's, a service's plain ForbiddenError) with the scope that was refused.
 */
export function mountRoutes(app: Express, routes: RouteSpec[], ctx: AppContext): void {
  const seen = new Set<string>();
  // One sub-router per resource prefix (/api/v1/customers, /healthz, ...): a request walks a
  // dozen prefixes instead of every route. `mountPath` lets tests list what is mounted.
  const groups = new Map<string, Router & { mountPath?: string }>();
  for (const spec of routes) {
    assertDeclared(spec);
    const key = `${spec.method} ${spec.path}`;
    if (seen.has(key)) throw new Error(`Route ${key} declared twice`);
    seen.add(key);
    const prefix = /^(\/api\/v1\/[^/]+|\/[^/]+)/.exec(spec.path)![1];
    let router = groups.get(prefix);
    if (!router) {
      router = Object.assign(express.Router({ mergeParams: true, strict: false }), { mountPath: prefix });
      groups.set(prefix, router);
      app.use(prefix, router);
    }
    const relative = spec.path.slice(prefix.length) || '/';

    router[spec.method](relative, async (req: Request, res: Response) => {
      res.locals.route = spec.path;
      const access = spec.access;
      const startedAt = new Date();
      let actor: Actor | null = null;
      let sessionOf: Authenticated | null = null;
      if (access.kind !== 'public') {
        const who = await authenticate(req, ctx.tokens, ctx.db, ctx.policy);
        actor = who.actor;
        res.locals.userId = actor.id;
        if (who.via === 'cookie') {
          sessionOf = who;
          slideSession(req, res, ctx.tokens, ctx.config, who.claims);
        }
      }
      const auditActor: AuditActor = {
        id: actor?.id ?? null,
        username: actor?.username ?? null,
        requestId: res.locals.requestId,
        ip: req.ip ?? null,
      };
      const refused: RefusedRequest = {
        actor: auditActor,
        departmentId: actor?.departmentId ?? null,
        startedAt,
        permission: access.kind === 'permission' ? { object: access.object, action: access.action } : null,
        scope: access.kind === 'permission' && access.scope === 'company' ? COMPANY : null,
      };
      if (actor) res.locals.refused = refused;
      // A console session's change must prove it comes from the console (recorded like any 403).
      if (sessionOf) assertSameOrigin(req);
      const locals: Record<string, unknown> = {};
      const params = parsePart(spec.params, req.params, 'params');
      const query = parsePart(spec.query, req.query, 'query');

      // The account gate (the same function /authz/explain answers with); recorded by the error handler.
      const gate = actor && !(access.kind === 'self' && access.pendingAgreement) ? accountRefusal(actor) : null;
      if (gate) throw gate.status === 401 ? new UnauthorizedError(gate.code, gate.message) : new ForbiddenError(gate.code, gate.message);
      if (access.kind === 'permission') {
        const acting = { ...auditActor, id: actor!.id };
        if (access.scope === 'held') {
          await ctx.authz.requireInHeldScope(acting, access);
        } else {
          const scope = access.scope === 'company' ? COMPANY : await resolveScope(ctx, acting, access, () =>
            (access.scope as Exclude<typeof access.scope, string>)({ params: params as Record<string, unknown>, query: query as Record<string, unknown>, body: req.body, locals, actor }),
          );
          refused.scope = scope;
          await ctx.authz.require(acting, scope, access);
        }
      }
      const body = parsePart(spec.body, req.body, 'body');
      const result = await spec.handler({ params, query, body, actor, auditActor, req, res, locals });
      if (res.headersSent) return;
      if (result instanceof Reply) {
        for (const [h, v] of Object.entries(result.headers)) res.setHeader(h, v);
        if (result.body === undefined) res.status(result.status).end();
        else res.status(result.status).json(result.body);
        return;
      }
      res.status(spec.status ?? 200).json(result);
    });
  }
}
