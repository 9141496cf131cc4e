import { AuditEvent } from './AuditEvent';
import { AuditHead } from './AuditHead';
import { Customer } from './Customer';
import { CustomerExport } from './CustomerExport';
import { CustomerLookup } from './CustomerLookup';
import { CustomerImport } from './CustomerImport';
import { Department } from './Department';
import { ExternalRelease } from './ExternalRelease';
import { InventoryItem } from './InventoryItem';
import { KeyCheck } from './KeyCheck';
import { PolicyMeta } from './PolicyMeta';
import { PolicyRule } from './PolicyRule';
import { Project } from './Project';
import { SurveyNote } from './SurveyNote';
import { User } from './User';

export { AuditEvent, AuditHead, Customer, CustomerExport, CustomerLookup, Department, ExternalRelease, KeyCheck, PolicyMeta, PolicyRule, Project, SurveyNote, User };

/** Every entity of the schema; casbin_rule is typeorm-adapter's entity (extended with indexes). */
export const ENTITIES = [Department, Project, User, AuditEvent, AuditHead, PolicyMeta, PolicyRule, KeyCheck, Customer, CustomerLookup, InventoryItem, CustomerExport, ExternalRelease, CustomerImport, SurveyNote];
