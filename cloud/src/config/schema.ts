/** JSON Schema of the cloud's config file; unknown fields are refused so a typo is caught at start-up. */
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;

export const configFileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: nonEmpty,
        port,
        bodyLimitBytes: { type: 'integer', minimum: 1024, maximum: 104857600 },
        rateLimitPerMinute: { type: 'integer', minimum: 1 },
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: nonEmpty,
        port,
        brokerUrl: nonEmpty,
        username: nonEmpty,
        password: nonEmpty,
        shareGroup: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        clientId: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
        topicPrefix: nonEmpty,
        requireAuth: { type: 'boolean' },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certFile', 'keyFile'],
          properties: { certFile: nonEmpty, keyFile: nonEmpty, port },
        },
      },
    },
    dataDir: nonEmpty,
    seedFile: nonEmpty,
    influx: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: nonEmpty,
        token: nonEmpty,
        org: nonEmpty,
        bucket: nonEmpty,
        database: nonEmpty,
        username: nonEmpty,
        password: nonEmpty,
        retentionPolicy: nonEmpty,
        gzip: { type: 'boolean' },
      },
    },
    database: { type: 'object', additionalProperties: false, properties: { url: nonEmpty } },
    detectors: {
      type: 'object',
      additionalProperties: { type: 'object' },
    },
    tickIntervalMs: { type: 'integer', minimum: 100, maximum: 3600000 },
    api: {
      type: 'object',
      additionalProperties: false,
      properties: {
        auth: { type: 'boolean' },
        users: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'role', 'token'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$' },
              role: { enum: ['admin', 'inspector', 'auditor'] },
              token: { type: 'string', minLength: 16 },
              areas: { type: 'array', items: nonEmpty },
            },
          },
        },
      },
    },
    logLevel: nonEmpty,
    // Checked in detail by cloud/src/workflow-plugin/settings.ts (work orders, notifications, cases, console).
    workflow: { type: 'object' },
  },
} as const;
