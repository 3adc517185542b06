/** The gateway reads its config with the shared source and error types (file:line:col: field: problem). */
export { ConfigError, ConfigSource, formatPath, type FieldPath } from '@gridsafe/shared';
