import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { inject, injectable } from "tsyringe";
import { systemClock, type Clock } from "./clock.js";
import type { KernelConfig } from "./config.js";
import { createRoot, DuplicateRegistrationError, MissingRegistrationError } from "./container.js";
import { logger, type Logger } from "./log.js";
import { TOKENS } from "./tokens.js";

@injectable()
class Reconciler {
  constructor(
    @inject(TOKENS.Clock) readonly clock: Clock,
    @inject(TOKENS.Logger) readonly log: Logger,
  ) {}
}

test("container - registering a token twice throws DuplicateRegistrationError", () => {
  const root = createRoot().provide(TOKENS.Clock, systemClock);
  assert.throws(() => root.provide(TOKENS.Clock, { now: () => 0 }), (e: unknown) => e instanceof DuplicateRegistrationError && /Clock/.test(e.message));
  assert.throws(() => root.provideFactory(TOKENS.Clock, () => systemClock), DuplicateRegistrationError);
  assert.equal(root.resolve(TOKENS.Clock), systemClock, "the first registration stays");
});

test("container - resolving a missing token throws MissingRegistrationError naming it", () => {
  assert.throws(() => createRoot().resolve(TOKENS.Bus), (e: unknown) => e instanceof MissingRegistrationError && /k8s\.Bus/.test(e.message));
});

test("container - builds classes from @inject tokens; roots are isolated", () => {
  const clock: Clock = { now: () => 42 };
  const root = createRoot().provide(TOKENS.Clock, clock).provide(TOKENS.Logger, logger("test"));
  const r = root.build(Reconciler);
  assert.equal(r.clock.now(), 42);
  assert.equal(r.log.component, "test");
  assert.equal(createRoot().has(TOKENS.Clock), false, "another root does not see these registrations");

  let built = 0;
  const lazy = createRoot().provideFactory(TOKENS.Config, () => {
    built++;
    return { actorId: "a" } as KernelConfig;
  });
  assert.equal(built, 0);
  assert.equal(lazy.resolve(TOKENS.Config), lazy.resolve(TOKENS.Config));
  assert.equal(built, 1);
});
