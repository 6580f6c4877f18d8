import { defineConfig } from "tsup"
import { options } from "../../tsup.shared.ts"

// The library, and the command line (migrate, seed, verify, schema:snapshot) as a second entry.
export default defineConfig(options(["src/index.ts", "src/bin.ts"]))
