import { describe, expect, it } from "vitest";
import type { ClientMessageType } from "../../../schema/messages";
import { ClientGuard, MESSAGE_RATES, STRIKE_LIMIT, STRIKE_WINDOW_MS } from "../../../server/room/client-guard";

const START = 1_700_000_000_000;

/** Sends `count` messages of a type, evenly spaced at `perSecond`; returns how many got through. */
function send(guard: ClientGuard, type: ClientMessageType, count: number, perSecond: number, from = START): number {
  let allowed = 0;
  for (let i = 0; i < count; i++) if (guard.allow(type, from + (i * 1000) / perSecond)) allowed++;
  return allowed;
}

describe("message rates", () => {
  const types = Object.keys(MESSAGE_RATES) as ClientMessageType[];

  it.each(types)(
    "a client sending %s at twice its rate for ten seconds gets only the rate and the burst through",
    (type) => {
      const { perSecond, burst } = MESSAGE_RATES[type];
      const seconds = 10;
      const allowed = send(new ClientGuard(), type, 2 * perSecond * seconds, 2 * perSecond);
      const budget = burst + perSecond * seconds;
      expect(allowed).toBeLessThanOrEqual(Math.ceil(budget));
      expect(allowed).toBeGreaterThanOrEqual(Math.floor(budget) - 1);
    },
  );

  it.each(types)("a client sending %s at its rate is never limited", (type) => {
    const { perSecond } = MESSAGE_RATES[type];
    const count = Math.ceil(perSecond * 60);
    expect(send(new ClientGuard(), type, count, perSecond)).toBe(count);
  });

  it("a burst as large as the bucket passes at once, and the next message is limited", () => {
    const guard = new ClientGuard();
    const { burst } = MESSAGE_RATES.chat;
    for (let i = 0; i < burst; i++) expect(guard.allow("chat", START), `message ${i + 1} of the burst`).toBe(true);
    expect(guard.allow("chat", START)).toBe(false);
    expect(guard.allow("chat", START + 999)).toBe(false);
  });

  it("tokens come back with time, at the rate, up to the burst", () => {
    const guard = new ClientGuard();
    const { burst, perSecond } = MESSAGE_RATES.teleport;
    send(guard, "teleport", burst, Infinity);
    expect(guard.allow("teleport", START)).toBe(false);
    // One token takes 1/perSecond seconds to come back.
    expect(guard.allow("teleport", START + 1000 / perSecond - 1)).toBe(false);
    expect(guard.allow("teleport", START + 1000 / perSecond)).toBe(true);
    expect(guard.allow("teleport", START + 1000 / perSecond)).toBe(false);
    // A long silence refills the bucket, but never beyond the burst.
    const later = START + 60_000;
    expect(send(guard, "teleport", burst + 1, Infinity, later)).toBe(burst);
  });

  it("each message type has its own bucket", () => {
    const guard = new ClientGuard();
    send(guard, "chat", 50, 100);
    expect(guard.allow("chat", START + 500)).toBe(false);
    expect(guard.allow("pose", START + 500)).toBe(true);
    expect(guard.allow("grab", START + 500)).toBe(true);
  });
});

describe("strikes", () => {
  it(`${STRIKE_LIMIT} refused messages within ${STRIKE_WINDOW_MS / 1000} s earn a disconnection`, () => {
    const guard = new ClientGuard();
    const spacing = Math.floor((STRIKE_WINDOW_MS - 1) / (STRIKE_LIMIT - 1));
    for (let i = 1; i < STRIKE_LIMIT; i++) expect(guard.strike(START + i * spacing), `strike ${i}`).toBe(false);
    expect(guard.strike(START + STRIKE_LIMIT * spacing)).toBe(true);
  });

  it("the same number of refusals spread over a longer time earns nothing", () => {
    const guard = new ClientGuard();
    // Just too far apart for STRIKE_LIMIT of them to share one window, however long it goes on.
    const spacing = Math.ceil(STRIKE_WINDOW_MS / (STRIKE_LIMIT - 1)) + 1;
    for (let i = 0; i < STRIKE_LIMIT * 4; i++) expect(guard.strike(START + i * spacing), `strike ${i + 1}`).toBe(false);
  });

  it("an old burst of refusals is forgiven once the window has passed", () => {
    const guard = new ClientGuard();
    for (let i = 0; i < STRIKE_LIMIT - 1; i++) guard.strike(START);
    expect(guard.strike(START + STRIKE_WINDOW_MS)).toBe(false);
  });

  it("during a flood only a few refusals a second are reported back to the client", () => {
    const guard = new ClientGuard();
    const reportTimes: number[] = [];
    // 20 refusals in one second: fewer than STRIKE_LIMIT, so the client stays.
    for (let i = 0; i < 20; i++) {
      const now = START + i * 50;
      expect(guard.strike(now)).toBe(false);
      if (guard.shouldReport(now)) reportTimes.push(now);
    }
    expect(reportTimes.length).toBeGreaterThan(0);
    expect(reportTimes.length).toBeLessThanOrEqual(3);
    // Quiet for a second: the next refusal is reported again.
    const after = START + 20 * 50 + 1000;
    guard.strike(after);
    expect(guard.shouldReport(after)).toBe(true);
  });

  it("an occasional refusal is always reported", () => {
    const guard = new ClientGuard();
    for (let i = 0; i < 20; i++) {
      const now = START + i * 400;
      guard.strike(now);
      expect(guard.shouldReport(now), `refusal ${i + 1}`).toBe(true);
    }
  });
});
