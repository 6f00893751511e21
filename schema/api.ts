/** HTTP API shapes shared by the server and the browser clients. */
import type { Bounds, LocalizedList, LocalizedText, ModelPart, SpawnPoint } from "./catalog";

export type { Bounds, LocalizedText, ModelPart };

export interface GuestTokenRequest {
  /** Kept by the browser in localStorage; a returning visitor is the same CRM customer. */
  visitorId?: string;
  /** The showroom about to be entered: one that requires consent refuses a token without it. */
  showroom?: string;
  /** The privacy notice version the visitor accepted (PRIVACY_NOTICE_VERSION), recorded as consent_given. */
  consent?: string;
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

/** A product as the browser gets it; the catalog file (db/catalog.ts) and the products table hold the same. */
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
  spawn: SpawnPoint;
  capacity: number;
  /** Visitors must accept the privacy notice (this version) before entering. */
  requiresConsent: boolean;
  products: ShowroomProductView[];
}

export interface ApiError {
  error: string;
  message: string;
}
