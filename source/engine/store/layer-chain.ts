/**
 * OCI ChainIDs: a layer's identity including everything beneath it, so the same diff on top of
 * different parents is stored twice and the same stack is stored once.
 * chain[0] = diff[0]; chain[n] = sha256(chain[n-1] + " " + diff[n]).
 */
import { type Digest, sha256 } from '../util/index.js';

/** The whole chain for a list of diff ids (one implementation, checked by the conformance vectors). */
export { chainIds } from '../oci/identity.js';

export function chainId(parent: Digest | undefined, diffId: Digest): Digest {
  return parent ? sha256(`${parent} ${diffId}`) : diffId;
}
