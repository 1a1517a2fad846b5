package dev.ratelimit.client;

import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of Structured Field Lists (RFC 9651, section 4.2), just enough for the rate-limit fields and no more
 * lenient than the RFC: a field that does not parse is malformed as a whole and {@link #parseList} answers null, which
 * the caller ignores (the ratelimit-headers draft: "Malformed RateLimit header fields MUST be ignored"). What is
 * lenient is the caller: it ignores members and parameters it does not understand. No dependency: a client filter must
 * not bring a parsing library along.
 *
 * <p>Bare items become: Integer → {@link Long}, Decimal → {@link BigDecimal}, String → {@link String}, Token →
 * {@link Token}, Byte Sequence → {@code byte[]}, Boolean → {@link Boolean}, Date → {@link SfDate}, Display String →
 * {@link DisplayString}.
 */
final class StructuredFields {

    /** An sf-token, kept apart from an sf-string. */
    record Token(String value) {
    }

    /** An sf-date (RFC 9651 section 3.3.7): seconds since the epoch. */
    record SfDate(long epochSeconds) {
    }

    /** An sf-displaystring (RFC 9651 section 3.3.8), decoded. */
    record DisplayString(String value) {
    }

    /**
     * One member of a List: an Item ({@code bareItem} set, {@code innerList} null) or an Inner List.
     *
     * @param bareItem  the item's bare item, null for an inner list
     * @param innerList the inner list's items, null for an item
     * @param params    the parameters in order, later duplicates overwriting earlier ones
     */
    record Member(Object bareItem, List<Member> innerList, Map<String, Object> params) {
    }

    /** The parse failed; no stack trace, it is control flow. */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super(null, null, false, false);
        }
    }

    private final String in;
    private int pos;

    private StructuredFields(String in) {
        this.in = in;
    }

    /**
     * Parses field lines as one List (the lines joined with commas, RFC 9651 section 4.2).
     *
     * @param lines the field's lines, in order; null or empty means the field is absent
     * @return the members, or null when the field is absent or malformed
     */
    static List<Member> parseList(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return null;
        }
        return parseList(String.join(",", lines));
    }

    /**
     * Parses one field value as a List.
     *
     * @param value the value
     * @return the members (empty for an empty value), or null when it is malformed
     */
    static List<Member> parseList(String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7e) {
                return null; // RFC 9651 4.2: fail on any non-ASCII character
            }
        }
        StructuredFields p = new StructuredFields(value);
        try {
            p.skipSp();
            List<Member> members = p.list();
            p.skipSp();
            if (p.pos != p.in.length()) {
                return null;
            }
            return Collections.unmodifiableList(members);
        } catch (Malformed e) {
            return null;
        }
    }

    private List<Member> list() {
        List<Member> members = new ArrayList<>();
        while (pos < in.length()) {
            members.add(itemOrInnerList());
            skipOws();
            if (pos == in.length()) {
                return members;
            }
            if (in.charAt(pos) != ',') {
                throw new Malformed();
            }
            pos++;
            skipOws();
            if (pos == in.length()) {
                throw new Malformed(); // trailing comma
            }
        }
        return members;
    }

    private Member itemOrInnerList() {
        if (peek() == '(') {
            return innerList();
        }
        Object bare = bareItem();
        return new Member(bare, null, parameters());
    }

    private Member innerList() {
        pos++; // (
        List<Member> items = new ArrayList<>();
        while (pos < in.length()) {
            skipSp();
            if (peek() == ')') {
                pos++;
                return new Member(null, Collections.unmodifiableList(items), parameters());
            }
            Object bare = bareItem();
            items.add(new Member(bare, null, parameters()));
            char c = peek();
            if (c != ' ' && c != ')') {
                throw new Malformed();
            }
        }
        throw new Malformed();
    }

    private Map<String, Object> parameters() {
        Map<String, Object> params = null;
        while (peek() == ';') {
            pos++;
            skipSp();
            String key = key();
            Object value = Boolean.TRUE;
            if (peek() == '=') {
                pos++;
                value = bareItem();
            }
            if (params == null) {
                params = new LinkedHashMap<>();
            }
            params.put(key, value);
        }
        return params == null ? Map.of() : Collections.unmodifiableMap(params);
    }

    private String key() {
        char c = peek();
        if (!(isLcalpha(c) || c == '*')) {
            throw new Malformed();
        }
        int start = pos;
        while (pos < in.length()) {
            c = in.charAt(pos);
            if (isLcalpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*') {
                pos++;
            } else {
                break;
            }
        }
        return in.substring(start, pos);
    }

    private Object bareItem() {
        char c = peek();
        if (c == '-' || isDigit(c)) {
            return number();
        }
        if (c == '"') {
            return string();
        }
        if (c == '*' || isAlpha(c)) {
            return token();
        }
        if (c == ':') {
            return byteSequence();
        }
        if (c == '?') {
            return bool();
        }
        if (c == '@') {
            pos++;
            Object n = number();
            if (!(n instanceof Long)) {
                throw new Malformed();
            }
            return new SfDate((Long) n);
        }
        if (c == '%') {
            return displayString();
        }
        throw new Malformed();
    }

    private Object number() {
        boolean negative = false;
        if (peek() == '-') {
            negative = true;
            pos++;
        }
        if (!isDigit(peek())) {
            throw new Malformed();
        }
        int start = pos;
        int dot = -1;
        while (pos < in.length()) {
            char c = in.charAt(pos);
            if (isDigit(c)) {
                pos++;
            } else if (dot < 0 && c == '.') {
                if (pos - start > 12) {
                    throw new Malformed();
                }
                dot = pos;
                pos++;
            } else {
                break;
            }
            int length = pos - start;
            if ((dot < 0 && length > 15) || (dot >= 0 && length > 16)) {
                throw new Malformed();
            }
        }
        String digits = in.substring(start, pos);
        if (dot < 0) {
            long value = Long.parseLong(digits);
            return negative ? -value : value;
        }
        int fraction = pos - dot - 1;
        if (fraction < 1 || fraction > 3) {
            throw new Malformed();
        }
        BigDecimal value = new BigDecimal(digits);
        return negative ? value.negate() : value;
    }

    private String string() {
        pos++; // "
        StringBuilder out = new StringBuilder();
        while (pos < in.length()) {
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (pos == in.length()) {
                    throw new Malformed();
                }
                char next = in.charAt(pos++);
                if (next != '"' && next != '\\') {
                    throw new Malformed();
                }
                out.append(next);
            } else if (c == '"') {
                return out.toString();
            } else if (c < 0x20 || c > 0x7e) {
                throw new Malformed();
            } else {
                out.append(c);
            }
        }
        throw new Malformed();
    }

    private Token token() {
        int start = pos;
        pos++;
        while (pos < in.length() && (isTchar(in.charAt(pos)) || in.charAt(pos) == ':' || in.charAt(pos) == '/')) {
            pos++;
        }
        return new Token(in.substring(start, pos));
    }

    private byte[] byteSequence() {
        pos++; // :
        int start = pos;
        while (pos < in.length() && in.charAt(pos) != ':') {
            char c = in.charAt(pos);
            if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
                throw new Malformed();
            }
            pos++;
        }
        if (pos == in.length()) {
            throw new Malformed();
        }
        String encoded = in.substring(start, pos);
        pos++; // :
        // RFC 9651 4.2.7: parsers SHOULD NOT fail when "=" padding is missing
        String unpadded = encoded.endsWith("==") ? encoded.substring(0, encoded.length() - 2)
                : encoded.endsWith("=") ? encoded.substring(0, encoded.length() - 1) : encoded;
        if (unpadded.indexOf('=') >= 0 || unpadded.length() % 4 == 1
                || (encoded.length() != unpadded.length() && encoded.length() % 4 != 0)) {
            throw new Malformed();
        }
        try {
            return Base64.getDecoder().decode(unpadded);
        } catch (IllegalArgumentException e) {
            throw new Malformed();
        }
    }

    private Boolean bool() {
        pos++; // ?
        char c = peek();
        if (c == '1' || c == '0') {
            pos++;
            return c == '1';
        }
        throw new Malformed();
    }

    private DisplayString displayString() {
        pos++; // %
        if (peek() != '"') {
            throw new Malformed();
        }
        pos++;
        ByteBuffer bytes = ByteBuffer.allocate(in.length());
        while (pos < in.length()) {
            char c = in.charAt(pos++);
            if (c < 0x20 || c > 0x7e) {
                throw new Malformed();
            }
            if (c == '%') {
                if (pos + 2 > in.length()) {
                    throw new Malformed();
                }
                int hi = lowerHex(in.charAt(pos));
                int lo = lowerHex(in.charAt(pos + 1));
                pos += 2;
                bytes.put((byte) (hi << 4 | lo));
            } else if (c == '"') {
                bytes.flip();
                try {
                    return new DisplayString(StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(bytes).toString());
                } catch (CharacterCodingException e) {
                    throw new Malformed();
                }
            } else {
                bytes.put((byte) c);
            }
        }
        throw new Malformed();
    }

    private static int lowerHex(char c) {
        if (isDigit(c)) {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        throw new Malformed();
    }

    private char peek() {
        return pos < in.length() ? in.charAt(pos) : '\0';
    }

    private void skipSp() {
        while (pos < in.length() && in.charAt(pos) == ' ') {
            pos++;
        }
    }

    private void skipOws() {
        while (pos < in.length() && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLcalpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isAlpha(char c) {
        return isLcalpha(c) || (c >= 'A' && c <= 'Z');
    }

    /** RFC 9110 tchar. */
    private static boolean isTchar(char c) {
        return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /**
     * A bare item as a non-negative Integer.
     *
     * @param value a bare item or null
     * @return the value, or -1 when it is not a non-negative Integer
     */
    static long nonNegativeInteger(Object value) {
        return value instanceof Long && (Long) value >= 0 ? (Long) value : -1;
    }
}
