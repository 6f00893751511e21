import type { App } from "./app";

/**
 * window.__atrium: what the browser tests and the benchmark read instead of pixels. Every call
 * returns plain JSON: scene counts, avatars by session id, products and who holds them, chat
 * lines, connection status and renderer.info.
 */

export interface AtriumTestHook {
  state(): AtriumTestState;
  resetRenderTimes(): void;
  /** World position of the VR panel's ready phrase (null outside VR), for pointing a controller at it. */
  vrPhrasePosition(index: number): number[] | null;
}

export interface AtriumTestState {
  status: string;
  statusText: string;
  sessionId: string | null;
  banner: string | null;
  hint: string;
  avatars: ReturnType<App["world"]["avatarReport"]>;
  products: ReturnType<App["world"]["productReport"]>;
  /** The local visitor: pose as sent, the rig (play area origin on the floor, heading), the desktop hands' task. */
  self: { pose: number[]; rig: { x: number; z: number; yaw: number }; handsTask: string };
  chat: Array<{ name: string; text: string; state: string }>;
  scene: { avatarInstancesByRole: number[]; products: number; objects: number };
  render: {
    calls: number;
    triangles: number;
    geometries: number;
    textures: number;
    frames: number;
    medianRenderMs: number;
  };
  xr: { presenting: boolean; grabsSent: number } & ReturnType<App["xr"]["report"]>;
}

declare global {
  interface Window {
    __atrium?: AtriumTestHook;
  }
}

export function installTestHook(app: App): void {
  window.__atrium = {
    state(): AtriumTestState {
      const session = app.session();
      const info = app.renderer.info;
      let objects = 0;
      app.world.scene.traverse(() => objects++);
      return {
        status: session?.status.kind ?? "idle",
        statusText: app.hud.shownStatus.text,
        sessionId: session?.sessionId ?? null,
        banner: app.banner.message,
        hint: app.hud.hintText,
        avatars: app.world.avatarReport(),
        products: app.world.productReport(),
        self: {
          pose: Array.from(app.rig.pose, (v) => Math.round(v * 1000) / 1000),
          rig: { x: app.rig.dolly.position.x, z: app.rig.dolly.position.z, yaw: app.rig.yaw },
          handsTask: app.hands.state,
        },
        chat: app.chat.lines.map((line) => ({ name: line.name, text: line.text, state: line.state })),
        scene: { avatarInstancesByRole: app.world.avatarCountsByRole(), products: app.view.products.length, objects },
        render: {
          calls: info.render.calls,
          triangles: info.render.triangles,
          geometries: info.memory.geometries,
          textures: info.memory.textures,
          frames: app.timer.frames,
          medianRenderMs: app.timer.median(),
        },
        xr: { presenting: app.xr.presenting, grabsSent: app.xr.grabsSent, ...app.xr.report() },
      };
    },
    resetRenderTimes: () => app.timer.reset(),
    vrPhrasePosition: (index) => app.xr.phrasePosition(index),
  };
}
