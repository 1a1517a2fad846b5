package dev.ratelimit.redis;

import dev.ratelimit.internal.DenialCachingRateLimiter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;

/**
 * Keeps the local denial caches in front of one Redis limiter right across instances: every reset, refund and block
 * publishes the client key (its store form) on the channel {@code <key prefix>:invalidate} in the same script call;
 * this daemon thread subscribes to it (Jedis's own pub/sub, on a connection of its own to a node of the limiter's
 * client, made by the client's pool factory but outside the pool, so it never takes a pooled connection) and makes every registered cache drop that client's denials. Whenever the subscription (re)starts, the
 * caches drop all their denials, as messages may have been missed meanwhile. A failed or broken subscription is tried
 * again after 100 ms, doubling up to 5 s; {@link #close()} stops the thread.
 */
final class InvalidationSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(InvalidationSubscriber.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final RedisConnection connection;
    private final String channel;
    private final List<DenialCachingRateLimiter> caches = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Listener current;
    /** Whether a subscription was ever made: messages can only have been missed after one was lost. */
    private volatile boolean everSubscribed;

    InvalidationSubscriber(RedisConnection connection, String channel) {
        this.connection = connection;
        this.channel = channel;
        this.thread = new Thread(this::run, "ratelimit-denial-invalidations");
        thread.setDaemon(true);
    }

    /** Adds a cache; the first one starts the subscription. */
    synchronized void add(DenialCachingRateLimiter cache) {
        caches.add(cache);
        if (!closed && thread.getState() == Thread.State.NEW) {
            thread.start();
        }
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            Listener listener = new Listener();
            current = listener;
            try {
                Connection dedicated = connection.dedicatedConnection();
                if (dedicated == null) {
                    connection.client().subscribe(listener, channel);
                } else {
                    try (dedicated) {
                        listener.proceed(dedicated, channel);
                    }
                }
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.debug("Redis subscription to {} failed; trying again in {} ms", channel, backoff, e);
            }
            if (listener.subscribed) {
                backoff = FIRST_BACKOFF_MILLIS; // it worked for a while: start over
            }
            if (closed) {
                break;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    /** Stops the subscription and its thread (waits up to 1 s, so its connection is back before the client closes). */
    void close() {
        synchronized (this) {
            closed = true;
            if (thread.getState() == Thread.State.NEW) {
                return;
            }
        }
        Listener listener = current;
        if (listener != null) {
            listener.stop();
        }
        thread.interrupt();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The subscription's callbacks. */
    private final class Listener extends JedisPubSub {
        volatile boolean subscribed;

        @Override
        public void onSubscribe(String ch, int subscribedChannels) {
            subscribed = true;
            if (everSubscribed) {
                for (DenialCachingRateLimiter cache : caches) {
                    cache.invalidateAll(); // what was published while the subscription was down is lost
                }
            }
            everSubscribed = true;
            if (closed) {
                stop();
            }
        }

        @Override
        public void onMessage(String ch, String client) {
            for (DenialCachingRateLimiter cache : caches) {
                cache.invalidateStoreForm(client);
            }
        }

        void stop() {
            try {
                if (isSubscribed()) {
                    unsubscribe();
                }
            } catch (RuntimeException e) {
                LOG.debug("cannot unsubscribe from {}", channel, e);
            }
        }
    }
}
