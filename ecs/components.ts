/** Numbers per avatar pose: head, left hand, right hand, each [x,y,z,qx,qy,qz,qw]. */
export const POSE_STRIDE = 21;
/** Numbers per rigid transform: [x,y,z,qx,qy,qz,qw]. */
export const TRANSFORM_STRIDE = 7;
export const HEAD_AT = 0;
/** Offset of a hand's transform inside a pose; Hand.Left = 0, Hand.Right = 1. */
export const handAt = (hand: number): number => TRANSFORM_STRIDE + TRANSFORM_STRIDE * hand;

/** Marks an empty entity reference (bitECS ids start at 1, but we don't lean on that). */
export const NO_ENTITY = -1;

/**
 * Per-world component stores. They are created with the world, not at module level, so that
 * many rooms can run in one process without sharing data. Every array is indexed by entity id;
 * ids never exceed the capacity because bitECS recycles ids before minting new ones.
 */
export function createComponents(capacity: number) {
  const slots = capacity + 1;
  return {
    /** away: 1 while the visitor's connection is lost and their seat held; they attend to nothing. */
    Avatar: { role: new Uint8Array(slots), away: new Uint8Array(slots) },
    AvatarPose: { values: new Float64Array(slots * POSE_STRIDE) },
    /** The latest pose received since the last step; older ones are overwritten. */
    PendingPose: { pending: new Uint8Array(slots), values: new Float64Array(slots * POSE_STRIDE) },
    /** Product held by each hand, at eid * 2 + hand. */
    Hands: { product: new Int32Array(slots * 2).fill(NO_ENTITY) },
    Locomotion: { lastTeleportAtMs: new Float64Array(slots).fill(-Infinity), lastPoseAtMs: new Float64Array(slots) },
    DwellFocus: { product: new Int32Array(slots).fill(NO_ENTITY), startedAtMs: new Float64Array(slots) },

    Product: { grabbable: new Uint8Array(slots) },
    Transform: { values: new Float64Array(slots * TRANSFORM_STRIDE) },
    /** Present only on held products; offset is the product's transform in the hand's frame. */
    Held: {
      avatar: new Int32Array(slots).fill(NO_ENTITY),
      hand: new Uint8Array(slots),
      offset: new Float64Array(slots * TRANSFORM_STRIDE),
    },
  };
}

export type Components = ReturnType<typeof createComponents>;
