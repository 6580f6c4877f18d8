import { assert, describe, it } from "@effect/vitest"
import { Api } from "@niha/sdk"
import * as OpenApi from "effect/http-api/OpenApi"

const document = OpenApi.fromApi(Api.Api)
const schemas = document.components.schemas

/** A schema of the document, following one `$ref`. */
const resolve = (schema: unknown): Record<string, unknown> => {
  const record = schema as Record<string, unknown>
  const ref = record["$ref"]
  return typeof ref === "string" ? schemas[ref.replace("#/components/schemas/", "")] as Record<string, unknown> : record
}

/** Every `pattern` a string schema states, its own and those of `allOf`. */
const patternsOf = (schema: Record<string, unknown>): Array<RegExp> => [
  ...(typeof schema["pattern"] === "string" ? [new RegExp(schema["pattern"], "u")] : []),
  ...((schema["allOf"] as Array<Record<string, unknown>> | undefined) ?? []).flatMap(patternsOf)
]

const accepts = (schema: Record<string, unknown>, value: string): boolean =>
  patternsOf(schema).every((pattern) => pattern.test(value)) &&
  value.length >= (schema["minLength"] as number | undefined ?? 0)

describe("the OpenAPI document", () => {
  it("names its license and a server", () => {
    assert.strictEqual(document.info.license?.name, "MIT")
    assert.deepStrictEqual(document.servers?.map((server) => server.url), ["/"])
  })

  it("promises no endpoint the server does not have", () => {
    const description = document.info.description ?? ""
    const served = description.slice(
      description.indexOf("This version serves"),
      description.indexOf("come in later versions")
    )
    const promised = served.slice(0, served.lastIndexOf(";"))
    // What the description says is served has its endpoints; the rest is named as later.
    assert.include(promised, "deposits")
    assert.include(promised, "withdrawals")
    assert.isDefined(document.paths["/deposits"])
    assert.isDefined(document.paths["/withdrawals"])
    assert.include(promised, "orders")
    assert.include(promised, "settlement")
    assert.isDefined(document.paths["/orders"])
    assert.isDefined(document.paths["/settlements"])
    assert.isDefined(document.paths["/swaps"])
    assert.include(promised, "inventory")
    assert.isDefined(document.paths["/admin/certificates"])
    for (const later of ["market making"]) {
      assert.notInclude(promised, later)
      assert.include(served.slice(served.lastIndexOf(";")), later)
    }
  })

  it("refuses a page size the server refuses", () => {
    const parameters = document.paths["/admin/contact-requests"]?.get?.parameters ?? []
    const limit = parameters.find((parameter) => parameter.name === "limit")
    assert.isDefined(limit)
    const schema = resolve(limit?.schema)
    for (const refused of ["0", "101", "-1", "1.5", "1e1", ""]) assert.isFalse(accepts(schema, refused), refused)
    for (const accepted of ["1", "20", "100"]) assert.isTrue(accepts(schema, accepted), accepted)
  })

  it("refuses an empty email and a NUL in text", () => {
    const email = resolve(schemas["EmailInput"])
    assert.isFalse(accepts(email, ""))
    assert.isFalse(accepts(email, "a\u0000b@example.com"))
    assert.isTrue(accepts(email, "ana@example.com"))
    const input = resolve(schemas["ContactRequestInput"])
    const name = resolve((input["properties"] as Record<string, unknown>)["entity_name"])
    assert.isFalse(accepts(name, "Nul\u0000 Energy"))
    assert.isTrue(accepts(name, "Nordwind Energie GmbH"))
  })

  it("describes the Idempotency-Key header", () => {
    const parameters = document.paths["/contact-requests"]?.post?.parameters ?? []
    const key = parameters.find((parameter) => parameter.name === "idempotency-key")
    const schema = resolve(key?.schema)
    assert.include(String(schema["description"]), "replayed")
    assert.isFalse(accepts(schema, "has space"))
    assert.isTrue(accepts(schema, "3f0c9a52-8d7e-4b1a-9c55-1f2e3d4c5b6a"))
  })

  it("lists 405 and 415 beside 400, 413 and 500 on every endpoint", () => {
    let endpoints = 0
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of ["get", "post", "put", "patch", "delete"] as const) {
        const operation = item[method]
        if (operation === undefined) continue
        endpoints++
        for (const status of ["400", "405", "413", "415", "500"]) {
          assert.property(operation.responses, status, `${method.toUpperCase()} ${path}`)
        }
      }
    }
    assert.isAtLeast(endpoints, 30)
  })

  it("gives readiness a migration number a database can have", () => {
    const readiness = resolve(schemas["Readiness"])
    const database = resolve((readiness["properties"] as Record<string, unknown>)["database"])
    const migration = (database["properties"] as Record<string, Record<string, unknown>>)["migration"]
    assert.strictEqual(migration?.["minimum"], 0)
    assert.deepStrictEqual(migration?.["examples"], [3])
  })
})
