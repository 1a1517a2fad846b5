package dev.ratelimit.core;

/** Where the bindings take the key that a request is counted against. */
public enum KeySource {
    /** The authenticated principal's name when there is one, else the client IP (the default). */
    PRINCIPAL_OR_IP,
    /** The client IP: the socket peer, or a forwarded address when the peer is a trusted proxy. */
    IP,
    /** The value of the request header named by {@code keyHeader}; the client IP when the header is absent. */
    HEADER,
    /** A user-supplied key resolver. */
    CUSTOM
}
