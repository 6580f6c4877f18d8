/**
 * Migration 3, `idempotency`, as released: the record of requests run under a client's
 * idempotency key, written in the request's own transaction (`Idempotency.IdempotencyRecord`
 * in `@niha/domain`); old keys are pruned by age.
 *
 * FROZEN: literal text that databases in the field ran; its SHA-256 is pinned by
 * `test/FrozenMigrations.test.ts`. Never edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE idempotency_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  principal text NOT NULL CHECK (btrim(principal) = principal AND principal <> ''),
  key text NOT NULL CHECK (key ~ '^[!-~]{1,255}$'),
  endpoint text NOT NULL CHECK (btrim(endpoint) = endpoint AND endpoint <> ''),
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idempotency_keys_principal_key_key UNIQUE (principal, key)
)`,
  "CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)"
]
