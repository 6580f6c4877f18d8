/**
 * Migration 15, the audit sealer in one update per table: `audit_chain_seal_pending()`
 * (migration 11) is replaced by a function that chains the same rows to the same hashes,
 * but writes them with one `UPDATE ... FROM unnest(...)` per table instead of one dynamic
 * `UPDATE` per row.
 *
 * Why: the first sealer planned a statement for every row it sealed (`EXECUTE format(...)`
 * is never cached), which cost about 0.3 ms of database CPU per audit row: at a few
 * hundred orders a second it was the busiest statement of the database, and it could not
 * keep up past about 3,000 audited rows a second on one core. Now the hashes are computed
 * in the loop, oldest first, into arrays (assigned by index, which PL/pgSQL does in place),
 * and each table gets one planned update: about a third of the cost, most of what is left
 * being the rows' own index entries and the append-only trigger's check.
 *
 * The contract is unchanged: one transaction-scoped advisory lock, the same order
 * (`created_at`, `id`), the same `audit_row_hash`, the sealing flag set for the
 * append-only trigger, and each table's head advanced once.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE OR REPLACE FUNCTION audit_chain_seal_pending() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  t text;
  r record;
  head_seq bigint;
  head_hash text;
  ids uuid[];
  seqs bigint[];
  prevs text[];
  hashes text[];
  n integer;
  total integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(7171717171);
  PERFORM set_config('niha.audit_sealing', 'on', true);
  FOREACH t IN ARRAY ARRAY['ticket_logs', 'activity_logs'] LOOP
    SELECT chain_seq, row_hash INTO head_seq, head_hash FROM audit_chain_heads WHERE table_name = t FOR UPDATE;
    ids := '{}';
    seqs := '{}';
    prevs := '{}';
    hashes := '{}';
    n := 0;
    FOR r IN EXECUTE format('SELECT id, created_at, to_jsonb(x) - ''chain_seq'' - ''prev_hash'' - ''row_hash'' - ''created_at'' AS body FROM %I x WHERE chain_seq IS NULL ORDER BY created_at, id FOR UPDATE', t) LOOP
      n := n + 1;
      ids[n] := r.id;
      prevs[n] := head_hash;
      head_seq := head_seq + 1;
      seqs[n] := head_seq;
      head_hash := audit_row_hash(head_seq, head_hash, r.body, r.created_at);
      hashes[n] := head_hash;
    END LOOP;
    IF n > 0 THEN
      EXECUTE format('UPDATE %I x SET chain_seq = u.seq, prev_hash = u.prev, row_hash = u.hash FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS u(id, seq, prev, hash) WHERE x.id = u.id', t)
        USING ids, seqs, prevs, hashes;
      UPDATE audit_chain_heads SET chain_seq = head_seq, row_hash = head_hash, updated_at = now() WHERE table_name = t;
      total := total + n;
    END IF;
  END LOOP;
  PERFORM set_config('niha.audit_sealing', 'off', true);
  RETURN total;
END
$$`
]
