import { POSE_STRIDE } from "../../ecs/components";
import type { WorldView } from "../world/world-view";
import type { LocalRig } from "./local-rig";

/**
 * The server has the last word on where a newcomer appears (it spreads arrivals around the
 * spawn point) and on where a visitor stands (speed limit, walls, refused teleports). The local
 * view runs ahead of it by the round trip, and a server that clamps speed catches up only as
 * poses keep coming; so the visitor is moved to the server's position only when the two
 * disagree by a lot and the server has stopped following.
 */
const TOLERANCE_METRES = 0.75;
const PATIENCE_MS = 1000;
/** The server's head must move at least this much within PATIENCE_MS to count as following. */
const PROGRESS_METRES = 0.05;

const serverPose = new Float32Array(POSE_STRIDE);

export class ServerCorrection {
  /** Horizontal distance between the local head and the server's, as of the last update. */
  gap = 0;
  corrections = 0;
  private placedSession: string | null = null;
  /** Where the server had us when it was last seen moving. */
  private checkpoint: { atMs: number; x: number; z: number } | null = null;

  update(nowMs: number, rig: LocalRig, world: WorldView, sessionId: string | null): void {
    if (!sessionId || !world.latestAvatarPose(sessionId, serverPose)) {
      this.gap = 0;
      this.checkpoint = null;
      return;
    }
    if (sessionId !== this.placedSession) {
      // A new seat: stand where the server put us, facing the way it says.
      this.placedSession = sessionId;
      const yaw = headingOf(serverPose[3]!, serverPose[4]!, serverPose[5]!, serverPose[6]!);
      rig.placeAt(
        serverPose[0]! - (rig.pose[0]! - rig.dolly.position.x),
        serverPose[2]! - (rig.pose[2]! - rig.dolly.position.z),
        yaw,
      );
      return;
    }
    const dx = serverPose[0]! - rig.pose[0]!;
    const dz = serverPose[2]! - rig.pose[2]!;
    this.gap = Math.hypot(dx, dz);
    if (this.gap < TOLERANCE_METRES) {
      this.checkpoint = null;
      return;
    }
    if (
      !this.checkpoint ||
      Math.hypot(serverPose[0]! - this.checkpoint.x, serverPose[2]! - this.checkpoint.z) > PROGRESS_METRES
    ) {
      this.checkpoint = { atMs: nowMs, x: serverPose[0]!, z: serverPose[2]! };
      return;
    }
    if (nowMs - this.checkpoint.atMs < PATIENCE_MS) return;
    rig.shift(dx, dz);
    this.checkpoint = null;
    this.corrections++;
  }
}

/** The heading (rotation about +Y) of a quaternion's forward (-Z) direction. */
function headingOf(x: number, y: number, z: number, w: number): number {
  const forwardX = -2 * (x * z + w * y);
  const forwardZ = -(1 - 2 * (x * x + y * y));
  return Math.atan2(-forwardX, -forwardZ);
}
