/**
 * Real `niha` processes for the suites that kill or restart a server: spawned with the
 * repository's Node on the source (`--conditions=@niha/source`), their output kept.
 */
import * as Effect from "effect/Effect"
import * as NodeChildProcess from "node:child_process"
import * as NodePath from "node:path"

const bin = NodePath.resolve(import.meta.dirname, "../../src/bin.ts")

/** A spawned `niha` process and what it printed. */
export interface Child {
  readonly process: NodeChildProcess.ChildProcess
  readonly stdout: Array<string>
  readonly stderr: Array<string>
  readonly exited: Promise<number | null>
}

/** Spawns `niha <args>` with the environment plus `env` (DATABASE_URL cleared unless given). */
export const spawn = (args: ReadonlyArray<string>, env: Record<string, string>): Child => {
  const child = NodeChildProcess.spawn(process.execPath, ["--conditions=@niha/source", bin, ...args], {
    env: { ...process.env, DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { process: child, stdout, stderr, exited }
}

/** The API URL a `niha start` printed, once it serves. */
export const waitForApiUrl = (child: Child) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 1200; attempt++) {
      const url = /API\s+(http:\/\/\S+)/.exec(child.stderr.join(""))?.[1]
      if (url !== undefined) return url
      if (child.process.exitCode !== null) break
      yield* Effect.sleep("100 millis")
    }
    return yield* Effect.die(new Error(`niha start printed no URL:\n${child.stderr.join("")}${child.stdout.join("")}`))
  })
