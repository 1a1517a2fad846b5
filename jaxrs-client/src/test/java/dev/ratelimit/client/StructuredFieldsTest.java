package dev.ratelimit.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.client.StructuredFields.DisplayString;
import dev.ratelimit.client.StructuredFields.Member;
import dev.ratelimit.client.StructuredFields.SfDate;
import dev.ratelimit.client.StructuredFields.Token;
import dev.ratelimit.testing.Property;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.greenbytes.http.sfv.BooleanItem;
import org.greenbytes.http.sfv.ByteSequenceItem;
import org.greenbytes.http.sfv.DecimalItem;
import org.greenbytes.http.sfv.InnerList;
import org.greenbytes.http.sfv.IntegerItem;
import org.greenbytes.http.sfv.Item;
import org.greenbytes.http.sfv.ListElement;
import org.greenbytes.http.sfv.Parser;
import org.greenbytes.http.sfv.StringItem;
import org.greenbytes.http.sfv.TokenItem;
import org.junit.jupiter.api.Test;

/**
 * The module's Structured Field List parser, against examples and, by property, against an independent parser
 * (greenbytes structured-fields 0.4, test scope): on generated valid lists and on mutations of them (malformed or
 * not), both must accept the same values and read the same structure. Seeds are fixed; a failure prints the seed and
 * the shrunk field value ({@code -Dratelimit.pbt.seed=…} reruns it).
 *
 * <p>greenbytes 0.4 (January 2020) implements a late draft of RFC 8941: it predates Dates and Display Strings (RFC
 * 9651 sections 3.3.7 and 3.3.8), so inputs with {@code @} or {@code %} are compared with the generator's own model
 * only; and it refuses an empty List, which RFC 9651 section 4.2 parses as empty (as we do; for the rate-limit fields
 * both mean "nothing to learn").
 */
class StructuredFieldsTest {

    // ------------------------------------------------------------------------------------------------ examples

    @Test
    void readsTheDraftsPolicyField() {
        List<Member> list = StructuredFields.parseList(
                "\"burst\";q=100;w=60, \"daily\";q=1000;w=86400;qu=\"requests\";pk=:YWJj:");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).bareItem()).isEqualTo("burst");
        assertThat(list.get(0).params()).containsExactly(Map.entry("q", 100L), Map.entry("w", 60L));
        assertThat(list.get(1).params().get("qu")).isEqualTo("requests");
        assertThat((byte[]) list.get(1).params().get("pk")).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void joinsFieldLinesWithCommas() {
        List<Member> list = StructuredFields.parseList(List.of("\"a\";r=1", "\"b\";r=0;t=5"));
        assertThat(list).extracting(Member::bareItem).containsExactly("a", "b");
    }

    @Test
    void readsEveryBareItemType() {
        List<Member> list = StructuredFields.parseList(
                "1, -2.5, \"s\\\"q\", tok/en:x, :AQID:, ?1, ?0, @1700000000, %\"f%c3%bc\", (1 2);a;b=?0");
        assertThat(list).extracting(Member::bareItem).containsExactly(1L, new BigDecimal("-2.5"), "s\"q",
                new Token("tok/en:x"), list.get(4).bareItem(), true, false, new SfDate(1_700_000_000L),
                new DisplayString("fü"), null);
        assertThat((byte[]) list.get(4).bareItem()).containsExactly(1, 2, 3);
        assertThat(list.get(9).innerList()).extracting(Member::bareItem).containsExactly(1L, 2L);
        assertThat(list.get(9).params()).containsExactly(Map.entry("a", true), Map.entry("b", false));
    }

    @Test
    void aLaterParameterOverwritesAnEarlierOne() {
        assertThat(StructuredFields.parseList("\"p\";r=1;r=2").get(0).params()).containsExactly(Map.entry("r", 2L));
    }

    @Test
    void malformedValuesAreNull() {
        for (String bad : List.of("\"open", "a,", ",a", "a,,b", "1;", "1;Q=1", "1.", "1.2345", "1234567890123456",
                "1234567890123.1", "\"tab\there\"", "\"bad\\escape\"", ":not base64!:", "?2", "a b", "(1 2",
                "@1.5", "%\"%C3%BC\"", "%\"%c3\"", "é", "\"burst\";q=100 junk")) {
            assertThat(StructuredFields.parseList(bad)).as(bad).isNull();
        }
        assertThat(StructuredFields.parseList("")).isEmpty();
        assertThat(StructuredFields.parseList((String) null)).isNull();
    }

    @Test
    void integersHaveAtMostFifteenDigits() {
        assertThat(StructuredFields.parseList("999999999999999").get(0).bareItem()).isEqualTo(999_999_999_999_999L);
        assertThat(StructuredFields.parseList("-999999999999999").get(0).bareItem())
                .isEqualTo(-999_999_999_999_999L);
        assertThat(StructuredFields.parseList("1000000000000000")).isNull();
    }

    // ------------------------------------------------------------------------------------------------ properties

    @Test
    void generatedValidListsReadAsTheReferenceReadsThem() {
        new Property<>("valid lists agree with greenbytes", 19L, 3000, StructuredFieldsTest::validList,
                StructuredFieldsTest::shrinkString, s -> "field value: " + s)
                .check(StructuredFieldsTest::agree);
    }

    @Test
    void mutatedListsAreAcceptedAndRefusedAsTheReferenceDoes() {
        new Property<>("mutated lists agree with greenbytes", 1919L, 5000,
                r -> mutate(validList(r), r), StructuredFieldsTest::shrinkString, s -> "field value: " + s)
                .check(StructuredFieldsTest::agree);
    }

    @Test
    void readingResponsesNeverThrows() {
        new Property<>("RateLimitFields.read never throws", 7L, 3000,
                r -> mutate(validList(r), r), StructuredFieldsTest::shrinkString, s -> "every field: " + s)
                .check(s -> {
                    java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
                    for (int status : new int[] {200, 429}) {
                        HostState host = new HostState("http://h:80");
                        host.observe(RateLimitFields.read(name -> List.of(s), status == 429, now), now, -1);
                        host.tryAcquire(now);
                        host.snapshot(now).blockedUntil();
                    }
                });
    }

    /** Both parsers accept or both refuse {@code s}; when both accept, they read the same structure. */
    private static void agree(String s) {
        String ours = canonical(StructuredFields.parseList(s));
        if (s.indexOf('@') >= 0 || s.indexOf('%') >= 0) {
            return; // greenbytes 0.4 has no Dates or Display Strings; validList's own check covered them
        }
        if (s.chars().allMatch(c -> c == ' ')) {
            // RFC 9651 4.2: an empty field (after the leading SP) is an empty List; greenbytes 0.4 refuses it
            assertThat(ours).isEmpty();
            return;
        }
        String theirs;
        try {
            // RFC 9651 discards leading and trailing SP; greenbytes 0.4 expects the HTTP layer to have done it
            theirs = canonicalReference(Parser.parseList(s.replaceAll("^ +| +$", "")));
        } catch (IllegalArgumentException e) { // ParseException, and NumberFormatException for long numbers
            theirs = null;
        }
        assertThat(ours).as("ours vs greenbytes for <%s>", s).isEqualTo(theirs);
    }

    // ------------------------------------------------------------------------------------------------ generators

    private static final String LCALPHA = "abcdefghijklmnopqrstuvwxyz";
    private static final String ALPHA = LCALPHA + "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String TCHAR = ALPHA + "0123456789!#$&'*+-.^_`|~"; // '%' left out: see the class comment

    /** A valid List, serialized with random but allowed whitespace; its own parse must match the model. */
    private static String validList(Random r) {
        int n = r.nextInt(4);
        StringBuilder sb = new StringBuilder();
        StringBuilder model = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(r.nextBoolean() ? "," : r.nextBoolean() ? ", " : " \t,  ");
                model.append(", ");
            }
            if (r.nextInt(6) == 0) {
                sb.append('(');
                model.append('(');
                int k = r.nextInt(3);
                for (int j = 0; j < k; j++) {
                    if (j > 0) {
                        sb.append(r.nextBoolean() ? " " : "  ");
                        model.append(' ');
                    }
                    item(r, sb, model);
                }
                sb.append(')');
                model.append(')');
                params(r, sb, model);
            } else {
                item(r, sb, model);
            }
        }
        String value = sb.toString();
        assertThat(canonical(StructuredFields.parseList(value))).as("our parse of generated <%s>", value)
                .isEqualTo(model.toString());
        return value;
    }

    private static void item(Random r, StringBuilder sb, StringBuilder model) {
        bareItem(r, sb, model);
        params(r, sb, model);
    }

    private static void params(Random r, StringBuilder sb, StringBuilder model) {
        int n = r.nextInt(4);
        java.util.LinkedHashMap<String, String> seen = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            sb.append(';');
            if (r.nextInt(4) == 0) {
                sb.append(' ');
            }
            String key = r.nextInt(3) == 0 ? String.valueOf("qwrt".charAt(r.nextInt(4))) : key(r);
            sb.append(key);
            StringBuilder value = new StringBuilder();
            if (r.nextInt(4) == 0) {
                value.append("?true");
            } else {
                sb.append('=');
                bareItem(r, sb, value);
            }
            seen.put(key, value.toString());
        }
        seen.forEach((k, v) -> model.append(';').append(k).append('=').append(v));
    }

    private static String key(Random r) {
        StringBuilder k = new StringBuilder();
        k.append(r.nextInt(8) == 0 ? '*' : LCALPHA.charAt(r.nextInt(26)));
        String rest = LCALPHA + "0123456789_-.*";
        for (int i = r.nextInt(5); i > 0; i--) {
            k.append(rest.charAt(r.nextInt(rest.length())));
        }
        return k.toString();
    }

    /** Appends a bare item to {@code sb} and its canonical form (as {@link #canonical}) to {@code model}. */
    private static void bareItem(Random r, StringBuilder sb, StringBuilder model) {
        switch (r.nextInt(9)) {
            case 0, 1 -> {
                long v = r.nextInt(3) == 0 ? (long) (r.nextDouble() * 999_999_999_999_999L) : r.nextInt(100_000);
                if (r.nextInt(5) == 0) {
                    v = -v;
                }
                sb.append(v);
                model.append("I:").append(v);
            }
            case 2 -> {
                BigDecimal d = BigDecimal.valueOf(r.nextInt(1_000_000_000), r.nextInt(3) + 1);
                if (r.nextBoolean()) {
                    d = d.negate();
                }
                sb.append(d.toPlainString());
                model.append("D:").append(d.stripTrailingZeros().toPlainString());
            }
            case 3, 4 -> {
                StringBuilder raw = new StringBuilder();
                sb.append('"');
                for (int i = r.nextInt(8); i > 0; i--) {
                    char c = (char) (0x20 + r.nextInt(0x5f));
                    raw.append(c);
                    if (c == '"' || c == '\\') {
                        sb.append('\\');
                    }
                    sb.append(c);
                }
                sb.append('"');
                model.append("S:").append(Base64.getEncoder().encodeToString(raw.toString()
                        .getBytes(StandardCharsets.US_ASCII)));
            }
            case 5 -> {
                StringBuilder t = new StringBuilder();
                t.append(r.nextInt(6) == 0 ? '*' : ALPHA.charAt(r.nextInt(ALPHA.length())));
                String rest = TCHAR + ":/";
                for (int i = r.nextInt(6); i > 0; i--) {
                    t.append(rest.charAt(r.nextInt(rest.length())));
                }
                sb.append(t);
                model.append("T:").append(t);
            }
            case 6 -> {
                byte[] bytes = new byte[r.nextInt(7)];
                r.nextBytes(bytes);
                String b64 = Base64.getEncoder().encodeToString(bytes);
                sb.append(':').append(b64).append(':');
                model.append("B:").append(b64);
            }
            case 7 -> {
                boolean b = r.nextBoolean();
                sb.append(b ? "?1" : "?0");
                model.append("?").append(b);
            }
            default -> {
                if (r.nextBoolean()) {
                    long v = r.nextInt(2_000_000_000);
                    sb.append('@').append(v);
                    model.append("@:").append(v);
                } else {
                    String text = r.nextBoolean() ? "plain" : "f\u00fc \"x\" %";
                    sb.append("%\"");
                    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                        int c = b & 0xff;
                        if (c == '%' || c == '"' || c < 0x20 || c > 0x7e) {
                            sb.append('%').append(String.format("%02x", c));
                        } else {
                            sb.append((char) c);
                        }
                    }
                    sb.append('"');
                    model.append("%:").append(Base64.getEncoder().encodeToString(
                            text.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    /** One to three random edits: delete, insert or replace a character, from characters that matter to the grammar. */
    private static String mutate(String s, Random r) {
        String alphabet = " \t,;=\"\\:()?*-.0123456789aAzZ/+!_%@\u00e9\u0001";
        StringBuilder sb = new StringBuilder(s);
        for (int edits = 1 + r.nextInt(3); edits > 0; edits--) {
            int op = r.nextInt(3);
            if (sb.length() == 0 || op == 0) {
                sb.insert(r.nextInt(sb.length() + 1), alphabet.charAt(r.nextInt(alphabet.length())));
            } else if (op == 1) {
                sb.deleteCharAt(r.nextInt(sb.length()));
            } else {
                sb.setCharAt(r.nextInt(sb.length()), alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        return sb.toString();
    }

    private static List<String> shrinkString(String s) {
        List<String> out = new ArrayList<>();
        for (int chunk = s.length() / 2; chunk >= 1; chunk /= 2) {
            for (int from = 0; from + chunk <= s.length(); from += chunk) {
                out.add(s.substring(0, from) + s.substring(from + chunk));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ canonical forms

    private static String canonical(List<Member> list) {
        if (list == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Member m : list) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            if (m.innerList() != null) {
                sb.append('(');
                for (int i = 0; i < m.innerList().size(); i++) {
                    if (i > 0) {
                        sb.append(' ');
                    }
                    Member inner = m.innerList().get(i);
                    sb.append(bare(inner.bareItem()));
                    params(inner.params(), sb);
                }
                sb.append(')');
            } else {
                sb.append(bare(m.bareItem()));
            }
            params(m.params(), sb);
        }
        return sb.toString();
    }

    private static void params(Map<String, Object> params, StringBuilder sb) {
        params.forEach((k, v) -> sb.append(';').append(k).append('=').append(bare(v)));
    }

    private static String bare(Object v) {
        if (v instanceof Long) {
            return "I:" + v;
        }
        if (v instanceof BigDecimal) {
            return "D:" + ((BigDecimal) v).stripTrailingZeros().toPlainString();
        }
        if (v instanceof String) {
            return "S:" + Base64.getEncoder().encodeToString(((String) v).getBytes(StandardCharsets.US_ASCII));
        }
        if (v instanceof Token) {
            return "T:" + ((Token) v).value();
        }
        if (v instanceof byte[]) {
            return "B:" + Base64.getEncoder().encodeToString((byte[]) v);
        }
        if (v instanceof Boolean) {
            return "?" + v;
        }
        if (v instanceof SfDate) {
            return "@:" + ((SfDate) v).epochSeconds();
        }
        if (v instanceof DisplayString) {
            return "%:" + Base64.getEncoder().encodeToString(((DisplayString) v).value()
                    .getBytes(StandardCharsets.UTF_8));
        }
        throw new AssertionError("unexpected bare item " + v);
    }

    private static String canonicalReference(org.greenbytes.http.sfv.OuterList list) {
        StringBuilder sb = new StringBuilder();
        for (ListElement<?> e : list.get()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            if (e instanceof InnerList) {
                sb.append('(');
                List<Item<?>> items = ((InnerList) e).get();
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        sb.append(' ');
                    }
                    sb.append(bareReference(items.get(i)));
                    paramsReference(items.get(i).getParams(), sb);
                }
                sb.append(')');
            } else {
                sb.append(bareReference((Item<?>) e));
            }
            paramsReference(e.getParams(), sb);
        }
        return sb.toString();
    }

    private static void paramsReference(org.greenbytes.http.sfv.Parameters params, StringBuilder sb) {
        params.forEach((k, v) -> sb.append(';').append(k).append('=').append(bareReference(v)));
    }

    private static String bareReference(Item<?> item) {
        if (item instanceof IntegerItem) {
            return "I:" + ((IntegerItem) item).get();
        }
        if (item instanceof DecimalItem) {
            return "D:" + ((DecimalItem) item).get().stripTrailingZeros().toPlainString();
        }
        if (item instanceof StringItem) {
            return "S:" + Base64.getEncoder().encodeToString(((StringItem) item).get()
                    .getBytes(StandardCharsets.US_ASCII));
        }
        if (item instanceof TokenItem) {
            return "T:" + ((TokenItem) item).get();
        }
        if (item instanceof ByteSequenceItem) {
            java.nio.ByteBuffer b = ((ByteSequenceItem) item).get().duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return "B:" + Base64.getEncoder().encodeToString(bytes);
        }
        if (item instanceof BooleanItem) {
            return "?" + ((BooleanItem) item).get();
        }
        throw new AssertionError("unexpected reference item " + item);
    }
}
