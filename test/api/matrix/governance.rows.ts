import type { Expectation } from './env';

/** Access-matrix rows of the governance area, written from the Rules. */
export function governanceRows(): Record<string, Expectation> {
  return {};
}
