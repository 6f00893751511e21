import type { ClientMessageType } from "../../schema/messages";

/** Messages per second each type may sustain, and the burst above that it tolerates. */
export const MESSAGE_RATES: Record<ClientMessageType, { perSecond: number; burst: number }> = {
  pose: { perSecond: 40, burst: 20 },
  teleport: { perSecond: 4, burst: 4 },
  grab: { perSecond: 10, burst: 10 },
  release: { perSecond: 10, burst: 10 },
  chat: { perSecond: 1, burst: 5 },
  ask: { perSecond: 1, burst: 3 },
  "support:request": { perSecond: 0.5, burst: 3 },
  "support:say": { perSecond: 2, burst: 6 },
  "support:csat": { perSecond: 0.5, burst: 3 },
};

/** Frames a client may send in one second, of any kind, before Colyseus drops the connection (a backstop). */
export const MAX_FRAMES_PER_SECOND = 150;

/** Refused messages within STRIKE_WINDOW_MS after which a client is disconnected. */
export const STRIKE_LIMIT = 25;
export const STRIKE_WINDOW_MS = 10_000;

type Bucket = { tokens: number; updatedAt: number };

/**
 * Per-client rate limits and a count of refused messages. A client that keeps sending what
 * the server refuses is a broken or hostile client; after STRIKE_LIMIT refusals inside the
 * window it is told so and disconnected.
 */
export class ClientGuard {
  private readonly buckets = new Map<ClientMessageType, Bucket>();
  private strikes: number[] = [];

  /** Takes one token for the message type; false when the client is over its rate. */
  allow(type: ClientMessageType, nowMs: number): boolean {
    const rate = MESSAGE_RATES[type];
    let bucket = this.buckets.get(type);
    if (!bucket) {
      bucket = { tokens: rate.burst, updatedAt: nowMs };
      this.buckets.set(type, bucket);
    }
    // A wall clock stepping backwards must not take tokens away.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAt);
    bucket.tokens = Math.min(rate.burst, bucket.tokens + (elapsedMs / 1000) * rate.perSecond);
    bucket.updatedAt = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Records a refused message; true when the client has now earned a disconnection. */
  strike(nowMs: number): boolean {
    this.strikes.push(nowMs);
    let oldest = this.strikes[0];
    while (oldest !== undefined && oldest <= nowMs - STRIKE_WINDOW_MS) {
      this.strikes.shift();
      oldest = this.strikes[0];
    }
    return this.strikes.length >= STRIKE_LIMIT;
  }

  /** Whether a refusal should be reported to the client: a flood gets one reply a second, not one each. */
  shouldReport(nowMs: number): boolean {
    const recent = this.strikes.filter((t) => t > nowMs - 1000).length;
    return recent <= 3;
  }
}
