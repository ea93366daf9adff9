/**
 * How the data layer's messages name the options a caller can set. Called from the API, a message names the API's
 * option (`skipBadRows`); a command passes its own flags (`--skip-bad-rows`), or null for an option it does not
 * have, so a message never suggests a flag the running command lacks.
 */
export type NamedOption = 'textColumn' | 'labelColumn' | 'skipBadRows' | 'format' | 'classes' | 'labelMap' | 'validationSplit' | 'validation' | 'limit';

export type OptionNames = Partial<Record<NamedOption, string | null>>;

/** The name to show for `key`: the caller's (a flag), else the API option's own; null when the caller has none. */
export function optionName(names: OptionNames | undefined, key: NamedOption): string | null {
  const given = names?.[key];
  return given === undefined ? key : given;
}

/** "--format tsv" for a flag, "format 'tsv'" for an API option; null when the caller has no such option. */
export function optionWithValue(names: OptionNames | undefined, key: NamedOption, value: string): string | null {
  const n = optionName(names, key);
  if (n === null) return null;
  return n.startsWith('-') ? `${n} ${value}` : `${n} '${value}'`;
}
