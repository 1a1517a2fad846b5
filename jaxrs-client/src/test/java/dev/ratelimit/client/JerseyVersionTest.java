package dev.ratelimit.client;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.client.ClientBuilder;
import org.glassfish.jersey.internal.Version;
import org.junit.jupiter.api.Test;

/**
 * Proves which Jersey this run of the suite uses: the build runs it on Jersey 3.1 (EE 10) and on Jersey 4.0 (EE 11),
 * each surefire execution naming the version it expects in {@code ratelimit.test.jersey.version} (absent outside
 * Maven: then nothing is checked but that a Jersey client is found).
 */
class JerseyVersionTest {

    @Test
    void theExpectedJerseyIsTheClient() {
        assertThat(ClientBuilder.newBuilder().getClass().getName()).startsWith("org.glassfish.jersey.");
        String expected = System.getProperty("ratelimit.test.jersey.version");
        if (expected != null) {
            assertThat(Version.getVersion()).isEqualTo(expected);
        }
    }
}
