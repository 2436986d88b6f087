/** clock: time as a dependency, so decisions and tests can pass their own. */

/** Clock: the current time in unix ms. */
export interface Clock {
  now(): number;
}

/** systemClock reads Date.now(). */
export const systemClock: Clock = { now: () => Date.now() };
