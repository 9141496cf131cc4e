import { AuditEvent } from './AuditEvent';
import { AuditHead } from './AuditHead';
import { Department } from './Department';
import { PolicyMeta } from './PolicyMeta';
import { PolicyRule } from './PolicyRule';
import { Project } from './Project';
import { User } from './User';

export { AuditEvent, AuditHead, Department, PolicyMeta, PolicyRule, Project, User };

/** Every entity of the schema; casbin_rule is typeorm-adapter's entity (extended with indexes). */
export const ENTITIES = [Department, Project, User, AuditEvent, AuditHead, PolicyMeta, PolicyRule];
