import type { Database } from '../../db/database';
import type { PolicyService } from '../../policy/policy-service';

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; policy: boolean };
  policyVersion: PolicyService['version'];
}

/** Readiness of the process: the database answers and the policy is loaded (deny by default until it is). */
export class HealthService {
  constructor(
    private readonly db: Database,
    private readonly policy: PolicyService,
  ) {}

  async readiness(): Promise<Readiness> {
    const checks = { database: false, policy: this.policy.loaded };
    try {
      await this.db.ping();
      checks.database = true;
    } catch {
      checks.database = false;
    }
    return { ready: checks.database && checks.policy, checks, policyVersion: this.policy.version };
  }
}
