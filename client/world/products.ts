import {
  Box3,
  BoxGeometry,
  type BufferGeometry,
  ConeGeometry,
  CylinderGeometry,
  Group,
  Mesh,
  MeshStandardMaterial,
  type Object3D,
  SphereGeometry,
  Sprite,
  SpriteMaterial,
  TorusGeometry,
} from "three";
import type { ModelPart, ShowroomProductView } from "../../schema/api";
import { canvasTexture, fitText, makeCanvas, roundedRect } from "./canvas";

/** Loads a glTF scene; the browser passes three's GLTFLoader, unit tests pass nothing. */
export type GltfLoad = (url: string) => Promise<Object3D>;

export interface ProductNode {
  sku: string;
  /** Moved to the product's transform every frame. */
  root: Group;
  /** The model, whose meshes raycasts hit. */
  model: Group;
  /** Drawn above the product, upright whatever the product's rotation. */
  label: Sprite;
  /** Height of the label above the product's origin. */
  labelHeight: number;
  grabbable: boolean;
}

const part = (size: number[], index: number, fallback: number): number => size[index] ?? fallback;

function partGeometry(shape: ModelPart["shape"], size: number[]): BufferGeometry {
  switch (shape) {
    case "box":
      return new BoxGeometry(part(size, 0, 1), part(size, 1, 1), part(size, 2, 1));
    case "cylinder":
      return new CylinderGeometry(part(size, 0, 0.5), part(size, 1, 0.5), part(size, 2, 1), part(size, 3, 32));
    case "sphere":
      return new SphereGeometry(part(size, 0, 0.5), part(size, 1, 32), part(size, 2, 16));
    case "torus":
      return new TorusGeometry(part(size, 0, 0.5), part(size, 1, 0.1), part(size, 2, 16), part(size, 3, 48));
    case "cone":
      return new ConeGeometry(part(size, 0, 0.5), part(size, 1, 1), part(size, 2, 32));
  }
}

/** Builds the catalog's products; geometries and materials are shared between identical parts. */
export class ProductBuilder {
  private readonly geometries = new Map<string, BufferGeometry>();
  private readonly materials = new Map<string, MeshStandardMaterial>();

  constructor(
    private readonly locale: "en" | "zh",
    private readonly loadGltf: GltfLoad | null,
  ) {}

  build(product: ShowroomProductView): ProductNode {
    const root = new Group();
    root.name = `product:${product.sku}`;
    root.position.set(product.position[0], product.position[1], product.position[2]);
    const model = new Group();
    model.userData.sku = product.sku;
    for (const spec of product.model) model.add(this.partMesh(spec));
    root.add(model);

    const label = productLabel(
      product.name[this.locale],
      formatPrice(product.price, product.currency, this.locale),
      product.grabbable,
    );
    const node: ProductNode = {
      sku: product.sku,
      root,
      model,
      label,
      labelHeight: labelHeightAbove(root, model),
      grabbable: product.grabbable,
    };

    if (product.gltfUrl && this.loadGltf) {
      this.loadGltf(product.gltfUrl).then(
        (scene) => {
          model.clear();
          model.add(scene);
          node.labelHeight = labelHeightAbove(root, model);
        },
        (error: unknown) => console.warn(`glTF for ${product.sku} failed, keeping its primitive model`, error),
      );
    }
    return node;
  }

  private partMesh(spec: ModelPart): Mesh {
    const key = `${spec.shape}:${spec.size.join(",")}`;
    let geometry = this.geometries.get(key);
    if (!geometry) {
      geometry = partGeometry(spec.shape, spec.size);
      this.geometries.set(key, geometry);
    }
    let material = this.materials.get(spec.color);
    if (!material) {
      material = new MeshStandardMaterial({ color: spec.color, roughness: 0.65, metalness: 0.05 });
      this.materials.set(spec.color, material);
    }
    const mesh = new Mesh(geometry, material);
    mesh.position.set(spec.at[0], spec.at[1], spec.at[2]);
    return mesh;
  }
}

export function formatPrice(price: number, currency: string, locale: "en" | "zh"): string {
  try {
    return new Intl.NumberFormat(locale === "zh" ? "zh-CN" : "en-US", {
      style: "currency",
      currency,
      maximumFractionDigits: 0,
    }).format(price);
  } catch {
    return `${price} ${currency}`;
  }
}

const LABEL_WIDTH = 512;
const LABEL_HEIGHT = 128;
const LABEL_WORLD_WIDTH = 0.8;

function productLabel(name: string, price: string, grabbable: boolean): Sprite {
  const material = new SpriteMaterial({ transparent: true, depthWrite: false });
  const canvas = makeCanvas(LABEL_WIDTH, LABEL_HEIGHT);
  const context = canvas?.getContext("2d");
  if (canvas && context) {
    context.fillStyle = "rgba(20, 24, 32, 0.82)";
    roundedRect(context, 4, 4, LABEL_WIDTH - 8, LABEL_HEIGHT - 8, 24);
    context.fill();
    context.fillStyle = "#ffffff";
    context.textBaseline = "middle";
    fitText(context, name, LABEL_WIDTH - 48, 44);
    context.fillText(name, 24, 44);
    context.fillStyle = "#ffd479";
    const detail = grabbable ? `${price}  ·  pick me up` : price;
    fitText(context, detail, LABEL_WIDTH - 48, 36, "500");
    context.fillText(detail, 24, 92);
    material.map = canvasTexture(canvas);
  }
  const sprite = new Sprite(material);
  sprite.name = "label";
  sprite.scale.set(LABEL_WORLD_WIDTH, (LABEL_WORLD_WIDTH * LABEL_HEIGHT) / LABEL_WIDTH, 1);
  sprite.userData.text = `${name} ${price}`;
  return sprite;
}

const LABEL_GAP = 0.3;

/** Top of the model in the product's own frame, plus a gap. */
function labelHeightAbove(root: Group, model: Group): number {
  root.remove(model);
  model.updateMatrixWorld(true);
  const box = new Box3().setFromObject(model, true);
  root.add(model);
  return box.isEmpty() ? LABEL_GAP : box.max.y + LABEL_GAP;
}
