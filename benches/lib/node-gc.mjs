// A gc() for benches run as a plain `node script.mjs`, without --expose-gc on
// the command line: the flag set at run time applies to contexts made after it.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');

/** @type {() => void} */
export const gc = runInNewContext('gc');
