// The source of a worker thread written as one self-contained function in a TypeScript module. Evaluated from
// its own text, it runs the same from source (tsx) and from the compiled build without module resolution. The
// shim: esbuild (tsx) keeps function names by wrapping them in a __name helper that exists only in the module
// the function came from.
export function workerSource(main: () => void): string {
  return `var __name = (f) => f;\n(${main.toString()})()`;
}
