// What the routes need, handed to each router.
import type { Clock, SessionManager } from '../../src/index.js';
import type { Csrf } from '../../src/csrf/index.js';
import type { LoginThrottle } from './login-throttle.js';
import type { AppSessionData } from './session-data.js';
import type { UserRepository } from './users/types.js';

export interface AppDeps {
  manager: SessionManager<AppSessionData>;
  users: UserRepository;
  csrf: Csrf;
  clock: Clock;
  /** Failed-login limits per account and per IP. */
  throttle: LoginThrottle;
}
