/**
 * The item at index, or a failure that names what was missing, instead of computing with undefined
 * (for arrays and typed arrays a test expects to be long enough).
 */
export function nth<T>(items: ArrayLike<T>, index: number, what = `item ${index}`): T {
  const item = items[index];
  if (item === undefined) throw new Error(`expected ${what}, but there are only ${items.length} items`);
  return item;
}
