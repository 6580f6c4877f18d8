import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node22",
  dts: true,
  sourcemap: true,
  clean: true,
  // esbuild's own bundling drops unused code already. tsup's extra Rollup tree-shaking pass
  // would rewrite the holiday data's `import ... with { type: "json" }` as the `assert`
  // form, which Node 22 and later reject.
  treeshake: false
})
