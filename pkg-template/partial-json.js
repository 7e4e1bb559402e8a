// A tool call's input as parsed so far, rebuilt from the operations the wasm
// side emits as its JSON arguments arrive (src/delta/json/partial.rs, which
// defines the encoding; the opcodes below mirror it). No imports.
//
// Copy on write per apply: the first write of an apply call to an open
// object or array replaces it, and every open one above it up to the root, by
// a shallow copy. Values closed before are shared untouched, so a UI (React)
// sees a new identity exactly where something changed.

const OBJECT = 1;
const ARRAY = 2;
const END = 3;
const KEY = 4;
const SCALAR = 5;
const STRING = 6;
const APPEND = 7;

/** The value built from the operations; `value` is `undefined` before it begins. */
export function createPartialValue() {
  let root;
  // The open containers, outermost first: { value, slot }, where `slot` is the
  // key or index of the container in its parent (unused for the root).
  let open = [];
  // Containers already copied during the current apply.
  let fresh = new Set();
  let key;
  // Where the string being read is: its parent and its slot.
  let string = null;

  // Makes the open containers down to `depth` writable; returns the one at `depth`.
  function writable(depth) {
    for (let d = 0; d <= depth; d++) {
      const entry = open[d];
      if (fresh.has(entry)) continue;
      entry.value = Array.isArray(entry.value) ? entry.value.slice() : { ...entry.value };
      if (d === 0) root = entry.value;
      else open[d - 1].value[entry.slot] = entry.value;
      fresh.add(entry);
    }
    return open[depth].value;
  }

  // Puts a value where the next one goes; returns its parent and slot.
  function place(value) {
    if (open.length === 0) {
      root = value;
      return { parent: null, slot: null };
    }
    const parent = writable(open.length - 1);
    const slot = Array.isArray(parent) ? parent.length : key;
    if (slot === '__proto__') {
      // An own member, as JSON.parse makes it: assigning would set the
      // object's prototype to a value the model wrote, and drop the member.
      Object.defineProperty(parent, slot, { value, writable: true, enumerable: true, configurable: true });
    } else {
      parent[slot] = value;
    }
    return { parent, slot };
  }

  function applyOps(ops) {
    fresh = new Set();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op === OBJECT || op === ARRAY) {
        string = null;
        const value = op === OBJECT ? {} : [];
        const { slot } = place(value);
        const entry = { value, slot };
        open.push(entry);
        // A new container is this apply's own.
        fresh.add(entry);
      } else if (op === END) {
        string = null;
        open.pop();
      } else if (op === KEY) {
        key = ops[++i];
      } else if (op === SCALAR) {
        string = null;
        place(ops[++i]);
      } else if (op === STRING) {
        string = place(ops[++i]);
      } else if (op === APPEND) {
        const more = ops[++i];
        if (string.parent === null) {
          root += more;
        } else {
          // The string's parent is the innermost open container.
          const parent = writable(open.length - 1);
          parent[string.slot] += more;
          string.parent = parent;
        }
      } else {
        throw new Error(`wasm-sse: unknown tool input operation ${op}`);
      }
    }
  }

  return {
    /** Applies one flush's operations, already parsed from JSON (an array). */
    applyOps,
    /** Applies one flush's operations given as their comma-separated JSON text. */
    apply(text) {
      if (text) applyOps(JSON.parse(`[${text}]`));
    },
    /** Forgets the value (the whole input was sent again). */
    reset() {
      root = undefined;
      open = [];
      key = undefined;
      string = null;
    },
    get value() {
      return root;
    },
  };
}
