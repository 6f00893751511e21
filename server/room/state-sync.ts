import {
  POSE_STRIDE,
  productHolder,
  readAvatarPose,
  readProductTransform,
  takeDirty,
  TRANSFORM_STRIDE,
} from "../../ecs";
import { packPose, type PackedPose } from "../../schema/codec";
import type { Catalog } from "../../db/catalog";
import { type AvatarState, ProductState, ShowroomState } from "../../schema/state";
import type { ShowroomSimulation } from "./simulation";

const pose = new Float64Array(POSE_STRIDE);
const transform = new Float64Array(TRANSFORM_STRIDE);
const packed: PackedPose = { xz: 0, y: 0, q: 0 };

/**
 * Copies what changed in the ECS since the last patch into the Colyseus state, quantized.
 * Runs once per patch, so the encoder sees at most one change per field per patch; a field
 * whose quantized value did not change is not touched and costs nothing on the wire.
 */
export function syncDirtyToState(sim: ShowroomSimulation, state: ShowroomState): void {
  const { avatars, products } = takeDirty(sim.world);
  for (const eid of avatars) {
    const sessionId = sim.sessionOf(eid);
    const avatar = sessionId === undefined ? undefined : state.avatars.get(sessionId);
    if (!avatar) continue;
    readAvatarPose(sim.world, eid, pose);
    writeAvatarPose(avatar, pose);
  }
  for (const eid of products) {
    const sku = sim.skuOf(eid);
    const product = sku === undefined ? undefined : state.products.get(sku);
    if (!product) continue;
    readProductTransform(sim.world, eid, transform);
    writeProductTransform(product, transform);
    const holder = productHolder(sim.world, eid);
    const heldBy = holder ? (sim.sessionOf(holder.avatar) ?? "") : "";
    if (product.heldBy !== heldBy) product.heldBy = heldBy;
    const hand = holder?.hand ?? 0;
    if (product.hand !== hand) product.hand = hand;
  }
}

export function writeAvatarPose(avatar: AvatarState, p: ArrayLike<number>): void {
  packPose(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, packed);
  if (avatar.hxz !== packed.xz) avatar.hxz = packed.xz;
  if (avatar.hy !== packed.y) avatar.hy = packed.y;
  if (avatar.hq !== packed.q) avatar.hq = packed.q;
  packPose(p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!, p[13]!, packed);
  if (avatar.lxz !== packed.xz) avatar.lxz = packed.xz;
  if (avatar.ly !== packed.y) avatar.ly = packed.y;
  if (avatar.lq !== packed.q) avatar.lq = packed.q;
  packPose(p[14]!, p[15]!, p[16]!, p[17]!, p[18]!, p[19]!, p[20]!, packed);
  if (avatar.rxz !== packed.xz) avatar.rxz = packed.xz;
  if (avatar.ry !== packed.y) avatar.ry = packed.y;
  if (avatar.rq !== packed.q) avatar.rq = packed.q;
}

export function writeProductTransform(product: ProductState, t: ArrayLike<number>): void {
  packPose(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, packed);
  if (product.xz !== packed.xz) product.xz = packed.xz;
  if (product.y !== packed.y) product.y = packed.y;
  if (product.q !== packed.q) product.q = packed.q;
}

/** A newly opened showroom's state: its products where the catalog puts them, nobody in it yet. */
export function initialState(slug: string, catalog: Catalog): ShowroomState {
  const state = new ShowroomState();
  state.slug = slug;
  for (const { sku, position } of catalog.products) {
    const product = new ProductState();
    product.sku = sku;
    writeProductTransform(product, [position[0], position[1], position[2], 0, 0, 0, 1]);
    state.products.set(sku, product);
  }
  return state;
}
