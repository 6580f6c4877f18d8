import { defineConfig } from "tsup"
import { options } from "../../tsup.shared.ts"

export default defineConfig(options())
