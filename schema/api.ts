/** HTTP API shapes shared by the server and the browser clients. */
import type { Bounds, LocalizedList, LocalizedText, ModelPart } from "./catalog";

export type { Bounds, LocalizedText, ModelPart };

export interface GuestTokenRequest {
  /** Kept by the browser in localStorage; a returning visitor is the same CRM customer. */
  visitorId?: string;
  /** Given by the server with the visitorId; proves the visitorId is this browser's. */
  visitorSecret?: string;
}

export interface GuestTokenResponse {
  token: string;
  visitorId: string;
  /** Only when the server issues one (a new visitor, or one from before secrets): the browser keeps it. */
  visitorSecret?: string;
  customerId: string;
  expiresAt: string;
}

export interface ShowroomProductView {
  sku: string;
  category: string;
  name: LocalizedText;
  synonyms: LocalizedList;
  description: LocalizedText;
  price: number;
  currency: string;
  stock: number;
  leadTimeDays: number;
  dimensionsCm: [number, number, number];
  colors: string[];
  position: [number, number, number];
  model: ModelPart[];
  gltfUrl: string | null;
  grabbable: boolean;
  trainingId: string | null;
}

export interface ShowroomView {
  slug: string;
  name: LocalizedText;
  bounds: Bounds;
  spawn: { x: number; y: number; z: number };
  capacity: number;
  products: ShowroomProductView[];
}

export interface ApiError {
  error: string;
  message: string;
}
