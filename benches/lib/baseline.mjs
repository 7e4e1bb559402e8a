// The baseline package: an earlier build of wasm-sse measured beside pkg/ in
// the same run, so that a table can say what a change cost. By default it is
// the last package whose delta pipeline had the text channel only (commit
// BASELINE_COMMIT), built once in a git worktree under target/ and kept there.
//
//   node benches/lib/baseline.mjs      # build it now if missing, print its pkg/
//
// WASM_SSE_BASELINE_PKG=dir measures another build instead (nothing is built);
// WASM_SSE_BASELINE_PKG=none measures none. A baseline that cannot be had is a
// note in the report, never a failure of the run.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHES_DIR } from './pkg.mjs';

/** The last landed package before the delta channels (text only). */
export const BASELINE_COMMIT = '058477e';

const REPO = resolve(BENCHES_DIR, '..');
/** The worktree: under the ignored target/, never among tracked files. */
export const BASELINE_SRC = join(REPO, 'target', 'baseline-src');
const BUILD_LOG = join(REPO, 'target', 'baseline-build.log');

/**
 * The baseline's pkg/ dir, built first when missing and `build` is true.
 * @param {{ build?: boolean, log?: (line: string) => void }} [opts]
 * @returns {Promise<{ ok: true, dir: string, label: string } | { ok: false, reason: string }>}
 */
export async function baselinePkg({ build = true, log = (l) => console.error(l) } = {}) {
  const override = process.env.WASM_SSE_BASELINE_PKG;
  if (override === 'none' || override === '') return { ok: false, reason: 'WASM_SSE_BASELINE_PKG=none' };
  if (override) {
    const dir = resolve(override);
    if (!existsSync(join(dir, 'package.json'))) return { ok: false, reason: `WASM_SSE_BASELINE_PKG: ${dir}/package.json does not exist` };
    return { ok: true, dir, label: dir };
  }
  const dir = join(BASELINE_SRC, 'pkg');
  const label = `${BASELINE_COMMIT} (target/baseline-src/pkg)`;
  // The cache: a worktree at the commit never changes, so its pkg/ is final.
  if (existsSync(join(dir, 'package.json'))) return { ok: true, dir, label };
  if (!build) return { ok: false, reason: `${dir} not built (node benches/lib/baseline.mjs builds it)` };
  try {
    await buildBaseline(log);
  } catch (err) {
    return { ok: false, reason: `building ${BASELINE_COMMIT} failed: ${err.message} (log: ${BUILD_LOG})` };
  }
  if (!existsSync(join(dir, 'package.json'))) return { ok: false, reason: `the build of ${BASELINE_COMMIT} wrote no ${dir}/package.json (log: ${BUILD_LOG})` };
  return { ok: true, dir, label };
}

async function buildBaseline(log) {
  mkdirSync(join(REPO, 'target'), { recursive: true });
  if (!isWorktreeAtCommit()) {
    // A folder left by an interrupted add, or a worktree git forgot: start over.
    if (existsSync(BASELINE_SRC)) rmSync(BASELINE_SRC, { recursive: true, force: true });
    git(['worktree', 'prune']);
    log(`baseline: git worktree add --detach target/baseline-src ${BASELINE_COMMIT}`);
    git(['worktree', 'add', '--detach', BASELINE_SRC, BASELINE_COMMIT]);
  }
  const out = createWriteStream(BUILD_LOG);
  // Its own cargo target dir, inside the worktree (the Makefile reads
  // target/... relative paths, so it must be exactly <worktree>/target); the
  // cargo and npm caches in $HOME are shared, so nothing is downloaded twice.
  const env = { ...process.env, CARGO_TARGET_DIR: join(BASELINE_SRC, 'target') };
  try {
    // Its Makefile would `cargo install --force` the wasm-bindgen-cli of its
    // own Cargo.lock over the one pkg/ is built with: when the two differ, the
    // baseline's goes into the worktree and first on its PATH instead.
    const want = lockedVersion(join(BASELINE_SRC, 'Cargo.lock'), 'wasm-bindgen');
    const have = /wasm-bindgen (\S+)/.exec(spawnSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1];
    if (want && have !== want) {
      const root = join(BASELINE_SRC, 'tools');
      if (!existsSync(join(root, 'bin', 'wasm-bindgen'))) {
        log(`baseline: wasm-bindgen ${have ?? '(none)'} on PATH, the baseline needs ${want}: cargo install into target/baseline-src/tools`);
        await run('cargo', ['install', 'wasm-bindgen-cli', '--version', want, '--locked', '--root', root], env, out);
      }
      env.PATH = `${join(root, 'bin')}:${env.PATH}`;
    }
    log(`baseline: make build in target/baseline-src (npm ci, two cargo builds: minutes the first time; output in ${BUILD_LOG})`);
    await run('make', ['build'], env, out);
  } finally {
    out.end();
  }
}

async function run(cmd, args, env, out) {
  const code = await new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: BASELINE_SRC, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', fail);
    child.on('close', done);
  });
  if (code !== 0) throw new Error(`${cmd} ${args[0]} exited ${code}`);
}

function lockedVersion(lockFile, crate) {
  if (!existsSync(lockFile)) return null;
  const text = readFileSync(lockFile, 'utf8');
  return new RegExp(`name = "${crate}"\\nversion = "([^"]+)"`).exec(text)?.[1] ?? null;
}

function isWorktreeAtCommit() {
  if (!existsSync(join(BASELINE_SRC, '.git'))) return false;
  const head = spawnSync('git', ['-C', BASELINE_SRC, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  const want = spawnSync('git', ['-C', REPO, 'rev-parse', `${BASELINE_COMMIT}^{commit}`], { encoding: 'utf8' });
  return head.status === 0 && want.status === 0 && head.stdout.trim() === want.stdout.trim();
}

function git(args) {
  const r = spawnSync('git', ['-C', REPO, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const got = await baselinePkg();
  if (got.ok) console.log(got.dir);
  else {
    console.error(got.reason);
    process.exitCode = 1;
  }
}
