import { NO_ENTITY, POSE_STRIDE, TRANSFORM_STRIDE, handAt } from "../components";
import { attachToHand, isProduct, productInHand, releaseHand } from "../holding";
import type { GrabRefusedReason, Hand } from "../types";
import type { HandCommand, ShowroomWorld } from "../world";

/**
 * Decides grabs and releases in arrival order, so when two visitors reach for the same product in
 * one step the first request wins. The server is the only owner of "who holds what".
 */
export function grabRelease(world: ShowroomWorld): void {
  const commands = world.inputs.hands;
  if (commands.length === 0) return;
  world.inputs.hands = [];
  for (const command of commands) {
    if (command.kind === "release") releaseHand(world, command.avatar, command.hand);
    else grab(world, command);
  }
}

function grab(world: ShowroomWorld, { avatar, product, hand }: Extract<HandCommand, { kind: "grab" }>): void {
  const { Held } = world.components;
  // Grabbing what this hand already holds is a repeated message, not a new act.
  if (productInHand(world, avatar, hand) === product && isProduct(world, product)) return;
  const reason = refusal(world, avatar, product, hand);
  if (reason !== null) {
    world.events.push({ type: "grab_refused", avatar, product, hand, reason, atMs: world.time.elapsedMs });
    return;
  }
  // Passing a product from one of your hands to the other is allowed: let go, then take.
  if (Held.avatar[product] === avatar) releaseHand(world, avatar, Held.hand[product] as Hand);
  attachToHand(world, product, avatar, hand);
}

function refusal(world: ShowroomWorld, avatar: number, product: number, hand: Hand): GrabRefusedReason | null {
  if (!isProduct(world, product)) return "unknown_product";
  const { Product, Held, AvatarPose, Transform } = world.components;
  if (Product.grabbable[product] === 0) return "not_grabbable";
  const holder = Held.avatar[product];
  if (holder !== NO_ENTITY && holder !== avatar) return "held_by_other";
  if (productInHand(world, avatar, hand) !== NO_ENTITY) return "hand_busy";
  const h = avatar * POSE_STRIDE + handAt(hand);
  const p = product * TRANSFORM_STRIDE;
  const dx = Transform.values[p]! - AvatarPose.values[h]!;
  const dy = Transform.values[p + 1]! - AvatarPose.values[h + 1]!;
  const dz = Transform.values[p + 2]! - AvatarPose.values[h + 2]!;
  if (Math.sqrt(dx * dx + dy * dy + dz * dz) > world.config.grabReach) return "out_of_reach";
  return null;
}
