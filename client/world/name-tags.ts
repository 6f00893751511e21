import {
  DoubleSide,
  InstancedBufferAttribute,
  InstancedMesh,
  Matrix4,
  NoColorSpace,
  PlaneGeometry,
  ShaderMaterial,
  Texture,
  Vector2,
} from "three";
import { canvasTexture, fitText, makeCanvas, roundedRect } from "./canvas";
import { Role } from "../../ecs/types";
import { roleColor } from "./role-colors";

/**
 * Visitors' names floating over their heads: one canvas atlas and one InstancedMesh of
 * camera-facing quads, so all tags together are a single draw call. The quads face the camera
 * in the vertex shader, which also keeps them right for each eye in a headset.
 */

const SLOT_WIDTH = 256;
const SLOT_HEIGHT = 64;
const COLUMNS = 8;
const ROWS = 32;
export const NAME_TAG_CAPACITY = COLUMNS * ROWS;
const TAG_WIDTH = 0.56;
const TAG_HEIGHT = (TAG_WIDTH * SLOT_HEIGHT) / SLOT_WIDTH;
const ABOVE_HEAD = 0.34;

const vertexShader = /* glsl */ `
attribute float slot;
uniform vec2 grid;
varying vec2 vUv;
void main() {
  float column = mod(slot, grid.x);
  float row = floor(slot / grid.x);
  vUv = vec2((column + uv.x) / grid.x, (grid.y - 1.0 - row + uv.y) / grid.y);
  vec4 centre = modelViewMatrix * instanceMatrix * vec4(0.0, 0.0, 0.0, 1.0);
  vec2 size = vec2(length(instanceMatrix[0].xyz), length(instanceMatrix[1].xyz));
  centre.xy += position.xy * size;
  gl_Position = projectionMatrix * centre;
}`;

const fragmentShader = /* glsl */ `
uniform sampler2D atlas;
varying vec2 vUv;
void main() {
  vec4 texel = texture2D(atlas, vUv);
  if (texel.a < 0.04) discard;
  gl_FragColor = texel;
}`;

export interface NameTagSpec {
  name: string;
  role: number;
  connected: boolean;
}

interface Slot {
  slot: number;
  text: string;
}

const matrix = new Matrix4();

export class NameTags {
  readonly mesh: InstancedMesh;
  private readonly canvas = makeCanvas(SLOT_WIDTH * COLUMNS, SLOT_HEIGHT * ROWS);
  private readonly context = this.canvas?.getContext("2d") ?? null;
  private readonly texture: Texture;
  private readonly slots = new Map<string, Slot>();
  private readonly free: number[] = [];
  private readonly slotAttribute: InstancedBufferAttribute;
  private count = 0;
  private textureDirty = false;
  private readonly seen = new Set<string>();

  constructor() {
    this.texture = this.canvas ? canvasTexture(this.canvas) : new Texture();
    // The shader writes the canvas' sRGB bytes straight out, so no conversion either way.
    this.texture.colorSpace = NoColorSpace;
    for (let slot = NAME_TAG_CAPACITY - 1; slot >= 0; slot--) this.free.push(slot);
    const geometry = new PlaneGeometry(1, 1);
    this.slotAttribute = new InstancedBufferAttribute(new Float32Array(NAME_TAG_CAPACITY), 1);
    geometry.setAttribute("slot", this.slotAttribute);
    const material = new ShaderMaterial({
      vertexShader,
      fragmentShader,
      uniforms: { atlas: { value: this.texture }, grid: { value: new Vector2(COLUMNS, ROWS) } },
      transparent: true,
      depthWrite: false,
      side: DoubleSide,
    });
    this.mesh = new InstancedMesh(geometry, material, NAME_TAG_CAPACITY);
    this.mesh.name = "name-tags";
    this.mesh.frustumCulled = false;
    this.mesh.renderOrder = 10;
    this.mesh.count = 0;
  }

  begin(): void {
    this.count = 0;
    this.seen.clear();
  }

  /** Places the tag of sessionId over a head at (x, y, z); beyond the atlas' capacity a visitor goes untagged. */
  add(sessionId: string, spec: NameTagSpec, x: number, y: number, z: number): void {
    const slot = this.slotFor(sessionId, spec);
    if (slot === null) return;
    this.seen.add(sessionId);
    matrix.makeScale(TAG_WIDTH, TAG_HEIGHT, 1).setPosition(x, y + ABOVE_HEAD, z);
    this.mesh.setMatrixAt(this.count, matrix);
    this.slotAttribute.setX(this.count, slot);
    this.count++;
  }

  end(): void {
    for (const [sessionId, entry] of this.slots) {
      if (this.seen.has(sessionId)) continue;
      this.slots.delete(sessionId);
      this.free.push(entry.slot);
    }
    this.mesh.count = this.count;
    this.mesh.visible = this.count > 0;
    this.mesh.instanceMatrix.needsUpdate = true;
    this.slotAttribute.needsUpdate = true;
    if (this.textureDirty) {
      this.texture.needsUpdate = true;
      this.textureDirty = false;
    }
  }

  private slotFor(sessionId: string, spec: NameTagSpec): number | null {
    const text = tagText(spec);
    let entry = this.slots.get(sessionId);
    if (!entry) {
      const slot = this.free.pop();
      if (slot === undefined) return null;
      entry = { slot, text: "" };
      this.slots.set(sessionId, entry);
    }
    if (entry.text !== text) {
      entry.text = text;
      this.draw(entry.slot, spec, text);
    }
    return entry.slot;
  }

  private draw(slot: number, spec: NameTagSpec, text: string): void {
    const context = this.context;
    if (!context) return;
    const x = (slot % COLUMNS) * SLOT_WIDTH;
    const y = Math.floor(slot / COLUMNS) * SLOT_HEIGHT;
    context.clearRect(x, y, SLOT_WIDTH, SLOT_HEIGHT);
    context.fillStyle = spec.connected ? "rgba(18, 22, 30, 0.78)" : "rgba(90, 90, 90, 0.6)";
    roundedRect(context, x + 4, y + 6, SLOT_WIDTH - 8, SLOT_HEIGHT - 12, 14);
    context.fill();
    context.fillStyle = roleColor(spec.role);
    context.fillRect(x + 12, y + 18, 8, SLOT_HEIGHT - 36);
    context.fillStyle = "#ffffff";
    context.textBaseline = "middle";
    fitText(context, text, SLOT_WIDTH - 44, 30);
    context.fillText(text, x + 28, y + SLOT_HEIGHT / 2 + 1);
    this.textureDirty = true;
  }
}

function tagText(spec: NameTagSpec): string {
  const name = spec.name || "Guest";
  // The assistant's green tag and its name say what it is; an agent's name alone would not.
  const staff = spec.role === Role.Agent ? `${name} · Agent` : name;
  return spec.connected ? staff : `${staff} (reconnecting)`;
}
