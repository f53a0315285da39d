export { AuthenticationError, isAuthenticationError } from "./authentication-error.js";
export { CallError, isCallError } from "./call-error.js";
export { CancelledError, isCancelledError } from "./cancelled-error.js";
export { ConnectionError, type ConnectionErrorCode, isConnectionError } from "./connection-error.js";
export { InvalidOfferError, isInvalidOfferError } from "./invalid-offer-error.js";
export { InvalidOptionsError, isInvalidOptionsError } from "./invalid-options-error.js";
export { isMasterError, MasterError, type MasterErrorKind } from "./master-error.js";
export { isSatyrError, SatyrError } from "./satyr-error.js";
export { isTimeoutError, TimeoutError } from "./timeout-error.js";
