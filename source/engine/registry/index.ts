/** The distribution client: pull, push, login and the pieces they are built from. */
export {
  RegistryService,
  normalizeLoginServer,
  type RegistryServiceOptions,
  type ServicePullOptions,
} from './registry-service.js';
export type { PullResult } from './image-pull.js';
export type { PushResult, PushOptions } from './image-push.js';
export type { UploadMode } from './blob-upload.js';
export type { RegistryStores, ImageRegistrar } from './registry-stores.js';
export { RegistryClient, type RegistryClientOptions, type RegistryRequest } from './registry-client.js';
export { HttpTransport } from './http-transport.js';
export {
  DockerCredentialStore,
  dockerConfigDir,
  type Credentials,
  CredentialHelperError,
} from './docker-credentials.js';
export * from './registry-errors.js';
export * from './endpoints.js';
export * from './platform.js';
export * from './registry-config.js';
export { parseAuthenticate, type AuthChallenge } from './auth-challenge.js';
export { defaultRetryPolicy, retryAfterMs, type RetryPolicy } from './retry-policy.js';
export { certsDirectory, loadHostTls } from './tls-config.js';
export { layerId, type LayerState, type ProgressListener, type TransferEvent } from './transfer-progress.js';
