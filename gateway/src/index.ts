/** @gridsafe/gateway: the field gateway as a library (the CLI is cli.ts). */
export { Gateway, type GatewayOptions } from './gateway.js';
export { loadConfig, buildConfig, DEFAULT_POLLING } from './config/load.js';
export { ConfigError, ConfigSource } from '@gridsafe/shared';
export { demoConfigData, DEMO_GATEWAY_ID, DEMO_SECRET } from './config/demo.js';
export { ENVIRONMENT } from './config/env.js';
export type * from './config/types.js';
export {
  planRequests,
  planForProfile,
  MODBUS_MAX_READ_REGISTERS,
  type PlannedRequest,
  type PlannedValue,
} from './modbus/planner.js';
export { Bus, type BusRequest, type BusOutcome } from './modbus/bus.js';
export { ModbusSerialLink, type ModbusLink } from './modbus/link.js';
export { ModbusReadError, ERROR_KINDS, type ErrorKind } from './modbus/errors.js';
export { interFrameSilenceMs, characterTimeMs, readCycleMs, bitsPerCharacter } from './modbus/timing.js';
export { decodeReply, ratioFor } from './poll/decode.js';
export { DevicePoller } from './poll/device-poller.js';
export { Batcher } from './poll/batcher.js';
export { SqliteOutbox, OUTBOX_FILE } from './outbox/sqlite-outbox.js';
export { OVERFLOW_POLICIES } from './outbox/overflow/index.js';
export type * from './outbox/types.js';
export { MqttUplink } from './uplink/mqtt-uplink.js';
export { GATEWAY_VERSION } from './version.js';
export { GATEWAY_NODE_FLAGS } from './node-flags.js';
