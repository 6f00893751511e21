import { inflateSync } from "fflate";

/**
 * One stored chunk of a recording, decompressed: a sequence of frames
 * `[u32 LE tMs][u8 kind][u32 LE length][length bytes]` (schema/recording.ts), the first a keyframe.
 * The bytes of a frame are what @colyseus/schema's Decoder takes, without Colyseus's protocol prefix.
 */

export const FrameKind = { Keyframe: 0, Patch: 1 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface Frame {
  /** From the recording's start. */
  tMs: number;
  kind: FrameKind;
  bytes: Uint8Array;
}

const HEADER_BYTES = 9;

/** A chunk that cannot be read: not deflate data, or frames that do not follow the layout. */
export class DamagedChunkError extends Error {}

export function parseFrames(data: Uint8Array): Frame[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < data.byteLength) {
    if (data.byteLength - offset < HEADER_BYTES)
      throw new DamagedChunkError(`a frame header is cut short at byte ${offset}`);
    const tMs = view.getUint32(offset, true);
    const kind = view.getUint8(offset + 4);
    const length = view.getUint32(offset + 5, true);
    offset += HEADER_BYTES;
    if (kind !== FrameKind.Keyframe && kind !== FrameKind.Patch)
      throw new DamagedChunkError(`a frame has unknown kind ${kind}`);
    if (length > data.byteLength - offset)
      throw new DamagedChunkError(`a frame of ${length} bytes runs past the chunk's end`);
    const previous = frames.at(-1);
    if (previous && tMs < previous.tMs) throw new DamagedChunkError(`frames go back in time at ${tMs} ms`);
    frames.push({ tMs, kind, bytes: data.subarray(offset, offset + length) });
    offset += length;
  }
  if (frames[0]?.kind !== FrameKind.Keyframe) throw new DamagedChunkError("the chunk does not start with a keyframe");
  return frames;
}

/** A chunk as served (deflate-raw), inflated and split into frames. */
export function readChunk(compressed: Uint8Array): Frame[] {
  let data: Uint8Array;
  try {
    data = inflateSync(compressed);
  } catch (error) {
    throw new DamagedChunkError(`it does not inflate (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseFrames(data);
}
