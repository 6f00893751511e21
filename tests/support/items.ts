/** The item at index, or a failure that names what was missing (for arrays a test expects to be long enough). */
export function nth<T>(items: readonly T[], index: number, what = `item ${index}`): T {
  const item = items[index];
  if (item === undefined) throw new Error(`expected ${what}, but there are only ${items.length} items`);
  return item;
}
