/**
 * A real headless Chromium for the browser suites, driven over the Chrome DevTools
 * Protocol (a WebSocket, no driver library): Debian's `chromium` at /usr/bin/chromium,
 * installed with apt when it is missing. Where it cannot be installed (no apt, not root,
 * no network to Debian's mirrors) {@link skipReason} says why, and the suites skip with it.
 */
import * as Context from "effect/Context"
import * as NodeChild from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

/** Where Debian installs Chromium. */
export const executablePath = "/usr/bin/chromium"

const run = (command: string, args: ReadonlyArray<string>) =>
  NodeChild.spawnSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    timeout: 15 * 60 * 1000
  })

/** Installs Debian's chromium with apt; undefined when it is there, else why it is not. */
const install = (): string | undefined => {
  if (NodeFs.existsSync(executablePath)) return undefined
  if (process.platform !== "linux") return `no ${executablePath}, and apt is Linux only`
  if (run("apt-get", ["--version"]).status !== 0) return `no ${executablePath}, and no apt-get to install it`
  if (process.getuid?.() !== 0) return `no ${executablePath}, and apt-get needs root to install it`
  console.log(`Chromium: installing Debian's chromium with apt-get (once per machine) ...`)
  const lockWait = ["-o", "DPkg::Lock::Timeout=600"]
  const attempt = () => run("apt-get", [...lockWait, "install", "-y", "--no-install-recommends", "chromium"])
  let result = attempt()
  if (result.status !== 0) {
    // A fresh machine has no package lists yet.
    run("apt-get", [...lockWait, "update"])
    result = attempt()
  }
  if (result.status !== 0 || !NodeFs.existsSync(executablePath)) {
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").slice(-3).join(" | ")
    return `apt-get install chromium failed: ${output || result.error?.message || `status ${result.status}`}`
  }
  return undefined
}

/** Why the browser suites skip here, or undefined when Chromium is there. Printed when set. */
export const skipReason: string | undefined = process.env["NIHA_TEST_BROWSER"] === "skip" ?
  "NIHA_TEST_BROWSER=skip" :
  install()
if (skipReason !== undefined) console.log(`Chromium suites skipped: ${skipReason}`)

/** One page of a running Chromium. */
export interface Page {
  /** Opens `url` and waits until `ready` (an expression) is true. */
  readonly open: (url: string, ready: string) => Promise<void>
  /** Evaluates an expression in the page (awaiting a promise) and returns its value as JSON. */
  readonly evaluate: <A = unknown>(expression: string) => Promise<A>
}

/** A running Chromium. */
export interface Browser {
  /** The browser's version line, e.g. "Chrome/131.0.6778.85". */
  readonly version: string
  /** A new page (tab). */
  readonly page: () => Promise<Page>
  /** Stops the browser and removes its profile. */
  readonly close: () => Promise<void>
}

/** A running Chromium as a service, for `layer(...)` suites. */
export class Running extends Context.Service<Running, Browser>()("@niha/server/test/Chromium") {}

interface Pending {
  readonly resolve: (value: Record<string, unknown>) => void
  readonly reject: (error: Error) => void
}

/** Starts headless Chromium with a fresh profile and connects to it. */
export const launch = async (): Promise<Browser> => {
  const profile = await NodeFs.promises.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-chromium-"))
  const child = NodeChild.spawn(executablePath, [
    "--headless=new",
    // Root (as in CI containers) cannot use Chromium's sandbox.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-port=0",
    `--user-data-dir=${profile}`,
    "about:blank"
  ], { stdio: ["ignore", "ignore", "pipe"] })
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${output}`)), 30_000)
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
      const found = /DevTools listening on (ws:\/\/\S+)/u.exec(output)
      if (found?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(found[1])
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`Chromium exited with ${code}: ${output}`))
    })
  })
  const socket = new WebSocket(endpoint)
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true })
    socket.addEventListener("error", () => reject(new Error(`no DevTools connection at ${endpoint}`)), { once: true })
  })
  let nextId = 0
  const pending = new Map<number, Pending>()
  socket.addEventListener("message", (message: MessageEvent) => {
    const reply = JSON.parse(String(message.data)) as {
      id?: number
      result?: Record<string, unknown>
      error?: { message: string }
    }
    const waiting = reply.id === undefined ? undefined : pending.get(reply.id)
    if (waiting === undefined || reply.id === undefined) return
    pending.delete(reply.id)
    if (reply.error !== undefined) waiting.reject(new Error(reply.error.message))
    else waiting.resolve(reply.result ?? {})
  })
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId
      pending.set(id, { resolve, reject })
      socket.send(JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) }))
    })
  const version = String((await send("Browser.getVersion"))["product"])

  const page = async (): Promise<Page> => {
    const { targetId } = await send("Target.createTarget", { url: "about:blank" })
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true })
    const session = String(sessionId)
    const evaluate = async <A>(expression: string): Promise<A> => {
      const reply = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, session)
      const thrown = reply["exceptionDetails"] as { exception?: { description?: string }; text?: string } | undefined
      if (thrown !== undefined) throw new Error(`in the page: ${thrown.exception?.description ?? thrown.text}`)
      return (reply["result"] as { value: A }).value
    }
    const open = async (url: string, ready: string) => {
      await send("Page.navigate", { url }, session)
      for (let attempt = 0; attempt < 300; attempt++) {
        if (await evaluate<boolean>(`document.readyState === "complete" && (${ready})`).catch(() => false)) return
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`the page at ${url} never became ready (${ready})`)
    }
    return { open, evaluate }
  }

  const close = async () => {
    socket.close()
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await exited
    }
    await NodeFs.promises.rm(profile, { recursive: true, force: true })
  }
  return { version, page, close }
}
