/** A scenario's `buses:` entries: TCP ports and RTU lines, expanded into their copies. */
import { Fields, type SourceDoc, type Path } from './fields.js';
import { ID_TEXT, TEMPLATE_ID, nth } from './ids.js';
import { RTU_FRAMINGS, type BusSpec } from './types.js';

export function parseBus(src: SourceDoc, path: Path, item: unknown, defaultHost: string): BusSpec[] {
  const f: Fields = Fields.of(src, path, item, [
    'id',
    'kind',
    'host',
    'port',
    'path',
    'baudRate',
    'parity',
    'dataBits',
    'stopBits',
    'turnaroundMs',
    'minRequestGapMs',
    'framing',
    'count',
    'pad',
  ]);
  const count = f.number('count', 1, 1, 1000, true);
  const pad = f.number('pad', 3, 1, 6, true);
  const id = f.string('id', undefined, TEMPLATE_ID, ID_TEXT);
  if (count > 1 && !id.includes('{n}'))
    f.fail('id', 'with a count above 1 the id must contain {n}, replaced by the copy number');
  const kind = f.oneOf('kind', ['tcp', 'rtu'] as const);
  if (kind === 'tcp') {
    const host = f.string('host', defaultHost);
    const port = f.number('port', undefined, 0, 65535, true);
    return Array.from({ length: count }, (_, k) => ({
      id: nth(id, k + 1, pad),
      kind: 'tcp' as const,
      host,
      port: port === 0 ? 0 : port + k,
    }));
  }
  const serialPath = f.string('path');
  if (count > 1 && !serialPath.includes('{n}')) f.fail('path', 'with a count above 1 the path must contain {n}');
  const parity = f.oneOf('parity', ['none', 'even', 'odd'] as const, 'even');
  const dataBits = f.oneOf('dataBits', [7, 8] as const, 8);
  // Modbus over Serial Line V1.02: no parity needs 2 stop bits (FACTS.md); 8N1 is off-spec but allowed.
  const stopBits = f.oneOf('stopBits', [1, 2] as const, 1);
  const spec = {
    kind: 'rtu' as const,
    baudRate: f.number('baudRate', 9600, 300, 4_000_000, true),
    parity,
    dataBits,
    stopBits,
    turnaroundMs: f.number('turnaroundMs', 2, 0, 10_000),
    minRequestGapMs: f.number('minRequestGapMs', 0, 0, 10_000),
    framing: f.oneOf('framing', RTU_FRAMINGS, 'strict'),
  };
  return Array.from({ length: count }, (_, k) => ({
    id: nth(id, k + 1, pad),
    path: nth(serialPath, k + 1, pad),
    ...spec,
  }));
}
