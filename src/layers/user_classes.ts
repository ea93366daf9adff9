/**
 * The user subclasses of rl.Initializer, rl.L1L2 and rl.Constraint that rl.serialization.registerClass made known to
 * model loading, one registry per kind, found by their static className as tfjs's loader finds them.
 */
export type UserClass<T> = (new (config: never) => T) & { className?: unknown };

export class UserClassRegistry<T> {
  private readonly classes = new Map<string, UserClass<T>>();

  /** kind: 'initializer'; base: the class every registered one extends, named in errors as `rl.${base.name}`. */
  constructor(
    private readonly kind: string,
    private readonly base: abstract new (...args: never[]) => T,
    private readonly isBuiltInName: (name: string) => boolean,
  ) {}

  register(cls: UserClass<T>, label: string): void {
    const name = cls.className;
    if (!Object.hasOwn(cls, 'className') || typeof name !== 'string' || name === '') throw new Error(`serialization.registerClass: ${label} needs its own static className (the name saved in model.json)`);
    if (this.isBuiltInName(name)) throw new Error(`serialization.registerClass(${label}): '${name}' is the name of rnnlab's built-in ${this.kind}, which saved models load as; give ${label} another static className`);
    this.classes.set(name, cls);
  }

  has(name: unknown): name is string {
    return typeof name === 'string' && this.classes.has(name);
  }

  /** A registered class from a saved config: its own fromConfig, tfjs's (cls, config) or Keras's (config), else new cls(config). */
  make(name: string, config: unknown): T {
    const cls = this.classes.get(name)!;
    const own = (cls as { fromConfig?: (...a: unknown[]) => unknown }).fromConfig;
    // The base class's own fromConfig (L1L2's) builds the base, not the subclass.
    const inherited = (this.base as { fromConfig?: unknown }).fromConfig;
    const made = typeof own === 'function' && own !== inherited ? (own.length >= 2 ? own.call(cls, cls, config) : own.call(cls, config)) : new cls(config as never);
    if (!(made instanceof this.base)) throw new Error(`${name}.fromConfig did not return an rl.${this.base.name}`);
    return made;
  }
}

/**
 * The class name a config holds for a subclass without a static className: it trains (as in tfjs, which needs the
 * name only to serialize), and saving finds this name and refuses the model (modelTopology), as no file could load it.
 */
const UNNAMED = '#unnamed:';
export const unnamedClassName = (label: string): string => `${UNNAMED}${label}`;
export const unnamedLabel = (className: unknown): string | null => (typeof className === 'string' && className.startsWith(UNNAMED) ? className.slice(UNNAMED.length) : null);
