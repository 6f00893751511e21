import { encodePoseMessage, POSE_MESSAGE_BYTES } from "../../schema/codec";
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
 *
 * "Changed" means changed on the wire: the pose is compared as the 30 bytes it travels as (1 mm,
 * ~0.1 degree steps), so a headset's tracking jitter below that sends nothing new.
 */
export const FALLBACK_GAP_MS = PATCH_INTERVAL_MS * 1.5;
/** Never twice for one patch: a patch that lands just after a fallback send waits for the next. */
export const MIN_GAP_MS = PATCH_INTERVAL_MS / 2;
const STILL_RESEND_MS = 250;

export class PoseSender {
  private lastSentAt = -Infinity;
  private patchSinceSend = false;
  /** The bytes last sent, and a scratch buffer for the pose on offer. */
  private last = new Uint8Array(POSE_MESSAGE_BYTES);
  private next = new Uint8Array(POSE_MESSAGE_BYTES);
  private sentOnce = false;

  /** `send` gets the pose as its message bytes (`sendBytes("pose", …)`); they are only valid during the call. */
  constructor(private readonly send: (bytes: Uint8Array) => void) {}

  /** A patch arrived: the next offered pose goes out (if it changed). */
  patchArrived(): void {
    this.patchSinceSend = true;
  }

  /**
   * Sends pose if it is due (a patch arrived since the last send, or none came for
   * FALLBACK_GAP_MS) and it changed, or, when the server is still catching up with it, even
   * unchanged; returns whether it went out. A pose with a non-finite value is not sent.
   */
  offer(nowMs: number, pose: ArrayLike<number>, serverBehind = false): boolean {
    const sinceSent = nowMs - this.lastSentAt;
    const due = (this.patchSinceSend && sinceSent >= MIN_GAP_MS) || sinceSent >= FALLBACK_GAP_MS;
    if (!due || !this.encode(pose, this.next)) return false;
    if (this.sentOnce && !serverBehind && sameBytes(this.next, this.last) && sinceSent < STILL_RESEND_MS) return false;
    this.lastSentAt = nowMs;
    this.patchSinceSend = false;
    this.sentOnce = true;
    [this.last, this.next] = [this.next, this.last];
    this.send(this.last);
    return true;
  }

  /** Whether the server has been sent this very pose (so a grab that follows it finds the hand there). */
  hasSent(pose: ArrayLike<number>): boolean {
    return this.sentOnce && this.encode(pose, this.next) && sameBytes(this.next, this.last);
  }

  /** After a reconnection the server may have lost the last pose: send the next one whatever it is. */
  reset(): void {
    this.sentOnce = false;
  }

  private encode(pose: ArrayLike<number>, out: Uint8Array): boolean {
    try {
      encodePoseMessage(pose, out);
      return true;
    } catch (error) {
      // A tracking glitch (NaN) or a wrong length: this frame's pose cannot be expressed.
      if (error instanceof RangeError) return false;
      throw error;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
