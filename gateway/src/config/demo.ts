/**
 * The embedded demo config that runs when no --config is given: gateway gw-001 polling
 * the firmware-sim demo fleet (a DTSU666 meter and an RCM-4 terminal on one Modbus TCP
 * port; with GRIDSAFE_DEMO_RS485_PATH, also the DL/T 645 meter on that serial line),
 * matching deploy/demo/registry.json.
 */
import { DEFAULT_BROKER_URL, DEFAULT_DATA_DIR } from './env.js';

export const DEMO_GATEWAY_ID = 'gw-001';
export const DEMO_SECRET = 'gw-001-demo-secret';

export function demoConfigData(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const port = Number(env['GRIDSAFE_SIM_TCP_PORT'] ?? 5020);
  const rs485 = env['GRIDSAFE_DEMO_RS485_PATH'] || undefined;
  return {
    gateway: { id: DEMO_GATEWAY_ID },
    mqtt: { url: DEFAULT_BROKER_URL, password: DEMO_SECRET },
    dataDir: DEFAULT_DATA_DIR,
    batch: { maxAge: '2s', maxReadings: 500 },
    buses: [
      {
        id: 'sim-tcp',
        kind: 'tcp',
        host: env['GRIDSAFE_SIM_HOST'] ?? '127.0.0.1',
        port: Number.isNaN(port) ? env['GRIDSAFE_SIM_TCP_PORT'] : port,
      },
      // A bus of DL/T 645 meters only: 2400 8E1 by default.
      ...(rs485 ? [{ id: 'rs485-1', kind: 'serial', path: rs485 }] : []),
    ],
    devices: [
      { id: 'm-001', bus: 'sim-tcp', unit: 1, profile: 'dtsu666', ctRatio: 60, ptRatio: 1, pollInterval: '1s' },
      { id: 't-001', bus: 'sim-tcp', unit: 2, profile: 'gridsafe-rcm4', pollInterval: '1s' },
      // The simulator's demo DL/T 645 meter (firmware-sim DEMO_DLT645_ADDRESS): 12 reads take about 2.2 s at 2400 baud.
      ...(rs485
        ? [{ id: 'd-001', bus: 'rs485-1', address: '000000000101', profile: 'dlt645-3p', pollInterval: '5s' }]
        : []),
    ],
  };
}
