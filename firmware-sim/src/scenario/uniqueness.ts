/** Checks across a scenario's lists: ids used once, one listener per TCP address, one device per unit or address on a bus. */
import type { Problems } from './problems.js';
import type { BusSpec, DeviceSpec } from './types.js';

/** Copies are expanded by then, so the problem names the list (an id may come from a `count`). */
export function uniqueIds(list: string, items: ReadonlyArray<{ id: string }>, problems: Problems): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) problems.add([list], `id "${id}" is used twice`);
    seen.add(id);
  }
}

export function uniqueTcpAddresses(buses: BusSpec[], problems: Problems): void {
  const addresses = buses.flatMap((b) => (b.kind === 'tcp' && b.port !== 0 ? [`${b.host}:${b.port}`] : []));
  if (new Set(addresses).size !== addresses.length)
    problems.add(
      ['buses'],
      'two TCP buses listen on the same host and port; put their devices on one bus (unit ids tell them apart)',
    );
}

export function uniqueBusAddresses(devices: DeviceSpec[], problems: Problems): void {
  const taken = new Map<string, string>();
  for (const d of devices) {
    const key = d.dlt645 ? `${d.bus}/dlt645:${d.dlt645.address}` : `${d.bus}/${d.unit}`;
    const other = taken.get(key);
    if (other)
      problems.add(
        ['devices'],
        `devices "${other}" and "${d.id}" share ${d.dlt645 ? `address ${d.dlt645.address}` : `unit ${d.unit}`} on bus "${d.bus}"`,
      );
    taken.set(key, d.id);
  }
}
