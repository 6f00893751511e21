import {
  BoxGeometry,
  Color,
  DirectionalLight,
  GridHelper,
  Group,
  HemisphereLight,
  Mesh,
  MeshStandardMaterial,
  PlaneGeometry,
} from "three";
import type { Bounds } from "../../schema/api";

const WALL_THICKNESS = 0.1;

/** Floor, walls and lights for the showroom's bounds. Nothing here moves after it is built. */
export function buildRoomShell(bounds: Bounds): Group {
  const shell = new Group();
  shell.name = "room-shell";
  const width = bounds.maxX - bounds.minX;
  const depth = bounds.maxZ - bounds.minZ;
  const centreX = (bounds.minX + bounds.maxX) / 2;
  const centreZ = (bounds.minZ + bounds.maxZ) / 2;

  const floor = new Mesh(
    new PlaneGeometry(width, depth),
    new MeshStandardMaterial({ color: new Color("#d9d2c5"), roughness: 0.9 }),
  );
  floor.name = "floor";
  floor.rotation.x = -Math.PI / 2;
  floor.position.set(centreX, 0, centreZ);
  shell.add(floor);

  const grid = new GridHelper(Math.max(width, depth), Math.max(width, depth), 0xb9b0a0, 0xc9c1b2);
  grid.name = "floor-grid";
  grid.position.set(centreX, 0.002, centreZ);
  shell.add(grid);

  const wallMaterial = new MeshStandardMaterial({ color: new Color("#f1ede6"), roughness: 0.95 });
  const accentMaterial = new MeshStandardMaterial({ color: new Color("#7a8b99"), roughness: 0.8 });
  const walls: Array<[number, number, number, number, boolean]> = [
    [centreX, bounds.minZ - WALL_THICKNESS / 2, width + 2 * WALL_THICKNESS, WALL_THICKNESS, true],
    [centreX, bounds.maxZ + WALL_THICKNESS / 2, width + 2 * WALL_THICKNESS, WALL_THICKNESS, false],
    [bounds.minX - WALL_THICKNESS / 2, centreZ, WALL_THICKNESS, depth, false],
    [bounds.maxX + WALL_THICKNESS / 2, centreZ, WALL_THICKNESS, depth, false],
  ];
  for (const [x, z, sizeX, sizeZ, accent] of walls) {
    const wall = new Mesh(new BoxGeometry(sizeX, bounds.height, sizeZ), accent ? accentMaterial : wallMaterial);
    wall.name = "wall";
    wall.position.set(x, bounds.height / 2, z);
    shell.add(wall);
  }

  shell.add(new HemisphereLight(0xffffff, 0x8d7f6a, 1.6));
  const sun = new DirectionalLight(0xffffff, 1.8);
  sun.position.set(centreX + width * 0.3, bounds.height * 3, centreZ + depth * 0.5);
  shell.add(sun);
  return shell;
}
