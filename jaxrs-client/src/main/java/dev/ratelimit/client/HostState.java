package dev.ratelimit.client;

import dev.ratelimit.client.RateLimitFields.Observation;
import dev.ratelimit.client.RateLimitFields.PolicyFields;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the filter knows about one server: per policy its quota, remaining units and effective window end, and the last
 * {@code Retry-After}. Every method is synchronized: one client is shared by threads, and the state is small.
 */
final class HostState {

    /** Why and until when requests are held back. */
    record Block(Instant until, String policy) {
    }

    /** One policy, mutable under the host's lock. Unknown numbers are -1, unknown instants null. */
    private static final class Entry {
        long quota = -1;
        long windowSeconds = -1;
        String quotaUnit;
        long remaining = -1;
        Instant resetAt;
        /** The sequence number of the request whose response last set {@link #remaining}. */
        long seq = -1;
    }

    private final String authority;
    private final Map<String, Entry> policies = new LinkedHashMap<>();
    private Instant retryAfterUntil;
    private Instant observedAt;
    /** How many requests the filter has let go to this server: the next request's sequence number. */
    private long sent;
    /**
     * The requests let go whose answers have not been read, by sequence number, with when they went. A request that
     * fails without an answer (a connection error) never leaves by itself: entries older than
     * {@link #IN_FLIGHT_TIMEOUT} are dropped.
     */
    private final LinkedHashMap<Long, Sent> inFlight = new LinkedHashMap<>();
    /** How many answers carrying a sequence number have been read: to tell whether others overtook one. */
    private long answersRead;

    /** A request let go: when, and how many answers had been read by then. */
    private record Sent(Instant at, long answersReadBefore) {
    }

    /** How long a request counts as in flight at most. */
    static final Duration IN_FLIGHT_TIMEOUT = Duration.ofMinutes(2);

    HostState(String authority) {
        this.authority = authority;
    }

    /**
     * Records what a response said, received at {@code now}.
     *
     * @param seq the sequence number {@link #tryAcquire} gave the response's request, or -1 when unknown (then the
     *            response counts as the latest)
     */
    synchronized void observe(Observation o, Instant now, long seq) {
        Sent sentX = seq >= 0 ? inFlight.remove(seq) : null;
        // answers read while this request was out: requests the server may have counted after it, whose remaining
        // this answer does not reflect and which are no longer in flight
        boolean overtaken = sentX != null && answersRead > sentX.answersReadBefore();
        if (seq >= 0) {
            answersRead++;
        }
        if (o.isEmpty()) {
            return;
        }
        observedAt = now;
        for (PolicyFields d : o.definitions()) {
            Entry e = policies.computeIfAbsent(d.name(), n -> new Entry());
            e.quota = d.quota();
            e.windowSeconds = d.windowSeconds();
            e.quotaUnit = d.quotaUnit();
        }
        Instant retryAt = o.retryAfter() == null ? null : now.plus(o.retryAfter());
        if (retryAt != null) {
            retryAfterUntil = retryAt;
        }
        long others = inFlight(now);
        long requestSeq = seq < 0 ? sent - 1 : seq;
        for (PolicyFields c : o.current()) {
            Entry e = policies.computeIfAbsent(c.name(), n -> new Entry());
            if (c.quota() >= 0) {
                e.quota = c.quota();
            }
            // The server counted this request; the others on their way may not be counted yet, in whatever order the
            // server takes them: count them all (a remaining too low corrects itself as their answers arrive).
            long estimate = Math.max(0, c.remaining() - others);
            if (requestSeq < e.seq) {
                // the answer to an older request, overtaken by a newer one's: it can only lower the estimate
                e.remaining = e.remaining < 0 ? estimate : Math.min(e.remaining, estimate);
                continue;
            }
            e.seq = requestSeq;
            // overtaken by other answers within the effective window (no quota comes back in it): never raise the
            // count, which already took those requests off
            boolean sameWindow = e.remaining >= 0 && e.resetAt != null && e.resetAt.isAfter(now);
            e.remaining = overtaken && sameWindow ? Math.min(e.remaining, estimate) : estimate;
            if (retryAt != null && c.remaining() == 0) {
                e.resetAt = retryAt; // the draft: Retry-After takes precedence over t
            } else if (c.resetSeconds() >= 0) {
                e.resetAt = now.plusSeconds(c.resetSeconds());
            } else if (c.remaining() == 0 && e.windowSeconds >= 0) {
                e.resetAt = now.plusSeconds(e.windowSeconds); // no t: the window bounds the effective window
            } else {
                e.resetAt = null;
            }
        }
    }

    /**
     * Whether a request sent at {@code now} is expected to be refused, and until when.
     *
     * @return the latest end among the exhausted policies and {@code Retry-After}, or null when the request may go
     */
    synchronized Block blockAt(Instant now) {
        Instant until = null;
        String policy = null;
        if (retryAfterUntil != null && retryAfterUntil.isAfter(now)) {
            until = retryAfterUntil;
        }
        for (Map.Entry<String, Entry> p : policies.entrySet()) {
            Entry e = p.getValue();
            if (e.remaining == 0 && e.resetAt != null && e.resetAt.isAfter(now)
                    && (until == null || !e.resetAt.isBefore(until))) {
                until = e.resetAt;
                policy = p.getKey();
            }
        }
        return until == null ? null : new Block(until, policy);
    }

    /**
     * Checks and counts one request atomically: when nothing blocks it at {@code now}, takes one unit from each
     * request-counted policy whose remaining units are known and current.
     *
     * @return the request's sequence number, or -1 when it is blocked ({@link #blockAt} says until when)
     */
    synchronized long tryAcquire(Instant now) {
        if (blockAt(now) != null) {
            return -1;
        }
        for (Entry e : policies.values()) {
            boolean current = e.resetAt == null || e.resetAt.isAfter(now);
            boolean perRequest = e.quotaUnit == null || e.quotaUnit.equals("request") || e.quotaUnit.equals("requests");
            if (e.remaining > 0 && current && perRequest) {
                e.remaining--;
            }
        }
        inFlight.put(sent, new Sent(now, answersRead));
        return sent++;
    }

    /** The number of requests in flight at {@code now}, after dropping those older than the timeout. */
    private long inFlight(Instant now) {
        Instant oldest = now.minus(IN_FLIGHT_TIMEOUT);
        inFlight.values().removeIf(s -> s.at().isBefore(oldest));
        return inFlight.size();
    }

    /** Whether this state still holds requests back at {@code now}: then it must not be evicted. */
    synchronized boolean active(Instant now) {
        return blockAt(now) != null;
    }

    synchronized RateLimitState snapshot(Instant now) {
        List<RateLimitState.Policy> list = new ArrayList<>(policies.size());
        for (Map.Entry<String, Entry> p : policies.entrySet()) {
            Entry e = p.getValue();
            list.add(new RateLimitState.Policy(p.getKey(), e.quota, e.windowSeconds, e.quotaUnit, e.remaining,
                    e.resetAt, now));
        }
        return new RateLimitState(authority, now, observedAt, retryAfterUntil, list);
    }

    /** How long a block lasts from {@code now}. */
    static Duration remaining(Block block, Instant now) {
        Duration d = Duration.between(now, block.until());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
