import t from 'tap';
import {
  ConfigError,
  ConfigSource,
  Duration,
  OneOf,
  Section,
  Type,
  checkSchema,
  formatDuration,
  parseDuration,
} from '../src/index.js';

t.test('durations: units from largest to smallest, a unit on every number', async (t) => {
  t.equal(parseDuration('5s'), 5000);
  t.equal(parseDuration('5000ms'), 5000);
  t.equal(parseDuration('1h30m'), 5_400_000);
  t.equal(parseDuration('2d'), 172_800_000);
  t.equal(parseDuration('1.5s'), 1500);
  t.equal(parseDuration('1m30s250ms'), 90_250);
  t.equal(parseDuration('5ms'), 5);
  for (const bad of ['', '5', '30m1h', '1h 30m', '5 s', '-5s', '5sec', '1.s', 'PT5S'])
    t.equal(parseDuration(bad), undefined, `"${bad}" is refused`);
  t.equal(formatDuration(5_400_000), '1h30m');
  t.equal(formatDuration(90_250), '1m30s250ms');
  t.equal(formatDuration(0), '0s');
});

const schema = Section({
  http: Type.Optional(
    Section({
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
      host: Type.String({ minLength: 1, default: '0.0.0.0' }),
    }),
  ),
  pollInterval: Duration({ min: '10ms', max: '1d', default: '1s' }),
  mode: OneOf(['json', 'compact'], { default: 'json' }),
  id: Type.String({ pattern: '^[a-z]+$', hint: 'must be lower-case letters' }),
});

function problems(text: string, name = 'site.yaml'): string[] {
  try {
    checkSchema(schema, ConfigSource.fromText(text, name).data, ConfigSource.fromText(text, name));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

t.test('every problem names file, line, column and field, in file order', async (t) => {
  t.same(problems('id: Ab\nhttp:\n  port: 70000\n  hots: x\npollInterval: 5\nmode: xml\n'), [
    'site.yaml:1:5: id: "Ab" must be lower-case letters',
    'site.yaml:3:9: http.port: must be a whole number from 0 to 65535, got 70000',
    'site.yaml:4:3: http.hots: is not a known field (did you mean "host"?); known here: port, host',
    'site.yaml:5:15: pollInterval: 5 has no unit: say 5s or 5ms, whichever you mean (a duration from 10ms to 1d: units d h m s ms, e.g. 500ms, 30s, 1h30m)',
    'site.yaml:6:7: mode: must be one of json, compact; got "xml"',
  ]);
  t.same(problems('{"id": "ok", "pollInterval": "1h 30m"}', 'site.json'), [
    'site.json:1:30: pollInterval: must be a duration from 10ms to 1d (units d h m s ms, largest first, e.g. 500ms, 30s, 1h30m, 2d), got "1h 30m"',
  ]);
  t.same(problems('http: {}\n'), ['site.yaml:1:1: id: is missing']);
  t.same(problems('id: a\npollInterval: 2d\n'), [
    'site.yaml:2:15: pollInterval: must be a duration from 10ms to 1d (units d h m s ms, largest first, e.g. 500ms, 30s, 1h30m, 2d), got "2d"',
  ]);
});

t.test('a valid document comes back with its defaults', async (t) => {
  const source = ConfigSource.fromText('id: abc\nhttp: {}\n', 'ok.yaml');
  t.same(checkSchema(schema, source.data, source), {
    id: 'abc',
    http: { port: 8080, host: '0.0.0.0' },
    pollInterval: '1s',
    mode: 'json',
  });
});

t.test('a syntax error names its line and column; an unreadable file says why', async (t) => {
  t.throws(
    () => ConfigSource.fromText('a: 1\na: 2\n', 'dup.yaml'),
    /dup\.yaml:2:1: not valid YAML or JSON: Map keys must be unique/,
  );
  t.throws(
    () => ConfigSource.fromFile('/nonexistent/x.yaml'),
    /\/nonexistent\/x\.yaml: cannot read the config file \(ENOENT\)/,
  );
});
