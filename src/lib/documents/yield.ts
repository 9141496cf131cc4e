/**
 * Long renders (a §7 form of thousands of lines) are CPU work on the one event-loop thread:
 * done in one go, no other request is served until the file is finished (a 5,000-line PDF form
 * held the server for seconds). Renderers call the function this returns between units of work
 * (a table row, a page); it hands the event loop back (setImmediate: pending I/O and timers run
 * first) whenever `budgetMs` of work have passed since the last time. It never changes what is
 * drawn: only when.
 */
export const YIELD_BUDGET_MS = 20;

export type Yielder = () => Promise<void>;

export function yielder(budgetMs = YIELD_BUDGET_MS): Yielder {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
