export type Vec3 = { x: number; y: number; z: number };

export interface ShowroomBounds {
  minX: number;
  maxX: number;
  minZ: number;
  maxZ: number;
  height: number;
}

export const Role = { Customer: 0, Agent: 1, Assistant: 2 } as const;
export type Role = 0 | 1 | 2;

export const Hand = { Left: 0, Right: 1 } as const;
export type Hand = 0 | 1;

export interface SimConfig {
  /** m/s for head movement, horizontal and vertical together. */
  maxSpeed: number;
  /** Max distance of a hand from the head, metres. */
  armReach: number;
  /** Max distance from hand to product centre for a grab, metres. */
  grabReach: number;
  /** Horizontal head-to-product distance under which a product can be the focus, metres. */
  dwellDistance: number;
  /** Cosine of the half-angle of the facing cone (head forward vs direction to product). */
  dwellFacingCos: number;
  /** A dwell episode shorter than this is not reported. */
  dwellMinMs: number;
  teleportMaxDistance: number;
  teleportCooldownMs: number;
  /**
   * The speed allowance of a pose is measured from the last accepted pose, up to this long ago:
   * a client sending slower than the simulation (a busy headset, bunched packets) still moves at
   * full speed, while a long silence earns no jump.
   */
  maxPoseGapMs: number;
}

export function defaultSimConfig(): SimConfig {
  return {
    maxSpeed: 4,
    armReach: 1.0,
    grabReach: 1.2,
    dwellDistance: 2.5,
    dwellFacingCos: Math.cos((40 * Math.PI) / 180),
    dwellMinMs: 2000,
    teleportMaxDistance: 8,
    teleportCooldownMs: 300,
    maxPoseGapMs: 250,
  };
}

/**
 * 21 numbers: head [x,y,z,qx,qy,qz,qw], left hand [7], right hand [7].
 * Metres, y up, floor at y=0; an identity quaternion looks down -Z (three.js camera convention).
 */
export type PoseArray = ArrayLike<number>;

export type GrabRefusedReason = "held_by_other" | "out_of_reach" | "not_grabbable" | "hand_busy" | "unknown_product";
export type TeleportRefusedReason = "out_of_bounds" | "too_far" | "cooldown";

export type SimEvent =
  | { type: "grabbed"; avatar: number; product: number; hand: Hand; atMs: number }
  | { type: "released"; avatar: number; product: number; hand: Hand; atMs: number; position: Vec3 }
  | { type: "grab_refused"; avatar: number; product: number; hand: Hand; reason: GrabRefusedReason; atMs: number }
  | { type: "dwell"; avatar: number; product: number; startedAtMs: number; durationMs: number; atMs: number }
  | { type: "teleport_refused"; avatar: number; reason: TeleportRefusedReason; atMs: number };
