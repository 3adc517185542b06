/** @gridsafe/firmware-sim: simulated meters and terminals over Modbus RTU and TCP, scenarios, ground truth. */
export { startSimulator, type SimulatorHandle, type SimulatorOptions } from './runtime/simulator.js';
export { SimDevice, type DeviceCounters } from './runtime/sim-device.js';
export { FleetModel, resolveEvents, truthRecord, type TruthRecord } from './model/fleet.js';
export { DeviceTimeline, type DeviceSnapshot, type ResolvedEvent } from './model/device-model.js';
export { computeThreePhase, lineVoltage } from './model/electrical.js';
export { DAILY_SHAPES, dailyFactor, shapeFactor } from './model/shapes.js';
export { DeviceRegisters, DEFAULT_BLOCK_GAP, ratioFor } from './registers/device-registers.js';
export { loadScenarioFile, parseScenario, parseScenarioText, type ParseOptions } from './scenario/parse.js';
export { demoScenario, demoScenarioData } from './scenario/demo.js';
export * from './scenario/types.js';
export { ModbusTcpServer } from './transport/tcp-server.js';
export { ModbusRtuServer, type RtuBusCounters } from './transport/rtu-server.js';
export { wireTiming, type WireTiming } from './transport/wire-timing.js';
export { crc16, crcOk, withCrc } from './protocol/crc.js';
export { EXCEPTION } from './protocol/pdu.js';
export { generateReadings, type GenerateOptions, type GenerateSummary } from './runtime/generate.js';
