import { assert, describe, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"
import * as NodePath from "node:path"
import * as NodeVm from "node:vm"

const entry = NodePath.join(import.meta.dirname, "../src/index.ts")

/** The SDK bundled as a browser would load it: no Node built-ins can be resolved. */
const bundle = () =>
  esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    globalName: "NihaSdk",
    conditions: ["@niha/source"],
    target: "es2022",
    logLevel: "silent"
  })

/**
 * Only what a browser page has: web APIs, no `process`, `Buffer` or `require`. The binary
 * types are the test realm's own, as `fetch` (which lives there) makes its buffers of them.
 */
const browserGlobals = () => ({
  ArrayBuffer,
  Uint8Array,
  fetch,
  Request,
  Response,
  Headers,
  FormData,
  Blob,
  File,
  URL,
  URLSearchParams,
  TextEncoder,
  TextDecoder,
  AbortController,
  AbortSignal,
  ReadableStream,
  crypto: globalThis.crypto,
  console,
  setTimeout,
  clearTimeout,
  setInterval,
  clearInterval,
  queueMicrotask,
  structuredClone,
  performance
})

describe("the SDK in a browser", () => {
  it("bundles for the browser without any Node built-in", async () => {
    const result = await bundle()
    assert.deepStrictEqual(result.errors, [])
    const [output] = result.outputFiles
    assert.isDefined(output)
    assert.notMatch(output?.text ?? "", /require\(["']node:/)
  }, 60_000)

  it("calls a server from a context that has only the web platform's globals", async () => {
    const server = NodeHttp.createServer((request, response) => {
      response.setHeader("content-type", "application/json")
      response.setHeader("access-control-allow-origin", "*")
      response.end(request.url === "/health" ? JSON.stringify({ status: "ok" }) : "{}")
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const { port } = server.address() as NodeNet.AddressInfo
      const [output] = (await bundle()).outputFiles
      const context = NodeVm.createContext(browserGlobals())
      NodeVm.runInContext(`${output?.text ?? ""}\nglobalThis.NihaSdk = NihaSdk`, context)
      assert.isUndefined(NodeVm.runInContext("typeof process === 'undefined' ? undefined : 'process'", context))
      const health = await NodeVm.runInContext(
        `NihaSdk.PromiseClient.createClient({ baseUrl: "http://127.0.0.1:${port}" }).system.health()`,
        context
      )
      assert.deepStrictEqual(JSON.parse(JSON.stringify(health)), { status: "ok" })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  }, 60_000)
})
