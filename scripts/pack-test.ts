// Proves the published packages work outside the workspace: packs each one as npm would
// publish it, checks the tarball with publint and @arethetypeswrong/cli, installs all of
// them into a temporary project and imports every public entry under plain Node.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const packagesDir = path.join(root, "packages")
const names = fs.readdirSync(packagesDir).filter((name) => fs.existsSync(path.join(packagesDir, name, "package.json")))
const work = fs.mkdtempSync(path.join(os.tmpdir(), "niha-pack-"))
const tarballs = path.join(work, "tarballs")
fs.mkdirSync(tarballs)

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })

const bin = (name: string) => path.join(root, "node_modules", ".bin", name)
const manifests = new Map<string, { readonly name: string; readonly version: string; readonly file: string }>()

try {
  for (const dir of names) {
    const pkgDir = path.join(packagesDir, dir)
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as {
      name: string
      version: string
    }
    run("pnpm", ["pack", "--pack-destination", tarballs], pkgDir)
    const file = path.join(tarballs, `${manifest.name.replace("@", "").replace("/", "-")}-${manifest.version}.tgz`)
    if (!fs.existsSync(file)) throw new Error(`pnpm pack wrote no ${file}`)
    manifests.set(dir, { name: manifest.name, version: manifest.version, file })
    run(bin("publint"), ["run", "--strict", file], root)
    run(bin("attw"), [file, "--profile", "esm-only", "--format", "table-flipped"], root)
    console.log(`packed and checked ${manifest.name}`)
  }

  // A project outside the workspace that depends on every tarball; the tarballs'
  // workspace:^ ranges were rewritten by pnpm pack, so overrides point them at each other.
  const consumer = path.join(work, "consumer")
  fs.mkdirSync(consumer)
  const overrides = Object.fromEntries([...manifests.values()].map((m) => [m.name, `file:${m.file}`]))
  fs.writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify(
      {
        name: "niha-pack-consumer",
        private: true,
        type: "module",
        dependencies: { ...overrides, effect: "4.1.0" },
        pnpm: { overrides }
      },
      null,
      2
    )
  )
  run("pnpm", ["install", "--prefer-offline", "--ignore-workspace", "--config.confirmModulesPurge=false"], consumer)
  for (const m of manifests.values()) {
    const script = `const m = await import(${JSON.stringify(m.name)}); ` +
      `const keys = Object.keys(m); if (keys.length === 0) { throw new Error("no exports") }; ` +
      `console.log(${JSON.stringify(m.name)} + ": " + keys.length + " exports")`
    process.stdout.write(run(process.execPath, ["--input-type=module", "-e", script], consumer))
  }
  console.log(`pack test: ${manifests.size} packages packed, checked, installed and imported`)
} finally {
  fs.rmSync(work, { recursive: true, force: true })
}
