import { defineConfig } from "tsup"

export default defineConfig({
  // The library, and the `niha` executable (the package's `bin`).
  entry: ["src/index.ts", "src/bin.ts"],
  format: ["esm"],
  target: "node22",
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true
})
