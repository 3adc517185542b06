/** Sorts the errors modbus-serial reports into the kinds the gateway counts and reacts to differently. */

export const ERROR_KINDS = ['timeout', 'crc', 'framing', 'busy', 'exception', 'disconnected', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Modbus exception 2: illegal data address, the request touches a register the device does not have. */
export const EXCEPTION_ILLEGAL_ADDRESS = 2;

/** A Modbus exception reply carries the request's function code with this bit set (Modbus application protocol). */
export const EXCEPTION_FLAG = 0x80;

/** Modbus exception 6: slave device busy, retry later (FACTS.md). */
export const EXCEPTION_BUSY = 6;

export class ModbusReadError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly exceptionCode?: number,
  ) {
    super(message);
    this.name = 'ModbusReadError';
  }
}

export function classify(error: unknown): ModbusReadError {
  if (error instanceof ModbusReadError) return error;
  const e = error as
    { name?: string; message?: string; modbusCode?: number; errno?: string; code?: string } | undefined;
  const message = e?.message ?? String(error);
  if (typeof e?.modbusCode === 'number') {
    return new ModbusReadError(e.modbusCode === EXCEPTION_BUSY ? 'busy' : 'exception', message, e.modbusCode);
  }
  if (e?.name === 'TransactionTimedOutError' || message === 'Timed out')
    return new ModbusReadError('timeout', 'no reply within the timeout');
  if (message === 'CRC error') return new ModbusReadError('crc', 'reply failed its CRC check');
  if (/^(Data length error|Unexpected data error)/.test(message)) return new ModbusReadError('framing', message);
  if (
    e?.name === 'PortNotOpenError' ||
    /Port Not Open|ECONNREFUSED|ECONNRESET|EPIPE|not open/i.test(message) ||
    e?.code === 'ECONNREFUSED'
  ) {
    return new ModbusReadError('disconnected', message);
  }
  return new ModbusReadError('other', message);
}
