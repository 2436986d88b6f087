/**
 * container: the composition root. One per process (and one per test), a child of tsyringe's
 * global container so tests never share registrations. Registering a token twice throws
 * DuplicateRegistrationError; resolving a missing one throws MissingRegistrationError.
 *
 * @example
 * ```ts
 * const root = createRoot().provide(TOKENS.Bus, bus).provide(TOKENS.Config, cfg);
 * const actor = root.build(Scheduler); // constructor params come from @inject(TOKENS.X)
 * ```
 */
import "reflect-metadata";
import { container as globalContainer, Lifecycle, type DependencyContainer } from "tsyringe";
import { tokenName, type Token } from "./tokens.js";

/** DuplicateRegistrationError: a token was registered twice in one composition root. */
export class DuplicateRegistrationError extends Error {
  override name = "DuplicateRegistrationError";
  constructor(readonly token: symbol) {
    super(`${tokenName(token)} is already registered in this composition root; register each token exactly once`);
  }
}

/** MissingRegistrationError: a token was resolved before anything registered it. */
export class MissingRegistrationError extends Error {
  override name = "MissingRegistrationError";
  constructor(readonly token: symbol) {
    super(`${tokenName(token)} is not registered; provide it in the composition root (process main) before building actors`);
  }
}

/** A class constructible by the container (every parameter decorated with @inject). */
export type Constructor<T> = new (...args: any[]) => T;

/** CompositionRoot: typed registration and resolution over one tsyringe child container. */
export class CompositionRoot {
  /** The underlying tsyringe container. */
  readonly container: DependencyContainer;

  constructor(parent: DependencyContainer = globalContainer) {
    this.container = parent.createChildContainer();
  }

  /** provide registers a ready value. Throws DuplicateRegistrationError on a second registration. */
  provide<T>(tok: Token<T>, value: T): this {
    this.assertFree(tok);
    this.container.register(tok, { useValue: value });
    return this;
  }

  /** provideFactory registers a lazily built singleton. */
  provideFactory<T>(tok: Token<T>, factory: (root: CompositionRoot) => T): this {
    this.assertFree(tok);
    let built = false;
    let value: T;
    this.container.register(tok, {
      useFactory: () => {
        if (!built) {
          value = factory(this);
          built = true;
        }
        return value;
      },
    });
    return this;
  }

  /** provideClass registers a class built once by the container. */
  provideClass<T>(tok: Token<T>, cls: Constructor<T>): this {
    this.assertFree(tok);
    this.container.register(tok, { useClass: cls }, { lifecycle: Lifecycle.ContainerScoped });
    return this;
  }

  /** has tells whether a token is registered here. */
  has(tok: symbol): boolean {
    return this.container.isRegistered(tok, true);
  }

  /** resolve returns the value of a token; throws MissingRegistrationError when absent. */
  resolve<T>(tok: Token<T>): T {
    if (!this.has(tok)) throw new MissingRegistrationError(tok);
    return this.container.resolve<T>(tok);
  }

  /** build constructs a class (decorated with @injectable and @inject on each parameter). */
  build<T>(cls: Constructor<T>): T {
    return this.container.resolve<T>(cls);
  }

  private assertFree(tok: symbol): void {
    if (this.container.isRegistered(tok, true)) throw new DuplicateRegistrationError(tok);
  }
}

/** createRoot returns a fresh composition root. */
export function createRoot(parent?: DependencyContainer): CompositionRoot {
  return new CompositionRoot(parent);
}
