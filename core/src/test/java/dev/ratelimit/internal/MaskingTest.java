package dev.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one masking routine, on every shape of Redis address a user can write, well-formed or not: the password
 * ({@code pw}, {@code s3cret} and variants) never appears, and scheme, user, host, port and database stay visible.
 */
class MaskingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // user and password
        "redis://user:pw@host:6379|redis://user:***@host:6379",
        "redis://default:s3cret@redis.internal:6379/0|redis://default:***@redis.internal:6379/0",
        // password only, with and without the leading colon
        "redis://:s3cret@host:6379|redis://:***@host:6379",
        "redis://s3cret@host|redis://***@host",
        "redis://s3cret@host:6379|redis://***@host:6379",
        // no port
        "redis://user:s3cret@host|redis://user:***@host",
        // IPv6 literals
        "redis://:s3cret@[::1]:6379|redis://:***@[::1]:6379",
        "redis://user:s3cret@[2001:db8::7]:6379/3|redis://user:***@[2001:db8::7]:6379/3",
        "redis://s3cret@[::1]|redis://***@[::1]",
        // TLS, database path
        "rediss://:s3cret@host:6380/1|rediss://:***@host:6380/1",
        "rediss://app:s3cret@host:6380/15|rediss://app:***@host:6380/15",
        // malformed: bad port, missing host, '@' '/' ':' in the password, unparseable, one slash, no scheme
        "redis://s3cret@host:abc|redis://***@host:abc",
        "redis://app:s3cret@host:99999999|redis://app:***@host:99999999",
        "redis://app:s3cret@|redis://app:***@",
        "redis://app:s3cret@:6379|redis://app:***@:6379",
        "redis://app:s3@cr@et@host:6379|redis://app:***@host:6379",
        "redis://u:p@ss:w/rd@host|redis://u:***@host",
        "redis://app:s3/cret@host:6379|redis://app:***@host:6379",
        "redis://app:s3:cret@host:6379|redis://app:***@host:6379",
        "redis://app:s3 cret@ho st:6379|redis://app:***@ho st:6379",
        "redis://s3cret@[::1:6379|redis://***@[::1:6379",
        "redis:/app:s3cret@host:6379|redis:***@host:6379",
        "app:s3cret@host:6379|app:***@host:6379",
        "s3cret@host:6379|***@host:6379",
        "u:s3://cret@host|u:***@host",
        "redis://app:s3cret%40x@host:6379|redis://app:***@host:6379",
        // host lists (cluster seeds, sentinels) with credentials by mistake
        "app:s3cret@redis-1:6379,redis-2:6379|app:***@redis-1:6379,redis-2:6379",
        "redis-1:6379,app:s3cret@redis-2:6379|redis-1:***@redis-2:6379",
        "[redis-1:6379, s3cret@redis-2:6379]|[redis-1:***@redis-2:6379]",
        // nothing to hide
        "redis://host:6379|redis://host:6379",
        "redis://[::1]:6379/0|redis://[::1]:6379/0",
        "redis-1:6379,redis-2:6379|redis-1:6379,redis-2:6379",
        "''|''",
    })
    void hidesThePasswordOfEveryShape(String text, String shown) {
        String masked = Masking.redisAddress(text);
        assertThat(masked).isEqualTo(shown);
        assertThat(masked).doesNotContain("s3").doesNotContain("pw").doesNotContain("cret");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {"NULL|null"})
    void nullIsShownAsNull(String text, String shown) {
        assertThat(Masking.redisAddress(text)).isEqualTo(shown);
    }
}
