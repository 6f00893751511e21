import { afterEach, describe, expect, it, vi } from "vitest";
import { ServerUnreachableError } from "../../../client/net/api";
import { dropGuestToken, guestToken } from "../../../client/net/guest-identity";
import { describeJoinError } from "../../../client/net/live-session";
import { PoseSender } from "../../../client/net/pose-sender";

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
  it("asks for a token once, reuses it while valid, and comes back as the same visitor when it expires", async () => {
    const requests: unknown[] = [];
    let issued = 0;
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      requests.push(JSON.parse(String(init.body)));
      issued++;
      return new Response(JSON.stringify({ token: `t${issued}`, visitorId: "visitor-1", customerId: "customer-1", expiresAt: new Date(Date.now() + 3600_000).toISOString() }));
    });
    const storage = new MemoryStorage();
    expect((await guestToken("http://x", storage)).token).toBe("t1");
    expect((await guestToken("http://x", storage)).token).toBe("t1");
    expect(requests).toEqual([{}]);

    dropGuestToken(storage);
    const renewed = await guestToken("http://x", storage);
    expect(renewed.token).toBe("t2");
    expect(requests[1]).toEqual({ visitorId: "visitor-1" });
  });
});

describe("join errors in plain words", () => {
  it("tells a full room, an unreachable server and any other refusal apart", () => {
    expect(describeJoinError(new Error('The showroom "Home & Living Showroom" is full (50 visitors). Please try again in a few minutes.'))).toEqual({
      kind: "full",
      message: 'The showroom "Home & Living Showroom" is full (50 visitors). Please try again in a few minutes.',
    });
    expect(describeJoinError(new ServerUnreachableError("The showroom server can't be reached. Check your connection and try again.")).kind).toBe("unreachable");
    expect(describeJoinError(new TypeError("Failed to fetch")).kind).toBe("unreachable");
    expect(describeJoinError(new Error("the join token was not signed by this server"))).toEqual({ kind: "failed", message: "the join token was not signed by this server" });
  });
});

describe("the pose sender", () => {
  const pose = (x: number) => [x, 1.6, 0, 0, 0, 0, 1, x - 0.2, 1.1, -0.3, 0, 0, 0, 1, x + 0.2, 1.1, -0.3, 0, 0, 0, 1];

  it("sends at most 30 times a second, however fast the headset renders", () => {
    const sent: number[][] = [];
    const sender = new PoseSender((p) => sent.push(p));
    for (const hz of [72, 90, 120]) {
      sent.length = 0;
      const start = hz * 1000;
      for (let t = start; t < start + 3000; t += 1000 / hz) sender.offer(t, pose(t / 1000));
      expect(sent.length, `${hz} Hz`).toBeLessThanOrEqual(91);
      expect(sent.length, `${hz} Hz`).toBeGreaterThanOrEqual(88);
    }
  });

  it("repeats a still pose only a few times a second, unless the server is behind", () => {
    const sent: number[][] = [];
    const sender = new PoseSender((p) => sent.push(p));
    for (let t = 0; t < 1000; t += 10) sender.offer(t, pose(0));
    expect(sent.length).toBe(4);
    sent.length = 0;
    for (let t = 1000; t < 2000; t += 10) sender.offer(t, pose(0), true);
    expect(sent.length).toBeGreaterThanOrEqual(25);
    expect(sender.hasSent(pose(0))).toBe(true);
    expect(sender.hasSent(pose(1))).toBe(false);
  });
});
