/** Every environment variable the gateway reads, with its meaning (for --help and the README). */
export const ENVIRONMENT: ReadonlyArray<[name: string, meaning: string]> = [
  ['GRIDSAFE_BROKER_URL', 'MQTT broker URL (default mqtt://127.0.0.1:1883); overrides mqtt.url of a config file'],
  ['GRIDSAFE_GATEWAY_SECRET', "the gateway's MQTT password (demo default gw-001-demo-secret); overrides mqtt.password"],
  ['GRIDSAFE_DATA_DIR', 'data folder holding the outbox (default ./data/gateway); overrides dataDir'],
  ['GRIDSAFE_SIM_HOST', 'demo config only: host of the Modbus TCP simulator (default 127.0.0.1)'],
  ['GRIDSAFE_SIM_TCP_PORT', 'demo config only: port of the Modbus TCP simulator (default 5020)'],
  ['GRIDSAFE_DEMO_RS485_PATH', "demo config only: serial line of the simulator's DL/T 645 meter (none: no such meter)"],
  ['GRIDSAFE_LOG_LEVEL', 'log level: fatal error warn info debug trace (default info)'],
];

export const DEFAULT_BROKER_URL = 'mqtt://127.0.0.1:1883';
export const DEFAULT_DATA_DIR = './data/gateway';
