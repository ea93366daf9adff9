/** tfjs's factory form of a class (rl.layers.dense(args) is new Dense(args)), typed by the constructor's own arguments. */
export function factoryOf<C extends new (...args: never[]) => unknown>(cls: C): (...args: ConstructorParameters<C>) => InstanceType<C> {
  const make = cls as unknown as new (...args: ConstructorParameters<C>) => InstanceType<C>;
  return (...args) => new make(...args);
}
