export {
  blocks,
  type CheckOptions,
  checkDelegation,
  type DelegationInput,
  type DsInput,
  type Endpoint,
  type Finding,
  type FindingLevel,
  type NameserverInput,
} from './checker.js';
export { type DnskeyRdata, DS_DIGESTS, dsDigest, keyTag, nameWire } from './ds.js';
export { type RrsigOutcome, type RrsigRdata, signedData, VERIFIED_ALGORITHMS, verifyRrsig } from './rrsig.js';
