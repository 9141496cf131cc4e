/** The roles of the regulation (see docs/regulation/README.md, "Roles"), with the scopes each may be held in. */
export type ScopeKind = 'company' | 'dept' | 'project';

export interface RoleDef {
  name: string;
  chinese: string;
  scopes: ScopeKind[];
  description: string;
}

export const ROLES: RoleDef[] = [
  { name: 'it_admin', chinese: '品質管理部IT工程師', scopes: ['company'], description: 'Manages accounts, roles, the policy; every permission on control data (R-IT-PERMS, R-CTRL-IT).' },
  { name: 'quality_inspector', chinese: '品質管理部', scopes: ['company'], description: 'Inspects projects, reviews assessments, records incidents, rewards and penalties (R-INSPECT, R-REWARD, R-PENALTY).' },
  { name: 'general_manager', chinese: '總經理', scopes: ['company'], description: 'Approves any release of customer information outside the company (R-EXTERNAL).' },
  { name: 'auditor', chinese: '審計', scopes: ['company'], description: 'Reads the audit trail, inspections and reports; changes nothing (R-AUDIT).' },
  { name: 'dept_head', chinese: '部門負責人', scopes: ['dept'], description: "Keeps the department's inventory, approves printing, runs the monthly self-assessment (R-INVENTORY, R-PRINT-APPROVE, R-RISK-MONTHLY)." },
  { name: 'project_manager', chinese: '服務中心項目經理', scopes: ['project'], description: "Approves printing, holds the developer's handover files, supervises destruction (R-PRINT-APPROVE, R-HANDOVER-HOLD)." },
  { name: 'info_clerk', chinese: '項目信息員', scopes: ['project'], description: 'Builds and maintains the control data of a project, except import and export (R-CTRL-CLERK).' },
  { name: 'staff', chinese: '其他有管控使用需要人員', scopes: ['project', 'dept'], description: 'Enters and views control data only (R-CTRL-STAFF).' },
  { name: 'customer_manager', chinese: '客戶經理', scopes: ['project'], description: 'Archives customers’ other requests from surveys, without private fields (R-SURVEY-REDACT).' },
];

export const ROLE_NAMES = ROLES.map((r) => r.name);

export function findRole(name: string): RoleDef | undefined {
  return ROLES.find((r) => r.name === name);
}
