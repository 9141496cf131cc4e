import type { Expectation } from './env';

/**
 * "My work" (issue 12), written from the Rules: R-SCOPE — every signed-in user who has signed the
 * agreement asks what waits for them; what comes back is limited to their own roles and records
 * (test/work/my-work.test.ts proves that part).
 */
export function workRows(): Record<string, Expectation> {
  return {
    'GET /api/v1/me/work': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/work' }) },
  };
}
