import { defineConfig } from "tsup"

export default defineConfig({
  // The library, and the command line (migrate, seed, verify, schema:snapshot) as a second entry.
  entry: ["src/index.ts", "src/bin.ts"],
  format: ["esm"],
  target: "node22",
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true
})
