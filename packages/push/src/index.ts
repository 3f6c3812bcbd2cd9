export {
  checkTarget,
  checkUrlShape,
  isPublicAddress,
  type TargetCheck,
  type TargetPolicy,
} from './check-target.js';
export { generateWebhookSecret, type PostOutcome, postSigned, type SignedPost } from './post-signed.js';
