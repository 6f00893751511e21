import type { ConnectionStatus } from "../net/live-session";
import { byId } from "./dom";

/** Crosshair, connection status and the hint bar over the desktop view. */
export class Hud {
  private readonly root = byId("hud");
  private readonly status = byId("status");
  private readonly hintBar = byId("hint");
  private readonly crosshair = byId("crosshair");
  private visitors = 0;
  private lastStatus: ConnectionStatus = { kind: "connecting" };

  show(): void {
    this.root.hidden = false;
  }

  setCrosshair(visible: boolean): void {
    this.crosshair.hidden = !visible;
  }

  hint(text: string): void {
    this.hintBar.textContent = text;
  }

  get hintText(): string {
    return this.hintBar.textContent ?? "";
  }

  setVisitors(count: number): void {
    if (count === this.visitors) return;
    this.visitors = count;
    this.setStatus(this.lastStatus);
  }

  setStatus(status: ConnectionStatus): void {
    this.lastStatus = status;
    this.status.dataset.kind = status.kind;
    this.status.textContent = statusText(status, this.visitors);
  }

  /** The connection status as shown: its kind and its text. */
  get shownStatus(): { kind: ConnectionStatus["kind"]; text: string } {
    return { kind: this.lastStatus.kind, text: this.status.textContent ?? "" };
  }
}

export function statusText(status: ConnectionStatus, visitors: number): string {
  switch (status.kind) {
    case "connecting":
      return "Connecting…";
    case "connected":
      return visitors === 1 ? "Connected · just you here" : `Connected · ${visitors} visitors`;
    case "reconnecting":
      return `Connection lost — reconnecting (attempt ${status.attempt})…`;
    case "full":
    case "unreachable":
    case "failed":
      return status.message;
    case "left":
      return "You left the showroom.";
  }
}
