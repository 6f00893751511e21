import { query } from "bitecs";
import { followHand } from "../holding";
import type { ShowroomWorld } from "../world";

const heldProducts = (world: ShowroomWorld) => query(world, [world.components.Product, world.components.Held]);

/** A held product moves rigidly with its holder's hand: turning the controller turns the product. */
export function heldFollow(world: ShowroomWorld): void {
  for (const product of heldProducts(world)) followHand(world, product);
}
