/**
 * The SDK in a real headless Chromium against a started server: the SDK is bundled for
 * the browser platform from its sources (`browser/entry.ts`), served by the test server
 * beside the API (one origin), and loaded in a page. The page reads the markets and a
 * book with the Promise client, then follows the market's stream twice at once, with the
 * Promise client's async iterator and with `MarketStream.follow` on the Effect client;
 * orders placed from here after both have their snapshot reach both, in sequence order.
 * Debian's chromium is installed with apt when missing (`support/Chromium.ts`); where it
 * cannot be, the suite is skipped with the reason in its title.
 */
import { assert, describe, layer } from "@effect/vitest"
import type { MarketDataApi } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as esbuild from "esbuild"
import * as NodePath from "node:path"
import type * as BrowserApi from "./browser/entry.ts"
import * as Chromium from "./support/Chromium.ts"
import { call } from "./support/Clients.ts"
import { limitOrder } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "240 seconds" } as const

/** The page's script: the SDK and the suite's functions, bundled as a browser loads them. */
const bundle = async () => {
  const result = await esbuild.build({
    entryPoints: [NodePath.join(import.meta.dirname, "browser/entry.ts")],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    conditions: ["@niha/source"],
    target: "es2022",
    logLevel: "silent"
  })
  const [output] = result.outputFiles
  if (output === undefined) throw new Error("esbuild wrote nothing")
  return output.text
}

const pages = { html: "/__test/browser.html", script: "/__test/browser.js" } as const

/** The page and its script, served by the test server beside the API. */
const pageRoutes = Layer.unwrap(Effect.map(Effect.promise(bundle), (script) =>
  Layer.mergeAll(
    HttpRouter.add(
      "GET",
      pages.html,
      HttpServerResponse.html(`<!doctype html><title>NIHA SDK</title><script src="${pages.script}"></script>`)
    ),
    HttpRouter.add("GET", pages.script, HttpServerResponse.text(script, { contentType: "text/javascript" }))
  )))

const browser = Layer.effect(
  Chromium.Running,
  Effect.acquireRelease(Effect.promise(Chromium.launch), (running) => Effect.promise(running.close))
)

type Followed = BrowserApi.Api["promiseStream"]

const suite = `the SDK in headless Chromium against a started server [${TestServer.quickBackend}]` +
  (Chromium.skipReason === undefined ? "" : ` (skipped: ${Chromium.skipReason})`)

describe.skipIf(Chromium.skipReason !== undefined || TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
  suite,
  () => {
    layer(Layer.merge(TestServer.layer(TestServer.quickBackend, { routes: pageRoutes }), browser), live)((it) => {
      it.effect("reads markets and a book, and follows the stream with both clients", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const chromium = yield* Chromium.Running
          const page = yield* Effect.promise(chromium.page)
          yield* Effect.promise(() => page.open(`${server.baseUrl}${pages.html}`, "typeof nihaTest === 'object'"))
          const agent = yield* Effect.promise(() => page.evaluate<string>("navigator.userAgent"))
          assert.include(agent, "HeadlessChrome")
          // A page has no Node: the bundle runs on the web platform alone.
          assert.strictEqual(yield* Effect.promise(() => page.evaluate<string>("typeof process")), "undefined")

          const base = JSON.stringify(server.baseUrl)
          const read = yield* Effect.promise(() =>
            page.evaluate<{ markets: Array<string>; book: MarketDataApi.Depth; volume: string; refused: string }>(
              `nihaTest.read(${base}, "CEA_CASH")`
            )
          )
          assert.deepStrictEqual(read, {
            markets: ["CEA_CASH", "SWAP"],
            book: { market: "CEA_CASH", sequence: -1, bids: [], asks: [] },
            volume: "0",
            refused: "validation_failed"
          })

          const followed = () =>
            page.evaluate<{ promise: Followed; effect: Followed }>(
              "({ promise: nihaTest.promiseStream, effect: nihaTest.effectStream })"
            )
          /** Waits until both streams in the page hold `count` events. */
          const until = (count: number) =>
            Effect.promise(async () => {
              for (let attempt = 0; attempt < 400; attempt++) {
                const seen = await followed()
                if (seen.promise.errors.length + seen.effect.errors.length > 0) {
                  throw new Error(`a stream failed in the page: ${JSON.stringify(seen)}`)
                }
                if (seen.promise.events.length >= count && seen.effect.events.length >= count) return seen
                await new Promise((resolve) => setTimeout(resolve, 50))
              }
              throw new Error(`the page did not receive ${count} events: ${JSON.stringify(await followed())}`)
            })

          yield* Effect.promise(() => page.evaluate(`nihaTest.followWithPromises(${base}, "CEA_CASH")`))
          yield* Effect.promise(() => page.evaluate(`nihaTest.followWithEffect(${base}, "CEA_CASH")`))
          const opened = yield* until(1)
          assert.deepStrictEqual(opened.promise.events, [
            { event: "snapshot", data: { market: "CEA_CASH", sequence: -1, bids: [], asks: [] } }
          ])

          const buyer = yield* tradingCompany(server, "bri@buyer.example", "Browser Buyer SA", 1_000_000)
          const seller = yield* tradingCompany(server, "sol@seller.example", "Browser Seller Ltd", 1)
          yield* call(() =>
            buyer.admin.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "500", reason: "delivered to the registry account" }
            })
          )
          yield* call(() => seller.client.orders.placeOrder({ payload: limitOrder("SELL", "40", "12.00") }))
          yield* call(() => buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "15", "12.00") }))

          const seen = yield* until(4)
          assert.deepStrictEqual(seen.effect.events, seen.promise.events)
          assert.deepStrictEqual(
            seen.promise.events.map((event) => [event.event, event.data.sequence]),
            [["snapshot", -1], ["book", 0], ["book", 1], ["trade", 1]]
          )
          assert.deepStrictEqual(seen.promise.events[2]?.data, {
            market: "CEA_CASH",
            previous_sequence: 0,
            sequence: 1,
            bids: [],
            asks: [{ price: "12.00", quantity: "25", orders: 1 }]
          })
          const trade = seen.promise.events[3]
          assert.deepInclude(trade?.data, { price: "12.00", quantity: "15", aggressor: "BUY" })
          assert.notInclude(JSON.stringify(seen), buyer.entityId)
        }))
    })
  }
)
