import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConnectionStatus, SessionEvents } from "../../../client/net/live-session";
import { JoinErrorCode } from "../../../schema/errors";

/**
 * The SDK's Client, faked: the first join succeeds with a room the test can close, every later
 * join answers what the test says (the server unreachable, or the showroom full).
 */
const sdk = vi.hoisted(() => {
  type Leave = (code: number) => void;
  const state = {
    joins: 0,
    leave: undefined as Leave | undefined,
    laterJoin: (): Promise<never> => Promise.reject(new TypeError("Failed to fetch")),
  };
  const room = () => ({
    sessionId: "seat-1",
    reconnection: { maxRetries: 0, maxDelay: 0, minUptime: 0 },
    onStateChange: () => undefined,
    onMessage: () => undefined,
    onDrop: () => undefined,
    onReconnect: () => undefined,
    onLeave: (callback: Leave) => {
      state.leave = callback;
    },
    leave: async () => undefined,
    send: () => undefined,
    sendBytes: () => undefined,
  });
  class Client {
    async joinOrCreate() {
      state.joins++;
      return state.joins === 1 ? room() : state.laterJoin();
    }
  }
  /** The SDK's refusal: the server's code (an HTTP status) and its message. */
  class ServerError extends Error {
    constructor(
      readonly code: number,
      message: string,
    ) {
      super(message);
    }
  }
  return { state, Client, ServerError };
});
vi.mock("@colyseus/sdk", () => ({ Client: sdk.Client, ServerError: sdk.ServerError }));

const { LiveSession } = await import("../../../client/net/live-session");

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

async function joinedSession(): Promise<{ statuses: ConnectionStatus[] }> {
  const storage = new MemoryStorage();
  // A guest token still valid for a day: no request for a new one.
  storage.setItem(
    "atrium.guest",
    JSON.stringify({
      token: "t",
      visitorId: "v",
      customerId: "c",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  );
  const statuses: ConnectionStatus[] = [];
  const ignore = () => undefined;
  const events: SessionEvents = {
    status: (status) => statuses.push(status),
    state: ignore,
    welcome: ignore,
    chat: ignore,
    chatAcknowledged: ignore,
    chatRefused: ignore,
    assistantReply: ignore,
    grabRefused: ignore,
    teleportRefused: ignore,
    refused: ignore,
  };
  const session = new LiveSession({
    baseUrl: "http://showroom.test",
    slug: "home-living",
    name: "Ana",
    storage,
    events,
  });
  await session.join();
  expect(session.status).toEqual({ kind: "connected", sessionId: "seat-1" });
  return { statuses };
}

/** The server closes the room under the visitor (a restart): not a leave they asked for. */
const roomGone = () => sdk.state.leave?.(1006);

beforeEach(() => {
  vi.useFakeTimers();
  sdk.state.joins = 0;
  sdk.state.leave = undefined;
});
afterEach(() => vi.useRealTimers());

describe("the browser rejoining a showroom whose room is gone", () => {
  it("keeps trying while the server is unreachable, then gives up after 90 s and says to reload", async () => {
    sdk.state.laterJoin = () => Promise.reject(new TypeError("Failed to fetch"));
    const { statuses } = await joinedSession();
    roomGone();
    await vi.advanceTimersByTimeAsync(60_000);
    const last = statuses.at(-1);
    expect(last?.kind).toBe("reconnecting");
    expect(last?.kind === "reconnecting" && last.attempt).toBeGreaterThan(30);

    await vi.advanceTimersByTimeAsync(40_000);
    expect(statuses.at(-1)).toEqual({
      kind: "failed",
      message: "The connection to the showroom was lost. Reload the page to try again.",
    });
    const joinsWhenGivenUp = sdk.state.joins;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sdk.state.joins, "no more attempts after giving up").toBe(joinsWhenGivenUp);
  });

  it("gives up at once, saying so, when the showroom is full", async () => {
    sdk.state.laterJoin = () =>
      Promise.reject(new sdk.ServerError(JoinErrorCode.ShowroomFull, 'The showroom "Home & Living Showroom" is full.'));
    const { statuses } = await joinedSession();
    roomGone();
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses.slice(-2)).toEqual([
      { kind: "reconnecting", attempt: 1, since: expect.any(Number) },
      { kind: "full", message: 'The showroom "Home & Living Showroom" is full.' },
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sdk.state.joins).toBe(2);
  });
});
