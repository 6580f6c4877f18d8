import { defineConfig, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// The test files share no mutable module state (each builds its own books), so they run in
// one module graph: importing effect once instead of once per file halves the suite's time.
export default mergeConfig(shared, defineConfig({ test: { isolate: false } }))
