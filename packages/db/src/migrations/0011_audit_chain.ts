/**
 * Migration 11, the audit chain: `ticket_logs` and `activity_logs` become append-only
 * and hash-chained.
 *
 * - Each log row gets `chain_seq` (its place in its table's chain, from 1), `prev_hash`
 *   (the `row_hash` of the row before it, 64 zeros for the first) and `row_hash` (the
 *   SHA-256, hex, of its place, the previous hash, its columns as canonical `jsonb` text
 *   and its `created_at` in UTC; {@link audit_row_hash}).
 * - The chain is sealed at commit, not at insert: a deferred constraint trigger
 *   (`<table>_chain`) takes one transaction-scoped advisory lock (the same key for both
 *   tables, so two sealing transactions can never wait on each other in opposite orders),
 *   advances the table's head in `audit_chain_heads` and writes the three columns. A
 *   request therefore holds the chain head only for the instant of its commit, never
 *   while it does its own work, and rows are chained in commit order.
 * - `<table>_append_only` refuses every UPDATE and DELETE, and `<table>_no_truncate`
 *   every TRUNCATE; the one update it lets through is the sealing trigger's own (nested
 *   in a trigger, on a row not sealed yet, touching the three chain columns only).
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
  `CREATE FUNCTION audit_chain_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  sealed text;
BEGIN
  PERFORM pg_advisory_xact_lock(7171717171);
  SELECT chain_seq + 1, row_hash INTO head_seq, head_hash FROM audit_chain_heads WHERE table_name = TG_TABLE_NAME;
  sealed := audit_row_hash(head_seq, head_hash,
    to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash' - 'created_at', NEW.created_at);
  EXECUTE format('UPDATE %I SET chain_seq = $1, prev_hash = $2, row_hash = $3 WHERE id = $4', TG_TABLE_NAME)
    USING head_seq, head_hash, sealed, NEW.id;
  UPDATE audit_chain_heads SET chain_seq = head_seq, row_hash = sealed, updated_at = now()
    WHERE table_name = TG_TABLE_NAME;
  RETURN NULL;
END
$$`,
  `CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL
    AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash') = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash')
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
END
$$`,
  "CREATE TRIGGER ticket_logs_append_only BEFORE UPDATE OR DELETE ON ticket_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
  "CREATE TRIGGER ticket_logs_no_truncate BEFORE TRUNCATE ON ticket_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
  "CREATE CONSTRAINT TRIGGER ticket_logs_chain AFTER INSERT ON ticket_logs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_seal()",
  "CREATE TRIGGER activity_logs_append_only BEFORE UPDATE OR DELETE ON activity_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
  "CREATE TRIGGER activity_logs_no_truncate BEFORE TRUNCATE ON activity_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
  "CREATE CONSTRAINT TRIGGER activity_logs_chain AFTER INSERT ON activity_logs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_seal()",
  // Rows written before this migration are chained now, oldest first, in one pass.
  `DO $$
DECLARE
  t text;
  r record;
  head_seq bigint;
  head_hash text;
  sealed text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ticket_logs', 'activity_logs'] LOOP
    SELECT chain_seq, row_hash INTO head_seq, head_hash FROM audit_chain_heads WHERE table_name = t;
    EXECUTE format('ALTER TABLE %I DISABLE TRIGGER %I', t, t || '_append_only');
    FOR r IN EXECUTE format('SELECT id, created_at, to_jsonb(x) - ''chain_seq'' - ''prev_hash'' - ''row_hash'' - ''created_at'' AS body FROM %I x ORDER BY created_at, id', t) LOOP
      head_seq := head_seq + 1;
      sealed := audit_row_hash(head_seq, head_hash, r.body, r.created_at);
      EXECUTE format('UPDATE %I SET chain_seq = $1, prev_hash = $2, row_hash = $3 WHERE id = $4', t)
        USING head_seq, head_hash, sealed, r.id;
      head_hash := sealed;
    END LOOP;
    EXECUTE format('ALTER TABLE %I ENABLE TRIGGER %I', t, t || '_append_only');
    UPDATE audit_chain_heads SET chain_seq = head_seq, row_hash = head_hash WHERE table_name = t;
  END LOOP;
END
$$`
]
