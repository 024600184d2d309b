// History-API routing: the path is the state, so every page can be reloaded and linked to.
import { createStore } from './store.js';

export const routeStore = createStore(location.pathname + location.search);

/** Goes to a new view; like a page load it starts at the top unless the change is within what is on screen. */
export function navigate(to: string, opts: { keepScroll?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  routeStore.set(to);
  if (!opts.keepScroll) window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => routeStore.set(location.pathname + location.search));

export function currentQuery(): URLSearchParams {
  return new URLSearchParams(routeStore.get().split('?')[1] ?? '');
}
