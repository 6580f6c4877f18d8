/**
 * Admins made outside the API: the first admin of a new installation (made on first
 * start, so a newcomer reaches a working API in one command) and `niha admin create`.
 * Each gets a generated password, printed once by the caller and stored only as its
 * hash; the admin changes it after signing in (`POST /account/password`).
 *
 * @since 0.1.0
 */
import { Transaction } from "@niha/db"
import { Parties } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as Audit from "./Audit.ts"
import * as Auth from "./Auth.ts"
import * as rows from "./internal/rows.ts"
import * as Password from "./Password.ts"

/**
 * The email of the admin made on first start, unless the operator names another.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultFirstAdminEmail = "admin@niha.local"

/**
 * A user with this email already exists.
 *
 * @category errors
 * @since 0.1.0
 */
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {
  /** The email. */
  email: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `a user with email ${this.email} already exists`
  }
}

/**
 * The email is not one `users.email` accepts.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidEmail extends Schema.TaggedError<InvalidEmail>()("InvalidEmail", {
  /** The email as given. */
  email: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `${JSON.stringify(this.email)} is not an email address`
  }
}

/**
 * An admin made here, with the one-time password to print.
 *
 * @category models
 * @since 0.1.0
 */
export interface Created {
  /** The new admin. */
  readonly user: Parties.User
  /** Its password, shown once. */
  readonly password: string
}

// No look-alike characters (0/O, 1/l/I), so a password read off a terminal is typed right.
const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

/**
 * A random password of 24 characters from a 56-letter alphabet (about 139 bits), with
 * no look-alike characters; rejection sampling keeps every letter equally likely.
 *
 * @category passwords
 * @since 0.1.0
 */
export const generatePassword: Effect.Effect<string> = Effect.sync(() => {
  const letters: Array<string> = []
  const limit = 256 - (256 % alphabet.length)
  while (letters.length < 24) {
    for (const byte of NodeCrypto.randomBytes(32)) {
      if (byte < limit && letters.length < 24) letters.push(alphabet.charAt(byte % alphabet.length))
    }
  }
  return letters.join("")
})

const insertedUser = rows.one("users", Parties.User)

/**
 * Makes an active admin with a generated password.
 *
 * @category admins
 * @since 0.1.0
 */
export const create = Effect.fn("Admin.create")(function*(input: {
  readonly email: string
  readonly first_name: string
  readonly last_name: string
}) {
  const sql = yield* SqlClient.SqlClient
  const email = Auth.normalizeEmail(input.email)
  if (!Schema.is(Parties.EmailInput)(email)) return yield* new InvalidEmail({ email: input.email })
  if ((yield* Auth.findUserByEmail(email)) !== undefined) return yield* new EmailTaken({ email })
  const password = yield* generatePassword
  // A generated password passes the policy; checking anyway keeps the rule in one place.
  const checked = Password.check(password, { email, names: [input.first_name, input.last_name] })
  if (Result.isFailure(checked)) return yield* Effect.die(checked.failure)
  const hash = yield* Password.hash(password)
  return yield* Transaction.run(Effect.gen(function*() {
    const user = yield* insertedUser(sql`
      INSERT INTO users (entity_id, email, first_name, last_name, role, password_hash, is_active)
      VALUES (NULL, ${email}, ${input.first_name.trim() || "Admin"}, ${input.last_name.trim() || "Admin"}, 'ADMIN',
        ${hash}, true)
      RETURNING *`)
    yield* Audit.record({
      user_id: null,
      action: "users.create_admin",
      subject_table: "users",
      subject_id: user.id,
      details: { email }
    })
    const created: Created = { user, password }
    return created
  }))
})

/**
 * Makes the first admin when the database has no admin yet; nothing otherwise (nor on a
 * database that is not migrated, which a server started with `migrate: false` may meet).
 *
 * @category admins
 * @since 0.1.0
 */
export const ensureFirst = Effect.fn("Admin.ensureFirst")(function*(email: string = defaultFirstAdminEmail) {
  const sql = yield* SqlClient.SqlClient
  const [schema] = yield* sql<{ migrated: boolean }>`SELECT to_regclass('users') IS NOT NULL AS migrated`
  if (schema?.migrated !== true) {
    // A server started without migrating serves readiness (503) until someone migrates.
    yield* Effect.logWarning("the database is not migrated: no admin was made; run niha migrate")
    return undefined
  }
  const [existing] = yield* sql`SELECT id FROM users WHERE role = 'ADMIN' LIMIT 1`
  if (existing !== undefined) return undefined
  return yield* create({ email, first_name: "First", last_name: "Admin" })
})
