package dev.ratelimit.client;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The retry of a refused request: which requests may be re-sent (idempotent methods, with no body or one that can be
 * sent again, within the configured number of retries), the re-sending through the same client, and the retried
 * answer put in place of the refusal.
 */
final class Resend {

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private Resend() {
    }

    /** Whether {@code request} may be re-sent: an idempotent method, a replayable body or none, retries left. */
    static boolean allowed(ClientRequestContext request, int retries) {
        if (retries == 0 || !IDEMPOTENT.contains(request.getMethod().toUpperCase(Locale.ROOT))) {
            return false;
        }
        Object entity = request.hasEntity() ? request.getEntity() : null;
        return attempt(request) < retries
                && (entity == null || entity instanceof String || entity instanceof byte[]);
    }

    /** How often this request was re-sent already. */
    private static int attempt(ClientRequestContext request) {
        Object attempt = request.getProperty(RateLimitClientFilter.ATTEMPT_PROPERTY);
        return attempt instanceof Integer ? (Integer) attempt : 0;
    }

    /**
     * Reads the refusal's content into memory: its connection is then free for the retry, and the caller still gets
     * the content if the retry is not sent after all.
     */
    static void keepContent(ClientResponseContext response) throws IOException {
        byte[] content;
        if (!response.hasEntity()) {
            content = new byte[0];
        } else {
            try (InputStream in = response.getEntityStream()) {
                content = in.readAllBytes();
            }
        }
        response.setEntityStream(new ByteArrayInputStream(content));
    }

    /** Sends the request again through the client that sent it: same method, URI, headers, properties and body. */
    static Response send(ClientRequestContext request) {
        MultivaluedMap<String, Object> headers = new MultivaluedHashMap<>();
        for (Map.Entry<String, List<Object>> h : request.getHeaders().entrySet()) {
            if (!h.getKey().equalsIgnoreCase("Content-Length")) {
                headers.put(h.getKey(), new ArrayList<>(h.getValue()));
            }
        }
        Invocation.Builder builder = request.getClient().target(request.getUri()).request().headers(headers);
        for (String name : request.getPropertyNames()) {
            if (!name.equals(RateLimitClientFilter.SEQ_PROPERTY)) {
                builder.property(name, request.getProperty(name));
            }
        }
        builder.property(RateLimitClientFilter.ATTEMPT_PROPERTY, attempt(request) + 1);
        Object entity = request.hasEntity() ? request.getEntity() : null;
        if (entity == null) {
            return builder.method(request.getMethod());
        }
        return builder.method(request.getMethod(),
                Entity.entity(entity, request.getMediaType(), request.getEntityAnnotations()));
    }

    /** Puts the retried answer (status, headers, content) in place of the refusal, and closes it. */
    static void replace(ClientResponseContext response, Response retried) {
        try {
            byte[] content = retried.hasEntity() ? retried.readEntity(byte[].class) : new byte[0];
            response.setStatusInfo(retried.getStatusInfo());
            MultivaluedMap<String, String> headers = response.getHeaders();
            headers.clear();
            for (Map.Entry<String, List<String>> h : retried.getStringHeaders().entrySet()) {
                headers.put(h.getKey(), new ArrayList<>(h.getValue()));
            }
            response.setEntityStream(new ByteArrayInputStream(content));
        } finally {
            retried.close();
        }
    }
}
