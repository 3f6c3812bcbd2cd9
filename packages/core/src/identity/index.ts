export { type IdentityMode, type IdentitySettings, identityModes } from './identity-mode.js';
export {
  type IdentityProof,
  isValidUserHash,
  isValidUserJwt,
  isVerifiedIdentity,
  jwtLeewaySeconds,
} from './verify-identity-proof.js';
