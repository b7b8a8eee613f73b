/** Tar archives and compression: the formats layers, docker-archives and OCI archives share. */
export { type TarHeader, type TarEntryType, TarFormatError } from './tar-header.js';
export { readTar, type TarEntry } from './tar-reader.js';
export { TarWriter } from './tar-writer.js';
export { decompressStream, UnsupportedCompressionError, type Compression } from './decompress.js';
export { HashingStream, hashingStream, hashed, digestStream } from './hashing-stream.js';
export { nativeBinary, NativeBinaryMissingError } from './native-binary.js';
export { FsOps, FsOpsError } from './fsops.js';
