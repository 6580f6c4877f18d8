/**
 * The live market data stream with its sequence numbers checked: {@link follow} reads
 * `GET /markets/{market}/stream` through the {@link NihaClient} (`fetch`, its body parsed
 * as Server-Sent Events, so it runs in browsers and Node alike) and checks that every
 * update follows the one before it. The Promise client's `marketData.stream` applies the
 * same {@link check}.
 *
 * **Gaps are errors.** The first event is a `snapshot` (the depth and its `sequence`).
 * After it, each write comes as a `book` event whose `previous_sequence` must be the last
 * sequence held, followed by its `trade` events, whose `sequence` must be within that write
 * (after its `previous_sequence`, at most its `sequence`). Anything else means a write was
 * missed, and the book the client holds is wrong: the stream fails with {@link SequenceGap}. The caller resynchronises by following again (a new snapshot
 * comes first), or passes `resync: true` and {@link follow} does it: the stream goes on
 * with a new `snapshot` event, which replaces everything held before.
 *
 * A `snapshot` in the middle of the stream (the server resynchronising by itself) is
 * always in order: it resets what is held.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as MarketDataApi from "./MarketDataApi.ts"
import { NihaClient } from "./NihaClient.ts"

/**
 * A write was missed: the update that came does not follow the last sequence held.
 *
 * @category errors
 * @since 0.1.0
 */
export class SequenceGap extends Schema.TaggedError<SequenceGap>()("SequenceGap", {
  /** The market. */
  market: Enums.MarketType,
  /** The last sequence held; null when no snapshot came first. */
  held: Schema.NullOr(Schema.Int),
  /** The event that came: `book` or `trade`. */
  event: Schema.Literals(["book", "trade"]),
  /** Its `sequence`. */
  sequence: Schema.Int
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return this.held === null ?
      `the ${this.market} stream sent a ${this.event} event before its snapshot` :
      `the ${this.market} stream held sequence ${this.held} and sent a ${this.event} event at ${this.sequence}: ` +
      "a write was missed, read a new snapshot"
  }
}

/**
 * Checks one stream's events in order: returns a function that answers, for each event,
 * undefined when it is in order, or the {@link SequenceGap} it reveals.
 *
 * @category checking
 * @since 0.1.0
 */
export const check = (
  market: Enums.MarketType
): (event: MarketDataApi.StreamEvent) => SequenceGap | undefined => {
  let held: number | null = null
  // The sequence before the write that brought the stream to `held`; null after a snapshot.
  let heldFrom: number | null = null
  return (event) => {
    switch (event.event) {
      case "snapshot":
        held = event.data.sequence
        heldFrom = null
        return undefined
      case "book":
        if (held === null || event.data.previous_sequence !== held) {
          return new SequenceGap({ market, held, event: "book", sequence: event.data.sequence })
        }
        heldFrom = held
        held = event.data.sequence
        return undefined
      case "trade":
        return held !== null && heldFrom !== null && event.data.sequence > heldFrom && event.data.sequence <= held ?
          undefined :
          new SequenceGap({ market, held, event: "trade", sequence: event.data.sequence })
    }
  }
}

/**
 * The events of `events` as they come, failing with {@link SequenceGap} at the first
 * one out of order.
 *
 * @category checking
 * @since 0.1.0
 */
export const checked = <E, R>(
  market: Enums.MarketType,
  events: Stream.Stream<MarketDataApi.StreamEvent, E, R>
): Stream.Stream<MarketDataApi.StreamEvent, E | SequenceGap, R> =>
  Stream.suspend(() => {
    const next = check(market)
    return Stream.mapEffect(events, (event) => {
      const gap = next(event)
      return gap === undefined ? Effect.succeed(event) : Effect.fail(gap)
    })
  })

/**
 * How to follow a market.
 *
 * @category models
 * @since 0.1.0
 */
export interface FollowOptions {
  /** Levels per side in each snapshot; the server's default (50) unless given. */
  readonly levels?: number | undefined
  /**
   * On a gap, reconnect and go on from a new snapshot instead of failing with
   * {@link SequenceGap}; false unless given.
   */
  readonly resync?: boolean | undefined
}

/**
 * The checked events of one market's stream, from its first snapshot on.
 *
 * @category constructors
 * @since 0.1.0
 */
export const follow = (market: Enums.MarketType, options: FollowOptions = {}) => {
  const once = checked(
    market,
    Stream.unwrap(Effect.gen(function*() {
      const client = yield* NihaClient
      return yield* client.marketData.stream({
        params: { market },
        query: options.levels === undefined ? {} : { levels: options.levels }
      })
    }))
  )
  if (options.resync !== true) return once
  const resynchronising: typeof once = Stream.catchTag(once, "SequenceGap", () => resynchronising)
  return resynchronising
}
