package dev.ratelimit.internal.http;

import dev.ratelimit.internal.Masking;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code pk} (partition key) parameter of the {@code RateLimit-Policy} and {@code RateLimit} fields: a keyed hash
 * of the client key a rule counts against, never the key itself (an IP address or a principal's name must not be
 * echoed to whoever reads the response). The value is the first {@value #BYTES} bytes of
 * HMAC-SHA256(secret, client key in UTF-8), sent as a Structured Field Byte Sequence ({@code :<base64>:}): the same
 * client key always gets the same value under one secret, and without the secret the value tells nothing about the key.
 *
 * <p>The secret comes from {@code ratelimit.headers.partition-key-secret}; unset, a random one is drawn once per
 * deployment (32 bytes from {@link SecureRandom}, once per loading of this class: per web application when the library
 * is in {@code WEB-INF/lib}), shared by both bindings and every filter, so values are stable for the deployment's
 * lifetime but differ between instances and across restarts. It is never logged: {@link #toString()} masks it.
 */
public final class PartitionKeys {

    /** How many bytes of the HMAC the value keeps: 128 bits, no collisions in practice. */
    public static final int BYTES = 16;

    /** The shortest secret accepted, in bytes (UTF-8). */
    public static final int MIN_SECRET_BYTES = 16;

    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;
    private final Mac prototype;
    private final boolean random;

    private PartitionKeys(byte[] secret, boolean random) {
        this.random = random;
        this.key = new SecretKeySpec(secret, HMAC); // a copy: the caller's array is wiped
        Arrays.fill(secret, (byte) 0);
        this.prototype = newMac();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            // every Java platform has HmacSHA256; the message names no part of the secret
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Partition keys under an explicit secret (the same on every instance, so a client's value is too).
     *
     * @param secret the secret, at least {@value #MIN_SECRET_BYTES} bytes in UTF-8
     * @return the partition keys
     * @throws IllegalArgumentException when the secret is too short (the message does not show it)
     */
    public static PartitionKeys withSecret(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            Arrays.fill(bytes, (byte) 0);
            throw new IllegalArgumentException("must be at least " + MIN_SECRET_BYTES + " bytes long");
        }
        return new PartitionKeys(bytes, false);
    }

    /**
     * Partition keys under the deployment's random secret of 32 bytes, drawn at the first call: values are stable for
     * the deployment's lifetime.
     *
     * @return the partition keys, the same instance at every call
     */
    public static PartitionKeys randomSecret() {
        return Deployment.KEYS;
    }

    /** The deployment's random secret, drawn when first needed (the holder idiom: thread-safe, no lock after). */
    private static final class Deployment {
        static final PartitionKeys KEYS = draw();

        private static PartitionKeys draw() {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            return new PartitionKeys(secret, true);
        }
    }

    /**
     * The {@code pk} value of a client key, ready to send.
     *
     * @param clientKey the key a rule counts against (as resolved for the request), not null
     * @return {@code :<base64 of the first 16 bytes of the HMAC>:}, e.g. {@code :q83vEjRWeJCrze8SNFZ4kA==:}
     */
    public String of(String clientKey) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone(); // cheaper than a new instance; a Mac is not thread-safe
        } catch (CloneNotSupportedException e) {
            mac = newMac();
        }
        byte[] hash = mac.doFinal(clientKey.getBytes(StandardCharsets.UTF_8));
        return ':' + Base64.getEncoder().encodeToString(Arrays.copyOf(hash, BYTES)) + ':';
    }

    /** {@return whether the secret was drawn at random (none was configured)} */
    public boolean isRandom() {
        return random;
    }

    /** {@return the secret's origin, never the secret: {@code PartitionKeys[secret=***]} or {@code [secret=random]}} */
    @Override
    public String toString() {
        return "PartitionKeys[secret=" + (random ? "random" : Masking.MASK) + "]";
    }
}
