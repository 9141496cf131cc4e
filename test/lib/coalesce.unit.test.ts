import { coalesced } from '../../src/lib/coalesce';

/** A run that waits until released, counting its starts. */
function gatedRun() {
  const releases: Array<() => void> = [];
  let starts = 0;
  const run = () => {
    starts++;
    return new Promise<void>((resolve) => releases.push(resolve));
  };
  const releaseNext = async () => {
    while (!releases.length) await new Promise((r) => setImmediate(r));
    releases.shift()!();
  };
  return { run, releaseNext, starts: () => starts };
}

describe('coalesced runs (policy reloads, audit seals)', () => {
  test('calls during a run join it and get one more run before it settles; none is running afterwards', async () => {
    const g = gatedRun();
    const call = coalesced(g.run);
    const first = call();
    const second = call();
    const third = call();
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(call.current()).toBe(first);
    await g.releaseNext();
    await g.releaseNext();
    await first;
    expect(g.starts()).toBe(2);
    expect(call.current()).toBeNull();
  });

  test('a call with nothing running starts one run only', async () => {
    const g = gatedRun();
    const call = coalesced(g.run);
    const p = call();
    await g.releaseNext();
    await p;
    expect(g.starts()).toBe(1);
  });

  test('a run that throws ends the round: callers get the rejection, or onError is called once and they resolve', async () => {
    const failing = coalesced(() => Promise.reject(new Error('boom')));
    await expect(failing()).rejects.toThrow('boom');
    expect(failing.current()).toBeNull();

    const errors: unknown[] = [];
    const logged = coalesced(() => Promise.reject(new Error('boom')), (err) => errors.push(err));
    await Promise.all([logged(), logged(), logged()]);
    expect(errors).toHaveLength(1);
  });
});
