/**
 * Migration 11, the audit chain: `ticket_logs` and `activity_logs` become append-only
 * and hash-chained.
 *
 * - Each log row gets `chain_seq` (its place in its table's chain, from 1), `prev_hash`
 *   (the `row_hash` of the row before it, 64 zeros for the first) and `row_hash` (the
 *   SHA-256, hex, of its place, the previous hash, its columns as canonical `jsonb` text
 *   and its `created_at` in UTC; {@link audit_row_hash}).
 * - Rows are inserted unsealed and sealed after they commit, in batches, by
 *   `audit_chain_seal_pending()` (the server runs it every second as a job, and
 *   `AuditChain.verify` runs it first): under one transaction-scoped advisory lock it
 *   chains every committed unsealed row of each table, oldest first, and advances the
 *   table's head in `audit_chain_heads`. Requests never wait for the chain: a lock taken
 *   at insert or at commit would be held through the commit's flush and serialise every
 *   audited transaction (measured: about ten times fewer inserts per second).
 * - `<table>_append_only` refuses every UPDATE and DELETE, an INSERT of a row already
 *   sealed, and `<table>_no_truncate` every TRUNCATE; the one update it lets through is
 *   the sealer's own (flagged by the transaction-local setting `niha.audit_sealing`, on a
 *   row not sealed yet, touching the three chain columns only: a forged seal is then found
 *   by the verification like any other edit).
 * - `audit_chain_heads` holds, per table, the last sealed place and hash, so a deleted
 *   last row is found as well as one in the middle.
 *
 * - `exchange_rate_sources.selector`: where the rate is in the source's JSON answer (a
 *   path such as `rates.USD`), as `scraping_sources.selector` says where a price is.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  "ALTER TABLE ticket_logs ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, ADD COLUMN row_hash text",
  "ALTER TABLE activity_logs ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, ADD COLUMN row_hash text",
  "ALTER TABLE ticket_logs ADD CONSTRAINT ticket_logs_chain_check CHECK ((chain_seq IS NULL AND prev_hash IS NULL AND row_hash IS NULL) OR (chain_seq > 0 AND prev_hash ~ '^[0-9a-f]{64}$' AND row_hash ~ '^[0-9a-f]{64}$'))",
  "ALTER TABLE activity_logs ADD CONSTRAINT activity_logs_chain_check CHECK ((chain_seq IS NULL AND prev_hash IS NULL AND row_hash IS NULL) OR (chain_seq > 0 AND prev_hash ~ '^[0-9a-f]{64}$' AND row_hash ~ '^[0-9a-f]{64}$'))",
  "CREATE UNIQUE INDEX ticket_logs_chain_seq_key ON ticket_logs (chain_seq)",
  "CREATE UNIQUE INDEX activity_logs_chain_seq_key ON activity_logs (chain_seq)",
  "CREATE INDEX ticket_logs_action_idx ON ticket_logs (action, created_at)",
  `CREATE TABLE audit_chain_heads (
  table_name text NOT NULL,
  chain_seq bigint NOT NULL DEFAULT 0,
  row_hash text NOT NULL DEFAULT repeat('0', 64),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT audit_chain_heads_pkey PRIMARY KEY (table_name),
  CONSTRAINT audit_chain_heads_table_name_check CHECK (table_name IN ('ticket_logs', 'activity_logs')),
  CONSTRAINT audit_chain_heads_chain_seq_check CHECK (chain_seq >= 0),
  CONSTRAINT audit_chain_heads_row_hash_check CHECK (row_hash ~ '^[0-9a-f]{64}$')
)`,
  "INSERT INTO audit_chain_heads (table_name) VALUES ('ticket_logs'), ('activity_logs')",
  "ALTER TABLE exchange_rate_sources ADD COLUMN selector text",
  "ALTER TABLE exchange_rate_sources ADD CONSTRAINT exchange_rate_sources_selector_check CHECK (((selector IS NULL) OR ((btrim(selector) = selector) AND (selector <> ''::text))))",
  `CREATE FUNCTION audit_row_hash(seq bigint, prev text, body jsonb, created timestamp with time zone) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT encode(sha256(convert_to(
    seq::text || '|' || prev || '|' || body::text || '|' ||
      to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'UTF8')), 'hex')
$$`,
  `CREATE FUNCTION audit_chain_seal_pending() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  t text;
  r record;
  head_seq bigint;
  head_hash text;
  sealed text;
  total integer := 0;
  before integer;
BEGIN
  PERFORM pg_advisory_xact_lock(7171717171);
  PERFORM set_config('niha.audit_sealing', 'on', true);
  FOREACH t IN ARRAY ARRAY['ticket_logs', 'activity_logs'] LOOP
    SELECT chain_seq, row_hash INTO head_seq, head_hash FROM audit_chain_heads WHERE table_name = t FOR UPDATE;
    before := total;
    FOR r IN EXECUTE format('SELECT id, created_at, to_jsonb(x) - ''chain_seq'' - ''prev_hash'' - ''row_hash'' - ''created_at'' AS body FROM %I x WHERE chain_seq IS NULL ORDER BY created_at, id FOR UPDATE', t) LOOP
      head_seq := head_seq + 1;
      sealed := audit_row_hash(head_seq, head_hash, r.body, r.created_at);
      EXECUTE format('UPDATE %I SET chain_seq = $1, prev_hash = $2, row_hash = $3 WHERE id = $4', t)
        USING head_seq, head_hash, sealed, r.id;
      head_hash := sealed;
      total := total + 1;
    END LOOP;
    IF total > before THEN
      UPDATE audit_chain_heads SET chain_seq = head_seq, row_hash = head_hash, updated_at = now() WHERE table_name = t;
    END IF;
  END LOOP;
  PERFORM set_config('niha.audit_sealing', 'off', true);
  RETURN total;
END
$$`,
  `CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.row_hash IS NOT NULL THEN
      RAISE EXCEPTION '% rows are sealed by audit_chain_seal_pending(), never inserted sealed', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('niha.audit_sealing', true) = 'on'
    AND OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL
    AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash') = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash')
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
END
$$`,
  "CREATE TRIGGER ticket_logs_append_only BEFORE INSERT OR UPDATE OR DELETE ON ticket_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
  "CREATE TRIGGER ticket_logs_no_truncate BEFORE TRUNCATE ON ticket_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
  "CREATE TRIGGER activity_logs_append_only BEFORE INSERT OR UPDATE OR DELETE ON activity_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
  "CREATE TRIGGER activity_logs_no_truncate BEFORE TRUNCATE ON activity_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
  // Rows written before this migration are chained now, oldest first.
  "SELECT audit_chain_seal_pending()"
]
