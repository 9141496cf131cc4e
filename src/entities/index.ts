import { AuditEvent } from './AuditEvent';
import { AuditHead } from './AuditHead';
import { Customer } from './Customer';
import { CustomerLookup } from './CustomerLookup';
import { Department } from './Department';
import { InventoryItem } from './InventoryItem';
import { KeyCheck } from './KeyCheck';
import { PolicyMeta } from './PolicyMeta';
import { PolicyRule } from './PolicyRule';
import { Project } from './Project';
import { User } from './User';

export { AuditEvent, AuditHead, Customer, CustomerLookup, Department, KeyCheck, PolicyMeta, PolicyRule, Project, User };

/** Every entity of the schema; casbin_rule is typeorm-adapter's entity (extended with indexes). */
export const ENTITIES = [Department, Project, User, AuditEvent, AuditHead, PolicyMeta, PolicyRule, KeyCheck, Customer, CustomerLookup, InventoryItem];
