// pkg-template/partial-json.js on its own (no wasm needed): the ops of
// src/delta/json/partial.rs become the values JSON.parse would give, and
// copy on write gives new identities exactly where something changed.
// Run: node --test tests/package/partial-json.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPartialValue } from '../../pkg-template/partial-json.js';

/** A value after applying each ops text in turn. */
function build(...opsTexts) {
  const partial = createPartialValue();
  for (const ops of opsTexts) partial.apply(ops);
  return partial.value;
}

test('the value is undefined before the first value begins', () => {
  const partial = createPartialValue();
  assert.equal(partial.value, undefined);
  partial.apply('');
  assert.equal(partial.value, undefined);
});

test('objects, arrays and scalars nest as the ops say', () => {
  assert.deepEqual(build('1,4,"a",2,5,1,6,"x",7,"y",5,true,1,3,3,4,"b",5,-2.5,3'), {
    a: [1, 'xy', true, {}],
    b: -2.5,
  });
  assert.deepEqual(build('2,2,3,1,3,5,null,5,false,5,0,3'), [[], {}, null, false, 0]);
  assert.deepEqual(build('5,12'), 12);
});

test('ops split across apply calls build the same value', () => {
  assert.deepEqual(build('1,4,"city",6,"Par"', '7,"is"', '4,"days",2,5,1', '5,2', '3,3'), {
    city: 'Paris',
    days: [1, 2],
  });
});

test('a key waits for its value and an open container shows empty', () => {
  assert.deepEqual(build('1'), {});
  assert.deepEqual(build('1,4,"key",2'), { key: [] });
  assert.deepEqual(build('1,4,"a",6,""'), { a: '' });
});

test('strings grow by appends, at the root and inside containers', () => {
  assert.equal(build('6,"he"', '7,"ll"', '7,"o"'), 'hello');
  assert.deepEqual(build('2,6,"a"', '7,"b",3'), ['ab']);
  assert.deepEqual(build('1,4,"k",6,"x"', '7,"y"', '7,"z"'), { k: 'xyz' });
});

test('escapes are decoded and surrogate halves from two ops join into one character', () => {
  assert.equal(build('6,"a\\n\\u00e9\\"\\/"'), 'a\né"/');
  assert.equal(build('6,"x\\ud83d"', '7,"\\ude00y"'), 'x😀y');
  assert.deepEqual(build('1,4,"k\\u00e9y",6,"\\ud83d"', '7,"\\ude01"'), { 'kéy': '😁' });
});

test('a key named __proto__ becomes an own member, as JSON.parse makes it', () => {
  const value = build('1,4,"__proto__",1,4,"x",5,1,3,4,"y",5,2,3');
  assert.deepEqual(Object.keys(value), ['__proto__', 'y']);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(value, JSON.parse('{"__proto__":{"x":1},"y":2}'));
});

test('reset forgets the value', () => {
  const partial = createPartialValue();
  partial.apply('1,4,"a",2,5,1');
  partial.reset();
  assert.equal(partial.value, undefined);
  partial.apply('2,6,"fresh"');
  assert.deepEqual(partial.value, ['fresh']);
});

test('an apply that changes nothing keeps the value identical', () => {
  const partial = createPartialValue();
  partial.apply('1,4,"a",1,4,"b",5,1');
  const before = partial.value;
  partial.apply('');
  assert.equal(partial.value, before);
  // Ending containers writes nothing either.
  partial.apply('3,3');
  assert.equal(partial.value, before);
});

test('a growing nested string copies its open containers up to the root and shares closed siblings', () => {
  const partial = createPartialValue();
  partial.apply('1,4,"done",1,4,"x",5,1,3,4,"list",2,1,4,"n",5,1,3,1,4,"t",6,"a"');
  const v1 = partial.value;
  partial.apply('7,"b"');
  const v2 = partial.value;
  assert.notEqual(v2, v1, 'the root is a new object');
  assert.notEqual(v2.list, v1.list, 'the open array on the way is new');
  assert.notEqual(v2.list[1], v1.list[1], 'the object holding the string is new');
  assert.equal(v2.done, v1.done, 'a closed sibling object is shared');
  assert.equal(v2.list[0], v1.list[0], 'a closed element is shared');
  assert.equal(v1.list[1].t, 'a', 'the earlier value is untouched');
  assert.equal(v2.list[1].t, 'ab');
});

test('within one apply, a container is copied once and later writes go to the copy', () => {
  const partial = createPartialValue();
  partial.apply('2,5,1');
  const v1 = partial.value;
  partial.apply('5,2,5,3,6,"x",7,"y"');
  assert.deepEqual(v1, [1]);
  assert.deepEqual(partial.value, [1, 2, 3, 'xy']);
});

test('a new value in a closed-over object copies only the open path', () => {
  const partial = createPartialValue();
  partial.apply('1,4,"a",2,5,1,3,4,"b",2');
  const v1 = partial.value;
  partial.apply('5,2');
  assert.notEqual(partial.value, v1);
  assert.equal(partial.value.a, v1.a);
  assert.deepEqual(v1.b, []);
  assert.deepEqual(partial.value.b, [2]);
});

// A small deterministic generator, so that failures replay.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A random JSON value, nested up to `depth`. */
function randomValue(random, depth) {
  const pick = random();
  if (depth > 0 && pick < 0.25) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1));
  }
  if (depth > 0 && pick < 0.5) {
    const object = {};
    for (let n = Math.floor(random() * 4); n > 0; n--) object[`k${Math.floor(random() * 6)}é`] = randomValue(random, depth - 1);
    return object;
  }
  if (pick < 0.6) return [true, false, null][Math.floor(random() * 3)];
  if (pick < 0.75) return Math.round((random() - 0.5) * 1e6) / 8;
  const pieces = ['a', 'bc', ' ', 'é', '😀', '"', '\\', '\n', '\u0001', '中'];
  let s = '';
  for (let n = Math.floor(random() * 6); n > 0; n--) s += pieces[Math.floor(random() * pieces.length)];
  return s;
}

/**
 * The ops the wasm side could write for `value`, as op texts (a key with its
 * value's op): strings are split into appends at random, between UTF-16 code
 * units, so surrogate pairs are split too.
 */
function opsOf(value, random, out = [], key = '') {
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
    out.push(key + (Array.isArray(value) ? '2' : '1'));
    for (const [k, v] of Object.entries(value)) {
      opsOf(v, random, out, Array.isArray(value) ? '' : `4,${JSON.stringify(k)},`);
    }
    out.push('3');
  } else if (typeof value === 'string') {
    const cut = Math.floor(random() * (value.length + 1));
    // JSON.stringify keeps lone halves as \u escapes, as the wasm side copies them.
    out.push(`${key}6,${JSON.stringify(value.slice(0, cut))}`);
    let at = cut;
    while (at < value.length) {
      const next = at + 1 + Math.floor(random() * 3);
      out.push(`7,${JSON.stringify(value.slice(at, next))}`);
      at = next;
    }
  } else {
    out.push(`${key}5,${JSON.stringify(value)}`);
  }
  return out;
}

test('random values fed as ops in random apply calls are rebuilt, and earlier values never change', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = rng(seed);
    const value = randomValue(random, 4);
    const ops = opsOf(value, random);
    const partial = createPartialValue();
    const seen = [];
    let at = 0;
    while (at < ops.length) {
      const next = at + Math.floor(random() * 4);
      const before = partial.value;
      partial.apply(ops.slice(at, next).join(','));
      if (next === at) assert.equal(partial.value, before, `seed ${seed}: an empty apply`);
      seen.push([partial.value, JSON.stringify(partial.value)]);
      at = next;
    }
    assert.deepEqual(partial.value, value, `seed ${seed}`);
    for (const [snapshot, text] of seen) {
      assert.equal(JSON.stringify(snapshot), text, `seed ${seed}: a value given out was changed later`);
    }
  }
});
