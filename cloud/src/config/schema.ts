/** Schema of the cloud's config file (TypeBox, the one schema language); unknown fields are refused so a typo is caught at start-up. */
import { OneOf, ROLES, Section, Type } from '@gridsafe/shared';
import { FORECAST_SCHEMA } from '../forecast/settings.js';
import { LINE_LOSS_SCHEMA } from '../lineloss/settings.js';

const port = Type.Integer({ minimum: 0, maximum: 65535 });
const nonEmpty = Type.String({ minLength: 1 });
const optional = Type.Optional;

export const configFileSchema = Section({
  http: optional(
    Section({
      host: optional(nonEmpty),
      port: optional(port),
      bodyLimitBytes: optional(Type.Integer({ minimum: 1024, maximum: 104857600 })),
      rateLimitPerMinute: optional(Type.Integer({ minimum: 1 })),
    }),
  ),
  mqtt: optional(
    Section({
      host: optional(nonEmpty),
      port: optional(port),
      brokerUrl: optional(nonEmpty),
      username: optional(nonEmpty),
      password: optional(nonEmpty),
      shareGroup: optional(
        Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', hint: 'must be 1 to 64 letters, digits, _ or -' }),
      ),
      clientId: optional(
        Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', hint: 'must be 1 to 64 letters, digits, _ . or -' }),
      ),
      topicPrefix: optional(nonEmpty),
      requireAuth: optional(Type.Boolean()),
      tls: optional(Section({ certFile: nonEmpty, keyFile: nonEmpty, port: optional(port) })),
    }),
  ),
  dataDir: optional(nonEmpty),
  seedFile: optional(nonEmpty),
  influx: optional(
    Section({
      url: nonEmpty,
      token: optional(nonEmpty),
      org: optional(nonEmpty),
      bucket: optional(nonEmpty),
      database: optional(nonEmpty),
      username: optional(nonEmpty),
      password: optional(nonEmpty),
      retentionPolicy: optional(nonEmpty),
      gzip: optional(Type.Boolean()),
    }),
  ),
  database: optional(Section({ url: optional(nonEmpty) })),
  cluster: optional(
    Section({
      enabled: optional(Type.Boolean()),
      partitions: optional(Type.Integer({ minimum: 1, maximum: 4096 })),
      takeoverSeconds: optional(Type.Integer({ minimum: 1, maximum: 300 })),
    }),
  ),
  // Each block is checked against its detector's own schema (detector-kit/settings.ts).
  detectors: optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()))),
  tickIntervalMs: optional(Type.Integer({ minimum: 100, maximum: 3600000 })),
  api: optional(
    Section({
      auth: optional(Type.Boolean()),
      // The demo's users (config/demo-users.ts) sign in, listed on the console's sign-in page.
      demo: optional(Type.Boolean()),
      users: optional(
        Type.Array(
          Section({
            name: Type.String({
              pattern: '^[A-Za-z0-9_.@-]{1,64}$',
              hint: 'must be 1 to 64 letters, digits, _ . @ or -',
            }),
            role: OneOf(ROLES),
            token: Type.String({ minLength: 16 }),
            areas: optional(Type.Array(nonEmpty)),
          }),
        ),
      ),
    }),
  ),
  logLevel: optional(OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  // Checked in detail by the workflow settings (work orders, notifications, cases, console).
  workflow: optional(Type.Record(Type.String(), Type.Unknown())),
  // Load forecasting and overload pre-warning (cloud/src/forecast/README.md).
  forecast: optional(FORECAST_SCHEMA),
  // Transformer-area line loss (cloud/src/lineloss/README.md).
  lineLoss: optional(LINE_LOSS_SCHEMA),
});
