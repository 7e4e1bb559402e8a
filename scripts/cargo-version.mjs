// The crate's version, from Cargo.toml: the one version of the package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function cargoVersion(root) {
  const toml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  return /^version\s*=\s*"([^"]+)"/m.exec(toml)[1];
}
