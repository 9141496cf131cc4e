import { EntityManager, In } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { InfoClass, InventoryItem } from '../../entities/InventoryItem';
import { User } from '../../entities/User';
import { NotFoundError, ValidationError } from '../../errors';
import { deptScope } from '../../policy/scope';
import { OrgService } from '../org/org.service';
import type { Holding } from '../../policy/holdings-registry';

export interface InventoryItemView {
  id: number;
  departmentCode: string;
  infoClass: InfoClass;
  description: string;
  /** The keeper when they have an account (an active user when recorded). */
  keeperUserId: number | null;
  keeperUsername: string | null;
  /** The keeper when they have no account. */
  keeperName: string | null;
  location: string;
  approxCount: number;
  lastReviewedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  createdById: number;
}

export interface InventoryItemInput {
  infoClass: InfoClass;
  description: string;
  keeperUserId?: number | null;
  keeperName?: string | null;
  location: string;
  approxCount: number;
}

export type InventoryItemChanges = Partial<InventoryItemInput>;

type Acting = AuditActor & { id: number };

/** What the audit trail records of an item (before/after). */
function snapshot(item: InventoryItem, departmentCode: string) {
  return {
    departmentCode,
    infoClass: item.infoClass,
    description: item.description,
    keeperUserId: item.keeperUserId,
    keeperName: item.keeperName,
    location: item.location,
    approxCount: item.approxCount,
    lastReviewedAt: item.lastReviewedAt,
  };
}

/**
 * R-INVENTORY (§3.2, §3.3): each department's customer-information inventory (清單): which
 * sets of customer information it holds, in which class (R-CLASSES, §5.1), who keeps them and
 * where. The department head maintains it (inventory:manage in dept:<code>); auditors and the
 * quality department read every department's list (inventory:read in "*"). Routes resolve the
 * scope from the department or from the item's department before any of this runs; every
 * change writes its audit event in the same transaction (R-AUDIT).
 */
export class InventoryService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly org: OrgService,
  ) {}

  /** The scope of a department's inventory: dept:<code>; 404 if the department does not exist. */
  async departmentScope(code: string): Promise<string> {
    const d = await this.org.getDepartment(code);
    return deptScope(d.code);
  }

  /** The scope of an item: its department's; 404 if the item does not exist. */
  async itemScope(id: number): Promise<string> {
    const item = await this.db.manager.getRepository(InventoryItem).findOneBy({ id });
    if (!item) throw new NotFoundError('Inventory item', id);
    const d = await this.db.manager.getRepository(Department).findOneBy({ id: item.departmentId });
    if (!d) throw new NotFoundError('Department of inventory item', id);
    return deptScope(d.code);
  }

  private async views(m: EntityManager, items: InventoryItem[]): Promise<InventoryItemView[]> {
    const deptIds = [...new Set(items.map((i) => i.departmentId))];
    const keeperIds = [...new Set(items.map((i) => i.keeperUserId).filter((k): k is number => k !== null))];
    const [depts, keepers] = await Promise.all([
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      keeperIds.length ? m.getRepository(User).findBy({ id: In(keeperIds) }) : [],
    ]);
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    const username = new Map(keepers.map((u) => [u.id, u.username]));
    return items.map((i) => ({
      id: i.id,
      departmentCode: deptCode.get(i.departmentId) ?? '',
      infoClass: i.infoClass,
      description: i.description,
      keeperUserId: i.keeperUserId,
      keeperUsername: i.keeperUserId === null ? null : (username.get(i.keeperUserId) ?? null),
      keeperName: i.keeperName,
      location: i.location,
      approxCount: i.approxCount,
      lastReviewedAt: i.lastReviewedAt,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      createdById: i.createdById,
    }));
  }

  private async view(m: EntityManager, item: InventoryItem): Promise<InventoryItemView> {
    return (await this.views(m, [item]))[0];
  }

  /** One department's inventory. */
  async listForDepartment(code: string, filter: { infoClass?: InfoClass }): Promise<{ items: InventoryItemView[] }> {
    const m = this.db.manager;
    const d = await this.org.getDepartment(code, m);
    const rows = await m.getRepository(InventoryItem).find({
      where: { departmentId: d.id, ...(filter.infoClass ? { infoClass: filter.infoClass } : {}) },
      order: { id: 'ASC' },
    });
    return { items: await this.views(m, rows) };
  }

  /** Every department's inventory (auditors, the quality department), filtered and paginated. */
  async listAll(filter: { infoClass?: InfoClass; department?: string; limit: number; offset: number }): Promise<{ items: InventoryItemView[]; total: number }> {
    const m = this.db.manager;
    let departmentId: number | undefined;
    if (filter.department !== undefined) {
      const d = await m.getRepository(Department).findOneBy({ code: filter.department });
      if (!d) throw new ValidationError('Unknown department', [{ path: 'query.department', message: `department ${filter.department} does not exist` }]);
      departmentId = d.id;
    }
    const [rows, total] = await m.getRepository(InventoryItem).findAndCount({
      where: {
        ...(departmentId !== undefined ? { departmentId } : {}),
        ...(filter.infoClass ? { infoClass: filter.infoClass } : {}),
      },
      order: { departmentId: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { items: await this.views(m, rows), total };
  }

  /** A keeper with an account must be an active user (not pending, not offboarded). */
  private async requireActiveKeeper(m: EntityManager, userId: number): Promise<void> {
    const u = await m.getRepository(User).findOneBy({ id: userId });
    if (!u || u.status !== 'active') {
      throw new ValidationError('Unknown keeper', [{ path: 'body.keeperUserId', message: `user ${userId} does not exist or is not an active user` }]);
    }
  }

  /**
   * The keeper after a change: naming a user clears a free-text name and vice versa; an item
   * always has exactly one of the two.
   */
  private nextKeeper(current: { keeperUserId: number | null; keeperName: string | null }, input: InventoryItemChanges) {
    let keeperUserId = input.keeperUserId !== undefined ? input.keeperUserId : current.keeperUserId;
    let keeperName = input.keeperName !== undefined ? input.keeperName : current.keeperName;
    if (input.keeperUserId != null && input.keeperName === undefined) keeperName = null;
    if (input.keeperName != null && input.keeperUserId === undefined) keeperUserId = null;
    if (keeperUserId == null && keeperName == null) {
      throw new ValidationError('An inventory item needs a keeper', [
        { path: 'body.keeperUserId', message: 'give keeperUserId (a user) or keeperName (someone without an account)' },
      ]);
    }
    if (keeperUserId != null && keeperName != null) {
      throw new ValidationError('One keeper only', [{ path: 'body.keeperName', message: 'give keeperUserId or keeperName, not both' }]);
    }
    return { keeperUserId: keeperUserId ?? null, keeperName: keeperName ?? null };
  }

  private async lockItem(m: EntityManager, id: number): Promise<{ item: InventoryItem; departmentCode: string }> {
    const item = await m.getRepository(InventoryItem).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!item) throw new NotFoundError('Inventory item', id);
    const d = await m.getRepository(Department).findOneBy({ id: item.departmentId });
    if (!d) throw new NotFoundError('Department of inventory item', id);
    return { item, departmentCode: d.code };
  }

  /** R-INVENTORY: the department head adds a set of customer information to the department's inventory. */
  /** R-OFFBOARD: inventory sets a leaver keeps must get another keeper before the account closes. */
  async keptBy(m: EntityManager, userId: number): Promise<Holding[]> {
    const items = await m.getRepository(InventoryItem).findBy({ keeperUserId: userId });
    return items.map((i) => ({ kind: 'inventory_keeper', id: String(i.id), description: `keeper of inventory item ${i.id}: ${i.description}` }));
  }

  async create(actor: Acting, code: string, input: InventoryItemInput): Promise<InventoryItemView> {
    return this.db.tx(async (m) => {
      const d = await this.org.getDepartment(code, m);
      const keeper = this.nextKeeper({ keeperUserId: null, keeperName: null }, input);
      if (keeper.keeperUserId !== null) await this.requireActiveKeeper(m, keeper.keeperUserId);
      const now = new Date();
      const item = m.getRepository(InventoryItem).create({
        departmentId: d.id,
        infoClass: input.infoClass,
        description: input.description,
        ...keeper,
        location: input.location,
        approxCount: input.approxCount,
        lastReviewedAt: null,
        createdAt: now,
        updatedAt: now,
        createdById: actor.id,
      });
      await m.getRepository(InventoryItem).insert(item);
      await this.audit.append(m, actor, {
        action: 'inventory.item_created',
        objectType: 'inventory_item',
        objectId: item.id,
        scope: deptScope(d.code),
        after: snapshot(item, d.code),
      });
      return this.view(m, item);
    });
  }

  /** R-INVENTORY: the department head corrects an item (its department never changes). */
  async update(actor: Acting, id: number, input: InventoryItemChanges): Promise<InventoryItemView> {
    return this.db.tx(async (m) => {
      const { item, departmentCode } = await this.lockItem(m, id);
      const before = snapshot(item, departmentCode);
      const keeper = this.nextKeeper(item, input);
      if (keeper.keeperUserId !== null && keeper.keeperUserId !== item.keeperUserId) await this.requireActiveKeeper(m, keeper.keeperUserId);
      const changes: Partial<InventoryItem> = { ...keeper, updatedAt: new Date() };
      if (input.infoClass !== undefined) changes.infoClass = input.infoClass;
      if (input.description !== undefined) changes.description = input.description;
      if (input.location !== undefined) changes.location = input.location;
      if (input.approxCount !== undefined) changes.approxCount = input.approxCount;
      await m.getRepository(InventoryItem).update({ id }, changes);
      const updated = Object.assign(item, changes);
      await this.audit.append(m, actor, {
        action: 'inventory.item_updated',
        objectType: 'inventory_item',
        objectId: id,
        scope: deptScope(departmentCode),
        before,
        after: snapshot(updated, departmentCode),
      });
      return this.view(m, updated);
    });
  }

  /** R-INVENTORY: the department no longer holds the set; the trail keeps what it was. */
  async remove(actor: Acting, id: number): Promise<void> {
    await this.db.tx(async (m) => {
      const { item, departmentCode } = await this.lockItem(m, id);
      await m.getRepository(InventoryItem).delete({ id });
      await this.audit.append(m, actor, {
        action: 'inventory.item_deleted',
        objectType: 'inventory_item',
        objectId: id,
        scope: deptScope(departmentCode),
        before: snapshot(item, departmentCode),
      });
    });
  }

  /** R-INVENTORY: the department head confirms the item is still accurate (lastReviewedAt = now). */
  async review(actor: Acting, id: number, note: string | undefined): Promise<InventoryItemView> {
    return this.db.tx(async (m) => {
      const { item, departmentCode } = await this.lockItem(m, id);
      const before = snapshot(item, departmentCode);
      const now = new Date();
      await m.getRepository(InventoryItem).update({ id }, { lastReviewedAt: now, updatedAt: now });
      const reviewed = Object.assign(item, { lastReviewedAt: now, updatedAt: now });
      await this.audit.append(m, actor, {
        action: 'inventory.item_reviewed',
        objectType: 'inventory_item',
        objectId: id,
        scope: deptScope(departmentCode),
        // The reviewer's note, if any, is the event's reason.
        reason: note,
        before,
        after: snapshot(reviewed, departmentCode),
      });
      return this.view(m, reviewed);
    });
  }
}
