/**
 * Sends the local pose no faster than the server takes it (30 Hz). A headset renders at
 * 72-120 Hz; the newest pose at each send time wins. A still pose is repeated a few times a
 * second: the server moves a head at most 4 m/s toward each pose it takes, so after a burst it
 * needs the final pose again to arrive there.
 */
export const POSE_SEND_INTERVAL_MS = 1000 / 30;
const STILL_RESEND_MS = 250;
const EPSILON = 1e-4;

export class PoseSender {
  private lastSentAt = -Infinity;
  /** Sends keep a 30 Hz cadence on average, whatever the frame rate (90 Hz frames would give 22 Hz with a plain minimum gap). */
  private nextDueAt = -Infinity;
  private readonly last = new Float64Array(21);
  private sentOnce = false;

  constructor(private readonly send: (pose: number[]) => void) {}

  /**
   * Sends pose if the interval has passed and it changed (or, when the server is still catching
   * up with it, even unchanged); returns whether it went out.
   */
  offer(nowMs: number, pose: ArrayLike<number>, serverBehind = false): boolean {
    if (nowMs < this.nextDueAt) return false;
    if (this.sentOnce && !serverBehind && !this.changed(pose) && nowMs - this.lastSentAt < STILL_RESEND_MS) return false;
    this.lastSentAt = nowMs;
    // Keep to the cadence, but never owe more than half an interval after a pause.
    this.nextDueAt = Math.max(this.nextDueAt + POSE_SEND_INTERVAL_MS, nowMs + POSE_SEND_INTERVAL_MS / 2);
    this.sentOnce = true;
    const message = new Array<number>(21);
    for (let i = 0; i < 21; i++) {
      message[i] = pose[i];
      this.last[i] = pose[i];
    }
    this.send(message);
    return true;
  }

  /** Whether the server has been sent this very pose (so a grab that follows it finds the hand there). */
  hasSent(pose: ArrayLike<number>): boolean {
    return this.sentOnce && !this.changed(pose);
  }

  /** After a reconnection the server may have lost the last pose: send the next one whatever it is. */
  reset(): void {
    this.sentOnce = false;
  }

  private changed(pose: ArrayLike<number>): boolean {
    for (let i = 0; i < 21; i++) if (Math.abs(pose[i] - this.last[i]) > EPSILON) return true;
    return false;
  }
}
