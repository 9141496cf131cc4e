import type { AuditWriter } from '../../audit/audit-writer';
import { langOf } from './message';
import type { Acting } from '../../api/route';
import type { FieldCipher } from '../../crypto/field-cipher';
import type { Database } from '../../db/database';
import { NotificationRobot, type RobotPlatform } from '../../entities/NotificationRobot';
import type { UserLanguage } from '../../entities/User';
import { FieldIssue, NotFoundError, ValidationError } from '../../errors';
import type { PolicyService } from '../../policy/policy-service';
import { parseScope } from '../../policy/scope';
import { CATALOGUE } from './catalogue';
import type { NotificationOutbox } from './notification.service';
import { robotKinds } from './notification.service';
import { maskWebhook, openRobotField, sealRobotField } from './robot-crypto';

/** A robot as answers show it: the webhook masked, the secret only as "there is one". */
export interface RobotView {
  id: number;
  name: string;
  platform: RobotPlatform;
  scope: string;
  webhook: string;
  hasSecret: boolean;
  kinds: string[] | null;
  language: UserLanguage;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface RobotInput {
  name: string;
  platform: RobotPlatform;
  scope: string;
  webhookUrl: string;
  secret?: string | null;
  kinds?: string[] | null;
  language?: UserLanguage;
  enabled?: boolean;
}

/**
 * The IT admin's work-chat group robots (issue 13, R-IT-PERMS): one or more per department or
 * project. The webhook URL carries the robot's access token and the secret signs its requests:
 * both are encrypted at rest (FieldCipher) and never returned whole, nor written to the audit trail.
 */
export class NotificationRobotService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly cipher: FieldCipher,
    private readonly policy: PolicyService,
    private readonly outbox: NotificationOutbox,
  ) {}

  private view(r: NotificationRobot): RobotView {
    return {
      id: r.id,
      name: r.name,
      platform: r.platform,
      scope: r.scope,
      webhook: maskWebhook(openRobotField(this.cipher, 'webhookUrl', r.webhookUrl)),
      hasSecret: r.secret !== null,
      kinds: robotKinds(r),
      language: langOf(r.language),
      enabled: Boolean(r.enabled),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  /** What the audit trail records of a robot: no URL, no secret. */
  private summary(r: NotificationRobot): Record<string, unknown> {
    return { name: r.name, platform: r.platform, scope: r.scope, kinds: robotKinds(r), language: r.language, enabled: Boolean(r.enabled), hasSecret: r.secret !== null };
  }

  /** The scope must name an existing department or project, the kinds declared ones (field-level 400). */
  private check(input: Partial<RobotInput>): void {
    const issues: FieldIssue[] = [];
    if (input.scope !== undefined) {
      const parsed = parseScope(input.scope);
      if (!parsed || parsed.kind === 'company') issues.push({ path: 'body.scope', message: "a department or project: 'dept:<code>' or 'project:<code>'" });
      else if (!this.policy.scopeExists(input.scope)) issues.push({ path: 'body.scope', message: `${input.scope} does not exist` });
    }
    input.kinds?.forEach((k, i) => {
      if (!CATALOGUE.has(k)) issues.push({ path: `body.kinds.${i}`, message: `unknown kind ${k}` });
    });
    if (issues.length) throw new ValidationError('Invalid group robot', issues);
  }

  async list(): Promise<{ items: RobotView[] }> {
    const rows = await this.db.manager.getRepository(NotificationRobot).find({ order: { scope: 'ASC', id: 'ASC' } });
    return { items: rows.map((r) => this.view(r)) };
  }

  async get(id: number): Promise<RobotView> {
    const r = await this.db.manager.getRepository(NotificationRobot).findOneBy({ id });
    if (!r) throw new NotFoundError('Group robot', id);
    return this.view(r);
  }

  async create(actor: Acting, input: RobotInput): Promise<RobotView> {
    this.check(input);
    const now = new Date();
    const id = await this.db.tx(async (m) => {
      const row = m.getRepository(NotificationRobot).create({
        name: input.name,
        platform: input.platform,
        scope: input.scope,
        webhookUrl: sealRobotField(this.cipher, 'webhookUrl', input.webhookUrl),
        secret: input.secret ? sealRobotField(this.cipher, 'secret', input.secret) : null,
        kinds: input.kinds ? JSON.stringify([...new Set(input.kinds)]) : null,
        language: input.language ?? 'zh-Hant',
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      });
      await m.getRepository(NotificationRobot).insert(row);
      await this.audit.append(m, actor, { action: 'notification_robot.created', objectType: 'notification_robot', objectId: row.id, scope: row.scope, after: this.summary(row) });
      return row.id;
    });
    return this.get(id);
  }

  /** Changes the given fields; a new webhook URL or secret replaces the stored one (secret null removes it). */
  async update(actor: Acting, id: number, input: Partial<RobotInput>): Promise<RobotView> {
    this.check(input);
    await this.db.tx(async (m) => {
      const repo = m.getRepository(NotificationRobot);
      const before = await repo.findOneBy({ id });
      if (!before) throw new NotFoundError('Group robot', id);
      const changes: Partial<NotificationRobot> = { updatedAt: new Date() };
      if (input.name !== undefined) changes.name = input.name;
      if (input.platform !== undefined) changes.platform = input.platform;
      if (input.scope !== undefined) changes.scope = input.scope;
      if (input.webhookUrl !== undefined) changes.webhookUrl = sealRobotField(this.cipher, 'webhookUrl', input.webhookUrl);
      if (input.secret !== undefined) changes.secret = input.secret ? sealRobotField(this.cipher, 'secret', input.secret) : null;
      if (input.kinds !== undefined) changes.kinds = input.kinds === null ? null : JSON.stringify([...new Set(input.kinds)]);
      if (input.language !== undefined) changes.language = input.language;
      if (input.enabled !== undefined) changes.enabled = input.enabled;
      await repo.update({ id }, changes);
      const after = { ...before, ...changes };
      await this.audit.append(m, actor, {
        action: 'notification_robot.updated',
        objectType: 'notification_robot',
        objectId: id,
        scope: after.scope,
        before: this.summary(before),
        after: { ...this.summary(after), webhookReplaced: input.webhookUrl !== undefined },
      });
    });
    return this.get(id);
  }

  /** Removes the robot; deliveries still pending for it are dead-lettered by the worker (robot gone). */
  async remove(actor: Acting, id: number): Promise<void> {
    await this.db.tx(async (m) => {
      const repo = m.getRepository(NotificationRobot);
      const before = await repo.findOneBy({ id });
      if (!before) throw new NotFoundError('Group robot', id);
      await repo.delete({ id });
      await this.audit.append(m, actor, { action: 'notification_robot.deleted', objectType: 'notification_robot', objectId: id, scope: before.scope, before: this.summary(before) });
    });
  }

  /** Writes a `system.robot_test` message for this robot alone (also in the caller's inbox); the worker sends it like any other. */
  async test(actor: Acting, id: number): Promise<{ deliveryId: number }> {
    return this.db.tx(async (m) => {
      const robot = await m.getRepository(NotificationRobot).findOneBy({ id });
      if (!robot) throw new NotFoundError('Group robot', id);
      const deliveryId = await this.outbox.robotTest(m, actor.id, robot);
      await this.audit.append(m, actor, { action: 'notification_robot.tested', objectType: 'notification_robot', objectId: id, scope: robot.scope, after: { deliveryId } });
      return { deliveryId };
    });
  }
}
