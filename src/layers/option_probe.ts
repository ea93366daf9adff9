/** The one construction behind rl.layers factories and `new rl.layerClasses.X`: options checked, then named. */
import { checkKnownArgs, takeAutomaticName, type Layer } from './layer.js';

type LayerConstructor = new (...args: never[]) => Layer;

/**
 * Builds target once, under a stand-in name (the options' name, else `where`), and checks that it read every option
 * key (checkKnownArgs); only then does a layer without a given name take its automatic one. So a refused call, by the
 * key check or by the constructor, takes no automatic name (the next layers' dense_N names stay put) and its error
 * names `where`. A wrapper renames the layer it wraps (Bidirectional's forward_<name>): a refused call gives that name
 * back. Options that are not an object are built as given and refused by the check.
 */
export function checkThenConstruct<C extends LayerConstructor>(target: C, args: readonly unknown[], where: string, newTarget: LayerConstructor = target): InstanceType<C> {
  const options = args[0];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const layer = Reflect.construct(target, args, newTarget) as InstanceType<C>;
    checkKnownArgs(layer, options, where);
    return layer;
  }
  const given = options as { name?: unknown; layer?: unknown };
  const inner = given.layer;
  const innerName = inner instanceof Object && 'name' in inner ? (inner as Layer).name : undefined;
  let layer: InstanceType<C>;
  try {
    layer = Reflect.construct(target, [{ ...options, name: given.name ?? where }, ...args.slice(1)], newTarget) as InstanceType<C>;
    checkKnownArgs(layer, options, where);
  } catch (e) {
    if (innerName !== undefined) (inner as Layer).name = innerName;
    throw e;
  }
  if (given.name === undefined || given.name === null) takeAutomaticName(layer);
  return layer;
}
