/** The shapes the reward/penalty register returns and its notice prints, and what a source tells it (R-REWARD, R-PENALTY, R-CASE-SANCTION). */
import type { EntityManager } from 'typeorm';
import type { SanctionGround, SanctionKind, SanctionStatus } from '../../entities/Sanction';

export interface PersonRef {
  id: number;
  username: string | null;
  displayName: string | null;
}

export interface SanctionView {
  id: number;
  kind: SanctionKind;
  ground: SanctionGround;
  source: { type: string; id: number; label: string };
  project: string | null;
  department: string | null;
  /** The person rewarded or penalised. */
  person: PersonRef;
  rewardAmount: number | null;
  fineAmount: number | null;
  dismissal: boolean;
  compensationAmount: number | null;
  judicialReferral: boolean;
  reason: string;
  status: SanctionStatus;
  proposedBy: PersonRef;
  proposedAt: Date;
  decidedBy: PersonRef | null;
  decidedAt: Date | null;
  decisionNote: string | null;
}

export interface SanctionFilter {
  status?: SanctionStatus;
  kind?: SanctionKind;
  userId?: number;
  sourceType?: string;
  sourceId?: number;
  limit: number;
  offset: number;
}

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
