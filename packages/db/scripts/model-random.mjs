// Runs the ledger's model test (test/LedgerModel.test.ts) with a random seed, longer than
// CI does: the seed is printed first, so a failure replays with
// NIHA_LEDGER_SEED=<seed> pnpm vitest run test/LedgerModel.test.ts.
// NIHA_LEDGER_RUNS (default 60) and NIHA_LEDGER_STEPS (default 80) set the length.
import { spawnSync } from "node:child_process"

const seed = process.env.NIHA_LEDGER_SEED ?? String(Math.floor(Math.random() * 2_147_483_647))
console.log(`ledger model: random seed ${seed} (replay with NIHA_LEDGER_SEED=${seed})`)
const result = spawnSync("vitest", ["run", "test/LedgerModel.test.ts"], {
  stdio: "inherit",
  env: {
    ...process.env,
    NIHA_LEDGER_SEED: seed,
    NIHA_LEDGER_RUNS: process.env.NIHA_LEDGER_RUNS ?? "60",
    NIHA_LEDGER_STEPS: process.env.NIHA_LEDGER_STEPS ?? "80"
  }
})
if (result.error !== undefined) console.error(result.error)
console.log(`ledger model: seed ${seed} ${result.status === 0 ? "passed" : "FAILED"}`)
process.exitCode = result.status ?? 1
