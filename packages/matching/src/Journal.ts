/**
 * The versioned journal format of a book: newline-delimited JSON, one entry per line, each
 * entry either a command or a snapshot, each carrying the format version `v`.
 *
 * ```text
 * {"_tag":"Command","v":1,"command":{"_tag":"PlaceLimit","seq":1,...}}
 * {"_tag":"Snapshot","v":1,"snapshot":{"version":1,"instrument":{...},"lastSeq":1,...}}
 * {"_tag":"Command","v":1,"command":{"_tag":"Cancel","seq":2,...}}
 * ```
 *
 * Events are not journaled: the book is deterministic, so replaying the commands gives the
 * events again. {@link replay} restores the last snapshot of a journal and applies the
 * commands after it; the result is the same, byte for byte, as applying every command from
 * an empty book. A later version of the format adds a new literal for `v` and a migration
 * here; readers reject versions they do not know.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Command from "./Command.ts"
import type * as Event from "./Event.ts"
import * as OrderBook from "./OrderBook.ts"
import * as Snapshot from "./Snapshot.ts"

/**
 * The version of the journal format this module writes and reads.
 *
 * @category constants
 * @since 0.1.0
 */
export const version = 1

/**
 * A journaled command.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CommandEntry = Schema.TaggedStruct("Command", {
  /** The journal format version. */
  v: Schema.Literal(version),
  /** The command. */
  command: Command.Command
})
/**
 * @category models
 * @since 0.1.0
 */
export type CommandEntry = typeof CommandEntry.Type

/**
 * A journaled snapshot: the book's state after the command before it.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SnapshotEntry = Schema.TaggedStruct("Snapshot", {
  /** The journal format version. */
  v: Schema.Literal(version),
  /** The book's state. */
  snapshot: Snapshot.Snapshot
})
/**
 * @category models
 * @since 0.1.0
 */
export type SnapshotEntry = typeof SnapshotEntry.Type

/**
 * One journal entry.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Entry = Schema.Union([CommandEntry, SnapshotEntry])
/**
 * @category models
 * @since 0.1.0
 */
export type Entry = typeof Entry.Type

/**
 * One journal line: an entry as JSON text.
 *
 * @category schemas
 * @since 0.1.0
 */
export const EntryFromLine = Schema.fromJsonString(Entry)

/**
 * The entry of a command.
 *
 * @category constructors
 * @since 0.1.0
 */
export const commandEntry = (command: Command.Command): CommandEntry => ({ _tag: "Command", v: version, command })

/**
 * The entry of a snapshot.
 *
 * @category constructors
 * @since 0.1.0
 */
export const snapshotEntry = (snapshot: Snapshot.Snapshot): SnapshotEntry => ({
  _tag: "Snapshot",
  v: version,
  snapshot
})

/**
 * Raised when a journal line does not decode, or a journal cannot be replayed.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidJournal extends Schema.TaggedError<InvalidJournal>()("InvalidJournal", {
  /** What is wrong with the journal. */
  message: Schema.String
}) {}

const encodeEntry = Schema.encodeResult(EntryFromLine)
const decodeEntry = Schema.decodeUnknownResult(EntryFromLine)

/**
 * Encodes an entry as one line of JSON (without the newline), fields in schema order.
 *
 * @category encoding
 * @since 0.1.0
 */
export const encodeLine = (entry: Entry): Result.Result<string, InvalidJournal> =>
  Result.mapError(encodeEntry(entry), (error) => new InvalidJournal({ message: error.message }))

/**
 * Decodes one line of a journal.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeLine = (line: string): Result.Result<Entry, InvalidJournal> =>
  Result.mapError(decodeEntry(line), (error) => new InvalidJournal({ message: error.message }))

/**
 * A book rebuilt from a journal and the events of the commands applied to rebuild it (the
 * commands after the last snapshot).
 *
 * @category models
 * @since 0.1.0
 */
export interface Replayed {
  /** The rebuilt book. */
  readonly book: OrderBook.OrderBook
  /** The events of the commands applied after the snapshot. */
  readonly events: Array<Event.Event>
}

/**
 * Rebuilds a book: restores the journal's last snapshot (or starts empty) and applies the
 * commands after it.
 *
 * @category replay
 * @since 0.1.0
 */
export const replay = (
  config: OrderBook.Config,
  entries: ReadonlyArray<Entry>
): Result.Result<Replayed, InvalidJournal> => {
  let start = 0
  let book = OrderBook.make(config)
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]
    if (entry?._tag === "Snapshot") {
      const restored = OrderBook.restore(config, entry.snapshot)
      if (Result.isFailure(restored)) return Result.fail(new InvalidJournal({ message: restored.failure.message }))
      book = restored.success
      start = i + 1
      break
    }
  }
  const events: Array<Event.Event> = []
  for (let i = start; i < entries.length; i++) {
    const entry = entries[i]
    if (entry?._tag === "Command") OrderBook.applyInto(book, entry.command, events)
  }
  return Result.succeed({ book, events })
}
