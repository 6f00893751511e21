import { byId } from "./dom";

/**
 * A plain message over everything for states the visitor must know about: no WebGL, VR
 * refused, connection lost for good, room full, server error. Never a blank screen.
 */
export class Banner {
  private readonly root = byId("banner");
  private readonly text = byId("banner-text");
  private readonly action = byId<HTMLButtonElement>("banner-action");

  show(message: string, tone: "error" | "info" = "error", action?: { label: string; run(): void }): void {
    this.text.textContent = message;
    this.root.dataset.tone = tone;
    this.action.hidden = !action;
    this.action.onclick = action ? () => action.run() : null;
    if (action) this.action.textContent = action.label;
    this.root.hidden = false;
  }

  hide(): void {
    this.root.hidden = true;
  }

  get message(): string | null {
    return this.root.hidden ? null : this.text.textContent;
  }
}
