/** Registers every api_budget component (import for side effects) and exposes the classes. */
export { HttpApiBudget, buildHttpApiBudget, parseResetTime } from './http-api-budget.js';
export { FixedWindowCallRatePolicy } from './fixed-window-call-rate-policy.js';
export { MovingWindowCallRatePolicy, type Rate } from './moving-window-call-rate-policy.js';
export { UnlimitedCallRatePolicy } from './unlimited-call-rate-policy.js';
export { HttpRequestRegexMatcher } from './http-request-regex-matcher.js';
export { systemClock, type Clock } from './clock.js';
export { parseIsoDurationMs } from './duration.js';
export type { CallRatePolicy, MatchableRequest, RequestMatcher, Reservation } from './policy.js';
