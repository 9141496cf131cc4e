import { EntityManager } from 'typeorm';

/** Something a user still holds that must be handed over before they leave (R-OFFBOARD). */
export interface Holding {
  kind: string;
  id: string;
  description: string;
}

export type HoldingsProvider = (m: EntityManager, userId: number) => Promise<Holding[]>;

/**
 * The one place offboarding asks "does this user still hold anything?". Later ledgers
 * (controlled copies, handover files, ...) register a provider here; offboarding is refused
 * with 409 and the list while any provider returns something.
 */
export class HoldingsRegistry {
  private readonly providers = new Map<string, HoldingsProvider>();

  register(kind: string, provider: HoldingsProvider): void {
    if (this.providers.has(kind)) throw new Error(`holdings provider ${kind} already registered`);
    this.providers.set(kind, provider);
  }

  kinds(): string[] {
    return [...this.providers.keys()];
  }

  async holdingsOf(m: EntityManager, userId: number): Promise<Holding[]> {
    const all: Holding[] = [];
    for (const provider of this.providers.values()) all.push(...(await provider(m, userId)));
    return all;
  }
}
