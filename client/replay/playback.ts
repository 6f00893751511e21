import { Decoder, Reflection, type Schema } from "@colyseus/schema";
import { Role } from "../../ecs/types";
import type { RecordingDetail } from "../../schema/recording";
import type { AvatarFields, KeyedCollection, ProductFields, ShowroomStateSource } from "../world/state-source";
import { DamagedChunkError, type Frame, FrameKind, readChunk } from "./frames";

/**
 * The recording's state at any moment: decoded from the keyframe of the chunk that holds the
 * moment, then its patches up to it. Playing forward continues from where the decoder is; a
 * jump (back, or past the next chunk) starts again from a keyframe. Chunks are loaded once
 * and kept (the most recent CACHED_CHUNKS of them).
 */

export type ChunkInfo = RecordingDetail["chunks"][number];
/** The stored (compressed) bytes of one chunk. */
export type LoadChunk = (seq: number) => Promise<Uint8Array>;
/** Called with the state after each frame applied, and the frame's time. */
export type EmitState = (state: ShowroomStateSource, tMs: number) => void;

export interface DamagedStretch {
  seq: number;
  startMs: number;
  endMs: number;
  reason: string;
}

export interface IdleStretch {
  fromMs: number;
  /** The next movement or marker; the recording's end when nothing happens after fromMs. */
  toMs: number;
}

type LoadedChunk = { frames: Frame[] } | { damaged: string };

const CACHED_CHUNKS = 240;

export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** "0:55", "1:02:03" */
export function formatTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = String(total % 60).padStart(2, "0");
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function describeDamage(stretch: DamagedStretch): string {
  return `Chunk ${stretch.seq} (${formatTime(stretch.startMs)}-${formatTime(stretch.endMs)}) is damaged: ${stretch.reason}.`;
}

/**
 * The Decoder skips a structure it cannot place and carries on; in a recording that only
 * happens to damaged bytes, so here it is an error.
 */
class StrictDecoder extends Decoder {
  override skipCurrentStructure(): void {
    throw new Error("a change names a structure the state does not have");
  }
}

type Decoded<T> = { [K in keyof T]?: T[K] };

/**
 * Classes rebuilt from a reflection have no defaults: a field never set (an empty heldBy, hand 0)
 * is undefined. The renderer gets the values a live client's state would have.
 */
function withDefaults(decoded: {
  avatars: KeyedCollection<Decoded<AvatarFields>>;
  products: KeyedCollection<Decoded<ProductFields>>;
}): ShowroomStateSource {
  return {
    avatars: {
      forEach: (callback) =>
        decoded.avatars.forEach((a, sessionId) =>
          callback(
            {
              name: a.name ?? "",
              role: a.role ?? Role.Customer,
              connected: a.connected ?? false,
              hxz: a.hxz ?? 0,
              hy: a.hy ?? 0,
              hq: a.hq ?? 0,
              lxz: a.lxz ?? 0,
              ly: a.ly ?? 0,
              lq: a.lq ?? 0,
              rxz: a.rxz ?? 0,
              ry: a.ry ?? 0,
              rq: a.rq ?? 0,
            },
            sessionId,
          ),
        ),
    },
    products: {
      forEach: (callback) =>
        decoded.products.forEach((p, sku) =>
          callback(
            { sku: p.sku ?? sku, xz: p.xz ?? 0, y: p.y ?? 0, q: p.q ?? 0, heldBy: p.heldBy ?? "", hand: p.hand ?? 0 },
            sku,
          ),
        ),
    },
  };
}

function decodedState(state: unknown): ShowroomStateSource | null {
  const candidate = state as { avatars?: { forEach?: unknown }; products?: { forEach?: unknown } } | null;
  if (typeof candidate?.avatars?.forEach !== "function" || typeof candidate.products?.forEach !== "function")
    return null;
  return withDefaults(candidate as Parameters<typeof withDefaults>[0]);
}

export class ReplayPlayback {
  /** The recording time of the state last emitted. */
  positionMs = 0;
  /** Stretches that could not be shown, by chunk seq. */
  readonly damaged = new Map<number, DamagedStretch>();
  private chunkList: ChunkInfo[] = [];
  private readonly cache = new Map<number, Promise<LoadedChunk>>();
  private readonly template: Decoder;
  private decoder: Decoder | null = null;
  /** Index in chunkList of the chunk being decoded, -1 before the first. */
  private current = -1;
  private frames: Frame[] = [];
  private nextFrame = 0;

  constructor(
    reflection: Uint8Array,
    chunks: ChunkInfo[],
    private readonly load: LoadChunk,
  ) {
    this.template = Reflection.decode(reflection);
    this.setChunks(chunks);
  }

  get chunks(): readonly ChunkInfo[] {
    return this.chunkList;
  }

  /** Where the recording ends (so far, for a live one). */
  get endMs(): number {
    return this.chunkList.at(-1)?.endMs ?? 0;
  }

  /** A live recording's list grows; chunks already known keep their place. */
  setChunks(chunks: ChunkInfo[]): void {
    this.chunkList = [...chunks].sort((a, b) => a.startMs - b.startMs);
    for (const chunk of this.chunkList)
      if (chunk.damaged && !this.damaged.has(chunk.seq))
        this.damaged.set(chunk.seq, { ...this.stretch(chunk), reason: "it was stored damaged" });
  }

  /** The damaged stretch covering ms, if any. */
  damageAt(ms: number): DamagedStretch | null {
    for (const stretch of this.damaged.values())
      if (ms >= stretch.startMs && (ms < stretch.endMs || (ms === stretch.endMs && ms === this.endMs))) return stretch;
    return null;
  }

  /** The index of the chunk holding ms: the last one starting at or before it. */
  indexAt(ms: number): number {
    let index = 0;
    for (let i = 0; i < this.chunkList.length; i++) if (this.chunkList[i]!.startMs <= ms) index = i;
    return index;
  }

  /** Brings the decoded state to ms (clamped to the recording), emitting each frame applied on the way. */
  async goTo(requestedMs: number, emit: EmitState): Promise<void> {
    const ms = Math.min(Math.max(0, requestedMs), this.endMs);
    if (this.chunkList.length === 0) return;
    const target = this.indexAt(ms);
    const forward = this.current >= 0 && ms >= this.positionMs;
    if (forward && target === this.current) {
      this.applyUntil(ms, emit);
    } else if (forward && target === this.current + 1) {
      this.applyUntil(ms, emit);
      await this.enter(target, emit, true);
      this.applyUntil(ms, emit);
    } else {
      await this.enter(target, emit, false);
      this.applyUntil(ms, emit);
    }
    this.positionMs = ms;
  }

  /**
   * Whether nothing happens (no patch, no marker) for longer than minMs after fromMs; then the
   * stretch up to the next thing that does. A damaged chunk counts as something to see.
   */
  async idleStretchAfter(fromMs: number, minMs: number, markerTimes: readonly number[]): Promise<IdleStretch | null> {
    let next = Number.POSITIVE_INFINITY;
    for (const at of markerTimes) if (at > fromMs && at < next) next = at;
    for (let i = this.indexAt(fromMs); i < this.chunkList.length; i++) {
      const chunk = this.chunkList[i]!;
      if (chunk.startMs > next || chunk.startMs > fromMs + minMs + 60_000) break;
      const loaded = await this.loadChunk(chunk);
      if ("damaged" in loaded) {
        next = Math.min(next, Math.max(chunk.startMs, fromMs));
        break;
      }
      const moving = loaded.frames.find((f) => f.kind === FrameKind.Patch && f.bytes.length > 0 && f.tMs > fromMs);
      if (moving) {
        next = Math.min(next, moving.tMs);
        break;
      }
    }
    const toMs = Math.min(next, this.endMs);
    return toMs - fromMs > minMs ? { fromMs, toMs } : null;
  }

  /** The decoded state now, as the renderer and the test hook read it. */
  state(): ShowroomStateSource | null {
    return decodedState(this.decoder?.state);
  }

  private stretch(chunk: ChunkInfo): Omit<DamagedStretch, "reason"> {
    return { seq: chunk.seq, startMs: chunk.startMs, endMs: chunk.endMs };
  }

  /** Starts decoding chunk index from its keyframe. A damaged chunk shows the last state before it. */
  private async enter(index: number, emit: EmitState, continuing: boolean): Promise<void> {
    const chunk = this.chunkList[index]!;
    const loaded = await this.loadChunk(chunk);
    if ("damaged" in loaded) {
      if (!continuing) await this.showLastGoodBefore(index, emit);
      this.current = index;
      this.frames = [];
      this.nextFrame = 0;
      return;
    }
    this.decoder = new StrictDecoder(
      new (this.template.state.constructor as new () => Schema)(),
      this.template.context,
    );
    this.current = index;
    this.frames = loaded.frames;
    this.nextFrame = 0;
    // The keyframe is the state at the chunk's start: it applies whatever the moment asked for.
    this.applyFrame(chunk, emit);
  }

  private async showLastGoodBefore(index: number, emit: EmitState): Promise<void> {
    for (let i = index - 1; i >= 0; i--) {
      const loaded = await this.loadChunk(this.chunkList[i]!);
      if ("damaged" in loaded) continue;
      await this.enter(i, emit, false);
      this.applyUntil(Number.POSITIVE_INFINITY, emit);
      return;
    }
    this.decoder = null;
  }

  private applyUntil(ms: number, emit: EmitState): void {
    const chunk = this.chunkList[this.current];
    if (!chunk) return;
    while (this.nextFrame < this.frames.length && this.frames[this.nextFrame]!.tMs <= ms) this.applyFrame(chunk, emit);
  }

  private applyFrame(chunk: ChunkInfo, emit: EmitState): void {
    const frame = this.frames[this.nextFrame]!;
    try {
      this.decoder!.decode(frame.bytes);
      const state = this.state();
      if (!state) throw new Error("the state has no avatars or products");
      this.nextFrame++;
      emit(state, frame.tMs);
    } catch (error) {
      // What was decoded before the bad frame stands; the rest of the chunk cannot be trusted.
      this.frames = this.frames.slice(0, this.nextFrame);
      this.damaged.set(chunk.seq, {
        seq: chunk.seq,
        startMs: frame.tMs,
        endMs: chunk.endMs,
        reason: `a frame does not decode (${error instanceof Error ? error.message : String(error)})`,
      });
    }
  }

  private loadChunk(chunk: ChunkInfo): Promise<LoadedChunk> {
    const cached = this.cache.get(chunk.seq);
    if (cached) {
      this.cache.delete(chunk.seq);
      this.cache.set(chunk.seq, cached);
      return cached;
    }
    const loading = this.fetchAndRead(chunk).then((result) => {
      if ("frames" in result) return result;
      if (!this.damaged.has(chunk.seq)) this.damaged.set(chunk.seq, { ...this.stretch(chunk), reason: result.damaged });
      // A failed download may succeed later; a chunk that does not read never will.
      if (result.retry) {
        this.cache.delete(chunk.seq);
        this.damaged.delete(chunk.seq);
      }
      return result;
    });
    this.cache.set(chunk.seq, loading);
    if (this.cache.size > CACHED_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
    return loading;
  }

  private async fetchAndRead(chunk: ChunkInfo): Promise<LoadedChunk & { retry?: boolean }> {
    if (chunk.damaged) return { damaged: "it was stored damaged" };
    let bytes: Uint8Array;
    try {
      bytes = await this.load(chunk.seq);
    } catch (error) {
      return {
        damaged: `it could not be loaded (${error instanceof Error ? error.message : String(error)})`,
        retry: true,
      };
    }
    try {
      return { frames: readChunk(bytes) };
    } catch (error) {
      return { damaged: error instanceof DamagedChunkError ? error.message : `it does not read (${String(error)})` };
    }
  }
}
