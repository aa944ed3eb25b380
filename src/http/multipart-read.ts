import busboy from 'busboy';
import { invalidInput } from '../contract/errors.js';

/** The uploaded file of a multipart/form-data body. */
export interface FormFile {
  filename?: string;
  data: Buffer;
}

/**
 * Extracts the file part (named "file", else the first part with a filename) of an already
 * size-capped multipart/form-data body with busboy, the parser express' own ecosystem relies on.
 */
export function readMultipartFile(body: Buffer, contentType: string): Promise<FormFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { files: 16, fields: 64 },
        defParamCharset: 'utf8',
      });
    } catch (error) {
      reject(invalidInput('multipart body without a valid boundary', error));
      return;
    }
    const files: { field: string; filename?: string; data: Buffer }[] = [];
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A truncated body errors the part stream too; an unhandled 'error' would crash the process.
      stream.on('error', (error) => reject(invalidInput('malformed multipart body', error)));
      stream.on('end', () => {
        files.push({
          field,
          ...(info.filename ? { filename: info.filename } : {}),
          data: Buffer.concat(chunks),
        });
      });
    });
    parser.on('error', (error) => reject(invalidInput('malformed multipart body', error)));
    parser.on('close', () => {
      const file = files.find((f) => f.field === 'file') ?? files.find((f) => f.filename !== undefined);
      if (file === undefined || file.data.length === 0) {
        reject(invalidInput('multipart body has no "file" part'));
        return;
      }
      resolve({ data: file.data, ...(file.filename !== undefined ? { filename: file.filename } : {}) });
    });
    parser.end(body);
  });
}
