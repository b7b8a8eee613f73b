/**
 * Layer identity from image-spec's identity package: the chain ID of a layer names the whole
 * stack below it, so an unpacked layer can be shared by every image with the same parents.
 *   ChainID(L0) = DiffID(L0);  ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))
 */
import { sha256, type Digest } from '../util/digest.js';

/** The chain ID of the topmost layer of `diffIds` (bottom first). */
export function chainId(diffIds: readonly Digest[]): Digest {
  const ids = chainIds(diffIds);
  const top = ids[ids.length - 1];
  if (top === undefined) throw new RangeError('chainId needs at least one diff ID');
  return top;
}

/** The chain ID of every prefix of `diffIds`: element i names layers 0..i. */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const ids: Digest[] = [];
  for (const diffId of diffIds) {
    const parent = ids[ids.length - 1];
    ids.push(parent === undefined ? diffId : sha256(`${parent} ${diffId}`));
  }
  return ids;
}
