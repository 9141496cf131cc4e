/**
 * Record-level refusals moved to src/policy/refusal.ts, the one path of refusals into the audit
 * trail (R-AUDIT); re-exported here for the features that import it from this folder.
 */
export { refuse, type RefusedAction } from '../../policy/refusal';
