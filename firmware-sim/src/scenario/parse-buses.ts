/** A scenario's `buses:` entries (already checked by the schema): TCP ports and RTU lines, expanded into their copies. */
import type { FieldPath } from '@gridsafe/shared';
import { copies, nth } from './ids.js';
import type { Problems } from './problems.js';
import type { BusFile } from './schema.js';
import type { BusSpec } from './types.js';

const FIELDS_OF: Record<BusFile['kind'], ReadonlyArray<keyof BusFile>> = {
  tcp: ['host', 'port'],
  rtu: ['path', 'baudRate', 'parity', 'dataBits', 'stopBits', 'turnaroundMs', 'minRequestGapMs', 'framing'],
};

export function busesOf(bus: BusFile, path: FieldPath, defaultHost: string, problems: Problems): BusSpec[] {
  const { count, pad } = copies(bus);
  if (count > 1 && !bus.id.includes('{n}'))
    problems.add([...path, 'id'], 'with a count above 1 the id must contain {n}, replaced by the copy number');
  const other = bus.kind === 'tcp' ? 'rtu' : 'tcp';
  for (const key of FIELDS_OF[other])
    if (bus[key] !== undefined)
      problems.add([...path, key], `applies to ${other} buses only; this one is ${bus.kind}`, true);

  if (bus.kind === 'tcp') {
    if (bus.port === undefined) {
      problems.add([...path, 'port'], 'is missing (0 listens on any free port)');
      return [];
    }
    const { port } = bus;
    const host = bus.host ?? defaultHost;
    return Array.from({ length: count }, (_, k) => ({
      id: nth(bus.id, k + 1, pad),
      kind: 'tcp' as const,
      host,
      port: port === 0 ? 0 : port + k,
    }));
  }
  if (bus.path === undefined) {
    problems.add([...path, 'path'], 'is missing (the serial device, e.g. /dev/ttyUSB0 or one end of a socat pair)');
    return [];
  }
  const serialPath = bus.path;
  if (count > 1 && !serialPath.includes('{n}'))
    problems.add([...path, 'path'], 'with a count above 1 the path must contain {n}');
  const line = {
    kind: 'rtu' as const,
    baudRate: bus.baudRate ?? 9600,
    parity: bus.parity ?? 'even',
    dataBits: bus.dataBits ?? 8,
    // Modbus over Serial Line V1.02: no parity needs 2 stop bits (FACTS.md); 8N1 is off-spec but allowed.
    stopBits: bus.stopBits ?? 1,
    turnaroundMs: bus.turnaroundMs ?? 2,
    minRequestGapMs: bus.minRequestGapMs ?? 0,
    framing: bus.framing ?? 'strict',
  };
  return Array.from({ length: count }, (_, k) => ({
    id: nth(bus.id, k + 1, pad),
    path: nth(serialPath, k + 1, pad),
    ...line,
  }));
}
