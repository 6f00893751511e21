import {
  BufferGeometry,
  Float32BufferAttribute,
  Group,
  Line,
  LineBasicMaterial,
  Mesh,
  MeshBasicMaterial,
  RingGeometry,
  Vector3,
} from "three";
import type { Bounds } from "../../schema/api";

/**
 * The teleport arc: a thrown parabola from the controller down to the floor, green where the
 * server will accept the landing (inside the room, within its teleport range), red elsewhere.
 */

const SEGMENTS = 48;
const LAUNCH_SPEED = 7;
const GRAVITY = 9.8;
const STEP_SECONDS = 0.04;
/** The server refuses teleports farther than this from the head (ecs teleportMaxDistance). */
export const TELEPORT_MAX_DISTANCE = 8;
const VALID = 0x3ccf7a;
const INVALID = 0xe5484d;

export class TeleportArc {
  readonly group = new Group();
  readonly target = new Vector3();
  valid = false;
  private readonly positions = new Float32Array((SEGMENTS + 1) * 3);
  private readonly positionAttribute = new Float32BufferAttribute(this.positions, 3);
  private readonly geometry = new BufferGeometry();
  private readonly lineMaterial = new LineBasicMaterial({ color: VALID });
  private readonly ringMaterial = new MeshBasicMaterial({ color: VALID });
  private readonly ring: Mesh;

  constructor(private readonly bounds: Bounds) {
    this.geometry.setAttribute("position", this.positionAttribute);
    const line = new Line(this.geometry, this.lineMaterial);
    line.frustumCulled = false;
    this.ring = new Mesh(new RingGeometry(0.22, 0.3, 32).rotateX(-Math.PI / 2), this.ringMaterial);
    this.group.add(line, this.ring);
    this.group.name = "teleport-arc";
    this.group.visible = false;
  }

  /** Traces the arc from origin along direction (world space) and checks the landing against head. */
  aim(origin: Vector3, direction: Vector3, head: Vector3): void {
    const p = origin.clone();
    const velocity = direction.clone().normalize().multiplyScalar(LAUNCH_SPEED);
    let count = 0;
    let landed = false;
    for (; count <= SEGMENTS; count++) {
      this.positions.set([p.x, p.y, p.z], count * 3);
      if (p.y <= 0 && count > 0) {
        landed = true;
        break;
      }
      p.addScaledVector(velocity, STEP_SECONDS);
      velocity.y -= GRAVITY * STEP_SECONDS;
    }
    const last = Math.min(count, SEGMENTS);
    for (let i = last + 1; i <= SEGMENTS; i++) this.positions.copyWithin(i * 3, last * 3, last * 3 + 3);
    this.target.fromArray(this.positions, last * 3).setY(0);
    const b = this.bounds;
    const inside =
      this.target.x > b.minX + 0.3 &&
      this.target.x < b.maxX - 0.3 &&
      this.target.z > b.minZ + 0.3 &&
      this.target.z < b.maxZ - 0.3;
    const distance = Math.hypot(this.target.x - head.x, this.target.z - head.z);
    this.valid = landed && inside && distance <= TELEPORT_MAX_DISTANCE;
    const color = this.valid ? VALID : INVALID;
    this.lineMaterial.color.setHex(color);
    this.ringMaterial.color.setHex(color);
    this.ring.position.copy(this.target).setY(0.01);
    this.ring.visible = landed;
    this.positionAttribute.needsUpdate = true;
    this.group.visible = true;
  }

  hide(): void {
    this.group.visible = false;
    this.valid = false;
  }
}
