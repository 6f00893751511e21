import { schema, t, type SchemaType } from "@colyseus/schema";

/**
 * The room's clock: it steps the simulation and sends a patch every PATCH_INTERVAL_MS (20 Hz).
 * Clients send one pose per patch they receive, so each step takes exactly one fresh pose from
 * every moving visitor (client/net/pose-sender.ts).
 */
export const PATCH_INTERVAL_MS = 50;

/**
 * What every client must see of a showroom. Poses are quantized (schema/codec.ts): for each
 * of head (h), left hand (l) and right hand (r) a packed x/z, a y and a packed rotation.
 * Nine small fields instead of three nested poses keeps an avatar update at ~42 bytes.
 */
export const AvatarState = schema(
  {
    name: t.string(),
    /** ecs Role: 0 customer, 1 agent, 2 assistant. */
    role: t.uint8(),
    /** False while the visitor's connection is lost and the seat is held for reconnection. */
    connected: t.boolean(),
    hxz: t.uint32(),
    hy: t.uint16(),
    hq: t.uint32(),
    lxz: t.uint32(),
    ly: t.uint16(),
    lq: t.uint32(),
    rxz: t.uint32(),
    ry: t.uint16(),
    rq: t.uint32(),
  },
  "AvatarState",
);
export type AvatarState = SchemaType<typeof AvatarState>;

export const ProductState = schema(
  {
    sku: t.string(),
    xz: t.uint32(),
    y: t.uint16(),
    q: t.uint32(),
    /** Session id of the avatar holding it, "" when it rests. */
    heldBy: t.string(),
    /** 0 left, 1 right. */
    hand: t.uint8(),
  },
  "ProductState",
);
export type ProductState = SchemaType<typeof ProductState>;

export const ShowroomState = schema(
  {
    slug: t.string(),
    /** Avatars by session id. */
    avatars: t.map(AvatarState),
    /** Products by SKU. */
    products: t.map(ProductState),
  },
  "ShowroomState",
);
export type ShowroomState = SchemaType<typeof ShowroomState>;
