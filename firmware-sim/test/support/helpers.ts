/** Small helpers for the simulator's tests: temp dirs, scenarios from text, a Modbus client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';
import {
  createLogger,
  decodeRegisters,
  loadBuiltinProfiles,
  type DeviceProfile,
  type Quantity,
} from '@gridsafe/shared';
import { parseScenarioText, type Scenario } from '../../src/index.js';

export const profiles = loadBuiltinProfiles();
export const quietLog = createLogger('firmware-sim-test', { level: process.env['GRIDSAFE_LOG_LEVEL'] ?? 'error' });

export function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-sim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function scenarioFrom(yaml: string): Scenario {
  return parseScenarioText(yaml, 'test scenario', { profiles });
}

export function profile(id: string): DeviceProfile {
  const p = profiles.get(id);
  if (!p) throw new Error(`no profile ${id}`);
  return p;
}

/** Decodes a block read starting at `start` into the profile's quantities, in primary units. */
export function decodeBlock(
  p: DeviceProfile,
  fn: 3 | 4,
  start: number,
  words: number[],
  ct: number,
  pt: number,
): Partial<Record<Quantity, number>> {
  const out: Partial<Record<Quantity, number>> = {};
  for (const reg of p.registers) {
    if (reg.function !== fn) continue;
    const offset = reg.address - start;
    const n = reg.type === 'int16' || reg.type === 'uint16' ? 1 : 2;
    if (offset < 0 || offset + n > words.length) continue;
    const ratio = reg.primary === 'ct' ? ct : reg.primary === 'pt' ? pt : reg.primary === 'ctpt' ? ct * pt : 1;
    out[reg.quantity] = decodeRegisters(words.slice(offset, offset + n), reg.type, reg.byteOrder) * reg.scale * ratio;
  }
  return out;
}

export type { ModbusClient };
/** modbus-serial is CommonJS: its default import is the client class, whatever its .d.ts says. */
export const ModbusRTU = modbusSerial as unknown as new () => ModbusClient;

export async function tcpClient(port: number, timeoutMs = 1000): Promise<ModbusClient> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setTimeout(timeoutMs);
  return client;
}

/** Closes a client whether or not the server already went away. */
export async function closeClient(client: ModbusClient): Promise<void> {
  if (!client.isOpen) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 500);
    try {
      client.close(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** The Modbus exception code of a failed request, or undefined when it did not fail that way. */
export async function exceptionOf(request: Promise<unknown>): Promise<number | string | undefined> {
  try {
    await request;
    return undefined;
  } catch (error) {
    const e = error as { modbusCode?: number; errno?: string; message?: string };
    return e.modbusCode ?? e.errno ?? e.message;
  }
}
