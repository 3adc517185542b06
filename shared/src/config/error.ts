/** A configuration a user got wrong: every problem at once, one per line; programs print it and exit 2, no stack. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    headline = 'the configuration is not valid',
  ) {
    super(`${headline}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
