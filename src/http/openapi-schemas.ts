import { API_STATUS_BY_CODE } from './http-errors.js';

/** Reusable OpenAPI 3.1 component schemas (the snake_case shapes of json-shapes.ts). */

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;

const object = (properties: Record<string, unknown>, required: string[], extra = false) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: extra,
});

export const schemas = {
  Error: object(
    {
      error: object({ code: { type: 'string', enum: Object.keys(API_STATUS_BY_CODE) }, message: str }, [
        'code',
        'message',
      ]),
    },
    ['error'],
  ),
  Session: object(
    {
      session_id: str,
      filename: str,
      created_at: time,
      updated_at: time,
      expires_at: time,
      rows: int,
      columns: int,
      bytes: { ...int, description: 'Stored (encoded) bytes of the current frame.' },
      version: { ...int, description: 'Monotonic state version; send as expected_version to fence writes.' },
      version_count: int,
      can_undo: { type: 'boolean' },
      can_redo: { type: 'boolean' },
      last_user: { type: 'string', description: 'The user of the newest audit entry that names one.' },
    },
    [
      'session_id',
      'created_at',
      'updated_at',
      'expires_at',
      'rows',
      'columns',
      'bytes',
      'version',
      'version_count',
      'can_undo',
      'can_redo',
    ],
  ),
  SessionList: object(
    { sessions: { type: 'array', items: { $ref: '#/components/schemas/Session' } }, next_cursor: str },
    ['sessions'],
  ),
  Version: object(
    {
      version: int,
      label: str,
      operation: str,
      user: str,
      created_at: time,
      rows: int,
      columns: int,
      bytes: int,
    },
    ['version', 'created_at', 'rows', 'columns', 'bytes'],
  ),
  FrameDiff: object(
    {
      from: {
        oneOf: [int, { const: 'current' }],
        description: 'The frame compared from (resolved default).',
      },
      to: { oneOf: [int, { const: 'current' }] },
      rows_before: int,
      rows_after: int,
      columns_added: { type: 'array', items: str, description: 'In `to` schema order.' },
      columns_removed: { type: 'array', items: str, description: 'In `from` schema order.' },
      columns_changed: { type: 'array', items: str, description: 'Type or any value differs.' },
      columns_unchanged: { type: 'array', items: str },
    },
    [
      'from',
      'to',
      'rows_before',
      'rows_after',
      'columns_added',
      'columns_removed',
      'columns_changed',
      'columns_unchanged',
    ],
  ),
  AuditEntry: object(
    {
      seq: int,
      at: time,
      operation: str,
      details: { type: 'object', additionalProperties: true },
      user: str,
      rows_before: int,
      rows_after: int,
    },
    ['seq', 'at', 'operation'],
  ),
  AuditInput: object(
    {
      operation: { ...str, minLength: 1, maxLength: 100 },
      details: { type: 'object', additionalProperties: true },
      user: str,
      rows_before: { ...int, minimum: 0 },
      rows_after: { ...int, minimum: 0 },
    },
    ['operation'],
  ),
  Mark: object(
    {
      row: { ...int, minimum: 0, description: '0-based row of the current frame' },
      column: str,
      reason: str,
    },
    ['row', 'column'],
  ),
  MarkedCell: object({ row: int, column: str, reason: str, marked_at: time }, ['row', 'column', 'marked_at']),
  Cell: object({ row: { ...int, minimum: 0 }, column: str }, ['row', 'column']),
  Sheet: object({ name: str, rows: int, columns: int, bytes: int }, ['name', 'rows', 'columns', 'bytes']),
  Upload: object(
    {
      upload_id: str,
      filename: str,
      created_at: time,
      expires_at: time,
      sheets: { type: 'array', items: { $ref: '#/components/schemas/Sheet' } },
    },
    ['upload_id', 'created_at', 'expires_at', 'sheets'],
  ),
  HealthCheck: object(
    { status: { enum: ['healthy', 'degraded', 'unhealthy'] }, latency_ms: { type: 'number' }, message: str },
    ['status'],
  ),
  StorageHealth: object(
    {
      status: { enum: ['healthy', 'degraded', 'unhealthy'] },
      backend_type: { enum: ['redis', 'inmemory'] },
      redis_enabled: { type: 'boolean' },
      fallback_active: { type: 'boolean' },
      sessions: object({ active: int }, ['active']),
      checks: { type: 'object', additionalProperties: { $ref: '#/components/schemas/HealthCheck' } },
      redis_info: object(
        {
          connected: { type: 'boolean' },
          mode: { enum: ['standalone', 'sentinel', 'cluster'] },
          version: str,
          used_memory_bytes: int,
          maxmemory_policy: str,
          persistence: str,
          latency_ms: { type: 'number' },
          nodes: {
            type: 'array',
            items: object(
              {
                address: str,
                role: { enum: ['master', 'replica'] },
                status: { enum: ['ok', 'down'] },
                used_memory_bytes: int,
                replication_lag_ms: { type: 'number' },
              },
              ['address', 'role', 'status'],
            ),
          },
        },
        [
          'connected',
          'mode',
          'version',
          'used_memory_bytes',
          'maxmemory_policy',
          'persistence',
          'latency_ms',
        ],
      ),
    },
    ['status', 'backend_type', 'redis_enabled', 'fallback_active', 'sessions', 'checks'],
  ),
  Service: object(
    {
      service: { const: 'framestore' },
      version: str,
      backend_type: { enum: ['redis', 'inmemory'] },
      active_sessions: int,
    },
    ['service', 'version', 'backend_type', 'active_sessions'],
  ),
} as const;
