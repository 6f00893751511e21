import { Mesh, MeshBasicMaterial, PlaneGeometry } from "three";
import type { ShownChatLine } from "../ui/chat-panel";
import { canvasTexture, fitText, makeCanvas, roundedRect } from "../world/canvas";

/**
 * The in-headset UI: HTML is invisible in an immersive session, so status, hints and the chat
 * are drawn into a canvas texture on a small panel worn on the left wrist.
 */

const SIZE = 512;
const WORLD_SIZE = 0.26;
const CHAT_LINES = 7;

export interface PanelContent {
  status: string;
  hint: string;
  chat: readonly ShownChatLine[];
}

export class VrPanel {
  readonly mesh: Mesh;
  private readonly canvas = makeCanvas(SIZE, SIZE);
  private readonly context = this.canvas?.getContext("2d") ?? null;
  private readonly material = new MeshBasicMaterial({ transparent: true, toneMapped: false });
  private drawn = "";

  constructor() {
    if (this.canvas) this.material.map = canvasTexture(this.canvas);
    this.mesh = new Mesh(new PlaneGeometry(WORLD_SIZE, WORLD_SIZE), this.material);
    this.mesh.name = "vr-panel";
    // Above the back of the left wrist, tilted toward the eyes.
    this.mesh.position.set(0, 0.06, 0.1);
    this.mesh.rotation.set(-Math.PI / 3, 0, 0);
  }

  update(content: PanelContent): void {
    const key = `${content.status}\n${content.hint}\n${content.chat.map((l) => `${l.key}${l.state}`).join(",")}`;
    if (key === this.drawn || !this.context || !this.material.map) return;
    this.drawn = key;
    const c = this.context;
    c.clearRect(0, 0, SIZE, SIZE);
    c.fillStyle = "rgba(16, 20, 28, 0.88)";
    roundedRect(c, 0, 0, SIZE, SIZE, 36);
    c.fill();
    c.textBaseline = "top";
    c.fillStyle = content.status.startsWith("Connected") ? "#3ccf7a" : "#f0a030";
    fitText(c, content.status, SIZE - 48, 30);
    c.fillText(content.status, 24, 22);
    c.fillStyle = "#d8dee9";
    fitText(c, content.hint, SIZE - 48, 24, "500");
    c.fillText(content.hint, 24, 66);
    c.fillStyle = "rgba(255,255,255,0.15)";
    c.fillRect(24, 104, SIZE - 48, 2);
    const lines = content.chat.slice(-CHAT_LINES);
    lines.forEach((line, i) => {
      const y = 122 + i * 52;
      c.fillStyle = line.role === 1 ? "#f0a030" : line.role === 2 ? "#3ccf7a" : "#8fb6ff";
      c.font = "700 24px system-ui, sans-serif";
      const who = `${line.name}:`;
      c.fillText(who, 24, y);
      const offset = 24 + c.measureText(who).width + 10;
      c.fillStyle = line.state === "refused" ? "#e5484d" : "#ffffff";
      fitText(c, line.text, SIZE - offset - 24, 24, "400");
      c.fillText(line.text, offset, y + 2);
    });
    this.material.map.needsUpdate = true;
  }
}
