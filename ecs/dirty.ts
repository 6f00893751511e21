import { hasComponent } from "bitecs";
import type { ShowroomWorld } from "./world";

export function markAvatarDirty(world: ShowroomWorld, eid: number): void {
  const { dirty } = world;
  if (dirty.avatarFlags[eid] === 0) {
    dirty.avatarFlags[eid] = 1;
    dirty.avatars.push(eid);
  }
}

export function markProductDirty(world: ShowroomWorld, eid: number): void {
  const { dirty } = world;
  if (dirty.productFlags[eid] === 0) {
    dirty.productFlags[eid] = 1;
    dirty.products.push(eid);
  }
}

/**
 * Entities whose pose, transform or holder changed since the last call, in the order they first
 * changed. Entities removed meanwhile are left out: the server learns of removals from its own calls.
 */
export function takeDirty(world: ShowroomWorld): { avatars: number[]; products: number[] } {
  const { dirty, components } = world;
  const avatars = dirty.avatars.filter((eid) => hasComponent(world, eid, components.Avatar));
  const products = dirty.products.filter((eid) => hasComponent(world, eid, components.Product));
  for (const eid of dirty.avatars) dirty.avatarFlags[eid] = 0;
  for (const eid of dirty.products) dirty.productFlags[eid] = 0;
  dirty.avatars.length = 0;
  dirty.products.length = 0;
  return { avatars, products };
}
