import { EntityManager } from 'typeorm';

/**
 * What a source of a reward or penalty tells the register about itself (R-REWARD, R-PENALTY,
 * R-CASE-SANCTION). Only `projectId`, `departmentId` and `label` are required; the optional
 * fields let the register apply the Rules where the source knows the facts.
 */
export interface SanctionSource {
  /** The project and department the source belongs to: the scope of the record and of its audit events. */
  projectId: number | null;
  departmentId: number | null;
  /** How the record names its source, e.g. "incident #12 (lost_written_list)" or "case 2611-007". */
  label: string;
  /** The source was reported anonymously: nobody can be rewarded for reporting it (R-REWARD). */
  anonymousReporter?: boolean;
  /** An incident's type (src/entities/Incident.ts): a selling_for_gain penalty needs a judicial referral (R-PENALTY (3)). */
  incidentType?: string;
  /** The known reporter: a reward for reporting goes to them and nobody else (R-REWARD (1)). */
  reporterId?: number | null;
  /**
   * The persons the source found responsible. When given (an array, even empty), a penalty must
   * name one of them: penalties follow the findings. Leave undefined when the source does not
   * record responsibility.
   */
  responsibleUserIds?: number[] | null;
}

/**
 * Loads a source by id in the caller's transaction; null when it does not exist (the proposal is
 * then refused with 400 naming body.source.id).
 */
export type SanctionSourceResolver = (m: EntityManager, id: number) => Promise<SanctionSource | null>;

/** The source types the register accepts; each feature registers its own (see SanctionService.registerSource). */
export class SanctionSourceRegistry {
  private readonly resolvers = new Map<string, SanctionSourceResolver>();

  register(type: string, resolve: SanctionSourceResolver): void {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(type)) throw new Error(`sanction source type "${type}" must be lower_snake_case (max 40)`);
    if (this.resolvers.has(type)) throw new Error(`sanction source ${type} already registered`);
    this.resolvers.set(type, resolve);
  }

  get(type: string): SanctionSourceResolver | undefined {
    return this.resolvers.get(type);
  }

  types(): string[] {
    return [...this.resolvers.keys()].sort();
  }
}
