import type { RecordingMarker, TranscriptLine } from "../../schema/recording";
import { byId } from "../ui/dom";
import { type DamagedStretch, formatTime } from "./playback";

/**
 * The player's HTML: transport, the scrubbable timeline with its markers and damaged stretches,
 * the transcript that follows the playhead and the list of people to follow.
 */

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

/** Where the timeline groups marker types, for their colour. */
function markerGroup(type: string): string {
  if (type === "session_joined" || type === "session_left") return "presence";
  if (type === "product_grabbed" || type === "product_released" || type === "product_dwell") return "product";
  if (type === "chat" || type === "assistant_exchange") return "talk";
  if (type.startsWith("support_")) return "support";
  if (type === "demo_requested" || type === "quote_requested") return "request";
  return "other";
}

export interface TimelineEvents {
  seek(ms: number): void;
  togglePlay(): void;
  setSpeed(speed: number): void;
  setSkipIdle(on: boolean): void;
  jumpToLive(): void;
}

export class TimelineView {
  private readonly track = byId("timeline");
  private readonly fill = byId("timeline-fill");
  private readonly head = byId("timeline-head");
  private readonly markerLayer = byId("timeline-markers");
  private readonly damageLayer = byId("timeline-damage");
  private readonly time = byId("time");
  private readonly play = byId<HTMLButtonElement>("play");
  private readonly speed = byId<HTMLSelectElement>("speed");
  private readonly transcript = byId<HTMLOListElement>("transcript");
  private transcriptLines: Array<{ line: TranscriptLine; item: HTMLLIElement }> = [];
  private durationMs = 1;
  private shownDamage = "";
  private currentLine: HTMLLIElement | null = null;

  constructor(events: TimelineEvents) {
    for (const speed of SPEEDS) this.speed.append(new Option(`${speed}×`, String(speed), speed === 1, speed === 1));
    this.speed.addEventListener("change", () => events.setSpeed(Number(this.speed.value)));
    this.play.addEventListener("click", () => events.togglePlay());
    byId<HTMLInputElement>("skip-idle").addEventListener("change", (e) =>
      events.setSkipIdle((e.target as HTMLInputElement).checked),
    );
    byId("jump-live").addEventListener("click", () => events.jumpToLive());
    const scrub = (event: PointerEvent): void => {
      const box = this.track.getBoundingClientRect();
      events.seek(((event.clientX - box.left) / Math.max(1, box.width)) * this.durationMs);
    };
    this.track.addEventListener("pointerdown", (event) => {
      if ((event.target as HTMLElement).closest(".marker")) return;
      this.track.setPointerCapture(event.pointerId);
      scrub(event);
    });
    this.track.addEventListener("pointermove", (event) => {
      if (this.track.hasPointerCapture(event.pointerId)) scrub(event);
    });
    this.markerLayer.addEventListener("click", (event) => {
      const at = (event.target as HTMLElement).closest<HTMLElement>(".marker")?.dataset.at;
      if (at !== undefined) events.seek(Number(at));
    });
    this.transcript.addEventListener("click", (event) => {
      const at = (event.target as HTMLElement).closest<HTMLElement>("li")?.dataset.at;
      if (at !== undefined) events.seek(Number(at));
    });
  }

  setDuration(ms: number): void {
    this.durationMs = Math.max(1, ms);
  }

  setMarkers(markers: readonly RecordingMarker[], seekOffsetMs: number): void {
    this.markerLayer.replaceChildren(
      ...markers.map((marker) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `marker ${markerGroup(marker.type)}`;
        button.dataset.type = marker.type;
        button.dataset.at = String(marker.atMs + seekOffsetMs);
        button.title = `${formatTime(marker.atMs)} · ${marker.label}`;
        button.setAttribute("aria-label", button.title);
        button.style.left = `${(100 * marker.atMs) / this.durationMs}%`;
        return button;
      }),
    );
  }

  setDamage(stretches: Iterable<DamagedStretch>): void {
    const list = [...stretches];
    const key = list.map((s) => `${s.seq}:${s.startMs}`).join(",");
    if (key === this.shownDamage) return;
    this.shownDamage = key;
    this.damageLayer.replaceChildren(
      ...list.map((stretch) => {
        const span = document.createElement("span");
        span.className = "damaged";
        span.style.left = `${(100 * stretch.startMs) / this.durationMs}%`;
        span.style.width = `${(100 * (stretch.endMs - stretch.startMs)) / this.durationMs}%`;
        return span;
      }),
    );
  }

  setTranscript(lines: readonly TranscriptLine[]): void {
    this.transcriptLines = lines.map((line) => {
      const item = document.createElement("li");
      item.className = `line ${line.kind}`;
      item.dataset.at = String(line.atMs);
      const when = document.createElement("time");
      when.textContent = formatTime(line.atMs);
      const who = document.createElement("b");
      who.textContent = line.from;
      item.append(when, " ", who, document.createTextNode(`: ${line.text}`));
      return { line, item };
    });
    this.currentLine = null;
    this.transcript.replaceChildren(...this.transcriptLines.map((entry) => entry.item));
    if (lines.length === 0) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = "Nobody said anything in this recording.";
      this.transcript.append(empty);
    }
  }

  show(playheadMs: number, playing: boolean, speed: number): void {
    const share = `${Math.min(100, (100 * playheadMs) / this.durationMs)}%`;
    this.fill.style.width = share;
    this.head.style.left = share;
    this.time.textContent = `${formatTime(playheadMs)} / ${formatTime(this.durationMs)}`;
    this.play.textContent = playing ? "Pause" : "Play";
    this.play.setAttribute("aria-pressed", String(playing));
    if (Number(this.speed.value) !== speed) this.speed.value = String(speed);
    let current: HTMLLIElement | null = null;
    for (const { line, item } of this.transcriptLines) {
      const past = line.atMs <= playheadMs;
      item.classList.toggle("future", !past);
      if (past) current = item;
    }
    if (current !== this.currentLine) {
      this.currentLine?.classList.remove("current");
      current?.classList.add("current");
      current?.scrollIntoView({ block: "nearest" });
      this.currentLine = current;
    }
  }
}
