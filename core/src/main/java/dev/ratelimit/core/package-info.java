/**
 * The store-independent API: a {@link dev.ratelimit.core.RateLimiter} acquires permits for a key under one or more
 * {@link dev.ratelimit.core.RateLimitRule}s (declared with {@link dev.ratelimit.core.RateLimited} or built in code)
 * and answers with a {@link dev.ratelimit.core.Decision} holding one {@link dev.ratelimit.core.RuleOutcome} per rule.
 * Also here: the {@link dev.ratelimit.core.Algorithm}s, where keys come from ({@link dev.ratelimit.core.KeySource}),
 * which {@link dev.ratelimit.core.Store} decided, the injectable {@link dev.ratelimit.core.TimeSource}, and the
 * helpers shared by every store ({@link dev.ratelimit.internal.ClientKeys}, {@link dev.ratelimit.internal.Durations}).
 */
package dev.ratelimit.core;
