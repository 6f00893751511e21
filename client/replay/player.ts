import { type Object3D, WebGLRenderer } from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import type { ShowroomView } from "../../schema/api";
import type { RecordingDetail } from "../../schema/recording";
import { PATCH_INTERVAL_MS } from "../../schema/state";
import { INTERPOLATION_DELAY_MS } from "../interp/pose-track";
import { fetchShowroom } from "../net/api";
import { byId } from "../ui/dom";
import { WorldView } from "../world/world-view";
import { fetchChunk, fetchRecording } from "./api";
import { type CameraMode, ReplayCameras } from "./cameras";
import { PeopleView, peopleIn, type Person } from "./people-view";
import { decodeBase64, describeDamage, formatTime, ReplayPlayback } from "./playback";
import { SPEEDS, TimelineView } from "./timeline-view";

/**
 * The replay page: a recording's states fed to the same WorldView the live showroom uses, on a
 * playhead that plays, pauses, changes speed, seeks and skips idle stretches; a live recording
 * is polled and followed.
 */

const LIVE_POLL_MS = 2000;
/** Nothing moving and nothing happening for longer than this is skipped when asked to. */
export const IDLE_SKIP_MS = 10_000;
/** Where a skip lands before the next thing happens, so it is seen coming. */
const IDLE_LEAD_MS = 1000;
const ARROW_STEP_MS = 5000;
/** Further than playing moves in a frame (100 ms at 8×): the decoder starts again from a keyframe. */
const JUMP_MS = 2000;
const MAX_FRAME_MS = 100;
/** A marker is seen a couple of steps after it happened, once the state shows it (a product in the hand). */
const MARKER_SEEK_OFFSET_MS = 2 * PATCH_INTERVAL_MS;

export class ReplayPlayer {
  playheadMs = 0;
  playing = false;
  speed = 1;
  skipIdle = false;
  followed: string | null = null;
  /** Following a live recording's newest chunk. */
  followingLive = false;
  notice = "";
  readonly world: WorldView;
  readonly cameras: ReplayCameras;
  readonly playback: ReplayPlayback;
  frames = 0;
  private readonly timeline: TimelineView;
  private readonly people: PeopleView;
  /** World time = recording time + offset; it only grows, so a seek back never confuses the tracks. */
  private worldOffset = 0;
  private busy = false;
  private nextIdleCheckMs = 0;
  private idleCheckBusy = false;
  private skippedNote = "";
  private polling: ReturnType<typeof setInterval> | null = null;

  constructor(
    private detail: RecordingDetail,
    readonly view: ShowroomView,
    readonly renderer: WebGLRenderer,
  ) {
    const gltf = new GLTFLoader();
    this.world = new WorldView(view, {
      locale: "en",
      loadGltf: (url) => gltf.loadAsync(url).then((loaded): Object3D => loaded.scene),
    });
    this.cameras = new ReplayCameras(view.bounds, renderer.domElement);
    this.playback = new ReplayPlayback(decodeBase64(detail.format.reflection), detail.chunks, (seq) =>
      fetchChunk(detail.recording.id, seq),
    );
    this.timeline = new TimelineView({
      seek: (ms) => this.seek(ms),
      togglePlay: () => (this.playing ? this.pause() : this.play()),
      setSpeed: (speed) => this.setSpeed(speed),
      setSkipIdle: (on) => {
        this.skipIdle = on;
        this.nextIdleCheckMs = this.playheadMs;
      },
      jumpToLive: () => this.jumpToLive(),
    });
    this.people = new PeopleView((sessionId, view) => this.follow(sessionId, view));
    for (const [mode, id] of [
      ["orbit", "cam-orbit"],
      ["plan", "cam-plan"],
    ] as const)
      byId(id).addEventListener("click", () => this.setCamera(mode));
    this.showDetail();
    window.addEventListener("keydown", (event) => this.key(event));
    window.addEventListener("keyup", (event) => {
      if (event.code === "Space" && !isTyping(event.target)) event.preventDefault();
    });
    if (this.live) this.startPolling();
  }

  get live(): boolean {
    return this.detail.recording.endedAt === null;
  }

  get durationMs(): number {
    return Math.max(this.playback.endMs, this.live ? 0 : this.detail.recording.durationMs);
  }

  play(): void {
    if (!this.live && this.playheadMs >= this.playback.endMs) this.seek(0);
    this.playing = true;
  }

  pause(): void {
    this.playing = false;
    this.followingLive = false;
  }

  setSpeed(speed: number): void {
    if (SPEEDS.includes(speed as (typeof SPEEDS)[number])) this.speed = speed;
  }

  seek(ms: number): void {
    this.playheadMs = Math.min(Math.max(0, ms), this.playback.endMs);
    this.followingLive = this.live && this.playheadMs >= this.playback.endMs - PATCH_INTERVAL_MS;
    this.nextIdleCheckMs = this.playheadMs;
    this.skippedNote = "";
  }

  setCamera(mode: CameraMode): void {
    if (mode === "orbit" || mode === "plan") this.followed = null;
    this.cameras.setMode(mode);
  }

  follow(sessionId: string, view: "eyes" | "shoulder"): void {
    this.followed = sessionId;
    this.cameras.setMode(view);
  }

  jumpToLive(): void {
    this.seek(this.playback.endMs);
    this.followingLive = true;
    this.playing = true;
  }

  /** One animation frame: move the playhead, decode up to it, draw. */
  frame(dtMs: number): void {
    this.frames++;
    const end = this.playback.endMs;
    if (this.playing) {
      this.playheadMs = Math.min(end, this.playheadMs + Math.min(dtMs, MAX_FRAME_MS) * this.speed);
      if (this.playheadMs >= end && !this.live) this.playing = false;
    }
    if (this.playing && this.skipIdle && !this.idleCheckBusy && this.playheadMs >= this.nextIdleCheckMs)
      void this.skipIdleStretch();
    if (!this.busy) void this.sync();
    this.draw();
  }

  /** The people at the playhead, as decoded. */
  peopleNow(): Person[] {
    const state = this.playback.state();
    return state ? peopleIn(state) : [];
  }

  private async sync(): Promise<void> {
    const target = this.playheadMs;
    const from = this.playback.positionMs;
    if (target === from && this.playback.state() !== null) return;
    this.busy = true;
    // A jump starts the world's tracks afresh, later than anything they hold.
    if (target < from || target > from + JUMP_MS) this.worldOffset += from - target + 10_000;
    try {
      await this.playback.goTo(target, (state, tMs) => this.world.ingest(state, tMs + this.worldOffset));
    } finally {
      this.busy = false;
    }
  }

  private async skipIdleStretch(): Promise<void> {
    this.idleCheckBusy = true;
    try {
      const from = this.playheadMs;
      const stretch = await this.playback.idleStretchAfter(
        from,
        IDLE_SKIP_MS,
        this.detail.markers.map((m) => m.atMs),
      );
      if (stretch && this.playing && this.skipIdle && this.playheadMs - from < 1000) {
        this.seek(stretch.toMs - IDLE_LEAD_MS);
        this.skippedNote = `Skipped ${formatTime(stretch.fromMs)}-${formatTime(stretch.toMs - IDLE_LEAD_MS)}: nobody moved.`;
      }
      this.nextIdleCheckMs = this.playheadMs + 2000;
    } finally {
      this.idleCheckBusy = false;
    }
  }

  private draw(): void {
    const followedPose = this.followed ? this.world.renderedAvatarPose(this.followed) : null;
    const local =
      this.followed && followedPose && this.cameras.mode === "eyes"
        ? { sessionId: this.followed, pose: followedPose }
        : null;
    this.world.update(this.playheadMs + this.worldOffset + INTERPOLATION_DELAY_MS, local);
    this.cameras.update(followedPose);
    this.renderer.render(this.world.scene, this.cameras.active);
    this.timeline.setDuration(this.durationMs);
    this.timeline.setDamage(this.playback.damaged.values());
    this.timeline.show(this.playheadMs, this.playing, this.speed);
    if (this.frames % 15 === 0) this.people.show(this.peopleNow(), this.followed);
    this.showNotice();
  }

  private showNotice(): void {
    const damage = this.playback.damageAt(this.playheadMs);
    const waiting = this.live && this.followingLive && this.playheadMs >= this.playback.endMs;
    const gone = this.followed && !this.world.renderedAvatarPose(this.followed);
    this.notice = damage
      ? `${describeDamage(damage)} Showing the room as it was last seen.`
      : gone
        ? "The person you followed is not in the room at this moment."
        : waiting
          ? "Live: waiting for the next few seconds of the room."
          : this.skippedNote;
    const element = byId("notice");
    if (element.textContent !== this.notice) element.textContent = this.notice;
    element.hidden = this.notice === "";
    element.dataset.tone = damage ? "error" : "info";
  }

  private showDetail(): void {
    const { recording } = this.detail;
    byId("title").textContent = `${this.view.name.en} · ${new Date(recording.startedAt).toLocaleString()}`;
    const names = [
      ...recording.visitors.map((v) => v.name || "Guest"),
      ...recording.agents.map((a) => `${a.name} (agent)`),
    ];
    byId("summary").textContent = names.length > 0 ? names.join(", ") : "No visitors";
    byId("live-badge").hidden = !this.live;
    byId("jump-live").hidden = !this.live;
    this.timeline.setDuration(this.durationMs);
    this.timeline.setMarkers(this.detail.markers, MARKER_SEEK_OFFSET_MS);
    this.timeline.setTranscript(this.detail.transcript);
  }

  private startPolling(): void {
    this.jumpToLive();
    this.polling = setInterval(() => void this.poll(), LIVE_POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      this.detail = await fetchRecording(this.detail.recording.id);
    } catch (error) {
      this.skippedNote = `Could not refresh the live recording: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    this.playback.setChunks(this.detail.chunks);
    this.showDetail();
    if (!this.live && this.polling) {
      clearInterval(this.polling);
      this.polling = null;
    }
  }

  private key(event: KeyboardEvent): void {
    if (isTyping(event.target)) return;
    const index = SPEEDS.indexOf(this.speed as (typeof SPEEDS)[number]);
    switch (event.code) {
      case "Space":
        if (this.playing) this.pause();
        else this.play();
        break;
      case "ArrowLeft":
        this.seek(this.playheadMs - ARROW_STEP_MS);
        break;
      case "ArrowRight":
        this.seek(this.playheadMs + ARROW_STEP_MS);
        break;
      case "ArrowUp":
        this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, index + 1)]!);
        break;
      case "ArrowDown":
        this.setSpeed(SPEEDS[Math.max(0, index - 1)]!);
        break;
      default:
        return;
    }
    event.preventDefault();
  }
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("input, select, textarea") !== null;
}

export async function openReplay(id: string, canvas: HTMLCanvasElement): Promise<ReplayPlayer> {
  const detail = await fetchRecording(id);
  const view = await fetchShowroom(location.origin, detail.recording.showroomSlug);
  let renderer: WebGLRenderer;
  try {
    renderer = new WebGLRenderer({ canvas, antialias: true });
  } catch {
    throw new Error(
      "This browser could not start WebGL, which the replay needs to draw the room. Try another browser, or turn on hardware acceleration.",
    );
  }
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  const player = new ReplayPlayer(detail, view, renderer);
  const resize = (): void => {
    const width = canvas.clientWidth || 640;
    const height = canvas.clientHeight || 480;
    renderer.setSize(width, height, false);
    player.cameras.resize(width, height);
  };
  window.addEventListener("resize", resize);
  resize();
  let last = performance.now();
  renderer.setAnimationLoop(() => {
    const now = performance.now();
    player.frame(now - last);
    last = now;
  });
  return player;
}
