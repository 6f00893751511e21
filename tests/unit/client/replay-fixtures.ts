import { Encoder, Reflection } from "@colyseus/schema";
import { deflateSync } from "fflate";
import { type Frame, FrameKind } from "../../../client/replay/frames";
import { packPose } from "../../../schema/codec";
import type { RecordingDetail, RecordingMarker } from "../../../schema/recording";
import { RECORDING_FORMAT_VERSION } from "../../../schema/recording";
import { AvatarState, ProductState, ShowroomState } from "../../../schema/state";

/**
 * Recordings made in the test, the way the server records a room: the schema Encoder's
 * encodeAll for each chunk's keyframe, encode + discardChanges for each tick's patch, frames
 * in the contract's layout, each chunk deflated.
 */

export const TICK_MS = 50;
export const CHUNK_MS = 5000;

export interface StoredRecording {
  detail: RecordingDetail;
  /** Compressed chunk bytes by seq, as GET /api/recordings/:id/chunks/:seq answers. */
  chunks: Map<number, Uint8Array>;
}

export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  const size = frames.reduce((sum, frame) => sum + 9 + frame.bytes.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const frame of frames) {
    view.setUint32(offset, frame.tMs, true);
    view.setUint8(offset + 4, frame.kind);
    view.setUint32(offset + 5, frame.bytes.length, true);
    out.set(frame.bytes, offset + 9);
    offset += 9 + frame.bytes.length;
  }
  return out;
}

export interface Script {
  durationMs: number;
  setup(state: ShowroomState): void;
  /** Changes the state for the tick at tMs. */
  tick(state: ShowroomState, tMs: number): void;
}

/** Runs the script at 20 Hz and records it in chunks of CHUNK_MS. */
export function recordScript(
  script: Script,
  extra: { markers?: RecordingMarker[]; transcript?: RecordingDetail["transcript"]; slug?: string } = {},
): StoredRecording {
  const state = new ShowroomState();
  script.setup(state);
  const encoder = new Encoder(state);
  encoder.discardChanges();
  const reflection = Reflection.encode(encoder);
  const chunks = new Map<number, Uint8Array>();
  const list: RecordingDetail["chunks"] = [];
  let frames: Frame[] = [{ tMs: 0, kind: FrameKind.Keyframe, bytes: encoder.encodeAll().slice() }];
  let startMs = 0;
  const close = (endMs: number): void => {
    const seq = list.length;
    const bytes = deflateSync(encodeFrames(frames));
    chunks.set(seq, bytes);
    list.push({ seq, startMs, endMs, bytes: bytes.length });
  };
  for (let t = TICK_MS; t <= script.durationMs; t += TICK_MS) {
    script.tick(state, t);
    const patch = encoder.encode().slice();
    encoder.discardChanges();
    if (patch.length > 0) frames.push({ tMs: t, kind: FrameKind.Patch, bytes: patch });
    if (t % CHUNK_MS === 0 && t < script.durationMs) {
      close(t);
      startMs = t;
      frames = [{ tMs: t, kind: FrameKind.Keyframe, bytes: encoder.encodeAll().slice() }];
    }
  }
  close(script.durationMs);
  const detail: RecordingDetail = {
    recording: {
      id: "0190f5a0-0000-7000-8000-000000000001",
      showroomSlug: extra.slug ?? "home-living",
      roomId: "room-1",
      startedAt: "2025-01-01T10:00:00.000Z",
      endedAt: "2025-01-01T10:00:35.000Z",
      durationMs: script.durationMs,
      visitors: [{ customerId: "c-alice", name: "Alice" }],
      agents: [{ staffId: "s-sam", name: "Sam" }],
      ticketIds: [],
      bytes: [...chunks.values()].reduce((sum, c) => sum + c.length, 0),
    },
    format: { version: RECORDING_FORMAT_VERSION, reflection: Buffer.from(reflection).toString("base64") },
    chunks: list,
    markers: extra.markers ?? [],
    transcript: extra.transcript ?? [],
  };
  return { detail, chunks };
}

const packed = { xz: 0, y: 0, q: 0 };

export function placeAvatar(avatar: AvatarState, x: number, z: number): void {
  packPose(x, 1.6, z, 0, 0, 0, 1, packed);
  avatar.hxz = packed.xz;
  avatar.hy = packed.y;
  avatar.hq = packed.q;
  packPose(x - 0.25, 1.1, z - 0.3, 0, 0, 0, 1, packed);
  avatar.lxz = packed.xz;
  avatar.ly = packed.y;
  avatar.lq = packed.q;
  packPose(x + 0.25, 1.1, z - 0.3, 0, 0, 0, 1, packed);
  avatar.rxz = packed.xz;
  avatar.ry = packed.y;
  avatar.rq = packed.q;
}

function placeProduct(product: ProductState, x: number, y: number, z: number): void {
  packPose(x, y, z, 0, 0, 0, 1, packed);
  product.xz = packed.xz;
  product.y = packed.y;
  product.q = packed.q;
}

export const ALICE = "s-alice";
export const SAM = "s-sam";
export const GRAB_MS = 6000;
export const RELEASE_MS = 9000;
/** Nobody moves from IDLE_FROM_MS to IDLE_TO_MS. */
export const IDLE_FROM_MS = 10_000;
export const IDLE_TO_MS = 30_000;
export const DURATION_MS = 35_000;

/** Where Alice's head is at tMs: she walks 3 m along x in the first 10 s, stands, and walks back from 30 s. */
export function aliceX(start: number, tMs: number): number {
  if (tMs <= IDLE_FROM_MS) return start + (3 * tMs) / IDLE_FROM_MS;
  if (tMs <= IDLE_TO_MS) return start + 3;
  return start + 3 - (3 * (tMs - IDLE_TO_MS)) / (DURATION_MS - IDLE_TO_MS);
}

/**
 * A visit: Alice (a customer) walks, takes `sku` in her right hand at 6 s, puts it down at 9 s,
 * stands still for 20 s, walks back and says hello; Sam (an agent) stands by.
 */
export function aliceVisit(options: {
  sku: string;
  products: Array<{ sku: string; position: [number, number, number] }>;
  spawn: { x: number; z: number };
}): StoredRecording {
  const { spawn } = options;
  const script: Script = {
    durationMs: DURATION_MS,
    setup(state) {
      state.slug = "home-living";
      for (const { sku, position } of options.products) {
        const product = new ProductState();
        product.sku = sku;
        placeProduct(product, ...position);
        state.products.set(sku, product);
      }
      const alice = new AvatarState();
      alice.name = "Alice";
      alice.role = 0;
      alice.connected = true;
      placeAvatar(alice, spawn.x, spawn.z);
      state.avatars.set(ALICE, alice);
      const sam = new AvatarState();
      sam.name = "Sam";
      sam.role = 1;
      sam.connected = true;
      placeAvatar(sam, spawn.x - 1.5, spawn.z - 1);
      state.avatars.set(SAM, sam);
    },
    tick(state, tMs) {
      const alice = state.avatars.get(ALICE)!;
      const x = aliceX(spawn.x, tMs);
      if (tMs <= IDLE_FROM_MS || tMs > IDLE_TO_MS) placeAvatar(alice, x, spawn.z);
      const product = state.products.get(options.sku)!;
      if (tMs === GRAB_MS) {
        product.heldBy = ALICE;
        product.hand = 1;
      }
      if (tMs === RELEASE_MS) product.heldBy = "";
      // Held: in the right hand, as the server moves it.
      if (product.heldBy === ALICE) placeProduct(product, x + 0.25, 1.1, spawn.z - 0.3);
    },
  };
  const marker = (atMs: number, type: string, label: string, productSku: string | null = null): RecordingMarker => ({
    atMs,
    type,
    sessionId: ALICE,
    customerId: "c-alice",
    productSku,
    label,
  });
  return recordScript(script, {
    markers: [
      marker(0, "session_joined", "Alice joined"),
      marker(GRAB_MS, "product_grabbed", `Alice picked up ${options.sku}`, options.sku),
      marker(RELEASE_MS, "product_released", `Alice put down ${options.sku}`, options.sku),
      marker(IDLE_TO_MS + 1000, "chat", "Alice: hello"),
    ],
    transcript: [
      { atMs: IDLE_TO_MS + 1000, kind: "chat", from: "Alice", text: "Hello, is anyone here?" },
      { atMs: IDLE_TO_MS + 2500, kind: "assistant", from: "Assistant", text: "Welcome! How can I help?" },
    ],
  });
}
