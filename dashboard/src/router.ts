// History-API routing: the path is the state, so every page can be reloaded and linked to.
import { createStore } from './store.js';

export const routeStore = createStore(location.pathname + location.search);

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  routeStore.set(to);
}

window.addEventListener('popstate', () => routeStore.set(location.pathname + location.search));

export function currentQuery(): URLSearchParams {
  return new URLSearchParams(routeStore.get().split('?')[1] ?? '');
}
