// `node --test tests/server/` only picks up files named like `*.test.mjs`; this
// runs the server self-test (which also runs alone: `node --test tests/server/selftest.mjs`).
import './selftest.mjs';
