/**
 * The one writer of each market: the in-memory order book of a market is a cache of the
 * database, and every command that changes it runs here, one at a time per market, in
 * the transaction that stores it with its effects.
 *
 * How one market stays single-writer across any number of server instances:
 *
 * 1. In the instance, commands of a market queue on its semaphore.
 * 2. In the database, the transaction of a command first takes the market's advisory lock
 *    (`pg_advisory_xact_lock`), so two instances never write one market at once.
 * 3. Holding it, the writer brings its book up to the database: it applies the stored
 *    commands (`market_commands`) after its own last sequence, which another instance
 *    may have written meanwhile (the engine is deterministic, so the book becomes the
 *    writer's that stored them). A book that has applied a command whose transaction did
 *    not commit is rebuilt first, from the last snapshot (`market_snapshots`, checked
 *    against its hash) plus the commands after it.
 * 4. The command is applied, stored with the next sequence, and its effects written
 *    (by the caller) in the same transaction; a snapshot is stored every
 *    {@link Options.snapshotEvery} commands.
 *
 * With `Options.peers` (several instances on one PostgreSQL), each committed write notifies
 * the others (`NOTIFY niha_market`, delivered at commit), and each brings its book up to the
 * database at once; every catch-up publishes the commands it applied, so the market data
 * streams of every instance follow every write in sequence.
 *
 * This is the server README's "every instance is a writer, one at a time" design: there
 * is no leader to elect and nothing to take over when an instance dies (its lock ends
 * with its connection, and the next writer catches up from the database), at the cost of
 * an instance replaying the commands another one stored. PGlite (one connection) runs the
 * same code.
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Transaction } from "@niha/db"
import { Enums } from "@niha/domain"
import { Command, type Event, Instrument, OrderBook, Snapshot } from "@niha/matching"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type * as Statement from "effect/sql/Statement"
import * as Stream from "effect/Stream"
import * as NodeCrypto from "node:crypto"
import { columns } from "../internal/columns.ts"
import * as touchedLevels from "../internal/touchedLevels.ts"

/**
 * A book that differs from the database it caches: a stored command the engine refuses on
 * replay, or a snapshot whose hash is not its book's. Either is a defect (the engine is
 * deterministic and the commands are written by this module), so it ends the request.
 *
 * @category errors
 * @since 0.1.0
 */
export class BookOutOfSync extends Schema.TaggedError<BookOutOfSync>()("BookOutOfSync", {
  /** The market. */
  market: Enums.MarketType,
  /** What differs. */
  reason: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `the ${this.market} book differs from the database: ${this.reason}`
  }
}

/**
 * How the writer is configured.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The key of the anonymous counterparty codes (the same on every instance). */
  readonly anonymitySecret: string
  /** A snapshot is stored every this many commands of a market; 1000 unless given. */
  readonly snapshotEvery?: number | undefined
  /** The most commands of a market committed in one transaction; 64 unless given. */
  readonly maxBatch?: number | undefined
  /**
   * Whether other instances may write the same database (PostgreSQL): each write then
   * notifies them (`NOTIFY niha_market`) and this instance listens, so its streams follow
   * their writes. Off unless given; the embedded database has one instance and one
   * connection, which a listener would hold.
   */
  readonly peers?: boolean | undefined
}

/**
 * The command being written, as the writer gives it to its caller.
 *
 * @category models
 * @since 0.1.0
 */
export interface Writer {
  /** The market. */
  readonly market: Enums.MarketType
  /** The sequence the next command must carry. */
  readonly nextSequence: () => number
  /**
   * Applies a command to the book and returns its events. An accepted command must then
   * be stored with {@link Writer.store} in the same transaction; a rejected one changes
   * nothing and is not stored.
   */
  readonly apply: (command: Command.Command) => ReadonlyArray<Event.Event>
  /** Stores an accepted command with its sequence (and the order it concerns). */
  readonly store: (command: Command.Command, orderId: string | null) => Effect.Effect<void, SqlError>
  /**
   * Stores several accepted commands, in sequence order, in one statement (a batch's);
   * the commands must follow one another from the book's last stored sequence.
   */
  readonly storeAll: (
    commands: ReadonlyArray<{ readonly command: Command.Command; readonly orderId: string | null }>
  ) => Effect.Effect<void, SqlError>
  /**
   * {@link Writer.storeAll} inside the caller's statement: `write` is given the insert of
   * the commands, to run as part of one statement with the commands' effects (a `WITH`).
   */
  readonly storeAllWithin: <A>(
    commands: ReadonlyArray<{ readonly command: Command.Command; readonly orderId: string | null }>,
    write: (insert: Statement.Fragment) => Effect.Effect<A, SqlError>
  ) => Effect.Effect<A, SqlError>
  /** The book, for pure reads (a quote, an order's place). */
  readonly book: OrderBook.OrderBook
}

/**
 * What one committed write did to a market's book: the engine's events of its accepted
 * commands, the market sequence before and after them, and what market data shows of
 * them (the levels they changed, their trades with anonymous codes), read off the book
 * as it stands right after the write. Published after the commit, in sequence order, to
 * the subscribers of {@link MarketWriter}'s `updates` in this instance.
 *
 * @category models
 * @since 0.1.0
 */
export interface Update {
  /** The market. */
  readonly market: Enums.MarketType
  /**
   * The last stored sequence before the write: a subscriber that has seen it has missed
   * nothing (another instance, or a subscriber too slow for the buffer, leaves a gap).
   */
  readonly previousSequence: number
  /** The last stored sequence after the write. */
  readonly sequence: number
  /** The events of the write's accepted commands, in order. */
  readonly events: ReadonlyArray<Event.Event>
  /** The price levels the write changed, as they stand after it (quantity 0: empty now). */
  readonly levels: Levels
  /** The write's trades as the public sees them, in order. */
  readonly trades: ReadonlyArray<PublicTrade>
}

/**
 * The price levels of a book one write changed, as they stand after it; a level with
 * quantity 0 is empty now.
 *
 * @category models
 * @since 0.1.0
 */
export interface Levels {
  /** Bid levels, highest first. */
  readonly bids: ReadonlyArray<OrderBook.Level>
  /** Ask levels, lowest first. */
  readonly asks: ReadonlyArray<OrderBook.Level>
}

/**
 * A trade as the public sees it (counterparties by code), with the sequence of the command
 * that made it.
 *
 * @category models
 * @since 0.1.0
 */
export interface PublicTrade extends OrderBook.PublicTrade {
  /** The sequence of the command that made it. */
  readonly sequence: number
}

/**
 * Commands of one kind that the writer runs together: consecutive queued commands of one
 * group are given to {@link Group.run} at once, which answers each one's exit in order
 * (a refused command fails alone) and writes the effects of all of them set-based. It
 * fails as a whole only when the database does or on a defect; then the batch is run again
 * one command per transaction, as with any failed batch.
 *
 * @category models
 * @since 0.1.0
 */
export interface Group<I, A, E> {
  /** Runs the items in order as the market's writer, inside its transaction. */
  readonly run: (writer: Writer, items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<Exit.Exit<A, E>>, SqlError>
}

/**
 * The writer's own metrics (served at `GET /metrics`): its batches, the commands in them,
 * and the wall time it spent running them, by market. Busy seconds over elapsed seconds is
 * how saturated the writer is; commands over batches is the mean batch size.
 *
 * @category metrics
 * @since 0.1.0
 */
export const metrics = {
  /** Batches (transactions) the writer ran, retries one command at a time included. */
  batches: Metric.counter("niha_writer_batches_total", {
    description: "Batches (transactions) run by the market writers of this instance, by market.",
    incremental: true
  }),
  /** Commands (queued jobs) in those batches. */
  jobs: Metric.counter("niha_writer_batch_jobs_total", {
    description: "Commands run in the market writers' batches, by market.",
    incremental: true
  }),
  /** Wall time the writer spent running batches, in seconds. */
  busy: Metric.counter("niha_writer_busy_seconds_total", {
    description: "Wall time the market writers of this instance spent running batches, in seconds, by market.",
    incremental: true
  })
}

/** A command queued for the market's writer, with its caller's context already provided. */
type Job =
  | {
    readonly _tag: "One"
    readonly run: (writer: Writer) => Effect.Effect<unknown, unknown>
    readonly done: Deferred.Deferred<unknown, unknown>
  }
  | {
    readonly _tag: "Grouped"
    /** The group (its identity joins consecutive jobs). */
    readonly group: object
    readonly item: unknown
    /** Runs the group on the items of consecutive jobs of the same group. */
    readonly runAll: (
      writer: Writer,
      items: ReadonlyArray<unknown>
    ) => Effect.Effect<ReadonlyArray<Exit.Exit<unknown, unknown>>, SqlError>
    readonly done: Deferred.Deferred<unknown, unknown>
  }

interface MarketState {
  readonly market: Enums.MarketType
  readonly semaphore: Semaphore.Semaphore
  readonly queue: Queue.Queue<Job>
  book: OrderBook.OrderBook | undefined
  /** The last stored sequence the book has applied. */
  sequence: number
  /** The sequence of the last stored snapshot. */
  snapshotSequence: number
  /** The book applied a command whose transaction has not (yet) committed. */
  dirty: boolean
}

// Advisory locks are keyed by two integers: a constant for this use, and the market.
const lockClass = 0x4e494841 // "NIHA"
const channel = "niha_market"
const marketKey = (market: Enums.MarketType) => Enums.MarketType.literals.indexOf(market)

const decodeCommand = Command.decodeUnknown
const encodeSnapshot = Snapshot.toJson
const decodeSnapshot = Snapshot.fromJson

/**
 * The hash of a book: hex SHA-256 of its snapshot's JSON. Two books with equal hashes
 * hold the same orders in the same priority, at the same sequence.
 *
 * @category hashing
 * @since 0.1.0
 */
export const hashOf = (book: OrderBook.OrderBook): string => {
  const json = Result.getOrThrow(encodeSnapshot(OrderBook.snapshot(book)))
  return NodeCrypto.createHash("sha256").update(json, "utf8").digest("hex")
}

/**
 * Builds the writer on the `SqlClient` in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const snapshotEvery = Math.max(1, options.snapshotEvery ?? 1000)
    const maxBatch = Math.max(1, options.maxBatch ?? 64)
    const peers = options.peers ?? false
    const configOf = (market: Enums.MarketType): OrderBook.Config => ({
      instrument: Instrument.forMarket(market),
      anonymitySecret: options.anonymitySecret
    })
    const empty = (market: Enums.MarketType) =>
      Effect.map(Effect.all([Semaphore.make(1), Queue.unbounded<Job>()]), ([semaphore, queue]): MarketState => ({
        market,
        semaphore,
        queue,
        book: undefined,
        sequence: -1,
        snapshotSequence: -1,
        dirty: false
      }))
    const states: { readonly [M in Enums.MarketType]: MarketState } = {
      CEA_CASH: yield* empty("CEA_CASH"),
      SWAP: yield* empty("SWAP")
    }
    const stateOf = (market: Enums.MarketType): MarketState => states[market]
    // Slow subscribers lose the oldest updates rather than slow the writer; an update
    // carries its sequence, so a subscriber sees the gap and reads a fresh snapshot.
    const published = yield* PubSub.sliding<Update>(4096)
    const updateOf = (
      market: Enums.MarketType,
      previousSequence: number,
      sequence: number,
      events: ReadonlyArray<Event.Event>,
      levels: touchedLevels.Touched,
      book: OrderBook.OrderBook
    ): Update => ({
      market,
      previousSequence,
      sequence,
      events,
      levels: touchedLevels.changes(levels, book),
      trades: events.flatMap((event) =>
        event._tag === "Trade" ? [{ ...OrderBook.publicTrade(book, event), sequence: event.seq }] : []
      )
    })
    const outOfSync = (market: Enums.MarketType, reason: string) => Effect.die(new BookOutOfSync({ market, reason }))

    /** Applies the stored commands after the book's sequence. */
    const catchUp = (state: MarketState, book: OrderBook.OrderBook, publish: boolean) =>
      Effect.gen(function*() {
        const rows = yield* sql<{ sequence: string; command: unknown }>`
          SELECT sequence::text AS sequence, command FROM market_commands
          WHERE market = ${state.market} AND market_commands.sequence > ${state.sequence}
          ORDER BY market_commands.sequence`
        const previous = state.sequence
        const levels = touchedLevels.make()
        const applied: Array<Event.Event> = []
        for (const row of rows) {
          const command = decodeCommand(row.command)
          if (Result.isFailure(command)) {
            return yield* outOfSync(state.market, `stored command ${row.sequence} does not decode`)
          }
          touchedLevels.before(levels, book, command.success)
          const events = OrderBook.apply(book, command.success)
          const first = events[0]
          if (first !== undefined && first._tag === "CommandRejected") {
            return yield* outOfSync(
              state.market,
              `stored command ${row.sequence} is refused on replay: ${first.reason} (caught up to ${state.sequence})`
            )
          }
          touchedLevels.after(levels, events)
          applied.push(...events)
          state.sequence = Number(row.sequence)
        }
        // Commands another instance committed: this instance's streams follow them too.
        if (publish && applied.length > 0) {
          yield* PubSub.publish(published, updateOf(state.market, previous, state.sequence, applied, levels, book))
        }
      })

    /** A book from the last snapshot (checked against its hash) plus the commands after it. */
    const rebuild = (state: MarketState) =>
      Effect.gen(function*() {
        state.book = undefined
        const [stored] = yield* sql<{ sequence: string; book_hash: string; snapshot: unknown }>`
          SELECT sequence::text AS sequence, book_hash, snapshot FROM market_snapshots
          WHERE market = ${state.market} ORDER BY market_snapshots.sequence DESC LIMIT 1`
        let book = OrderBook.make(configOf(state.market))
        state.sequence = -1
        state.snapshotSequence = -1
        if (stored !== undefined) {
          const snapshot = decodeSnapshot(JSON.stringify(stored.snapshot))
          if (Result.isFailure(snapshot)) return yield* outOfSync(state.market, "the stored snapshot does not decode")
          const restored = OrderBook.restore(configOf(state.market), snapshot.success)
          if (Result.isFailure(restored)) return yield* outOfSync(state.market, restored.failure.message)
          if (hashOf(restored.success) !== stored.book_hash) {
            return yield* outOfSync(state.market, `the snapshot at ${stored.sequence} does not match its hash`)
          }
          book = restored.success
          state.sequence = Number(stored.sequence)
          state.snapshotSequence = state.sequence
        }
        yield* catchUp(state, book, false)
        state.book = book
        state.dirty = false
        return book
      })

    const current = (state: MarketState) =>
      state.book === undefined || state.dirty ?
        rebuild(state) :
        Effect.as(catchUp(state, state.book, true), state.book)

    const storeSnapshot = (state: MarketState, book: OrderBook.OrderBook) =>
      Effect.gen(function*() {
        const snapshot = OrderBook.snapshot(book)
        const json = Result.getOrThrow(encodeSnapshot(snapshot))
        yield* sql`
          INSERT INTO market_snapshots (market, sequence, book_hash, snapshot)
          VALUES (${state.market}, ${state.sequence}, ${hashOf(book)}, ${json}::jsonb)
          ON CONFLICT DO NOTHING`
        state.snapshotSequence = state.sequence
      })

    /**
     * Runs `f` as the market's writer, in one transaction: see the module's documentation.
     * It is not interrupted once started (a client that goes away does not abort an order
     * in flight); a failure rolls the transaction back and the book is rebuilt before the
     * market's next command.
     */
    /**
     * Runs one batch of jobs as the market's writer, in one transaction (see the module's
     * documentation); each job in a savepoint of its own, so a job that fails before it
     * touched the book (a refused lock, a refused transition) rolls back alone and the
     * others commit. A job that fails after it applied a command fails the batch: the
     * transaction rolls back and the book is rebuilt. Answers every job's exit, in order.
     */
    const runBatch = (state: MarketState, jobs: ReadonlyArray<Job>) => {
      const market = state.market
      // The events of the batch's accepted commands and the levels they touched, and the
      // sequence before it (of its last attempt, when retried).
      let accepted: Array<Event.Event> = []
      let levels = touchedLevels.make()
      let previous = state.sequence
      const attempt = Effect.gen(function*() {
        yield* sql`SELECT pg_advisory_xact_lock(${lockClass}, ${marketKey(market)})`
        const book = yield* current(state)
        let next = state.sequence + 1
        // The last sequence a statement of this batch already notified the peers of.
        let notified = -1
        // Whether the job being run applied a command to the book.
        let jobTouched = false
        accepted = []
        levels = touchedLevels.make()
        previous = state.sequence
        const storeAllWithin = <A>(
          commands: ReadonlyArray<{ readonly command: Command.Command; readonly orderId: string | null }>,
          write: (insert: Statement.Fragment) => Effect.Effect<A, SqlError>
        ) =>
          Effect.gen(function*() {
            const last = commands.at(-1)
            // With peers, the insert notifies them itself (delivered at commit; one
            // notification however many rows, the payload being the same), which saves
            // the batch a statement of its own for it.
            const notify = peers && last !== undefined ?
              sql`RETURNING pg_notify(${channel}, ${`${market}:${last.command.seq}`})` :
              sql``
            // Columns as arrays: the statement's text is the same for any number of commands,
            // so it is prepared once and not planned again for every batch size.
            const c = yield* columns({
              sequence: commands.map(({ command }) => String(command.seq)),
              command: commands.map(({ command }) => JSON.stringify(command)),
              order: commands.map(({ orderId }) => orderId)
            })
            const insert = commands.length === 0 ? sql`SELECT 1 WHERE FALSE` : sql`
              INSERT INTO market_commands (market, sequence, command, order_id)
              SELECT ${market}, stored.sequence, stored.command, stored.order_id
              FROM unnest(${c.sequence}::bigint[], ${c.command}::jsonb[], ${c.order}::uuid[])
                AS stored(sequence, command, order_id)
              ORDER BY stored.sequence ${notify}`
            const written = yield* write(insert)
            if (last !== undefined) {
              state.sequence = last.command.seq
              next = last.command.seq + 1
              if (peers) {
                notified = last.command.seq
              }
            }
            return written
          })
        const writer: Writer = {
          market,
          book,
          nextSequence: () => next,
          apply: (command) => {
            // Marked before the engine runs: one that throws half-way (a broken invariant)
            // leaves a book to rebuild and fails the batch, as an applied command does.
            const wasDirty = state.dirty
            const wasTouched = jobTouched
            state.dirty = true
            jobTouched = true
            touchedLevels.before(levels, book, command)
            const events = OrderBook.apply(book, command)
            const first = events[0]
            if (first !== undefined && first._tag === "CommandRejected") {
              // A refusal changed nothing.
              state.dirty = wasDirty
              jobTouched = wasTouched
            } else {
              next = command.seq + 1
              accepted.push(...events)
              touchedLevels.after(levels, events)
            }
            return events
          },
          store: (command, orderId) =>
            Effect.gen(function*() {
              yield* sql`
                INSERT INTO market_commands (market, sequence, command, order_id)
                VALUES (${market}, ${command.seq}, ${JSON.stringify(command)}::jsonb, ${orderId})`
              state.sequence = command.seq
              next = command.seq + 1
            }),
          storeAll: (commands) => storeAllWithin(commands, (insert) => Effect.asVoid(sql`${insert}`)),
          storeAllWithin
        }
        const exits: Array<Exit.Exit<unknown, unknown>> = []
        let index = 0
        while (index < jobs.length) {
          const job = jobs[index]
          if (job === undefined) break
          jobTouched = false
          if (job._tag === "One") {
            const exit = yield* Effect.exit(Transaction.run(job.run(writer)))
            if (Exit.isFailure(exit) && jobTouched) return yield* Effect.failCause(exit.cause)
            exits.push(exit)
            index++
            continue
          }
          // The consecutive jobs of one group run together.
          const items: Array<unknown> = []
          let end = index
          for (let at = jobs[end]; at?._tag === "Grouped" && at.group === job.group; at = jobs[++end]) {
            items.push(at.item)
          }
          // No savepoint: a group answers its refusals as exits and writes nothing for them,
          // and a group that fails fails the batch, which is then run again one command per
          // transaction (a batch of this one command fails with it).
          const exit = yield* Effect.exit(job.runAll(writer, items))
          if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
          exits.push(...exit.value)
          index = end
        }
        if (state.sequence - state.snapshotSequence >= snapshotEvery) yield* storeSnapshot(state, book)
        // Delivered at commit, to the other instances' listeners (`Options.peers`).
        if (peers && accepted.length > 0 && notified !== state.sequence) {
          yield* sql`SELECT pg_notify(${channel}, ${`${market}:${state.sequence}`})`
        }
        return exits
      })
      return state.semaphore.withPermits(1)(
        Transaction.run(attempt).pipe(Effect.tap(() =>
          Effect.suspend(() => {
            state.dirty = false
            const book = state.book
            // Still under the permit: the book is exactly as the batch left it.
            return accepted.length === 0 || book === undefined ?
              Effect.void :
              PubSub.publish(published, updateOf(market, previous, state.sequence, accepted, levels, book))
          })
        ))
      )
    }

    /**
     * The writer's loop of one market: takes what is queued (up to `maxBatch` jobs), runs it
     * as one batch, and answers each job. A batch that fails as a whole is run again one job
     * per transaction, so only the job at fault fails.
     */
    const timed = (state: MarketState, jobs: ReadonlyArray<Job>) =>
      Effect.gen(function*() {
        const started = performance.now()
        const exit = yield* Effect.exit(runBatch(state, jobs))
        const attributes = { market: state.market }
        yield* Metric.update(Metric.withAttributes(metrics.batches, attributes), 1)
        yield* Metric.update(Metric.withAttributes(metrics.jobs, attributes), jobs.length)
        yield* Metric.update(Metric.withAttributes(metrics.busy, attributes), (performance.now() - started) / 1000)
        return yield* exit
      })

    const drain = (state: MarketState) =>
      Effect.forever(Effect.gen(function*() {
        const jobs = yield* Queue.takeBetween(state.queue, 1, maxBatch)
        const batch = yield* Effect.exit(timed(state, jobs))
        if (Exit.isSuccess(batch)) {
          for (const [index, job] of jobs.entries()) {
            const exit = batch.value[index]
            if (exit !== undefined) yield* Deferred.done(job.done, exit)
          }
          return
        }
        if (jobs.length === 1) {
          for (const job of jobs) yield* Deferred.done(job.done, batch)
          return
        }
        for (const job of jobs) {
          const alone = yield* Effect.exit(timed(state, [job]))
          yield* Deferred.done(job.done, Exit.isSuccess(alone) ? alone.value[0] ?? alone : alone)
        }
      }))

    for (const state of Object.values(states)) yield* Effect.forkScoped(drain(state))

    if (peers) {
      // Another instance committed commands of a market: bring its book up to the database
      // now (publishing them), so this instance's market data streams follow every write.
      const pg = yield* PgClient.PgClient
      const notifications = yield* pg.listen(channel)
      yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
        const notification = yield* Queue.take(notifications)
        const [name = "", at = ""] = notification.payload.split(":")
        const market = Enums.MarketType.literals.find((literal) => literal === name)
        if (market === undefined) return
        const state = stateOf(market)
        if (Number(at) <= state.sequence || state.book === undefined || state.dirty) return
        yield* state.semaphore.withPermits(1)(Effect.ignore(current(state)))
      })))
    }

    /**
     * Runs `f` as the market's writer: queued behind the market's other commands and run in
     * the next batch (group commit: one transaction, and one commit, for every command
     * queued meanwhile). `f` runs with the caller's context (its clock, its request for the
     * audit trail) inside the writer's transaction, never the caller's own: a caller inside a
     * transaction of its own still gets the writer's, which commits with the batch. Once
     * queued it is not interrupted: a client that goes away does not abort an order in flight.
     */
    const write = <A, E, R>(
      market: Enums.MarketType,
      f: (writer: Writer) => Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | SqlError, R> =>
      Effect.gen(function*() {
        // Without the caller's transaction, if it is in one: `f` writes in the writer's.
        const context = Context.omit(sql.transactionService)(yield* Effect.context<R>()) as Context.Context<R>
        const done = yield* Deferred.make<unknown, unknown>()
        yield* Queue.offer(stateOf(market).queue, {
          _tag: "One",
          run: (writer) => Effect.provideContext(f(writer), context),
          done
        })
        // The job's exit is the exit of `f` (or the batch's SqlError): the types were erased
        // only to queue jobs of several kinds together.
        return yield* (Deferred.await(done) as Effect.Effect<A, E | SqlError>)
      })

    /**
     * Queues one item of a {@link Group} for the market's writer: consecutive queued items
     * of the same group run together in the next batch (`group.run`), and the item's own
     * exit is answered. Once queued it is not interrupted.
     */
    const writeGrouped = <I, A, E>(
      market: Enums.MarketType,
      group: Group<I, A, E>,
      item: I
    ): Effect.Effect<A, E | SqlError> =>
      Effect.gen(function*() {
        const done = yield* Deferred.make<unknown, unknown>()
        yield* Queue.offer(stateOf(market).queue, {
          _tag: "Grouped",
          group,
          item,
          // Every item queued under this group was given with it, so it is an `I`.
          runAll: (writer, items) => group.run(writer, items as ReadonlyArray<I>),
          done
        })
        return yield* (Deferred.await(done) as Effect.Effect<A, E | SqlError>)
      })

    /**
     * Runs a pure read of a market's book, brought up to the database first, with the
     * last stored sequence the book has applied.
     */
    const read = <A>(market: Enums.MarketType, f: (book: OrderBook.OrderBook, sequence: number) => A) => {
      const state = stateOf(market)
      return state.semaphore.withPermits(1)(Effect.map(current(state), (book) => f(book, state.sequence)))
    }

    const ofMarket = (market: Enums.MarketType) => (update: Update) => update.market === market

    return {
      write,
      writeGrouped,
      read,
      /**
       * The updates of one market committed by this instance from now on (a market data
       * stream starts with a snapshot read through `read`, then follows these).
       */
      updates: (market: Enums.MarketType): Stream.Stream<Update> =>
        Stream.filter(Stream.fromPubSub(published), ofMarket(market)),
      /**
       * The same updates, subscribed to now (for as long as the scope is open), not when
       * the stream is first pulled: subscribe, then read a snapshot, and no update
       * published after the snapshot's sequence is missed.
       */
      subscribe: (market: Enums.MarketType): Effect.Effect<Stream.Stream<Update>, never, Scope.Scope> =>
        Effect.map(
          PubSub.subscribe(published),
          (subscription) => Stream.filter(Stream.fromSubscription(subscription), ofMarket(market))
        ),
      /** The hash of a market's book, brought up to the database first. */
      hash: (market: Enums.MarketType) => read(market, hashOf),
      /** The last stored sequence a market's book has applied. */
      sequence: (market: Enums.MarketType) => read(market, () => stateOf(market).sequence),
      /** Drops a market's book: the next command rebuilds it from the database. */
      forget: (market: Enums.MarketType) =>
        Effect.sync(() => {
          stateOf(market).book = undefined
        })
    }
  })

/**
 * The writer of every market.
 *
 * @category services
 * @since 0.1.0
 */
export class MarketWriter extends Context.Service<MarketWriter, Effect.Success<ReturnType<typeof make>>>()(
  "@niha/server/MarketWriter"
) {
  /**
   * The writer on the `SqlClient` in context.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: Options
  ): Layer.Layer<MarketWriter, SqlError, SqlClient.SqlClient | PgClient.PgClient> =>
    Layer.effect(MarketWriter, make(options))
}
