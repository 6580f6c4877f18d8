/** Small helpers that make the rows a ledger test needs. */
import { Ids } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"

const decodeId = Schema.decodeUnknownEffect(Ids.EntityId)

/** Inserts an entity and returns its id. */
export const makeEntity = (name: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: string }>`
      INSERT INTO entities (name, jurisdiction) VALUES (${name}, 'EU') RETURNING id`
    return yield* Effect.orDie(decodeId(row?.id))
  })

/** Inserts `count` entities named `<prefix> <n>`. */
export const makeEntities = (prefix: string, count: number) =>
  Effect.forEach(Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`), makeEntity)
