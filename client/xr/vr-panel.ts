import { Mesh, MeshBasicMaterial, PlaneGeometry, type Vector2, Vector3 } from "three";
import type { ConnectionStatus } from "../net/live-session";
import type { ShownChatLine } from "../ui/chat-panel";
import { canvasTexture, fitText, makeCanvas, roundedRect } from "../world/canvas";
import { roleColor } from "../world/role-colors";

/**
 * The in-headset UI: HTML is invisible in an immersive session, so status, hints and the chat
 * are drawn into a canvas texture on a small panel worn on the left wrist. Typing is not
 * practical there, so the panel offers a few ready phrases to say: point the right controller
 * at one and pull the trigger.
 */

const SIZE = 512;
const WORLD_SIZE = 0.2;
const CHAT_LINES = 5;
export const QUICK_PHRASES: readonly string[] = ["Hello!", "Can someone help me?", "Thank you!"];
const BUTTON_TOP = 408;
const BUTTON_HEIGHT = 80;
const BUTTON_GAP = 10;
const BUTTON_WIDTH = (SIZE - 48 - BUTTON_GAP * (QUICK_PHRASES.length - 1)) / QUICK_PHRASES.length;
/** The pages' accent colour (style.css --accent). */
const BUTTON_COLOR = "#4f8df5";
const CONNECTED_COLOR = "#3ccf7a";
const NOT_CONNECTED_COLOR = "#f0a030";

export interface PanelContent {
  status: { kind: ConnectionStatus["kind"]; text: string };
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
    const chatKey = content.chat.map((l) => `${l.key}${l.state}`).join(",");
    const key = `${content.status.kind}\n${content.status.text}\n${content.hint}\n${chatKey}`;
    if (key === this.drawn || !this.context || !this.material.map) return;
    this.drawn = key;
    const c = this.context;
    c.clearRect(0, 0, SIZE, SIZE);
    c.fillStyle = "rgba(16, 20, 28, 0.88)";
    roundedRect(c, 0, 0, SIZE, SIZE, 36);
    c.fill();
    c.textBaseline = "top";
    c.fillStyle = content.status.kind === "connected" ? CONNECTED_COLOR : NOT_CONNECTED_COLOR;
    fitText(c, content.status.text, SIZE - 48, 30);
    c.fillText(content.status.text, 24, 22);
    c.fillStyle = "#d8dee9";
    fitText(c, content.hint, SIZE - 48, 24, "500");
    c.fillText(content.hint, 24, 66);
    c.fillStyle = "rgba(255,255,255,0.15)";
    c.fillRect(24, 104, SIZE - 48, 2);
    const lines = content.chat.slice(-CHAT_LINES);
    lines.forEach((line, i) => {
      const y = 122 + i * 52;
      c.fillStyle = roleColor(line.role);
      c.font = "700 24px system-ui, sans-serif";
      const who = `${line.name}:`;
      c.fillText(who, 24, y);
      const offset = 24 + c.measureText(who).width + 10;
      c.fillStyle = line.state === "refused" ? "#e5484d" : "#ffffff";
      fitText(c, line.text, SIZE - offset - 24, 24, "400");
      c.fillText(line.text, offset, y + 2);
    });
    QUICK_PHRASES.forEach((phrase, i) => {
      const x = 24 + i * (BUTTON_WIDTH + BUTTON_GAP);
      c.fillStyle = BUTTON_COLOR;
      roundedRect(c, x, BUTTON_TOP, BUTTON_WIDTH, BUTTON_HEIGHT, 16);
      c.fill();
      c.fillStyle = "#ffffff";
      c.textBaseline = "middle";
      fitText(c, phrase, BUTTON_WIDTH - 16, 26);
      c.fillText(phrase, x + 8, BUTTON_TOP + BUTTON_HEIGHT / 2);
    });
    this.material.map.needsUpdate = true;
  }

  /** The world position of a ready phrase's button. */
  phraseCentre(index: number): Vector3 {
    const x = 24 + index * (BUTTON_WIDTH + BUTTON_GAP) + BUTTON_WIDTH / 2;
    const y = BUTTON_TOP + BUTTON_HEIGHT / 2;
    this.mesh.updateWorldMatrix(true, false);
    return this.mesh.localToWorld(new Vector3((x / SIZE - 0.5) * WORLD_SIZE, (0.5 - y / SIZE) * WORLD_SIZE, 0));
  }

  /** The ready phrase at a point of the panel (texture coordinates of a ray hit), if any. */
  phraseAt(uv: Vector2): string | null {
    const x = uv.x * SIZE;
    const y = (1 - uv.y) * SIZE;
    if (y < BUTTON_TOP || y > BUTTON_TOP + BUTTON_HEIGHT) return null;
    const index = Math.floor((x - 24) / (BUTTON_WIDTH + BUTTON_GAP));
    const within = x - 24 - index * (BUTTON_WIDTH + BUTTON_GAP) <= BUTTON_WIDTH;
    return within ? (QUICK_PHRASES[index] ?? null) : null;
  }
}
