// exports.js lists exactly the value exports that the types of each entry declare.
import type * as main from 'wasm-sse';
import type * as parser from 'wasm-sse/parser';
import type * as react from 'wasm-sse/react';
import type * as slim from 'wasm-sse/slim';
import type * as vue from 'wasm-sse/vue';
import { valueExports } from './exports.js';
import { check, type Equal } from './expect.js';

type Listed<Entry extends keyof typeof valueExports> = (typeof valueExports)[Entry][number];

check<Equal<Listed<'wasm-sse'>, keyof typeof main>>();
check<Equal<Listed<'wasm-sse/parser'>, keyof typeof parser>>();
check<Equal<Listed<'wasm-sse/slim'>, keyof typeof slim>>();
check<Equal<Listed<'wasm-sse/react'>, keyof typeof react>>();
check<Equal<Listed<'wasm-sse/vue'>, keyof typeof vue>>();
check<Equal<keyof typeof valueExports, 'wasm-sse' | 'wasm-sse/parser' | 'wasm-sse/slim' | 'wasm-sse/react' | 'wasm-sse/vue'>>();
