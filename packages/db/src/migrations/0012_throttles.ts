/**
 * Migration 12, `throttles`: the sliding-window logs of the server's throttles
 * (`Throttle.makeShared` of `@niha/server`), so every server instance on one database
 * counts the same attempts (ASVS V2.2.1: the limits hold however many processes serve).
 *
 * - `(name, key)` is one throttle's log for one key (a client address, an email, a
 *   session); `attempts` holds the epoch milliseconds of its accepted attempts within
 *   the window, oldest first, at most the throttle's limit of them.
 * - `accepted` says whether the last attempt was accepted: the one upsert that takes an
 *   attempt sets it and returns it, so concurrent takes of one key serialize on the row.
 * - `expires_ms` is when the newest accepted attempt leaves the window; rows past it hold
 *   nothing and are deleted by the next take (indexed, so the sweep is an index scan).
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE throttle_windows (
  name text NOT NULL CHECK (name ~ '^[a-z_]{1,64}$'),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 512),
  attempts bigint[] NOT NULL,
  accepted boolean NOT NULL,
  expires_ms bigint NOT NULL,
  PRIMARY KEY (name, key)
)`,
  "CREATE INDEX throttle_windows_expires_idx ON throttle_windows (expires_ms)"
]
