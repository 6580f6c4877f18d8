/**
 * Migration 2, `access`, as released: the tables the platform needs beyond the seed's 31, for
 * sign-in and mail. The seed names the MAGIC_LINK method but has nowhere to keep a link, has
 * no API keys for integrators, and sends mail inline from request handlers (a mail could go
 * out for a change that rolled back). Each table here is modelled in `@niha/domain`
 * (`Auth.MagicLinkToken`, `Auth.ApiKey`, `Mail.MailOutboxMessage`).
 *
 * FROZEN: literal text that databases in the field ran; its SHA-256 is pinned by
 * `test/FrozenMigrations.test.ts`. Never edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE magic_link_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  purpose text NOT NULL CHECK (purpose IN ('LOGIN', 'INVITE')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  ip_address text CHECK (ip_address IS NULL OR (btrim(ip_address) = ip_address AND ip_address <> '')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT magic_link_tokens_token_hash_key UNIQUE (token_hash),
  CONSTRAINT magic_link_tokens_used_after_created CHECK (used_at IS NULL OR used_at >= created_at)
)`,
  "ALTER TABLE magic_link_tokens ADD CONSTRAINT magic_link_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
  "CREATE INDEX magic_link_tokens_user_id_idx ON magic_link_tokens (user_id, created_at)",
  `CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  name text NOT NULL CHECK (btrim(name) = name AND name <> '' AND length(name) <= 100),
  display text NOT NULL CHECK (btrim(display) = display AND display <> ''),
  key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
)`,
  "ALTER TABLE api_keys ADD CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)",
  "CREATE INDEX api_keys_user_id_idx ON api_keys (user_id, created_at)",
  `CREATE TABLE mail_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (btrim(kind) = kind AND kind <> ''),
  to_email text NOT NULL CHECK (to_email = lower(to_email) AND to_email LIKE '%_@_%._%'),
  subject text NOT NULL CHECK (btrim(subject) = subject AND subject <> ''),
  text_body text NOT NULL,
  html_body text,
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  provider text,
  provider_message_id text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT mail_outbox_sent_has_time CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
)`,
  "CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'PENDING'",
  "CREATE INDEX authentication_attempts_user_idx ON authentication_attempts (user_id, created_at) WHERE user_id IS NOT NULL",
  "CREATE INDEX authentication_attempts_ip_idx ON authentication_attempts (ip_address, created_at) WHERE ip_address IS NOT NULL"
]
