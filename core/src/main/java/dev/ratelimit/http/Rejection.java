package dev.ratelimit.http;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The response to a refused request: status, content type and body, as the bindings send it (with the rate-limit
 * headers and {@code Retry-After}, which they add themselves). A {@link RejectionHandler} returns one; the
 * standard one is the RFC 9457 {@code application/problem+json} document. Validated when made, so that nothing a
 * handler returns can break the response: the content type, which becomes a header, must be a media type
 * ({@code type/subtype}, optional parameters) of visible ASCII, so no line break or control character reaches a
 * header.
 *
 * @param status      the status, from 400 to 599
 * @param contentType the media type of the body, e.g. {@code application/json} or {@code text/plain; charset=UTF-8}
 * @param body        the body, sent encoded as UTF-8; empty for none
 */
public record Rejection(int status, String contentType, String body) {

    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final Pattern MEDIA_TYPE = Pattern.compile(TOKEN + "/" + TOKEN
            + "(\\s*;\\s*" + TOKEN + "=(" + TOKEN + "|\"([\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*\"))*");
    private static final int MAX_CONTENT_TYPE_LENGTH = 256;

    /**
     * Validates the values.
     *
     * @param status      from 400 to 599
     * @param contentType a media type of at most 256 visible ASCII characters (spaces only around parameters)
     * @param body        not null
     * @throws IllegalArgumentException when the status is outside 400 to 599 or the content type is no media type
     * @throws NullPointerException     when the content type or the body is null
     */
    public Rejection {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a rejection's status must be from 400 to 599, was " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        if (contentType.length() > MAX_CONTENT_TYPE_LENGTH || !MEDIA_TYPE.matcher(contentType).matches()) {
            throw new IllegalArgumentException("a rejection's content type must be a media type such as "
                    + "application/json or text/plain; charset=UTF-8 (visible ASCII, at most "
                    + MAX_CONTENT_TYPE_LENGTH + " characters)");
        }
    }
}
