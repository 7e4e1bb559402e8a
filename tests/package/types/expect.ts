// Type-level assertions, checked by tsc and never run.
// `check<Equal<A, B>>()` compiles only when A and B are the same type, and
// `exactly<T>()(value)` only when `value` has exactly the type T: otherwise tsc
// says "Expected 2 arguments, but got 1". `any` is equal to nothing else, so a
// type that decays to `any` fails both.

export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `T` is `true`. */
export function check<T extends true>(): void {}

/** Compiles only when the type of `value` is exactly `T`. */
export function exactly<T>() {
  return <U>(value: U, ..._notExactly: Equal<T, U> extends true ? [] : [never]): U => value;
}
