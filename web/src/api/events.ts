/**
 * What the API client observes and the shell reacts to, outside React: the last API call (the
 * idle timer), the service being unavailable (503 banner), the session ending (401 -> /login),
 * the agreement becoming required. Components read them with useSyncExternalStore (session/, layout/).
 */
type Listener = () => void;

function store<T>(initial: T) {
  let value = initial;
  const listeners = new Set<Listener>();
  return {
    get: () => value,
    set(v: T) {
      value = v;
      listeners.forEach((l) => l());
    },
    subscribe(l: Listener) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  };
}

/** Last API call that the server answered (it slides the session), and the idle timeout it reported. */
export const activity = store({ at: Date.now(), idleSeconds: 900 });

// Other tabs of the console share one session: their calls keep this tab's timer alive too.
// (BroadcastChannel carries only a timestamp: no storage, nothing about customers.)
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('custodian-activity') : null;
channel?.addEventListener('message', (e: MessageEvent<{ at: number; idleSeconds: number }>) => {
  if (typeof e.data?.at === 'number' && e.data.at > activity.get().at) activity.set(e.data);
});

/** Called by the client for every answered call (and by sign-in with the timeout it returns). */
export function touch(idleSeconds?: number): void {
  const next = { at: Date.now(), idleSeconds: idleSeconds && idleSeconds > 0 ? idleSeconds : activity.get().idleSeconds };
  activity.set(next);
  channel?.postMessage(next);
}

/** Set while the service answers 503; retryAfter in seconds (Retry-After), null when it is back. */
export const unavailable = store<{ retryAfter: number } | null>(null);

/** The session ended (401 on a call other than sign-in): the shell sends the user to /login. */
export const sessionEnded = store(0);

/** A call was refused with agreement_required: the shell refetches /me and shows /agreement. */
export const agreementRequired = store(0);
