import {
  POSE_STRIDE,
  addAvatar,
  addProduct,
  createShowroomWorld,
  drainEvents,
  endAllDwells,
  productHolder,
  readAvatarPose,
  readProductTransform,
  queueGrab,
  queuePose,
  queueRelease,
  queueTeleport,
  removeAvatar,
  setAvatarAway,
  standingPose,
  stepWorld,
  type Hand,
  type Role,
  type ShowroomWorld,
  type Vec3,
} from "../../ecs";
import type { Catalog } from "../../db/catalog";
import { PATCH_INTERVAL_MS } from "../../schema/state";

/** One step per patch (20 Hz): the room's tick steps the world, then sends the patch. */
export const SIM_STEP_MS = PATCH_INTERVAL_MS;
/** After a stall (GC, slow host) the world catches up at most this many steps at once. */
const MAX_STEPS_PER_ADVANCE = 5;

/**
 * The room's ECS world and the mapping between its entity ids and the names the outside
 * world uses (session ids, SKUs). Inputs go in through queue methods; `advance` runs the
 * systems on a fixed timestep and hands back what happened.
 */
export class ShowroomSimulation {
  readonly world: ShowroomWorld;
  private readonly avatarBySession = new Map<string, number>();
  private readonly sessionByAvatar = new Map<number, string>();
  private readonly productBySku = new Map<string, number>();
  private readonly skuByProduct = new Map<number, string>();
  private spawnCount = 0;

  constructor(
    private readonly catalog: Catalog,
    capacity: number,
  ) {
    this.world = createShowroomWorld(catalog.showroom.bounds, {}, capacity + catalog.products.length + 8);
    for (const product of catalog.products) {
      const [x, y, z] = product.position;
      const eid = addProduct(this.world, { x, y, z, qx: 0, qy: 0, qz: 0, qw: 1, grabbable: product.grabbable });
      this.productBySku.set(product.sku, eid);
      this.skuByProduct.set(eid, product.sku);
    }
  }

  get products(): ReadonlyMap<string, number> {
    return this.productBySku;
  }

  get avatars(): ReadonlyMap<string, number> {
    return this.avatarBySession;
  }

  avatarOf(sessionId: string): number | undefined {
    return this.avatarBySession.get(sessionId);
  }

  sessionOf(avatar: number): string | undefined {
    return this.sessionByAvatar.get(avatar);
  }

  skuOf(product: number): string | undefined {
    return this.skuByProduct.get(product);
  }

  /**
   * Places a newcomer at the showroom's spawn point, spread on a small ring so crowds don't overlap,
   * or at `placed` when the server chose the spot (an agent arriving next to a customer).
   */
  addVisitor(sessionId: string, role: Role, placed?: ArrayLike<number>): number {
    const { spawn } = this.catalog.showroom;
    const angle = this.spawnCount++ * 2.399963; // golden angle: evenly spread, never repeating
    const radius = 0.6 * Math.sqrt(this.spawnCount % 40);
    const x = spawn.x + Math.cos(angle) * radius;
    const z = spawn.z + Math.sin(angle) * radius;
    const pose = standingPose(x, z, 0);
    const eid = addAvatar(this.world, { role, pose: placed ?? pose });
    this.avatarBySession.set(sessionId, eid);
    this.sessionByAvatar.set(eid, sessionId);
    return eid;
  }

  /**
   * Removes the visitor's avatar and returns what that caused (a held product released, an
   * open dwell closed). Drained at once: bitECS hands the freed id to the next newcomer.
   */
  removeVisitor(sessionId: string): ShowroomEvent[] {
    const eid = this.avatarBySession.get(sessionId);
    if (eid === undefined) return [];
    removeAvatar(this.world, eid);
    const events = this.drain();
    this.avatarBySession.delete(sessionId);
    this.sessionByAvatar.delete(eid);
    return events;
  }

  /**
   * The product a visitor means by "this": the one in their hand, else the nearest within
   * reach of a conversation (3 m). Null when nothing is near.
   */
  productNear(sessionId: string, withinMetres = 3): string | null {
    const eid = this.avatarBySession.get(sessionId);
    if (eid === undefined) return null;
    let best: string | null = null;
    let bestDistance = withinMetres;
    readAvatarPose(this.world, eid, this.scratchPose);
    for (const [sku, product] of this.productBySku) {
      const holder = productHolder(this.world, product);
      if (holder?.avatar === eid) return sku;
      readProductTransform(this.world, product, this.scratchTransform);
      const distance = Math.hypot(
        this.scratchTransform[0]! - this.scratchPose[0]!,
        this.scratchTransform[2]! - this.scratchPose[2]!,
      );
      if (distance < bestDistance) {
        bestDistance = distance;
        best = sku;
      }
    }
    return best;
  }

  private readonly scratchPose = new Float64Array(POSE_STRIDE);
  private readonly scratchTransform = new Float64Array(7);

  queuePose(sessionId: string, pose: ArrayLike<number>): void {
    const eid = this.avatarBySession.get(sessionId);
    if (eid !== undefined) queuePose(this.world, eid, pose);
  }

  /** The visitor's connection was lost (seat held) or is back: away, they attend to no product. */
  setAway(sessionId: string, away: boolean): void {
    const eid = this.avatarBySession.get(sessionId);
    if (eid !== undefined) setAvatarAway(this.world, eid, away);
  }

  queueTeleport(sessionId: string, x: number, z: number): void {
    const eid = this.avatarBySession.get(sessionId);
    if (eid !== undefined) queueTeleport(this.world, eid, x, z);
  }

  /** False when the SKU is not in this showroom. */
  queueGrab(sessionId: string, sku: string, hand: Hand): boolean {
    const eid = this.avatarBySession.get(sessionId);
    const product = this.productBySku.get(sku);
    if (product === undefined) return false;
    if (eid !== undefined) queueGrab(this.world, eid, product, hand);
    return true;
  }

  queueRelease(sessionId: string, hand: Hand): void {
    const eid = this.avatarBySession.get(sessionId);
    if (eid !== undefined) queueRelease(this.world, eid, hand);
  }

  /**
   * Steps the world for one tick of the room's clock and returns the number of steps run. A tick
   * runs one step, so every patch follows exactly one step and carries the one pose each moving
   * visitor sent for it. Timer jitter (ticks 45-55 ms apart) changes nothing, and slow drift is not
   * repaid with a double step; a tick late by whole steps (a stall: GC, a slow host) runs the
   * missed ones too, at most MAX_STEPS_PER_ADVANCE, and one far too early runs none. `elapsedMs`
   * is the time since the previous tick on a monotonic clock.
   */
  advance(elapsedMs: number): number {
    if (!(elapsedMs >= SIM_STEP_MS / 2)) return 0;
    const steps = Math.min(MAX_STEPS_PER_ADVANCE, Math.round(elapsedMs / SIM_STEP_MS));
    for (let i = 0; i < steps; i++) stepWorld(this.world, SIM_STEP_MS);
    return steps;
  }

  /** Closes every open dwell (graceful shutdown); the dwells come out of the next drain. */
  endAllDwells(): void {
    endAllDwells(this.world);
  }

  /** Events since the last drain, named by session id and SKU. */
  drain(): ShowroomEvent[] {
    const out: ShowroomEvent[] = [];
    for (const event of drainEvents(this.world)) {
      const sessionId = this.sessionByAvatar.get(event.avatar);
      if (sessionId === undefined) continue;
      if (event.type === "teleport_refused") {
        out.push({ type: event.type, sessionId, reason: event.reason });
        continue;
      }
      const sku = this.skuByProduct.get(event.product) ?? "";
      switch (event.type) {
        case "grabbed":
          out.push({ type: "grabbed", sessionId, sku, hand: event.hand });
          break;
        case "released":
          out.push({ type: "released", sessionId, sku, hand: event.hand, position: event.position });
          break;
        case "grab_refused":
          out.push({ type: "grab_refused", sessionId, sku, hand: event.hand, reason: event.reason });
          break;
        case "dwell":
          out.push({
            type: "dwell",
            sessionId,
            sku,
            durationMs: event.durationMs,
            endedAgoMs: this.world.time.elapsedMs - event.atMs,
          });
          break;
      }
    }
    return out;
  }
}

/** What happened in the simulation, in the room's vocabulary. */
export type ShowroomEvent =
  | { type: "grabbed"; sessionId: string; sku: string; hand: Hand }
  | { type: "released"; sessionId: string; sku: string; hand: Hand; position: Vec3 }
  | { type: "grab_refused"; sessionId: string; sku: string; hand: Hand; reason: string }
  | { type: "dwell"; sessionId: string; sku: string; durationMs: number; endedAgoMs: number }
  | { type: "teleport_refused"; sessionId: string; reason: string };
