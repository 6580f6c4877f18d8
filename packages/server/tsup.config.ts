import { defineConfig } from "tsup"
import { options } from "../../tsup.shared.ts"

// The library, and the `niha` executable (the package's `bin`).
export default defineConfig(options(["src/index.ts", "src/bin.ts"]))
