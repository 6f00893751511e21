import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { deflateRaw, deflateRawSync, inflateRawSync, constants as zlib } from "node:zlib";

/**
 * A chunk's frames (schema/recording.ts): `[u32 LE tMs][u8 kind][u32 LE length][length bytes]`,
 * kind 0 a keyframe (the full state a joining client receives), 1 a patch; both without
 * Colyseus's 1-byte protocol prefix.
 */
export const FRAME_HEADER_BYTES = 9;
export const FrameKind = { Keyframe: 0, Patch: 1 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** A chunk covers at most this much of a recording, and starts with a keyframe. */
export const CHUNK_MS = 5000;

/**
 * Stored only, never served: a patch stored as its byte-wise difference (mod 256) from the
 * previous patch of the same length. Avatars moving smoothly give patches of one shape tick
 * after tick whose bytes change little, so the differences are mostly zeros and small numbers
 * that deflate packs several times tighter than the patches themselves.
 */
const DELTA_PATCH = 0x80;

export interface Frame {
  tMs: number;
  kind: FrameKind;
  bytes: Uint8Array;
}

export class DamagedChunkError extends Error {}

export function writeFrameHeader(buffer: Uint8Array, offset: number, tMs: number, kind: number, length: number): void {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  view.setUint32(offset, tMs, true);
  buffer[offset + 4] = kind;
  view.setUint32(offset + 5, length, true);
}

/** The frames of an uncompressed chunk, in order; throws DamagedChunkError on a truncated or unknown frame. */
export function readFrames(chunk: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  forEachFrame(chunk, (tMs, kind, start, end) => {
    if (kind !== FrameKind.Keyframe && kind !== FrameKind.Patch)
      throw new DamagedChunkError(`unknown frame kind ${kind}`);
    frames.push({ tMs, kind, bytes: chunk.subarray(start, end) });
  });
  return frames;
}

function forEachFrame(chunk: Uint8Array, visit: (tMs: number, kind: number, start: number, end: number) => void): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let offset = 0;
  while (offset < chunk.byteLength) {
    if (offset + FRAME_HEADER_BYTES > chunk.byteLength) throw new DamagedChunkError("truncated frame header");
    const tMs = view.getUint32(offset, true);
    const kind = chunk[offset + 4] ?? 0;
    const length = view.getUint32(offset + 5, true);
    const start = offset + FRAME_HEADER_BYTES;
    const end = start + length;
    if (end > chunk.byteLength) throw new DamagedChunkError("truncated frame");
    visit(tMs, kind, start, end);
    offset = end;
  }
}

/**
 * Rewrites a chunk's patches in place as differences from the previous patch of the same
 * length (the inverse is `undoDeltas`). Works on a copy the recorder no longer touches.
 */
function applyDeltas(chunk: Uint8Array): void {
  let previous: Uint8Array | undefined;
  forEachFrame(chunk, (_tMs, kind, start, end) => {
    if (kind !== FrameKind.Patch) return;
    const current = chunk.slice(start, end);
    if (previous?.length === current.length) {
      for (let i = 0; i < current.length; i++) chunk[start + i] = ((current[i] ?? 0) - (previous[i] ?? 0)) & 0xff;
      chunk[start - FRAME_HEADER_BYTES + 4] = kind | DELTA_PATCH;
    }
    previous = current;
  });
}

function undoDeltas(chunk: Uint8Array): void {
  let previous: { start: number; end: number } | undefined;
  forEachFrame(chunk, (_tMs, kind, start, end) => {
    if ((kind & ~DELTA_PATCH) !== FrameKind.Patch) return;
    if (kind & DELTA_PATCH) {
      if (!previous || previous.end - previous.start !== end - start)
        throw new DamagedChunkError("a difference without the patch it follows");
      for (let i = 0; i < end - start; i++) {
        chunk[start + i] = ((chunk[start + i] ?? 0) + (chunk[previous.start + i] ?? 0)) & 0xff;
      }
      chunk[start - FRAME_HEADER_BYTES + 4] = FrameKind.Patch;
    }
    previous = { start, end };
  });
}

const deflateRawAsync = promisify(deflateRaw);
const STORE_OPTIONS = { level: 9, memLevel: 9, strategy: zlib.Z_DEFAULT_STRATEGY };

/** A chunk as stored: differences (in place: the frames are the caller's to give), then deflate-raw in libuv's thread pool. */
export async function packChunk(frames: Uint8Array): Promise<Uint8Array> {
  applyDeltas(frames);
  return new Uint8Array(await deflateRawAsync(frames, STORE_OPTIONS));
}

/** The same, on the calling thread (tests, fixtures). */
export function packChunkSync(frames: Uint8Array): Uint8Array {
  const copy = frames.slice();
  applyDeltas(copy);
  return new Uint8Array(deflateRawSync(copy, STORE_OPTIONS));
}

/** A stored chunk back to its frames, exactly as recorded; DamagedChunkError if it cannot be. */
export function unpackChunk(stored: Uint8Array): Uint8Array {
  let frames: Uint8Array;
  try {
    frames = new Uint8Array(inflateRawSync(stored));
  } catch (error) {
    throw new DamagedChunkError(`cannot inflate: ${(error as Error).message}`);
  }
  undoDeltas(frames);
  return frames;
}

/** What GET /api/recordings/:id/chunks/:seq serves: the frames, deflate-raw (fflate's inflateSync reads it). */
export function servedChunk(stored: Uint8Array): Uint8Array {
  return new Uint8Array(deflateRawSync(unpackChunk(stored), { level: 1 }));
}

export function checksumOf(stored: Uint8Array): string {
  return createHash("sha256").update(stored).digest("hex");
}
