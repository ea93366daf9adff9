/** tfjs's factory form of a class (rl.layers.dense(args) is new Dense(args)), typed by the constructor's own arguments. */
export function factoryOf<C extends new (...args: never[]) => unknown>(cls: C): (...args: ConstructorParameters<C>) => InstanceType<C> {
  const make = cls as unknown as new (...args: ConstructorParameters<C>) => InstanceType<C>;
  return (...args) => new make(...args);
}

/**
 * An argument past those a factory takes would be dropped unread, its setting lost (rl.train.sgd(0.1, 0.9, true)
 * builds no Nesterov SGD): refused, naming the factory, what it takes and the first extra argument. An undefined
 * one carries nothing (a wrapper forwarding its own optional arguments), so only a given value counts.
 */
export function refuseExtraArguments(where: string, params: readonly string[], args: readonly unknown[], hint?: string): void {
  const extra = args.findIndex((v, i) => i >= params.length && v !== undefined);
  if (extra < 0) return;
  const takes = params.length === 1 ? `takes one argument (${params[0]})` : `takes at most ${params.length} arguments (${params.join(', ')})`;
  throw new Error(`${where} ${takes}, got ${args.length}: argument ${extra + 1}, ${shownArgument(args[extra])}, would be ignored${hint ? `; ${hint}` : ''}`);
}

function shownArgument(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  const ctor = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as object).constructor : undefined;
  if (ctor !== undefined && ctor !== Object && typeof ctor.name === 'string' && ctor.name) return `a ${ctor.name}`;
  let text: string | undefined;
  try { text = JSON.stringify(v); } catch { text = undefined; }
  text ??= String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A namespace's factories (rl.initializers, rl.callbacks, ...) as given, each refusing arguments past its parameters
 * (refuseExtraArguments) under the name `${namespace}.${key}`. params: the parameter names of a factory that does not
 * take one options object. Classes in the table (rl.callbacks.Callback) are left as they are. refuse: the check, for a
 * namespace whose refusal says more (rl.layers': refuseExtraOptions).
 */
export function refusingExtraArguments<T extends Record<string, unknown>>(namespace: string, table: T, params: { readonly [K in keyof T]?: readonly string[] } = {},
  refuse: (where: string, params: readonly string[], args: readonly unknown[]) => void = refuseExtraArguments): T {
  const entries = Object.entries(table).map(([key, make]) => {
    if (typeof make !== 'function' || /^class\b/.test(Function.prototype.toString.call(make))) return [key, make];
    const factory = (...args: unknown[]) => {
      refuse(`${namespace}.${key}`, params[key] ?? ['options'], args);
      return (make as (...a: unknown[]) => unknown)(...args);
    };
    return [key, Object.defineProperty(factory, 'name', { value: key })];
  });
  return Object.fromEntries(entries) as T;
}
