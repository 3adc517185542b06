/**
 * A configuration document and where each of its fields sits in the file, so that a
 * problem reads `file:line:column: field: problem`. YAML and JSON are both read with the
 * `yaml` parser (JSON is YAML 1.2), which keeps every node's range for both.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document } from 'yaml';
import { ConfigError } from './error.js';

export type FieldPath = ReadonlyArray<string | number>;

/** `devices[1].ctRatio` from ['devices', 1, 'ctRatio']. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(top level)' : out;
}

export class ConfigSource {
  private constructor(
    /** The file's path, or a name such as "embedded demo config". */
    readonly name: string,
    readonly data: unknown,
    private readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  /** Built from a value in code (an embedded demo): no lines to point at. */
  static fromData(data: unknown, name: string): ConfigSource {
    return new ConfigSource(name, data, undefined, undefined);
  }

  /**
   * Parses YAML or JSON (a name ending in .json is held to strict JSON: no trailing
   * commas or comments); a syntax error is a ConfigError naming its line and column.
   */
  static fromText(text: string, name: string): ConfigSource {
    const lines = new LineCounter();
    if (name.toLowerCase().endsWith('.json')) checkStrictJson(text, name);
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        doc.errors.map((error) => {
          const pos = error.linePos?.[0];
          const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
          return `${name}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML or JSON: ${message}`;
        }),
      );
    }
    return new ConfigSource(name, doc.toJS({ maxAliasCount: 100 }) ?? {}, doc, lines);
  }

  static fromFile(path: string): ConfigSource {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError([`${path}: cannot read the config file (${reason})`]);
    }
    return ConfigSource.fromText(text, path);
  }

  /** `file:line:col` of a field (of its key when `key` is true), or just the name when unknown. */
  where(path: FieldPath, key = false): string {
    const offset = this.offsetOf(path, key);
    if (offset === undefined || !this.lines) return this.name;
    const { line, col } = this.lines.linePos(offset);
    return `${this.name}:${line}:${col}`;
  }

  private offsetOf(path: FieldPath, key: boolean): number | undefined {
    if (!this.doc) return undefined;
    // Walk up until the path exists, so a missing field points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth);
      if (key && depth === path.length && depth > 0) {
        const parent = sub.length === 1 ? this.doc.contents : this.doc.getIn(sub.slice(0, -1), true);
        if (isMap(parent)) {
          const pair = parent.items.find(
            (item) => isPair(item) && isScalar(item.key) && item.key.value === sub[sub.length - 1],
          );
          if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
        }
        continue;
      }
      const node = sub.length === 0 ? this.doc.contents : this.doc.getIn(sub, true);
      if (isNode(node) && node.range) return node.range[0];
    }
    return undefined;
  }
}

/** One problem as every gridsafe program prints it: `file:line:col: field: message`. */
export function problemAt(source: ConfigSource, path: FieldPath, message: string, atKey = false): string {
  return `${source.where(path, atKey)}: ${formatPath(path)}: ${message}`;
}

/** JSON.parse names a character offset; the message names its line and column like every other problem. */
function checkStrictJson(text: string, name: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = /at position (\d+)/.exec(message);
    let where = name;
    if (offset) {
      const before = text.slice(0, Number(offset[1]));
      const line = before.split('\n').length;
      where = `${name}:${line}:${before.length - before.lastIndexOf('\n')}`;
    }
    throw new ConfigError([`${where}: not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`]);
  }
}
