import { Group, type PerspectiveCamera, Quaternion, Vector3 } from "three";
import { POSE_STRIDE } from "../../ecs/components";
import { HEAD_HEIGHT } from "../../ecs/standing-pose";
import type { Bounds } from "../../schema/api";

/**
 * The visitor's own body: where they stand (the rig, a group that carries the camera and, in a
 * headset, the controllers), which way they face, and the pose sent to the server (head, left
 * hand, right hand in world metres). Desktop controls and the XR session both write into it.
 */

/** Keeps the visitor's head this far from the walls, inside the server's bounds. */
const WALL_MARGIN = 0.35;
const MAX_PITCH = Math.PI / 2 - 0.05;

const up = new Vector3(0, 1, 0);
const scratch = new Vector3();

export class LocalRig {
  /** Position on the floor and heading; the camera rides in it. */
  readonly dolly = new Group();
  /** Head, left hand, right hand: [x, y, z, qx, qy, qz, qw] each. */
  readonly pose = new Float32Array(POSE_STRIDE);
  /** Desktop look-up/down; a headset's pitch comes from the headset. */
  pitch = 0;

  constructor(private readonly bounds: Bounds) {
    this.dolly.name = "local-rig";
  }

  get yaw(): number {
    return this.dolly.rotation.y;
  }

  placeAt(x: number, z: number, yaw = this.yaw): void {
    this.dolly.position.set(x, 0, z);
    this.dolly.rotation.set(0, yaw, 0);
    this.clamp();
    this.dolly.updateMatrixWorld(true);
  }

  /** Walks by (forward, right) metres relative to the current heading. */
  walk(forward: number, right: number): void {
    const sin = Math.sin(this.yaw);
    const cos = Math.cos(this.yaw);
    this.dolly.position.x += -sin * forward + cos * right;
    this.dolly.position.z += -cos * forward - sin * right;
    this.clamp();
    this.dolly.updateMatrixWorld(true);
  }

  /** Shifts the rig so a point the visitor's head is at moves by (dx, dz): teleports and server corrections. */
  shift(dx: number, dz: number): void {
    this.dolly.position.x += dx;
    this.dolly.position.z += dz;
    this.clamp();
    this.dolly.updateMatrixWorld(true);
  }

  turn(radians: number): void {
    this.dolly.rotation.y += radians;
    this.dolly.updateMatrixWorld(true);
  }

  look(yawRadians: number, pitchRadians: number): void {
    this.turn(yawRadians);
    this.pitch = Math.max(-MAX_PITCH, Math.min(MAX_PITCH, this.pitch + pitchRadians));
  }

  /** Desktop: the camera sits at eye height with the rig's pitch, and the head pose follows it. */
  applyDesktopHead(camera: PerspectiveCamera): void {
    camera.position.set(0, HEAD_HEIGHT, 0);
    camera.rotation.set(this.pitch, 0, 0);
    camera.updateMatrixWorld(true);
    camera.getWorldPosition(scratch);
    const q = new Quaternion();
    camera.getWorldQuaternion(q);
    this.writePart(0, scratch, q);
  }

  /** Writes one part (0 head, 1 left hand, 2 right hand) of the pose in world space. */
  writePart(part: number, position: Vector3, rotation: Quaternion): void {
    const at = part * 7;
    this.pose[at] = position.x;
    this.pose[at + 1] = position.y;
    this.pose[at + 2] = position.z;
    this.pose[at + 3] = rotation.x;
    this.pose[at + 4] = rotation.y;
    this.pose[at + 5] = rotation.z;
    this.pose[at + 6] = rotation.w;
  }

  /** The heading as a quaternion about +Y. */
  heading(out: Quaternion): Quaternion {
    return out.setFromAxisAngle(up, this.yaw);
  }

  private clamp(): void {
    const b = this.bounds;
    const p = this.dolly.position;
    p.x = Math.max(b.minX + WALL_MARGIN, Math.min(b.maxX - WALL_MARGIN, p.x));
    p.z = Math.max(b.minZ + WALL_MARGIN, Math.min(b.maxZ - WALL_MARGIN, p.z));
  }
}
