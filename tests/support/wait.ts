/**
 * Waiting in tests: on a condition, with a deadline and a message that says what never happened.
 * A test never sleeps for a fixed time to let something happen; when it must show that something
 * does NOT happen, it watches for the whole window the product promises (holdsFor) and fails at
 * the first moment it does.
 */

const POLL_MS = 100;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until done(value) holds and returns that value; throws after timeoutMs with the last value read. */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await pause(POLL_MS);
  }
}

/** Reads for forMs and throws at the first value for which ok(value) fails; returns the last value. */
export async function holdsFor<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  forMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + forMs;
  for (;;) {
    const value = await read();
    if (!ok(value)) throw new Error(`${what} stopped holding; value: ${JSON.stringify(value)}`);
    if (Date.now() >= until) return value;
    await pause(Math.min(POLL_MS, Math.max(0, until - Date.now())));
  }
}

/** True when ok(read()) held for the whole of forMs; false at the first value for which it did not. */
export async function heldFor<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  forMs: number,
): Promise<boolean> {
  const until = Date.now() + forMs;
  for (;;) {
    if (!ok(await read())) return false;
    if (Date.now() >= until) return true;
    await pause(Math.min(POLL_MS, Math.max(0, until - Date.now())));
  }
}

/**
 * The one wait that is on the clock itself: behaviour the product defines by elapsed time (a
 * dwell counts after 2 s of looking). Use it only after the server has shown it took the input
 * the time is measured from.
 */
export function elapse(ms: number): Promise<void> {
  return pause(ms).then(() => undefined);
}
