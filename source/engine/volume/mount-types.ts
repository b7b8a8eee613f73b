/**
 * Mounts at three stages: what the user asked for (MountSpec, from -v/--mount/--tmpfs), what the
 * container record keeps (MountPoint, shaped like docker's inspect `Mounts` so it can be shown as
 * is), and what the runtime gets (OciMount, from runtime/oci-spec).
 */

/** Bind propagation modes docker accepts. */
export const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;
export type Propagation = (typeof PROPAGATIONS)[number];

export interface VolumeMountSpec {
  type: 'volume';
  /** Volume name; undefined for an anonymous volume. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** `nocopy` / `volume-nocopy`: do not fill an empty volume from the image. */
  noCopy: boolean;
  /** `volume-label=` of --mount: labels for a volume this mount creates. */
  labels: Record<string, string>;
  /** The -v MODE as given (inspect shows it). */
  mode?: string;
}

export interface BindMountSpec {
  type: 'bind';
  /** Absolute host path. */
  source: string;
  target: string;
  readOnly: boolean;
  propagation?: Propagation;
  /** `-v` creates a missing source directory; `--mount type=bind` refuses instead. */
  createSource: boolean;
  /** `bind-nonrecursive`: a plain bind, submounts of the source not carried along. */
  nonRecursive: boolean;
  /** The -v MODE as given (inspect shows it). */
  mode?: string;
}

export interface TmpfsMountSpec {
  type: 'tmpfs';
  target: string;
  readOnly: boolean;
  /** Mount data options given by the user (size=…, mode=…, exec, …). */
  options: string[];
  /** docker lists --mount tmpfs in inspect's Mounts but --tmpfs ones only in HostConfig.Tmpfs. */
  fromTmpfsFlag: boolean;
}

export type MountSpec = VolumeMountSpec | BindMountSpec | TmpfsMountSpec;

export interface VolumesFromSpec {
  container: string;
  /** Overrides every mount's mode; undefined keeps each one's own. */
  mode?: 'ro' | 'rw';
}

/** Everything the run/create flags said about mounts, parsed and validated. */
export interface MountRequest {
  mounts: MountSpec[];
  volumesFrom: VolumesFromSpec[];
}

/** The raw flag values, as the CLI (or the dashboard) collected them. */
export interface MountFlags {
  /** -v / --volume */
  volume?: string[];
  /** --mount */
  mount?: string[];
  /** --tmpfs */
  tmpfs?: string[];
  /** --volumes-from */
  volumesFrom?: string[];
}

/**
 * One mount as the container record keeps it. The capitalised fields are docker's inspect
 * `Mounts` entry; the rest is what berth needs to set the mount up again at every start.
 */
export interface MountPoint {
  Type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (volumes only). */
  Name?: string;
  /** Host path: the volume's _data, the bind source, '' for tmpfs. */
  Source: string;
  /** Where the user asked for it inside the container (clean absolute path). */
  Destination: string;
  Driver?: string;
  /** The -v mode string as given ('ro', 'z', ''), as docker shows it. */
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** An anonymous volume this container created: `rm -v` removes it. */
  anonymous?: boolean;
  /** Fill the volume from the image at first start when it is empty (docker's copy-up). */
  copyData?: boolean;
  /** A --mount bind: a source missing at start is an error, never created. */
  mustExist?: boolean;
  /** Bind without submounts. */
  nonRecursive?: boolean;
  /** tmpfs mount data options (size=…, mode=…), docker's defaults not included. */
  tmpfsOptions?: string[];
  /** Came from --tmpfs (kept out of inspect's Mounts, as docker does). */
  fromTmpfsFlag?: boolean;
}

/** docker's inspect `Mounts` entry. */
export interface InspectMount {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}
