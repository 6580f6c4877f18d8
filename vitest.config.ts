import { defineConfig } from "vitest/config"

/** Runs every package's tests from the root: `pnpm vitest`. */
export default defineConfig({
  test: {
    projects: ["packages/*"]
  }
})
