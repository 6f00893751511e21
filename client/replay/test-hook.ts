import type { AvatarReport } from "../world/world-view";
import type { CameraMode } from "./cameras";
import type { ReplayPlayer } from "./player";

/**
 * window.__atriumReplay: what the browser tests read and drive instead of pixels. Test builds
 * only (scripts/build.mjs --test-hooks).
 */

export interface ReplayTestState {
  ready: boolean;
  error: string | null;
  playheadMs: number;
  durationMs: number;
  /** Recording time of the decoded state drawn. */
  decodedAtMs: number;
  playing: boolean;
  speed: number;
  live: boolean;
  camera: CameraMode;
  followed: string | null;
  notice: string;
  frames: number;
  /** Avatars as drawn at the playhead. */
  avatars: Record<string, AvatarReport>;
  products: Record<string, { heldBy: string; hand: number; position: number[] }>;
  render: { calls: number; triangles: number };
}

export interface ReplayTestHook {
  state(): ReplayTestState;
  seek(ms: number): void;
  setSpeed(speed: number): void;
  play(): void;
  pause(): void;
  follow(sessionId: string, view: "eyes" | "shoulder"): void;
  camera(mode: CameraMode): void;
}

declare global {
  interface Window {
    __atriumReplay?: ReplayTestHook;
  }
}

const notReady = (error: string | null): ReplayTestState => ({
  ready: false,
  error,
  playheadMs: 0,
  durationMs: 0,
  decodedAtMs: 0,
  playing: false,
  speed: 1,
  live: false,
  camera: "orbit",
  followed: null,
  notice: "",
  frames: 0,
  avatars: {},
  products: {},
  render: { calls: 0, triangles: 0 },
});

/** Before the recording opens (or when it cannot), the hook says so. */
export function installFailedTestHook(error: string): void {
  const refuse = (): void => {
    throw new Error(`the replay did not open: ${error}`);
  };
  window.__atriumReplay = {
    state: () => notReady(error),
    seek: refuse,
    setSpeed: refuse,
    play: refuse,
    pause: refuse,
    follow: refuse,
    camera: refuse,
  };
}

export function installReplayTestHook(player: ReplayPlayer): void {
  window.__atriumReplay = {
    state: () => ({
      ready: true,
      error: null,
      playheadMs: player.playheadMs,
      durationMs: player.durationMs,
      decodedAtMs: player.playback.positionMs,
      playing: player.playing,
      speed: player.speed,
      live: player.live,
      camera: player.cameras.mode,
      followed: player.followed,
      notice: player.notice,
      frames: player.frames,
      avatars: player.world.avatarReport(),
      products: player.world.productReport(),
      render: { calls: player.renderer.info.render.calls, triangles: player.renderer.info.render.triangles },
    }),
    seek: (ms) => player.seek(ms),
    setSpeed: (speed) => player.setSpeed(speed),
    play: () => player.play(),
    pause: () => player.pause(),
    follow: (sessionId, view) => player.follow(sessionId, view),
    camera: (mode) => player.setCamera(mode),
  };
}
