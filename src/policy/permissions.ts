/**
 * The permission vocabulary: every object and action that a route, a service or a policy
 * line may name. Policy lines naming anything else are refused (400), so a typo cannot
 * silently grant or fail to deny.
 */
export const PERMISSIONS: Record<string, readonly string[]> = {
  customer: ['create', 'read', 'update', 'delete', 'import', 'export', 'reveal'],
  survey_note: ['create', 'read', 'update', 'delete', 'archive'],
  external_release: ['request', 'approve', 'read'],
  inventory: ['read', 'manage'],
  print_request: ['create', 'read', 'approve'],
  controlled_copy: ['read', 'witness'],
  ledger_form: ['read'],
  handover_file: ['hold', 'read', 'view', 'delegate', 'confirm', 'confirm_entry', 'destroy', 'witness', 'transfer'],
  port_register: ['read', 'manage'],
  risk_assessment: ['read', 'edit', 'review', 'create', 'run'],
  inspection: ['read', 'conduct', 'create', 'run'],
  notice: ['publish'],
  incident: ['read', 'report', 'manage'],
  sanction: ['read', 'manage', 'approve'],
  case: ['create', 'read', 'handle', 'decide'],
  case_stats: ['read', 'run'],
  audit: ['read', 'export', 'verify'],
  // Issue 14 §2: who viewed which customer (R-AUDIT).
  access_log: ['read', 'export'],
  user: ['read', 'manage', 'offboard', 'pick'],
  role_assignment: ['read', 'manage'],
  policy: ['read', 'manage'],
  org: ['read', 'manage'],
  job: ['read', 'run'],
  // Issue 13: the IT admin's group robots and the delivery of notifications (dead letters sent again).
  notification_robot: ['read', 'manage'],
  notification_delivery: ['read', 'retry'],
};

export function isKnownPermission(object: string, action: string): boolean {
  if (object === '*') return action === '*';
  const actions = PERMISSIONS[object];
  return !!actions && (action === '*' || actions.includes(action));
}
