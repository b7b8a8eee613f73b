import { BerthError } from '../errors/index.js';

export type OciDocumentKind =
  'image manifest' | 'image index' | 'image config' | 'descriptor' | 'image layout';

/** An image document that breaks the image spec; the message names the document and the field. */
export class InvalidManifestError extends BerthError {
  readonly document: OciDocumentKind;
  /** JSON path of the offending field (`layers[1].digest`), empty for the document itself. */
  readonly field: string;

  constructor(document: OciDocumentKind, field: string, problem: string) {
    super('INVALID_MANIFEST', `invalid ${document}: ${field ? `${field} ` : ''}${problem}`, 125);
    this.document = document;
    this.field = field;
  }
}
