/**
 * The decoded showroom state as the renderer reads it. A live Colyseus room's state and a
 * replay's decoded keyframes both have this shape, so one WorldView serves both.
 */
export interface KeyedCollection<V> {
  forEach(callback: (value: V, key: string) => void): void;
}

export interface AvatarFields {
  name: string;
  role: number;
  connected: boolean;
  hxz: number;
  hy: number;
  hq: number;
  lxz: number;
  ly: number;
  lq: number;
  rxz: number;
  ry: number;
  rq: number;
}

export interface ProductFields {
  sku: string;
  xz: number;
  y: number;
  q: number;
  heldBy: string;
  hand: number;
}

export interface ShowroomStateSource {
  avatars: KeyedCollection<AvatarFields>;
  products: KeyedCollection<ProductFields>;
}
