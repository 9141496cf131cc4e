import type { SanctionSourceResolver } from './sanction.views';

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
