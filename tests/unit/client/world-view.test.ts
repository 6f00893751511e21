import { BoxGeometry, Group, type InstancedMesh, Mesh, MeshBasicMaterial, type Object3D } from "three";
import { describe, expect, it } from "vitest";
import { packPose } from "../../../schema/codec";
import type { AvatarFields, ProductFields, ShowroomStateSource } from "../../../client/world/state-source";
import { WorldView } from "../../../client/world/world-view";
import { demoShowroomView } from "./fixtures";
import { nth } from "../../support/items";

const packed = { xz: 0, y: 0, q: 0 };

function avatar(name: string, role: number, x: number, z: number): AvatarFields {
  const head = packPose(x, 1.6, z, 0, 0, 0, 1, { ...packed });
  const left = packPose(x - 0.25, 1.1, z - 0.3, 0, 0, 0, 1, { ...packed });
  const right = packPose(x + 0.25, 1.1, z - 0.3, 0, 0, 0, 1, { ...packed });
  return {
    name,
    role,
    connected: true,
    hxz: head.xz,
    hy: head.y,
    hq: head.q,
    lxz: left.xz,
    ly: left.y,
    lq: left.q,
    rxz: right.xz,
    ry: right.y,
    rq: right.q,
  };
}

function product(sku: string, x: number, y: number, z: number, heldBy = "", hand = 0): ProductFields {
  const p = packPose(x, y, z, 0, 0, 0, 1, { ...packed });
  return { sku, xz: p.xz, y: p.y, q: p.q, heldBy, hand };
}

function state(avatars: Array<[string, AvatarFields]>, products: ProductFields[] = []): ShowroomStateSource {
  return { avatars: new Map(avatars), products: new Map(products.map((p) => [p.sku, p])) };
}

function drawables(root: Object3D): Mesh[] {
  const meshes: Mesh[] = [];
  root.traverse((object) => {
    if (object instanceof Mesh) meshes.push(object);
  });
  return meshes;
}

const crowd = (n: number): Array<[string, AvatarFields]> =>
  Array.from({ length: n }, (_, i) => [
    `s${i}`,
    avatar(`Visitor ${i}`, i % 7 === 0 ? 1 : 0, -10 + (i % 20), -5 + Math.floor(i / 20)),
  ]);

describe("the showroom built from its catalog", () => {
  const view = demoShowroomView();

  it("has a floor, four walls, and every product with its parts and a price label", () => {
    const world = new WorldView(view, { locale: "en", loadGltf: null });
    const shell = world.scene.getObjectByName("room-shell")!;
    expect(shell.getObjectByName("floor")).toBeDefined();
    expect(shell.children.filter((c) => c.name === "wall")).toHaveLength(4);
    for (const p of view.products) {
      const root = world.scene.getObjectByName(`product:${p.sku}`)!;
      root.position.toArray().forEach((v, i) => expect(v).toBeCloseTo(nth(p.position, i), 5));
      expect(drawables(root)).toHaveLength(p.model.length);
    }
    const labels = world.scene.getObjectByName("product-labels")!;
    expect(labels.children).toHaveLength(view.products.length);
    expect(labels.children.map((l) => l.userData.text)).toContain("Oslo Sofa $1,299");
  });

  it("draws 10 and 200 visitors with the same meshes, only more instances", () => {
    const world = new WorldView(view, { locale: "en", loadGltf: null });
    world.ingest(state(crowd(10)), 1000);
    world.update(1200, null);
    const fewMeshes = drawables(world.scene).length;
    expect(world.avatarCountsByRole()).toEqual([8, 2, 0]);

    world.ingest(state(crowd(200)), 1300);
    world.update(1500, null);
    expect(drawables(world.scene).length).toBe(fewMeshes);
    expect(world.avatarCountsByRole()).toEqual([171, 29, 0]);
    const heads = world.scene.getObjectByName("avatar-heads:0") as InstancedMesh;
    expect(heads.count).toBe(171);
    expect((world.scene.getObjectByName("name-tags") as InstancedMesh).count).toBe(200);
  });

  it("renders a visitor 100 ms in the past, between two patches", () => {
    const world = new WorldView(view, { locale: "en", loadGltf: null });
    world.ingest(state([["a", avatar("Ann", 0, 0, 0)]]), 1000);
    world.ingest(state([["a", avatar("Ann", 0, 0.2, 0)]]), 1050);
    world.update(1125, null);
    expect(world.avatarReport().a?.head[0]).toBeCloseTo(0.1, 2);
    world.update(1200, null);
    expect(world.avatarReport().a?.head[0]).toBeCloseTo(0.2, 2);
  });

  it("leaves out the local visitor, who is drawn from local input", () => {
    const world = new WorldView(view, { locale: "en", loadGltf: null });
    world.ingest(
      state([
        ["me", avatar("Me", 0, 0, 0)],
        ["you", avatar("You", 1, 1, 0)],
      ]),
      1000,
    );
    world.update(1200, { sessionId: "me", pose: new Float32Array(21) });
    expect(world.avatarCountsByRole()).toEqual([0, 1, 0]);
    expect(Object.keys(world.avatarReport()).sort()).toEqual(["me", "you"]);
  });

  it("moves a held product rigidly with its holder's interpolated hand and drops visitors who left", () => {
    const world = new WorldView(view, { locale: "en", loadGltf: null });
    // The right hand is at (0.25, 1.1, -0.3); the vase sits 10 cm in front of it.
    world.ingest(state([["a", avatar("Ann", 0, 0, 0)]], [product("VASE-KOI", 0.25, 1.1, -0.4, "a", 1)]), 1000);
    world.ingest(state([["a", avatar("Ann", 0, 2, 0)]], [product("VASE-KOI", 2.25, 1.1, -0.4, "a", 1)]), 1050);
    world.update(1125, null);
    const vase = world.productTransform("VASE-KOI")!;
    expect(vase[0]).toBeCloseTo(1.25, 2);
    expect(vase[2]).toBeCloseTo(-0.4, 2);
    expect(world.productReport()["VASE-KOI"]?.heldBy).toBe("a");

    world.ingest(state([], [product("VASE-KOI", 2.25, 1.1, -0.4)]), 1100);
    world.update(1300, null);
    expect(world.avatarReport()).toEqual({});
    expect(world.productTransform("VASE-KOI")![0]).toBeCloseTo(2.25, 2);
  });

  it("swaps a product's primitive model for its glTF scene once loaded, and keeps the primitives if loading fails", async () => {
    const base = demoShowroomView();
    const view = {
      ...base,
      products: base.products.map((p) =>
        p.sku === "LAMP-HALO"
          ? { ...p, gltfUrl: "/models/lamp.glb" }
          : p.sku === "VASE-KOI"
            ? { ...p, gltfUrl: "/models/missing.glb" }
            : p,
      ),
    };
    const requested: string[] = [];
    const world = new WorldView(view, {
      locale: "en",
      loadGltf: async (url) => {
        requested.push(url);
        if (url.includes("missing")) throw new Error("404");
        const scene = new Group();
        scene.name = "lamp-gltf";
        scene.add(new Mesh(new BoxGeometry(0.3, 2, 0.3), new MeshBasicMaterial()));
        return scene;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requested.sort()).toEqual(["/models/lamp.glb", "/models/missing.glb"]);
    const lamp = world.scene.getObjectByName("product:LAMP-HALO")!;
    expect(lamp.getObjectByName("lamp-gltf")).toBeDefined();
    expect(drawables(lamp)).toHaveLength(1);
    const vase = world.scene.getObjectByName("product:VASE-KOI")!;
    expect(drawables(vase)).toHaveLength(1);
  });
});
