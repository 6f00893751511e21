/** The element with this id, which the page's HTML is known to contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page ${location.pathname} has no element #${id}`);
  return element as T;
}
