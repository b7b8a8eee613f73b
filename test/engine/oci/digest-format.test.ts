import test from 'ava';
import {
  chainId,
  chainIds,
  checkDigest,
  isDescriptorDigest,
  isVerifiableDigest,
  referrersTag,
} from '../../../source/engine/oci/index.js';

test('checkDigest follows go-digest: grammar, then exact encoding of registered algorithms', (t) => {
  t.like(checkDigest(`sha256:${'a'.repeat(64)}`), { ok: true, algorithm: 'sha256' });
  t.like(checkDigest(`sha384:${'a'.repeat(96)}`), { ok: true, algorithm: 'sha384' });
  t.like(checkDigest(`sha512:${'a'.repeat(128)}`), { ok: true, algorithm: 'sha512' });
  t.like(checkDigest(`sha256:${'a'.repeat(65)}`), { ok: false, problem: 'length' });
  t.like(checkDigest(`sha256:${'A'.repeat(64)}`), { ok: false, problem: 'format' });
  t.like(checkDigest('sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564'), {
    ok: false,
    problem: 'unsupported',
  });
  t.like(checkDigest('SHA256:abc'), { ok: false, problem: 'format' });
  t.like(checkDigest('sha256'), { ok: false, problem: 'format' });
  t.like(checkDigest(':abc'), { ok: false, problem: 'format' });
  t.like(checkDigest('sha256:'), { ok: false, problem: 'format' });
});

test('descriptor digests may use unknown algorithms; verifiable ones may not', (t) => {
  t.true(isDescriptorDigest('multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8'));
  t.false(isVerifiableDigest('multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8'));
  t.false(isDescriptorDigest('sha256+foo+-b:abc'));
});

test('chain IDs need at least one layer', (t) => {
  t.deepEqual(chainIds([]), []);
  t.throws(() => chainId([]), { instanceOf: RangeError });
});

test('referrers tags are valid tags', (t) => {
  t.regex(referrersTag(`sha512:${'a'.repeat(128)}`), /^[\w][\w.-]{0,127}$/);
});
