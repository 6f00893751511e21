import { PATCH_INTERVAL_MS } from "../../schema/state";

/**
 * Sends the local pose once per patch the server sends. The server steps the world and sends a
 * patch every PATCH_INTERVAL_MS, taking the newest pose of each visitor; a pose sent when a patch
 * arrives reaches the server before the next one (for a round trip under 50 ms, and one patch
 * later above that), so every patch carries exactly one fresh pose per moving visitor: no
 * patch without one (which would make the avatar stutter for others) and none sent only to be
 * overwritten. A headset renders at 72-120 Hz; the frame after the patch supplies the pose.
 *
 * When no patch comes (nothing in the room changed, so the server had nothing to send), the pose
 * still goes out every FALLBACK_GAP_MS; the first pose after standing still goes at once. A still
 * pose is repeated a few times a second: the server moves a head at most 4 m/s toward each pose
 * it takes, so after a burst it needs the final pose again to arrive there.
 */
export const FALLBACK_GAP_MS = PATCH_INTERVAL_MS * 1.5;
/** Never twice for one patch: a patch that lands just after a fallback send waits for the next. */
export const MIN_GAP_MS = PATCH_INTERVAL_MS / 2;
const STILL_RESEND_MS = 250;
const EPSILON = 1e-4;

export class PoseSender {
  private lastSentAt = -Infinity;
  private patchSinceSend = false;
  private readonly last = new Float64Array(21);
  private sentOnce = false;

  constructor(private readonly send: (pose: number[]) => void) {}

  /** A patch arrived: the next offered pose goes out (if it changed). */
  patchArrived(): void {
    this.patchSinceSend = true;
  }

  /**
   * Sends pose if it is due (a patch arrived since the last send, or none came for
   * FALLBACK_GAP_MS) and it changed, or, when the server is still catching up with it, even
   * unchanged; returns whether it went out.
   */
  offer(nowMs: number, pose: ArrayLike<number>, serverBehind = false): boolean {
    const sinceSent = nowMs - this.lastSentAt;
    const due = (this.patchSinceSend && sinceSent >= MIN_GAP_MS) || sinceSent >= FALLBACK_GAP_MS;
    if (!due) return false;
    if (this.sentOnce && !serverBehind && !this.changed(pose) && sinceSent < STILL_RESEND_MS) return false;
    this.lastSentAt = nowMs;
    this.patchSinceSend = false;
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
