/**
 * Wraps `run` so that its runs never overlap. A call while a run is under way joins it and has it
 * run once more before it settles: whatever the caller asked for is covered by the promise it
 * gets (a policy reload, a seal of the audit entries), however many calls arrive meanwhile.
 * A run that throws ends the round: every caller of that round gets the rejection or, given
 * `onError`, it is called once for the round and the callers' promise resolves.
 */
export interface Coalesced {
  (): Promise<void>;
  /** The round under way, or null: for waiting on it without starting one (at shutdown). */
  current(): Promise<void> | null;
}

export function coalesced(run: () => Promise<void>, onError?: (err: unknown) => void): Coalesced {
  let running: Promise<void> | null = null;
  let again = false;
  const call = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } catch (err) {
        if (!onError) throw err;
        onError(err);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return Object.assign(call, { current: () => running });
}
