/**
 * Photo files of work orders, under `<dataDir>/attachments/<order>/`: checked before
 * they are kept (size, and by their first bytes that they are images), written under a
 * temporary name and renamed, so a crash never leaves half a file under the final name.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowError } from './errors.js';
import { ACCEPTED_IMAGE_TYPES, sniffImage } from './image-type.js';

export interface CheckedPhoto {
  ext: string;
  mime: string;
  size: number;
  sha256: string;
}

export class AttachmentStore {
  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** The photo's type, size and digest; WorkflowError when it is too large, empty or not an image. */
  check(bytes: Buffer): CheckedPhoto {
    if (bytes.length > this.maxBytes)
      throw new WorkflowError(
        'too_large',
        `the photo is ${bytes.length} bytes; at most ${this.maxBytes} bytes are accepted`,
      );
    if (bytes.length === 0) throw new WorkflowError('invalid', { code: 'problem.empty_upload' });
    const type = sniffImage(bytes);
    if (!type)
      throw new WorkflowError(
        'unsupported_type',
        `the upload is not a ${ACCEPTED_IMAGE_TYPES} image (judged by its content, not its name or Content-Type)`,
      );
    return { ...type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  /** Writes the file; returns its path relative to the attachments folder (what the record keeps). */
  async save(workOrderId: string, attachmentId: string, ext: string, bytes: Buffer): Promise<string> {
    const relative = join(workOrderId, `${attachmentId}.${ext}`);
    const path = this.pathOf(relative);
    await mkdir(join(this.dir, workOrderId), { recursive: true });
    await writeFile(`${path}.part`, bytes);
    await rename(`${path}.part`, path);
    return relative;
  }

  /** Removes a file whose record could not be stored. */
  async remove(relative: string): Promise<void> {
    await rm(this.pathOf(relative), { force: true });
  }

  pathOf(relative: string): string {
    return join(this.dir, relative);
  }
}

/** A safe file name to offer for download: letters, digits, `.`, `_` and `-`, at most 100 characters. */
export function cleanFileName(name: string | undefined, ext: string): string {
  const base = (name ?? '')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  return base || `photo.${ext}`;
}
