/**
 * The mistakes found in a scenario, each as `file:line:col: field: problem` (the shared
 * formatter), collected so a scenario with several is told all of them at once.
 */
import { ConfigError, problemAt, type ConfigSource, type FieldPath } from '@gridsafe/shared';

export const SCENARIO_HEADLINE = 'the scenario is not valid';

export class Problems {
  private readonly found: string[] = [];

  constructor(readonly source: ConfigSource) {}

  /** How many so far (a part that added none is sound). */
  get count(): number {
    return this.found.length;
  }

  /** A problem of the field at `path` (of its key, when `atKey`: a field that should not be there). */
  add(path: FieldPath, message: string, atKey = false): void {
    this.found.push(problemAt(this.source, path, message, atKey));
  }

  /** Problems already formatted (by the shared schema validator). */
  addFormatted(problems: readonly string[]): void {
    this.found.push(...problems);
  }

  /** Stops here when anything was found: later checks would only repeat it in other words. */
  throwIfAny(): void {
    if (this.found.length > 0) throw new ConfigError([...this.found], SCENARIO_HEADLINE);
  }
}
