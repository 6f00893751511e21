import { CanvasTexture, LinearFilter, SRGBColorSpace } from "three";

/** A 2D canvas, or null where there is no DOM (unit tests build the world without textures). */
export function makeCanvas(width: number, height: number): HTMLCanvasElement | null {
  if (typeof document === "undefined") return null;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

export function canvasTexture(canvas: HTMLCanvasElement): CanvasTexture {
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  texture.minFilter = LinearFilter;
  texture.generateMipmaps = false;
  return texture;
}

/** Draws a rounded rectangle path; callers fill or stroke it. */
export function roundedRect(
  context: CanvasRenderingContext2D,
  x: number,
  y: number,
  width: number,
  height: number,
  radius: number,
): void {
  context.beginPath();
  context.roundRect(x, y, width, height, radius);
}

/** Shrinks the font until text fits maxWidth. */
export function fitText(
  context: CanvasRenderingContext2D,
  text: string,
  maxWidth: number,
  size: number,
  weight = "600",
): void {
  let px = size;
  do {
    context.font = `${weight} ${px}px system-ui, sans-serif`;
    px -= 2;
  } while (px > 10 && context.measureText(text).width > maxWidth);
}
