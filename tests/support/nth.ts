/** values[index], failing the test at once when there is no such element instead of computing with undefined. */
export function nth<T>(values: ArrayLike<T>, index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`no element at ${index} of ${values.length}`);
  return value;
}
