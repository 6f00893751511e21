import {
  BoxGeometry,
  type BufferGeometry,
  Color,
  CylinderGeometry,
  Float32BufferAttribute,
  Group,
  InstancedMesh,
  Matrix4,
  MeshStandardMaterial,
  Quaternion,
  SphereGeometry,
  TorusGeometry,
  Vector3,
} from "three";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";
import { Role } from "../../ecs/types";
import { knownRole, ROLE_COLORS } from "./role-colors";

/** AvatarState.role carries ecs Role codes. */
const ROLE_COUNT = ROLE_COLORS.length;

/**
 * Every visitor's head, body and hands, drawn as three InstancedMeshes per role: nine draw calls
 * whether the room holds one visitor or two hundred. Instances are rewritten each frame from
 * the interpolated poses, so there is no per-avatar bookkeeping here.
 */

const AWAY_COLOR = new Color("#9aa0a6");
const INITIAL_CAPACITY = 64;
/** The neck joins the body this far below the centre of the head. */
const NECK_DROP = 0.17;

type Part = "head" | "body" | "hands";

function painted(geometry: BufferGeometry, color: string): BufferGeometry {
  const c = new Color(color);
  const count = geometry.getAttribute("position").count;
  const colors = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) colors.set([c.r, c.g, c.b], i * 3);
  geometry.setAttribute("color", new Float32BufferAttribute(colors, 3));
  return geometry;
}

function merged(parts: BufferGeometry[]): BufferGeometry {
  const geometry = mergeGeometries(parts);
  if (!geometry) throw new Error("avatar geometry parts do not merge");
  return geometry;
}

/** A head with a visor; agents wear a halo so staff stand out at a glance. */
function headGeometry(role: number): BufferGeometry {
  const parts = [painted(new SphereGeometry(0.12, 14, 10), "#ffffff")];
  const visor = new BoxGeometry(0.17, 0.06, 0.06);
  visor.translate(0, 0.015, -0.095);
  parts.push(painted(visor, "#1c2230"));
  if (role === Role.Agent) {
    const halo = new TorusGeometry(0.11, 0.018, 8, 28);
    halo.rotateX(Math.PI / 2);
    halo.translate(0, 0.19, 0);
    parts.push(painted(halo, "#fff1a8"));
  }
  return merged(parts);
}

function bodyGeometry(): BufferGeometry {
  const torso = new CylinderGeometry(0.15, 0.2, 0.55, 16);
  torso.translate(0, -0.3, 0);
  const neck = new CylinderGeometry(0.05, 0.06, 0.1, 8);
  return merged([painted(torso, "#ffffff"), painted(neck, "#d0d0d0")]);
}

function handGeometry(): BufferGeometry {
  const palm = new BoxGeometry(0.075, 0.04, 0.11);
  const thumb = new BoxGeometry(0.025, 0.03, 0.05);
  thumb.translate(0.045, 0, -0.01);
  return merged([painted(palm, "#ffffff"), painted(thumb, "#ffffff")]);
}

export interface AvatarInstance {
  role: number;
  connected: boolean;
  /** Head, left hand, right hand: [x, y, z, qx, qy, qz, qw] each. */
  pose: ArrayLike<number>;
}

const matrix = new Matrix4();
const position = new Vector3();
const rotation = new Quaternion();
const yaw = new Quaternion();
const unit = new Vector3(1, 1, 1);
const up = new Vector3(0, 1, 0);
const forward = new Vector3();

export class AvatarInstances {
  readonly group = new Group();
  private readonly meshes: Record<Part, InstancedMesh>[] = [];
  private readonly counts = new Int32Array(ROLE_COUNT);
  private readonly tints: Color[] = ROLE_COLORS.map((c) => new Color(c));

  constructor() {
    this.group.name = "avatars";
    const body = bodyGeometry();
    const hands = handGeometry();
    for (let role = 0; role < ROLE_COUNT; role++) {
      const material = new MeshStandardMaterial({ vertexColors: true, roughness: 0.55 });
      this.meshes.push({
        head: this.instanced(headGeometry(role), material, `avatar-heads:${role}`, INITIAL_CAPACITY),
        body: this.instanced(body, material, `avatar-bodies:${role}`, INITIAL_CAPACITY),
        hands: this.instanced(hands, material, `avatar-hands:${role}`, INITIAL_CAPACITY * 2),
      });
    }
  }

  /** Starts a frame: every avatar is added again with add(). */
  begin(): void {
    this.counts.fill(0);
  }

  add(avatar: AvatarInstance): void {
    const role = knownRole(avatar.role);
    const index = this.counts[role]!;
    this.counts[role] = index + 1;
    const meshes = this.reserve(role, index + 1);
    const tint = avatar.connected ? this.tintOf(role) : AWAY_COLOR;
    const p = avatar.pose;

    position.fromArray(p);
    rotation.fromArray(p, 3);
    meshes.head.setMatrixAt(index, matrix.compose(position, rotation, unit));
    meshes.head.setColorAt(index, tint);

    // The body turns with the head's heading only: nodding should not tip the torso.
    forward.set(0, 0, -1).applyQuaternion(rotation);
    yaw.setFromAxisAngle(up, Math.atan2(-forward.x, -forward.z));
    position.y -= NECK_DROP;
    meshes.body.setMatrixAt(index, matrix.compose(position, yaw, unit));
    meshes.body.setColorAt(index, tint);

    for (let hand = 0; hand < 2; hand++) {
      const at = 7 + hand * 7;
      position.fromArray(p, at);
      rotation.fromArray(p, at + 3);
      meshes.hands.setMatrixAt(index * 2 + hand, matrix.compose(position, rotation, unit));
      meshes.hands.setColorAt(index * 2 + hand, tint);
    }
  }

  end(): void {
    for (let role = 0; role < ROLE_COUNT; role++) {
      const meshes = this.meshesOf(role);
      const count = this.counts[role]!;
      for (const part of ["head", "body", "hands"] as const) {
        const mesh = meshes[part];
        mesh.count = part === "hands" ? count * 2 : count;
        mesh.visible = count > 0;
        mesh.instanceMatrix.needsUpdate = true;
        if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
      }
    }
  }

  /** Instance counts by role, for the test hook. */
  countsByRole(): number[] {
    return Array.from(this.counts);
  }

  private instanced(
    geometry: BufferGeometry,
    material: MeshStandardMaterial,
    name: string,
    capacity: number,
  ): InstancedMesh {
    const mesh = new InstancedMesh(geometry, material, capacity);
    mesh.name = name;
    // Instances move every frame; bounds computed once would cull visitors wrongly.
    mesh.frustumCulled = false;
    mesh.count = 0;
    mesh.setColorAt(0, this.tints[0] ?? new Color());
    this.group.add(mesh);
    return mesh;
  }

  /** Grows a role's meshes (by doubling) so they hold at least `avatars` avatars. */
  private reserve(role: number, avatars: number): Record<Part, InstancedMesh> {
    const meshes = this.meshesOf(role);
    if (avatars <= meshes.head.instanceMatrix.count) return meshes;
    for (const part of ["head", "body", "hands"] as const) {
      const old = meshes[part];
      const capacity = old.instanceMatrix.count * 2;
      const grown = this.instanced(old.geometry, old.material as MeshStandardMaterial, old.name, capacity);
      grown.instanceMatrix.array.set(old.instanceMatrix.array);
      if (old.instanceColor && grown.instanceColor) grown.instanceColor.array.set(old.instanceColor.array);
      this.group.remove(old);
      old.dispose();
      meshes[part] = grown;
    }
    return meshes;
  }

  private meshesOf(role: number): Record<Part, InstancedMesh> {
    const meshes = this.meshes[role];
    if (!meshes) throw new Error(`no avatar meshes for role ${role}`);
    return meshes;
  }

  private tintOf(role: number): Color {
    const tint = this.tints[role];
    if (!tint) throw new Error(`no avatar tint for role ${role}`);
    return tint;
  }
}
