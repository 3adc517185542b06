/** The failed-login count per address: a window of failures, then refusal until it ends, per address. */
import t from 'tap';
import { LoginThrottle } from '../src/security/login-throttle.js';

t.test('an address is refused after maxFailures in a window, until the window ends; others are not', async (t) => {
  let now = 1_000_000;
  const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    t.equal(throttle.retryAfterSeconds('10.0.0.1'), 0, `may try (${i} failures)`);
    throttle.recordFailure('10.0.0.1');
  }
  t.equal(throttle.retryAfterSeconds('10.0.0.1'), 60, 'refused for the rest of the window');
  t.equal(throttle.retryAfterSeconds('10.0.0.2'), 0, 'another address is not');
  now += 59_500;
  t.equal(throttle.retryAfterSeconds('10.0.0.1'), 1);
  now += 500;
  t.equal(throttle.retryAfterSeconds('10.0.0.1'), 0, 'a new window');
});

t.test('many addresses: the oldest are forgotten, memory stays bounded', async (t) => {
  const throttle = new LoginThrottle({ maxFailures: 1, maxAddresses: 2 });
  for (const address of ['a', 'b', 'c']) throttle.recordFailure(address);
  t.equal(throttle.retryAfterSeconds('a'), 0, 'the oldest forgotten');
  t.ok(throttle.retryAfterSeconds('b') > 0 && throttle.retryAfterSeconds('c') > 0);
});
