import { ServerError } from "@colyseus/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ServerUnreachableError } from "../../../client/net/api";
import { dropGuestToken, guestToken } from "../../../client/net/guest-identity";
import { describeJoinError, refusesToken } from "../../../client/net/live-session";
import { FALLBACK_GAP_MS, MIN_GAP_MS, PoseSender } from "../../../client/net/pose-sender";
import { decodePoseMessage } from "../../../schema/codec";
import { JoinErrorCode } from "../../../schema/errors";
import { nth } from "../../support/items";

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

afterEach(() => vi.unstubAllGlobals());

describe("the guest identity kept in the browser", () => {
  it("asks for a token once, reuses it while valid, and comes back as the same visitor, with its secret, when it expires", async () => {
    const requests: unknown[] = [];
    let issued = 0;
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      requests.push(JSON.parse(String(init.body)));
      issued++;
      return new Response(
        JSON.stringify({
          token: `t${issued}`,
          visitorId: "visitor-1",
          // Issued with a new identity only; a returning visitor keeps what they have.
          ...(issued === 1 ? { visitorSecret: "s".repeat(43) } : {}),
          customerId: "customer-1",
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      );
    });
    const storage = new MemoryStorage();
    expect((await guestToken("http://x", storage)).token).toBe("t1");
    expect((await guestToken("http://x", storage)).token).toBe("t1");
    expect(requests).toEqual([{}]);

    dropGuestToken(storage);
    const renewed = await guestToken("http://x", storage);
    expect(renewed.token).toBe("t2");
    expect(requests[1]).toEqual({ visitorId: "visitor-1", visitorSecret: "s".repeat(43) });

    dropGuestToken(storage);
    await guestToken("http://x", storage);
    expect(requests[2]).toEqual({ visitorId: "visitor-1", visitorSecret: "s".repeat(43) });
  });

  it("a browser that kept only a visitorId from before secrets sends it and keeps the secret it is then given", async () => {
    const requests: unknown[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      requests.push(JSON.parse(String(init.body)));
      return new Response(
        JSON.stringify({
          token: "t",
          visitorId: "old-visitor",
          visitorSecret: "k".repeat(43),
          customerId: "customer-1",
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      );
    });
    const storage = new MemoryStorage();
    storage.setItem(
      "atrium.guest",
      JSON.stringify({ token: "old", visitorId: "old-visitor", customerId: "c", expiresAt: new Date(0).toISOString() }),
    );
    expect((await guestToken("http://x", storage)).visitorSecret).toBe("k".repeat(43));
    expect(requests).toEqual([{ visitorId: "old-visitor" }]);
    expect(JSON.parse(storage.getItem("atrium.guest") ?? "{}")).toMatchObject({ visitorSecret: "k".repeat(43) });
  });
});

describe("join errors, decided on the server's code", () => {
  const full = 'The showroom "Home & Living Showroom" is full (50 visitors). Please try again in a few minutes.';

  it("tells a full room by its code and shows the server's words", () => {
    expect(describeJoinError(new ServerError(JoinErrorCode.ShowroomFull, full))).toEqual({
      kind: "full",
      message: full,
    });
    expect(describeJoinError(new ServerError(JoinErrorCode.ShowroomFull, "")).kind).toBe("full");
  });

  it("does not read the words: a refusal that mentions fullness or capacity under another code is not a full room", () => {
    expect(describeJoinError(new ServerError(JoinErrorCode.Forbidden, full))).toEqual({
      kind: "failed",
      message: full,
    });
    expect(describeJoinError(new Error("capacity reached")).kind).toBe("failed");
    expect(
      describeJoinError(new ServerError(JoinErrorCode.RoomClosing, "The showroom closed while you were entering.")),
    ).toEqual({ kind: "failed", message: "The showroom closed while you were entering." });
  });

  it("calls a join that got no answer unreachable", () => {
    expect(describeJoinError(new ServerUnreachableError("no answer")).kind).toBe("unreachable");
    expect(describeJoinError(new TypeError("Failed to fetch")).kind).toBe("unreachable");
    // The SDK puts a system error code (ECONNREFUSED) where a refusal's status would be.
    const refused = new ServerError(0, "connect ECONNREFUSED 127.0.0.1:2567");
    (refused as { code: unknown }).code = "ECONNREFUSED";
    expect(describeJoinError(refused).kind).toBe("unreachable");
  });

  it("drops the stored token only when the server refuses the token itself", () => {
    expect(
      refusesToken(new ServerError(JoinErrorCode.TokenRefused, "Cannot enter the showroom: it has expired.")),
    ).toBe(true);
    expect(refusesToken(new ServerError(JoinErrorCode.Forbidden, "this token was signed for a customer"))).toBe(false);
    expect(refusesToken(new ServerError(JoinErrorCode.ShowroomFull, full))).toBe(false);
    expect(refusesToken(new Error("the join token was not signed by this server"))).toBe(false);
  });
});

describe("the pose sender", () => {
  const pose = (x: number) => [x, 1.6, 0, 0, 0, 0, 1, x - 0.2, 1.1, -0.3, 0, 0, 0, 1, x + 0.2, 1.1, -0.3, 0, 0, 0, 1];

  /** Frames at `hz` from `start` for `ms`, with a patch arriving every 50 ms (offset by `phase`); returns the send times. */
  function run(
    sender: PoseSender,
    sent: Uint8Array[],
    hz: number,
    start: number,
    ms: number,
    patches: boolean,
    phase = 7,
  ): number[] {
    const times: number[] = [];
    let nextPatch = start + phase;
    for (let t = start; t < start + ms; t += 1000 / hz) {
      while (patches && nextPatch <= t) {
        sender.patchArrived();
        nextPatch += 50;
      }
      const before = sent.length;
      sender.offer(t, pose(t / 1000));
      if (sent.length > before) times.push(t);
    }
    return times;
  }

  it("sends one pose per patch, however fast the headset renders", () => {
    for (const hz of [60, 72, 90, 120]) {
      const sent: Uint8Array[] = [];
      const sender = new PoseSender((bytes) => sent.push(bytes.slice()));
      const times = run(sender, sent, hz, 10_000, 3000, true);
      // 60 patches in 3 s; the first pose goes out at once.
      expect(times.length, `${hz} Hz`).toBeGreaterThanOrEqual(60);
      expect(times.length, `${hz} Hz`).toBeLessThanOrEqual(61);
      // Each send follows its patch within one frame (after the first two: the first goes at
      // once, so the patch 7 ms later waits for MIN_GAP_MS).
      for (const t of times.slice(2))
        expect((t - 10_007 + 5000) % 50, `${hz} Hz at ${t}`).toBeLessThan(1000 / hz + 1e-6);
    }
  });

  it("keeps sending, more slowly, when no patches come, and sends a first move at once", () => {
    const sent: Uint8Array[] = [];
    const sender = new PoseSender((bytes) => sent.push(bytes.slice()));
    const times = run(sender, sent, 90, 0, 3000, false);
    expect(times[0]).toBe(0);
    // Every FALLBACK_GAP_MS (75 ms) at 90 Hz frames: 40 sends in 3 s.
    expect(times.length).toBeGreaterThanOrEqual(36);
    expect(times.length).toBeLessThanOrEqual(41);
    for (let i = 1; i < times.length; i++)
      expect(nth(times, i) - nth(times, i - 1)).toBeGreaterThanOrEqual(FALLBACK_GAP_MS);
  });

  it("never sends twice for one patch", () => {
    const sent: Uint8Array[] = [];
    const sender = new PoseSender((bytes) => sent.push(bytes.slice()));
    sender.offer(0, pose(0));
    // A patch lands 10 ms after a send: it waits for the next (MIN_GAP_MS), then goes.
    sender.patchArrived();
    expect(sender.offer(10, pose(1))).toBe(false);
    expect(sender.offer(MIN_GAP_MS, pose(2))).toBe(true);
    expect(sender.offer(MIN_GAP_MS + 20, pose(3))).toBe(false);
  });

  it("repeats a still pose only a few times a second, unless the server is behind", () => {
    const sent: Uint8Array[] = [];
    const sender = new PoseSender((bytes) => sent.push(bytes.slice()));
    for (let t = 0; t < 1000; t += 10) {
      if (t % 50 === 0) sender.patchArrived();
      sender.offer(t, pose(0));
    }
    expect(sent.length).toBe(4);
    sent.length = 0;
    for (let t = 1000; t < 2000; t += 10) {
      if (t % 50 === 0) sender.patchArrived();
      sender.offer(t, pose(0), true);
    }
    expect(sent.length).toBe(20);
    expect(sender.hasSent(pose(0))).toBe(true);
    expect(sender.hasSent(pose(1))).toBe(false);
  });

  it("sends the pose as its 30 wire bytes, and takes jitter below their resolution as standing still", () => {
    const sent: Uint8Array[] = [];
    const sender = new PoseSender((bytes) => sent.push(bytes.slice()));
    sender.offer(0, pose(0.5));
    const decoded = new Array<number>(21);
    expect(decodePoseMessage(nth(sent, 0), decoded)).toBeNull();
    for (let i = 0; i < 21; i++) expect(Math.abs(nth(decoded, i) - nth(pose(0.5), i))).toBeLessThan(0.002);
    // Tracking noise of 0.2 mm at 20 Hz for a second: only the 4-a-second still resends go out.
    const noisy = (t: number) => pose(0.5).map((v, i) => (i % 7 < 3 ? v + 0.0002 * Math.sin(t * 0.37 + i) : v));
    for (let t = 50; t < 1050; t += 50) {
      sender.patchArrived();
      sender.offer(t, noisy(t));
    }
    expect(sent.length).toBe(1 + 4);
    expect(sender.hasSent(noisy(7))).toBe(true);
    // A millimetre is a change.
    sender.patchArrived();
    expect(sender.offer(1100, pose(0.501))).toBe(true);
  });

  it("skips a frame whose pose cannot be expressed (a tracking glitch) and goes on with the next", () => {
    const sent: Uint8Array[] = [];
    const sender = new PoseSender((bytes) => sent.push(bytes.slice()));
    const glitch = pose(0);
    glitch[8] = Number.NaN;
    expect(sender.offer(0, glitch)).toBe(false);
    expect(sender.hasSent(glitch)).toBe(false);
    expect(sender.offer(1, pose(0))).toBe(true);
    expect(sent.length).toBe(1);
  });
});
