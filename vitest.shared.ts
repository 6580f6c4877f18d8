import { defineConfig } from "vitest/config"

/**
 * The one vitest configuration of the workspace. Each package's `vitest.config.ts`
 * merges it, so every package tests the same way: TypeScript sources resolved through
 * the `@niha/source` export condition (no build needed), tests in `test/`.
 */
export default defineConfig({
  resolve: {
    conditions: ["@niha/source"]
  },
  ssr: {
    resolve: {
      conditions: ["@niha/source"]
    }
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { concurrent: false }
  }
})
