/** Media types the API reads and writes. */
export const MEDIA = {
  arrowStream: 'application/vnd.apache.arrow.stream',
  arrowFile: 'application/vnd.apache.arrow.file',
  json: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  multipart: 'multipart/form-data',
} as const;

/** The media type of a request without parameters, lower-cased ('' when absent). */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
