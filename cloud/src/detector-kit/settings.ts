/**
 * Detector settings in the one schema language of every gridsafe config (TypeBox,
 * checked by shared's validator): each detector declares its fields with defaults and
 * limits, and, where fields constrain each other, a `build` step that may refuse a
 * combination. Problems name `file:line:col: detectors.<name>.<field>: ...`.
 *
 * Adding a setting to a detector is adding one field to its `defineSettings({...})`:
 *   holdSeconds: Type.Number({ default: 300, minimum: 0, description: 'why 300 (FACTS.md ...)' }),
 */
import {
  ConfigError,
  ConfigSource,
  Section,
  problemAt,
  schemaProblems,
  type FieldPath,
  type Static,
  type TObject,
  type TProperties,
} from '@gridsafe/shared';

/** A problem across fields, found after each field passed on its own; `field` is the setting's name. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/**
 * The level that clears an alert may not be above the one that raises it, or the alert
 * would flap; `s` back when it is not (a `build` step of defineSettings).
 */
export function clearNotAbove<S extends Record<Clear | Raise, number>, Clear extends string, Raise extends string>(
  s: S,
  clear: Clear,
  raise: Raise,
  why = '',
): S {
  if (s[clear] > s[raise]) throw new SettingsError(clear, `${s[clear]} must not be above ${raise} (${s[raise]})${why}`);
  return s;
}

/** What a detector declares about its settings. */
export interface DetectorSettings<S> {
  /** Every field with its default: the normalised settings are the defaults overlaid with the file's. */
  readonly fields: TProperties;
  /** From the checked fields to what the rule uses; throws a SettingsError for a bad combination. */
  readonly build: (fields: Record<string, unknown>) => S;
}

/**
 * A detector's settings: `properties` are TypeBox fields, each with a `default`; `build`
 * (optional) checks fields against each other and derives what the rule needs.
 */
export function defineSettings<P extends TProperties, S = Static<TObject<P>>>(
  properties: P,
  build?: (fields: Static<TObject<P>>) => S,
): DetectorSettings<S> {
  return {
    fields: properties,
    build: (fields) => (build ? build(fields as Static<TObject<P>>) : (fields as S)),
  };
}

export type SettingsOf<D> = D extends DetectorSettings<infer S> ? S : never;

interface NamedSettings {
  readonly name: string;
  readonly settings: DetectorSettings<unknown>;
}

/** One schema per detector (and per set of host fields), so ajv compiles each once. */
const schemas = new WeakMap<DetectorSettings<unknown>, Map<TProperties, TObject>>();
const NO_HOST_FIELDS: TProperties = {};

function schemaOf(settings: DetectorSettings<unknown>, hostFields: TProperties): TObject {
  let byHost = schemas.get(settings);
  if (!byHost) schemas.set(settings, (byHost = new Map()));
  let schema = byHost.get(hostFields);
  if (!schema) byHost.set(hostFields, (schema = Section({ ...settings.fields, ...hostFields })));
  return schema;
}

/**
 * Problems with one detector's block of settings; fills defaults into `raw`. `at`
 * places the block in `source`; `hostFields` are settings the detection host reads
 * from every block besides the detector's own (the quiet period).
 */
function settingsProblems(
  detector: NamedSettings,
  raw: unknown,
  source: ConfigSource,
  at: FieldPath,
  hostFields: TProperties,
): string[] {
  const problems = schemaProblems(schemaOf(detector.settings, hostFields), raw, source, at);
  if (problems.length > 0) return problems;
  try {
    const own = Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).filter(([key]) => !(key in hostFields)),
    );
    detector.settings.build(own);
    return [];
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return [problemAt(source, [...at, error.field], error.problem)];
  }
}

/**
 * A detector's settings over its defaults, built for the rule; a ConfigError naming
 * each problem otherwise. `raw` is copied, never changed.
 */
export function parseDetectorSettings<S>(
  detector: { readonly name: string; readonly settings: DetectorSettings<S> },
  raw: unknown,
  source?: ConfigSource,
): S {
  const fields = structuredClone(raw ?? {}) as Record<string, unknown>;
  const at = ['detectors', detector.name];
  const where = source ?? ConfigSource.fromData({ detectors: { [detector.name]: fields } }, 'detector settings');
  const problems = settingsProblems(detector, fields, where, at, NO_HOST_FIELDS);
  if (problems.length > 0) throw new ConfigError(problems, 'detector settings are not valid');
  return detector.settings.build(fields);
}

/**
 * Every problem with the `detectors` section of a config file (at `detectors` in
 * `source`): blocks that name no detector, and each detector's own (with the host's
 * `hostFields`, accepted in every block). Fills defaults in.
 */
export function detectorSettingsProblems(
  detectors: readonly NamedSettings[],
  section: Record<string, unknown>,
  source: ConfigSource,
  hostFields: TProperties = NO_HOST_FIELDS,
): string[] {
  const known = detectors.map((d) => d.name);
  const problems: string[] = [];
  for (const name of Object.keys(section)) {
    if (!known.includes(name))
      problems.push(problemAt(source, ['detectors', name], `names no detector; known: ${known.join(', ')}`, true));
  }
  for (const detector of detectors) {
    if (section[detector.name] === undefined || section[detector.name] === null) continue;
    problems.push(
      ...settingsProblems(detector, section[detector.name], source, ['detectors', detector.name], hostFields),
    );
  }
  return problems;
}
