import type { Room } from "@colyseus/core";
import { Encoder, Reflection } from "@colyseus/schema";
import type { RecordedAgent, RecordedVisitor } from "../../db/schema";
import { uuidv7 } from "uuidv7";
import type { RecordingOpening } from "../recording/store";
import { CHUNK_MS, FRAME_HEADER_BYTES, FrameKind, writeFrameHeader } from "../recording/format";

/** Room for the largest frame (a full 250-visitor state is ~20 KB) past the chunk's end. */
const HEADROOM_BYTES = 256 * 1024;

/** A finished chunk, handed to the store: its frames, uncompressed, owned by the store from now on. */
export interface SealedChunk {
  seq: number;
  startMs: number;
  endMs: number;
  frames: Uint8Array;
  visitors: RecordedVisitor[];
  agents: RecordedAgent[];
}

/** Where chunks go: RecordingStore, or anything that keeps them (bench, tests). */
export interface ChunkSink {
  chunk(recordingId: string, chunk: SealedChunk): void;
  end(recordingId: string, endedAt: Date, durationMs: number): void;
}

/**
 * Records a room as a spectator seeing the whole room receives it: each patch's bytes as the
 * encoder makes them, and a keyframe (the full state, as a joining client gets it) at the start
 * of every chunk of at most CHUNK_MS. On the tick's thread it only encodes into the open chunk's
 * buffer; compression and writing happen in the sink, off the tick.
 */
export class Recorder {
  private buffer: Uint8Array = new Uint8Array(HEADROOM_BYTES * 4);
  private length = 0;
  private seq = 0;
  private chunkStartMs = -1;
  private lastMs = 0;
  private readonly visitors = new Map<string, string>();
  private readonly agents = new Map<string, string>();
  private closed = false;

  constructor(
    readonly recordingId: string,
    private readonly encoder: Encoder,
    private readonly sink: ChunkSink,
    /** Milliseconds since the recording began (a monotonic clock in the room). */
    private readonly clock: () => number,
  ) {}

  /** Base64 of the state's reflection: what a decoder is built from. */
  static reflectionOf(encoder: Encoder): string {
    return Buffer.from(Reflection.encode(encoder)).toString("base64");
  }

  /** Someone is in the room: named in the recording's lists. */
  present(who: { role: "customer" | "agent"; id: string; name: string }): void {
    if (who.role === "customer") this.visitors.set(who.id, who.name);
    else this.agents.set(who.id, who.name);
  }

  /**
   * Called once per broadcast (onBeforePatch, after the state is synced), before the patch is
   * sent and its changes discarded. Encoding leaves the encoder's change tracking as it was, so
   * the bytes equal what clients receive; they are recorded even when no client is there.
   */
  patch(): void {
    const { encoder } = this;
    if (this.closed) return;
    const now = Math.max(this.lastMs, Math.floor(this.clock()));
    if (this.chunkStartMs < 0) {
      this.keyframe(encoder, now);
      return;
    }
    if (encoder.hasChanges) this.append(encoder, now, FrameKind.Patch);
    if (now - this.chunkStartMs >= CHUNK_MS) {
      this.seal();
      this.keyframe(encoder, now);
    }
  }

  /** Seals the open chunk and ends the recording (the room is closing). */
  close(endedAt: Date = new Date()): void {
    if (this.closed) return;
    this.closed = true;
    if (this.chunkStartMs >= 0) this.seal();
    this.sink.end(this.recordingId, endedAt, this.lastMs);
  }

  private keyframe(encoder: Encoder, now: number): void {
    this.chunkStartMs = now;
    this.append(encoder, now, FrameKind.Keyframe);
  }

  private append(encoder: Encoder, now: number, kind: FrameKind): void {
    this.reserve(HEADROOM_BYTES);
    const start = this.length + FRAME_HEADER_BYTES;
    const it = { offset: start };
    const out =
      kind === FrameKind.Keyframe ? encoder.encodeAll(it, this.buffer) : encoder.encode(it, undefined, this.buffer);
    // The encoder grows a buffer too small by copying it; the copy is then this chunk's.
    if (out.buffer !== this.buffer.buffer) this.buffer = new Uint8Array(out.buffer);
    writeFrameHeader(this.buffer, this.length, now, kind, it.offset - start);
    this.length = it.offset;
    this.lastMs = now;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(this.buffer.byteLength * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  private seal(): void {
    this.sink.chunk(this.recordingId, {
      seq: this.seq++,
      startMs: this.chunkStartMs,
      endMs: this.lastMs,
      frames: this.buffer.subarray(0, this.length),
      visitors: [...this.visitors].map(([customerId, name]) => ({ customerId, name })),
      agents: [...this.agents].map(([staffId, name]) => ({ staffId, name })),
    });
    // The sealed bytes now belong to the sink: the next chunk gets a buffer of its own.
    this.buffer = new Uint8Array(Buffer.allocUnsafeSlow(this.buffer.byteLength).buffer);
    this.length = 0;
    this.chunkStartMs = -1;
  }
}

/**
 * Starts recording a room that has just set its state. The recorder sees the room's own encoder:
 * a second Encoder on the same state would number its objects again and corrupt both streams.
 */
export function startRecording(
  store: ChunkSink & { open(opening: RecordingOpening): void },
  showroomId: string,
  room: Room,
): Recorder {
  const started = performance.now();
  const encoder = roomEncoder(room);
  const recorder = new Recorder(uuidv7(), encoder, store, () => performance.now() - started);
  const reflection = Recorder.reflectionOf(encoder);
  store.open({ id: recorder.recordingId, showroomId, roomId: room.roomId, startedAt: new Date(), reflection });
  return recorder;
}

/** Colyseus 0.18 keeps a room's serializer private; the recorder needs the encoder it patches with. */
function roomEncoder(room: Room): Encoder {
  const encoder = (room as unknown as { _serializer?: { encoder?: unknown } })._serializer?.encoder;
  if (!(encoder instanceof Encoder)) throw new Error("the room has no schema encoder where recording expects it");
  return encoder;
}
