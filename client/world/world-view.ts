import { Color, Group, type Object3D, type Raycaster, Scene } from "three";
import { HEAD_AT, handAt, POSE_STRIDE, TRANSFORM_STRIDE } from "../../ecs/components";
import { multiplyQuaternions, rotateVector } from "../../ecs/math";
import { Hand, Role } from "../../ecs/types";
import type { ShowroomView } from "../../schema/api";
import { unpackPose } from "../../schema/codec";
import { INTERPOLATION_DELAY_MS, PoseTrack } from "../interp/pose-track";
import { AvatarInstances } from "./avatars";
import { NameTags } from "./name-tags";
import { type GltfLoad, ProductBuilder, type ProductNode } from "./products";
import { buildRoomShell } from "./room-shell";
import type { AvatarFields, ProductFields, ShowroomStateSource } from "./state-source";

/**
 * The showroom as drawn: room, products and visitors. It knows nothing of sockets: a live
 * session or a replay feeds it decoded states with ingest(), and update() draws the moment
 * INTERPOLATION_DELAY_MS in the past, so 20 Hz patches look smooth.
 */

interface AvatarEntry {
  name: string;
  role: number;
  connected: boolean;
  track: PoseTrack;
  /** Where the avatar is drawn this frame. */
  rendered: Float32Array;
}

interface ProductEntry {
  node: ProductNode;
  track: PoseTrack;
  heldBy: string;
  hand: number;
  /** The product in its holder's hand frame, as the server keeps it (ecs/holding.ts). */
  inHand: Float32Array;
  rendered: Float32Array;
}

/** The visitor at this screen: drawn from local input, not from the server's echo. */
export interface LocalAvatar {
  sessionId: string;
  /** Head, left hand, right hand, as sent to the server. */
  pose: ArrayLike<number>;
}

export interface WorldViewOptions {
  locale: "en" | "zh";
  loadGltf: GltfLoad | null;
}

export interface AvatarReport {
  name: string;
  role: number;
  connected: boolean;
  head: number[];
  left: number[];
  right: number[];
}

const scratchPose = new Float32Array(POSE_STRIDE);
const scratchTransform = new Float32Array(7);
const round = (v: number): number => Math.round(v * 1000) / 1000;

export class WorldView {
  readonly scene = new Scene();
  readonly view: ShowroomView;
  private readonly avatars = new Map<string, AvatarEntry>();
  private readonly products = new Map<string, ProductEntry>();
  private readonly avatarInstances = new AvatarInstances();
  private readonly nameTags = new NameTags();
  private readonly productModels: Object3D[] = [];
  private readonly present = new Set<string>();

  constructor(view: ShowroomView, options: WorldViewOptions) {
    this.view = view;
    this.scene.background = new Color("#cfd8e3");
    this.scene.add(buildRoomShell(view.bounds));
    const builder = new ProductBuilder(options.locale, options.loadGltf);
    const productGroup = new Group();
    productGroup.name = "products";
    const labels = new Group();
    labels.name = "product-labels";
    for (const product of view.products) {
      const node = builder.build(product);
      productGroup.add(node.root);
      labels.add(node.label);
      this.productModels.push(node.model);
      const rest = new Float32Array([...product.position, 0, 0, 0, 1]);
      const track = new PoseTrack(1);
      track.push(0, rest);
      this.products.set(product.sku, {
        node,
        track,
        heldBy: "",
        hand: 0,
        inHand: new Float32Array([0, 0, 0, 0, 0, 0, 1]),
        rendered: rest.slice(),
      });
    }
    this.scene.add(productGroup, labels, this.avatarInstances.group, this.nameTags.mesh);
    this.placeProducts(null);
  }

  /** Takes in one decoded state, as it was at atMs (performance.now() time on this page). */
  ingest(state: ShowroomStateSource, atMs: number): void {
    this.present.clear();
    state.avatars.forEach((fields, sessionId) => this.ingestAvatar(sessionId, fields, atMs));
    for (const sessionId of this.avatars.keys()) if (!this.present.has(sessionId)) this.avatars.delete(sessionId);
    state.products.forEach((fields, sku) => this.ingestProduct(sku, fields, atMs));
  }

  /** Draws the world at nowMs minus the interpolation delay; the local visitor is drawn by its own input. */
  update(nowMs: number, local: LocalAvatar | null): void {
    const renderAt = nowMs - INTERPOLATION_DELAY_MS;
    this.avatarInstances.begin();
    this.nameTags.begin();
    for (const [sessionId, avatar] of this.avatars) {
      avatar.track.sample(renderAt, avatar.rendered);
      if (local && sessionId === local.sessionId) continue;
      this.avatarInstances.add({ role: avatar.role, connected: avatar.connected, pose: avatar.rendered });
      this.nameTags.add(sessionId, avatar, avatar.rendered[0]!, avatar.rendered[1]!, avatar.rendered[2]!);
    }
    this.avatarInstances.end();
    this.nameTags.end();
    this.placeProducts(local, renderAt);
  }

  /** The product under the ray, if any. */
  pickProduct(raycaster: Raycaster): { sku: string; distance: number; grabbable: boolean } | null {
    const hit = raycaster.intersectObjects(this.productModels, true)[0];
    if (!hit) return null;
    let object: Object3D | null = hit.object;
    while (object && typeof object.userData.sku !== "string") object = object.parent;
    if (!object) return null;
    const sku = object.userData.sku as string;
    return { sku, distance: hit.distance, grabbable: this.products.get(sku)?.node.grabbable ?? false };
  }

  /** Objects a pointer ray may stop on: floor, walls and products. */
  solidObjects(): Object3D[] {
    return this.scene.children.filter((child) => child.name === "room-shell" || child.name === "products");
  }

  /** The latest pose the server has for this avatar (no interpolation delay). */
  latestAvatarPose(sessionId: string, out: Float32Array): boolean {
    return this.avatars.get(sessionId)?.track.latest(out) ?? false;
  }

  /** Where the avatar is drawn this frame (head, left hand, right hand), for a camera that follows it; null if absent. */
  renderedAvatarPose(sessionId: string): Float32Array | null {
    return this.avatars.get(sessionId)?.rendered ?? null;
  }

  productHolder(sku: string): { heldBy: string; hand: number } | null {
    const entry = this.products.get(sku);
    return entry ? { heldBy: entry.heldBy, hand: entry.hand } : null;
  }

  /** Where the product is drawn: [x, y, z, qx, qy, qz, qw]. */
  productTransform(sku: string): Float32Array | null {
    return this.products.get(sku)?.rendered ?? null;
  }

  /** The product's transform in its holder's hand frame. */
  productInHand(sku: string): Float32Array | null {
    return this.products.get(sku)?.inHand ?? null;
  }

  avatarReport(): Record<string, AvatarReport> {
    const report: Record<string, AvatarReport> = {};
    for (const [sessionId, avatar] of this.avatars) {
      const p = Array.from(avatar.rendered, round);
      report[sessionId] = {
        name: avatar.name,
        role: avatar.role,
        connected: avatar.connected,
        head: transformAt(p, HEAD_AT),
        left: transformAt(p, handAt(Hand.Left)),
        right: transformAt(p, handAt(Hand.Right)),
      };
    }
    return report;
  }

  productReport(): Record<string, { heldBy: string; hand: number; position: number[] }> {
    const report: Record<string, { heldBy: string; hand: number; position: number[] }> = {};
    for (const [sku, product] of this.products) {
      report[sku] = {
        heldBy: product.heldBy,
        hand: product.hand,
        position: Array.from(product.rendered.subarray(0, 3), round),
      };
    }
    return report;
  }

  avatarCountsByRole(): number[] {
    return this.avatarInstances.countsByRole();
  }

  private ingestAvatar(sessionId: string, fields: AvatarFields, atMs: number): void {
    this.present.add(sessionId);
    let avatar = this.avatars.get(sessionId);
    if (!avatar) {
      avatar = {
        name: "",
        role: Role.Customer,
        connected: true,
        track: new PoseTrack(3),
        rendered: new Float32Array(POSE_STRIDE),
      };
      this.avatars.set(sessionId, avatar);
    }
    avatar.name = fields.name;
    avatar.role = fields.role;
    avatar.connected = fields.connected;
    unpackAvatarPose(fields, scratchPose);
    if (avatar.track.size === 0) avatar.rendered.set(scratchPose);
    avatar.track.push(atMs, scratchPose);
  }

  private ingestProduct(sku: string, fields: ProductFields, atMs: number): void {
    const product = this.products.get(sku);
    if (!product) return;
    unpackPose(fields.xz, fields.y, fields.q, scratchTransform, 0);
    product.track.push(atMs, scratchTransform);
    product.heldBy = fields.heldBy;
    product.hand = fields.hand;
    const holder = fields.heldBy ? this.avatars.get(fields.heldBy) : undefined;
    // Hand and product come from the same server step, so their relation is exact up to quantization.
    if (holder?.track.latest(scratchPose))
      inHandFrame(scratchPose, handAt(fields.hand), scratchTransform, product.inHand);
  }

  private placeProducts(local: LocalAvatar | null, renderAt = 0): void {
    for (const product of this.products.values()) {
      const out = product.rendered;
      const holderPose = !product.heldBy
        ? null
        : local && product.heldBy === local.sessionId
          ? local.pose
          : (this.avatars.get(product.heldBy)?.rendered ?? null);
      if (holderPose) fromHandFrame(holderPose, handAt(product.hand), product.inHand, out);
      else product.track.sample(renderAt, out);
      const { root, label } = product.node;
      root.position.fromArray(out);
      root.quaternion.fromArray(out, 3);
      label.position.copy(root.position);
      label.position.y += product.node.labelHeight;
    }
  }
}

export function unpackAvatarPose(fields: AvatarFields, out: Float32Array): void {
  unpackPose(fields.hxz, fields.hy, fields.hq, out, HEAD_AT);
  unpackPose(fields.lxz, fields.ly, fields.lq, out, handAt(Hand.Left));
  unpackPose(fields.rxz, fields.ry, fields.rq, out, handAt(Hand.Right));
}

/** One transform ([x,y,z,qx,qy,qz,qw]) of a pose, starting at `at`. */
function transformAt(pose: readonly number[], at: number): number[] {
  return pose.slice(at, at + TRANSFORM_STRIDE);
}

/** offset = inverse(hand) · product, as the server records it on a grab. */
export function inHandFrame(pose: ArrayLike<number>, at: number, product: ArrayLike<number>, out: Float32Array): void {
  const cx = -pose[at + 3]!,
    cy = -pose[at + 4]!,
    cz = -pose[at + 5]!,
    cw = pose[at + 6]!;
  rotateVector(
    cx,
    cy,
    cz,
    cw,
    product[0]! - pose[at]!,
    product[1]! - pose[at + 1]!,
    product[2]! - pose[at + 2]!,
    out,
    0,
  );
  multiplyQuaternions(cx, cy, cz, cw, product[3]!, product[4]!, product[5]!, product[6]!, out, 3);
}

/** product = hand · offset, as the server moves a held product. */
export function fromHandFrame(pose: ArrayLike<number>, at: number, offset: ArrayLike<number>, out: Float32Array): void {
  const qx = pose[at + 3]!,
    qy = pose[at + 4]!,
    qz = pose[at + 5]!,
    qw = pose[at + 6]!;
  rotateVector(qx, qy, qz, qw, offset[0]!, offset[1]!, offset[2]!, out, 0);
  out[0]! += pose[at]!;
  out[1]! += pose[at + 1]!;
  out[2]! += pose[at + 2]!;
  multiplyQuaternions(qx, qy, qz, qw, offset[3]!, offset[4]!, offset[5]!, offset[6]!, out, 3);
}
