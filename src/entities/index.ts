import { CasbinRule } from 'typeorm-adapter';
import { AuditEvent } from './AuditEvent';
import { AuditHead } from './AuditHead';
import { Department } from './Department';
import { PolicyMeta } from './PolicyMeta';
import { Project } from './Project';
import { User } from './User';

export { AuditEvent, AuditHead, CasbinRule, Department, PolicyMeta, Project, User };

/** Every entity of the schema; the casbin_rule table belongs to typeorm-adapter's entity. */
export const ENTITIES = [Department, Project, User, AuditEvent, AuditHead, PolicyMeta, CasbinRule];
