import { invalidInput } from '../contract/errors.js';

/** One part of a multipart/form-data body. `data` is a view into the request buffer. */
export interface FormPart {
  name?: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary parameter of a multipart Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

function headerParam(header: string, param: string): string | undefined {
  const extended = new RegExp(`;\\s*${param}\\*=(?:UTF-8|utf-8)''([^;]+)`).exec(header);
  if (extended?.[1] !== undefined) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      return undefined;
    }
  }
  const plain =
    new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"`).exec(header) ??
    new RegExp(`;\\s*${param}=([^;\\s]+)`).exec(header);
  return plain?.[1]?.replace(/\\(.)/g, '$1');
}

function parsePartHeaders(text: string): Omit<FormPart, 'data'> {
  const part: Omit<FormPart, 'data'> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-type') part.contentType = value.toLowerCase();
    if (name === 'content-disposition') {
      const field = headerParam(value, 'name');
      const filename = headerParam(value, 'filename');
      if (field !== undefined) part.name = field;
      if (filename !== undefined) part.filename = filename;
    }
  }
  return part;
}

/**
 * Splits an already buffered multipart/form-data body (RFC 7578) into its parts. The body is
 * size-capped before this runs, so working on one buffer is simpler and no less safe than streaming.
 */
export function readMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw invalidInput('multipart body has no part boundary');
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // closing "--boundary--"
    if (!body.subarray(at, at + 2).equals(CRLF)) throw invalidInput('malformed multipart body');
    const headerEnd = body.indexOf(HEADER_END, at);
    if (headerEnd < 0) throw invalidInput('malformed multipart body: part headers never end');
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headerEnd + HEADER_END.length);
    if (next < 0) throw invalidInput('malformed multipart body: missing closing boundary');
    const headers = parsePartHeaders(body.subarray(at + 2, headerEnd).toString('utf8'));
    parts.push({ ...headers, data: body.subarray(headerEnd + HEADER_END.length, next) });
    at = next + CRLF.length;
  }
}
