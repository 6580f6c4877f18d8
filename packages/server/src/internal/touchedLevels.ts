/**
 * The price levels one write of a market changed, so market data can send each of them as
 * it stands after the write (an L2 update) instead of the whole book. The engine's events
 * name the price of every level they change, except an amendment's old price, which is
 * read from the book before the amendment is applied.
 */
import type { Enums } from "@niha/domain"
import type { Command, Event } from "@niha/matching"
import { OrderBook } from "@niha/matching"
import type { Levels } from "../services/MarketWriter.ts"

/** The prices touched on each side. */
export interface Touched {
  readonly BUY: Set<number>
  readonly SELL: Set<number>
}

/** Nothing touched yet. */
export const make = (): Touched => ({ BUY: new Set(), SELL: new Set() })

const opposite = (side: Enums.OrderSide): Enums.OrderSide => side === "BUY" ? "SELL" : "BUY"

/** Notes the level an amendment takes its order from: no event names the old price. */
export const before = (touched: Touched, book: OrderBook.OrderBook, command: Command.Command): void => {
  if (command._tag !== "Amend") return
  const order = OrderBook.findOrder(book, command.orderId)
  if (order !== null) touched[order.side].add(order.price)
}

/** Notes the levels an accepted command's events changed. */
export const after = (touched: Touched, events: ReadonlyArray<Event.Event>): void => {
  for (const event of events) {
    switch (event._tag) {
      case "Trade":
        // The maker rests on the side the aggressor is not.
        touched[opposite(event.aggressor)].add(event.price)
        break
      case "OrderRested":
      case "OrderAmended":
        touched[event.side].add(event.price)
        break
      case "OrderCancelled":
        if (event.price !== null) touched[event.side].add(event.price)
        break
      case "SelfTradeDecremented":
        // The event does not say which side the maker rests on; an untouched level reads as it is.
        touched.BUY.add(event.price)
        touched.SELL.add(event.price)
        break
      default:
        break
    }
  }
}

/** The touched levels of `book` as they stand now, best first on each side. */
export const changes = (touched: Touched, book: OrderBook.OrderBook): Levels => ({
  bids: [...touched.BUY].sort((a, b) => b - a).map((price) => OrderBook.levelAt(book, "BUY", price)),
  asks: [...touched.SELL].sort((a, b) => a - b).map((price) => OrderBook.levelAt(book, "SELL", price))
})
