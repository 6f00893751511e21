/** The catalog's value types, shared by the database tables, the server and the browser. */

/** Text in the showroom's two languages. */
export type LocalizedText = { en: string; zh: string };
export type LocalizedList = { en: string[]; zh: string[] };
export type Bounds = { minX: number; maxX: number; minZ: number; maxZ: number; height: number };
/** Where visitors appear in a showroom, metres. */
export type SpawnPoint = { x: number; y: number; z: number };
/** One primitive of a product's model; sizes follow three.js geometry parameters. */
export type ModelPart = {
  shape: "box" | "cylinder" | "sphere" | "torus" | "cone";
  size: number[];
  at: [number, number, number];
  color: string;
};

export type TrainingStep = {
  id: string;
  text: LocalizedText;
  done:
    | { kind: "grab"; product: string }
    | { kind: "orientation"; product: string; upAxisDotBelow: number }
    | { kind: "near"; product: string; target: string; withinMeters: number };
};
