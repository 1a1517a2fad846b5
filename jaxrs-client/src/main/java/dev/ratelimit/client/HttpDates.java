package dev.ratelimit.client;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP-date (RFC 9110 section 5.6.7): the preferred IMF-fixdate and, as recipients must accept them, the obsolete
 * RFC 850 and asctime formats. Parsed by hand with fixed English names, whatever the default locale.
 */
final class HttpDates {

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final Pattern IMF_FIXDATE = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ([A-Z][a-z]{2}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT");
    /** {@code Sunday, 06-Nov-94 08:49:37 GMT}. */
    private static final Pattern RFC_850 = Pattern.compile(
            "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-([A-Z][a-z]{2})-(\\d{2})"
                    + " (\\d{2}):(\\d{2}):(\\d{2}) GMT");
    /** {@code Sun Nov  6 08:49:37 1994}. */
    private static final Pattern ASCTIME = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})");
    private static final DateTimeFormatter IMF = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    private HttpDates() {
    }

    /**
     * Parses an HTTP-date.
     *
     * @param value the field value, surrounding whitespace allowed
     * @param now   the receiving time, to place an RFC 850 two-digit year (RFC 9110: a date more than 50 years in the
     *              future is the most recent past year with those digits)
     * @return the instant, or null when the value is no valid HTTP-date
     */
    static Instant parse(String value, Instant now) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        try {
            Matcher m = IMF_FIXDATE.matcher(v);
            if (m.matches()) {
                return at(Integer.parseInt(m.group(4)), m.group(3), m.group(2), m.group(5), m.group(6), m.group(7),
                        m.group(1));
            }
            m = RFC_850.matcher(v);
            if (m.matches()) {
                int yy = Integer.parseInt(m.group(4));
                int nowYear = LocalDateTime.ofInstant(now, ZoneOffset.UTC).getYear();
                int year = nowYear / 100 * 100 + yy;
                if (year > nowYear + 50) {
                    year -= 100;
                }
                return at(year, m.group(3), m.group(2), m.group(5), m.group(6), m.group(7),
                        m.group(1).substring(0, 3));
            }
            m = ASCTIME.matcher(v);
            if (m.matches()) {
                return at(Integer.parseInt(m.group(7)), m.group(2), m.group(3).trim(), m.group(4), m.group(5),
                        m.group(6), m.group(1));
            }
        } catch (RuntimeException e) { // an impossible date (31 Feb), a second of 60, a wrong day name
            return null;
        }
        return null;
    }

    private static Instant at(int year, String month, String day, String hour, String minute, String second,
            String dayName) {
        int monthIndex = MONTHS.indexOf(month);
        if (monthIndex < 0 || monthIndex % 3 != 0) {
            throw new DateTimeParseException("month", month, 0);
        }
        LocalDateTime t = LocalDateTime.of(year, monthIndex / 3 + 1, Integer.parseInt(day), Integer.parseInt(hour),
                Integer.parseInt(minute), Integer.parseInt(second));
        DayOfWeek actual = t.getDayOfWeek();
        if (!actual.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equals(dayName)) {
            throw new DateTimeParseException("day name", dayName, 0);
        }
        return t.toInstant(ZoneOffset.UTC);
    }

    /**
     * Formats an instant as an IMF-fixdate (for tests and for servers in tests).
     *
     * @param instant the instant, truncated to seconds
     * @return e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}
     */
    static String format(Instant instant) {
        return IMF.format(instant);
    }
}
