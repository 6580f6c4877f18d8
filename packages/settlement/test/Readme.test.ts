import { describe, expect, it, vi } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const packageDir = path.resolve(import.meta.dirname, "..")

describe("README", () => {
  it("shows the example of test/example.ts, verbatim", () => {
    const readme = fs.readFileSync(path.join(packageDir, "README.md"), "utf8")
    const example = fs.readFileSync(path.join(packageDir, "test/example.ts"), "utf8")
    expect(readme).toContain("```ts\n" + example + "```")
  })

  it("runs the example and prints what its comments say", async () => {
    const lines: Array<string> = []
    const log = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
      lines.push(args.join(" "))
    })
    const error = vi.spyOn(console, "error")
    try {
      await import("./example.ts")
    } finally {
      log.mockRestore()
    }
    expect(error).not.toHaveBeenCalled()
    expect(lines).toEqual([
      "trade date 2026-02-13, settles 2026-02-25",
      "TRANSFER_INITIATED due 2026-02-13",
      "IN_TRANSIT due 2026-02-24",
      "AT_CUSTODY due 2026-02-25",
      "SETTLED due 2026-02-25",
      "PENDING -> TRANSFER_INITIATED by system",
      "TRANSFER_INITIATED -> IN_TRANSIT by 0d9c8b7a-6f5e-4d3c-8b2a-190817161514",
      "overdue: AT_CUSTODY, SETTLED"
    ])
  })
})
