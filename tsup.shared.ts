import type { Options } from "tsup"

/**
 * The one build configuration of the workspace: ESM for Node 22+, declarations and
 * source maps. Each package's `tsup.config.ts` names its entries and nothing else.
 *
 * esbuild's bundling already drops unused code; tsup's extra Rollup tree-shaking pass is
 * off because it rewrites `import ... with { type: "json" }` into the `assert` form that
 * Node 22 and later reject (settlement's holiday data is imported that way).
 */
export const options = (entry: ReadonlyArray<string> = ["src/index.ts"]): Options => ({
  entry: [...entry],
  format: ["esm"],
  target: "node22",
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: false
})
