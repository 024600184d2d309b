// The source of a worker thread written as one self-contained function in a TypeScript module. Evaluated from
// its own text, it runs the same from source (tsx) and from the compiled build without module resolution. The
// shim: esbuild (tsx) keeps function names by wrapping them in a __name helper that exists only in the module
// the function came from. Helpers (self-contained functions too, e.g. the protocol's canonical JSON) are handed
// to the worker's main function as one object, so the worker and the main thread run the very same code.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function workerSource<H extends Record<string, Function>>(main: (helpers: H) => void, helpers?: H): string {
  const h = Object.entries(helpers ?? {})
    .map(([name, f]) => `${JSON.stringify(name)}: (${f.toString()})`)
    .join(',\n');
  return `var __name = (f) => f;\n(${main.toString()})({${h}})`;
}
