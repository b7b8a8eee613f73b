/**
 * OCI image-spec documents, with the docker schema2 fields berth reads. Parsers in this folder
 * return these types; fields a type does not list are kept on the object as they were, so a
 * parsed document re-serialises with everything it had.
 */
import type { AnyDigest } from './digest-format.js';

export type Annotations = Record<string, string>;

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  /** Docker manifest lists carry this (unused by image-spec). */
  features?: string[];
}

/** A typed pointer to content: what it is, how big, and its digest. */
export interface Descriptor {
  mediaType: string;
  digest: AnyDigest;
  size: number;
  urls?: string[];
  annotations?: Annotations;
  /** The content itself, base64 (with padding), for small blobs. */
  data?: string;
  artifactType?: string;
  /** Only meaningful in an index / manifest list. */
  platform?: Platform;
}

/** An OCI image manifest or a docker schema2 manifest (the same shape). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  /** Base layer first. May be empty: docker builds `FROM scratch` images without layers. */
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Annotations;
}

/** An OCI image index or a docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Annotations;
}

/** docker's HEALTHCHECK; durations are nanoseconds, as Go's time.Duration. */
export interface HealthConfig {
  /** `[]` inherit, `["NONE"]` disabled, `["CMD", …]` exec, `["CMD-SHELL", cmd]` shell. */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The `config` object of an image config: how to run a container from the image. */
export interface ContainerConfig {
  User?: string;
  /** Keys `port/proto` (`8080/tcp`); values are empty objects. */
  ExposedPorts?: Record<string, object>;
  /** `NAME=value` entries. */
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  /** Keys are container paths; values are empty objects. */
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Windows only in practice: the command line is already escaped. */
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  Shell?: string[];
  OnBuild?: string[];
}

export interface RootFs {
  type: 'layers';
  /** Digests of the uncompressed layer tars, base first. */
  diff_ids: AnyDigest[];
}

export interface HistoryEntry {
  created?: string;
  author?: string;
  created_by?: string;
  comment?: string;
  /** True when the step changed only metadata and added no layer. */
  empty_layer?: boolean;
}

/** An OCI image config or docker image config (`application/vnd.docker.container.image.v1+json`). */
export interface ImageConfig {
  /** RFC 3339. */
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: RootFs;
  history?: HistoryEntry[];
}

/** The `oci-layout` file at the root of an OCI image layout. */
export interface ImageLayout {
  imageLayoutVersion: '1.0.0';
}
